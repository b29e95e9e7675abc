"""Stage 1, load: seed YAML files → typed records, each with the line of every field.

Every problem of every file is collected; nothing stops at the first one. YAML is read
with a restricted loader: no anchors or aliases (they are not needed in records and
make exponential expansion possible), no implicit timestamps (dates stay the strings
the curator typed), and duplicate keys are errors (PyYAML would silently keep the last).
An ordinary record is read in one pass over LibYAML's events; anything unusual or wrong
takes the exact path, which decides and words every error (see "the fast path" below).
"""

from __future__ import annotations

import difflib
import functools
import gc
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from generator.caches import build_cache
from generator.errors import Problem, display_path
from generator.publish.forked import ForkedCall
from generator.publish.progress import Progress, stage
from generator.records.schema import RECORD_KINDS, CaseRecord, Glossary, RegimenRecord, ReviewCitation, SourceCatalogue, StudyRecord
from generator.review.file import ReviewFile

MAX_RECORD_BYTES = 1_000_000
MAX_NESTING = 40  # records nest about 6 deep; PyYAML composes recursively, so a bound keeps the stack safe
GLOSSARY_FILE = "glossary.yaml"  # the one glossary file, directly in seeds/
SOURCES_FILE = "sources.yaml"  # the one list of source documents, directly in seeds/ (optional)
REVIEW_FILE = "review.yaml"  # the review file, directly in seeds/ (generator/review/file.py): required
Loc = tuple[str | int, ...]
AnyRecord = StudyRecord | RegimenRecord | CaseRecord


@dataclass
class LoadedRecord:
    """A validated record, where it came from, and the line of each of its fields."""

    kind: str
    record: AnyRecord
    file: str  # as shown to the user
    path: Path = field(repr=False)
    # Lines are wanted only for a problem, and cost as much memory as the record: a valid file's are found
    # by reading it again when first asked for (a file saved again since then gives its new lines).
    _lines: dict[Loc, int] | None = field(default=None, repr=False, compare=False)

    @property
    def lines(self) -> dict[Loc, int]:
        """The line of each field (and list item) of the record's file."""
        if self._lines is None:
            self._lines = _read_mapping(self.path, self.file)[1]
        return self._lines

    def line_of(self, loc: Loc) -> int:
        return line_for(self.lines, loc)


@dataclass
class LoadResult:
    records: list[LoadedRecord]
    problems: list[Problem]
    glossary: Glossary = field(default_factory=Glossary)
    sources: SourceCatalogue = field(default_factory=SourceCatalogue)
    sources_lines: dict[Loc, int] = field(default_factory=dict)  # the line of each field of seeds/sources.yaml
    review: ReviewFile | None = None  # the review file; None when it is missing or invalid (its problems are among `problems`)
    review_file: str = REVIEW_FILE  # the review file's path, as shown


# LibYAML (C) parses ten times faster than PyYAML's Python parser; both behave the same here.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_COLLECTION_START = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_COLLECTION_END = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


class _RecordLoader(_Loader):  # type: ignore[valid-type, misc]
    """The safe loader without timestamps (dates stay the strings the curator typed)."""


def _check_structure(text: str) -> None:
    """Refuse anchors, aliases and deep nesting before anything is composed.

    Walking the event stream takes no recursion and no memory, whatever the input; composing
    nodes recurses once per level, and aliases (the "billion laughs") multiply the data.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        mark: Any = event.start_mark  # LibYAML's marks are a C type with the same fields
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.MarkedYAMLError(None, None, "anchors and aliases (&name, *name) are not allowed in seed records", mark)
        if isinstance(event, _COLLECTION_START):
            depth += 1
            if depth > MAX_NESTING:
                raise yaml.MarkedYAMLError(None, None, f"nested more than {MAX_NESTING} levels deep; a record needs far fewer", mark)
        elif isinstance(event, _COLLECTION_END):
            depth -= 1


_RecordLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int, first_line: int) -> None:
        self.key, self.line, self.first_line = key, line, first_line


def _to_python(node: yaml.Node, loader: _RecordLoader, loc: Loc, lines: dict[Loc, int]) -> Any:
    """Build plain Python data from a YAML node, recording the line of every location."""
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        first_seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = _construct(loader, key_node)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str | int) or isinstance(key, bool):
                raise yaml.MarkedYAMLError(None, None, f"a key must be a name, got {key!r}", key_node.start_mark)
            if key in first_seen:
                raise _DuplicateKey(str(key), key_line, first_seen[key])
            first_seen[key] = key_line
            lines[(*loc, key)] = key_line
            result[key] = _to_python(value_node, loader, (*loc, key), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, loader, (*loc, index), lines) for index, item in enumerate(node.value)]
    return _construct(loader, node)


_CONSTRUCT_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError)  # content a tag cannot hold


def _construct(loader: _RecordLoader, node: yaml.Node) -> Any:
    """A scalar's Python value; a value its tag cannot hold (``!!int abc``, a 5,000-digit number) is a YAML error."""
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError:
        raise
    except _CONSTRUCT_ERRORS as error:
        shown = repr(node.value) if isinstance(node.value, str) else "this value"
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        raise yaml.MarkedYAMLError(None, None, f"cannot read {shown} as {node.tag.rpartition(':')[2]} ({type(error).__name__})",
                                   node.start_mark) from None


def parse_yaml(text: str, name: str, with_lines: bool = True) -> tuple[Any, dict[Loc, int]]:
    """Parse one YAML document; raise ``yaml.YAMLError`` or ``_DuplicateKey``.

    ``with_lines`` False: the lines may be left out (the fast path leaves them out, an empty dict).
    """
    parsed = _parse_plain_record(text, with_lines)
    # something out of the ordinary (or wrong): the exact path decides, and words every error
    return parsed if parsed is not None else _parse_exact(text)


def _parse_exact(text: str) -> tuple[Any, dict[Loc, int]]:
    """Check the structure on the event stream, then compose the nodes and convert them one by one."""
    _check_structure(text)
    loader = _RecordLoader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Loc, int] = {}
        data = None if node is None else _to_python(node, loader, (), lines)
    finally:
        loader.dispose()
    return data, lines


# --------------------------------------------------------------------------- the fast path
#
# Nearly every seed file is one document of mappings, lists and untagged scalars. For those, one walk
# over LibYAML's event stream builds the data and the lines directly: no second parse for the
# structure checks, no node graph, no per-node constructor dispatch. Anything else (anchors, aliases,
# tags, complex keys, duplicate keys, deep nesting, several documents, a value its tag cannot hold,
# any syntax error) makes it give up, and parse_yaml's exact path above reads the file instead; so
# this path never has to word an error, and gives the same data and lines whenever it answers.

_STR_TAG = "tag:yaml.org,2002:str"
# the constructors of the other tags a plain scalar can resolve to (merge "<<" and value "=" have none)
_PLAIN_CONSTRUCTORS = {
    tag: _RecordLoader.yaml_constructors[tag]
    for tag in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
}
_PLAIN_RESOLVER = yaml.resolver.Resolver()
_PLAIN_RESOLVER.yaml_implicit_resolvers = _RecordLoader.yaml_implicit_resolvers  # without timestamps
_PLAIN_CONSTRUCTOR = yaml.constructor.SafeConstructor()  # those constructors need one, and use only the node
# A plain scalar whose first character starts no implicit pattern is text (unless a pattern matches anything).
_TEXT_FIRST_CHARACTER_DECIDES = None not in _RecordLoader.yaml_implicit_resolvers
_PATTERN_FIRST_CHARACTERS = frozenset(_RecordLoader.yaml_implicit_resolvers) - {None}


class _Unusual(Exception):
    """The file holds something the fast path leaves to the exact path."""


@build_cache(maxsize=8192)
def _plain_scalar(value: str) -> Any:
    """An untagged plain scalar's value, typed by the loader's resolver and constructors.

    Cached: the same keys, words and numbers recur in every record (the constructors are pure).
    """
    if _TEXT_FIRST_CHARACTER_DECIDES and value and value[0] not in _PATTERN_FIRST_CHARACTERS:
        return value
    tag = _PLAIN_RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    if tag == _STR_TAG:
        return value
    construct = _PLAIN_CONSTRUCTORS.get(tag)
    if construct is None:
        raise _Unusual
    return construct(_PLAIN_CONSTRUCTOR, yaml.ScalarNode(tag, value))


def _parse_plain_record(text: str, with_lines: bool = True) -> tuple[Any, dict[Loc, int]] | None:
    """The data and lines (if asked for) of an ordinary one-document file, or None to leave the file to the exact path."""
    loader = _RecordLoader(text)
    try:
        return _PlainReader(loader, with_lines).document()
    except (_Unusual, yaml.YAMLError, *_CONSTRUCT_ERRORS):
        return None
    finally:
        loader.dispose()


class _PlainReader:
    """Builds plain Python data from the event stream, recording lines as ``_to_python`` does (same values,
    same order); one call per mapping or list, a few lines per scalar. Events are typed ``Any``: LibYAML's
    carry marks of its own C type. Without ``with_lines``, no lines (and no locations) at all."""

    def __init__(self, loader: _RecordLoader, with_lines: bool = True) -> None:
        self.next_event: Callable[[], Any] = loader.get_event
        self.lines: dict[Loc, int] = {}
        self.with_lines = with_lines

    def document(self) -> tuple[Any, dict[Loc, int]]:
        next_event = self.next_event
        if type(next_event()) is not yaml.StreamStartEvent or type(next_event()) is not yaml.DocumentStartEvent:
            raise _Unusual  # no document: the exact path reports the empty file
        event = next_event()
        if self.with_lines:
            self.lines[()] = event.start_mark.line + 1
        data = self.value(event, (), 0)
        if type(next_event()) is not yaml.DocumentEndEvent or type(next_event()) is not yaml.StreamEndEvent:
            raise _Unusual
        return data, self.lines

    def value(self, event: Any, loc: Loc, depth: int) -> Any:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            return self.scalar(event)
        if kind is not yaml.MappingStartEvent and kind is not yaml.SequenceStartEvent:
            raise _Unusual  # an alias
        if event.anchor is not None or event.tag is not None or depth >= MAX_NESTING:
            raise _Unusual
        return self.mapping(loc, depth + 1) if kind is yaml.MappingStartEvent else self.sequence(loc, depth + 1)

    def mapping(self, loc: Loc, depth: int) -> dict[Any, Any]:
        next_event, lines, scalar, with_lines = self.next_event, self.lines, self.scalar, self.with_lines
        scalar_event: Any = yaml.ScalarEvent  # local: the loop's most frequent test
        key_loc = loc
        mapping: dict[Any, Any] = {}
        while True:
            event = next_event()
            if type(event) is not scalar_event:
                if type(event) is yaml.MappingEndEvent:
                    return mapping
                raise _Unusual  # a mapping or list as a key, or an alias
            key = scalar(event)
            if (type(key) is not str and type(key) is not int) or key in mapping:
                raise _Unusual
            if with_lines:
                key_loc = (*loc, key)
                lines[key_loc] = event.start_mark.line + 1
            event = next_event()
            mapping[key] = scalar(event) if type(event) is scalar_event else self.value(event, key_loc, depth)

    def sequence(self, loc: Loc, depth: int) -> list[Any]:
        next_event, lines, with_lines = self.next_event, self.lines, self.with_lines
        items: list[Any] = []
        item_loc = loc
        while True:
            event = next_event()
            if type(event) is yaml.SequenceEndEvent:
                return items
            if with_lines:
                item_loc = (*loc, len(items))
                lines[item_loc] = event.start_mark.line + 1
            items.append(self.value(event, item_loc, depth))

    def scalar(self, event: Any) -> Any:
        if event.anchor is not None or event.tag is not None:
            raise _Unusual
        # quoted or a block: text; plain: the resolver decides its type
        return _plain_scalar(event.value) if event.implicit[0] else event.value


def line_for(lines: dict[Loc, int], loc: Loc) -> int:
    """Line of the deepest known location on the way to ``loc`` (a missing field points at its parent)."""
    for length in range(len(loc), -1, -1):
        if loc[:length] in lines:
            return lines[loc[:length]]
    return 1


def format_loc(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _model_types(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in getattr(annotation, "__args__", ()):
        yield from _model_types(argument)


def fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """Names of the fields allowed at a location (used to suggest a fix for a typo)."""
    models = [model]
    for part in loc:
        if isinstance(part, int):
            continue
        models = [found for m in models if part in m.model_fields for found in _model_types(m.model_fields[part].annotation)]
    return sorted({name for m in models for name in m.model_fields})


_VALIDATOR_STEP = re.compile(r"^[a-z]+(?:-[a-z]+)*\[.*\]$")
_EXPECTED = {
    "missing": "required field is missing",
    "float_parsing": "expected a number",
    "float_type": "expected a number",
    "int_parsing": "expected a whole number",
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "string_type": "expected text (put it in quotes if it looks like a number or date)",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list (lines starting with '- ')",
    "model_type": "expected a mapping of fields (name: value)",
    "model_attributes_type": "expected a mapping of fields (name: value)",
    "dict_type": "expected a mapping (name: value)",
}


def describe_error(error: ErrorDetails, model: type[BaseModel]) -> str:
    """A validation error in the user's terms: what was expected, and what was found."""
    kind = error["type"]
    if kind == "extra_forbidden":
        name = str(error["loc"][-1])
        close = difflib.get_close_matches(name, fields_at(model, error["loc"][:-1]), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown field {name!r}{hint}"
    message = _EXPECTED.get(kind)
    if message is None:
        message = error["msg"]
        if message.startswith("Value error, "):
            return message.removeprefix("Value error, ")
        message = "expected: " + message[0].lower() + message[1:]
    if kind != "missing":
        shown = repr(error.get("input"))
        message += f", got {shown if len(shown) <= 60 else shown[:57] + '...'}"
    return message


def _field_loc(loc: Loc, lines: dict[Loc, int]) -> Loc:
    """pydantic puts validator steps such as "function-after[...]" into locations; keep only the fields
    (a part the file has is a field even if it looks like a step: a key may be named anything)."""
    kept: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and (*kept, part) not in lines and _VALIDATOR_STEP.match(part):
            continue
        kept.append(part)
    return tuple(kept)


def _validation_problems(error: ValidationError, model: type[BaseModel], file: str, lines: dict[Loc, int]) -> list[Problem]:
    problems = []
    for detail in error.errors(include_url=False):
        loc = _field_loc(detail["loc"], lines)
        problems.append(Problem(file, line_for(lines, loc), format_loc(loc), describe_error({**detail, "loc": loc}, model)))
    return problems


def _read_mapping(path: Path, file: str, with_lines: bool = True) -> tuple[dict[str, Any] | None, dict[Loc, int], list[Problem]]:
    """Read one YAML file that must hold a mapping: the data, the line of each field (if ``with_lines``:
    else they may be missing), or the problems."""
    try:
        size = path.stat().st_size
        with path.open("rb") as stream:  # read no more than the limit allows, whatever the file claims
            raw = stream.read(MAX_RECORD_BYTES + 1)
    except OSError as error:  # unreadable (permissions), a folder or a FIFO where a file should be …
        return None, {}, [Problem(file, 0, "", f"cannot be read ({error.strerror or error}); make it a readable file")]
    if len(raw) > MAX_RECORD_BYTES:
        return None, {}, [Problem(file, 0, "", f"file is {max(size, len(raw)):,} bytes; a seed record may be at most {MAX_RECORD_BYTES:,}")]
    if raw.startswith(b"\xef\xbb\xbf"):
        return None, {}, [Problem(file, 1, "", "file starts with a byte-order mark; save it as UTF-8 without BOM")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, {}, [Problem(file, line, "", f"not valid UTF-8 (byte 0x{raw[error.start]:02x}); save the file as UTF-8")]
    try:
        data, lines = parse_yaml(text, file, with_lines)
    except _DuplicateKey as error:
        return None, {}, [Problem(file, error.line, error.key, f"duplicate key (first given on line {error.first_line})")]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        # an error at the end of the stream is reported on the file's last line, not the one after it
        line = min(mark.line + 1, text.count("\n") + 1) if mark else 0
        reason = error.problem or error.context or "invalid YAML"
        if "'\\t'" in reason:
            reason = "a tab character; YAML indentation must use spaces, not tabs"
        if error.context and error.context_mark and error.problem and error.context_mark.line + 1 != line:
            reason += f" ({error.context} that starts on line {error.context_mark.line + 1})"
        return None, {}, [Problem(file, line, "", f"YAML syntax error: {reason}")]
    except yaml.reader.ReaderError as error:
        # LibYAML counts the position in UTF-8 bytes, PyYAML in characters
        before = text[: error.position] if _Loader is yaml.SafeLoader else text.encode()[: error.position].decode(errors="replace")
        line = before.count("\n") + 1
        code = ord(error.character) if isinstance(error.character, str) else error.character
        return None, {}, [Problem(file, line, "", f"character U+{code:04X} is not allowed in YAML ({error.reason})")]
    except yaml.YAMLError as error:
        return None, {}, [Problem(file, 0, "", f"YAML syntax error: {' '.join(str(error).split())}")]
    if data is None:
        return None, {}, [Problem(file, 1, "", "file is empty; expected a record (a mapping of fields)")]
    if not isinstance(data, dict):
        found = "a list" if isinstance(data, list) else f"a single value ({type(data).__name__})"
        return None, {}, [Problem(file, 1, "", f"expected a record (a mapping of fields), found {found}")]
    return data, lines, []


def load_file(path: Path, kind: str, root: Path, file: str | None = None) -> tuple[LoadedRecord | None, list[Problem]]:
    """Read and validate one seed file; return the record or the problems. ``file``: the path as shown, if known."""
    file = display_path(path, root) if file is None else file
    loaded, problems = _validate_record(path, kind, file, _read_mapping(path, file, with_lines=False))
    return loaded, problems + (_id_problems(loaded, {}) if loaded is not None else [])


def _validate_record(path: Path, kind: str, file: str, read: tuple[dict[str, Any] | None, dict[Loc, int], list[Problem]],
                     ) -> tuple[LoadedRecord | None, list[Problem]]:
    """The record of what :func:`_read_mapping` read from ``path`` (lines or not), or the problems."""
    data, lines, problems = read
    if data is None:
        return None, problems
    model = RECORD_KINDS[kind]
    try:
        record = model.model_validate(data)
    except ValidationError as error:
        return None, _validation_problems(error, model, file, lines or _read_mapping(path, file)[1])
    return LoadedRecord(kind, record, file, path, lines or None), problems


def _id_problems(loaded: LoadedRecord, named: dict[str, LoadedRecord]) -> list[Problem]:
    """A record's id is its file's name. ``named``: the loaded records of its kind by file name, so that a copy
    under another name is told, in the same one line, whose id it repeats (no second line for the duplicate)."""
    record, stem = loaded.record, loaded.path.stem
    if record.id == stem:
        return []
    owner = named.get(record.id)
    if owner is not None and owner.record.id == record.id:
        message = f"duplicate id {record.id!r}, also used by {owner.file}; expected {stem!r}, this file's name"
    else:
        message = f"id {record.id!r} does not match the file name; expected {stem!r} (or rename the file)"
    return [Problem(loaded.file, loaded.line_of(("id",)), "id", message)]


def _not_a_file(path: Path, root: Path) -> list[Problem]:
    """An optional file that is absent is no problem; one that is there but not a file (a folder, a FIFO) is."""
    return [Problem(display_path(path, root), 0, "", "is not a regular file; make it one, or remove it")] if os.path.lexists(path) else []


M = TypeVar("M", bound=BaseModel)


def _load_model(path: Path, root: Path, model: type[M]) -> tuple[M | None, dict[Loc, int], list[Problem]]:
    """One of a review's own files (glossary, sources, citation, review file) validated by its model, with the line of each
    field; None where it is absent (no problem unless something other than a file is in its place) or invalid."""
    if not path.is_file():
        return None, {}, _not_a_file(path, root)
    file = display_path(path, root)
    data, lines, problems = _read_mapping(path, file)
    if data is None:
        return None, {}, problems
    try:
        return model.model_validate(data), lines, []
    except ValidationError as error:
        return None, {}, _validation_problems(error, model, file, lines)


def load_glossary(path: Path, root: Path) -> tuple[Glossary, list[Problem]]:
    """The review's glossary file; an absent file is an empty glossary."""
    glossary, _, problems = _load_model(path, root, Glossary)
    return glossary or Glossary(), problems


def load_source_catalogue(path: Path, root: Path) -> tuple[SourceCatalogue, dict[Loc, int], list[Problem]]:
    """The review's list of source documents, with the line of each field; an absent file is an empty list (pages then
    name documents by file)."""
    catalogue, lines, problems = _load_model(path, root, SourceCatalogue)
    return catalogue or SourceCatalogue(), lines, problems


def load_review_citation(path: Path, root: Path) -> tuple[ReviewCitation | None, list[Problem]]:
    """The review's own CITATION.cff (optional): what pages show under "cite this review"."""
    citation, _, problems = _load_model(path, root, ReviewCitation)
    return citation, problems


def load_review_file(path: Path, root: Path) -> tuple[ReviewFile | None, list[Problem]]:
    """The review file (required: every vocabulary a record draws from is declared there)."""
    review, _, problems = _load_model(path, root, ReviewFile)
    if review is None and not problems:
        problems = [Problem(display_path(path, root), 0, "", (
            "the review file is missing: it declares the review's vocabularies, measures and comparison pages "
            "(`litreview init` writes a starter; the curator's guide documents every field)"))]
    return review, problems


def load_corpus(seeds_dir: Path, root: Path, progress: Progress | None = None, fork: bool = False) -> LoadResult:
    """Load every record under ``seeds_dir/{studies,regimens,cases}``; collect every problem.

    ``fork``: a forked copy of this process reads (parses) the second half of the files meanwhile; for a
    process that runs no other thread (see :mod:`generator.publish.forked`). Same result, in the same order.
    """
    records: list[LoadedRecord] = []
    glossary_path = seeds_dir / GLOSSARY_FILE
    glossary, problems = load_glossary(glossary_path, root)
    sources_path = seeds_dir / SOURCES_FILE
    sources, sources_lines, source_problems = load_source_catalogue(sources_path, root)
    problems += source_problems
    review_path = seeds_dir / REVIEW_FILE
    review, review_problems = load_review_file(review_path, root)
    problems += review_problems
    special = {glossary_path, sources_path, review_path}
    # A folder the build cannot list would silently hold no records: say so instead.
    for folder in [seeds_dir, *(seeds_dir / kind for kind in RECORD_KINDS)]:
        if folder.is_dir() and not os.access(folder, os.R_OK | os.X_OK):
            problems.append(Problem(display_path(folder, root), 0, "", "cannot be read (permission denied); its records would be left out"))
    # A folder (or FIFO) named like a record is no record: said in one line, rather than passed over in silence.
    paths = sorted(p for p in seeds_dir.rglob("*")
                   if (p.is_file() or p.is_symlink() or p.suffix == ".yaml") and not p.name.startswith(".") and p not in special)
    loading = stage(progress, "records loaded", len(paths))
    shown_folders: dict[Path, PurePath] = {}  # display_path resolves a file's folder: once per folder here

    def shown(path: Path) -> str:
        if path.parent not in shown_folders:
            shown_folders[path.parent] = PurePath(display_path(path, root)).parent
        return str(shown_folders[path.parent] / path.name)

    records_to_read: list[tuple[Path, str, str]] = []  # path, kind, path as shown
    for path in paths:
        relative = path.relative_to(seeds_dir)
        if path.is_symlink():
            problems.append(Problem(shown(path), 0, "", "is a symbolic link; records must be files inside seeds/"))
            continue
        if not path.is_file():
            problems.append(Problem(shown(path), 0, "", "is not a regular file; make it one, or remove it"))
            continue
        kind = relative.parts[0] if len(relative.parts) == 2 else None
        if kind not in RECORD_KINDS or path.suffix != ".yaml":
            problems.append(Problem(
                shown(path), 0, "",
                ("unexpected file: records are `<id>.yaml` files directly inside seeds/studies/, seeds/regimens/ or seeds/cases/ "
                 "(and seeds/review.yaml, seeds/glossary.yaml, seeds/sources.yaml)"),
            ))
            continue
        records_to_read.append((path, kind, shown(path)))
    loading.advance(len(paths) - len(records_to_read))
    # Parsing is most of loading, and needs nothing from other files: the copy reads the second half.
    middle = len(records_to_read) // 2 if fork else len(records_to_read)
    second_half = ForkedCall(functools.partial(_read_files, records_to_read[middle:])) if middle < len(records_to_read) else None
    with collector_paused():
        for path, kind, file in records_to_read[:middle]:
            loading.advance()
            _add_record(records, problems, *_validate_record(path, kind, file, _read_mapping(path, file, with_lines=False)))
        if second_half is not None:
            for (path, kind, file), read in zip(records_to_read[middle:], second_half.result(), strict=True):
                loading.advance()
                _add_record(records, problems, *_validate_record(path, kind, file, read))
    loading.close()
    named: dict[str, dict[str, LoadedRecord]] = {kind: {} for kind in RECORD_KINDS}
    for item in records:
        named[item.kind][item.path.stem] = item
    for item in records:
        problems += _id_problems(item, named[item.kind])
    return LoadResult(records, problems, glossary, sources, sources_lines, review, display_path(review_path, root))


def _read_files(files: list[tuple[Path, str, str]]) -> list[tuple[dict[str, Any] | None, dict[Loc, int], list[Problem]]]:
    with collector_paused():
        return [_read_mapping(path, file, with_lines=False) for path, _, file in files]


def _add_record(records: list[LoadedRecord], problems: list[Problem], loaded: LoadedRecord | None, found: list[Problem]) -> None:
    problems.extend(found)
    if loaded is not None:
        records.append(loaded)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Keep Python's cyclic garbage collector out of a stage that builds many long-lived objects.

    Loading a large review builds a few hundred thousand objects (records, their text, the lines) that
    live until the build ends and form no reference cycles. The collector would pass over the growing
    heap again and again (half the time of loading 5,000 studies). Paused, and the new objects then
    moved straight among the old ones (freeze + unfreeze, which moves without a pass), they cost it
    nothing until its next full pass. Nested pauses end with the outermost.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:  # never unfreeze what the host process froze on purpose
                gc.freeze()
                gc.unfreeze()
            gc.enable()
