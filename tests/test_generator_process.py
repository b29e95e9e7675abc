"""``mkdocs build`` generates in a process of its own, beside MkDocs (generator.publish.process).

MkDocs must read each generated page only once that process has written it, list the pages where it would
have listed them had they been on disk, and fail cleanly, leaving nothing running, when the process fails.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.benchmark.run import generator_waits
from tests.conftest import ROOT, CliResult, build_site
from tests.test_publish import snapshot

SLOW = "{% for _ in range(3000000) %}{% endfor %}"  # about 0.2 s of Jinja2 work that renders nothing


def _templates_copy(project: Path, first_line: str, only: str | None = None) -> Path:
    """A copy of the real templates with ``first_line`` put before the first line of each page template
    (or of ``only``), used by the project instead of the real ones."""
    copy = project.parent / "templates"
    shutil.copytree(ROOT / "templates", copy)
    for template in copy.glob("*.md.j2"):
        if not template.name.startswith("_") and (only is None or template.name == only):
            template.write_text(first_line + template.read_text(encoding="utf-8"), encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace(str(ROOT / "templates"), str(copy)))
    return copy


def _generated(project: Path) -> list[str]:
    return [path for path in snapshot(project / "docs") if path != "about.md" and not path.startswith(".")]


def test_mkdocs_reads_each_page_once_it_is_written_and_lists_the_pages_as_if_they_had_been_on_disk(project: Path, tmp_path: Path) -> None:
    # Slowed down, the generator's process writes each page long after MkDocs could have asked for it: from an
    # empty tree, a page read too early is a missing file (a failed build) or, later, an out-of-date one.
    _templates_copy(project, SLOW + "\n")
    assert _generated(project) == []
    done = build_site(project, tmp_path / "from-empty")
    assert done.returncode == 0, done.stderr
    written = snapshot(project / "docs")
    assert len(_generated(project)) > 20
    # figures not in the cache are drawn last, held back from MkDocs' copy of static files and copied once drawn
    figures = [path for path in written if path.endswith(".svg")]
    assert figures and all((tmp_path / "from-empty" / path).read_bytes() == (project / "docs" / path).read_bytes() for path in figures)
    assert re.search(r"MkDocs waited for the generator .* s for figures", done.stderr)
    # Built again, every page is on disk before MkDocs lists the folder: the same site, navigation included.
    done = build_site(project, tmp_path / "from-written")
    assert done.returncode == 0, done.stderr
    # the same files (the manifest has folded in the journal the drawing process kept of the figures it wrote)
    bookkeeping = (".litreview-generated.json", ".litreview-generated.journal")
    assert {path: sha for path, sha in snapshot(project / "docs").items() if path not in bookkeeping} == {
        path: sha for path, sha in written.items() if path not in bookkeeping}
    assert snapshot(tmp_path / "from-empty") == snapshot(tmp_path / "from-written")
    # the slow templates rendered the same pages as the real ones
    (project / "mkdocs.yml").write_text((project / "mkdocs.yml").read_text().replace(str(project.parent / "templates"), str(ROOT / "templates")))
    done = build_site(project, tmp_path / "real-templates")
    assert done.returncode == 0, done.stderr
    assert snapshot(tmp_path / "real-templates") == snapshot(tmp_path / "from-empty")


def test_the_generators_log_lines_reach_mkdocs_log(project: Path, tmp_path: Path) -> None:
    shutil.rmtree(project / "sources")
    done = build_site(project, tmp_path / "site")
    assert done.returncode == 0, done.stderr
    assert re.search(r"INFO +- +source documents not found at .*: quotes were not checked", done.stderr)
    assert re.search(r"INFO +- +generated \d+ files", done.stderr)
    assert re.search(r"INFO +- +\d+ figure files drawn while MkDocs built the pages", done.stderr)  # by the drawing process
    # and the plugin says how long MkDocs waited for that process (the benchmark reads this line)
    waits = generator_waits(done.stderr)
    assert waits is not None and waits["plan"] > 0, done.stderr


def _processes_marked(mark: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if f"LITREVIEW_TEST_MARK={mark}".encode() in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_a_template_error_fails_the_build_with_its_file_and_line_and_leaves_nothing_running(
        project: Path, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch) -> None:
    before = cli("build", "--site-dir", "site", cwd=project)
    assert before.returncode == 0, before.stderr
    site = snapshot(project / "site")
    templates = _templates_copy(project, "{{ study.no_such_field }}", only="study.md.j2")
    mark = uuid.uuid4().hex
    monkeypatch.setenv("LITREVIEW_TEST_MARK", mark)  # inherited by every process the build starts
    done = cli("build", "--site-dir", "site", cwd=project)
    assert done.returncode == 1
    assert f"{templates / 'study.md.j2'}:1: 'generator.records.schema.StudyRecord object' has no attribute 'no_such_field'" in done.stderr
    assert "(rendering studies/fixture-trial.md)" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert snapshot(project / "site") == site
    assert _processes_marked(mark) == []
