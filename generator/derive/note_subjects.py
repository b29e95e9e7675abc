"""What a curation note is about, in words: its ``field`` path resolved against its record.

Curators write a note's ``field`` as a path into the record (``arms[0].outcomes[2]``, ``drugs[1].route``,
``timeline (HAIC).dose``, ``study_type, design``). Readers must never see that path: the pages show what it points
at, by the names the pages use ("Arm ‘Exampletinib’: median OS"). A path that names nothing in its record is a
problem at build time, so a note can never silently point at the wrong value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel

from generator.records.schema import Arm, Drug, MarkerReading, ReportedValue, TreatmentLine

# A field path's parts: `name`, then `[3]`, `[]` or `[*]`, then ` (qualifier)`; parts joined by dots, paths by commas.
_SEGMENT = re.compile(r"(?P<name>[a-z_]+)(?:\[(?P<index>\d*|\*)\])?")

# Words for field names that humanising alone gets wrong (the rest: underscores to spaces).
_FIELD_WORDS: dict[str, str] = {
    "registry_ids": "registry numbers",
    "drug_class": "drug class",
    "population_values": "population",
    "outcomes": "outcomes",
    "study_type": "study type",
    "follow_up": "follow-up",
    "line_of_therapy": "line of therapy",
    "response_as_reported": "response as reported",
    "start_as_reported": "start as reported",
    "best_response": "best response",
    "defined_by": "how the group is defined",
    "markers": "tumour markers",
    "timeline": "timeline",
    "notes": "curation note",
    "evidence": "quotes",
}

# What a list item is called when a path points at all of them (`arms[]`, `drugs[*]`).
_EVERY: dict[str, str] = {"arms": "every arm", "drugs": "every drug", "outcomes": "every outcome", "timeline": "every timeline step",
                          "population_values": "every population value", "markers": "every marker reading"}


# What one list item is called when a qualifier, not a position, says which (`timeline (HAIC)`).
_ITEM: dict[str, str] = {"notes": "curation note", "arms": "arm", "drugs": "drug", "outcomes": "outcome", "timeline": "timeline step",
                         "population_values": "population value", "markers": "marker reading"}


class NoteFieldError(ValueError):
    """A note's ``field`` that names nothing in its record."""


@dataclass(frozen=True)
class NoteSubject:
    words: str  # what the note is about, as a reader reads it; empty where the note is about the whole record


def field_words(name: str) -> str:
    return _FIELD_WORDS.get(name, name.replace("_", " "))


def describe(record: BaseModel, field: str | None, measure_label: Callable[[str], str]) -> NoteSubject:
    """The words for ``field`` (see the module's docstring); raises :class:`NoteFieldError` where it names nothing."""
    if not field:
        return NoteSubject("")
    return NoteSubject("; ".join(_describe_path(record, path.strip(), measure_label) for path in _split_paths(field)))


def _split_paths(field: str) -> list[str]:
    """Split at commas outside parentheses (a qualifier may hold a comma)."""
    paths, depth, start = [], 0, 0
    for i, char in enumerate(field):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            paths.append(field[start:i])
            start = i + 1
    paths.append(field[start:])
    return [path for path in paths if path.strip()]


def _describe_path(record: BaseModel, path: str, measure_label: Callable[[str], str]) -> str:
    words: list[str] = []
    current: object = record
    position = 0
    while position < len(path):
        match = _SEGMENT.match(path, position)
        if match is None:
            raise NoteFieldError(f"`{path}`: cannot read a field name at “{path[position:]}”")
        name, index = match["name"], match["index"]
        qualifier, end = _qualifier(path, match.end())
        if not isinstance(current, BaseModel) or name not in type(current).model_fields:
            owner = type(current).__name__ if isinstance(current, BaseModel) else "a value"
            raise NoteFieldError(f"`{path}`: {owner} has no field `{name}`")
        value = getattr(current, name)
        if index is None and qualifier and isinstance(value, list):
            # `timeline (HAIC)`: one item, named by the qualifier rather than by its position
            # outcomes named by their measures read as those measures: "Arm ‘X’: Median OS, Median PFS"
            named = _qualifier_words(qualifier, measure_label)
            words.append(named if name == "outcomes" else f"{_ITEM.get(name, field_words(name))} ({named})")
            qualifier = None
            current = value[0] if value else None
        elif index is None:
            words.append(field_words(name))
            current = value
        elif index in {"", "*"}:
            if not isinstance(value, list):
                raise NoteFieldError(f"`{path}`: `{name}` is not a list")
            words.append(_EVERY.get(name, f"every item of {field_words(name)}"))
            current = value[0] if value else None
        else:
            if not isinstance(value, list) or int(index) >= len(value):
                size = len(value) if isinstance(value, list) else 0
                raise NoteFieldError(f"`{path}`: `{name}` has {size} item{'s' if size != 1 else ''}, so there is no `{name}[{index}]`")
            current = value[int(index)]
            words.append(_item_words(name, current, measure_label))
        if qualifier:
            words[-1] = f"{words[-1]} ({_qualifier_words(qualifier, measure_label)})"
        position = end
        if position < len(path):
            if path[position] != ".":
                raise NoteFieldError(f"`{path}`: expected “.” before “{path[position:]}”")
            position += 1
    text = ": ".join(words)
    return text[:1].upper() + text[1:]


def _qualifier(path: str, start: int) -> tuple[str | None, int]:
    """A bracketed qualifier at ``start`` (`` (HAIC)``, brackets inside it balanced) and where it ends; none: (None, start)."""
    if not path.startswith(" (", start):
        return None, start
    depth = 0
    for index in range(start + 1, len(path)):
        depth += {"(": 1, ")": -1}.get(path[index], 0)
        if depth == 0:
            return path[start + 2:index], index + 1
    raise NoteFieldError(f"`{path}`: a bracket opened at “{path[start + 1:start + 21]}” is never closed")


def _item_words(name: str, item: object, measure_label: Callable[[str], str]) -> str:
    """One list item by the name pages give it."""
    if isinstance(item, Arm):
        return f"arm ‘{item.label}’"
    if isinstance(item, Drug):
        return f"drug ‘{item.name}’"
    if isinstance(item, TreatmentLine):
        return f"timeline step ‘{item.label}’"
    if isinstance(item, MarkerReading):
        return f"{item.marker} reading"
    if isinstance(item, ReportedValue):
        details = [part for part in (item.category, item.subgroup, item.timepoint) if part]
        label = measure_label(item.measure)
        return f"{label} ({', '.join(details)})" if details else label
    return field_words(name)


def _qualifier_words(qualifier: str, measure_label: Callable[[str], str]) -> str:
    """A qualifier with any measure id in it said by its label (`adverse_event Rash` → `Adverse event Rash`); ``measure_label``
    gives back any other word as it is."""
    return re.sub(r"\b[a-z_]+\b", lambda word: measure_label(word[0]), qualifier)
