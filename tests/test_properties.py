"""Property-based tests (Hypothesis) of the loader and of the derived statistics.

Each test states a rule that must hold for every input of a kind, checks it against an oracle
written independently of the code under test (own calendar arithmetic, own integer rounding,
own line counting), and can fail. The bugs these properties found (deep nesting raising
RecursionError, a key containing '[' crashing the error formatter, standard tags with content they
cannot hold, integers over 4,300 digits, characters YAML refuses reported without a line) are fixed;
each test keeps its failing input as an ``@example``.

Hypothesis keeps no example database here (``database=None``): nothing is written into the
project, and every run is self-contained.
"""

from __future__ import annotations

import datetime
import math
import posixpath
import re
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path
from typing import TypeAlias

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from pydantic import BaseModel, TypeAdapter, ValidationError

from generator.derive.consistency import PERCENT_VS_COUNT, check_study
from generator.derive.intervals import clopper_pearson, format_computed_percent
from generator.errors import Problem
from generator.pages.render import relative_path
from generator.records.load import LoadedRecord, Loc, _read_mapping, format_loc, load_file, load_review_file, parse_yaml
from generator.records.schema import (
    YEAR_RANGE,
    Arm,
    Design,
    PartialDate,
    ReportedValue,
    SourceRef,
    StudyRecord,
    _check_partial_date,
    check_characters,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_STUDY = ROOT / "tests" / "fixtures" / "review" / "seeds" / "studies" / "fixture-trial.yaml"

# Hypothesis writes caches even without an example database (local constants, at collection): keep them out of
# the project folder. This is set when the module is imported, before Hypothesis' collection hook runs.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "litreview-hypothesis")
BASE = settings(database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# YAML 1.1 line breaks (PyYAML counts exactly these); "\r\n" is one break.
YAML_BREAKS = "\r\n\x85\u2028\u2029"
# Unicode White_Space: what pydantic's `strip_whitespace` (Rust `str::trim`) removes. Python's `str.strip`
# also removes U+001C..U+001F, which are not White_Space; the schema keeps them.
WHITE_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the whole module: each example overwrites the same few files."""
    root = tmp_path_factory.mktemp("properties")
    (root / "studies").mkdir()
    return root


# =========================================================================== loader: robustness

FUZZ_FILE = "studies/fuzz.yaml"


def load_raw(root: Path, raw: bytes) -> tuple[LoadedRecord | None, list[Problem]]:
    path = root / FUZZ_FILE
    path.write_bytes(raw)
    return load_file(path, "studies", root)


def last_line(raw: bytes) -> int:
    """The number of the last line of a file, counting every line break YAML (or a byte-level reader) may count."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.count(b"\n") + 1
    return max(raw.count(b"\n"), len((text + "x").splitlines()) - 1) + 1


def assert_record_or_problems(raw: bytes, record: LoadedRecord | None, problems: list[Problem]) -> None:
    """The loader's contract: a record, or at least one problem; each problem located in this file, on a line of it."""
    if record is None:
        assert problems, "no record and no problem"
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.file == FUZZ_FILE
        assert 0 <= problem.line <= last_line(raw), (problem, last_line(raw))
        assert problem.message.strip(), problem


# Pieces of YAML syntax: indicators, anchors and aliases, unsafe and core tags, directives, tabs, line breaks YAML
# counts (CR, NEL, LS), characters it refuses, the start of deep nesting, and words the resolver turns into values.
FRAGMENTS = [
    ":", ": ", "-", "- ", "[", "]", "{", "}", ",", "&a ", "*a", "&a", "? ", ":\n", "|", ">", "'", '"', "#", " #", "%",
    "!!python/object:os.system ", "!!python/object/apply:os.system [ls]", "!!python/name:os.system", "!<tag:yaml.org,2002:str> ",
    "!local ", "!!str ", "!!binary ", "!!set ", "!!omap ", "!!map ", "!!seq ", "<<", "=", "---\n", "...\n", "%YAML 1.1\n", "%TAG ! x\n",
    "\t", "\n", "\r\n", "\r", "  ", "    ", "[[[[", "{a: {b: ", "id", "title", "arms", "a", "0", "1.5", "-7", "2021-06-25", "null", "~",
    "yes", "NO", ".inf", "\\", "\\x", "é", "\x85", "\u2028", "\ufeff", "\x00", "\x7f", "\ud7ff", "\U0001f600",
]
yaml_ish_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=40).map("".join)


@given(raw=st.binary(max_size=600))
@settings(BASE, max_examples=200)
def test_arbitrary_bytes_give_a_record_or_located_problems(workspace: Path, raw: bytes) -> None:
    record, problems = load_raw(workspace, raw)
    assert_record_or_problems(raw, record, problems)


@given(text=st.text(max_size=300))
@settings(BASE, max_examples=200)
def test_arbitrary_text_gives_a_record_or_located_problems(workspace: Path, text: str) -> None:
    raw = text.encode("utf-8", "surrogatepass")
    record, problems = load_raw(workspace, raw)
    assert_record_or_problems(raw, record, problems)


@given(text=yaml_ish_text)
@example(text="a[: 1")  # a key with '[' once made describe_error() raise IndexError
@settings(BASE, max_examples=300)
def test_yaml_ish_text_gives_a_record_or_located_problems(workspace: Path, text: str) -> None:
    raw = text.encode("utf-8", "surrogatepass")
    record, problems = load_raw(workspace, raw)
    assert_record_or_problems(raw, record, problems)


@given(
    depth=st.integers(1_000, 100_000),
    shape=st.sampled_from([("[", "", ""), ("[", "", "]"), ("{a: ", "x", ""), ("{a: ", "x", "}"), ("- ", "x", "")]),
    under_a_key=st.booleans(),
)
@example(depth=1_000, shape=("[", "", ""), under_a_key=False)  # once a RecursionError
@settings(BASE, max_examples=12)
def test_deeply_nested_yaml_gives_a_problem_not_an_exception(workspace: Path, depth: int, shape: tuple[str, str, str], under_a_key: bool) -> None:
    opening, middle, closing = shape
    prefix = "id: fuzz\ntitle: " if under_a_key and opening != "- " else ""
    raw = (prefix + opening * depth + middle + closing * depth).encode()
    record, problems = load_raw(workspace, raw)
    assert record is None
    assert_record_or_problems(raw, record, problems)
    [problem] = problems
    assert problem.line == raw.count(b"\n") + 1  # the nesting is all on the last line


# Tags the safe loader knows, each with content it cannot construct.
CORE_TAGS = ["!!int", "!!float", "!!bool", "!!timestamp", "!!null", "!!str", "!!binary"]
bad_scalar = st.one_of(st.sampled_from(["", "''", "abc", "_", "0x", "0b", "1:x", "1.2.3", "2021-13-45", "=", "'!!'"]), st.text(alphabet="0123456789abx_:.-+", max_size=6))


@given(tag=st.sampled_from(CORE_TAGS), content=bad_scalar, as_key=st.booleans())
@example(tag="!!int", content="abc", as_key=False)
@settings(BASE, max_examples=150)
def test_core_tags_with_bad_content_give_problems(workspace: Path, tag: str, content: str, as_key: bool) -> None:
    text = f"? {tag} {content}\n: 1\n" if as_key else f"id: fuzz\nvalue: {tag} {content}\n"
    raw = text.encode()
    record, problems = load_raw(workspace, raw)
    assert_record_or_problems(raw, record, problems)


@given(digits=st.integers(4301, 20_000), sign=st.sampled_from(["", "-", "+"]), placement=st.sampled_from(["value: {}", "{}: key", "list: [{}]"]))
@example(digits=4301, sign="", placement="value: {}")
@settings(BASE, max_examples=20)
def test_very_long_integers_give_problems(workspace: Path, digits: int, sign: str, placement: str) -> None:
    raw = ("id: fuzz\n" + placement.format(sign + "1" * digits) + "\n").encode()
    record, problems = load_raw(workspace, raw)
    assert_record_or_problems(raw, record, problems)


# Characters YAML refuses outright (not printable): the reader's error must still be one clean line.
unprintable = st.sampled_from(["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x9f", "\ufffe", "\uffff"])


@given(before=st.lists(st.sampled_from(["id: fuzz\n", "title: t\n", "\n", "# c\n", "a: b"]), max_size=5).map("".join), bad=unprintable)
@example(before="a: ", bad="\x00")
@settings(BASE, max_examples=60)
def test_an_unprintable_character_is_one_located_line(workspace: Path, before: str, bad: str) -> None:
    raw = (before + bad + "\n").encode("utf-8", "surrogatepass")
    record, problems = load_raw(workspace, raw)
    assert_record_or_problems(raw, record, problems)
    [problem] = problems
    assert "\n" not in problem.message
    assert problem.line == before.count("\n") + 1


# =========================================================================== loader: line numbers, duplicates

Scalar: TypeAlias = str | int | float | bool | None


@dataclass
class Mapping:
    """A YAML mapping as written: entries in order, duplicates allowed."""

    entries: list[tuple[str, Value]] = field(default_factory=list)

    def as_data(self) -> dict[str, object]:
        return {key: value.as_data() if isinstance(value, Mapping) else value for key, value in self.entries}


Value: TypeAlias = Scalar | list[Scalar] | Mapping


def render(value: Scalar, plain: bool) -> str:
    """One scalar as YAML on one line: PyYAML's own choice of style (plain when it can be), or double-quoted.

    PyYAML's emitter cannot write YAML's other line breaks (CR, NEL, LS, PS) in plain or single-quoted style (it
    writes '\x85' as "'\x85  '", read back as ' '): text holding one is always written double-quoted, escaped.
    """
    plain = plain and not (isinstance(value, str) and any(character in value for character in YAML_BREAKS))
    for style in ([None] if plain else []) + ['"']:
        dumped = yaml.safe_dump(value, default_style=style if isinstance(value, str) else None, width=10**9, allow_unicode=True)
        first, _, rest = dumped.partition("\n")
        if rest in ("", "...\n"):
            return first
    raise AssertionError(f"cannot write {value!r} on one line")  # the test's own writer failed, not the loader


@dataclass
class Document:
    text: str
    lines: dict[Loc, list[int]]  # every line where each key and list item is written, in order


# Text YAML can hold on one line of a comment: no control characters, no line breaks, no non-characters.
comment_text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85\u2028\u2029\ufeff\ufffe\uffff"), max_size=20)
scalars: st.SearchStrategy[Scalar] = st.one_of(
    st.text(max_size=30), st.integers(-(10**30), 10**30), st.floats(allow_nan=False), st.booleans(), st.none(),
    st.sampled_from(["2021-06-25", "yes", "no", "on", "null", "~", "1e3", "0x1f", "1_000", "12:30", "<<", "=", "- a", "a: b", "# x", "&a", "*a"]),
)
keys = st.one_of(st.text(max_size=12), st.from_regex(r"[a-z_][a-z0-9_]{0,15}", fullmatch=True))


def mappings(depth: int) -> st.SearchStrategy[Mapping]:
    values: st.SearchStrategy[Value] = st.one_of(scalars, st.lists(scalars, max_size=4))
    if depth > 0:
        values = st.one_of(values, mappings(depth - 1))
    return st.dictionaries(keys, values, max_size=5).map(lambda entries: Mapping(list(entries.items())))


@st.composite
def documents(draw: st.DrawFn, tree: Mapping) -> Document:
    """Write a mapping as block YAML, with random blank lines, comments, quoting, indentation and line ends."""
    out: list[str] = []
    lines: dict[Loc, list[int]] = {}

    def filler(indent: str) -> None:
        for _ in range(draw(st.integers(0, 2))):
            out.append(draw(st.sampled_from(["", "   ", indent + "#" + draw(comment_text)])))

    def trailing_comment() -> str:
        return "  #" + draw(comment_text) if draw(st.booleans()) else ""

    def write(mapping: Mapping, loc: Loc, indent: str) -> None:
        for key, value in mapping.entries:
            filler(indent)
            written_key = indent + render(key, draw(st.booleans())) + ":"
            lines.setdefault((*loc, key), []).append(len(out) + 1)
            if isinstance(value, Mapping) and value.entries:
                out.append(written_key + trailing_comment())
                write(value, (*loc, key), indent + draw(st.sampled_from(["  ", "    "])))
            elif isinstance(value, list) and value:
                out.append(written_key + trailing_comment())
                item_indent = indent + draw(st.sampled_from(["", "  "]))
                for index, item in enumerate(value):
                    filler(item_indent)
                    lines.setdefault((*loc, key, index), []).append(len(out) + 1)
                    out.append(f"{item_indent}- {render(item, draw(st.booleans()))}{trailing_comment()}")
            else:
                shown = "{}" if isinstance(value, Mapping) else "[]" if isinstance(value, list) else render(value, draw(st.booleans()))
                out.append(f"{written_key} {shown}{trailing_comment()}")

    filler("")
    if draw(st.booleans()):
        out.append("---")
        filler("")
    write(tree, (), "")
    filler("")
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return Document(newline.join(out) + (newline if draw(st.booleans()) else ""), lines)


def typed(data: object) -> object:
    """Data with the type of every scalar beside it, so that 1, 1.0 and True are told apart."""
    if isinstance(data, dict):
        return {key: typed(value) for key, value in data.items()}
    if isinstance(data, list):
        return [typed(item) for item in data]
    return (type(data).__name__, data)


@given(st.data(), mappings(depth=2).filter(lambda tree: bool(tree.entries)))
@settings(BASE, max_examples=200)
def test_parse_yaml_records_the_line_of_every_key_and_item(data: st.DataObject, tree: Mapping) -> None:
    document = data.draw(documents(tree))
    parsed, lines = parse_yaml(document.text, "x.yaml")
    assert typed(parsed) == typed(tree.as_data())
    for loc, written in document.lines.items():
        assert [lines[loc]] == written, (loc, document.text)
    first_key = tree.entries[0][0]
    assert [lines[()]] == document.lines[(first_key,)]


@st.composite
def with_a_duplicate(draw: st.DrawFn) -> tuple[Mapping, Loc, str]:
    """A mapping tree in which one mapping (top level or nested) gives one of its keys twice."""
    tree = draw(mappings(depth=1).filter(lambda tree: bool(tree.entries)))
    nested = [(key, value) for key, value in tree.entries if isinstance(value, Mapping) and value.entries]
    loc: Loc = ()
    target = tree
    go_deeper: bool = draw(st.booleans())
    if nested and go_deeper:
        key, value = draw(st.sampled_from(nested))
        assert isinstance(value, Mapping)
        loc, target = (key,), value
    first = draw(st.integers(0, len(target.entries) - 1))
    duplicate_key = target.entries[first][0]
    again = draw(st.integers(first + 1, len(target.entries)))
    target.entries.insert(again, (duplicate_key, draw(st.one_of(scalars, st.lists(scalars, max_size=2)))))
    return tree, loc, duplicate_key


@given(st.data(), with_a_duplicate())
@settings(BASE, max_examples=120)
def test_a_repeated_key_is_one_problem_naming_the_key_and_both_lines(workspace: Path, data: st.DataObject, case: tuple[Mapping, Loc, str]) -> None:
    tree, loc, key = case
    document = data.draw(documents(tree))
    [first, second] = document.lines[(*loc, key)]
    path = workspace / "duplicate.yaml"
    path.write_bytes(document.text.encode())
    parsed, lines, problems = _read_mapping(path, "duplicate.yaml")
    assert (parsed, lines) == (None, {})
    [problem] = problems
    assert problem.file == "duplicate.yaml"
    assert problem.line == second
    assert problem.field in {key, format_loc((*loc, key))}
    assert "duplicate key" in problem.message and f"line {first}" in problem.message, problem


# =========================================================================== schema: partial dates


def days_in_month(year: int, month: int) -> int:
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]


def is_real_partial_date(text: str) -> bool:
    """Own oracle: YYYY, YYYY-MM or YYYY-MM-DD in ASCII digits, naming a day of the (Gregorian) calendar in the
    schema's year range (a rule of the review: nothing it cites was published before 1900 or after 2100)."""
    match = re.fullmatch(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?", text)
    if match is None:
        return False
    year, month, day = (int(part) if part is not None else None for part in match.groups())
    assert year is not None
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        return False
    if month is None:
        return True
    if not 1 <= month <= 12:
        return False
    return day is None or 1 <= day <= days_in_month(year, month)


PARTIAL_DATE = TypeAdapter(PartialDate)


def accepted(text: str) -> bool:
    try:
        PARTIAL_DATE.validate_python(text)
    except ValidationError:
        return False
    return True


@st.composite
def date_texts(draw: st.DrawFn) -> str:
    year = draw(st.one_of(st.integers(YEAR_RANGE[0] - 5, YEAR_RANGE[1] + 5), st.integers(0, 9999)))
    month, day = draw(st.integers(0, 13)), draw(st.integers(0, 32))
    parts = [f"{year:04d}", f"{month:02d}", f"{day:02d}"][: draw(st.integers(1, 3))]
    return "-".join(parts)


@given(text=st.one_of(date_texts(), st.text(alphabet="0123456789-", max_size=11), st.text(alphabet="012-\n \t٠٢１", max_size=11)))
@example(text="2021-02-30")
@example(text="2020-02-29")
@example(text="1900-02-29")  # not a leap year
@example(text="2000-02-29")  # a leap year
@example(text="2100-12-31")
@example(text="1899-12-31")
@example(text="2021\n")
@settings(BASE, max_examples=400)
def test_a_partial_date_is_accepted_exactly_when_it_is_a_real_calendar_date(text: str) -> None:
    real = is_real_partial_date(text)
    assert accepted(text) is real
    if real:  # the oracle agrees with the standard library's calendar
        year, month, day = ([*map(int, text.split("-")), 1, 1])[:3]
        assert datetime.date(year, month, day).isoformat().startswith(text)


@given(text=date_texts())
@settings(BASE, max_examples=200)
def test_check_partial_date_refuses_exactly_the_unreal_dates(text: str) -> None:
    if is_real_partial_date(text):
        assert _check_partial_date(text) == text
    else:
        with pytest.raises(ValueError, match=r"not a calendar date|out of range"):
            _check_partial_date(text)


# =========================================================================== loader: text round trip


@dataclass(frozen=True)
class TextField:
    line: str  # the fixture's line that holds the field (its first occurrence)
    loc: Loc
    stripped: bool  # NonEmptyText: surrounding white space stripped, and empty refused
    length: tuple[int, int] | None = None


TEXT_FIELDS = [
    TextField("title: A fictional randomised trial of drugamab after sorafenib", ("title",), True),
    TextField("short_name: Fixture trial", ("short_name",), True),
    TextField("summary: Fictional trial in which drugamab lengthened survival against placebo.", ("summary",), True),
    TextField('  allocation_ratio: "2:1"', ("design", "allocation_ratio"), False),
    TextField("    label: Drugamab", ("arms", 0, "label"), True),
    TextField("        as_reported: 10.5 months", ("arms", 0, "outcomes", 0, "as_reported"), True),
    TextField("        quote: Median overall survival was 10.5 months vs 7.0 months (P=0.01)", ("arms", 0, "outcomes", 0, "quote"), False, (3, 300)),
    TextField("    text: The fixture does not say how many patients the response rate was measured in.", ("notes", 0, "text"), True),
]


def write_field(name: str, text: str, style: str | None, width: int) -> list[str]:
    """``name: text`` as YAML lines, in the style asked for where PyYAML can write the text in it.

    PyYAML picks another style where the asked one cannot hold the text. Its emitter cannot write YAML's other line
    breaks (CR, NEL, LS, PS) in plain, single-quoted or block style (it writes '0\\x850' as '0\\x85  0', read back as
    '0 0'): such text is written double-quoted, where they are escaped. The document end marker it adds after a
    block scalar that keeps its final line breaks ('...') is dropped: the record goes on after the field.
    """
    if any(character in text for character in "\r\x85\u2028\u2029"):
        style = '"'
    dumped = yaml.safe_dump({name: text}, default_style=style, width=width, allow_unicode=True).removesuffix("...\n")
    assert yaml.safe_load(dumped) == {name: text}, dumped  # the test's own writer, before the loader is involved
    return dumped.removesuffix("\n").split("\n")


def field_of(record: object, loc: Loc) -> object:
    for part in loc:
        record = record[part] if isinstance(part, int) else getattr(record, part)  # type: ignore[index]
    return record


@given(
    target=st.sampled_from(TEXT_FIELDS),
    text=st.one_of(st.text(), st.text(min_size=295, max_size=305), st.text(alphabet=" \t\n\r\x85\u3000\u2028a#:'\"-", max_size=12)),
    style=st.sampled_from([None, '"', "'", "|", ">"]),
    width=st.sampled_from([20, 80, 10**6]),
)
@example(target=TEXT_FIELDS[0], text=" \x1ca\u3000", style=None, width=80)
@example(target=TEXT_FIELDS[6], text="  x  ", style=None, width=80)
@settings(BASE, max_examples=200)
def test_the_loader_never_alters_text(workspace: Path, target: TextField, text: str, style: str | None, width: int) -> None:
    """Text is loaded exactly as written, or refused with one located problem (out of bounds, or holding a character
    no page, figure or terminal can show as written)."""
    fixture = FIXTURE_STUDY.read_text(encoding="utf-8").split("\n")
    index = fixture.index(target.line)
    indent = target.line[: len(target.line) - len(target.line.lstrip(" "))]
    name = str(target.loc[-1])
    written = write_field(name, text, style, width)
    edited = [*fixture[:index], *(indent + line for line in written), *fixture[index + 1:]]
    path = workspace / "studies" / "fixture-trial.yaml"
    path.write_bytes("\n".join(edited).encode("utf-8"))
    loaded, problems = load_file(path, "studies", workspace)

    expected = text.strip(WHITE_SPACE) if target.stripped else text
    low, high = target.length or (1 if target.stripped else 0, None)
    try:  # control characters and non-characters are refused, with a located problem, like a length out of bounds
        check_characters(expected)
        showable = True
    except ValueError:
        showable = False
    if showable and low <= len(expected) and (high is None or len(expected) <= high):
        assert problems == []
        assert loaded is not None
        assert field_of(loaded.record, target.loc) == expected
        assert loaded.line_of(target.loc) == index + 1
    else:
        assert loaded is None
        assert [(problem.line, problem.field) for problem in problems] == [(index + 1, format_loc(target.loc))]


@dataclass(frozen=True)
class Place:
    after: str  # the fixture's line (first occurrence) after which the unknown field is written, at its indentation
    loc: Loc
    model: type[BaseModel]


PLACES = [
    Place("summary: Fictional trial in which drugamab lengthened survival against placebo.", (), StudyRecord),
    Place("  phase: III", ("design",), Design),
    Place("    label: Drugamab", ("arms", 0), Arm),
    Place("        unit: months", ("arms", 0, "outcomes", 0), ReportedValue),
]


@given(place=st.sampled_from(PLACES), key=st.text(min_size=1, max_size=12), plain=st.booleans(), value=scalars)
@example(place=PLACES[0], key="a[b", plain=True, value=1).via("once an IndexError")
@example(place=PLACES[1], key="a[b", plain=True, value=1).via("once reported as 'design', on the line of design:")
@settings(BASE, max_examples=120)
def test_an_unknown_field_is_reported_by_name_on_its_own_line(workspace: Path, place: Place, key: str, plain: bool, value: Scalar) -> None:
    if key in place.model.model_fields:
        return  # a known field: not what this property is about
    fixture = FIXTURE_STUDY.read_text(encoding="utf-8").split("\n")
    index = fixture.index(place.after) + 1
    indent = place.after[: len(place.after) - len(place.after.lstrip(" "))]
    fixture.insert(index, f"{indent}{render(key, plain)}: {render(value, True)}")
    path = workspace / "studies" / "fixture-trial.yaml"
    path.write_bytes("\n".join(fixture).encode("utf-8"))
    loaded, problems = load_file(path, "studies", workspace)
    assert loaded is None
    [problem] = problems
    assert (problem.line, problem.field) == (index + 1, format_loc((*place.loc, key)))
    assert problem.message.startswith(f"unknown field {key!r}"), problem


# =========================================================================== statistics: exact intervals

levels = st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99, 0.999])


@st.composite
def counts(draw: st.DrawFn) -> tuple[int, int]:
    trials = draw(st.integers(1, 2000))
    return draw(st.integers(0, trials)), trials


@given(case=counts(), level=levels)
@example(case=(0, 1), level=0.95)
@example(case=(1, 1), level=0.95)
@example(case=(1, 2000), level=0.999)
@example(case=(1999, 2000), level=0.999)
@settings(BASE, max_examples=150)
def test_clopper_pearson_interval_contains_the_estimate_and_mirrors(case: tuple[int, int], level: float) -> None:
    successes, trials = case
    interval = clopper_pearson(successes, trials, level)
    assert (interval.successes, interval.trials, interval.level) == (successes, trials, level)
    assert 0 <= interval.low <= successes / trials <= interval.high <= 1
    assert (interval.low == 0) is (successes == 0)
    assert (interval.high == 1) is (successes == trials)
    mirrored = clopper_pearson(trials - successes, trials, level)
    assert abs(interval.low - (1 - mirrored.high)) <= 1e-12
    assert abs(interval.high - (1 - mirrored.low)) <= 1e-12


@given(case=counts().filter(lambda case: case[0] < case[1]), level=levels)
@settings(BASE, max_examples=100)
def test_clopper_pearson_bounds_grow_with_the_count(case: tuple[int, int], level: float) -> None:
    successes, trials = case
    here, next_up = clopper_pearson(successes, trials, level), clopper_pearson(successes + 1, trials, level)
    assert next_up.low >= here.low
    assert next_up.high >= here.high


# =========================================================================== statistics: percentages against counts

SOURCE = "900_0000000000000abc.txt"
REVIEW, _ = load_review_file(ROOT / "seeds" / "review.yaml", ROOT)  # the real review's measures and checks


def study_with_percentage(stated: str, numerator: int, denominator: int) -> StudyRecord:
    """One arm, one ORR written as a source would: '6/40 (15.0%)'."""
    written = f"{numerator}/{denominator} ({stated}%)"
    orr = ReportedValue(measure="orr", as_reported=written, value=float(stated), unit="%", numerator=numerator,
                        denominator=denominator, source=SOURCE, quote=f"the response rate was {written}")
    size = ReportedValue(measure="n", as_reported=f"{denominator} patients", value=denominator, unit="patients",
                         source=SOURCE, quote=f"{denominator} patients were treated")
    return StudyRecord(
        id="property-study", title="A study for properties", short_name="Property", study_type="single_arm_trial",
        sources=[SourceRef(document=SOURCE, role="everything")], setting="after_sorafenib", summary="Built by a test.",
        arms=[Arm(id="drug", label="Drug", regimen="drugamab", outcomes=[orr, size])],
    )


def percent_flagged(stated: str, numerator: int, denominator: int) -> bool:
    assert REVIEW is not None
    flags = check_study(study_with_percentage(stated, numerator, denominator), REVIEW)
    return any(flag.check == PERCENT_VS_COUNT and flag.loc == ("arms", 0, "outcomes", 0) for flag in flags)


def rounded_units(numerator: int, denominator: int, decimals: int, mode: str) -> int:
    """100·numerator/denominator in units of 10^-decimals, rounded by integer arithmetic (own oracle)."""
    quotient, remainder = divmod(100 * numerator * int(10**decimals), denominator)
    if mode == "down":
        return quotient
    if mode == "half up":
        return quotient + int(2 * remainder >= denominator)
    assert mode == "half even"
    return quotient + int(2 * remainder > denominator or (2 * remainder == denominator and quotient % 2 == 1))


def as_text(units: int, decimals: int) -> str:
    """Units of 10^-decimals as the source writes them: 150 at 1 decimal is '15.0'."""
    return str(units) if decimals == 0 else f"{units // 10**decimals}.{units % 10**decimals:0{decimals}d}"


ROUNDINGS = ("half up", "half even", "down")


@given(case=counts(), decimals=st.integers(0, 2), mode=st.sampled_from(ROUNDINGS))
@example(case=(1, 8), decimals=0, mode="half even")  # 12.5 -> 12
@example(case=(3, 8), decimals=0, mode="down")  # 37.5 -> 37
@example(case=(2, 3), decimals=1, mode="down")  # 66.66.. -> 66.6
@settings(BASE, max_examples=200)
def test_a_percentage_rounded_by_an_accepted_convention_is_not_flagged(case: tuple[int, int], decimals: int, mode: str) -> None:
    numerator, denominator = case
    stated = as_text(rounded_units(numerator, denominator, decimals, mode), decimals)
    assert not percent_flagged(stated, numerator, denominator), (stated, numerator, denominator)


@given(case=counts(), decimals=st.integers(0, 2), offset=st.integers(1, 30), below=st.booleans())
@settings(BASE, max_examples=200)
def test_a_percentage_off_by_a_unit_or_more_is_flagged(case: tuple[int, int], decimals: int, offset: int, below: bool) -> None:
    """At least one unit of its last decimal away from the exact value (1 point at 0 decimals, 0.1 at 1): no rounding gives it."""
    numerator, denominator = case
    exact_units = Fraction(100 * numerator * 10**decimals, denominator)
    # the whole number of units `offset` units beyond the exact value, on the chosen side
    units = math.floor(exact_units) - offset if below else math.ceil(exact_units) + offset
    if units < 0 or units > 100 * 10**decimals:
        units = math.ceil(exact_units) + offset if below else math.floor(exact_units) - offset
    if not 0 <= units <= 100 * 10**decimals:
        return  # 0/1 or 1/1 at 0 decimals with a wide offset: no percentage that far off exists on either side
    assert abs(units - exact_units) >= 1
    stated = as_text(units, decimals)
    assert percent_flagged(stated, numerator, denominator), (stated, numerator, denominator)


@given(case=counts(), decimals=st.integers(0, 2), step=st.integers(-3, 3))
@settings(BASE, max_examples=200)
def test_a_percentage_is_flagged_exactly_when_no_accepted_rounding_gives_it(case: tuple[int, int], decimals: int, step: int) -> None:
    numerator, denominator = case
    units = rounded_units(numerator, denominator, decimals, "down") + step
    if not 0 <= units <= 100 * 10**decimals:
        return
    acceptable = {rounded_units(numerator, denominator, decimals, mode) for mode in ROUNDINGS}
    assert percent_flagged(as_text(units, decimals), numerator, denominator) is (units not in acceptable)


# =========================================================================== statistics: computed percentages


@given(proportion=st.floats(0, 1))
@example(proportion=0.0)
@example(proportion=1.0)
@example(proportion=0.00049999999)
@example(proportion=1 / 3)
@settings(BASE, max_examples=200)
def test_a_computed_percentage_is_within_half_a_unit_of_its_last_decimal(proportion: float) -> None:
    text = format_computed_percent(proportion)
    assert re.fullmatch(r"[0-9]+\.[0-9]", text), text
    exact = Fraction(proportion) * 100
    # half of 0.1, plus the float rounding of 100 * proportion before formatting (a few ulps of at most 100)
    assert abs(Fraction(Decimal(text)) - exact) <= Fraction(1, 20) + Fraction(1, 10**12), (proportion, text)


# --------------------------------------------------------------------------- 9. links between generated pages

_SEGMENT = st.sampled_from(["studies", "cases", "compare", "figures", "a", "b.md", "index.md"])


@settings(max_examples=300, deadline=None)
@given(target=st.lists(_SEGMENT, min_size=1, max_size=4), here=st.lists(_SEGMENT, max_size=3))
def test_relative_paths_between_pages_match_posixpath(target: list[str], here: list[str]) -> None:
    """render.relative_path (cached, no abspath) gives what posixpath.relpath gives, for any two tree paths."""
    assert relative_path("/".join(target), "/".join(here)) == posixpath.relpath("/".join(target), "/".join(here) or ".")


# =========================================================================== every output format, for any text a record may hold


def _showable(text: str) -> bool:
    try:
        check_characters(text)
    except ValueError:
        return False
    return True


record_text = st.text(max_size=200).filter(_showable)
# text rich in what each format acts on
format_text = st.one_of(record_text, st.text(alphabet="<>&\"'`*_[]{}|#!?=-+:%$\\~^@\n\t ;,.()1aZ", max_size=60))


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


@given(text=format_text)
@settings(BASE, max_examples=300)
def test_plain_text_reads_as_typed_in_markdown(text: str) -> None:
    """A page's Markdown (with the site's extensions) shows plain record text exactly, with no element of its own."""
    import markdown

    from generator.records.text import markdown_literal

    html_out = markdown.markdown(markdown_literal(text), extensions=["abbr", "admonition", "attr_list", "md_in_html", "footnotes", "tables"])
    parsed = _TextOf()
    parsed.feed(html_out)
    assert "".join(parsed.parts).strip() == " ".join(text.split())
    assert set(parsed.tags) <= {"p"}, (text, html_out)


@given(text=format_text)
@settings(BASE, max_examples=300)
def test_a_title_reads_back_from_yaml_front_matter(text: str) -> None:
    import html as html_module

    from generator.pages.render import page_title

    loaded = yaml.safe_load(f"title: {page_title(text)}\n")
    assert html_module.unescape(loaded["title"]) == " ".join(text.split())


@given(text=format_text)
@settings(BASE, max_examples=300)
def test_an_ris_field_is_one_line_and_bibtex_braces_balance(text: str) -> None:
    from generator.pages.render import bibtex_escape, one_line

    assert not re.search(r"[\r\n\x0b\x0c\x85\u2028\u2029]", one_line(text))
    escaped = bibtex_escape(text)
    depth = 0
    for char in escaped:  # BibTeX counts every brace, a backslash before it or not
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0, escaped
    assert depth == 0 and not re.search(r"(?<!\\)%", escaped), escaped


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # arbitrary code points: the text stays text all the same
@given(text=format_text)
@settings(BASE, max_examples=200)
def test_svg_text_parses_back_as_typed(text: str) -> None:
    """A figure's text (a label or a title) through the SVG writer and back through ElementTree."""
    import io as io_module

    from matplotlib.figure import Figure as MplFigure

    from generator.figures.common import _to_svg

    fig = MplFigure(figsize=(2, 1))
    fig.text(0.1, 0.5, text.replace("$", "\\$"), usetex=False, parse_math=False)
    svg = _to_svg(fig, "t", title=text, desc=text)
    root = ET.parse(io_module.BytesIO(svg)).getroot()
    titles = ["".join(element.itertext()) for element in root.iter("{http://www.w3.org/2000/svg}title")]
    assert titles[0] == text
