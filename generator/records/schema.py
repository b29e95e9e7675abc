"""The record schema: the one place where the three kinds of seed record are defined.

Validation (``load``), the JSON Schema for editors (``litreview schema``) and the
record-format reference page all come from these models. Every field carries its
description here, where it is declared.

Conventions kept throughout:
- A field the source documents do not state stays empty (``None`` or ``[]``); it is
  never filled from memory.
- Every number a reader sees is a :class:`ReportedValue`: the text as reported, the
  parsed number, and the source document plus a short verbatim quote containing it.
- Unknown fields are errors (``extra="forbid"``) so that a typo never vanishes.
"""

from __future__ import annotations

import datetime as _dt
import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator, model_validator

from generator.records.text import Identifier, PlainText, Prose

RECORD_ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SOURCE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*\.(?:txt|md)$"  # a plain file name: no folder, no hidden file

# Ids that name a kind's own pages: a record called `index` would replace the list of its kind.
RESERVED_IDS = frozenset({"index"})


def _check_record_id(text: str) -> Identifier:
    if text in RESERVED_IDS:
        raise ValueError(f"`{text}` is reserved (it names the list page of each kind of record); choose another id")
    return Identifier(text)


RecordId = Annotated[
    str,
    StringConstraints(pattern=RECORD_ID_PATTERN, max_length=80),
    AfterValidator(_check_record_id),
    Field(description="Lower-case words joined by hyphens, e.g. `resorce-regorafenib`; the file is named `<id>.yaml`."),
]
SourceName = Annotated[
    str,
    StringConstraints(pattern=SOURCE_NAME_PATTERN),
    AfterValidator(Identifier),
    Field(description="File name of the source document in `../shared/sources`, e.g. `000_fb36349d30200d63.txt`."),
]
# Record text. Plain text is shown exactly as written; prose (the curator's own words) may use
# Markdown, sanitised on pages. See generator/records/text.py for how each reaches a page safely.
# Lengths are bounded: pages are rendered by Python-Markdown, whose inline processing is quadratic in
# the number of escaped characters in one text (16,000 '*' take 1.6 s); the longest plain text in
# the review is ~200 characters.
TEXT_MAX_LENGTH = 1000
# Characters no text of a record may hold: control characters other than tab and newline (C0, DEL, C1: terminals act on
# them, YAML front matter cannot hold them, SVG and XML refuse them), Unicode non-characters and lone surrogates.
_FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]"
                                   "|[\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U000efffe\U000effff"
                                   "\U000ffffe\U000fffff\U0010fffe\U0010ffff]")


def check_characters(text: str) -> str:
    """``text``, if it holds no character a page, a figure, a terminal or front matter cannot show as written."""
    found = _FORBIDDEN_CHARACTERS.search(text)
    if found:
        raise ValueError(f"holds the control or non-character U+{ord(found.group()):04X} at position {found.start() + 1}; remove it")
    return text


Text = Annotated[str, StringConstraints(max_length=TEXT_MAX_LENGTH), AfterValidator(check_characters), AfterValidator(PlainText)]
NonEmptyText = Annotated[str, StringConstraints(min_length=1, max_length=TEXT_MAX_LENGTH, strip_whitespace=True), AfterValidator(check_characters),
                         AfterValidator(PlainText)]
PROSE_MAX_LENGTH = 5000  # the longest prose in the review is ~700 characters
PROSE_MAX_LINKS = 50  # Python-Markdown's link parsing is quadratic in '[': 4,000 of them take 4 s


def _check_prose(text: str) -> Prose:
    check_characters(text)
    if text.count("[") > PROSE_MAX_LINKS:
        raise ValueError(f"{text.count('[')} '[' characters; prose may hold at most {PROSE_MAX_LINKS} links")
    return Prose(text)


ProseText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=PROSE_MAX_LENGTH, strip_whitespace=True),
    AfterValidator(_check_prose),
    Field(json_schema_extra={"contentMediaType": "text/markdown"}),
]


# Numbers as sources state them. A float (an integer is read as one), finite (the model refuses inf and nan) and below
# 10^15 in size: no source states a larger one, and beyond it neither a figure's axis nor an exact decimal is sure.
NUMBER_LIMIT = 1e15


def _check_number(number: float) -> float:
    number = float(number)
    if abs(number) >= NUMBER_LIMIT:
        raise ValueError(f"{number:g} is larger than any number a source states here (at most {NUMBER_LIMIT:g}); check the value")
    return number


Number = Annotated[float, AfterValidator(_check_number)]


YEAR_RANGE = (1900, 2100)


def date_before(first: str, second: str) -> bool:
    """Whether partial date ``first`` is surely before ``second``, compared at the precision both have."""
    precision = min(len(first), len(second))
    return first[:precision] < second[:precision]


def _check_partial_date(text: str) -> str:
    """Accept YYYY, YYYY-MM or YYYY-MM-DD, and only real calendar dates."""
    parts = text.split("-")
    year, month, day = int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise ValueError(f"year {parts[0]} is out of range; expected a year from {YEAR_RANGE[0]} to {YEAR_RANGE[1]}")
    try:
        _dt.date(year, month, day)
    except ValueError as error:
        raise ValueError(f"not a calendar date: {error}") from None
    return text


PartialDate = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"),
    AfterValidator(_check_partial_date),
    Field(description="A date as precise as the source states it: `2021`, `2021-06` or `2021-06-25`."),
]
ReviewDate = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
    AfterValidator(_check_partial_date),
    Field(description="A full calendar date, `YYYY-MM-DD`."),
]
# On every record kind: when a curator last checked the record against its sources.
LastReviewed = Annotated[ReviewDate | None, Field(
    examples=["2026-11-01"],
    description="The date a curator last checked this record against its sources; not the file's modification time.")]


class Record(BaseModel):
    """Base of every schema model: unknown fields are errors, values are not coerced silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False, allow_inf_nan=False)


# --------------------------------------------------------------------------- vocabularies


# Ids of the review's vocabularies (settings, designs, measures, intervention classes, routes, time origins, response
# criteria, assessors, case steps and responses): declared in the review file, `seeds/review.yaml`
# (generator/review/file.py), and checked against it in the link stage (generator/records/vocabulary.py), where an unknown id
# is reported with its line. The schema holds no word of any review.
VOCABULARY_ID_PATTERN = r"^[A-Za-z0-9]+(?:[_-][A-Za-z0-9]+)*$"
VocabularyId = Annotated[str, StringConstraints(pattern=VOCABULARY_ID_PATTERN, max_length=60)]
# One type per vocabulary: the curator's guide links each field to its vocabulary's list.
MeasureId = Annotated[VocabularyId, Field(json_schema_extra={"vocabulary": "measures"})]
TimeOriginId = Annotated[VocabularyId, Field(json_schema_extra={"vocabulary": "time-origins"})]
CriteriaId = Annotated[VocabularyId, Field(json_schema_extra={"vocabulary": "response-criteria"})]
AssessorId = Annotated[VocabularyId, Field(json_schema_extra={"vocabulary": "assessors"})]
ClassId = Annotated[VocabularyId, Field(json_schema_extra={"vocabulary": "intervention-classes"})]
RouteId = Annotated[VocabularyId, Field(json_schema_extra={"vocabulary": "routes"})]
SettingId = Annotated[VocabularyId, Field(json_schema_extra={"vocabulary": "settings"})]
DesignId = Annotated[VocabularyId, Field(json_schema_extra={"vocabulary": "designs"})]
StepKindId = Annotated[VocabularyId, Field(json_schema_extra={"vocabulary": "steps"})]
ResponseId = Annotated[VocabularyId, Field(json_schema_extra={"vocabulary": "responses"})]


class Statistic(StrEnum):
    median = "median"
    mean = "mean"
    range = "range"
    iqr = "iqr"


STATISTIC_LABELS: dict[Statistic, str] = {Statistic.median: "median", Statistic.mean: "mean", Statistic.range: "range",
                                          Statistic.iqr: "interquartile range"}


class TrialStatus(StrEnum):
    planned = "planned"
    not_yet_recruiting = "not_yet_recruiting"
    recruiting = "recruiting"
    active = "active"
    completed = "completed"
    terminated = "terminated"
    published = "published"


class GroupBasis(StrEnum):
    """What defines a group of patients: it decides whether the group may be a row of a treatment comparison."""

    treatment = "treatment"
    baseline_feature = "baseline_feature"
    outcome = "outcome"


GROUP_BASIS_LABELS: dict[GroupBasis, str] = {
    GroupBasis.treatment: "a treatment group",
    GroupBasis.baseline_feature: "a subgroup by a baseline feature",
    GroupBasis.outcome: "a group defined by outcome",
}
GROUP_BASIS_DESCRIPTIONS: dict[GroupBasis, str] = {
    GroupBasis.treatment: "Defined by the treatment assigned or given: a treatment arm.",
    GroupBasis.baseline_feature: "Defined by a feature known before treatment (e.g. sarcopenia, AFP of 400 ng/ml or more).",
    GroupBasis.outcome: ("Defined by something that happened after the time origin: a response, early tumour shrinkage, staying on "
                         "treatment for a time, surviving to a landmark. Never a row of a treatment comparison."),
}


class NoteKind(StrEnum):
    contradiction = "contradiction"
    arithmetic = "arithmetic"
    ambiguity = "ambiguity"
    typo = "typo"
    missing = "missing"
    attribution = "attribution"


# --------------------------------------------------------------------------- examples
# Every field a curator writes carries an example, shown in the JSON Schemas for editors and on the curator's guide
# page. They describe a fictional trial (EXAMPLE-1), a fictional drug (exampletinib) and a fictional patient: they
# illustrate the format and are never evidence.

_EXAMPLE_SOURCE = "999_0123456789abcdef.txt"


def _example_evidence(quote: str) -> dict[str, str]:
    return {"source": _EXAMPLE_SOURCE, "quote": quote}


_EXAMPLE_CITATION = {"authors": "Example A, Sample B, et al", "title": "EXAMPLE-1: a fictional randomised trial of exampletinib",
                     "journal": "Journal of Illustrative Examples", "year": 2021}
_EXAMPLE_SOURCES = [{"document": _EXAMPLE_SOURCE, "role": "full trial report"}]


# --------------------------------------------------------------------------- shared parts


class SourceRef(Record):
    """A source document a record draws on, and what that document contributes."""

    document: SourceName = Field(examples=[_EXAMPLE_SOURCE])
    role: NonEmptyText = Field(description="What this document says about the record, e.g. 'full case report' or 'background summary'.",
                               examples=["full trial report"])


class Evidence(Record):
    """Where a statement stands: the source document and a short verbatim fragment of it."""

    source: SourceName = Field(examples=[_EXAMPLE_SOURCE])
    quote: Annotated[str, StringConstraints(min_length=3, max_length=300), AfterValidator(check_characters), AfterValidator(PlainText)] = Field(
        description="A short verbatim fragment of the source (at most ~200 characters) that contains the value.",
        examples=["In EXAMPLE-1, 12 of 40 patients (30%) had an objective response"],
    )


class ReportedValue(Evidence):
    """One number as a source reports it, kept beside its parsed form.

    `as_reported` is the text exactly as the source gives it (`"7.63 months"`, `"<1%"`,
    `"6/40 (15%)"`); `value` is the number as stated, empty where the source gives only a
    qualifier such as `<1%`.
    """

    measure: MeasureId = Field(description="What the value measures (the review file's `measures`).", examples=["orr"])
    as_reported: NonEmptyText = Field(description="The value's text exactly as the source gives it.", examples=["12 of 40 patients (30%)"])
    value: Number | None = Field(default=None, description="The number as stated (percent for rates); empty if only a qualifier is given.",
                                examples=[30])
    unit: Text | None = Field(default=None, description="Unit of `value`: `%`, `months`, `days`, `years`, `patients`, `ng/ml` …",
                              examples=["%"])
    numerator: int | None = Field(default=None, ge=0, description="Count, where the source states it.", examples=[12])
    denominator: int | None = Field(default=None, ge=1, description="Denominator, where the source states it.", examples=[40])
    category: Text | None = Field(default=None, description="What a characteristic or adverse event is, e.g. `ECOG 0`, `grade 4 neutropenia`.",
                                  examples=["ECOG 0"])
    statistic: Statistic | None = Field(default=None, description="For ages and similar: median, mean, range or IQR.", examples=["median"])
    endpoint: MeasureId | None = Field(default=None, description="For comparisons (hazard ratios, p values …): the measure compared (`median_os`, `orr` …).",
                                     examples=["median_os"])
    comparator: RecordId | None = Field(default=None, description="For comparisons: the id of the other arm in this study.", examples=["placebo"])
    timepoint: Text | None = Field(default=None, description="For rates at a time point: the time point as stated, e.g. `6 months`.",
                                   examples=["6 months"])
    subgroup: Text | None = Field(default=None, description="The subgroup the value belongs to, when not the whole arm.",
                                  examples=["patients aged 65 or older"])
    ci_low: Number | None = Field(default=None, description="Lower bound of the confidence interval the source reports.", examples=[16.6])
    ci_high: Number | None = Field(default=None, description="Upper bound of the confidence interval the source reports.", examples=[46.5])
    ci_level: float | None = Field(default=None, gt=0, lt=100, description="Level of that interval in percent, e.g. 95.", examples=[95])
    range_low: Number | None = Field(default=None, description="Lower end of a reported range.", examples=[1.2])
    range_high: Number | None = Field(default=None, description="Upper end of a reported range.", examples=[14.8])
    subgroup_defined_by: Literal[GroupBasis.baseline_feature, GroupBasis.outcome] | None = Field(
        default=None, description=("With `subgroup`: whether the subgroup is defined by a feature known before treatment (`baseline_feature`) "
                                   "or by something that happened after the time origin, such as a response (`outcome`)."),
        examples=["baseline_feature"])
    time_origin: TimeOriginId | None = Field(
        default=None, description=("For time-to-event values (medians of PFS, OS, TTP, rates at a time point, and hazard ratios or p values "
                                   "of such endpoints): from when time is counted, where the source states it; empty where it does not."),
        examples=["randomisation"])
    response_criteria: CriteriaId | None = Field(
        default=None, description=("For response values (ORR, DCR, CR, PR … and comparisons of them): the criteria the source states "
                                   "response was judged by; empty where it does not."),
        examples=["recist_1_1"])
    assessed_by: AssessorId | None = Field(
        default=None, description="For response values: who judged the response, where the source states it; empty where it does not.",
        examples=["independent_review"])
    source_term: Text | None = Field(
        default=None, description=("The source's own name for the value, where it is not the measure's own and a curator read it as "
                                   "that measure (e.g. 'remission rate' recorded as `orr`); it must stand in the quote. Pages mark "
                                   "such values as the curators' reading."),
        examples=["remission rate"])
    inferred: ProseText | None = Field(
        default=None, description=("What in this value the curators inferred rather than read (which arm or group it belongs to, the word "
                                   "'median' …), and why; shown beside the value."),
        examples=["The sentence does not name the arm; it is the only treated group of the study."])

    # Checks that involve two fields sit on the later one, so that the error points at its line. Rules that follow from
    # what the value measures (a count is whole, a ratio positive …) need the review file: generator/records/vocabulary.py.
    @field_validator("denominator")
    @classmethod
    def _check_fraction(cls, denominator: int | None, info: ValidationInfo) -> int | None:
        numerator = info.data.get("numerator")
        if numerator is not None and denominator is not None and numerator > denominator:
            raise ValueError(f"numerator {numerator} is larger than denominator {denominator}")
        return denominator

    @field_validator("ci_high", "range_high")
    @classmethod
    def _check_bounds(cls, high: float | None, info: ValidationInfo) -> float | None:
        low_name = "ci_low" if info.field_name == "ci_high" else "range_low"
        low = info.data.get(low_name)
        if low is not None and high is not None and low > high:
            raise ValueError(f"{info.field_name} {high:g} is below {low_name} {low:g}; expected the upper bound here")
        return high

    @model_validator(mode="after")
    def _check_consistent(self) -> ReportedValue:
        if self.unit == "%" and self.value is not None and not 0 <= self.value <= 100:
            raise ValueError(f"a percentage must lie between 0 and 100, got {self.value}")
        if (self.ci_low is None) != (self.ci_high is None):
            raise ValueError("give both ci_low and ci_high, or neither")
        if (self.subgroup is None) != (self.subgroup_defined_by is None):
            raise ValueError("a `subgroup` needs `subgroup_defined_by` (`baseline_feature` or `outcome`), and only a subgroup has one")
        return self


class CurationNote(Record):
    """A problem in a source document: kept as reported, explained here, shown on the page."""

    kind: NoteKind = Field(description="What sort of problem it is (the note kinds vocabulary).", examples=["arithmetic"])
    text: ProseText = Field(description="The problem in the curator's own words.",
                            examples=["The abstract gives 32% for the response rate that the results table gives as 12 of 40 (30%); both are kept."])
    field: Text | None = Field(
        default=None,
        description=("What the note is about, as a path into this record: `arms[0].outcomes[2]`, `drugs[1].route`, `arms[].outcomes` "
                     "(every arm), `timeline (HAIC).dose` (a step named in brackets), several joined by commas. Pages say it in words "
                     "(\"Arm ‘Exampletinib’: ORR\"); a path that names nothing in the record fails the build."),
        examples=["arms[0].outcomes[0]"])
    source: SourceName | None = Field(default=None, description="The document the note is about.", examples=[_EXAMPLE_SOURCE])
    quote: Text | None = Field(default=None, description="The passage the note is about (short, verbatim).",
                               examples=["an objective response rate of 32%"])


class Citation(Record):
    """Bibliographic details as the sources state them; nothing added from elsewhere."""

    authors: Text | None = Field(default=None, description="The authors as the source lists them.", examples=["Example A, Sample B, et al"])
    title: Text | None = Field(default=None, description="The title as the source gives it.",
                               examples=["EXAMPLE-1: a fictional randomised trial of exampletinib"])
    journal: Text | None = Field(default=None, description="The journal as the source names it.", examples=["Journal of Illustrative Examples"])
    year: int | None = Field(default=None, ge=1900, le=2100, description="Year of publication.", examples=[2021])
    volume: Text | None = Field(default=None, description="Volume, as stated.", examples=["12"])
    pages: Text | None = Field(default=None, description="Pages, as stated.", examples=["100-110"])
    doi: Annotated[str, StringConstraints(pattern=r"^10\.[0-9]{4,9}/\S+$"), AfterValidator(PlainText)] | None = Field(
        default=None, description="The DOI, without `https://doi.org/`.", examples=["10.5555/example-1"])
    source: SourceName | None = Field(default=None, description="The document that states this citation (e.g. a reference list).",
                                      examples=[_EXAMPLE_SOURCE])
    inferred: ProseText | None = Field(
        default=None, description=("Why the curators tie this citation to the record, where no source does so in words (e.g. the same "
                                   "figures in a summary and in a reference list); shown beside the citation."),
        examples=["The summary gives no citation; the reference list cites a phase II study with the same figures."])


# --------------------------------------------------------------------------- regimens


class Drug(Record):
    name: NonEmptyText = Field(description="The drug, procedure or comparator as the sources name it.", examples=["exampletinib"])
    drug_class: ClassId = Field(description="What kind of drug or treatment it is (the review file's `intervention_classes`).",
                                  examples=["tyrosine_kinase_inhibitor"])
    route: RouteId | None = Field(default=None, description="Only where a source states it (the review file's `routes`).", examples=["oral"])
    inferred: ProseText | None = Field(
        default=None, description=("Where the sources do not name this drug (e.g. they say only 'an antibody against the same target'): why the curators "
                                   "name it; shown beside the name."),
        examples=["The report names only the drug's class for this line; the drug is presumed to be the one given in the line before."])


class RegimenRecord(Record):
    """A treatment: one drug, a combination, a procedure, placebo or no treatment."""

    id: RecordId = Field(examples=["exampletinib"])
    name: NonEmptyText = Field(description="How pages name the regimen.", examples=["Exampletinib"])
    drugs: list[Drug] = Field(min_length=1, description="Each drug or procedure the regimen is made of.",
                              examples=[[{"name": "exampletinib", "drug_class": "tyrosine_kinase_inhibitor", "route": "oral"}]])
    mechanism: list[Evidence] = Field(default_factory=list, description="What the sources say of how it works; each with its quote.",
                                      examples=[[_example_evidence("exampletinib, a fictional inhibitor of tumour blood-vessel growth")]])
    summary: ProseText | None = Field(default=None, description="Short description in the curator's own words.",
                                      examples=["A fictional oral kinase inhibitor, used only as an example."])
    notes: list[CurationNote] = Field(default_factory=list, description="Problems in the sources, each explained (curation notes).",
                                      examples=[[{"kind": "missing", "text": "The source does not state the dose."}]])
    last_reviewed: LastReviewed = None


# --------------------------------------------------------------------------- studies


class Design(Record):
    phase: Text | None = Field(default=None, description="As stated: `I`, `Ib`, `II`, `III`, `I/II`.", examples=["II"])
    randomised: bool | None = Field(default=None, description="Whether patients were randomised, as stated.", examples=[True])
    allocation_ratio: Text | None = Field(default=None, description="As stated, e.g. `2:1`.", examples=["2:1"])
    blinding: Literal["open-label", "single-blind", "double-blind"] | None = Field(default=None, description="Blinding, as stated.",
                                                                                   examples=["double-blind"])
    controlled: Text | None = Field(default=None, description="Control as stated, e.g. `placebo-controlled`.",
                                    examples=["placebo-controlled"])
    centres: Literal["single-centre", "multicentre"] | None = Field(default=None, description="One centre or several, as stated.",
                                                                    examples=["multicentre"])
    direction: Literal["prospective", "retrospective"] | None = Field(default=None, description="Prospective or retrospective, as stated.",
                                                                      examples=["prospective"])
    description: ProseText | None = Field(default=None, description="Anything else about the design, in the curator's words.",
                                          examples=["Patients were stratified by region."])
    inferred: ProseText | None = Field(
        default=None, description=("What of the study type or design the curators inferred rather than read, and why (e.g. 'single-arm': "
                                   "every patient described received the one drug); shown beside the design."),
        examples=["The sources describe one group, all given exampletinib, and no control group."])


class Arm(Record):
    id: RecordId = Field(description="Unique within the study, e.g. `regorafenib` or `placebo`.", examples=["exampletinib"])
    label: NonEmptyText = Field(description="How tables name the arm.", examples=["Exampletinib"])
    regimen: RecordId = Field(description="Id of the regimen record this arm received.", examples=["exampletinib"])
    setting: SettingId | None = Field(default=None, description="Overrides the study's setting for this arm.", examples=["second_line"])
    defined_by: GroupBasis = Field(
        default=GroupBasis.treatment,
        description=("What defines the group: the treatment assigned or given (`treatment`, a treatment arm), a feature known before "
                     "treatment (`baseline_feature`, e.g. patients with sarcopenia), or something that happened after the time origin "
                     "(`outcome`, e.g. responders, or patients who stayed on treatment for more than 3 months). Only treatment groups "
                     "are rows of treatment comparisons; the others are shown apart."),
        examples=["treatment"])
    dose: Text | None = Field(default=None, description="Dose and schedule as stated.", examples=["100 mg once daily"])
    outcomes: list[ReportedValue] = Field(default_factory=list, description="Every value reported for this arm, `n` included.",
                                          examples=[[{"measure": "orr", "as_reported": "12 of 40 patients (30%)", "value": 30, "unit": "%", "numerator": 12,
                                                      "denominator": 40, **_example_evidence("In EXAMPLE-1, 12 of 40 patients (30%) had an objective response")}]])


class StudyRecord(Record):
    """A published study, a review, a planned trial or a registered trial."""

    id: RecordId = Field(examples=["example-1-exampletinib"])
    title: NonEmptyText = Field(description="Descriptive title; the official title where the source gives one.",
                                examples=["EXAMPLE-1: a fictional randomised trial of exampletinib against placebo"])
    short_name: NonEmptyText = Field(description="How tables name it: trial acronym or first author and year.", examples=["EXAMPLE-1"])
    study_type: DesignId = Field(description="What kind of study it is (the review file's `designs`).", examples=["randomised_trial"])
    acronym: Text | None = Field(default=None, description="The trial's acronym, where the sources give one.", examples=["EXAMPLE-1"])
    registry_ids: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_./-]{1,59}$"), AfterValidator(Identifier)]] = Field(
        default_factory=list, description="Trial registry ids as the sources give them; each must match one of the review file's `registries`.",
        examples=[["NCT00000000"]])
    status: TrialStatus | None = Field(default=None, description="The trial's status as the sources give it.", examples=["completed"])
    citation: Citation | None = Field(default=None, description="The publication, as the sources cite it.", examples=[_EXAMPLE_CITATION])
    sources: list[SourceRef] = Field(min_length=1, description="Every source document the record draws on.", examples=[_EXAMPLE_SOURCES])
    setting: SettingId = Field(description="What group of the review the study belongs to (the review file's `settings`).", examples=["second_line"])
    prior_therapy: Text | None = Field(default=None, description="What patients had before, as stated.", examples=["first-line sampletinib"])
    design: Design = Field(default_factory=Design, description="How the study was designed, as stated.",
                           examples=[{"phase": "II", "randomised": True, "allocation_ratio": "2:1", "blinding": "double-blind"}])
    population: ProseText | None = Field(default=None, description="Who was studied, in the curator's words.",
                                         examples=["Adults with an advanced fictional disease that progressed on first-line sampletinib."])
    population_values: list[ReportedValue] = Field(default_factory=list, description="Reported baseline figures for the whole study.",
                                                   examples=[[{"measure": "age", "statistic": "median", "as_reported": "62 years", "value": 62, "unit": "years",
                                                               **_example_evidence("The median age in EXAMPLE-1 was 62 years")}]])
    enrolment: ReportedValue | None = Field(default=None, description="How many patients the study enrolled.",
                                            examples=[{"measure": "n", "as_reported": "120 patients", "value": 120, "unit": "patients",
                                                       **_example_evidence("EXAMPLE-1 enrolled 120 patients")}])
    arms: list[Arm] = Field(default_factory=list, description="The groups of the study, each with its reported values.",
                            examples=[[{"id": "exampletinib", "label": "Exampletinib", "regimen": "exampletinib", "dose": "100 mg once daily"}]])
    safety: ProseText | None = Field(default=None, description="Safety findings in the curator's words.",
                                     examples=["Fatigue was the most common adverse event."])
    summary: ProseText = Field(description="What the study did and found, in the curator's words.",
                               examples=["A fictional trial that illustrates the record format."])
    conclusion: ProseText | None = Field(default=None, description="The authors' conclusion, in the curator's words.",
                                         examples=["The authors concluded that exampletinib merits a larger trial."])
    notes: list[CurationNote] = Field(default_factory=list, description="Problems in the sources, each explained (curation notes).",
                                      examples=[[{"kind": "arithmetic", "field": "arms[0].outcomes[0]",
                                                  "text": "The abstract gives 32% for the response rate that the results table gives as 12 of 40 (30%)."}]])
    last_reviewed: LastReviewed = None

    @field_validator("arms")
    @classmethod
    def _check_arm_ids(cls, arms: list[Arm]) -> list[Arm]:
        seen: set[str] = set()
        for arm in arms:
            if arm.id in seen:
                raise ValueError(f"two arms share the id {arm.id!r}")
            seen.add(arm.id)
        return arms


# --------------------------------------------------------------------------- cases


class Patient(Record):
    age: ReportedValue | None = Field(default=None, description="The patient's age as reported.",
                                      examples=[{"measure": "age", "as_reported": "62-year-old", "value": 62, "unit": "years",
                                                 **_example_evidence("A 62-year-old man (the EXAMPLE case) presented with abdominal pain")}])
    sex: Literal["male", "female"] | None = Field(default=None, description="As stated.", examples=["male"])
    aetiology: list[Text] = Field(default_factory=list, description="As stated, e.g. `hepatitis B virus`.",
                                  examples=[["hepatitis B virus"]])
    staging: dict[Text, Text] = Field(default_factory=dict, description="System → stage as stated, e.g. `TNM: T2N0M0`.",
                                      examples=[{"TNM": "T2N0M0"}])
    liver_function: dict[Text, Text] = Field(default_factory=dict, description="Measure → value as stated, e.g. `bilirubin: '1.1 mg/dl'`.",
                                             examples=[{"bilirubin": "1.1 mg/dl"}])
    performance_status: Text | None = Field(default=None, description="As stated, e.g. an ECOG score.", examples=["ECOG 0"])
    presentation: ProseText | None = Field(default=None, description="How the disease presented, in the curator's words.",
                                           examples=["Abdominal pain and a single large liver tumour."])
    evidence: list[Evidence] = Field(default_factory=list, description="Quotes backing the patient description.",
                                     examples=[[_example_evidence("A 62-year-old man (the EXAMPLE case) presented with abdominal pain")]])


TimeUnit = Literal["days", "weeks", "months", "years"]


class RelativeDate(Record):
    """A date the report states only relative to another step of the timeline ("13 days after the October 2021 MRI")."""

    after: RecordId = Field(description=("The `id` of the step of this timeline it is counted from (its start); an `end_after` may name "
                                         "its own step, for 'for 11 months'."), examples=["mri-2021-06"])
    before: RecordId | None = Field(default=None, description=("The step it came before, where the report implies one (the next scan): the "
                                                               "date is no later than that step's start. A plain 'after' without it is open."),
                                    examples=["mri-2022-10"])
    offset: int | None = Field(default=None, ge=0, le=100_000, description="How long after it, in `unit`; empty for 'after', with no time given.",
                               examples=[13])
    unit: TimeUnit | None = Field(default=None, description="Unit of `offset`.", examples=["days"])
    at_least: bool = Field(default=False, description="`true` for 'more than' (e.g. 'controlled for more than 3 years').", examples=[False])

    @model_validator(mode="after")
    def _check_unit(self) -> RelativeDate:
        if (self.offset is None) != (self.unit is None):
            raise ValueError("give `offset` and `unit` together, or neither (for a plain 'after')")
        if self.at_least and self.offset is None:
            raise ValueError("`at_least` needs an `offset`")
        return self


class TreatmentLine(Record):
    """One dated step of a case's treatment sequence."""

    kind: StepKindId = Field(description="What kind of step it is (the review file's `case_reports.steps`).", examples=["systemic"])
    id: RecordId | None = Field(default=None, description="A name for the step, unique in the timeline, for dates counted from it (`start_after`).",
                                examples=["mri-2021-06"])
    label: NonEmptyText = Field(description="How the timeline names the step.", examples=["Exampletinib"])
    regimen: RecordId | None = Field(default=None, description="Regimen id; required for systemic lines and procedures.", examples=["exampletinib"])
    line_of_therapy: int | None = Field(default=None, ge=1, description="Systemic line number, where it can be told.", examples=[2])
    dose: Text | None = Field(default=None, description="Dose and schedule as stated.", examples=["100 mg once daily"])
    start: PartialDate | None = Field(default=None, description="When the step started, as precisely as stated.", examples=["2021-03"])
    end: PartialDate | None = Field(default=None, description="When it ended, as precisely as stated.", examples=["2021-09"])
    start_as_reported: Text | None = Field(default=None, description="The start as worded, when it is relative ('1 month after surgery').",
                                           examples=["1 month after surgery"])
    start_after: RelativeDate | None = Field(
        default=None, description=("Instead of `start`, where the report dates the step only relative to another step: the figure places it "
                                   "there, marked as placed from a relative date."),
        examples=[{"after": "surgery", "offset": 1, "unit": "months"}])
    end_after: RelativeDate | None = Field(default=None, description="Instead of `end`, where the end is stated only relative to another step.",
                                           examples=[{"after": "mri-2021-09"}])
    inferred: ProseText | None = Field(
        default=None, description="What of this step the curators inferred rather than read (a date taken from a neighbouring sentence …), and why.",
        examples=["The report does not date this step; the month is that of the scan described just before."])
    inferred_dates: list[Literal["start", "end"]] = Field(
        default_factory=list, description="Which of the step's dates the curators inferred (`inferred` says why); the page marks them.",
        examples=[["start"]])
    best_response: ResponseId | None = Field(default=None, description="Best response, as the report gives it (the review file's `case_reports.responses`).",
                                           examples=["PR"])
    response_as_reported: Text | None = Field(default=None, description="The response as worded.", examples=["partial response"])
    stop_reason: Text | None = Field(default=None, description="Why the line stopped, as stated.", examples=["disease progression"])
    evidence: list[Evidence] = Field(min_length=1, description="Quotes backing this step.",
                                     examples=[[_example_evidence("received exampletinib 100 mg once daily from March 2021")]])

    @field_validator("end")
    @classmethod
    def _check_end(cls, end: str | None, info: ValidationInfo) -> str | None:
        start = info.data.get("start")
        if start and end and date_before(end, start):
            raise ValueError(f"ends ({end}) before it starts ({start})")
        return end

    @field_validator("start_after")
    @classmethod
    def _check_start_after(cls, start_after: RelativeDate | None, info: ValidationInfo) -> RelativeDate | None:
        if start_after is not None and info.data.get("start") is not None:
            raise ValueError("give `start` or `start_after`, not both")
        return start_after

    @field_validator("end_after")
    @classmethod
    def _check_end_after(cls, end_after: RelativeDate | None, info: ValidationInfo) -> RelativeDate | None:
        if end_after is not None and info.data.get("end") is not None:
            raise ValueError("give `end` or `end_after`, not both")
        return end_after

    @model_validator(mode="after")
    def _check_regimen(self) -> TreatmentLine:
        if self.inferred_dates and self.inferred is None:
            raise ValueError("`inferred_dates` needs `inferred`, the reason")
        return self


class MarkerReading(Evidence):
    """A tumour-marker or other laboratory reading at a date; qualitative where the report gives no number."""

    marker: NonEmptyText = Field(description="e.g. `AFP`, `VEGF`, `PIVKA-II`, `CA19-9`, `HBV DNA`.", examples=["AFP"])
    date: PartialDate | None = Field(default=None, description="When the reading was taken, as precisely as stated.", examples=["2021-06"])
    date_as_reported: Text | None = Field(default=None, description="The date as worded, when it is relative or vague.",
                                          examples=["3 months after starting exampletinib"])
    as_reported: NonEmptyText = Field(description="The reading's text exactly as the source gives it.", examples=["20 ng/ml"])
    value: Number | None = Field(default=None, description="The number as stated; empty for a qualitative reading.", examples=[20])
    unit: Text | None = Field(default=None, description="Unit of `value`, as stated.", examples=["ng/ml"])
    reference_range: Text | None = Field(default=None, description="As stated, e.g. `0-7 ng/ml`.", examples=["0-7 ng/ml"])


class CaseAdverseEvent(Evidence):
    """An adverse event in a case, as the report names it."""

    event: NonEmptyText = Field(description="The event as named, e.g. `decrease in the platelet count`.",
                                examples=["decrease in the platelet count"])
    grade: Text | None = Field(default=None, description="Grade as stated, e.g. `2` for 'second-degree'.", examples=["2"])
    attributed_to: RecordId | None = Field(default=None, description="Regimen id the report attributes it to, if it does.", examples=["exampletinib"])


class FollowUp(Record):
    last_follow_up: PartialDate | None = Field(default=None, description="Date of the last follow-up, as precisely as stated.", examples=["2022-01"])
    last_follow_up_after: RelativeDate | None = Field(
        default=None, description=("Instead of `last_follow_up`, where the report states it only relative to a step (e.g. 'controlled for "
                                   "more than 3 years' after a treatment began)."),
        examples=[{"after": "exampletinib", "offset": 3, "unit": "years", "at_least": True}])
    status: NonEmptyText = Field(description="The patient's state at the last follow-up, as stated.", examples=["alive with stable disease"])
    evidence: list[Evidence] = Field(min_length=1, description="Quotes backing the status.",
                                     examples=[[_example_evidence("in January 2022 he was alive with stable disease")]])


class CaseRecord(Record):
    """A single-patient case report."""

    id: RecordId = Field(examples=["example-case-exampletinib"])
    title: NonEmptyText = Field(description="Descriptive title of the case report.",
                                examples=["A fictional patient treated with exampletinib after sampletinib"])
    short_name: NonEmptyText = Field(description="How tables name it: first author and year, or a short label.", examples=["Example case"])
    citation: Citation | None = Field(default=None, description="The publication, as the sources cite it.",
                                      examples=[{**_EXAMPLE_CITATION, "title": "Exampletinib after sampletinib: a fictional case report"}])
    sources: list[SourceRef] = Field(min_length=1, description="Every source document the record draws on.",
                                     examples=[[{"document": _EXAMPLE_SOURCE, "role": "full case report"}]])
    setting: SettingId = Field(description="What group of the review the case belongs to (the review file's `settings`).", examples=["second_line"])
    institution: Text | None = Field(default=None, description="Where the patient was treated, as stated.", examples=["Example University Hospital"])
    patient: Patient = Field(description="Who the patient was, as reported.",
                             examples=[{"sex": "male", "aetiology": ["hepatitis B virus"], "staging": {"TNM": "T2N0M0"}}])
    timeline: list[TreatmentLine] = Field(min_length=1, description="Every dated step of the case, in order.",
                                          examples=[[{"kind": "systemic", "label": "Exampletinib", "regimen": "exampletinib", "start": "2021-03",
                                                      "evidence": [_example_evidence("received exampletinib 100 mg once daily from March 2021")]}]])
    markers: list[MarkerReading] = Field(default_factory=list, description="Tumour-marker and other laboratory readings.",
                                         examples=[[{"marker": "AFP", "as_reported": "20 ng/ml", "value": 20, "unit": "ng/ml",
                                                     **_example_evidence("three months later his AFP was 20 ng/ml")}]])
    adverse_events: list[CaseAdverseEvent] = Field(default_factory=list, description="Adverse events the report names.",
                                                   examples=[[{"event": "decrease in the platelet count", "grade": "2",
                                                               **_example_evidence("a second-degree decrease in the platelet count")}]])
    follow_up: FollowUp | None = Field(default=None, description="The last follow-up the report gives.",
                                       examples=[{"last_follow_up": "2022-01", "status": "alive with stable disease",
                                                  "evidence": [_example_evidence("in January 2022 he was alive with stable disease")]}])
    summary: ProseText = Field(description="What happened to the patient, in the curator's words.",
                               examples=["A fictional patient whose disease was controlled for six months on exampletinib."])
    conclusion: ProseText | None = Field(default=None, description="The authors' conclusion, in the curator's words.",
                                         examples=["The authors suggest that exampletinib deserves study after sampletinib."])
    notes: list[CurationNote] = Field(default_factory=list, description="Problems in the sources, each explained (curation notes).",
                                      examples=[[{"kind": "ambiguity", "field": "timeline[0].start",
                                                  "text": "The report gives the month but not the day the treatment started."}]])
    last_reviewed: LastReviewed = None

    @field_validator("follow_up")
    @classmethod
    def _check_follow_up(cls, follow_up: FollowUp | None, info: ValidationInfo) -> FollowUp | None:
        last = follow_up.last_follow_up if follow_up else None
        starts = [line.start for line in info.data.get("timeline", []) if line.start]
        if last and starts and date_before(last, min(starts)):
            raise ValueError(f"last follow-up ({last}) is before the first dated step of the timeline ({min(starts)})")
        if follow_up and follow_up.last_follow_up_after:
            if last:
                raise ValueError("give `last_follow_up` or `last_follow_up_after`, not both")
            _place(info.data.get("timeline", []), follow_up)
        return follow_up

    @field_validator("timeline")
    @classmethod
    def _check_relative_dates(cls, timeline: list[TreatmentLine]) -> list[TreatmentLine]:
        ids = [line.id for line in timeline if line.id]
        repeated = sorted({step for step in ids if ids.count(step) > 1})
        if repeated:
            raise ValueError(f"two steps share the id {repeated[0]!r}")
        _place(timeline, None)
        return timeline


def _place(timeline: list[TreatmentLine], follow_up: FollowUp | None) -> None:
    """Relative dates must resolve on the calendar: every `after` and `before` names a dated step, with no circle."""
    from generator.derive.case_dates import place_dates  # placing needs these models: imported here, not at the top

    place_dates(timeline, follow_up)


# --------------------------------------------------------------------------- glossary


class GlossaryTerm(Record):
    """An abbreviation readers meet on the site; pages show its expansion as a tooltip."""

    # No character Markdown or HTML acts on: the term is matched in page text as written.
    term: Annotated[str, StringConstraints(min_length=1, max_length=30, pattern=r"^[^\s\\`*_\[\]{}|#<>&\"]([^\\`*_\[\]{}|#<>&\"]*[^\s\\`*_\[\]{}|#<>&\"])?$")] = Field(
        description="The abbreviation exactly as written in the text, e.g. `ORR` or `HbA1c` (case-sensitive).",
        examples=["ORR"],
    )
    expansion: NonEmptyText = Field(description="What it stands for, e.g. `objective response rate`; shown as the tooltip.",
                                    examples=["objective response rate"])
    definition: ProseText | None = Field(default=None, description="A sentence or two for the glossary page, in the curator's words.",
                                         examples=["The share of patients whose tumours responded completely or partially."])


# Words Python-Markdown writes into a page while converting it (its placeholders: util.INLINE_PLACEHOLDER_PREFIX,
# HTML_PLACEHOLDER, TAG_PLACEHOLDER, the footnotes' NBSP_PLACEHOLDER and backlink marker). An abbreviation equal to one
# of them would be expanded inside the placeholder and garble every page.
MARKDOWN_PLACEHOLDER_WORDS = ("klzzwxh", "wzxhzdk", "hzzhzkh", "qq3936677670287331zz", "zz1337820767766393qq")


class Glossary(Record):
    """The review's one glossary file, `seeds/glossary.yaml`."""

    terms: list[GlossaryTerm] = Field(default_factory=list, description="Every abbreviation, with what it stands for.",
                                      examples=[[{"term": "ORR", "expansion": "objective response rate"}]])
    not_abbreviations: list[str] = Field(
        default_factory=list,
        description="Upper-case words that are names, not abbreviations (e.g. trial names such as `RESORCE`); the glossary check skips them.",
        examples=[["EXAMPLE-1"]],
    )

    @model_validator(mode="after")
    def _check_unique(self) -> Glossary:
        seen: set[str] = set()
        for entry in self.terms:
            if entry.term in seen:
                raise ValueError(f"the term {entry.term!r} is defined twice")
            # abbreviations match whole words: a placeholder's word (`wzxhzdk`, `wzxhzdk:0`), or its number (`klzzwxh:0001`)
            if any(word in entry.term.lower() for word in MARKDOWN_PLACEHOLDER_WORDS) or entry.term.isdigit():
                raise ValueError(f"the term {entry.term!r} is a word Python-Markdown writes inside pages while it converts them "
                                 "(or a bare number); it cannot be an abbreviation")
            seen.add(entry.term)
        return self

    def expansions(self) -> dict[str, str]:
        return {entry.term: entry.expansion for entry in self.terms}


# --------------------------------------------------------------------------- source documents


class SourceDocument(Record):
    """One document the review is built from, named for readers (pages otherwise show only its file name)."""

    file: SourceName = Field(description="The document's file name, as records cite it in `source:`.", examples=[_EXAMPLE_SOURCE])
    label: Annotated[str, StringConstraints(min_length=1, max_length=80), AfterValidator(check_characters), AfterValidator(PlainText)] = Field(
        description="A short name for readers: the kind of document, first author or site, and year where the document states them.",
        examples=["EXAMPLE-1 trial report (fictional), 2021"])
    description: ProseText | None = Field(default=None, description="What the document is and what the review takes from it, in the curator's words.",
                                          examples=["Full report of the fictional EXAMPLE-1 trial, with its results table."])


class SourceCatalogue(Record):
    """The review's list of its source documents, `seeds/sources.yaml` (optional: without it pages name documents by file)."""

    documents: list[SourceDocument] = Field(default_factory=list, description="Every document, with its label.",
                                            examples=[[{"file": _EXAMPLE_SOURCE, "label": "EXAMPLE-1 trial report (fictional), 2021"}]])

    @model_validator(mode="after")
    def _check_unique(self) -> SourceCatalogue:
        seen: set[str] = set()
        for document in self.documents:
            if document.file in seen:
                raise ValueError(f"the document {document.file!r} is listed twice")
            seen.add(document.file)
        labels = [document.label for document in self.documents]
        if len(set(labels)) != len(labels):
            raise ValueError("two documents have the same label: give each a label readers can tell apart")
        return self

    def label_of(self, file: str) -> str:
        return next((document.label for document in self.documents if document.file == file), file)

    def by_file(self) -> dict[str, SourceDocument]:
        return {document.file: document for document in self.documents}


# --------------------------------------------------------------------------- the review's own citation


class CffAuthor(BaseModel):
    """A CITATION.cff author: a person (family and given names) or an entity (name)."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)
    name: Text | None = None
    family_names: Text | None = Field(default=None, alias="family-names")
    given_names: Text | None = Field(default=None, alias="given-names")

    @property
    def display(self) -> str:
        if self.family_names:
            return f"{self.family_names} {self.given_names or ''}".strip()
        return self.name or ""


class ReviewCitation(BaseModel):
    """The fields of the review's `CITATION.cff` the site uses; other CFF fields are allowed and ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)
    title: NonEmptyText
    abstract: Text | None = None  # the home page's introduction: what the review covers
    authors: list[CffAuthor] = Field(min_length=1)
    version: Text | None = None
    doi: Text | None = None
    # the review's address, linked from every download: a web address and nothing else (no `javascript:`, no
    # character that ends a BibTeX field or an RIS line)
    url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s{}\\\"<>`]+$", max_length=300), AfterValidator(PlainText)] | None = None
    license: Text | None = None
    date_released: Text | None = Field(default=None, alias="date-released")


RECORD_KINDS: dict[str, type[StudyRecord] | type[RegimenRecord] | type[CaseRecord]] = {
    "studies": StudyRecord,
    "regimens": RegimenRecord,
    "cases": CaseRecord,
}
