"""Golden test: the Markdown rendered for the fixture review, file by file.

After an intended change to a template, refresh the expected files with
``UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden.py`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

from generator.changelog import ReleaseInfo
from generator.pipeline import ReviewConfig, render_review, validate_review
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"


def test_rendered_markdown_matches_the_golden_files(project: Path) -> None:
    config = ReviewConfig.from_options(project, "seeds", str(ROOT / "templates"), "docs", "sources")
    # Markdown pages only: the data exports have their own tests (test_export.py). The copy is not a git checkout
    # (no changelog); the release is fixed, whatever LITREVIEW_RELEASE the environment sets (test_changelog.py).
    rendered = render_review(config, validate_review(config), release=ReleaseInfo())
    files = {name: data for name, data in rendered.files.items() if name.endswith(".md")}
    if os.environ.get("UPDATE_GOLDEN"):
        for name, data in files.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes(data)
    expected = {str(p.relative_to(GOLDEN)): p.read_bytes() for p in GOLDEN.rglob("*.md")}
    assert sorted(files) == sorted(expected)
    for name, data in files.items():
        assert data.decode() == expected[name].decode(), f"{name} differs from tests/golden/{name}"
