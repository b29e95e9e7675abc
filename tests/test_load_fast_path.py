"""The loader's fast path: for every file it answers, the same data and lines as the exact path; the rest it leaves.

``parse_yaml`` reads an ordinary record in one pass over LibYAML's event stream and hands anything unusual or
wrong to the exact path (structure check, then composed nodes), which decides and words every error. These
tests hold the two paths to the same output on real records, on hand-picked unusual YAML, on generated
documents and on random edits of real records.
"""

from __future__ import annotations

import gc
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.records.load import MAX_NESTING, _parse_exact, _parse_plain_record, collector_paused, parse_yaml
from tests.test_properties import BASE, FRAGMENTS, Mapping, documents, mappings, yaml_ish_text

ROOT = Path(__file__).resolve().parent.parent
RECORD_FILES = sorted(
    path for folder in (ROOT / "seeds", ROOT / "tests" / "fixtures", ROOT / "tests" / "bad_records") for path in folder.rglob("*.yaml")
    if path.is_file() and not path.is_symlink()
)


def typed(data: object) -> object:
    """Data with the type of every key and scalar beside it, so that 1, 1.0, True and '1' are told apart."""
    if isinstance(data, dict):
        return [(typed(key), typed(value)) for key, value in data.items()]
    if isinstance(data, list):
        return [typed(item) for item in data]
    return (type(data).__name__, repr(data))


def exact_outcome(text: str) -> tuple[Any, ...]:
    """What the exact path gives: the typed data and the lines in their order, or the error it raises."""
    try:
        data, lines = _parse_exact(text)
    except Exception as error:  # any error: compared by type and text
        return ("error", type(error).__name__, str(error), vars(error).get("line"))
    return ("ok", typed(data), list(lines.items()))


def assert_paths_agree(text: str) -> bool:
    """The fast path answers only where the exact path loads, and then with the same data and lines in the same
    order; parse_yaml gives what the exact path gives. Returns whether the fast path answered."""
    expected = exact_outcome(text)
    fast = _parse_plain_record(text)
    if fast is not None:
        assert expected == ("ok", typed(fast[0]), list(fast[1].items())), text
    try:
        data, lines = parse_yaml(text, "x.yaml")
        got: tuple[Any, ...] = ("ok", typed(data), list(lines.items()))
    except Exception as error:
        got = ("error", type(error).__name__, str(error), vars(error).get("line"))
    assert got == expected, text
    return fast is not None


def test_real_records_take_the_fast_path_with_the_same_result() -> None:
    answered = [assert_paths_agree(path.read_bytes().decode("utf-8", "replace")) for path in RECORD_FILES]
    assert len(answered) > 50
    assert sum(answered) > 0.9 * len(answered)  # only broken or unusual records leave it


UNUSUAL = [
    "",  # no document at all
    "# only a comment\n",
    "---\n",
    "~\n",
    "just text\n",
    "- a\n- b\n",
    "a: 1\n---\nb: 2\n",  # two documents
    "a: &x 1\nb: *x\n",
    "a: &x [1, 2]\n",
    "a: !!str 1\n",
    "a: !!int '7'\n",
    "a: !!int abc\n",
    "a: !local x\n",
    "a: ! 1\n",
    "!!map {a: 1}\n",
    "a: !!set {x, y}\n",
    "? [a, b]\n: c\n",
    "? {a: 1}\n: c\n",
    "<<: {a: 1}\n",
    "a: =\n",
    "1: one\n2: two\n",
    "true: x\n",
    "null: x\n",
    "~: x\n",
    "1.5: x\n",
    "a: 1\na: 2\n",
    "1: a\n0x1: b\n",
    "a: {b: 1, b: 2}\n",
    "a: 0x1F\nb: 0o17\nc: 017\nd: 1_000\ne: 1:30\nf: -0\ng: +12\n",
    "a: .inf\nb: -.Inf\nc: .NaN\nd: 1e3\ne: 1.\nf: .5\ng: 6.8523015e+5\nh: 190:20:30.15\n",
    "a: yes\nb: No\nc: on\nd: OFF\ne: y\nf: n\n",
    "a: null\nb: ~\nc:\nd: Null\n",
    "a: 2021-06-25\nb: 2001-12-14t21:59:43.10-05:00\n",
    "a: '1'\nb: \"2\"\nc: |\n  3\nd: >-\n  4\n",
    f"a: {'9' * 5000}\n",
    "a: [1, {b: [c, {d: e}]}]\n",
    "? |\n  a key over\n  two lines\n: 1\n",  # a key's line is where it starts
    "-\n  a\n-\n\n  - b\n",
    "a:\n\n  b\nc: \"two\n  lines\"\n",
    "a: [\n",
    "a: 'unclosed\n",
    "a:\tb\n",
    "\ta: b\n",
    "a: b\x07\n",
    "%YAML 1.1\n---\na: 1\n",
    "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n",
    "a: 1\n...\n",
    "a: 1\n...\n---\nb: 2\n",
]


@pytest.mark.parametrize("text", UNUSUAL)
def test_unusual_yaml_gives_what_the_exact_path_gives(text: str) -> None:
    assert_paths_agree(text)


@pytest.mark.parametrize("depth", [MAX_NESTING - 1, MAX_NESTING, MAX_NESTING + 1])
@pytest.mark.parametrize(("opening", "middle", "closing"), [("[", "x", "]"), ("{a: ", "x", "}")])
def test_nesting_at_the_limit_gives_what_the_exact_path_gives(depth: int, opening: str, middle: str, closing: str) -> None:
    text = opening * depth + middle + closing * depth + "\n"
    assert assert_paths_agree(text) == (depth <= MAX_NESTING)


@given(st.data(), mappings(depth=2).filter(lambda tree: bool(tree.entries)))
@settings(BASE, max_examples=150)
def test_generated_documents_give_what_the_exact_path_gives(data: st.DataObject, tree: Mapping) -> None:
    assert_paths_agree(data.draw(documents(tree)).text)


@given(text=yaml_ish_text)
@settings(BASE, max_examples=300)
def test_yaml_ish_text_gives_what_the_exact_path_gives(text: str) -> None:
    assert_paths_agree(text)


def test_random_edits_of_real_records_give_what_the_exact_path_gives() -> None:
    """Insertions of YAML syntax, deletions and repeated lines in real records (seeded, so every run is the same)."""
    rng = random.Random(20261122)
    texts = [path.read_bytes().decode("utf-8", "replace") for path in RECORD_FILES]
    pieces = [*FRAGMENTS, "9" * 5000, "? ", "<<: ", "!!int ", "!!float ", "qoute: x\n"]
    answered = 0
    for _ in range(600):
        text = rng.choice(texts)
        for _ in range(rng.randint(1, 3)):
            at = rng.randint(0, len(text))
            roll = rng.random()
            if roll < 0.5:
                text = text[:at] + rng.choice(pieces) + text[at:]
            elif roll < 0.8:
                text = text[:at] + text[at + rng.randint(1, 20):]
            else:
                lines = text.split("\n")
                lines.insert(rng.randrange(len(lines) + 1), rng.choice(lines))
                text = "\n".join(lines)
        answered += assert_paths_agree(text)
    assert answered > 50  # the edits leave many files readable: both outcomes are compared


def test_collector_paused_restores_the_collector_and_leaves_frozen_objects_alone() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # nested pauses end with the outermost
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # a collector the caller turned off stays off
    finally:
        gc.enable()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector_paused():
            pass
        assert gc.get_freeze_count() == frozen  # what the host froze stays frozen
    finally:
        gc.unfreeze()
