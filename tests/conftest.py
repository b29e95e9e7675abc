"""Shared test fixtures: a copy of the fixture review in a temporary folder, and a CLI runner."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.pipeline import Review, ReviewConfig, validate_review

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "review"
SHARED_SOURCES = ROOT.parent / "shared" / "sources"
CHROMIUM = Path(os.environ.get("LITREVIEW_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(os.environ.get("LITREVIEW_SCREENSHOTS", ROOT / "test-artifacts" / "screenshots"))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say where the browser tests left their screenshots."""
    if SCREENSHOTS.is_dir() and any(SCREENSHOTS.iterdir()):
        terminalreporter.write_line(f"browser screenshots: {SCREENSHOTS}")


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: Path) -> CliResult:
    """Run ``litreview`` as a user would: a separate process, its exit code and its output."""
    done = subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    return CliResult(done.returncode, done.stdout, done.stderr)


def copy_fixture(fixture: Path, target: Path) -> Path:
    """A private copy of a fixture review at ``target``, using the project's real templates; returns ``target``."""
    shutil.copytree(fixture, target, ignore=shutil.ignore_patterns("site", ".litreview-generated.json"))
    config = target / "mkdocs.yml"
    config.write_text(config.read_text().replace("../../../templates", str(ROOT / "templates")))
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A private copy of the fixture review, using the project's real templates."""
    return copy_fixture(FIXTURE, tmp_path / "review")


def build_site(project: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of a project (never with ``-q``: it hides the warnings --strict counts)."""
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(project / "mkdocs.yml"), "--site-dir", str(site)],
                          capture_output=True, text=True, timeout=300)


def copy_real_review(target: Path) -> Path:
    """A copy of the real review (no generated pages, no site) at ``target``, its quotes checked when ../shared/sources
    is present; returns ``target``."""
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(".git", ".venv", "site", "__pycache__", ".*_cache", "tests", "node_modules",
                                                                ".cache", "mkdocs.generated.yml"))
    for folder in ("studies", "regimens", "cases", "compare", "assets"):
        shutil.rmtree(target / "docs" / folder, ignore_errors=True)
    config = target / "mkdocs.yml"
    sources = str(SHARED_SOURCES) if SHARED_SOURCES.is_dir() else "no-sources-here"
    config.write_text(config.read_text().replace("sources: ../shared/sources", f"sources: {sources}"))
    return target


@pytest.fixture(scope="session")
def review_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real review, copied and built once with --strict (quotes checked when ../shared/sources is present)."""
    copy = copy_real_review(tmp_path_factory.mktemp("review") / "project")
    done = build_site(copy, copy / "site")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not re.search(r"^WARNING\s+-", done.stderr, re.MULTILINE), done.stderr
    return copy / "site"


@dataclass(frozen=True)
class BuiltSite:
    project: Path
    site: Path
    result: CliResult


EngineSite = Callable[[str, str], BuiltSite]


@pytest.fixture(scope="session")
def engine_site(tmp_path_factory: pytest.TempPathFactory) -> EngineSite:
    """``engine_site(review, engine)``: the real review (``"real"``) or the fixture review (``"fixture"``) built by
    ``litreview build --engine <engine>`` in a copy of its own, once per session."""
    built: dict[tuple[str, str], BuiltSite] = {}

    def build(review: str, engine: str) -> BuiltSite:
        if (review, engine) not in built:
            folder = tmp_path_factory.mktemp(f"{review}-{engine}") / "project"
            project = copy_real_review(folder) if review == "real" else copy_fixture(FIXTURE, folder)
            result = run_cli("build", "--engine", engine, cwd=project)
            built[review, engine] = BuiltSite(project, project / "site", result)
        return built[review, engine]

    return build


@pytest.fixture(scope="session")
def real_review() -> Review:
    """The real review, validated once (quotes checked when ../shared/sources is present)."""
    sources = "../shared/sources" if SHARED_SOURCES.is_dir() else None
    return validate_review(ReviewConfig.from_options(ROOT, "seeds", "templates", "docs", sources))


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture review with attack payloads in every text field (tests/hostile.py), built with --strict."""
    from tests.hostile import make_hostile_review

    project = make_hostile_review(FIXTURE, tmp_path_factory.mktemp("hostile") / "review", ROOT / "templates")
    done = build_site(project, project / "site")
    assert done.returncode == 0, done.stdout + done.stderr
    return project / "site"


@pytest.fixture(scope="session")
def definitions_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The second fixture review (tests/fixtures/definitions: values of several definitions), built with --strict."""
    project = copy_fixture(ROOT / "tests" / "fixtures" / "definitions", tmp_path_factory.mktemp("definitions") / "review")
    done = build_site(project, project / "site")
    assert done.returncode == 0, done.stdout + done.stderr
    return project / "site"


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    return run_cli
