"""Golden test: the Markdown rendered for each fixture review, file by file.

- ``tests/fixtures/review`` → ``tests/golden``: a small review with one of each record kind.
- ``tests/fixtures/definitions`` → ``tests/golden_definitions``: values measured in different ways (two survival
  origins, RECIST and mRECIST, a group defined by outcome, partial responses only, a source's own term, a planned
  trial), to show how the comparison pages keep like with like.
- ``tests/fixtures/vaccine`` → ``tests/golden_vaccine``: the second review (13 BCG trials, metafor's ``dat.bcg``),
  with its pooled forest plot's SVG, wide and narrow (deterministic bytes: the pinned matplotlib, its own font).

After an intended change to a template, refresh the expected files with
``UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden.py`` and review the diff.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.pipeline import ReviewConfig, render_review, validate_review
from generator.releases.changelog import ReleaseInfo
from tests.conftest import ROOT

FIXTURES = {"review": ROOT / "tests" / "golden", "definitions": ROOT / "tests" / "golden_definitions",
            "vaccine": ROOT / "tests" / "golden_vaccine"}  # the second review: vaccine trials, a risk ratio per trial
# Figures held in a golden output besides its Markdown: the pooled forest plot of the second review.
GOLDEN_FIGURES = {"vaccine": ("figures/all-trials/forest.svg", "figures/all-trials/forest-narrow.svg")}


@pytest.mark.parametrize("fixture", sorted(FIXTURES))
def test_rendered_markdown_matches_the_golden_files(fixture: str, tmp_path: Path) -> None:
    golden = FIXTURES[fixture]
    project = tmp_path / fixture
    shutil.copytree(ROOT / "tests" / "fixtures" / fixture, project, ignore=shutil.ignore_patterns("site", "docs"))
    (project / "docs").mkdir()
    config = ReviewConfig.from_options(project, "seeds", str(ROOT / "templates"), "docs", "sources")
    # Markdown pages only: the data exports have their own tests (test_export.py). The copy is not a git checkout
    # (no changelog); the release is fixed, whatever LITREVIEW_RELEASE the environment sets (test_changelog.py).
    rendered = render_review(config, validate_review(config), release=ReleaseInfo())
    files = {name: data for name, data in rendered.files.items() if name.endswith(".md") or name in GOLDEN_FIGURES.get(fixture, ())}
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(golden, ignore_errors=True)
        for name, data in files.items():
            (golden / name).parent.mkdir(parents=True, exist_ok=True)
            (golden / name).write_bytes(data)
    expected = {str(p.relative_to(golden)): p.read_bytes() for p in golden.rglob("*") if p.suffix in (".md", ".svg")}
    assert sorted(files) == sorted(expected)
    for name, data in files.items():
        assert data.decode() == expected[name].decode(), f"{name} differs from {golden.relative_to(ROOT)}/{name}"
