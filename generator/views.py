"""Views the comparison pages need: evidence levels, arm rows and case summaries.

Pure functions of the linked corpus. Nothing here reads or writes files, and nothing
computes a clinical number: rows carry the records' own reported values (and, through
``statistics``, intervals labelled as computed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from generator.derive import headline
from generator.evidence import normalise_space
from generator.link import Corpus
from generator.schema import (
    DRUG_CLASS_LABELS,
    SETTING_LABELS,
    STUDY_TYPE_LABELS,
    Arm,
    CaseAdverseEvent,
    CaseRecord,
    Evidence,
    Measure,
    RegimenRecord,
    ReportedValue,
    Setting,
    StudyRecord,
    StudyType,
    TreatmentLine,
)
from generator.statistics import ProportionInterval, clopper_pearson

# Columns of every arm table, in order.
ARM_MEASURES = (Measure.n, Measure.orr, Measure.dcr, Measure.median_pfs, Measure.median_os)
# Measures whose stated count and denominator give an exact interval.
PROPORTION_MEASURES = frozenset({Measure.orr, Measure.dcr, Measure.cr, Measure.pr, Measure.sd, Measure.pd})
LENALIDOMIDE = "lenalidomide"


# --------------------------------------------------------------------------- evidence levels


@dataclass(frozen=True)
class EvidenceLevel:
    """Where a record sits in the usual hierarchy of clinical evidence; ``rank`` 1 is strongest."""

    rank: int
    label: str
    design: str  # the coarser design label the tables filter on
    pooled: bool  # False for evidence that must never be read as pooled (case reports, plans, reviews)


_DESIGN_RANK = {
    StudyType.randomised_trial: 1,
    StudyType.single_arm_trial: 3,
    StudyType.non_randomised_trial: 3,
    StudyType.observational: 5,
    StudyType.not_stated: 6,
    StudyType.review: 8,
    StudyType.registered_trial: 9,
    StudyType.planned_trial: 9,
    StudyType.preclinical: 10,
}


def _phase_rank(phase: str | None) -> int:
    """Within a design, a later phase ranks higher (III before II before I)."""
    if phase is None:
        return 1
    return 0 if "III" in phase else 1


def evidence_level(record: StudyRecord | CaseRecord) -> EvidenceLevel:
    if isinstance(record, CaseRecord):
        return EvidenceLevel(7, "Case report", "Case report", pooled=False)
    kind = record.study_type
    design = STUDY_TYPE_LABELS[kind]
    rank = _DESIGN_RANK[kind]
    phase = record.design.phase
    if kind in {StudyType.randomised_trial, StudyType.single_arm_trial, StudyType.non_randomised_trial}:
        rank += _phase_rank(phase)
        label = f"Phase {phase} {design[0].lower()}{design[1:]}" if phase else design
    elif kind in {StudyType.planned_trial, StudyType.registered_trial} and phase:
        label = f"{design} (phase {phase}; no results)"
    elif kind in {StudyType.planned_trial, StudyType.registered_trial}:
        label = f"{design} (no results)"
    else:
        label = design
    has_results = kind not in {StudyType.planned_trial, StudyType.registered_trial, StudyType.review, StudyType.preclinical}
    return EvidenceLevel(rank, label, design, pooled=has_results)


# --------------------------------------------------------------------------- arm rows


def regimen_classes(regimen: RegimenRecord) -> str:
    """The regimen's drug classes in the order its drugs are listed, e.g. 'Multikinase inhibitor + Anti-PD-1 antibody'."""
    labels: list[str] = []
    for drug in regimen.drugs:
        label = DRUG_CLASS_LABELS[drug.drug_class]
        if label not in labels:
            labels.append(label)
    return " + ".join(labels)


def has_drug(regimen: RegimenRecord, name: str) -> bool:
    return any(name in drug.name.lower() for drug in regimen.drugs)


def exact_interval(value: ReportedValue | None) -> ProportionInterval | None:
    """The exact 95% interval of a stated proportion, where the count and denominator are both stated."""
    if value is None or value.measure not in PROPORTION_MEASURES or value.numerator is None or value.denominator is None:
        return None
    return clopper_pearson(value.numerator, value.denominator)


@dataclass(frozen=True)
class ArmRow:
    study: StudyRecord
    arm: Arm
    arm_index: int
    regimen: RegimenRecord
    setting: Setting
    level: EvidenceLevel
    classes: str
    values: dict[Measure, ReportedValue | None]

    @property
    def setting_label(self) -> str:
        return SETTING_LABELS[self.setting]

    def interval(self, measure: Measure) -> ProportionInterval | None:
        return exact_interval(self.values.get(measure))


def arm_rows(corpus: Corpus, keep: Callable[[ArmRow], bool] = lambda row: True) -> list[ArmRow]:
    """Arms that report at least one headline value, strongest evidence first, then by study name."""
    rows = []
    for study in corpus.studies.values():
        level = evidence_level(study)
        for index, arm in enumerate(study.arms):
            values = {measure: headline(arm, measure) for measure in ARM_MEASURES}
            if not any(values.values()):
                continue
            regimen = corpus.regimens[arm.regimen]
            row = ArmRow(study, arm, index, regimen, arm.setting or study.setting, level, regimen_classes(regimen), values)
            if keep(row):
                rows.append(row)
    return sorted(rows, key=lambda r: (r.level.rank, r.study.short_name.lower(), r.arm_index))


def in_settings(*settings: Setting) -> Callable[[ArmRow], bool]:
    return lambda row: row.setting in settings


def studies_by_setting(corpus: Corpus) -> dict[Setting, list[StudyRecord]]:
    """Every study under its setting, in the corpus's order."""
    grouped: dict[Setting, list[StudyRecord]] = {}
    for study in corpus.studies.values():
        grouped.setdefault(study.setting, []).append(study)
    return grouped


def studies_with_drug(corpus: Corpus, name: str) -> list[StudyRecord]:
    """Every study with an arm whose regimen contains the drug, results or not (plans and registrations included)."""
    found = [s for s in corpus.studies.values() if any(has_drug(corpus.regimens[a.regimen], name) for a in s.arms)]
    return sorted(found, key=lambda s: (evidence_level(s).rank, s.short_name.lower()))


# --------------------------------------------------------------------------- cases side by side


@dataclass(frozen=True)
class CaseSummary:
    """What a reader compares across case reports, taken from the case's own fields."""

    case: CaseRecord
    level: EvidenceLevel
    prior_systemic: list[TreatmentLine]  # systemic lines before the lenalidomide line
    lenalidomide_line: TreatmentLine | None
    partners: list[str]  # the other drugs given with lenalidomide
    procedures: list[TreatmentLine]
    adverse_events: list[CaseAdverseEvent]
    final_line: TreatmentLine | None  # the last timeline entry, for "where things stood"
    response_evidence: Evidence | None  # the quote that states the lenalidomide line's response


def evidence_stating(line: TreatmentLine, text: str | None) -> Evidence:
    """The line's quote that contains ``text`` (ignoring case and spacing); its first quote otherwise."""
    if text:
        wanted = normalise_space(text).lower()
        for evidence in line.evidence:
            if wanted in normalise_space(evidence.quote).lower():
                return evidence
    return line.evidence[0]


def summarise_case(corpus: Corpus, case: CaseRecord, drug: str = LENALIDOMIDE) -> CaseSummary:
    lines = case.timeline
    index = next((i for i, line in enumerate(lines) if line.regimen and has_drug(corpus.regimens[line.regimen], drug)), None)
    focus = lines[index] if index is not None else None
    before = lines[:index] if index is not None else lines
    partners = [d.name for d in corpus.regimens[focus.regimen].drugs if drug not in d.name.lower()] if focus and focus.regimen else []
    return CaseSummary(
        case=case,
        level=evidence_level(case),
        prior_systemic=[line for line in before if line.kind == "systemic"],
        lenalidomide_line=focus,
        partners=partners,
        procedures=[line for line in lines if line.kind in {"surgery", "tace", "haic", "radiotherapy"}],
        adverse_events=list(case.adverse_events),
        final_line=lines[-1] if lines else None,
        response_evidence=evidence_stating(focus, focus.response_as_reported) if focus else None,
    )


def case_summaries(corpus: Corpus, cases: Iterable[CaseRecord] | None = None) -> list[CaseSummary]:
    chosen = corpus.cases.values() if cases is None else cases
    return [summarise_case(corpus, case) for case in sorted(chosen, key=lambda c: c.short_name.lower())]


def cases_in_settings(corpus: Corpus, *settings: Setting) -> list[CaseRecord]:
    return [case for case in corpus.cases.values() if case.setting in settings]


def cases_with_drug(corpus: Corpus, name: str) -> list[CaseRecord]:
    return [case for case in corpus.cases.values() if any(line.regimen and has_drug(corpus.regimens[line.regimen], name) for line in case.timeline)]


# --------------------------------------------------------------------------- comparison pages


@dataclass(frozen=True)
class ComparisonView:
    """One comparison page: the arms, the cases and the result-less trials it puts side by side."""

    slug: str  # page is compare/<slug>.md
    title: str
    scope: str  # one sentence: what is included, in the curator's words
    rows: list[ArmRow]
    cases: list[CaseSummary]
    without_results: list[StudyRecord]


ALL_ARMS = "outcomes"  # slug of the comparison of every arm: its rows are every arm row, in order


def all_arms(comparisons: list[ComparisonView]) -> ComparisonView:
    return next(view for view in comparisons if view.slug == ALL_ARMS)


def comparison_views(corpus: Corpus) -> list[ComparisonView]:
    """The comparison pages of the review, in reading order."""
    sorafenib = (Setting.after_sorafenib,)
    lenvatinib = (Setting.after_lenvatinib, Setting.after_lenvatinib_pd1)
    lenalidomide_studies = studies_with_drug(corpus, LENALIDOMIDE)
    # One set of rows for every view (a stable sort keeps a subset in the same order): pages render a row
    # once and reuse it wherever it appears (generator.render.Fragments).
    every_row = arm_rows(corpus)

    def rows(keep: Callable[[ArmRow], bool]) -> list[ArmRow]:
        return [row for row in every_row if keep(row)]

    return [
        ComparisonView(
            "after-sorafenib", "Second line after sorafenib",
            "Study arms treated after sorafenib failed or was not tolerated, and any case report in that setting.",
            rows(in_settings(*sorafenib)), case_summaries(corpus, cases_in_settings(corpus, *sorafenib)), [],
        ),
        ComparisonView(
            "after-lenvatinib", "After lenvatinib, or lenvatinib plus a PD-1 inhibitor",
            "Study arms and case reports in which disease progressed on lenvatinib, alone or with a PD-1 inhibitor.",
            rows(in_settings(*lenvatinib)), case_summaries(corpus, cases_in_settings(corpus, *lenvatinib)), [],
        ),
        ComparisonView(
            "lenalidomide", "All lenalidomide evidence",
            "Every study arm, case report and planned or registered trial in which lenalidomide was given, alone or combined.",
            rows(lambda row: has_drug(row.regimen, LENALIDOMIDE)),
            case_summaries(corpus, cases_with_drug(corpus, LENALIDOMIDE)),
            [s for s in lenalidomide_studies if not evidence_level(s).pooled],
        ),
        ComparisonView(
            "first-line", "First-line context",
            "First-line trials, for the benchmarks that the later lines are measured against.",
            rows(in_settings(Setting.first_line)), [], [],
        ),
        ComparisonView(
            ALL_ARMS, "All arms",
            "Every study arm with at least one headline outcome, in any setting.",
            every_row, [], [],
        ),
    ]
