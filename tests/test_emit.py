"""Emitting the generated tree: only real changes are written, hand-written pages are safe."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator.emit import emit_tree
from generator.errors import EmitError
from tests.conftest import CliResult


def test_emit_writes_changes_only_and_removes_what_it_no_longer_generates(tmp_path: Path) -> None:
    first = emit_tree({"a.md": b"A", "sub/b.md": b"B"}, tmp_path)
    assert first.written == ["a.md", "sub/b.md"]
    before = (tmp_path / "a.md").stat().st_mtime_ns
    second = emit_tree({"a.md": b"A", "sub/c.md": b"C"}, tmp_path)
    assert (second.written, second.unchanged, second.removed) == (["sub/c.md"], 1, ["sub/b.md"])
    assert (tmp_path / "a.md").stat().st_mtime_ns == before
    assert not (tmp_path / "sub/b.md").exists()
    assert not list(tmp_path.rglob("*.tmp"))


def test_emit_refuses_to_overwrite_a_hand_written_page(tmp_path: Path) -> None:
    (tmp_path / "about.md").write_text("hand-written")
    with pytest.raises(EmitError, match="refusing to overwrite"):
        emit_tree({"about.md": b"generated"}, tmp_path)
    assert (tmp_path / "about.md").read_text() == "hand-written"


def test_an_invalid_corpus_leaves_the_generated_tree_untouched(project: Path, cli: Callable[..., CliResult]) -> None:
    assert cli("generate", cwd=project).returncode == 0
    snapshot = {p: p.read_bytes() for p in (project / "docs").rglob("*") if p.is_file()}
    study = project / "seeds/studies/fixture-trial.yaml"
    study.write_text(study.read_text().replace("summary: Fictional", "summary: Changed").replace("regimen: placebo", "regimen: missing"))
    result = cli("generate", cwd=project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert {p: p.read_bytes() for p in (project / "docs").rglob("*") if p.is_file()} == snapshot
