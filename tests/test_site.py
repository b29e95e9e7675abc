"""The built site: strict MkDocs build, pages for every record, table links, live reload."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.records.load import load_corpus
from tests.conftest import ROOT, build_site


class _RowLinks(HTMLParser):
    """Collects, for each table body row, the hrefs of its links."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag == "a" and self._in_body and self.rows:
            href = dict(attrs).get("href") or ""
            if not href.startswith("#"):
                self.rows[-1].append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False


def test_every_record_has_a_page(review_site: Path) -> None:
    records = load_corpus(ROOT / "seeds", ROOT).records
    assert records
    for item in records:
        page = review_site / item.kind / item.record.id / "index.html"
        assert page.is_file(), f"no page for {item.kind}/{item.record.id}"


@pytest.mark.parametrize("page", ["compare/outcomes/index.html", "studies/index.html", "regimens/index.html", "cases/index.html"])
def test_every_table_row_links_to_an_existing_page(review_site: Path, page: str) -> None:
    html_file = review_site / page
    parser = _RowLinks()
    parser.feed(html_file.read_text(encoding="utf-8"))
    assert parser.rows, f"{page} has no table rows"
    for row in parser.rows:
        assert row, f"a row of {page} links nowhere"
        for href in row:
            target = (html_file.parent / href.split("#")[0]).resolve()
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{page}: link {href} leads nowhere"


def test_home_page_counts_match_the_records(review_site: Path) -> None:
    text = (review_site / "index.html").read_text(encoding="utf-8")
    records = load_corpus(ROOT / "seeds", ROOT).records
    studies = sum(item.kind == "studies" for item in records)
    assert re.search(rf"{studies}\s+studies, reviews and trials", text)


def test_a_broken_cross_link_fails_the_strict_build(tmp_path: Path, project: Path) -> None:
    (project / "docs" / "about.md").write_text("# About\n\nSee [a study](studies/no-such-study.md).\n")
    done = build_site(project, tmp_path / "site")
    assert done.returncode != 0
    assert "no-such-study.md" in done.stderr


def test_a_broken_anchor_fails_the_strict_build(tmp_path: Path, project: Path) -> None:
    (project / "docs" / "about.md").write_text("# About\n\nSee [the notes](notes.md#no-such-heading).\n")
    done = build_site(project, tmp_path / "site")
    assert done.returncode != 0
    assert "no-such-heading" in done.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8"))
    except OSError:
        return ""


def _wait_for(url: str, needle: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if needle in _fetch(url):
            return True
        time.sleep(0.5)
    return False


@pytest.mark.parametrize("edited", ["seed", "template", "hand-written page"])
def test_mkdocs_serve_reloads_once_when_a_seed_template_or_page_changes(project: Path, edited: str, tmp_path: Path) -> None:
    """One edit, one rebuild: the generator's own writes into docs/ during the rebuild do not start another."""
    # The fixture normally uses the project's templates; serve from a private copy so one can be edited.
    shutil.copytree(ROOT / "templates", project / "templates")
    config = project / "mkdocs.yml"
    config.write_text(re.sub(r"templates: .+", "templates: templates", config.read_text()))
    url_path = "studies/fixture-trial/"
    if edited == "seed":
        path, old, new = project / "seeds/studies/fixture-trial.yaml", "summary: Fictional trial", "summary: Edited-while-serving trial"
    elif edited == "template":
        path, old, new = project / "templates/study.md.j2", "## Summary", "## Edited-while-serving summary"
    else:
        path, url_path = project / "docs/about.md", "about/"
        old = path.read_text().splitlines()[-1]
        new = old + "\n\nEdited-while-serving paragraph."
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as stderr:
        server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                                  cwd=project, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        url = f"http://127.0.0.1:{port}/{url_path}"
        assert _wait_for(url, "</html>", 90), "the served page never appeared"
        time.sleep(1)
        before = log.read_text().count("Documentation built in")
        path.write_text(path.read_text().replace(old, new, 1))
        assert _wait_for(url, "Edited-while-serving", 60), f"the served page did not change after the {edited} was edited"
        time.sleep(3)  # time for a second rebuild to start, if the generator's writes set one off
        assert log.read_text().count("Documentation built in") - before == 1, log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=20)
