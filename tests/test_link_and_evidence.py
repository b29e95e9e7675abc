"""Linking (ids, back-links) and traceability (numbers in quotes, quotes in sources)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from generator.derive.evidence import _NUMBER, _TENS, _UNITS, _WORD_NUMBER, SourceLibrary, number_stands_in, numbers_in
from generator.records.link import link_loaded
from generator.records.load import load_corpus
from tests.conftest import CliResult
from tests.test_properties import BASE


def test_back_links_are_derived_from_the_records_that_point_at_a_regimen(project: Path) -> None:
    corpus, problems = link_loaded(load_corpus(project / "seeds", project))
    assert problems == []
    drugamab = corpus.regimen_links["drugamab"]
    assert drugamab.study_ids == ["fixture-trial"]
    assert drugamab.case_ids == ["fixture-case"]
    assert corpus.regimen_links["placebo"].case_ids == []


def _errors_after_edit(project: Path, cli: Callable[..., CliResult], old: str, new: str) -> str:
    """Edit the fixture study, validate, and return the error output of the (failing) run."""
    path = project / "seeds/studies/fixture-trial.yaml"
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    result = cli("validate", cwd=project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    return result.stderr


def test_unknown_comparator_arm_is_an_error(project: Path, cli: Callable[..., CliResult]) -> None:
    errors = _errors_after_edit(project, cli, "comparator: placebo", "comparator: control")
    assert "arms[0].outcomes[1].comparator: unknown comparator arm 'control'; expected another arm of this study (placebo)" in errors


@pytest.mark.parametrize(
    ("text", "number", "found"),
    [
        ("median OS 7.63 months", 7.63, True),
        ("median OS 7.63 months", 7.6, False),
        ("Of 1,532 patients", 1532, True),
        ("Forty-eight (19%) patients", 48, True),
        ("one patient (2.5%)", 1, True),
        ("P=0.019 9", 0.0199, False),
        ("15% (6/40)", 15, True),
        ("150 of 200", 15, False),
    ],
)
def test_numbers_are_found_in_digits_and_words(text: str, number: float, found: bool) -> None:
    assert number_stands_in(number, text) is found, numbers_in(text)


def test_value_missing_from_its_quote_is_an_error(project: Path, cli: Callable[..., CliResult]) -> None:
    errors = _errors_after_edit(project, cli, "value: 10.5", "value: 10.6")
    assert "arms[0].outcomes[0].value: 10.6 does not appear in its quote" in errors


# Each number a value carries, made one its quote ('Complete responses were seen in 30 of 200 patients (14%) on drugamab.')
# does not state; the fields added beside it keep their bounds in order and their partner bound in the quote.
_CR = "        numerator: 30\n        denominator: 200\n"
_NUMBER_NOT_IN_QUOTE = {
    "value": ("value: 14\n", "value: 14.5\n", "14.5"),
    "numerator": (_CR, "        numerator: 31\n        denominator: 200\n", "31"),
    "denominator": (_CR, "        numerator: 30\n        denominator: 250\n", "250"),
    "ci_low": (_CR, _CR + "        ci_low: 9.5\n        ci_high: 30\n", "9.5"),
    "ci_high": (_CR, _CR + "        ci_low: 14\n        ci_high: 19.5\n", "19.5"),
    "range_low": (_CR, _CR + "        range_low: 2\n        range_high: 200\n", "2"),
    "range_high": (_CR, _CR + "        range_low: 14\n        range_high: 201\n", "201"),
}


@pytest.mark.parametrize("field", sorted(_NUMBER_NOT_IN_QUOTE))
def test_every_number_of_a_value_must_stand_in_its_quote(field: str, project: Path, cli: Callable[..., CliResult]) -> None:
    """value, numerator, denominator and the bounds of its interval and range: one line each, at the field's own line
    (a denominator too when it is a group size the record states elsewhere: see tests/bad_records/denominator-is-only-the-group-size)."""
    old, new, number = _NUMBER_NOT_IN_QUOTE[field]
    errors = _errors_after_edit(project, cli, old, new)
    lines = (project / "seeds/studies/fixture-trial.yaml").read_text().splitlines()
    cr = lines.index("      - measure: cr")
    line = next(index for index in range(cr, len(lines)) if lines[index].startswith(f"        {field}: ")) + 1
    expected = f"seeds/studies/fixture-trial.yaml:{line}: arms[0].outcomes[3].{field}: {number} does not appear in its quote 'Complete responses"
    problems = [text for text in errors.splitlines() if text.startswith("seeds/")]
    assert len(problems) == 1 and problems[0].startswith(expected), errors


def test_quote_not_in_its_source_is_an_error(project: Path, cli: Callable[..., CliResult]) -> None:
    errors = _errors_after_edit(project, cli, "quote: Disease control occurred in 150", "quote: Disease control was seen in 150")
    assert "arms[0].outcomes[4].quote: quote not found verbatim in 900_0000000000000abc.txt" in errors


def test_quotes_match_across_line_breaks(tmp_path: Path) -> None:
    (tmp_path / "900_0000000000000abc.txt").write_text("a phrase that\nbreaks   across lines")
    library = SourceLibrary(tmp_path)
    assert library.quote_stands("900_0000000000000abc.txt", "phrase that breaks across lines")
    assert not library.quote_stands("900_0000000000000abc.txt", "phrase that bends")


def test_numbers_are_shown_as_the_source_writes_them() -> None:
    from generator.derive.evidence import stated_form

    assert stated_form(7.0, "7.0 months") == "7.0"
    assert stated_form(1532, "Of 1,532 patients") == "1,532"
    assert stated_form(15, "6 patients (15%)") == "15"
    assert stated_form(0.5, "no such number") == "0.5"


def test_every_quote_of_the_real_review_stands_in_its_source() -> None:
    """Checked whenever ../shared/sources is present (it is in CI)."""
    from generator.derive.stage import iter_models
    from generator.records.schema import Evidence
    from tests.conftest import ROOT, SHARED_SOURCES

    if not SHARED_SOURCES.is_dir():
        pytest.skip("../shared/sources is not present on this machine")
    library = SourceLibrary(SHARED_SOURCES)
    checked = 0
    for item in load_corpus(ROOT / "seeds", ROOT).records:
        for loc, model in iter_models(item.record):
            if isinstance(model, Evidence):
                assert library.quote_stands(model.source, model.quote), f"{item.file}:{item.line_of(loc)}: {model.quote!r}"
                checked += 1
    assert checked > 100


# The number patterns as first written (no lookaheads): the faster ones must find exactly the same matches.
_PLAIN_NUMBER = re.compile(r"(?<![0-9.])[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|(?<![0-9.])[0-9]+(?:\.[0-9]+)?")
_PLAIN_WORD_NUMBER = re.compile(
    r"\b(?:(" + "|".join(_TENS) + r")(?:[- ](" + "|".join(k for k in _UNITS if _UNITS[k] < 10) + r"))?|(" + "|".join(_UNITS) + r"))\b",
    re.IGNORECASE,
)
number_ish_text = st.lists(
    st.one_of(
        st.sampled_from([*_UNITS, *_TENS, "Forty-eight", "SIXTY five", "\u017fix", "fıve", "\u212a", "\u0130", "1,234", "1.2.3", "a.1,234", "12,34", ",", ".", "-", " "]),
        st.text(alphabet="0123456789., -abefinostvwxyzEFNOSTZ\u00e9\u017f\u0131", max_size=4),
    ),
    max_size=20,
).map("".join)


@given(number_ish_text)
@settings(BASE, max_examples=400)
def test_number_patterns_match_exactly_what_the_plain_patterns_match(text: str) -> None:
    assert _NUMBER.findall(text) == _PLAIN_NUMBER.findall(text)
    assert _WORD_NUMBER.findall(text) == _PLAIN_WORD_NUMBER.findall(text)


def _every_model(obj: object, loc: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], BaseModel]]:
    """Every model inside a record by visiting every field (what iter_models must find, in its order)."""
    if isinstance(obj, BaseModel):
        return [(loc, obj)] + [found for name in type(obj).model_fields for found in _every_model(getattr(obj, name), (*loc, name))]
    if isinstance(obj, list):
        return [found for index, item in enumerate(obj) for found in _every_model(item, (*loc, index))]
    return []


def test_iter_models_finds_every_model_in_field_order(project: Path) -> None:
    from generator.derive.stage import iter_models
    from tests.conftest import ROOT

    records = [item.record for root in (project, ROOT) for item in load_corpus(root / "seeds", root).records]
    assert len(records) > 5
    for record in records:
        assert [(loc, id(model)) for loc, model in iter_models(record)] == [(loc, id(model)) for loc, model in _every_model(record)]


def test_a_missing_source_document_is_reported_at_each_use(project: Path, cli: Callable[..., CliResult]) -> None:
    errors = _errors_after_edit(project, cli, "source: 900_0000000000000abc.txt", "source: 900_0000000000000abd.txt")
    assert "no source document named '900_0000000000000abd.txt'" in errors


# One bad regimen file, each way a file can be bad: (what to do to seeds/regimens/, the file the one line is about).
# drugamab is the regimen of an arm of fixture-trial and of a step of fixture-case; the test adds two more studies using it.
def _edit_regimen(old: str, new: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / "drugamab.yaml"
        assert old in path.read_text(encoding="utf-8")
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return edit


def _copy_regimen(name: str) -> Callable[[Path], object]:
    return lambda folder: (folder / name).write_text((folder / "drugamab.yaml").read_text(encoding="utf-8"), encoding="utf-8")


def _move_regimen(name: str) -> Callable[[Path], None]:
    def move(folder: Path) -> None:
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / "drugamab.yaml").rename(folder / name)
    return move


def _symlinked_regimen(folder: Path) -> None:
    target = folder.parents[2] / "drugamab.yaml"  # outside the project
    (folder / "drugamab.yaml").rename(target)
    (folder / "drugamab.yaml").symlink_to(target)


def _folder_for_regimen(folder: Path) -> None:
    (folder / "drugamab.yaml").unlink()
    (folder / "drugamab.yaml").mkdir()


BAD_REGIMEN_FILES: dict[str, tuple[Callable[[Path], object], str]] = {
    "invalid field": (_edit_regimen("name: Drugamab", "name: Drugamab\nnot_a_field: 1"), "drugamab.yaml"),
    "id differs from its file name": (_edit_regimen("id: drugamab", "id: drugamab-renamed"), "drugamab.yaml"),
    "id not an id": (_edit_regimen("id: drugamab", "id: Drugamab"), "drugamab.yaml"),
    "YAML syntax error": (_edit_regimen("name: Drugamab", "name: [Drugamab"), "drugamab.yaml"),
    "duplicate id, the copy after the original in file order": (_copy_regimen("drugamab-copy.yaml"), "drugamab-copy.yaml"),
    "duplicate id, the copy before the original in file order": (_copy_regimen("a-drugamab.yaml"), "a-drugamab.yaml"),
    "empty file": (lambda folder: (folder / "drugamab.yaml").write_text(""), "drugamab.yaml"),
    "not UTF-8": (lambda folder: (folder / "drugamab.yaml").write_bytes(b"id: drugamab\nname: Drug\xe4mab\n"), "drugamab.yaml"),
    "not .yaml": (_move_regimen("drugamab.yml"), "drugamab.yml"),
    "in a subfolder": (_move_regimen("old/drugamab.yaml"), "old/drugamab.yaml"),
    "symbolic link": (_symlinked_regimen, "drugamab.yaml"),
    "a folder named like it": (_folder_for_regimen, "drugamab.yaml"),
}


@pytest.mark.parametrize("cause", sorted(BAD_REGIMEN_FILES))
def test_a_bad_regimen_file_is_one_line_not_one_per_use(cause: str, project: Path, cli: Callable[..., CliResult]) -> None:
    """The records that use a regimen whose own file has a problem are not each told the regimen is unknown: one line in all."""
    trial = (project / "seeds/studies/fixture-trial.yaml").read_text(encoding="utf-8")
    for number in (2, 3):
        (project / f"seeds/studies/fixture-trial-{number}.yaml").write_text(trial.replace("id: fixture-trial\n", f"id: fixture-trial-{number}\n", 1))
    assert cli("validate", cwd=project).returncode == 0  # control: four uses of drugamab, all valid
    break_it, file = BAD_REGIMEN_FILES[cause]
    break_it(project / "seeds" / "regimens")
    done = cli("validate", cwd=project)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("seeds/")]
    assert len(lines) == 1 and re.match(rf"seeds/regimens/{re.escape(file)}[:]", lines[0]), done.stderr
    assert "1 problem(s) found" in done.stderr


def test_an_unreadable_regimens_folder_is_one_line_not_one_per_use(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A regimens folder the build cannot list holds, as far as it knows, no regimen: said once, and no use of one is unknown.
    (Simulated: the tests run as root, who may read any folder; the loader is told it may not, and lists nothing there.)"""
    import os

    from generator.errors import InvalidCorpus
    from generator.pipeline import ReviewConfig, validate_review

    folder = (project / "seeds" / "regimens").resolve()
    for path in folder.iterdir():
        path.unlink()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path).resolve() != folder and real_access(path, mode))
    with pytest.raises(InvalidCorpus) as raised:
        validate_review(ReviewConfig.from_options(project, "seeds", None, "docs", "sources"))
    assert [str(problem) for problem in raised.value.problems] == [
        "seeds/regimens: cannot be read (permission denied); its records would be left out"]
