"""Link stage, vocabularies: every id a record draws from the review file is resolved against it.

A record's `setting`, `study_type`, a value's `measure`, a drug's `drug_class` … are ids of the review file's
vocabularies (``generator/review/file.py``), resolved here like regimen ids: an unknown one is reported with its
file, line and field, and the closest declared id. The rules that follow from what a value measures (a count is
whole, a ratio positive, a p value at most 1; a time origin only on a time-to-event value) are checked here too,
since only the review file says what each measure is.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from generator.errors import Problem
from generator.records.load import LoadedRecord, Loc, format_loc
from generator.records.schema import CaseRecord, RegimenRecord, ReportedValue, StudyRecord
from generator.review.file import MeasureKind, ReviewFile


def judged_measure(review: ReviewFile, value: ReportedValue) -> str:
    """The measure whose definition applies: the endpoint of a comparison, else the value's own measure."""
    measures = review.measures_by_id
    measure = measures.get(value.measure)
    if measure is not None and measure.comparison and value.endpoint is not None and value.endpoint in measures:
        return value.endpoint
    return value.measure


def definition_parts(review: ReviewFile, value: ReportedValue) -> frozenset[str]:
    """Which parts of a definition the value may state (``time_origin``, ``response_criteria``, ``assessed_by``)."""
    measure = review.measures_by_id.get(judged_measure(review, value))
    return frozenset(measure.definition) if measure is not None else frozenset()


class _Checker:
    def __init__(self, review: ReviewFile, review_file: str) -> None:
        self.review = review
        self.review_file = review_file
        self.problems: list[Problem] = []

    def known(self, item: LoadedRecord, loc: Loc, term: str | None, vocabulary: Iterable[str], what: str, where: str) -> bool:
        if term is None:
            return True
        ids = list(vocabulary)
        if term in ids:
            return True
        close = difflib.get_close_matches(term, ids, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        expected = f"one of {', '.join(ids)}" if len(ids) <= 12 else f"an id declared under `{where}`"
        self.problems.append(Problem(item.file, item.line_of(loc), format_loc(loc),
                                     f"unknown {what} {term!r}{hint}; expected {expected} (the review file, {self.review_file})"))
        return False

    def fail(self, item: LoadedRecord, loc: Loc, message: str) -> None:
        self.problems.append(Problem(item.file, item.line_of(loc), format_loc(loc), message))

    # ------------------------------------------------------------------- values

    def value(self, item: LoadedRecord, loc: Loc, value: ReportedValue) -> None:
        review = self.review
        measures = review.measures_by_id
        if not self.known(item, (*loc, "measure"), value.measure, measures, "measure", "measures"):
            return
        measure = measures[value.measure]
        if value.endpoint is not None and self.known(item, (*loc, "endpoint"), value.endpoint, measures, "measure", "measures") \
                and not measure.comparison:
            self.fail(item, (*loc, "endpoint"), f"an `endpoint` names what a comparison compares; {measure.label!r} is not a comparison "
                                                "(`comparison: true` in the review file)")
        if value.comparator is not None and value.endpoint is None and measure.needs_endpoint:
            self.fail(item, (*loc, "comparator"), "a comparison needs the `endpoint` it compares")
        if value.value is not None:
            problem = _range_problem(measure.kind, measure.label, value.value)
            if problem:
                self.fail(item, (*loc, "value"), problem)
        parts = definition_parts(review, value)
        if value.time_origin is not None:
            if "time_origin" not in parts:
                self.fail(item, (*loc, "time_origin"), f"`time_origin` is for time-to-event values; {value.measure} is not one")
            else:
                self.known(item, (*loc, "time_origin"), value.time_origin, (t.id for t in review.time_origins), "time origin", "time_origins")
        for field, vocabulary, what in (("response_criteria", review.response_criteria, "response criteria"),
                                        ("assessed_by", review.assessors, "assessor")):
            term = getattr(value, field)
            if term is None:
                continue
            if field not in parts:
                self.fail(item, (*loc, field), f"`response_criteria` and `assessed_by` are for response values; {value.measure} is not one")
            else:
                self.known(item, (*loc, field), term, (t.id for t in vocabulary), what, field)

    def setting(self, item: LoadedRecord, loc: Loc, setting: str | None) -> None:
        self.known(item, loc, setting, (s.id for s in self.review.settings.values), "setting", "settings")

    # ------------------------------------------------------------------- records

    def study(self, item: LoadedRecord, study: StudyRecord) -> None:
        self.known(item, ("study_type",), study.study_type, (d.id for d in self.review.designs), "study type", "designs")
        self.setting(item, ("setting",), study.setting)
        for index, registry_id in enumerate(study.registry_ids):
            if not any(registry.matches(registry_id) for registry in self.review.registries):
                names = ", ".join(f"{r.label} ({r.pattern})" for r in self.review.registries) or "none declared"
                self.fail(item, ("registry_ids", index), f"{registry_id!r} is an id of none of the review's registries: {names}")
        for index, value in enumerate(study.population_values):
            self.value(item, ("population_values", index), value)
        if study.enrolment is not None:
            self.value(item, ("enrolment",), study.enrolment)
        for arm_index, arm in enumerate(study.arms):
            self.setting(item, ("arms", arm_index, "setting"), arm.setting)
            for index, value in enumerate(arm.outcomes):
                self.value(item, ("arms", arm_index, "outcomes", index), value)

    def regimen(self, item: LoadedRecord, regimen: RegimenRecord) -> None:
        for index, drug in enumerate(regimen.drugs):
            self.known(item, ("drugs", index, "drug_class"), drug.drug_class, (c.id for c in self.review.intervention_classes),
                       "intervention class", "intervention_classes")
            self.known(item, ("drugs", index, "route"), drug.route, (r.id for r in self.review.routes), "route", "routes")

    def case(self, item: LoadedRecord, case: CaseRecord) -> None:
        vocabulary = self.review.case_reports
        if vocabulary is None:
            self.fail(item, (), f"the review has no case reports (no `case_reports` in the review file, {self.review_file}); "
                                "declare them there, or remove this record")
            return
        self.setting(item, ("setting",), case.setting)
        if case.patient.age is not None:
            self.value(item, ("patient", "age"), case.patient.age)
        steps = {step.id: step for step in vocabulary.steps}
        for index, line in enumerate(case.timeline):
            if self.known(item, ("timeline", index, "kind"), line.kind, steps, "timeline step kind", "case_reports.steps") \
                    and steps[line.kind].needs_regimen and line.regimen is None:
                self.fail(item, ("timeline", index, "regimen"), f"a {steps[line.kind].label} step needs the `regimen` it used")
            self.known(item, ("timeline", index, "best_response"), line.best_response, (r.id for r in vocabulary.responses),
                       "response", "case_reports.responses")


def _range_problem(kind: MeasureKind, label: str, number: float) -> str | None:
    """What is wrong with a number for a measure of this kind, or None."""
    if kind is MeasureKind.count and (number < 0 or number != int(number)):
        return f"a count ({label}) must be a whole number of at least 0, got {number:g}"
    if kind is MeasureKind.ratio and number <= 0:
        return f"a ratio ({label}) must be greater than 0, got {number:g}"
    if kind in {MeasureKind.proportion, MeasureKind.time, MeasureKind.quantity} and number < 0:
        return f"{label} cannot be negative, got {number:g}"
    if kind is MeasureKind.p_value and not 0 <= number <= 1:
        return f"a p value lies between 0 and 1, got {number:g}"
    return None


def check_vocabulary(loaded: Iterable[LoadedRecord], review: ReviewFile, review_file: str) -> list[Problem]:
    """Every vocabulary id of every record resolved against the review file; every problem, one line each."""
    checker = _Checker(review, review_file)
    for item in loaded:
        record = item.record
        if isinstance(record, StudyRecord):
            checker.study(item, record)
        elif isinstance(record, RegimenRecord):
            checker.regimen(item, record)
        else:
            checker.case(item, record)
    return checker.problems

