"""Emitting the generated tree: only real changes are written, hand-written pages are safe."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.errors import EmitError
from generator.publish.emit import JOURNAL_NAME, MANIFEST_NAME, TreeWriter, digest, emit_tree
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


# --------------------------------------------------------------------------- deletion is confined to the generator's own files


def _manifest(out_dir: Path, files: object) -> None:
    (out_dir / MANIFEST_NAME).write_text(json.dumps({"files": files}))


@pytest.mark.parametrize("name", ["../outside.txt", "/etc/hostname", "sub/../../outside.txt", "a\\..\\b", "", "./x.md", "a//b.md",
                                  "x\n.md", ".litreview-generated.json"])
def test_a_manifest_naming_a_path_outside_the_folder_is_refused_and_nothing_is_deleted(tmp_path: Path, name: str) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (tmp_path / "outside.txt").write_text("keep me")
    (docs / "about.md").write_text("hand-written")
    first = emit_tree({"a.md": b"A"}, docs)
    assert first.written == ["a.md"]
    recorded = json.loads((docs / MANIFEST_NAME).read_text())["files"]
    _manifest(docs, {**recorded, name: digest(b"keep me")})
    with pytest.raises(EmitError, match="was not written by this generator, so nothing was deleted"):
        emit_tree({}, docs)
    assert (tmp_path / "outside.txt").read_text() == "keep me"
    assert (docs / "a.md").read_bytes() == b"A"
    assert (docs / "about.md").read_text() == "hand-written"


def test_a_hand_written_page_listed_in_a_forged_manifest_is_not_deleted(tmp_path: Path) -> None:
    (tmp_path / "about.md").write_text("hand-written")
    # an earlier version's manifest (names only), and one with a hash the file does not have
    for files in (["about.md", "a.md"], {"about.md": digest(b"something else"), "a.md": None}, {"about.md": None, "a.md": None}):
        (tmp_path / "a.md").unlink(missing_ok=True)  # a claimed name holds no file yet (one that does is refused: below)
        _manifest(tmp_path, files)
        report = emit_tree({"a.md": b"A"}, tmp_path)
        assert (report.removed, report.kept) == ([], ["about.md"])
        assert (tmp_path / "about.md").read_text() == "hand-written"
        # once given up, it is no longer recorded: a hand-written page from now on
        assert "about.md" not in json.loads((tmp_path / MANIFEST_NAME).read_text())["files"]


def test_a_generated_file_edited_since_is_kept_when_no_longer_produced(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    emit_tree({"a.md": b"A", "b.md": b"B"}, tmp_path)
    (tmp_path / "b.md").write_text("edited by hand")
    report = emit_tree({"a.md": b"A"}, tmp_path)
    assert (report.removed, report.kept) == ([], ["b.md"])
    assert (tmp_path / "b.md").read_text() == "edited by hand"
    assert "left in" in caplog.text and "b.md" in caplog.text


def test_files_written_by_an_interrupted_run_are_known_by_their_journal(tmp_path: Path) -> None:
    writer = TreeWriter(tmp_path, ["a.md", "b.md"])
    writer.write("a.md", b"A")  # interrupted here: no finish(), the manifest claims both with no hash
    assert json.loads((tmp_path / MANIFEST_NAME).read_text())["files"] == {"a.md": None, "b.md": None}
    assert (tmp_path / JOURNAL_NAME).read_text() == f"{digest(b'A')} a.md\n"
    report = emit_tree({"b.md": b"B"}, tmp_path)
    assert report.removed == ["a.md"] and not (tmp_path / "a.md").exists()
    assert not (tmp_path / JOURNAL_NAME).exists()
    assert json.loads((tmp_path / MANIFEST_NAME).read_text())["files"] == {"b.md": digest(b"B")}


def test_nothing_is_written_or_deleted_through_a_symbolic_link_out_of_the_folder(tmp_path: Path) -> None:
    docs, outside = tmp_path / "docs", tmp_path / "outside"
    docs.mkdir()
    outside.mkdir()
    (outside / "x.md").write_bytes(b"X")
    emit_tree({"sub/x.md": b"X"}, docs)
    shutil.rmtree(docs / "sub")
    (docs / "sub").symlink_to(outside)
    report = emit_tree({}, docs)  # sub/x.md holds the recorded bytes, but lies outside once the link is followed
    assert report.kept == ["sub/x.md"] and (outside / "x.md").read_bytes() == b"X"
    with pytest.raises(EmitError, match="refusing to write outside"):
        emit_tree({"sub/y.md": b"Y"}, docs)
    assert not (outside / "y.md").exists()


def test_generated_files_are_readable_by_others(tmp_path: Path) -> None:
    emit_tree({"a.md": b"A"}, tmp_path)
    assert (tmp_path / "a.md").stat().st_mode & 0o777 == 0o644


def test_the_cli_refuses_a_manifest_pointing_outside_docs(project: Path, cli: Callable[..., CliResult]) -> None:
    (project.parent / "precious.txt").write_text("keep me")
    (project / "docs").mkdir(exist_ok=True)
    _manifest(project / "docs", ["../../precious.txt", "about.md"])
    result = cli("generate", cwd=project)
    assert result.returncode == 2, result.stdout + result.stderr  # an error of the project's files, not of its records
    assert "Traceback" not in result.stderr
    assert "nothing was deleted" in result.stderr
    assert (project.parent / "precious.txt").read_text() == "keep me"
    assert (project / "docs" / "about.md").is_file()


@pytest.mark.parametrize("recorded", ["0" * 64, None])
def test_a_file_put_in_a_generated_files_place_is_not_overwritten(tmp_path: Path, recorded: str | None) -> None:
    """A manifest claiming a hand-written page (with a hash its bytes do not have, or none) cannot make the emitter
    overwrite it: the build stops, naming it, and the page is unchanged."""
    out = tmp_path / "docs"
    out.mkdir()
    (out / "notes.md").write_text("# precious\n", encoding="utf-8")
    (out / MANIFEST_NAME).write_text(json.dumps({"version": 2, "files": {"notes.md": recorded}}), encoding="utf-8")
    with pytest.raises(EmitError, match="changed since the generator wrote them"):
        emit_tree({"notes.md": b"# Curation notes\n"}, out)
    assert (out / "notes.md").read_text(encoding="utf-8") == "# precious\n"
