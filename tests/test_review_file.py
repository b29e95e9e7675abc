"""The review file: the review is configuration, the generator a tool.

The generator and its templates hold no word of any review; a review's vocabularies, measures and comparison pages
come from its `seeds/review.yaml`, which is validated like the records (file, line, field), and every id a record
draws from it is resolved against it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from generator.records.link import link_loaded
from generator.records.load import load_corpus, load_review_file
from generator.review.file import ReviewFile

ROOT = Path(__file__).resolve().parents[1]
# Words of the first review (advanced liver cancer after first-line therapy): none may appear in the tool.
REVIEW_WORDS = ("sorafenib", "lenvatinib", "lenalidomide", "hepatocellular", "HCC", "PD-1", "Child-Pugh", "BCLC")
_WORDS = re.compile("|".join(re.escape(word) for word in REVIEW_WORDS), re.IGNORECASE)
TOOL_FOLDERS = ("generator", "templates")
SKIPPED_PARTS = {"__pycache__", "node_modules"}


def _tool_files() -> list[Path]:
    files = []
    for folder in TOOL_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and not SKIPPED_PARTS & set(path.parts) and path.suffix not in {".pyc", ".svg", ".png", ".woff2"}:
                files.append(path)
    return files


def test_the_tool_holds_no_word_of_the_review() -> None:
    """generator/ (its starter review included) and templates/ say nothing of liver cancer or its drugs."""
    files = _tool_files()
    assert len(files) > 40  # the walk found the package, its starter and the templates
    found = [f"{path.relative_to(ROOT)}:{number}: {match.group(0)}"
             for path in files for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1)
             for match in _WORDS.finditer(line)]
    assert found == []


def test_the_word_check_would_see_a_word(tmp_path: Path) -> None:
    """The pattern catches each word in any case (the test above could not pass by matching nothing)."""
    for word in REVIEW_WORDS:
        assert _WORDS.search(f"x {word.lower()} y") and _WORDS.search(f"x {word.upper()} y")


@pytest.mark.parametrize("review", ["seeds", "tests/fixtures/review/seeds", "tests/fixtures/definitions/seeds", "tests/fixtures/vaccine/seeds",
                                    "generator/starter/seeds"])
def test_every_review_file_validates(review: Path) -> None:
    loaded, problems = load_review_file(ROOT / review / "review.yaml", ROOT)
    assert problems == [] and loaded is not None


def _copy(tmp_path: Path, fixture: str = "tests/fixtures/vaccine") -> Path:
    target = tmp_path / "review"
    shutil.copytree(ROOT / fixture, target)
    return target


def _problems(root: Path) -> list[str]:
    loaded = load_corpus(root / "seeds", root)
    problems = list(loaded.problems)
    if loaded.review is not None:
        problems += link_loaded(loaded)[1]
    return [str(problem) for problem in problems]


def test_an_unknown_vocabulary_id_is_said_once_with_its_line_and_the_closest_id(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    record = root / "seeds/studies/aronson-1948.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("setting: random_allocation", "setting: random_alocation"), encoding="utf-8")
    line = next(number for number, text in enumerate(record.read_text(encoding="utf-8").splitlines(), start=1) if text.startswith("setting:"))
    assert _problems(root) == [f"seeds/studies/aronson-1948.yaml:{line}: setting: unknown setting 'random_alocation' (did you mean "
                               "'random_allocation'?); expected one of random_allocation, alternate_allocation, systematic_allocation "
                               "(the review file, seeds/review.yaml)"]


def test_a_measure_the_review_does_not_declare_is_refused(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    record = root / "seeds/studies/aronson-1948.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("measure: no_tb", "measure: orr", 1), encoding="utf-8")
    (problem,) = _problems(root)
    assert "arms[0].outcomes[1].measure: unknown measure 'orr'" in problem


def test_a_count_must_be_whole_by_the_measure_kind_the_review_declares(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    record = root / "seeds/studies/aronson-1948.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("value: 119", "value: 119.5", 1), encoding="utf-8")
    assert any("arms[0].outcomes[1].value: a count (Without TB) must be a whole number of at least 0, got 119.5" in p for p in _problems(root))


def test_a_review_file_naming_an_undeclared_measure_fails_with_its_line(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    path = root / "seeds/review.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("measures: [no_tb]", "measures: [no_tuberculosis]"), encoding="utf-8")
    problems = _problems(root)
    assert len(problems) == 1 and problems[0].startswith("seeds/review.yaml:")
    assert "column 'no_tb': unknown measure 'no_tuberculosis'" in problems[0]


def test_a_missing_review_file_is_one_clear_problem(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "seeds/review.yaml").unlink()
    (problem,) = _problems(root)
    assert problem.startswith("seeds/review.yaml: the review file is missing")


def test_cases_need_the_review_to_declare_case_reports(tmp_path: Path) -> None:
    root = _copy(tmp_path, "tests/fixtures/review")
    path = root / "seeds/review.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["case_reports"]
    for comparison in data["comparisons"]:
        comparison.pop("cases", None)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    problems = _problems(root)
    assert problems and all("the review has no case reports" in problem for problem in problems)
    assert len(problems) == len(list((root / "seeds/cases").glob("*.yaml")))


def test_the_real_review_keeps_its_vocabularies_in_its_file() -> None:
    review = ReviewFile.model_validate(yaml.safe_load((ROOT / "seeds/review.yaml").read_text(encoding="utf-8")))
    assert [c.slug for c in review.comparisons] == ["after-sorafenib", "after-lenvatinib", "lenalidomide", "first-line", "outcomes"]
    assert review.column("median_os").times and not review.column("response").times
    assert review.all_arms_page is not None and review.all_arms_page.slug == "outcomes"
