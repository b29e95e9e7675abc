"""Bad seed records, each run through the real command line exactly as a curator would meet it.

Every folder of ``tests/bad_records/`` is one case: files to lay over the fixture review's
``seeds/`` (a copy of a valid fixture record with one thing broken) and ``expected.yaml``, the
problems the curator must be told about::

    - file: 'seeds/studies/negative-n.yaml'   # as printed, relative to the project
      line: [13, 16]                          # the line, or the lines that would all be right
      field: ['enrolment', 'enrolment.value'] # optional: the field, or the acceptable fields ('' = none)
      match: '(?i)negative'                   # regular expression searched in the message

The user-facing contract (README, "Nothing is written unless…"): every problem is one line
``file:line: field: what was expected`` (the field left out when the problem is about the whole
file; line 0, printed as ``file: message``, only for whole-file problems), exit status 1, no
traceback, and every problem of the corpus in one run. Each run is bounded in time and memory so
that a blow-up (billion laughs, a 50 MB file, deep nesting) fails its test instead of the machine.
"""

from __future__ import annotations

import hashlib
import re
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, CliResult, copy_fixture

CASES_DIR = ROOT / "tests" / "bad_records"
CASES = sorted(path.name for path in CASES_DIR.iterdir() if path.is_dir())
EXPECTED_FILE = "expected.yaml"

TIMEOUT_SECONDS = 60
BUILD_TIMEOUT_SECONDS = 300
MEMORY_LIMIT_BYTES = 1536 * 1024 * 1024  # address space of the command (and of anything it starts)

# `file:line: field: message`, `file:line: message`, or `file: message` (line 0: the whole file)
PROBLEM_LINE = re.compile(r"^(?P<file>[^\s:]+)(?::(?P<line>\d+))?: (?P<rest>.+)$")
FIELD = re.compile(r"^(?P<field>[A-Za-z_][\w-]*(?:\[\d+\]|\.[A-Za-z_][\w-]*)*): (?P<message>.+)$")
SUMMARY_LINE = re.compile(r"^(?P<count>\d+) problems?(?:\(s\))? found\b")


# --------------------------------------------------------------------------- running the command line


def _limit_resources() -> None:
    """In the child, before exec: cap its address space so a blow-up ends in a MemoryError, not a swapping machine."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))


def run_limited(command: list[str], cwd: Path, timeout: int = TIMEOUT_SECONDS) -> CliResult:
    """Run a command as a curator would, with a time limit and a memory limit; a timeout fails the test."""
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, timeout=timeout, preexec_fn=_limit_resources, check=False)
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"`{' '.join(command)}` did not finish within {timeout} s:\n{_text(error.stdout)}{_text(error.stderr)}")
    return CliResult(done.returncode, _text(done.stdout), _text(done.stderr))


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode("utf-8", errors="replace")


def litreview(*args: str, cwd: Path, timeout: int = TIMEOUT_SECONDS) -> CliResult:
    return run_limited([sys.executable, "-m", "generator.cli", *args], cwd, timeout)


# --------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Expected:
    file: str
    lines: tuple[int, ...]
    fields: tuple[str, ...] | None  # None: any field (or none)
    match: str

    def __str__(self) -> str:
        fields = "" if self.fields is None else f" field in {list(self.fields)}"
        return f"{self.file} line in {list(self.lines)}{fields} message ~ /{self.match}/"


@dataclass(frozen=True)
class Reported:
    file: str
    line: int
    field: str
    message: str
    text: str


def _ints(value: object, what: str) -> tuple[int, ...]:
    items = value if isinstance(value, list) else [value]
    ints = tuple(item for item in items if isinstance(item, int) and not isinstance(item, bool) and item >= 0)
    assert ints and len(ints) == len(items), f"{what}: {value!r}"
    return ints


def _strs(value: object, what: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    strs = tuple(item for item in items if isinstance(item, str))
    assert strs and len(strs) == len(items), f"{what}: {value!r}"
    return strs


def load_expected(path: Path) -> list[Expected]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, list) and data, f"{path}: expected a list of problems"
    expected = []
    for entry in data:
        assert isinstance(entry, dict) and set(entry) <= {"file", "line", "field", "match"}, f"{path}: bad entry {entry!r}"
        file, match = entry["file"], entry["match"]
        assert isinstance(file, str) and isinstance(match, str), f"{path}: bad entry {entry!r}"
        re.compile(match)
        fields = _strs(entry["field"], f"{path}: field") if "field" in entry else None
        expected.append(Expected(file, _ints(entry["line"], f"{path}: line"), fields, match))
    return expected


def case_files(case: str) -> dict[str, Path]:
    """The files of a case, by their path under seeds/."""
    folder = CASES_DIR / case
    return {path.relative_to(folder).as_posix(): path for path in sorted(folder.rglob("*")) if path.is_file() and path.name != EXPECTED_FILE}


def overlay(case: str, project: Path) -> set[str]:
    """Lay a case's files over the project's seeds/; return them as the CLI names them (``seeds/...``)."""
    written = set()
    for relative, source in case_files(case).items():
        target = project / "seeds" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target, follow_symlinks=False)  # a case may be a symbolic link
        written.add(f"seeds/{relative}")
    return written


# --------------------------------------------------------------------------- checking the report


def parse_report(result: CliResult, project: Path) -> list[Reported]:
    """Every problem line of a failed run, each checked for the `file:line: field: message` shape."""
    output = f"exit status {result.returncode}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}"
    assert result.returncode == 1, output
    assert "Traceback" not in result.stdout + result.stderr, output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, output
    summary = SUMMARY_LINE.match(lines[-1])
    assert summary, f"the last line should count the problems:\n{output}"
    reported = []
    for text in lines[:-1]:
        shape = PROBLEM_LINE.match(text)
        assert shape, f"not a `file:line: field: message` line: {text!r}\n{output}"
        line = int(shape["line"] or 0)
        field_match = FIELD.match(shape["rest"])
        field, message = (field_match["field"], field_match["message"]) if field_match else ("", shape["rest"])
        assert (project / shape["file"]).exists(), f"the file of a problem should be a path in the project: {text!r}"
        assert line > 0 or not field, f"line 0 is only for problems about a whole file, not a field: {text!r}"
        reported.append(Reported(shape["file"], line, field, message, text))
    assert int(summary["count"]) == len(reported), f"the count does not match the problem lines:\n{output}"
    return reported


def fits(expected: Expected, problem: Reported) -> bool:
    return (problem.file == expected.file and problem.line in expected.lines
            and (expected.fields is None or problem.field in expected.fields)
            and re.search(expected.match, problem.message) is not None)


def assert_reported(expected: list[Expected], reported: list[Reported], touched: set[str], result: CliResult) -> None:
    """Every expected problem is on some line; nothing is blamed on a file the case did not touch."""
    missing = [str(item) for item in expected if not any(fits(item, problem) for problem in reported)]
    allowed_files = touched | {item.file for item in expected}
    stray = [problem.text for problem in reported if problem.file not in allowed_files]
    assert not missing and not stray, (
        "expected problems not reported:\n  " + "\n  ".join(missing or ["(none)"])
        + "\nproblems about files the case did not touch:\n  " + "\n  ".join(stray or ["(none)"])
        + f"\n--- stderr\n{result.stderr}"
    )


# --------------------------------------------------------------------------- the tests


def test_the_fixture_review_validates_within_the_limits(project: Path) -> None:
    """Control: the untouched fixture passes under the same limits, so a failure below is the bad record's."""
    result = litreview("validate", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_case_is_complete() -> None:
    """Each case has files to overlay and expectations about them; no two cases write the same file."""
    owners: dict[str, str] = {}
    for case in CASES:
        files = case_files(case)
        assert files, f"{case}: no files to overlay"
        assert all(relative.split("/")[0] in {"studies", "regimens", "cases", "glossary.yaml", "sources.yaml"} for relative in files), case
        for item in load_expected(CASES_DIR / case / EXPECTED_FILE):
            assert item.file.removeprefix("seeds/") in files or (ROOT / "tests/fixtures/review" / item.file).is_file(), f"{case}: {item.file}"
        for relative in files:
            assert relative not in owners, f"{case} and {owners[relative]} both write seeds/{relative}"
            owners[relative] = case


@pytest.mark.parametrize("case", CASES)
def test_bad_record_is_reported_in_one_line_each(case: str, project: Path) -> None:
    touched = overlay(case, project)
    result = litreview("validate", cwd=project)
    reported = parse_report(result, project)
    assert_reported(load_expected(CASES_DIR / case / EXPECTED_FILE), reported, touched, result)


def test_every_problem_of_a_corpus_is_reported_in_one_run(project: Path) -> None:
    """All cases laid over one review at once: one run must report every problem of every case."""
    touched: set[str] = set()
    expected: list[Expected] = []
    for case in CASES:
        touched |= overlay(case, project)
        expected += load_expected(CASES_DIR / case / EXPECTED_FILE)
    result = litreview("validate", cwd=project, timeout=2 * TIMEOUT_SECONDS)
    assert_reported(expected, parse_report(result, project), touched, result)


# --------------------------------------------------------------------------- generated cases (too big to commit)


REGIMEN = (ROOT / "tests/fixtures/review/seeds/regimens/drugamab.yaml").read_text(encoding="utf-8")
FIFTY_MB = 50 * 1024 * 1024


def _regimen(record_id: str) -> str:
    text = REGIMEN.replace("id: drugamab\n", f"id: {record_id}\n", 1)
    assert text != REGIMEN and text.endswith("\n")
    return text


def _huge_comment(path: Path) -> int:
    """A valid regimen followed by 50 MB of comment lines; returns the line a problem should name (0: whole file)."""
    line = "# " + "padding " * 12 + "\n"
    with path.open("w", encoding="utf-8") as stream:
        stream.write(_regimen(path.stem))
        stream.write(line * (FIFTY_MB // len(line) + 1))
    return 0


def _huge_string(path: Path) -> int:
    """A valid regimen whose summary is one 50 MB string."""
    text = _regimen(path.stem).replace("summary: A fictional drug", "summary: A fictional drug" + " lol" * (FIFTY_MB // 4), 1)
    path.write_text(text, encoding="utf-8")
    return 0


def _deep_sequence(path: Path) -> int:
    """A valid regimen with `notes:` a list nested 100,000 deep (balanced: the YAML itself is well-formed)."""
    text = _regimen(path.stem)
    line = text.count("\n") + 1
    path.write_text(text + "notes: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    return line


def _deep_mapping(path: Path) -> int:
    """A valid regimen with `notes:` a mapping nested 10,000 deep (`{a: {a: ... 1}}`, well-formed)."""
    text = _regimen(path.stem)
    line = text.count("\n") + 1
    path.write_text(text + "notes: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n", encoding="utf-8")
    return line


GENERATED = {
    "huge-comment": (_huge_comment, r"(?i)\bbytes\b|too (big|large)|at most|\bsize\b|\bMB\b"),
    "huge-string": (_huge_string, r"(?i)\bbytes\b|too (big|large)|at most|\bsize\b|\bMB\b"),
    "deep-sequence": (_deep_sequence, r"(?i)nest|deep|depth"),
    "deep-mapping": (_deep_mapping, r"(?i)nest|deep|depth"),
}


@pytest.mark.parametrize("case", sorted(GENERATED))
def test_generated_bad_record_is_reported_in_one_line(case: str, project: Path) -> None:
    write, match = GENERATED[case]
    path = project / "seeds" / "regimens" / f"{case}.yaml"
    try:
        line = write(path)
        result = litreview("validate", cwd=project)
        reported = parse_report(result, project)
        expected = Expected(f"seeds/regimens/{case}.yaml", (line,), None, match)
        assert_reported([expected], reported, {expected.file}, result)
        assert len(reported) == 1, f"one clear line expected:\n{result.stderr}"
    finally:
        path.unlink(missing_ok=True)  # pytest keeps the last temporary folders; do not leave 50 MB behind


# --------------------------------------------------------------------------- nothing is written


def _tree(folder: Path) -> dict[str, str]:
    """Every file (path → sha256) and folder (path → '/') under a folder."""
    def entries() -> Iterator[tuple[str, str]]:
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder).as_posix()
            yield relative, "/" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return dict(entries()) if folder.is_dir() else {}


def _diff(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return ([f"removed {name}" for name in sorted(before.keys() - after.keys())]
            + [f"added {name}" for name in sorted(after.keys() - before.keys())]
            + [f"changed {name}" for name in sorted(before.keys() & after.keys()) if before[name] != after[name]])


@pytest.fixture(scope="module")
def built_review(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture review (as the `project` fixture copies it), generated and built once with `litreview build`."""
    project = copy_fixture(ROOT / "tests" / "fixtures" / "review", tmp_path_factory.mktemp("built") / "review")
    result = litreview("build", "--site-dir", str(project / "site"), cwd=project, timeout=BUILD_TIMEOUT_SECONDS)
    assert result.returncode == 0, f"the fixture review does not build:\n{result.stdout}{result.stderr}"
    assert _tree(project / "site") and len(_tree(project / "docs")) > 1, "the build wrote no site or no generated pages"
    return project


# one case per stage that can refuse a corpus (load, the glossary MkDocs reads on its own, link, derive), and one whose check is new
BUILD_CASES = ["yaml-syntax-error", "glossary-broken", "dangling-reference", "quote-not-in-source", "follow-up-before-treatment"]
BUILDERS: dict[str, Callable[[Path], list[str]]] = {
    "litreview-build": lambda project: [sys.executable, "-m", "generator.cli", "build", "--site-dir", str(project / "site")],
    "mkdocs-build": lambda project: [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(project / "site")],
}


@pytest.mark.parametrize("builder", sorted(BUILDERS))
@pytest.mark.parametrize("case", BUILD_CASES)
def test_a_bad_record_leaves_the_built_site_and_docs_untouched(case: str, builder: str, built_review: Path, tmp_path: Path) -> None:
    project = tmp_path / "review"
    shutil.copytree(built_review, project)
    before = {"site": _tree(project / "site"), "docs": _tree(project / "docs")}
    touched = overlay(case, project)
    result = run_limited(BUILDERS[builder](project), project, BUILD_TIMEOUT_SECONDS)
    output = f"exit status {result.returncode}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}"
    assert result.returncode == 1, output
    assert "Traceback" not in result.stdout + result.stderr, output
    changes = {tree: _diff(before[tree], _tree(project / tree)) for tree in before}
    assert changes == {"site": [], "docs": []}, f"{changes}\n{output}"
    if builder == "litreview-build":  # mkdocs words its own error around the problems
        assert_reported(load_expected(CASES_DIR / case / EXPECTED_FILE), parse_report(result, project), touched, result)
