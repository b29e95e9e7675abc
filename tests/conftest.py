"""Shared test fixtures: a copy of the fixture review in a temporary folder, and a CLI runner."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "review"
SHARED_SOURCES = ROOT.parent / "shared" / "sources"


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: Path) -> CliResult:
    """Run ``litreview`` as a user would: a separate process, its exit code and its output."""
    done = subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    return CliResult(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A private copy of the fixture review, using the project's real templates."""
    target = tmp_path / "review"
    shutil.copytree(FIXTURE, target, ignore=shutil.ignore_patterns("site", ".litreview-generated.json"))
    config = target / "mkdocs.yml"
    config.write_text(config.read_text().replace("../../../templates", str(ROOT / "templates")))
    return target


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    return run_cli
