"""The review file, ``seeds/review.yaml``: everything that is the review's and not the tool's.

A review of second-line cancer therapy and a review of vaccine trials differ in what groups their studies (a
line of therapy, an allocation method), what they measure (response rates and survival medians; cases among the
vaccinated), how studies rank as evidence, and which comparison pages they want. The records say what each
source states; this file says what the words of the records mean for this review: every vocabulary a record
draws from, every measure's kind (from which range rules, display and the statistics computed here follow), the
comparison pages and their columns, the figures, and the page texts. The generator holds no word of any review.

Validated like the records (positions for errors); its JSON Schema and the curator's guide come from the models
below. Ids a record uses are checked against it in the link stage (``generator/records/vocabulary.py``).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, model_validator

from generator.records.schema import ProseText, check_characters
from generator.records.text import PlainText

REVIEW_FILE = "review.yaml"  # directly in seeds/, beside glossary.yaml and sources.yaml

TermId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]+(?:[_-][A-Za-z0-9]+)*$", max_length=60)]
Label = Annotated[str, StringConstraints(min_length=1, max_length=120), AfterValidator(check_characters), AfterValidator(PlainText)]
Sentence = ProseText  # the review file's sentences are curator prose (Markdown), sanitised on pages like the records'


# --------------------------------------------------------------------------- examples
# Every field carries an example, shown in the JSON Schema for editors and on the curator's guide page. Like the records'
# (generator/records/schema.py), they describe a fictional review: an invented drug (exampletinib) after first-line treatment, and
# for a computed effect a vaccine trial's cases of tuberculosis. Each validates for its field; the first examples of a
# model's fields make a valid whole (tests/test_curator_guide.py).

_EXAMPLE_SETTINGS = [{"id": "first_line", "label": "First line"},
                     {"id": "second_line", "label": "After first-line treatment", "description": "Treatment after first-line treatment failed."}]
_EXAMPLE_DESIGNS = [{"id": "randomised_trial", "label": "Randomised trial", "rank": 1, "phased": True, "poolable": True},
                    {"id": "observational", "label": "Observational study", "rank": 5}]
_EXAMPLE_MEASURES = [{"id": "n", "label": "n", "kind": "count", "participants": True},
                     {"id": "orr", "label": "ORR", "kind": "proportion", "definition": ["response_criteria", "assessed_by"]},
                     {"id": "median_os", "label": "Median OS", "endpoint_label": "OS", "kind": "time", "definition": ["time_origin"]}]
_EXAMPLE_CLASSES = [{"id": "tyrosine_kinase_inhibitor", "label": "Tyrosine kinase inhibitor"}, {"id": "placebo", "label": "Placebo", "control": True}]
_EXAMPLE_REGISTRY = {"id": "clinicaltrials_gov", "label": "ClinicalTrials.gov", "pattern": "NCT[0-9]{8}", "link": "https://clinicaltrials.gov/study/{id}"}
_EXAMPLE_STEPS = [{"id": "surgery", "label": "Surgery", "needs_regimen": True},
                  {"id": "systemic", "label": "Systemic treatment", "needs_regimen": True, "treatment_line": True}]
_EXAMPLE_RESPONSES = [{"id": "PR", "label": "partial response"}, {"id": "SD", "label": "stable disease"}]
_EXAMPLE_SUM_CHECK = {"check": "orr-vs-cr-pr", "total": "orr", "parts": [["cr", "pr"]]}
_EXAMPLE_PARTITION_CHECK = {"check": "sex-vs-n", "parts": ["male", "female"], "words": ["men", "women"]}
_EXAMPLE_FALLBACK = {"measure": "pr", "unless": ["cr"], "mark": "partial responses only",
                     "explanation": "The source states partial responses only: they are shown as stated, never as a derived response rate."}
_EXAMPLE_COLUMNS = [{"id": "n", "label": "n", "measures": ["n"]},
                    {"id": "response", "label": "ORR", "measures": ["orr"], "accepts": {"response_criteria": ["recist_1_1", None]},
                     "otherwise": "mark", "interval": True},
                    {"id": "median_os", "label": "Median OS", "measures": ["median_os"], "accepts": {"time_origins": ["randomisation", None]},
                     "otherwise": "mark"}]
_EXAMPLE_COMPARISON = {"slug": "after-first-line", "title": "After first-line treatment",
                       "scope_text": "Every study arm treated after first-line treatment, and every planned or registered trial in that setting.",
                       "arms": {"settings": ["second_line"]}, "settings_column": False, "columns": ["n", "response", "median_os"],
                       "figures": [{"kind": "times", "columns": ["median_os"]}, {"kind": "proportions", "columns": ["response"], "name": "orr"}]}
_EXAMPLE_EFFECT = {"measure": "risk_ratio", "events": "tb_cases", "total": "n", "label": "tuberculosis"}
_EXAMPLE_POOLING = {"model": "reml", "designs": ["randomised_trial"],
                    "why": "Every trial compares the same vaccine with placebo, in the same population, for the same event: cases of tuberculosis."}


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Term(_Spec):
    """One entry of a vocabulary: the id records write, the words pages show."""

    # a setting's examples (a setting is a plain term); every other vocabulary's entries give their own
    id: TermId = Field(description="What records write.", examples=["second_line"])
    label: Label = Field(description="What pages show.", examples=["After first-line treatment"])
    description: Sentence | None = Field(default=None, description="A sentence for the curator's guide and the data page.",
                                         examples=["Treatment after the first-line treatment failed or was not tolerated."])


def _unique(ids: list[str], what: str) -> None:
    repeated = sorted({term for term in ids if ids.count(term) > 1})
    if repeated:
        raise ValueError(f"the {what} {repeated[0]!r} is declared twice")


# --------------------------------------------------------------------------- measures


class MeasureKind(StrEnum):
    """What a measure's values are: decides their range rule, how they are shown and what is computed from them."""

    count = "count"  # type: ignore[assignment]  # (shadows str.count on purpose) a whole number of participants or events, at least 0
    proportion = "proportion"  # a share (percent, or a count of a denominator), at least 0; with numerator and denominator an exact interval is computed
    time = "time"  # a duration with a unit (days, weeks, months, years), at least 0; sorted by its length
    quantity = "quantity"  # any other amount that cannot be negative (an age, a latitude)
    ratio = "ratio"  # a ratio (hazard, risk, odds), greater than 0
    log_ratio = "log_ratio"  # the logarithm of a ratio: any sign
    difference = "difference"  # a difference of two values: any sign
    mean = "mean"  # a mean: any sign
    p_value = "p_value"  # between 0 and 1
    other = "other"  # no rule: a characteristic or a result no other measure fits, named in `category`


DefinitionPart = Literal["time_origin", "response_criteria", "assessed_by"]


class MeasureTerm(Term):
    """One measure of the review: what a reported value's `measure` (or a comparison's `endpoint`) names."""

    id: TermId = Field(description="What records write.", examples=["orr"])
    label: Label = Field(description="What pages show.", examples=["Objective response rate"])
    description: Sentence | None = Field(default=None, description="A sentence for the curator's guide and the data page.",
                                         examples=["Complete and partial responses, as a share of the arm's participants."])
    kind: MeasureKind = Field(description="What the values are; decides the range rule, the display and what is computed here.", examples=["proportion"])
    short: Label | None = Field(default=None, description="A short name for table headers and figures (e.g. `ORR`); the label otherwise.", examples=["ORR"])
    endpoint_label: Label | None = Field(default=None, description="How a comparison of this measure names it (e.g. `OS` for the median OS).", examples=["OS"])
    definition: list[DefinitionPart] = Field(default_factory=list, description=(
        "Which parts of a value's definition its values may state: `time_origin` (a time-to-event measure), `response_criteria` and "
        "`assessed_by` (a response measure). Values of different definitions are never set side by side unmarked."),
        examples=[["response_criteria", "assessed_by"], ["time_origin"]])
    comparison: bool = Field(default=False, description=(
        "A comparison of two arms (hazard ratio, p value …): its values name an `endpoint` and a `comparator`, and take the endpoint's definition."), examples=[True])
    needs_endpoint: bool = Field(default=False, description="A comparison that must name its endpoint.", examples=[True])
    participants: bool = Field(default=False, description="This measure counts the participants of an arm or study (arm sizes, denominators).", examples=[True])
    baseline: bool = Field(default=False, description="A baseline figure of who was studied (age, sex …), never an outcome.", examples=[True])
    events: bool = Field(default=False, description="Counts events, not participants (one participant can have several): never checked against a group's size.",
                         examples=[True])


class SumCheck(_Spec):
    """A measure whose value is the sum of others' (a response rate and its complete and partial responses)."""

    check: TermId = Field(description="The check's name, shown beside the values it flags and on the notes page.", examples=["orr-vs-cr-pr"])
    total: TermId = Field(description="The measure that is the sum.", examples=["orr"])
    parts: list[list[TermId]] = Field(min_length=1, description=(
        "What it adds up to: one list of measures, or several alternatives, the first whose first measure the arm states being "
        "used (else the last). Counts must add up exactly; percents within the rounding each figure carries; a total with "
        "some parts missing must be at least those given."), examples=[[["cr", "pr"]], [["orr", "sd"], ["cr", "pr", "sd"]]])


class PartitionCheck(_Spec):
    """Measures that together make up a whole group (men and women): their counts add up to its size, their percents to 100."""

    check: TermId = Field(description="The check's name, shown beside the values it flags and on the notes page.", examples=["sex-vs-n"])
    parts: list[TermId] = Field(min_length=2, max_length=2, description="The two measures that make up the group, e.g. `male` and `female`.",
                                examples=[["male", "female"]])
    words: list[Label] = Field(min_length=2, max_length=2, description="How a flag names each part's members, e.g. `men`, `women`.", examples=[["men", "women"]])


class Checks(_Spec):
    """Consistency checks of figures against one another (flags shown beside the values, never a change of value)."""

    sums: list[SumCheck] = Field(default_factory=list, description=(
        "Measures whose value must be the sum of others', e.g. a response rate and its complete and partial responses."), examples=[[_EXAMPLE_SUM_CHECK]])
    partitions: list[PartitionCheck] = Field(default_factory=list, description=(
        "Pairs of measures that split a group in two, e.g. men and women: their counts must add up to the group's size."),
        examples=[[_EXAMPLE_PARTITION_CHECK]])
    participant_units: list[Label] = Field(default_factory=lambda: ["participants"], description=(
        "Units in which a value counts participants (`patients`, `participants` …): such values are checked against group sizes."),
        examples=[["patients", "participants"]])


# --------------------------------------------------------------------------- other vocabularies


class DesignTerm(Term):
    """A study design (a record's `study_type`) and where it ranks as evidence."""

    id: TermId = Field(description="What records write.", examples=["randomised_trial"])
    label: Label = Field(description="What pages show.", examples=["Randomised trial"])
    description: Sentence | None = Field(default=None, description="A sentence for the curator's guide and the data page.",
                                         examples=["Participants allocated to the arms at random."])
    rank: int = Field(ge=1, le=20, description="Rank in the review's evidence hierarchy: 1 is strongest; case reports rank 7.", examples=[1])
    results: bool = Field(default=True, description="Studies of this design report results (false: planned or registered trials, reviews).", examples=[False])
    planned: bool = Field(default=False, description="A trial not yet reported: listed in the comparisons' planned-trials section.", examples=[True])
    phased: bool = Field(default=False, description="A trial whose phase is part of its label and ranks it (phase III before II).", examples=[True])
    shows_phase: bool | None = Field(default=None, description="Whether the label gives a stated phase; by default, as `phased`.", examples=[True])
    poolable: bool = Field(default=False, description="Its results may ever enter a pooled estimate (never case reports, plans or reviews).", examples=[True])

    @property
    def phase_in_label(self) -> bool:
        return self.phased if self.shows_phase is None else self.shows_phase


class InterventionClass(Term):
    """A class of drugs, procedures or comparators."""

    id: TermId = Field(description="What records write.", examples=["placebo"])
    label: Label = Field(description="What pages show.", examples=["Placebo"])
    description: Sentence | None = Field(default=None, description="A sentence for the curator's guide and the data page.",
                                         examples=["An inactive comparator given like the treatment."])
    control: bool = Field(default=False, description=(
        "A control (placebo, no treatment): in a two-arm study that states no comparison, the arm of this class is the comparator."), examples=[True])


class StepTerm(Term):
    """A kind of dated step of a case's timeline."""

    id: TermId = Field(description="What records write.", examples=["systemic"])
    label: Label = Field(description="What pages show.", examples=["Systemic treatment"])
    description: Sentence | None = Field(default=None, description="A sentence for the curator's guide and the data page.",
                                         examples=["A line of drug treatment, by mouth or into a vein."])
    needs_regimen: bool = Field(default=False, description="A step of this kind names the regimen it used.", examples=[True])
    treatment_line: bool = Field(default=False, description=(
        "A line of drug treatment (numbered, drawn as a bar in a lane of its own, summarised on the case comparison); other steps are "
        "drawn as marks in a lane per kind, in the order declared."), examples=[True])


class RouteTerm(Term):
    """A route of administration (a drug's `route`)."""

    id: TermId = Field(description="What records write.", examples=["oral"])
    label: Label = Field(description="What pages show.", examples=["oral"])
    description: Sentence | None = Field(default=None, description="A sentence for the curator's guide and the data page.",
                                         examples=["Taken by mouth."])


class TimeOriginTerm(Term):
    """From when a time-to-event value is counted (a value's `time_origin`)."""

    id: TermId = Field(description="What records write.", examples=["randomisation"])
    label: Label = Field(description="What pages show.", examples=["from randomisation"])
    description: Sentence | None = Field(default=None, description="A sentence for the curator's guide and the data page.",
                                         examples=["Counted from the day of randomisation."])


class CriterionTerm(Term):
    """Criteria a response is judged by (a value's `response_criteria`)."""

    id: TermId = Field(description="What records write.", examples=["recist_1_1"])
    label: Label = Field(description="What pages show.", examples=["RECIST 1.1"])
    description: Sentence | None = Field(default=None, description="A sentence for the curator's guide and the data page.",
                                         examples=["Response Evaluation Criteria in Solid Tumours, version 1.1."])


class AssessorTerm(Term):
    """Who judged a response (a value's `assessed_by`)."""

    id: TermId = Field(description="What records write.", examples=["investigator"])
    label: Label = Field(description="What pages show.", examples=["investigator-assessed"])
    description: Sentence | None = Field(default=None, description="A sentence for the curator's guide and the data page.",
                                         examples=["Judged by the trial's own investigators."])


class ResponseTerm(Term):
    """A best response a case's timeline step may give (a step's `best_response`)."""

    id: TermId = Field(description="What records write.", examples=["PR"])
    label: Label = Field(description="What pages show.", examples=["partial response"])
    description: Sentence | None = Field(default=None, description="A sentence for the curator's guide and the data page.",
                                         examples=["An improvement short of a complete response."])


class Registry(_Spec):
    """A trial registry: how its ids look and where they link."""

    id: TermId = Field(description="A short name for the registry, unique in this file (a study's ids are matched by `pattern`, not by this).",
                       examples=["clinicaltrials_gov"])
    label: Label = Field(description="The registry's name, as the guide and error messages give it.", examples=["ClinicalTrials.gov"])
    pattern: Annotated[str, StringConstraints(min_length=2, max_length=200)] = Field(description="A regular expression every id of it matches, whole.",
                                                                                     examples=["NCT[0-9]{8}"])
    link: Annotated[str, StringConstraints(pattern=r"^https://[^\s{}]*\{id\}[^\s{}]*$")] | None = Field(
        default=None, description="The address of an id's record, with `{id}` where the id goes.", examples=["https://clinicaltrials.gov/study/{id}"])

    @model_validator(mode="after")
    def _check_pattern(self) -> Registry:
        try:
            re.compile(self.pattern)
        except re.error as error:
            raise ValueError(f"the pattern {self.pattern!r} is not a regular expression: {error}") from None
        return self

    def matches(self, registry_id: str) -> bool:
        return re.fullmatch(self.pattern, registry_id) is not None

    def url(self, registry_id: str) -> str | None:
        return self.link.replace("{id}", registry_id) if self.link else None


class Grouping(_Spec):
    """What groups the review's studies, arms and cases (their `setting`): a line of therapy, an allocation method …"""

    label: Label = Field(description="The dimension's name, as a column header (e.g. `Line of therapy`).", examples=["Line of therapy"])
    values: list[Term] = Field(min_length=1, description="Its values, in the order pages list them.", examples=[_EXAMPLE_SETTINGS])

    @model_validator(mode="after")
    def _check(self) -> Grouping:
        _unique([value.id for value in self.values], "setting")
        return self


class CaseVocabulary(_Spec):
    """What a case report's timeline says."""

    steps: list[StepTerm] = Field(default_factory=list, description="Kinds of timeline steps (surgery, a systemic line …).", examples=[_EXAMPLE_STEPS])
    responses: list[ResponseTerm] = Field(default_factory=list, description="Best responses a step may give.", examples=[_EXAMPLE_RESPONSES])
    response_words: dict[TermId, Label] = Field(default_factory=dict, description="How a figure spells each response out.",
                                                examples=[{"PR": "partial response", "SD": "stable disease"}])
    focus: Label | None = Field(default=None, description="The drug the case comparison puts in focus (its line, dose and partners).", examples=["exampletinib"])


# --------------------------------------------------------------------------- comparisons


class Accepts(_Spec):
    """The definitions a comparison column holds; a value outside them is marked, never silently set beside the rest.

    An empty list accepts every value of that part. ``null`` stands for "not stated by the source": a column may
    accept it or not.
    """

    time_origins: list[TermId | None] = Field(default_factory=list, description="Time origins the column holds.", examples=[["randomisation", "treatment_start", None]])
    response_criteria: list[TermId | None] = Field(default_factory=list, description="Response criteria the column holds.", examples=[["recist_1_1", None]])
    source_named: bool = Field(default=False, description="Only values the source names as the measure; a curator's reading is marked.", examples=[True])


class Fallback(_Spec):
    """A value a column shows, marked, when an arm states none of the column's measures (never a derived value)."""

    measure: TermId = Field(description="The measure shown instead, with the mark (e.g. partial responses where no response rate is stated).",
                            examples=["pr"])
    unless: list[TermId] = Field(default_factory=list, description="Not when the arm states one of these.", examples=[["cr"]])
    mark: Label = Field(description="The mark shown beside the value, e.g. `partial responses only`.", examples=["partial responses only"])
    explanation: Sentence = Field(description="The sentence the page's legend gives for the mark.", examples=[_EXAMPLE_FALLBACK["explanation"]])


class ColumnSpec(_Spec):
    """One outcome column of the comparison tables."""

    id: TermId = Field(description="How comparisons name the column.", examples=["response"])
    label: Label = Field(description="The column's header.", examples=["ORR"])
    measures: list[TermId] = Field(min_length=1, description="The arm's headline value of the first of these measures it states.", examples=[["orr"]])
    fallback: Fallback | None = Field(default=None, description="What an arm stating none of `measures` may show instead, marked.", examples=[_EXAMPLE_FALLBACK])
    accepts: Accepts = Field(default_factory=Accepts, description="The definitions the column holds.", examples=[{"response_criteria": ["recist_1_1", None]}])
    otherwise: Literal["mark", "fail"] = Field(default="fail", description=(
        "What happens to a value outside `accepts`: shown with a mark explained on the page (and not drawn in the figures), "
        "or the build fails, naming the value."), examples=["mark"])
    interval: bool = Field(default=False, description=(
        "For a column of proportions: a column beside it with the exact (Clopper–Pearson) 95% interval, computed here from the "
        "stated count and denominator."), examples=[True])
    _times: bool = PrivateAttr(default=False)

    @property
    def times(self) -> bool:
        """Values are times (every measure of the column is of kind `time`): sorted by their length, shown as stated."""
        return self._times


class Scope(_Spec):
    """Which records a comparison takes: those in any of ``settings``, or (with ``drug``) whose regimen contains it."""

    settings: list[TermId] = Field(default_factory=list, description="Records in any of these settings (ids of the review's `settings`).",
                                   examples=[["second_line"]])
    drug: Label | None = Field(default=None, description="A drug name, matched without regard to case in the regimen's drugs.", examples=["exampletinib"])
    every: bool = Field(default=False, description="Every record, whatever its setting.", examples=[False, True])

    @model_validator(mode="after")
    def _check_scope(self) -> Scope:
        if self.every == bool(self.settings or self.drug):
            raise ValueError("a scope is `every`, or `settings` and/or a `drug`")
        return self


EffectMeasure = Literal["risk_ratio", "odds_ratio", "risk_difference"]


class EffectSpec(_Spec):
    """The comparison's effect, one per comparison: computed here from its 2×2 counts (events and totals of treatment and
    control, `measure`), or the ratio or difference each source reports with its 95% CI (`reported`)."""

    measure: EffectMeasure | None = Field(default=None, description=(
        "From counts: `risk_ratio`, `odds_ratio` or `risk_difference`, computed here with its 95% interval (Wald). "
        "Leave out with `reported`."), examples=["risk_ratio", "odds_ratio"])
    events: TermId | None = Field(default=None, description="With `measure`: the measure counting participants with the event in an arm.",
                                  examples=["tb_cases"])
    total: TermId | None = Field(default=None, description="With `measure`: the measure counting an arm's participants (the denominator).",
                                 examples=["n"])
    non_events: TermId | None = Field(default=None, description="Instead of `total`: the measure counting participants without the event.",
                                      examples=[None, "no_tb"])
    reported: TermId | None = Field(default=None, description=(
        "Instead of counts: the measure of a ratio (kind `ratio`, e.g. a hazard ratio) or a difference (kind `difference`) "
        "each source reports with its 95% CI, recorded on a comparison's first arm with the second as its `comparator`. "
        "Shown as reported; a ratio is pooled on the log scale, its standard error taken from the interval."), examples=[None, "hazard_ratio"])
    endpoint: TermId | None = Field(default=None, description=(
        "With `reported`: only values of this `endpoint` (e.g. the survival measure whose hazard ratio is meant)."),
        examples=[None, "overall_survival"])
    label: Label = Field(description="The event, for headers and the figure's axis (e.g. `tuberculosis`).", examples=["tuberculosis"])

    @model_validator(mode="after")
    def _check(self) -> EffectSpec:
        if (self.measure is None) == (self.reported is None):
            raise ValueError("give `measure` (an effect computed from counts) or `reported` (an effect each source reports), exactly one")
        if self.measure is not None:
            if self.events is None:
                raise ValueError("an effect computed from counts needs `events`")
            if (self.total is None) == (self.non_events is None):
                raise ValueError("give `total` or `non_events`, exactly one")
            if self.endpoint is not None:
                raise ValueError("`endpoint` chooses among reported values: it goes with `reported`")
        elif any(field is not None for field in (self.events, self.total, self.non_events)):
            raise ValueError("a `reported` effect is read as each source states it: leave out `events`, `total` and `non_events`")
        return self

    @property
    def from_counts(self) -> bool:
        return self.measure is not None


PoolingModel = Literal["common", "dl", "reml", "pm"]
ProportionTransform = Literal["logit", "raw"]  # a single proportion's pooling scale: metafor's escalc "PLO" and "PR"


class PoolingSpec(_Spec):
    """A pooled estimate of the comparison's `effect` across its studies, computed here: declared only where pooling is
    valid (the studies compare the same treatment with the same control, in the same population, for the same event)."""

    model: PoolingModel = Field(default="reml", description=(
        "`common` (common effect, inverse variance), or random effects with τ² by `reml` (restricted maximum likelihood), "
        "`dl` (DerSimonian–Laird) or `pm` (Paule–Mandel)."), examples=["reml", "common"])
    designs: list[TermId] = Field(default_factory=list, description=(
        "The study designs whose comparisons are pooled, each one the review marks `poolable`; by default every poolable design."),
        examples=[["randomised_trial"]])
    why: Sentence = Field(description="Why pooling is valid here, in the curators' words (shown with the pooled estimate).",
                          examples=[_EXAMPLE_POOLING["why"]])
    proportion: TermId | None = Field(default=None, description=(
        "Instead of the comparison's `effect`: a measure of kind `proportion` whose count and denominator each arm of the "
        "page states, pooled as a single proportion per arm (the arms the page lists one row each)."), examples=[None, "response_rate"])
    transform: ProportionTransform = Field(default="logit", description=(
        "With `proportion`: the scale it is pooled on, `logit` (metafor's PLO, the usual choice; back-transformed for "
        "display) or `raw` (PR: the proportions themselves, whose prediction interval may pass 0% or 100%)."), examples=["logit", "raw"])


FigureKind = Literal["proportions", "times", "forest"]


class FigureSpec(_Spec):
    """A figure of a comparison page."""

    kind: FigureKind = Field(description=("`proportions`: a proportion column with its exact intervals; `times`: time columns side by side "
                                          "(medians by their unit); `forest`: the computed effect per comparison, on a log scale for a ratio."), examples=["times"])
    columns: list[TermId] = Field(default_factory=list, description="The columns drawn (`proportions`: one; `times`: one or more).",
                                  examples=[["median_pfs", "median_os"]])
    name: TermId | None = Field(default=None, description="The figure's file name (without `.svg`); by default its kind and columns.", examples=["survival"])

    @property
    def file_stem(self) -> str:
        return self.name or "-".join([self.kind, *self.columns])


class ComparisonSpec(_Spec):
    """One comparison page (``compare/<slug>.md``)."""

    slug: TermId = Field(description=(
        "The page's file name (`compare/<slug>.md`), unique among the comparisons; keep it once the site is published, as links use it."),
        examples=[_EXAMPLE_COMPARISON["slug"]])
    title: Label = Field(description="The page's title, at its top and in the navigation.", examples=[_EXAMPLE_COMPARISON["title"]])
    scope_text: Sentence = Field(description="One sentence: what the page holds, and what it promises to hold.", examples=[_EXAMPLE_COMPARISON["scope_text"]])
    arms: Scope = Field(description="Which study arms the page's tables hold: those of some `settings`, those given a `drug`, or `every` arm.",
                        examples=[{"settings": ["second_line"]}, {"every": True}])
    cases: Scope | None = Field(default=None, description="Case reports shown beside the arms; none without it.", examples=[{"settings": ["second_line"]}])
    planned: bool = Field(default=True, description="Planned and registered trials in scope, in a section of their own.", examples=[False])
    side_by_side: bool = Field(default=True, description="Comparative studies one row per comparison, their arms side by side.", examples=[True, False])
    columns: list[TermId] = Field(min_length=1, description="Ids of the columns, in order.", examples=[["n", "response", "median_os"]])
    effect: EffectSpec | None = Field(default=None, description=(
        "The effect of each comparison (needs `side_by_side`): computed here from counts, or as each source reports it."), examples=[_EXAMPLE_EFFECT])
    figures: list[FigureSpec] = Field(default_factory=list, description="The page's figures, in order.", examples=[_EXAMPLE_COMPARISON["figures"]])
    settings_column: bool = Field(default=True, description="Show each row's setting (off when the page is about one setting).", examples=[False])
    all_arms: bool = Field(default=False, description="The page of every arm, one row each (the figures page draws its figures).", examples=[True])
    pooling: PoolingSpec | None = Field(default=None, description="A pooled estimate of the `effect` across the page's studies (needs `effect`).",
                                        examples=[_EXAMPLE_POOLING])
    not_pooled: Sentence | None = Field(default=None, description=(
        "Where the page pools nothing: why, in the curators' words (the page says it beside its tables); not with `pooling`."),
        examples=["The trials compare different treatments with different controls: one pooled estimate would mix effects that are not the same."])

    @model_validator(mode="after")
    def _check(self) -> ComparisonSpec:
        if self.effect is not None and not self.side_by_side:
            raise ValueError("an `effect` is computed per comparison: it needs `side_by_side`")
        if self.pooling is not None and self.pooling.proportion is None and self.effect is None:
            raise ValueError("`pooling` pools the comparison's computed `effect`, which it does not declare (or give `pooling.proportion`)")
        if self.pooling is not None and self.not_pooled is not None:
            raise ValueError("give `pooling` or `not_pooled`, not both")
        return self


class EvidenceMap(_Spec):
    """The evidence map: intervention classes (rows) by setting (columns), counting studies and cases."""

    title: Label = Field(default="Evidence map", description=(
        "The map's title on the figures page; what its rows and columns are follows it (`Evidence map: drug class by line of therapy`)."),
        examples=["Evidence map"])
    rows_label: Label = Field(default="Intervention class", description="The header of its rows, the intervention classes.", examples=["Drug class"])


class Texts(_Spec):
    """Words of the pages that are the review's."""

    home_intro: Sentence | None = Field(default=None, description="A paragraph under the home page's title (Markdown).",
                                        examples=["A fictional review of exampletinib after first-line treatment, from its published trials and case reports."])
    cases_intro: Sentence | None = Field(default=None, description="The introduction of the case reports' page.",
                                         examples=["Every case report of the review, with its timeline."])
    comparisons_intro: Sentence | None = Field(default=None, description="The introduction of the comparisons' index.",
                                               examples=["The comparison pages set the arms of the studies side by side, with the case reports of the same setting."])
    studies_intro: Sentence | None = Field(default=None, description="The introduction of the studies' index.",
                                           examples=["Every study of the review, strongest evidence first."])
    evidence_order: Sentence | None = Field(default=None, description=(
        "How the comparison tables order their rows, in the review's words (Markdown); by default a sentence listing the designs by rank."),
        examples=["Rows are in order of evidence: randomised trials (phase III first), single-arm trials, then observational studies; then by name."])
    figures_summary: Sentence = Field(default="The figures of every arm, and a map of where the evidence is.", description=(
        "What the figures page holds, in a sentence (the home page and the comparisons' index say it)."),
        examples=["Median OS, and ORR with its interval, per arm; the evidence map."])
    intervention: Label = Field(default="Regimen", description="What the review calls a treatment arm's intervention (a regimen, a vaccine …).", examples=["Vaccine"])


class ReviewFile(_Spec):
    """What is the review's and not the tool's: the vocabularies the records draw from, what each measure is, the comparison
    pages with their columns and figures, the consistency checks and the words of the pages."""

    settings: Grouping = Field(description="What groups the studies, arms and cases: the `setting` of every record.",
                               examples=[{"label": "Line of therapy", "values": _EXAMPLE_SETTINGS}])
    designs: list[DesignTerm] = Field(min_length=1, description="Study designs (a study's `study_type`) and their evidence ranking.", examples=[_EXAMPLE_DESIGNS])
    measures: list[MeasureTerm] = Field(min_length=1, description="Everything a reported value may measure.", examples=[_EXAMPLE_MEASURES])
    intervention_classes: list[InterventionClass] = Field(min_length=1, description="Classes of drugs, procedures and comparators (a drug's `drug_class`).",
                                                          examples=[_EXAMPLE_CLASSES])
    routes: list[RouteTerm] = Field(default_factory=list, description="Routes of administration (a drug's `route`).",
                               examples=[[{"id": "oral", "label": "oral"}, {"id": "intravenous", "label": "intravenous"}]])
    registries: list[Registry] = Field(default_factory=list, description="Trial registries whose ids studies give (`registry_ids`).", examples=[[_EXAMPLE_REGISTRY]])
    time_origins: list[TimeOriginTerm] = Field(default_factory=list, description="From when time-to-event values are counted (a value's `time_origin`).",
                                     examples=[[{"id": "randomisation", "label": "from randomisation", "description": "Counted from randomisation."}]])
    response_criteria: list[CriterionTerm] = Field(default_factory=list, description="Criteria response is judged by (a value's `response_criteria`).",
                                          examples=[[{"id": "recist_1_1", "label": "RECIST 1.1"}]])
    assessors: list[AssessorTerm] = Field(default_factory=list, description="Who judged a response (a value's `assessed_by`).",
                                  examples=[[{"id": "investigator", "label": "investigator-assessed"}, {"id": "independent_review", "label": "by independent review"}]])
    case_reports: CaseVocabulary | None = Field(default=None, description="Whether the review has case reports, and their vocabulary; none without it.",
                                                examples=[{"steps": _EXAMPLE_STEPS, "responses": _EXAMPLE_RESPONSES, "focus": "exampletinib"}])
    columns: list[ColumnSpec] = Field(default_factory=list, description="The outcome columns comparisons choose from.", examples=[_EXAMPLE_COLUMNS])
    comparisons: list[ComparisonSpec] = Field(default_factory=list, description="The comparison pages, in order.", examples=[[_EXAMPLE_COMPARISON]])
    checks: Checks = Field(default_factory=Checks, description="Consistency checks of the figures a study states.", examples=[{"participant_units": ["patients"]}])
    evidence_map: EvidenceMap | None = Field(default_factory=EvidenceMap, description="The evidence map of the figures page; `null` for none.",
                                             examples=[{"title": "Evidence map", "rows_label": "Drug class"}, None])
    texts: Texts = Field(default_factory=Texts, description=(
        "The review's own words on its pages: introductions, how rows are ordered, what an intervention is called; each may be left out."),
        examples=[{"home_intro": "A fictional review of exampletinib after first-line treatment.", "intervention": "Regimen"}])
    extensions: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_]*$")]] = Field(
        default_factory=list, description=(
            "What this file cannot say, added by the review's own Python: `module:function` of a module in the review's folder, "
            "called with the extension point of generator/review/extensions.py (extra checks, template filters and globals, extra files)."),
        examples=[["review_ext:register"]])
    _lookup: dict[str, dict[str, Term]] = PrivateAttr(default_factory=dict)
    _outcome_columns: frozenset[str] = PrivateAttr(default=frozenset())

    @model_validator(mode="after")
    def _check_references(self) -> ReviewFile:
        for terms, what in ((self.designs, "design"), (self.measures, "measure"), (self.intervention_classes, "intervention class"),
                            (self.routes, "route"), (self.registries, "registry"), (self.time_origins, "time origin"),
                            (self.response_criteria, "response criterion"), (self.assessors, "assessor"), (self.columns, "column")):
            _unique([term.id for term in terms], what)
        _unique([comparison.slug for comparison in self.comparisons], "comparison")
        measures = {m.id for m in self.measures}
        settings = {s.id for s in self.settings.values}
        columns = {c.id: c for c in self.columns}

        def known(ids: list[str], vocabulary: set[str], what: str, where: str) -> None:
            unknown = [i for i in ids if i not in vocabulary]
            if unknown:
                raise ValueError(f"{where}: unknown {what} {unknown[0]!r}; expected one of {', '.join(sorted(vocabulary)) or 'none declared'}")

        for sum_check in self.checks.sums:
            known([sum_check.total, *(m for option in sum_check.parts for m in option)], measures, "measure", f"check {sum_check.check!r}")
        for partition in self.checks.partitions:
            known(partition.parts, measures, "measure", f"check {partition.check!r}")
        origins, criteria = {o.id for o in self.time_origins}, {c.id for c in self.response_criteria}
        for column in self.columns:
            known(column.measures, measures, "measure", f"column {column.id!r}")
            column._times = all(self.measure(m).kind is MeasureKind.time for m in column.measures)
            if column.interval and any(self.measure(m).kind is not MeasureKind.proportion for m in column.measures):
                raise ValueError(f"column {column.id!r}: an `interval` is computed for proportions only")
            if column.fallback:
                known([column.fallback.measure, *column.fallback.unless], measures, "measure", f"column {column.id!r}, fallback")
            known([o for o in column.accepts.time_origins if o], origins, "time origin", f"column {column.id!r}")
            known([c for c in column.accepts.response_criteria if c], criteria, "response criterion", f"column {column.id!r}")
        for comparison in self.comparisons:
            where = f"comparison {comparison.slug!r}"
            known(comparison.columns, set(columns), "column", where)
            for scope in (comparison.arms, comparison.cases):
                if scope is not None:
                    known(scope.settings, settings, "setting", where)
            if comparison.cases is not None and self.case_reports is None:
                raise ValueError(f"{where}: shows `cases`, but the review declares no `case_reports`")
            if comparison.effect:
                effect = comparison.effect
                known([m for m in (effect.events, effect.total, effect.non_events, effect.reported, effect.endpoint) if m], measures, "measure",
                      f"{where}, effect")
                if effect.reported is not None and self.measure(effect.reported).kind not in (MeasureKind.ratio, MeasureKind.difference):
                    raise ValueError(f"{where}, effect: `reported` names a measure of kind `ratio` or `difference`; {effect.reported!r} is "
                                     f"of kind `{self.measure(effect.reported).kind}`")
            if comparison.pooling is not None and comparison.pooling.proportion is not None:
                proportion = comparison.pooling.proportion
                known([proportion], measures, "measure", f"{where}, pooling")
                if self.measure(proportion).kind is not MeasureKind.proportion:
                    raise ValueError(f"{where}, pooling: `proportion` names a measure of kind `proportion`; {proportion!r} is of kind "
                                     f"`{self.measure(proportion).kind}`")
            if comparison.pooling is not None:
                designs = {d.id: d for d in self.designs}
                known(comparison.pooling.designs, set(designs), "design", f"{where}, pooling")
                refused = [d for d in comparison.pooling.designs if not designs[d].poolable or not designs[d].results or designs[d].planned]
                if refused:
                    raise ValueError(f"{where}, pooling: the design {refused[0]!r} is not `poolable` in this review")
                if not comparison.pooling.designs and not any(d.poolable for d in self.designs):
                    raise ValueError(f"{where}, pooling: no design of this review is `poolable`")
            for figure in comparison.figures:
                known(figure.columns, set(comparison.columns), "column of this comparison", f"{where}, figure {figure.kind}")
                if figure.kind == "forest" and comparison.effect is None and (comparison.pooling is None or comparison.pooling.proportion is None):
                    raise ValueError(f"{where}: a `forest` figure draws the computed `effect` (or a `pooling.proportion`), which the comparison "
                                     "does not declare")
                if figure.kind == "proportions" and (len(figure.columns) != 1 or any(
                        self.measure(m).kind is not MeasureKind.proportion for m in columns[figure.columns[0]].measures)):
                    raise ValueError(f"{where}: a `proportions` figure draws one column of proportion measures")
                if figure.kind == "times" and (not figure.columns or any(
                        self.measure(m).kind is not MeasureKind.time for c in figure.columns for m in columns[c].measures)):
                    raise ValueError(f"{where}: a `times` figure draws columns of time measures")
        self._outcome_columns = frozenset(c.id for c in self.columns if not all(self.measure(m).participants for m in c.measures))
        if sum(c.all_arms for c in self.comparisons) > 1:
            raise ValueError("only one comparison can be the page of `all_arms`")
        return self

    # ----------------------------------------------------------------------- lookups

    @property
    def measures_by_id(self) -> dict[str, MeasureTerm]:
        return self._by_id("measures")  # type: ignore[return-value]

    def measure(self, measure_id: str) -> MeasureTerm:
        return self._by_id("measures")[measure_id]  # type: ignore[return-value]

    def design(self, design_id: str) -> DesignTerm:
        return self._by_id("designs")[design_id]  # type: ignore[return-value]

    def column(self, column_id: str) -> ColumnSpec:
        return next(c for c in self.columns if c.id == column_id)

    def _by_id(self, name: str) -> dict[str, Term]:
        if name not in self._lookup:
            self._lookup[name] = {term.id: term for term in getattr(self, name)}
        return self._lookup[name]

    def label(self, vocabulary: str, term_id: str) -> str:
        """The words for ``term_id`` of a vocabulary (``settings``, ``designs``, ``measures`` …); the id itself if unknown."""
        if vocabulary == "settings":
            terms = {t.id: t for t in self.settings.values}
        elif vocabulary == "responses":
            terms = {t.id: t for t in (self.case_reports.responses if self.case_reports else [])}
        elif vocabulary == "steps":
            terms = {t.id: t for t in (self.case_reports.steps if self.case_reports else [])}
        else:
            terms = self._by_id(vocabulary)
        term = terms.get(term_id)
        return term.label if term is not None else term_id

    def labels(self, vocabulary: str) -> dict[str, str]:
        """Every id of a vocabulary with its words, in the declared order."""
        if vocabulary == "settings":
            return {t.id: t.label for t in self.settings.values}
        return {t.id: t.label for t in self._by_id(vocabulary).values()}

    def measure_short(self, measure_id: str) -> str:
        measure = self.measure(measure_id)
        return measure.short or measure.label

    @property
    def outcome_columns(self) -> frozenset[str]:
        """Columns whose values say how an arm fared: every column but those counting its participants."""
        return self._outcome_columns

    @property
    def has_cases(self) -> bool:
        return self.case_reports is not None

    @property
    def all_arms_page(self) -> ComparisonSpec | None:
        return next((c for c in self.comparisons if c.all_arms), None)

