"""Views the comparison pages need: evidence levels, arm rows, comparisons side by side and case summaries.

Pure functions of the linked corpus and the declared comparisons (``generator/comparisons.py``). Nothing here
reads or writes files, and nothing computes a clinical number: cells carry the records' own reported values,
with their definitions judged against their column's (``generator/derive/definitions.py``), and, through
``statistics``, intervals labelled as computed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from generator.derive.case_dates import PlacedDate, PlacedStep, place_dates
from generator.derive.definitions import Judgement, Tag, TagKind, describe_accepts, judge, tags_of
from generator.derive.effects import MEASURE_LABELS as EFFECT_LABELS
from generator.derive.effects import RATIOS, TwoByTwo, effect_from_counts, effect_from_reported
from generator.derive.effects import Effect as EffectEstimate
from generator.derive.evidence import normalise_space
from generator.derive.intervals import ProportionInterval, clopper_pearson
from generator.derive.stage import headline
from generator.errors import Problem
from generator.records.link import Corpus
from generator.records.load import format_loc
from generator.records.schema import (
    Arm,
    CaseAdverseEvent,
    CaseRecord,
    Evidence,
    GroupBasis,
    RegimenRecord,
    ReportedValue,
    StudyRecord,
    TreatmentLine,
)
from generator.review.file import ColumnSpec, ComparisonSpec, EffectSpec, MeasureKind, ReviewFile, Scope


def not_an_outcome(review: ReviewFile, value: ReportedValue) -> bool:
    """Values no comparison column or effect shows, and that say nothing of how the arm fared (its size, baseline figures)."""
    measure = review.measures_by_id[value.measure]
    return measure.participants or measure.baseline


# --------------------------------------------------------------------------- evidence levels


@dataclass(frozen=True)
class EvidenceLevel:
    """Where a record sits in the usual hierarchy of clinical evidence; ``rank`` 1 is strongest."""

    rank: int
    label: str
    design: str  # the coarser design label the tables filter on
    pooled: bool  # False for evidence that must never be read as pooled (case reports, plans, reviews)


def _phase_rank(phase: str | None) -> int:
    """Within a design, a later phase ranks higher (III before II before I)."""
    if phase is None:
        return 1
    return 0 if "III" in phase else 1


CASE_REPORT_RANK = 7  # case reports sit here in every review's hierarchy (the review file ranks the study designs around it)


def evidence_level(review: ReviewFile, record: StudyRecord | CaseRecord) -> EvidenceLevel:
    """The record's rank and its label: the label always begins with the design the tables filter on, so a badge
    and its filter agree ("Randomised trial, phase III" is among the randomised trials)."""
    if isinstance(record, CaseRecord):
        return EvidenceLevel(CASE_REPORT_RANK, "Case report", "Case report", pooled=False)
    design = review.design(record.study_type)
    rank = design.rank
    phase = record.design.phase
    if design.planned:
        label = f"{design.label}, phase {phase} (no results)" if phase else f"{design.label} (no results)"
    elif design.results:
        if design.phased:
            rank += _phase_rank(phase)
        label = f"{design.label}, phase {phase}" if phase and design.phase_in_label else design.label
    else:
        label = design.label
    return EvidenceLevel(rank, label, design.label, pooled=design.results)


# --------------------------------------------------------------------------- cells: one value under its column


def regimen_classes(review: ReviewFile, regimen: RegimenRecord) -> str:
    """The regimen's intervention classes in the order its drugs are listed, e.g. 'Kinase inhibitor + Antibody'."""
    labels: list[str] = []
    for drug in regimen.drugs:
        label = review.label("intervention_classes", drug.drug_class)
        if label not in labels:
            labels.append(label)
    return " + ".join(labels)


def has_drug(regimen: RegimenRecord, name: str) -> bool:
    return any(name.lower() in drug.name.lower() for drug in regimen.drugs)


def regimens_by_drug(corpus: Corpus) -> dict[str, list[RegimenRecord]]:
    """Every regimen containing each drug (by name, ignoring case), in the regimens list's order: built once, so that
    each regimen page can link the others that give one of its drugs."""
    by_drug: dict[str, list[RegimenRecord]] = {}
    for regimen in sorted(corpus.regimens.values(), key=lambda r: r.name.lower()):
        for name in dict.fromkeys(drug.name.lower() for drug in regimen.drugs):
            by_drug.setdefault(name, []).append(regimen)
    return by_drug


def exact_interval(review: ReviewFile, value: ReportedValue | None) -> ProportionInterval | None:
    """The exact 95% interval of a stated proportion, where the count and denominator are both stated."""
    if value is None or value.numerator is None or value.denominator is None:
        return None
    if review.measures_by_id[value.measure].kind is not MeasureKind.proportion:
        return None
    return clopper_pearson(value.numerator, value.denominator)
# Medians in days or weeks sort among those in months by this factor (a mean month); they are shown as stated.
_MONTHS_PER = {"months": 1.0, "month": 1.0, "weeks": 7 / 30.4375, "week": 7 / 30.4375, "days": 1 / 30.4375, "day": 1 / 30.4375,
               "years": 12.0, "year": 12.0}


@dataclass(frozen=True)
class Cell:
    """One value under a comparison column: the arm's headline value of the column's measure (or none), and its marks."""

    value: ReportedValue | None
    judgement: Judgement
    fallback: Tag | None = None  # the column's fallback mark, where the cell shows its fallback measure ("partial responses only")
    interval: ProportionInterval | None = None  # exact interval of a stated proportion, computed here

    @property
    def partial_only(self) -> bool:
        return self.fallback is not None

    @property
    def marks(self) -> tuple[Tag, ...]:
        return ((self.fallback,) if self.fallback is not None else ()) + self.judgement.marks

    @property
    def stated(self) -> tuple[Tag, ...]:
        """Parts of the definition the source states, which do not set the value apart (RECIST 1.1, an assessor)."""
        return tuple(tag for tag in self.judgement.tags if tag.kind is TagKind.stated)

    @property
    def differs(self) -> bool:
        return self.judgement.differs

    def sort_key(self, times: bool) -> float | None:
        """The number a table sorts by: the value itself, or for a time its length in months (shown as stated)."""
        if self.value is None or self.value.value is None:
            return None
        if not times:
            return self.value.value
        factor = _MONTHS_PER.get((self.value.unit or "").lower())
        return None if factor is None else self.value.value * factor


EMPTY = Cell(None, Judgement(()))


def column_cell(review: ReviewFile, arm: Arm, column: ColumnSpec) -> Cell:
    for measure in column.measures:
        value = headline(arm, measure)
        if value is not None:
            return Cell(value, judge(review, value, arm, column.accepts), interval=exact_interval(review, value))
    fallback = column.fallback
    if fallback is not None and all(headline(arm, measure) is None for measure in fallback.unless):
        value = headline(arm, fallback.measure)
        if value is not None:
            return Cell(value, judge(review, value, arm, column.accepts), Tag(TagKind.caveat, fallback.mark, fallback.explanation),
                        exact_interval(review, value))
    return EMPTY


# --------------------------------------------------------------------------- arm rows


@dataclass(frozen=True)
class ArmRow:
    study: StudyRecord
    arm: Arm
    arm_index: int
    regimen: RegimenRecord
    setting: str
    setting_label: str
    level: EvidenceLevel
    classes: str
    cells: dict[str, Cell]  # column id → cell
    other: tuple[ReportedValue, ...]  # outcomes no column shows (comparisons apart): listed, never dropped
    outcome_columns: frozenset[str]  # the review's columns that say how an arm fared (not its size)

    @property
    def has_headline(self) -> bool:
        return any(cell.value is not None for column, cell in self.cells.items() if column in self.outcome_columns)

    @property
    def group(self) -> GroupBasis:
        return self.arm.defined_by

    kind = "arm"  # what a comparison page's entry is (its tables take arms and comparisons apart)


def _other_outcomes(review: ReviewFile, arm: Arm, cells: dict[str, Cell]) -> tuple[ReportedValue, ...]:
    shown = {id(cell.value) for cell in cells.values() if cell.value is not None}
    return tuple(value for value in arm.outcomes
                 if id(value) not in shown and not not_an_outcome(review, value) and not review.measures_by_id[value.measure].comparison
                 and value.subgroup is None)


def arm_row(corpus: Corpus, study: StudyRecord, index: int, columns: dict[str, ColumnSpec] | None = None) -> ArmRow:
    review = corpus.review
    arm = study.arms[index]
    regimen = corpus.regimens[arm.regimen]
    chosen = columns if columns is not None else {column.id: column for column in review.columns}
    cells = {column_id: column_cell(review, arm, column) for column_id, column in chosen.items()}
    setting = arm.setting or study.setting
    return ArmRow(study, arm, index, regimen, setting, review.label("settings", setting), evidence_level(review, study),
                  regimen_classes(review, regimen), cells, _other_outcomes(review, arm, cells), review.outcome_columns)


def every_arm_row(corpus: Corpus) -> list[ArmRow]:
    """Every arm of every study that reports results, strongest evidence first, then by study name and arm order."""
    rows = [arm_row(corpus, study, index) for study in corpus.studies.values() if evidence_level(corpus.review, study).pooled
            for index in range(len(study.arms))]
    return sorted(rows, key=lambda r: (r.level.rank, r.study.short_name.lower(), r.arm_index))


def arm_rows(corpus: Corpus, keep: Callable[[ArmRow], bool] = lambda row: True) -> list[ArmRow]:
    """Treatment arms that report at least one headline value, strongest evidence first, then by study name."""
    return [row for row in every_arm_row(corpus) if row.group is GroupBasis.treatment and row.has_headline and keep(row)]


def in_scope(scope: Scope) -> Callable[[RegimenRecord, str], bool]:
    def keep(regimen: RegimenRecord, setting: str) -> bool:
        if scope.every:
            return True
        return (setting in scope.settings) or (scope.drug is not None and has_drug(regimen, scope.drug))
    return keep


def studies_by_setting(corpus: Corpus) -> dict[str, list[StudyRecord]]:
    """Every study under its setting, in the corpus's order."""
    grouped: dict[str, list[StudyRecord]] = {}
    for study in corpus.studies.values():
        grouped.setdefault(study.setting, []).append(study)
    return grouped


def studies_with_drug(corpus: Corpus, name: str) -> list[StudyRecord]:
    """Every study with an arm whose regimen contains the drug, results or not (plans and registrations included)."""
    found = [s for s in corpus.studies.values() if any(has_drug(corpus.regimens[a.regimen], name) for a in s.arms)]
    return sorted(found, key=lambda s: (evidence_level(corpus.review, s).rank, s.short_name.lower()))


# --------------------------------------------------------------------------- a study's arms side by side


@dataclass(frozen=True)
class ValueRow:
    """One thing measured (measure, category, statistic, time point, endpoint, comparator, subgroup) across a study's arms."""

    first: ReportedValue  # names the row
    cells: tuple[tuple[ReportedValue, ...], ...]  # per arm, every value of it (one per source that states it)


@dataclass(frozen=True)
class ArmsSideBySide:
    arms: tuple[Arm, ...]
    rows: tuple[ValueRow, ...]


ARMS_PER_TABLE = 3  # a study's arms side by side, this many to a table: the table stays readable beside the text


def _value_key(value: ReportedValue) -> tuple[object, ...]:
    return (value.measure, value.category, value.statistic, value.timepoint, value.endpoint, value.comparator, value.subgroup)


def arms_side_by_side(study: StudyRecord) -> list[ArmsSideBySide]:
    """The study's arms with outcomes, a few to a table, one row per thing measured in any of them (in the order first stated)."""
    arms = [arm for arm in study.arms if arm.outcomes]
    tables = []
    for start in range(0, len(arms), ARMS_PER_TABLE):
        chunk = tuple(arms[start:start + ARMS_PER_TABLE])
        keys: dict[tuple[object, ...], ReportedValue] = {}
        for arm in chunk:
            for value in arm.outcomes:
                keys.setdefault(_value_key(value), value)
        rows = tuple(ValueRow(first, tuple(tuple(v for v in arm.outcomes if _value_key(v) == key) for arm in chunk)) for key, first in keys.items())
        tables.append(ArmsSideBySide(chunk, rows))
    return tables


# --------------------------------------------------------------------------- comparisons side by side


@dataclass(frozen=True)
class Effect:
    """A stated comparison between two arms (hazard ratio, risk ratio, p value …), oriented as the record states it."""

    value: ReportedValue
    arm: Arm  # the arm that states it
    tags: tuple[Tag, ...]


@dataclass(frozen=True)
class ComparisonRow:
    """Two arms of one study side by side, with what the source says of their difference."""

    study: StudyRecord
    level: EvidenceLevel
    first: ArmRow  # the arm stating the comparison (or the study's first arm)
    second: ArmRow  # its comparator
    effects: tuple[Effect, ...]

    kind = "comparison"

    computed: ComputedEffect | None = None  # the review's effect, computed here from the two arms' counts

    @property
    def settings(self) -> list[str]:
        return list(dict.fromkeys((self.first.setting, self.second.setting)))

    @property
    def setting_labels(self) -> list[str]:
        return list(dict.fromkeys((self.first.setting_label, self.second.setting_label)))

    @property
    def has_other(self) -> bool:
        return bool(self.first.other or self.second.other)

    def other(self) -> Iterator[tuple[ArmRow, ReportedValue]]:
        """The two arms' outcomes no column shows, each with its arm."""
        for row in (self.first, self.second):
            for value in row.other:
                yield row, value


def _pairs(review: ReviewFile, study: StudyRecord, rows: dict[str, ArmRow]) -> list[tuple[str, str]]:
    """The comparisons a study states between its treatment arms (by its values' comparators); with none stated, its two
    treatment arms when it has exactly two, the control (placebo or no treatment) second."""
    pairs: list[tuple[str, str]] = []
    for arm in study.arms:
        for value in arm.outcomes:
            if value.comparator and arm.id in rows and value.comparator in rows:
                pair = (arm.id, value.comparator)
                if pair not in pairs and pair[::-1] not in pairs:
                    pairs.append(pair)
    if not pairs and len(rows) == 2:
        first, second = rows
        controls = {term.id for term in review.intervention_classes if term.control}
        if all(drug.drug_class in controls for drug in rows[first].regimen.drugs):
            first, second = second, first
        pairs.append((first, second))
    return pairs


def comparison_rows(review: ReviewFile, study: StudyRecord, rows: dict[str, ArmRow], effect: EffectSpec | None = None) -> list[ComparisonRow]:
    """A study's comparisons between treatment arms of ``rows`` (arm id → row), in the order the record states them; with
    ``effect``, each with the review's effect computed from the two arms' counts."""
    found = []
    for first, second in _pairs(review, study, rows):
        effects = tuple(Effect(value, arm, tuple(tags_of(review, value, arm))) for arm in study.arms if arm.id in (first, second)
                        for value in arm.outcomes
                        if review.measures_by_id[value.measure].comparison and value.comparator in (first, second) and value.comparator != arm.id)
        computed = computed_effect(review, effect, rows[first].arm, rows[second].arm) if effect is not None else None
        found.append(ComparisonRow(study, evidence_level(review, study), rows[first], rows[second], effects, computed))
    return found


# --------------------------------------------------------------------------- comparison pages


@dataclass(frozen=True)
class ComparisonView:
    """One comparison page: what it holds, read from its declaration."""

    spec: ComparisonSpec
    review: ReviewFile
    columns: list[tuple[str, ColumnSpec]]
    rows: list[ArmRow]  # treatment arms in one row each (those of comparisons too on the page of every arm)
    comparisons: list[ComparisonRow]  # comparative studies, one row per comparison
    other_outcomes: list[ArmRow]  # treatment arms that report none of the columns' measures, with what they do report
    other_groups: list[ArmRow]  # groups defined by a baseline feature or by outcome: never rows of a treatment comparison
    no_values: list[ArmRow]  # arms of studies with results for which the sources state no value
    cases: list[CaseSummary]
    without_results: list[StudyRecord]  # planned and registered trials in scope
    marks: list[Tag] = field(default_factory=list)  # every mark the page's tables show, once each, for its legend

    @property
    def slug(self) -> str:
        return self.spec.slug

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def scope(self) -> str:
        return self.spec.scope_text

    @property
    def all_rows(self) -> list[ArmRow]:
        """Every treatment arm the page shows, in its tables' order (comparisons' arms included): for its figures."""
        paired = [row for comparison in self.comparisons for row in (comparison.first, comparison.second)]
        return sorted({id(row): row for row in [*self.rows, *paired]}.values(), key=lambda r: (r.level.rank, r.study.short_name.lower(), r.arm_index))

    @property
    def arm_count(self) -> int:
        return len(self.all_rows) + len(self.other_outcomes)

    @property
    def column_definitions(self) -> list[tuple[list[str], str]]:
        """The columns' definitions in words, columns of one definition together: (["ORR", "DCR"], "response by …")."""
        grouped: dict[str, list[str]] = {}
        for _, column in self.columns:
            described = describe_accepts(self.review, column.accepts)
            if described:
                grouped.setdefault(described, []).append(column.label)
        return [(labels, described) for described, labels in grouped.items()]

    @property
    def entries(self) -> list[ArmRow | ComparisonRow]:
        """The rows of the page's two tables in one reading order (by evidence level, then study), for paging."""
        entries: list[ArmRow | ComparisonRow] = [*self.comparisons, *self.rows]
        return sorted(entries, key=lambda e: (e.level.rank, e.study.short_name.lower(),
                                              e.first.arm_index if isinstance(e, ComparisonRow) else e.arm_index))


def all_arms(comparisons: list[ComparisonView]) -> ComparisonView | None:
    """The page of every arm, one row each (the review file's comparison with `all_arms`), if the review has one."""
    return next((view for view in comparisons if view.spec.all_arms), None)


def _collect_marks(rows: Iterable[ArmRow], columns: Iterable[str]) -> list[Tag]:
    found: dict[str, Tag] = {}
    for row in rows:
        for column in columns:
            for tag in row.cells[column].marks:
                found.setdefault(tag.text, tag)
    return sorted(found.values(), key=lambda tag: (tag.kind is not TagKind.differs, tag.text))


def build_view(corpus: Corpus, spec: ComparisonSpec, every_row: list[ArmRow]) -> ComparisonView:
    """The page ``spec`` declares, from every arm's row (shared by all pages: each row is rendered once)."""
    keep = in_scope(spec.arms)
    scoped = [row for row in every_row if keep(row.regimen, row.setting)]
    treatment = [row for row in scoped if row.group is GroupBasis.treatment]
    with_values = [row for row in treatment if row.has_headline]
    comparisons: list[ComparisonRow] = []
    if spec.side_by_side:
        # A comparison is in scope when either of its arms is: a page about one drug shows the combination with it
        # beside the partner drug alone, as the study compared them.
        in_scope_ids = {id(row) for row in treatment}
        studies = {row.study.id for row in treatment}
        by_study: dict[str, dict[str, ArmRow]] = {}
        for row in every_row:
            if row.group is GroupBasis.treatment and row.study.id in studies:
                by_study.setdefault(row.study.id, {})[row.arm.id] = row
        for arms in by_study.values():
            study = next(iter(arms.values())).study
            if len(arms) >= 2:
                comparisons += [c for c in comparison_rows(corpus.review, study, arms, spec.effect)
                                if id(c.first) in in_scope_ids or id(c.second) in in_scope_ids]
    paired = {id(row) for comparison in comparisons for row in (comparison.first, comparison.second)}
    rows = [row for row in with_values if id(row) not in paired]
    other_outcomes = [row for row in treatment if not row.has_headline and row.other and id(row) not in paired]
    no_values = [row for row in treatment if not row.has_headline and not row.other and id(row) not in paired]
    other_groups = [row for row in scoped if row.group is not GroupBasis.treatment]
    cases: list[CaseSummary] = []
    if spec.cases is not None:
        keep_case = in_scope(spec.cases)
        chosen = [case for case in corpus.cases.values()
                  if any(keep_case(corpus.regimens[line.regimen], case.setting) for line in case.timeline if line.regimen)
                  or (spec.cases.settings and case.setting in spec.cases.settings)]
        cases = case_summaries(corpus, chosen, case_focus(corpus.review))
    without_results: list[StudyRecord] = []
    if spec.planned:
        without_results = sorted((study for study in corpus.studies.values()
                                  if corpus.review.design(study.study_type).planned
                                  and (any(keep(corpus.regimens[arm.regimen], arm.setting or study.setting) for arm in study.arms)
                                       or (not study.arms and study.setting in spec.arms.settings))),
                                 key=lambda s: (evidence_level(corpus.review, s).rank, s.short_name.lower()))
    columns = [(column_id, corpus.review.column(column_id)) for column_id in spec.columns]
    marked_rows = [*rows, *(row for comparison in comparisons for row in (comparison.first, comparison.second))]
    return ComparisonView(spec, corpus.review, columns, rows, comparisons, other_outcomes, other_groups, no_values, cases, without_results,
                          _collect_marks(marked_rows, spec.columns))


def comparison_views(corpus: Corpus, specs: list[ComparisonSpec] | None = None) -> list[ComparisonView]:
    """The comparison pages of the review (the review file's, unless ``specs``), in reading order."""
    # One set of rows for every view: pages render a row once and reuse it wherever it appears (generator.pages.render.Fragments).
    every_row = every_arm_row(corpus)
    return [build_view(corpus, spec, every_row) for spec in (corpus.review.comparisons if specs is None else specs)]


def check_comparisons(corpus: Corpus, specs: list[ComparisonSpec] | None = None, columns: dict[str, ColumnSpec] | None = None) -> list[Problem]:
    """A value that a column would hold although its definition differs from the column's, where the column's declaration
    does not say to mark it: a problem (the build stops), located at the value."""
    review = corpus.review
    specs = review.comparisons if specs is None else specs
    columns = {column.id: column for column in review.columns} if columns is None else columns
    problems: list[Problem] = []
    for spec in specs:
        strict = [columns[column_id] for column_id in spec.columns if columns[column_id].otherwise == "fail"]
        if not strict:
            continue
        keep = in_scope(spec.arms)
        for study in corpus.studies.values():
            origin = corpus.origins.get(("studies", study.id))
            for index, arm in enumerate(study.arms):
                regimen = corpus.regimens.get(arm.regimen)
                # (an unknown regimen is a link problem, reported already; the checks also run on a corpus that failed to link)
                if regimen is None or arm.defined_by is not GroupBasis.treatment or not keep(regimen, arm.setting or study.setting):
                    continue
                for column in strict:
                    cell = column_cell(review, arm, column)
                    if not cell.differs or cell.value is None:
                        continue
                    loc = ("arms", index, "outcomes", next(i for i, v in enumerate(arm.outcomes) if v is cell.value))
                    why = "; ".join(tag.explanation for tag in cell.judgement.marks if tag.kind is TagKind.differs)
                    problems.append(Problem(origin.file if origin else f"studies/{study.id}", origin.line_of(loc) if origin else 0, format_loc(loc),
                                            f"comparison {spec.slug!r}, column {column.label!r}: {why} The column's declaration does not "
                                            "say how to show such values: give it `otherwise: mark`, or a column of their own"))
    return problems


# --------------------------------------------------------------------------- cases side by side


@dataclass(frozen=True)
class CaseSummary:
    """What a reader compares across case reports, taken from the case's own fields."""

    case: CaseRecord
    level: EvidenceLevel
    focus: str | None  # the drug the comparison is about (its first line in the timeline is the focus line)
    prior_systemic: list[TreatmentLine]  # systemic lines before the focus line (every systemic line without one)
    focus_line: TreatmentLine | None
    partners: list[str]  # the other drugs given with the focus drug
    procedures: list[TreatmentLine]
    adverse_events: list[CaseAdverseEvent]
    final_line: TreatmentLine | None  # the last timeline entry, for "where things stood"
    response_evidence: Evidence | None  # the quote that states the focus line's response


def evidence_stating(line: TreatmentLine, text: str | None) -> Evidence:
    """The line's quote that contains ``text`` (ignoring case and spacing); its first quote otherwise."""
    if text:
        wanted = normalise_space(text).lower()
        for evidence in line.evidence:
            if wanted in normalise_space(evidence.quote).lower():
                return evidence
    return line.evidence[0]


def case_focus(review: ReviewFile) -> str | None:
    """The drug the case comparison puts in focus (its line, dose and partners), as the review file names it."""
    return review.case_reports.focus if review.case_reports is not None else None


def summarise_case(corpus: Corpus, case: CaseRecord, drug: str | None = None) -> CaseSummary:
    steps = corpus.review.case_reports.steps if corpus.review.case_reports is not None else []
    lines_of_treatment = {step.id for step in steps if step.treatment_line}
    procedures = {step.id for step in steps if step.needs_regimen and not step.treatment_line}  # surgery, radiotherapy, procedures
    lines = case.timeline
    index = None if drug is None else next(
        (i for i, line in enumerate(lines) if line.regimen and has_drug(corpus.regimens[line.regimen], drug)), None)
    focus = lines[index] if index is not None else None
    before = lines[:index] if index is not None else lines
    partners = ([d.name for d in corpus.regimens[focus.regimen].drugs if drug is not None and drug.lower() not in d.name.lower()]
                if focus and focus.regimen else [])
    return CaseSummary(
        case=case,
        level=evidence_level(corpus.review, case),
        focus=drug,
        prior_systemic=[line for line in before if line.kind in lines_of_treatment],
        focus_line=focus,
        partners=partners,
        procedures=[line for line in lines if line.kind in procedures],
        adverse_events=list(case.adverse_events),
        final_line=lines[-1] if lines else None,
        response_evidence=evidence_stating(focus, focus.response_as_reported) if focus else None,
    )


def case_summaries(corpus: Corpus, cases: Iterable[CaseRecord] | None = None, drug: str | None = None) -> list[CaseSummary]:
    chosen = corpus.cases.values() if cases is None else cases
    return [summarise_case(corpus, case, drug) for case in sorted(chosen, key=lambda c: c.short_name.lower())]


def cases_in_settings(corpus: Corpus, *settings: str) -> list[CaseRecord]:
    return [case for case in corpus.cases.values() if case.setting in settings]


def cases_with_drug(corpus: Corpus, name: str) -> list[CaseRecord]:
    return [case for case in corpus.cases.values() if any(line.regimen and has_drug(corpus.regimens[line.regimen], name) for line in case.timeline)]




def placed_step(case: CaseRecord, line: TreatmentLine) -> PlacedStep:
    """Where a step of the case's timeline was placed on the calendar: its dates in words, and how each was placed."""
    return next(step for step in place_dates(case.timeline, case.follow_up).steps if step.line is line)


def placed_follow_up(case: CaseRecord) -> PlacedDate | None:
    """The case's last follow-up as placed (stated, or counted from a step: 'more than 3 years after ...')."""
    return place_dates(case.timeline, case.follow_up).follow_up


# --------------------------------------------------------------------------- effects computed here


@dataclass(frozen=True)
class ComputedEffect:
    """The review's effect for one comparison: computed here from the counts the two arms state (never stated by a
    source), or the ratio or difference the source reports (``spec.reported``), with what pooling needs computed here."""

    spec: EffectSpec
    counts: tuple[ReportedValue, ...]  # the stated values the effect is made of, for their quotes
    table: TwoByTwo | None  # events and totals of the first arm (treatment) and the second (control); None for a reported effect
    result: EffectEstimate | None
    reason: str | None  # why no effect could be computed, where none could

    @property
    def reported(self) -> bool:
        return self.spec.reported is not None


def effect_label(review: ReviewFile, effect: EffectSpec) -> str:
    """The effect's name: "Risk ratio", or the reported measure's own label ("Hazard ratio")."""
    if effect.measure is not None:
        return EFFECT_LABELS[effect.measure]
    assert effect.reported is not None  # the spec's validation: one of the two
    return review.measure(effect.reported).label


def effect_is_ratio(review: ReviewFile, effect: EffectSpec) -> bool:
    """Drawn on a log scale and pooled as a log: a ratio from counts, or a reported measure of kind ``ratio``."""
    if effect.measure is not None:
        return effect.measure in RATIOS
    assert effect.reported is not None
    return review.measure(effect.reported).kind is MeasureKind.ratio


def _arm_counts(spec: EffectSpec, arm: Arm) -> tuple[int | None, int | None, list[ReportedValue]]:
    """An arm's events and total from its stated values: the total as stated, or events plus non-events (a sum, computed here)."""
    assert spec.events is not None  # an effect from counts (the spec's validation)
    events = headline(arm, spec.events)
    used = [value for value in (events,) if value is not None]
    if spec.total is not None:
        total = headline(arm, spec.total)
        used += [total] if total is not None else []
        return _whole(events), _whole(total), used
    non_events = headline(arm, spec.non_events) if spec.non_events else None
    used += [non_events] if non_events is not None else []
    count, rest = _whole(events), _whole(non_events)
    return count, (count + rest if count is not None and rest is not None else None), used


def _whole(value: ReportedValue | None) -> int | None:
    if value is None or value.value is None or value.value != int(value.value) or value.value < 0:
        return None
    return int(value.value)


def computed_effect(review: ReviewFile, spec: EffectSpec, treatment: Arm, control: Arm) -> ComputedEffect:
    """The effect of ``treatment`` against ``control`` (the comparison's first and second arm): from their 2×2 counts, or
    the one the source reports on the first arm against the second (``review`` says whether its measure is a ratio)."""
    if spec.reported is not None:
        return _reported_effect(spec, treatment, control, effect_is_ratio(review, spec))
    assert spec.measure is not None  # the spec's validation: `measure` or `reported`
    events_t, total_t, used_t = _arm_counts(spec, treatment)
    events_c, total_c, used_c = _arm_counts(spec, control)
    used = tuple(used_t + used_c)
    if None in (events_t, total_t, events_c, total_c):
        return ComputedEffect(spec, used, None, None, "the sources do not state both arms' counts")
    assert events_t is not None and total_t is not None and events_c is not None and total_c is not None
    if total_t < 1 or total_c < 1 or events_t > total_t or events_c > total_c:
        return ComputedEffect(spec, used, None, None, "the stated counts do not make a 2×2 table")
    table = TwoByTwo(events_t, total_t, events_c, total_c)
    estimate = effect_from_counts(table, spec.measure)
    if estimate.reason is not None:
        return ComputedEffect(spec, used, table, None, estimate.reason)
    return ComputedEffect(spec, used, table, estimate, None)


def _reported_effect(spec: EffectSpec, treatment: Arm, control: Arm, ratio: bool) -> ComputedEffect:
    """The value of ``spec.reported`` the first arm states against the second (of ``spec.endpoint``, for the whole arm)."""
    found = [value for value in treatment.outcomes if value.measure == spec.reported and value.comparator == control.id
             and value.subgroup is None and (spec.endpoint is None or value.endpoint == spec.endpoint)]
    if not found:
        return ComputedEffect(spec, (), None, None, "the source reports none for the first arm against the second")
    value = found[0]
    if value.value is None or value.ci_low is None or value.ci_high is None:
        return ComputedEffect(spec, (value,), None, None, "the source reports no 95% interval with it")
    if value.ci_level != 95:
        return ComputedEffect(spec, (value,), None, None, "its interval is not recorded as a 95% interval (`ci_level: 95`)")
    estimate = effect_from_reported(value.value, value.ci_low, value.ci_high, ratio)
    if estimate.reason is not None:
        return ComputedEffect(spec, (value,), None, None, estimate.reason)
    return ComputedEffect(spec, (value,), None, estimate, None)
