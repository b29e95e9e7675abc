"""Stage 2, link: resolve references by id and derive the back-links.

Records refer to each other only by id (an arm or a case line names its regimen). The
reverse direction (which studies and cases use a regimen) is computed here and never
typed into a record.
"""

from __future__ import annotations

import difflib
from collections.abc import Container
from dataclasses import dataclass, field

from generator.errors import Problem
from generator.records.load import LoadedRecord, LoadResult, format_loc
from generator.records.schema import Arm, CaseRecord, Glossary, RegimenRecord, SourceCatalogue, StudyRecord, TreatmentLine
from generator.records.vocabulary import check_vocabulary
from generator.review.file import ReviewFile


@dataclass(frozen=True)
class ArmUse:
    study: StudyRecord
    arm: Arm


@dataclass(frozen=True)
class CaseUse:
    case: CaseRecord
    line: TreatmentLine


@dataclass
class RegimenLinks:
    """Everything that points at one regimen, in a stable order."""

    arms: list[ArmUse] = field(default_factory=list)
    cases: list[CaseUse] = field(default_factory=list)

    @property
    def study_ids(self) -> list[str]:
        return list(dict.fromkeys(use.study.id for use in self.arms))

    @property
    def case_ids(self) -> list[str]:
        return list(dict.fromkeys(use.case.id for use in self.cases))


@dataclass
class Corpus:
    """The linked review: every record by id, plus derived back-links."""

    studies: dict[str, StudyRecord]
    regimens: dict[str, RegimenRecord]
    cases: dict[str, CaseRecord]
    regimen_links: dict[str, RegimenLinks]
    origins: dict[tuple[str, str], LoadedRecord]
    review: ReviewFile  # the review file: every vocabulary, measure and comparison of the review
    glossary: Glossary = field(default_factory=Glossary)
    sources: SourceCatalogue = field(default_factory=SourceCatalogue)  # labels of the source documents
    sources_lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)  # line of each field of seeds/sources.yaml

    def regimens_of_study(self, study: StudyRecord) -> list[RegimenRecord]:
        return [self.regimens[rid] for rid in dict.fromkeys(arm.regimen for arm in study.arms)]

    def regimens_of_case(self, case: CaseRecord) -> list[RegimenRecord]:
        ids = dict.fromkeys(line.regimen for line in case.timeline if line.regimen)
        return [self.regimens[rid] for rid in ids if rid is not None]


def link_loaded(loaded: LoadResult, unloaded_regimens: Container[str] = frozenset()) -> tuple[Corpus, list[Problem]]:
    """Link what :func:`generator.records.load.load_corpus` loaded: vocabulary ids resolved against the review file, then
    regimen and comparator ids. Needs the review file (a load without one has reported why)."""
    assert loaded.review is not None, "no review file: load_corpus reported why"
    problems = check_vocabulary(loaded.records, loaded.review, loaded.review_file)
    corpus, link_problems = resolve_links(loaded.records, loaded.review, loaded.glossary, loaded.sources, loaded.sources_lines, unloaded_regimens)
    return corpus, problems + link_problems


def resolve_links(loaded: list[LoadedRecord], review: ReviewFile, glossary: Glossary | None = None, sources: SourceCatalogue | None = None,
                  sources_lines: dict[tuple[str | int, ...], int] | None = None,
                  unloaded_regimens: Container[str] = frozenset()) -> tuple[Corpus, list[Problem]]:
    """Index records by id, check every reference, and compute back-links.

    ``unloaded_regimens``: the ids of regimens whose files have problems of their own (reported once, by the loader):
    a record that uses one is not told again, one line per use, that the regimen is unknown."""
    problems: list[Problem] = []
    by_kind: dict[str, dict[str, LoadedRecord]] = {"studies": {}, "regimens": {}, "cases": {}}
    # A record named after its id is indexed before any copy of it under another name: the copy is the duplicate.
    for item in sorted(loaded, key=lambda item: item.path.stem != item.record.id):
        seen = by_kind[item.kind].get(item.record.id)
        if seen is not None:
            if item.path.stem == item.record.id:  # a misnamed copy's own line (load.py) already says whose id it repeats
                problems.append(Problem(item.file, item.line_of(("id",)), "id", f"duplicate id {item.record.id!r}; also used by {seen.file}"))
            continue
        by_kind[item.kind][item.record.id] = item

    regimens: dict[str, RegimenRecord] = {}
    for rid, item in sorted(by_kind["regimens"].items()):
        assert isinstance(item.record, RegimenRecord)
        regimens[rid] = item.record
    links = {rid: RegimenLinks() for rid in regimens}

    def check_regimen(item: LoadedRecord, loc: tuple[str | int, ...], regimen_id: str) -> bool:
        if regimen_id in regimens:
            return True
        if regimen_id in unloaded_regimens:  # its file has problems of its own, reported once: not one line per use
            return False
        close = difflib.get_close_matches(regimen_id, list(regimens), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(Problem(
            item.file, item.line_of(loc), format_loc(loc),
            f"unknown regimen id {regimen_id!r}{hint}; expected the id of a file in seeds/regimens/",
        ))
        return False

    studies: dict[str, StudyRecord] = {}
    for sid, item in sorted(by_kind["studies"].items()):
        study = item.record
        assert isinstance(study, StudyRecord)
        studies[sid] = study
        arm_ids = {arm.id for arm in study.arms}
        for index, arm in enumerate(study.arms):
            if check_regimen(item, ("arms", index, "regimen"), arm.regimen):
                links[arm.regimen].arms.append(ArmUse(study, arm))
            for value_index, value in enumerate(arm.outcomes):
                if value.comparator is not None and value.comparator not in arm_ids - {arm.id}:
                    loc = ("arms", index, "outcomes", value_index, "comparator")
                    found = "an arm cannot be compared with itself" if value.comparator == arm.id else f"unknown comparator arm {value.comparator!r}"
                    problems.append(Problem(
                        item.file, item.line_of(loc), format_loc(loc),
                        f"{found}; expected another arm of this study ({', '.join(sorted(arm_ids - {arm.id})) or 'none'})",
                    ))

    cases: dict[str, CaseRecord] = {}
    for cid, item in sorted(by_kind["cases"].items()):
        case = item.record
        assert isinstance(case, CaseRecord)
        cases[cid] = case
        for index, line in enumerate(case.timeline):
            if line.regimen is not None and check_regimen(item, ("timeline", index, "regimen"), line.regimen):
                links[line.regimen].cases.append(CaseUse(case, line))
        for index, event in enumerate(case.adverse_events):
            if event.attributed_to is not None:
                check_regimen(item, ("adverse_events", index, "attributed_to"), event.attributed_to)

    origins = {(kind, rid): item for kind, items in by_kind.items() for rid, item in items.items()}
    return Corpus(studies, regimens, cases, links, origins, review, glossary or Glossary(), sources or SourceCatalogue(),
                  sources_lines or {}), problems
