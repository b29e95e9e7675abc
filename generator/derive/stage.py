"""Stage 3, derive: consistency checks over the linked corpus, and the views pages need.

Checks never change a value: a failed check is a problem (the build stops) when the
record is wrong, e.g. a quote that does not contain its number.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any, ForwardRef, Literal, TypeVar, get_args, get_origin

from pydantic import BaseModel

from generator.derive.consistency import ConsistencyFlag, check_consistency
from generator.derive.evidence import SourceLibrary, format_number, normalise_space, number_stands_in
from generator.derive.note_subjects import NoteFieldError, describe
from generator.errors import Problem
from generator.records.link import Corpus
from generator.records.load import Loc, collector_paused, format_loc, line_for
from generator.records.schema import (
    Arm,
    CaseRecord,
    CurationNote,
    Evidence,
    MarkerReading,
    RegimenRecord,
    ReportedValue,
    StudyRecord,
)

_NUMERIC_FIELDS = ("value", "ci_low", "ci_high", "range_low", "range_high", "numerator", "denominator")


def iter_models(obj: object, loc: Loc = ()) -> Iterator[tuple[Loc, BaseModel]]:
    """Every schema object inside a record, with its location (in field order, depth first)."""
    found: list[tuple[Loc, BaseModel]] = []
    _collect_models(obj, loc, found)
    return iter(found)


def _collect_models(obj: object, loc: Loc, found: list[tuple[Loc, BaseModel]]) -> None:
    if isinstance(obj, BaseModel):
        found.append((loc, obj))
        for name in _fields_that_may_hold_models(type(obj)):
            _collect_models(getattr(obj, name), (*loc, name), found)
    elif isinstance(obj, list):
        for index, item in enumerate(obj):
            _collect_models(item, (*loc, index), found)


@cache
def _fields_that_may_hold_models(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields whose type admits a model, directly or in a list: the walk skips text, numbers and enums
    (most of a record), which its values could never contain."""
    return tuple(name for name, info in model.model_fields.items() if _may_hold_model(info.annotation))


def _may_hold_model(annotation: object) -> bool:
    if get_origin(annotation) is Literal:
        return False  # its arguments are values
    if get_origin(annotation) is Annotated:
        return _may_hold_model(get_args(annotation)[0])  # the rest is metadata
    if annotation is Any or annotation is object or isinstance(annotation, TypeVar | ForwardRef | str):
        return True  # not known: walk it
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_may_hold_model(argument) for argument in get_args(annotation))


def check_evidence(corpus: Corpus, library: SourceLibrary) -> list[Problem]:
    """Every value's number stands in its quote; every quote stands in its source (when the sources are at hand)."""
    problems: list[Problem] = []
    unusable_reported: set[str] = set()
    for (_kind, _rid), origin in sorted(corpus.origins.items()):
        for loc, model in iter_models(origin.record):
            if isinstance(model, ReportedValue | MarkerReading):
                problems.extend(_check_value_in_quote(model, loc, origin.file, origin.line_of))
            source = getattr(model, "source", None)
            if source is None or not library.available:
                continue
            if not library.has_document(source):
                why = library.why_missing(source)
                if source not in library.unusable:  # a name no document has: where it is written
                    problems.append(Problem(origin.file, origin.line_of((*loc, "source")), format_loc((*loc, "source")), why))
                elif source not in unusable_reported:  # a document that is there but cannot count: once, at its first use
                    unusable_reported.add(source)
                    problems.append(Problem(origin.file, origin.line_of((*loc, "source")), format_loc((*loc, "source")), f"{source} {why}"))
                continue
            quote = getattr(model, "quote", None)
            if quote and not library.quote_stands(source, quote):
                problems.append(Problem(
                    origin.file, origin.line_of((*loc, "quote")), format_loc((*loc, "quote")),
                    f"quote not found verbatim in {source}: {_short(quote)}",
                ))
    return problems


def _check_value_in_quote(model: ReportedValue | MarkerReading, loc: Loc, file: str, line_of: Callable[[Loc], int]) -> list[Problem]:
    """as_reported, the source's term and every number the value carries stand in its own quote: a denominator too,
    even when it is the group's size stated elsewhere (the quote is what the page shows as the number's evidence)."""
    problems = []
    if normalise_space(model.as_reported) not in normalise_space(model.quote):
        problems.append(Problem(file, line_of((*loc, "as_reported")), format_loc((*loc, "as_reported")),
                                f"as_reported {model.as_reported!r} is not part of its quote {_short(model.quote)}"))
    source_term = getattr(model, "source_term", None)
    if source_term and normalise_space(source_term).lower() not in normalise_space(model.quote).lower():
        problems.append(Problem(file, line_of((*loc, "source_term")), format_loc((*loc, "source_term")),
                                f"source_term {source_term!r} is not part of its quote {_short(model.quote)}: give the source's own words"))
    for name in _NUMERIC_FIELDS:
        number = getattr(model, name, None)
        if number is not None and not number_stands_in(number, model.quote):
            problems.append(Problem(file, line_of((*loc, name)), format_loc((*loc, name)),
                                    f"{format_number(number)} does not appear in its quote {_short(model.quote)}"))
    return problems


def check_drug_classes(corpus: Corpus) -> list[Problem]:
    """A drug has one class across all regimens (it is typed in each regimen that uses it)."""
    problems = []
    first: dict[str, tuple[str, str]] = {}
    for rid, regimen in corpus.regimens.items():
        origin = corpus.origins[("regimens", rid)]
        for index, drug in enumerate(regimen.drugs):
            key = drug.name.lower()
            if key in first and first[key][0] != drug.drug_class:
                loc = ("drugs", index, "drug_class")
                problems.append(Problem(origin.file, origin.line_of(loc), format_loc(loc),
                                        f"{drug.name} is {drug.drug_class} here but {first[key][0]} in regimen {first[key][1]!r}"))
            first.setdefault(key, (drug.drug_class, rid))
    return problems


def check_source_catalogue(corpus: Corpus, library: SourceLibrary, catalogue_file: str) -> list[Problem]:
    """A review that labels its documents labels every one it quotes, and lists only documents that exist."""
    listed = corpus.sources.by_file()
    if not listed:
        return []
    problems = []
    if library.available:
        for index, document in enumerate(corpus.sources.documents):
            if not library.has_document(document.file):
                loc = ("documents", index, "file")
                why = library.why_missing(document.file)
                problems.append(Problem(catalogue_file, line_for(corpus.sources_lines, loc), format_loc(loc),
                                        why if why.startswith("no source") else f"{document.file} {why}"))
    used: set[str] = {ref.document for origin in corpus.origins.values() for ref in getattr(origin.record, "sources", [])}
    for origin in corpus.origins.values():
        used.update(source for _, model in iter_models(origin.record) if isinstance(source := getattr(model, "source", None), str))
    problems += [Problem(catalogue_file, line_for(corpus.sources_lines, ("documents",)), "documents",
                         f"records cite {name!r}, which is not listed: add it, with a label for readers")
                 for name in sorted(used) if name not in listed]
    return problems


def check_note_fields(corpus: Corpus) -> list[Problem]:
    """Every curation note's `field` names something in its record: pages say in words what it points at."""
    problems = []
    for kind, records in (("studies", corpus.studies), ("cases", corpus.cases), ("regimens", corpus.regimens)):
        for rid, record in records.items():
            origin = corpus.origins[(kind, rid)]
            for index, note in enumerate(record.notes):
                try:
                    describe(record, note.field, lambda measure: corpus.review.label("measures", measure))
                except NoteFieldError as error:
                    loc = ("notes", index, "field")
                    problems.append(Problem(origin.file, origin.line_of(loc), format_loc(loc),
                                            f"{error}; write the path of a field of this record, e.g. `arms[0].outcomes[1]` or `drugs[0].route`"))
    return problems


def _short(text: str, limit: int = 70) -> str:
    text = normalise_space(text)
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


# --------------------------------------------------------------------------- views


def headline(arm: Arm, measure: str) -> ReportedValue | None:
    """The arm's main value for a measure: whole arm, no time point, no comparison; first source listed wins."""
    for value in arm.outcomes:
        if value.measure == measure and value.subgroup is None and value.timepoint is None and value.comparator is None and value.category is None:
            return value
    return None


@dataclass(frozen=True)
class NoteEntry:
    kind: str
    record_id: str
    record: StudyRecord | RegimenRecord | CaseRecord
    note: CurationNote


def curation_notes(corpus: Corpus) -> list[NoteEntry]:
    entries: list[NoteEntry] = []
    for kind, records in (("studies", corpus.studies), ("cases", corpus.cases), ("regimens", corpus.regimens)):
        for rid, record in records.items():
            entries.extend(NoteEntry(kind, rid, record, note) for note in record.notes)
    return entries


@dataclass
class Derived:
    notes: list[NoteEntry]
    sources_checked: bool
    # every source document → the records drawing on it and what it contributes to each (in record order)
    documents: dict[str, list[DocumentUse]] = field(default_factory=dict)
    flags: list[ConsistencyFlag] = field(default_factory=list)  # figures that disagree; shown, never an error
    quotes: dict[str, list[QuoteUse]] = field(default_factory=dict)  # every document → its quoted passages, in its order

    def notes_by_record(self) -> list[list[NoteEntry]]:
        """The notes of each record together, records in the order pages list them (studies, cases, regimens)."""
        groups: dict[tuple[str, str], list[NoteEntry]] = {}
        for entry in self.notes:
            groups.setdefault((entry.kind, entry.record_id), []).append(entry)
        return list(groups.values())


def check_records(corpus: Corpus, sources_dir: Path | None, catalogue_file: str = "seeds/sources.yaml") -> list[Problem]:
    """The checks that can fail a build. Each looks at one record at a time, so they also run on the
    records that loaded when others did not, and a curator sees every problem in one run."""
    from generator.pages.pooled import check_pooling
    from generator.pages.views import check_comparisons, comparison_views  # the views read this module's headline(): imported when checking

    with collector_paused():
        library = SourceLibrary(sources_dir)
        pooling = [spec for spec in corpus.review.comparisons if spec.pooling is not None]
        if any(arm.regimen not in corpus.regimens for study in corpus.studies.values() for arm in study.arms):
            pooling = []  # a corpus that failed to link (reported already) has no comparisons to pool
        return (check_evidence(corpus, library) + check_source_catalogue(corpus, library, catalogue_file) + check_drug_classes(corpus)
                + check_note_fields(corpus) + check_comparisons(corpus)
                + (check_pooling(corpus, comparison_views(corpus, pooling)) if pooling else []))


def derive(corpus: Corpus, sources_dir: Path | None) -> Derived:
    """What pages need beyond the records, from a corpus that passed :func:`check_records`."""
    library = SourceLibrary(sources_dir)
    with collector_paused():
        return Derived(curation_notes(corpus), library.available, document_uses(corpus), check_consistency(corpus),
                       document_quotes(corpus, library))


@dataclass(frozen=True)
class DocumentUse:
    record: StudyRecord | CaseRecord | RegimenRecord
    role: str | None  # what the record's `sources:` entry says the document contributes; None if it is only quoted


@dataclass(frozen=True)
class QuoteUse:
    """One passage quoted from a document, where it stands in it, and the values it supports."""

    quote: str
    anchor: str  # the passage's anchor on its document's page (quote_anchor)
    position: int | None  # where the passage starts in the document's text; None without the document at hand
    # each record, and the paths of what of it the passage supports (words on the page: generator.derive.note_subjects)
    supports: list[tuple[StudyRecord | CaseRecord | RegimenRecord, list[str]]]


def quote_anchor(quote: str) -> str:
    """The anchor of a quoted passage on its document's page: the same passage, the same anchor, on every build."""
    return "q-" + hashlib.sha1(normalise_space(quote).encode("utf-8")).hexdigest()[:10]


def document_quotes(corpus: Corpus, library: SourceLibrary) -> dict[str, list[QuoteUse]]:
    """Every document's quoted passages in the order they stand in it (as records list them, without the document)."""
    found: dict[str, dict[str, QuoteUse]] = {}
    for (_kind, _rid), origin in sorted(corpus.origins.items()):
        record = origin.record
        for loc, model in iter_models(record):
            source, quote = getattr(model, "source", None), getattr(model, "quote", None)
            if not source or not quote:
                continue
            # a value is named by itself; a step's or the patient's quotes by what holds them; other lists by their field
            if isinstance(model, ReportedValue | MarkerReading) or not loc or not isinstance(loc[-1], int):
                owner = loc
            else:
                owner = loc[:-2] if len(loc) >= 3 and loc[-2] == "evidence" else loc[:-1]
            about = _path(owner)
            anchor = quote_anchor(quote)
            entry = found.setdefault(source, {}).get(anchor)
            if entry is None:
                text = library.text(source)
                index = text.find(normalise_space(quote)) if text is not None else -1
                entry = found[source][anchor] = QuoteUse(quote, anchor, index if index >= 0 else None, [])
            held = next((paths for supported, paths in entry.supports if supported is record), None)
            if held is None:
                entry.supports.append((record, [about]))
            elif about not in held:
                held.append(about)
    return {document: sorted(quotes.values(), key=lambda use: (use.position is None, use.position or 0))
            for document, quotes in sorted(found.items())}


def _path(loc: Loc) -> str:
    """A location as a field path (``('arms', 0, 'outcomes', 2)`` → ``arms[0].outcomes[2]``)."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path


def document_uses(corpus: Corpus) -> dict[str, list[DocumentUse]]:
    """Each document named in a record's `sources:` or quoted by it, with the records using it (one pass)."""
    uses: dict[str, dict[tuple[str, str], DocumentUse]] = {}
    for (kind, rid), origin in sorted(corpus.origins.items(), key=lambda item: (("studies", "cases", "regimens").index(item[0][0]), item[0][1])):
        record = origin.record
        for ref in getattr(record, "sources", []):
            uses.setdefault(ref.document, {})[(kind, rid)] = DocumentUse(record, ref.role)
        for _, model in iter_models(record):
            if isinstance(model, Evidence) and model.source:
                uses.setdefault(model.source, {}).setdefault((kind, rid), DocumentUse(record, None))
    return {document: list(uses[document].values()) for document in sorted(uses)}
