"""The loader: good records load with positions; every kind of bad record gets one clear line."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.records.load import load_corpus, parse_yaml
from tests.conftest import CliResult

STUDY = "seeds/studies/fixture-trial.yaml"


def _replace(project: Path, relative: str, old: str, new: str) -> None:
    path = project / relative
    text = path.read_text()
    assert old in text, f"fixture changed: {old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1))


def _line_of(project: Path, relative: str, needle: str) -> int:
    for number, line in enumerate((project / relative).read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {relative}")


def test_fixture_corpus_loads_with_line_positions(project: Path) -> None:
    result = load_corpus(project / "seeds", project)
    assert result.problems == []
    kinds = sorted((item.kind, item.record.id) for item in result.records)
    assert kinds == [("cases", "fixture-case"), ("regimens", "drugamab"), ("regimens", "placebo"), ("studies", "fixture-trial")]
    study = next(item for item in result.records if item.record.id == "fixture-trial")
    assert study.line_of(("arms", 1, "regimen")) == _line_of(project, STUDY, "regimen: placebo")
    # a location with no line of its own (a missing field) points at its parent
    assert study.line_of(("arms", 1, "dose")) == _line_of(project, STUDY, "- id: placebo")


def test_records_hold_no_lines_until_a_problem_asks_for_them(project: Path) -> None:
    # the lines of a large review take as much memory as its records, and a valid record never needs them
    result = load_corpus(project / "seeds", project)
    assert all(item._lines is None for item in result.records)
    study = next(item for item in result.records if item.record.id == "fixture-trial")
    assert study.lines == parse_yaml((project / STUDY).read_text(), STUDY)[1]
    assert len(study.lines) > 50


def test_dates_stay_strings_and_aliases_are_refused() -> None:
    data, _ = parse_yaml('start: 2021-06-25\n', "x.yaml")
    assert data == {"start": "2021-06-25"}
    with pytest.raises(Exception, match="anchors and aliases"):
        parse_yaml("a: &x [1, 2]\nb: *x\n", "x.yaml")


BAD_RECORDS = [
    pytest.param("summary: Fictional trial", "summary: [unclosed", "(while parsing a flow sequence that starts on line", "notes:", id="yaml-syntax"),
    pytest.param("value: 10.5", "value: ten and a half", "expected a number, got 'ten and a half'", "value: ten and a half", id="wrong-type"),
    pytest.param("unit: months\n        source", "unit: months\n        qoute: oops\n        source", "unknown field 'qoute' (did you mean 'quote'?)", "qoute: oops",
                 id="unknown-field"),
    pytest.param("short_name: Fixture trial\n", "", "short_name: required field is missing", "id: fixture-trial", id="missing-field"),
    pytest.param("regimen: placebo", "regimen: placebos", "unknown regimen id 'placebos' (did you mean 'placebo'?)", "regimen: placebos", id="dangling-id"),
    pytest.param("setting: after_sorafenib", "setting: after_sorafenib\nsetting: first_line", "duplicate key (first given on line", "setting: first_line",
                 id="duplicate-key"),
    pytest.param("value: 75", "value: 175", "a percentage must lie between 0 and 100", "- measure: dcr", id="percent-over-100"),
]


@pytest.mark.parametrize(("old", "new", "message", "line_text"), BAD_RECORDS)
def test_bad_record_gives_one_clear_line(
    project: Path, cli: Callable[..., CliResult], old: str, new: str, message: str, line_text: str
) -> None:
    _replace(project, STUDY, old, new)
    result = cli("validate", cwd=project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    problem_lines = result.stderr.strip().splitlines()[:-1]
    assert len(problem_lines) == 1, result.stderr
    expected_line = _line_of(project, STUDY, line_text)
    assert problem_lines[0].startswith(f"{STUDY}:{expected_line}:"), result.stderr
    assert message in problem_lines[0]
    assert result.stderr.strip().endswith("1 problem(s) found; nothing was rendered.")


def test_every_problem_of_a_corpus_is_reported_at_once(project: Path, cli: Callable[..., CliResult]) -> None:
    _replace(project, STUDY, "value: 10.5", "value: ten")
    _replace(project, STUDY, "regimen: placebo", "regimen: nothing-like-it")
    (project / "seeds/regimens/broken.yaml").write_text("id: broken\nname: [\n")
    (project / "seeds/cases/empty.yaml").write_text("")
    (project / "seeds/studies/listed.yaml").write_text("- a\n- b\n")
    result = cli("validate", cwd=project)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    # loading problems first stop linking, so the dangling id is reported on the next run
    assert re.search(r"fixture-trial\.yaml:\d+: arms\[0\]\.outcomes\[0\]\.value: expected a number", result.stderr)
    assert "seeds/regimens/broken.yaml:3: YAML syntax error" in result.stderr
    assert "seeds/cases/empty.yaml:1: file is empty" in result.stderr
    assert "seeds/studies/listed.yaml:1: expected a record (a mapping of fields), found a list" in result.stderr
    assert lines[-1] == "4 problem(s) found; nothing was rendered."


def test_file_name_must_match_id_and_stray_files_are_reported(project: Path, cli: Callable[..., CliResult]) -> None:
    (project / "seeds/regimens/drugamab.yaml").rename(project / "seeds/regimens/drugumab.yaml")
    (project / "seeds/regimens/notes.yml").write_text("id: notes\n")
    result = cli("validate", cwd=project)
    assert result.returncode == 1
    assert "seeds/regimens/drugumab.yaml:1: id: id 'drugamab' does not match the file name; expected 'drugumab'" in result.stderr
    assert "seeds/regimens/notes.yml: unexpected file" in result.stderr


def test_non_utf8_and_bom_are_reported(project: Path, cli: Callable[..., CliResult]) -> None:
    (project / "seeds/regimens/latin.yaml").write_bytes(b"id: latin\nname: caf\xe9\n")
    (project / "seeds/regimens/bom.yaml").write_bytes(b"\xef\xbb\xbfid: bom\n")
    result = cli("validate", cwd=project)
    assert "seeds/regimens/latin.yaml:2: not valid UTF-8" in result.stderr
    assert "seeds/regimens/bom.yaml:1: file starts with a byte-order mark" in result.stderr
