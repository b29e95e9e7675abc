"""The comparison pages, declared: each one is an entry of a list that the views read (``generator/views.py``).

A comparison says which records it holds (arms by setting or by a drug their regimen contains, case reports,
planned trials), which columns its tables have and what each column's values must share (``Accepts``: a
median counted from the start of an earlier treatment is not set beside medians counted from randomisation
without a mark), and whether comparative studies are shown one row per comparison. The views hold no
knowledge of any particular comparison; the list below is this review's, and can move into a review's own
configuration as it is.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from generator.definitions import Accepts
from generator.schema import Measure, ResponseCriteria, Setting, TimeOrigin

DEFAULT_COLUMNS = ("n", "response", "dcr", "median_pfs", "median_os")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnSpec(_Spec):
    """One outcome column of the comparison tables."""

    id: str = Field(description="How comparisons name the column.")
    label: str = Field(description="The column's header.")
    measures: list[Measure] = Field(min_length=1, description="The arm's headline value of the first of these measures it states.")
    partial_responses: bool = Field(default=False, description=(
        "For a response column: an arm that states partial responses but neither an objective response rate nor complete "
        "responses shows its partial responses, marked 'partial responses only' (never a derived rate)."))
    accepts: Accepts = Field(default_factory=Accepts, description="The definitions the column holds.")
    otherwise: Literal["mark", "fail"] = Field(default="fail", description=(
        "What happens to a value outside `accepts`: shown with a mark explained on the page (and not drawn in the figures), "
        "or the build fails, naming the value."))
    times: bool = Field(default=False, description="Values are times: sorted in one unit (months), shown as stated.")


class Scope(_Spec):
    """Which records a comparison takes: those in any of ``settings``, or (with ``drug``) whose regimen contains it."""

    settings: list[Setting] = Field(default_factory=list)
    drug: str | None = Field(default=None, description="A drug name, matched without regard to case in the regimen's drugs.")
    every: bool = Field(default=False, description="Every record, whatever its setting.")

    @model_validator(mode="after")
    def _check_scope(self) -> Scope:
        if self.every == bool(self.settings or self.drug):
            raise ValueError("a scope is `every`, or `settings` and/or a `drug`")
        return self


class ComparisonSpec(_Spec):
    """One comparison page (``compare/<slug>.md``)."""

    slug: str
    title: str
    scope_text: str = Field(description="One sentence: what the page holds, and what it promises to hold.")
    arms: Scope
    cases: Scope | None = Field(default=None, description="Case reports shown beside the arms; none without it.")
    planned: bool = Field(default=True, description="Planned and registered trials in scope, in a section of their own.")
    side_by_side: bool = Field(default=True, description="Comparative studies one row per comparison, their arms side by side.")
    columns: list[str] = Field(default_factory=lambda: list(DEFAULT_COLUMNS), description="Ids of the columns, in order.")
    case_focus: str | None = Field(default=None, description="The drug the case summaries put in focus (its line, dose and partners).")
    settings_column: bool = Field(default=True, description="Show each row's setting (off when the page is about one setting).")


# --------------------------------------------------------------------------- this review's columns and comparisons

# Most sources state neither criteria nor a time origin: "not stated" (None) stands with the usual definitions. A value
# the source states differently (mRECIST, time from the start of first-line sorafenib, from a landmark) is marked.
_RESPONSE = Accepts(response_criteria=[ResponseCriteria.recist_1_1, ResponseCriteria.recist, None], source_named=False)
_SURVIVAL = Accepts(time_origins=[TimeOrigin.randomisation, TimeOrigin.treatment_start, None])

ARM_COLUMNS: dict[str, ColumnSpec] = {column.id: column for column in (
    ColumnSpec(id="n", label="n", measures=[Measure.n]),
    ColumnSpec(id="response", label="ORR", measures=[Measure.orr], partial_responses=True, accepts=_RESPONSE, otherwise="mark"),
    ColumnSpec(id="dcr", label="DCR", measures=[Measure.dcr], accepts=_RESPONSE, otherwise="mark"),
    ColumnSpec(id="median_pfs", label="Median PFS", measures=[Measure.median_pfs], accepts=_SURVIVAL, otherwise="mark", times=True),
    ColumnSpec(id="median_os", label="Median OS", measures=[Measure.median_os], accepts=_SURVIVAL, otherwise="mark", times=True),
)}

ALL_ARMS = "outcomes"  # the comparison of every arm, one row each

COMPARISONS: list[ComparisonSpec] = [
    ComparisonSpec(
        slug="after-sorafenib", title="Second line after sorafenib",
        scope_text="Every study arm treated after sorafenib failed or was not tolerated, every case report and every planned or registered trial in that setting.",
        arms=Scope(settings=[Setting.after_sorafenib]), cases=Scope(settings=[Setting.after_sorafenib]), case_focus="lenalidomide",
        settings_column=False),
    ComparisonSpec(
        slug="after-lenvatinib", title="After lenvatinib, or lenvatinib plus a PD-1 inhibitor",
        scope_text=("Every study arm, case report and planned or registered trial in which disease progressed on lenvatinib, "
                    "alone or with a PD-1 inhibitor."),
        arms=Scope(settings=[Setting.after_lenvatinib, Setting.after_lenvatinib_pd1]),
        cases=Scope(settings=[Setting.after_lenvatinib, Setting.after_lenvatinib_pd1]), case_focus="lenalidomide"),
    ComparisonSpec(
        slug="lenalidomide", title="All lenalidomide evidence",
        scope_text="Every study arm, case report and planned or registered trial in which lenalidomide was given, alone or combined, whatever it measured.",
        arms=Scope(drug="lenalidomide"), cases=Scope(drug="lenalidomide"), case_focus="lenalidomide"),
    ComparisonSpec(
        slug="first-line", title="First-line context",
        scope_text="First-line trials, for the benchmarks that the later lines are measured against.",
        arms=Scope(settings=[Setting.first_line]), settings_column=False),
    ComparisonSpec(
        slug=ALL_ARMS, title="All arms",
        scope_text="Every study arm of the review, in any setting, one row each.",
        arms=Scope(every=True), planned=False, side_by_side=False),
]
