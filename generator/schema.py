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
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator, model_validator

from generator.text import Identifier, PlainText, Prose

RECORD_ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SOURCE_NAME_PATTERN = r"^[0-9]{3}_[0-9a-f]{16}\.txt$"

RecordId = Annotated[
    str,
    StringConstraints(pattern=RECORD_ID_PATTERN, max_length=80),
    AfterValidator(Identifier),
    Field(description="Lower-case words joined by hyphens, e.g. `resorce-regorafenib`; the file is named `<id>.yaml`."),
]
SourceName = Annotated[
    str,
    StringConstraints(pattern=SOURCE_NAME_PATTERN),
    AfterValidator(Identifier),
    Field(description="File name of the source document in `../shared/sources`, e.g. `000_fb36349d30200d63.txt`."),
]
# Record text. Plain text is shown exactly as written; prose (the curator's own words) may use
# Markdown, sanitised on pages. See generator/text.py for how each reaches a page safely.
# Lengths are bounded: pages are rendered by Python-Markdown, whose inline processing is quadratic in
# the number of escaped characters in one text (16,000 '*' take 1.6 s); the longest plain text in
# the review is ~200 characters.
TEXT_MAX_LENGTH = 1000
Text = Annotated[str, StringConstraints(max_length=TEXT_MAX_LENGTH), AfterValidator(PlainText)]
NonEmptyText = Annotated[str, StringConstraints(min_length=1, max_length=TEXT_MAX_LENGTH, strip_whitespace=True), AfterValidator(PlainText)]
PROSE_MAX_LENGTH = 5000  # the longest prose in the review is ~700 characters
PROSE_MAX_LINKS = 50  # Python-Markdown's link parsing is quadratic in '[': 4,000 of them take 4 s


def _check_prose(text: str) -> Prose:
    if text.count("[") > PROSE_MAX_LINKS:
        raise ValueError(f"{text.count('[')} '[' characters; prose may hold at most {PROSE_MAX_LINKS} links")
    return Prose(text)


ProseText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=PROSE_MAX_LENGTH, strip_whitespace=True),
    AfterValidator(_check_prose),
    Field(json_schema_extra={"contentMediaType": "text/markdown"}),
]


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


class Record(BaseModel):
    """Base of every schema model: unknown fields are errors, values are not coerced silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False, allow_inf_nan=False)


# --------------------------------------------------------------------------- vocabularies


class Measure(StrEnum):
    """Controlled vocabulary of what a reported value measures (the `measure` column of `outcomes.csv`)."""

    n = "n"
    orr = "orr"
    dcr = "dcr"
    cr = "cr"
    pr = "pr"
    sd = "sd"
    pd = "pd"
    median_pfs = "median_pfs"
    median_os = "median_os"
    median_ttp = "median_ttp"
    median_dor = "median_dor"
    dor_range = "dor_range"
    dor_rate = "dor_rate"
    pfs_rate = "pfs_rate"
    os_rate = "os_rate"
    mortality_rate = "mortality_rate"
    hazard_ratio = "hazard_ratio"
    risk_ratio = "risk_ratio"
    risk_reduction = "risk_reduction"
    p_value = "p_value"
    response_rate_other = "response_rate_other"
    median_follow_up = "median_follow_up"
    median_treatment_duration = "median_treatment_duration"
    age = "age"
    male = "male"
    female = "female"
    characteristic = "characteristic"
    adverse_event = "adverse_event"
    event_count = "event_count"


MEASURE_DESCRIPTIONS: dict[Measure, str] = {
    Measure.n: "Number of participants in the arm or group.",
    Measure.orr: "Objective response rate (complete plus partial responses), percent.",
    Measure.dcr: "Disease control rate (responses plus stable disease), percent.",
    Measure.cr: "Complete response rate or count.",
    Measure.pr: "Partial response rate or count.",
    Measure.sd: "Stable disease rate or count.",
    Measure.pd: "Progressive disease rate or count.",
    Measure.median_pfs: "Median progression-free survival.",
    Measure.median_os: "Median overall survival.",
    Measure.median_ttp: "Median time to progression.",
    Measure.median_dor: "Median duration of response.",
    Measure.dor_range: "Range of the duration of response (`range_low`, `range_high`).",
    Measure.dor_rate: "Share of responses lasting at least `timepoint`, percent.",
    Measure.pfs_rate: "Share of patients progression-free at `timepoint`, percent.",
    Measure.os_rate: "Share of patients alive at `timepoint`, percent.",
    Measure.mortality_rate: "Share of patients who died by `timepoint`, percent.",
    Measure.hazard_ratio: "Hazard ratio for `endpoint` against `comparator`.",
    Measure.risk_ratio: "Risk ratio for `endpoint` against `comparator`.",
    Measure.risk_reduction: "Relative reduction in the risk of `endpoint` against `comparator`, percent.",
    Measure.p_value: "P value of the comparison of `endpoint` against `comparator`; `as_reported` keeps `<`.",
    Measure.response_rate_other: "A response rate the source defines its own way (e.g. an 'overall effective rate').",
    Measure.median_follow_up: "Median follow-up time.",
    Measure.median_treatment_duration: "Median duration of treatment.",
    Measure.age: "Age of the participants; `statistic` says median, mean or range.",
    Measure.male: "Number or share of male participants.",
    Measure.female: "Number or share of female participants.",
    Measure.characteristic: "A baseline characteristic named in `category` (e.g. `Child-Pugh A`, `BCLC C`, `ECOG 0`).",
    Measure.adverse_event: "Participants with the adverse event named in `category` (grade in the name).",
    Measure.event_count: "Number of events (not participants) named in `category`.",
}


class Statistic(StrEnum):
    median = "median"
    mean = "mean"
    range = "range"
    iqr = "iqr"


class Setting(StrEnum):
    """Where in the treatment sequence a study or arm sits; drives the comparison tables."""

    first_line = "first_line"
    after_sorafenib = "after_sorafenib"
    after_lenvatinib = "after_lenvatinib"
    after_lenvatinib_pd1 = "after_lenvatinib_pd1"
    after_first_line_other = "after_first_line_other"
    mixed = "mixed"
    not_stated = "not_stated"
    not_applicable = "not_applicable"


SETTING_LABELS: dict[Setting, str] = {
    Setting.first_line: "First line",
    Setting.after_sorafenib: "After sorafenib",
    Setting.after_lenvatinib: "After lenvatinib",
    Setting.after_lenvatinib_pd1: "After lenvatinib plus a PD-1 inhibitor",
    Setting.after_first_line_other: "After another first-line therapy",
    Setting.mixed: "Mixed lines",
    Setting.not_stated: "Line of therapy not stated",
    Setting.not_applicable: "Not applicable",
}


class StudyType(StrEnum):
    randomised_trial = "randomised_trial"
    single_arm_trial = "single_arm_trial"
    non_randomised_trial = "non_randomised_trial"
    observational = "observational"
    review = "review"
    preclinical = "preclinical"
    planned_trial = "planned_trial"
    registered_trial = "registered_trial"
    not_stated = "not_stated"


STUDY_TYPE_LABELS: dict[StudyType, str] = {
    StudyType.randomised_trial: "Randomised trial",
    StudyType.single_arm_trial: "Single-arm trial",
    StudyType.non_randomised_trial: "Non-randomised trial",
    StudyType.observational: "Observational study",
    StudyType.review: "Review",
    StudyType.preclinical: "Preclinical study",
    StudyType.planned_trial: "Planned trial",
    StudyType.registered_trial: "Registered trial",
    StudyType.not_stated: "Clinical study, design not stated",
}


class TrialStatus(StrEnum):
    planned = "planned"
    not_yet_recruiting = "not_yet_recruiting"
    recruiting = "recruiting"
    active = "active"
    completed = "completed"
    terminated = "terminated"
    published = "published"


class DrugClass(StrEnum):
    multikinase_inhibitor = "multikinase_inhibitor"
    anti_pd1 = "anti_pd1"
    anti_pdl1 = "anti_pdl1"
    anti_ctla4 = "anti_ctla4"
    anti_vegf = "anti_vegf"
    anti_vegfr2 = "anti_vegfr2"
    bispecific_antibody = "bispecific_antibody"
    immunomodulatory_drug = "immunomodulatory_drug"
    immune_checkpoint_inhibitor = "immune_checkpoint_inhibitor"
    tyrosine_kinase_inhibitor = "tyrosine_kinase_inhibitor"
    chemotherapy = "chemotherapy"
    hsp90_inhibitor = "hsp90_inhibitor"
    locoregional_procedure = "locoregional_procedure"
    radiotherapy = "radiotherapy"
    surgery = "surgery"
    placebo = "placebo"
    no_treatment = "no_treatment"
    other = "other"


DRUG_CLASS_LABELS: dict[DrugClass, str] = {
    DrugClass.multikinase_inhibitor: "Multikinase inhibitor",
    DrugClass.anti_pd1: "Anti-PD-1 antibody",
    DrugClass.anti_pdl1: "Anti-PD-L1 antibody",
    DrugClass.anti_ctla4: "Anti-CTLA-4 antibody",
    DrugClass.anti_vegf: "Anti-VEGF antibody",
    DrugClass.anti_vegfr2: "Anti-VEGFR2 antibody",
    DrugClass.bispecific_antibody: "Bispecific antibody",
    DrugClass.immunomodulatory_drug: "Immunomodulatory drug",
    DrugClass.immune_checkpoint_inhibitor: "Immune checkpoint inhibitor (class unspecified)",
    DrugClass.tyrosine_kinase_inhibitor: "Tyrosine kinase inhibitor (class unspecified)",
    DrugClass.chemotherapy: "Chemotherapy",
    DrugClass.hsp90_inhibitor: "HSP90 inhibitor",
    DrugClass.locoregional_procedure: "Locoregional procedure",
    DrugClass.radiotherapy: "Radiotherapy",
    DrugClass.surgery: "Surgery",
    DrugClass.placebo: "Placebo",
    DrugClass.no_treatment: "No treatment",
    DrugClass.other: "Other",
}


class Route(StrEnum):
    oral = "oral"
    intravenous = "intravenous"
    intra_arterial = "intra_arterial"
    external_beam = "external_beam"
    surgical = "surgical"


class Response(StrEnum):
    """Best response of a treatment line, as the case report words it."""

    cr = "CR"
    pr = "PR"
    sd = "SD"
    pd = "PD"
    not_evaluated = "NE"


# What a value of each measure can be (ranges checked on load; anything else is a typo).
COUNT_MEASURES = frozenset({Measure.n, Measure.event_count})
POSITIVE_MEASURES = frozenset({Measure.hazard_ratio, Measure.risk_ratio})
NON_NEGATIVE_MEASURES = frozenset({
    Measure.orr, Measure.dcr, Measure.cr, Measure.pr, Measure.sd, Measure.pd, Measure.median_pfs, Measure.median_os,
    Measure.median_ttp, Measure.median_dor, Measure.dor_range, Measure.dor_rate, Measure.pfs_rate, Measure.os_rate,
    Measure.mortality_rate, Measure.p_value, Measure.response_rate_other, Measure.median_follow_up,
    Measure.median_treatment_duration, Measure.age, Measure.male, Measure.female, Measure.adverse_event,
})


class NoteKind(StrEnum):
    contradiction = "contradiction"
    arithmetic = "arithmetic"
    ambiguity = "ambiguity"
    typo = "typo"
    missing = "missing"
    attribution = "attribution"


# --------------------------------------------------------------------------- shared parts


class SourceRef(Record):
    """A source document a record draws on, and what that document contributes."""

    document: SourceName
    role: NonEmptyText = Field(description="What this document says about the record, e.g. 'full case report' or 'background summary'.")


class Evidence(Record):
    """Where a statement stands: the source document and a short verbatim fragment of it."""

    source: SourceName
    quote: Annotated[str, StringConstraints(min_length=3, max_length=300), AfterValidator(PlainText)] = Field(
        description="A short verbatim fragment of the source (at most ~200 characters) that contains the value."
    )


class ReportedValue(Evidence):
    """One number as a source reports it, kept beside its parsed form.

    `as_reported` is the text exactly as the source gives it (`"7.63 months"`, `"<1%"`,
    `"6/40 (15%)"`); `value` is the number as stated, empty where the source gives only a
    qualifier such as `<1%`.
    """

    measure: Measure
    as_reported: NonEmptyText = Field(description="The value's text exactly as the source gives it.")
    value: float | None = Field(default=None, description="The number as stated (percent for rates); empty if only a qualifier is given.")
    unit: Text | None = Field(default=None, description="Unit of `value`: `%`, `months`, `days`, `years`, `patients`, `ng/ml` …")
    numerator: int | None = Field(default=None, ge=0, description="Count, where the source states it.")
    denominator: int | None = Field(default=None, ge=1, description="Denominator, where the source states it.")
    category: Text | None = Field(default=None, description="What a characteristic or adverse event is, e.g. `Child-Pugh B`, `grade 4 neutropenia`.")
    statistic: Statistic | None = Field(default=None, description="For ages and similar: median, mean, range or IQR.")
    endpoint: Measure | None = Field(default=None, description="For hazard ratios and p values: the endpoint compared (`median_os`, `orr` …).")
    comparator: RecordId | None = Field(default=None, description="For comparisons: the id of the other arm in this study.")
    timepoint: Text | None = Field(default=None, description="For rates at a time point: the time point as stated, e.g. `6 months`.")
    subgroup: Text | None = Field(default=None, description="The subgroup the value belongs to, when not the whole arm.")
    ci_low: float | None = Field(default=None, description="Lower bound of the confidence interval the source reports.")
    ci_high: float | None = Field(default=None, description="Upper bound of the confidence interval the source reports.")
    ci_level: float | None = Field(default=None, gt=0, lt=100, description="Level of that interval in percent, e.g. 95.")
    range_low: float | None = Field(default=None, description="Lower end of a reported range.")
    range_high: float | None = Field(default=None, description="Upper end of a reported range.")

    # Checks that involve two fields sit on the later one, so that the error points at its line.
    @field_validator("value")
    @classmethod
    def _check_value_range(cls, value: float | None, info: ValidationInfo) -> float | None:
        measure = info.data.get("measure")
        if value is None or measure is None:
            return value
        if measure in COUNT_MEASURES and (value < 0 or value != int(value)):
            raise ValueError(f"a count ({measure.value}) must be a whole number of at least 0, got {value:g}")
        if measure in POSITIVE_MEASURES and value <= 0:
            raise ValueError(f"a {measure.value.replace('_', ' ')} must be greater than 0, got {value:g}")
        if measure in NON_NEGATIVE_MEASURES and value < 0:
            raise ValueError(f"a {measure.value.replace('_', ' ')} cannot be negative, got {value:g}")
        if measure is Measure.p_value and value > 1:
            raise ValueError(f"a p value lies between 0 and 1, got {value:g}")
        return value

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
        if self.comparator is not None and self.endpoint is None and self.measure in {Measure.hazard_ratio, Measure.p_value}:
            raise ValueError("a comparison needs the `endpoint` it compares")
        return self


class CurationNote(Record):
    """A problem in a source document: kept as reported, explained here, shown on the page."""

    kind: NoteKind
    text: ProseText = Field(description="The problem in the curator's own words.")
    field: Text | None = Field(default=None, description="The field or value the note is about, e.g. `arms[0].outcomes`.")
    source: SourceName | None = None
    quote: Text | None = Field(default=None, description="The passage the note is about (short, verbatim).")


class Citation(Record):
    """Bibliographic details as the sources state them; nothing added from elsewhere."""

    authors: Text | None = None
    title: Text | None = None
    journal: Text | None = None
    year: int | None = Field(default=None, ge=1900, le=2100)
    volume: Text | None = None
    pages: Text | None = None
    doi: Annotated[str, StringConstraints(pattern=r"^10\.[0-9]{4,9}/\S+$"), AfterValidator(PlainText)] | None = None
    source: SourceName | None = Field(default=None, description="The document that states this citation (e.g. a reference list).")


# --------------------------------------------------------------------------- regimens


class Drug(Record):
    name: NonEmptyText
    drug_class: DrugClass
    route: Route | None = Field(default=None, description="Only where a source states it.")


class RegimenRecord(Record):
    """A treatment: one drug, a combination, a procedure, placebo or no treatment."""

    id: RecordId
    name: NonEmptyText
    drugs: list[Drug] = Field(min_length=1)
    mechanism: list[Evidence] = Field(default_factory=list, description="What the sources say of how it works; each with its quote.")
    summary: ProseText | None = Field(default=None, description="Short description in the curator's own words.")
    notes: list[CurationNote] = Field(default_factory=list)


# --------------------------------------------------------------------------- studies


class Design(Record):
    phase: Text | None = Field(default=None, description="As stated: `I`, `Ib`, `II`, `III`, `I/II`.")
    randomised: bool | None = None
    allocation_ratio: Text | None = Field(default=None, description="As stated, e.g. `2:1`.")
    blinding: Literal["open-label", "single-blind", "double-blind"] | None = None
    controlled: Text | None = Field(default=None, description="Control as stated, e.g. `placebo-controlled`.")
    centres: Literal["single-centre", "multicentre"] | None = None
    direction: Literal["prospective", "retrospective"] | None = None
    description: ProseText | None = Field(default=None, description="Anything else about the design, in the curator's words.")


class Arm(Record):
    id: RecordId = Field(description="Unique within the study, e.g. `regorafenib` or `placebo`.")
    label: NonEmptyText
    regimen: RecordId = Field(description="Id of the regimen record this arm received.")
    setting: Setting | None = Field(default=None, description="Overrides the study's setting for this arm.")
    dose: Text | None = Field(default=None, description="Dose and schedule as stated.")
    outcomes: list[ReportedValue] = Field(default_factory=list, description="Every value reported for this arm, `n` included.")


class StudyRecord(Record):
    """A published study, a review, a planned trial or a registered trial."""

    id: RecordId
    title: NonEmptyText = Field(description="Descriptive title; the official title where the source gives one.")
    short_name: NonEmptyText = Field(description="How tables name it: trial acronym or first author and year.")
    study_type: StudyType
    acronym: Text | None = None
    registry_ids: list[Annotated[str, StringConstraints(pattern=r"^NCT[0-9]{8}$"), AfterValidator(Identifier)]] = Field(default_factory=list)
    status: TrialStatus | None = None
    citation: Citation | None = None
    sources: list[SourceRef] = Field(min_length=1)
    setting: Setting
    prior_therapy: Text | None = Field(default=None, description="What patients had before, as stated.")
    design: Design = Field(default_factory=Design)
    population: ProseText | None = Field(default=None, description="Who was studied, in the curator's words.")
    population_values: list[ReportedValue] = Field(default_factory=list, description="Reported baseline figures for the whole study.")
    enrolment: ReportedValue | None = None
    arms: list[Arm] = Field(default_factory=list)
    safety: ProseText | None = Field(default=None, description="Safety findings in the curator's words.")
    summary: ProseText = Field(description="What the study did and found, in the curator's words.")
    conclusion: ProseText | None = Field(default=None, description="The authors' conclusion, in the curator's words.")
    notes: list[CurationNote] = Field(default_factory=list)

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
    age: ReportedValue | None = None
    sex: Literal["male", "female"] | None = None
    aetiology: list[Text] = Field(default_factory=list, description="As stated, e.g. `hepatitis B virus`.")
    staging: dict[Text, Text] = Field(default_factory=dict, description="System → stage as stated, e.g. `BCLC: B`.")
    liver_function: dict[Text, Text] = Field(default_factory=dict, description="Measure → value as stated, e.g. `Child-Pugh score: '5'`.")
    performance_status: Text | None = None
    presentation: ProseText | None = Field(default=None, description="How the disease presented, in the curator's words.")
    evidence: list[Evidence] = Field(default_factory=list, description="Quotes backing the patient description.")


EventKind = Literal["diagnosis", "surgery", "radiotherapy", "tace", "haic", "systemic", "imaging", "other"]


class TreatmentLine(Record):
    """One dated step of a case's treatment sequence."""

    kind: EventKind
    label: NonEmptyText
    regimen: RecordId | None = Field(default=None, description="Regimen id; required for systemic lines and procedures.")
    line_of_therapy: int | None = Field(default=None, ge=1, description="Systemic line number, where it can be told.")
    dose: Text | None = Field(default=None, description="Dose and schedule as stated.")
    start: PartialDate | None = None
    end: PartialDate | None = None
    start_as_reported: Text | None = Field(default=None, description="The start as worded, when it is relative ('1 month after surgery').")
    best_response: Response | None = None
    response_as_reported: Text | None = None
    stop_reason: Text | None = Field(default=None, description="Why the line stopped, as stated.")
    evidence: list[Evidence] = Field(min_length=1)

    @field_validator("end")
    @classmethod
    def _check_end(cls, end: str | None, info: ValidationInfo) -> str | None:
        start = info.data.get("start")
        if start and end and date_before(end, start):
            raise ValueError(f"ends ({end}) before it starts ({start})")
        return end

    @model_validator(mode="after")
    def _check_regimen(self) -> TreatmentLine:
        if self.kind in {"systemic", "tace", "haic", "radiotherapy", "surgery"} and self.regimen is None:
            raise ValueError(f"a {self.kind} line needs the `regimen` it used")
        return self


class MarkerReading(Evidence):
    """A tumour-marker or other laboratory reading at a date; qualitative where the report gives no number."""

    marker: NonEmptyText = Field(description="e.g. `AFP`, `VEGF`, `PIVKA-II`, `CA19-9`, `HBV DNA`.")
    date: PartialDate | None = None
    date_as_reported: Text | None = Field(default=None, description="The date as worded, when it is relative or vague.")
    as_reported: NonEmptyText = Field(description="The reading's text exactly as the source gives it.")
    value: float | None = Field(default=None, description="The number as stated; empty for a qualitative reading.")
    unit: Text | None = None
    reference_range: Text | None = Field(default=None, description="As stated, e.g. `0-7 ng/ml`.")


class CaseAdverseEvent(Evidence):
    """An adverse event in a case, as the report names it."""

    event: NonEmptyText = Field(description="The event as named, e.g. `decrease in the platelet count`.")
    grade: Text | None = Field(default=None, description="Grade as stated, e.g. `2` for 'second-degree'.")
    attributed_to: RecordId | None = Field(default=None, description="Regimen id the report attributes it to, if it does.")


class FollowUp(Record):
    last_follow_up: PartialDate | None = None
    status: NonEmptyText
    evidence: list[Evidence] = Field(min_length=1)


class CaseRecord(Record):
    """A single-patient case report."""

    id: RecordId
    title: NonEmptyText
    short_name: NonEmptyText
    citation: Citation | None = None
    sources: list[SourceRef] = Field(min_length=1)
    setting: Setting
    institution: Text | None = None
    patient: Patient
    timeline: list[TreatmentLine] = Field(min_length=1)
    markers: list[MarkerReading] = Field(default_factory=list)
    adverse_events: list[CaseAdverseEvent] = Field(default_factory=list)
    follow_up: FollowUp | None = None
    summary: ProseText
    conclusion: ProseText | None = None
    notes: list[CurationNote] = Field(default_factory=list)

    @field_validator("follow_up")
    @classmethod
    def _check_follow_up(cls, follow_up: FollowUp | None, info: ValidationInfo) -> FollowUp | None:
        last = follow_up.last_follow_up if follow_up else None
        starts = [line.start for line in info.data.get("timeline", []) if line.start]
        if last and starts and date_before(last, min(starts)):
            raise ValueError(f"last follow-up ({last}) is before the first dated step of the timeline ({min(starts)})")
        return follow_up


# --------------------------------------------------------------------------- glossary


class GlossaryTerm(Record):
    """An abbreviation readers meet on the site; pages show its expansion as a tooltip."""

    # No character Markdown or HTML acts on: the term is matched in page text as written.
    term: Annotated[str, StringConstraints(min_length=1, max_length=30, pattern=r"^[^\s\\`*_\[\]{}|#<>&\"]([^\\`*_\[\]{}|#<>&\"]*[^\s\\`*_\[\]{}|#<>&\"])?$")] = Field(
        description="The abbreviation exactly as written in the text, e.g. `ORR` or `PD-1` (case-sensitive)."
    )
    expansion: NonEmptyText = Field(description="What it stands for, e.g. `objective response rate`; shown as the tooltip.")
    definition: ProseText | None = Field(default=None, description="A sentence or two for the glossary page, in the curator's words.")


class Glossary(Record):
    """The review's one glossary file, `seeds/glossary.yaml`."""

    terms: list[GlossaryTerm] = Field(default_factory=list)
    not_abbreviations: list[str] = Field(
        default_factory=list,
        description="Upper-case words that are names, not abbreviations (e.g. trial names such as `RESORCE`); the glossary check skips them.",
    )

    @model_validator(mode="after")
    def _check_unique(self) -> Glossary:
        seen: set[str] = set()
        for entry in self.terms:
            if entry.term in seen:
                raise ValueError(f"the term {entry.term!r} is defined twice")
            seen.add(entry.term)
        return self

    def expansions(self) -> dict[str, str]:
        return {entry.term: entry.expansion for entry in self.terms}


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
    authors: list[CffAuthor] = Field(min_length=1)
    version: Text | None = None
    doi: Text | None = None
    url: Text | None = None
    license: Text | None = None
    date_released: Text | None = Field(default=None, alias="date-released")


RECORD_KINDS: dict[str, type[StudyRecord] | type[RegimenRecord] | type[CaseRecord]] = {
    "studies": StudyRecord,
    "regimens": RegimenRecord,
    "cases": CaseRecord,
}
