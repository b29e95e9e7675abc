"""The site's navigation in reading order (generator/pages/navigation.py), and as MkDocs builds it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from generator.pages.navigation import REFERENCE_TITLE, site_navigation
from generator.pipeline import ReviewConfig, generate
from generator.publish.emit import MANIFEST_NAME, digest
from tests.conftest import FIXTURE, ROOT


def test_sections_in_reading_order_with_their_index_first() -> None:
    nav = site_navigation(
        ["index.md", "regimens/index.md", "regimens/b.md", "cases/index.md", "compare/index.md", "compare/z-first.md", "compare/a-second.md",
         "notes.md", "studies/index.md", "studies/second-by-setting.md", "studies/a-last.md", "sources.md", "glossary.md"],
        ["about.md", "zz-own.md", "studies/own-page.md"])
    assert [next(iter(entry)) for entry in nav if isinstance(entry, dict)] == ["Home", "Compare", "Studies", "Cases", "Regimens", REFERENCE_TITLE]
    sections = {next(iter(entry)): next(iter(entry.values())) for entry in nav if isinstance(entry, dict)}
    # within a section: its index, then the order the generator lists its pages in (not the alphabet), then hand-written pages
    assert sections["Compare"] == ["compare/index.md", "compare/z-first.md", "compare/a-second.md"]
    assert sections["Studies"] == ["studies/index.md", "studies/second-by-setting.md", "studies/a-last.md", "studies/own-page.md"]
    assert sections[REFERENCE_TITLE] == ["about.md", "sources.md", "notes.md", "glossary.md", "zz-own.md"]


def test_the_tools_manual_stays_out_of_the_readers_navigation() -> None:
    nav = site_navigation(["index.md", "notes.md", "manual/guide.md"], ["about.md", "manual/index.md", "manual/benchmarks/index.md"])
    assert "manual/" not in json.dumps(nav)
    assert nav[-1] == {REFERENCE_TITLE: ["about.md", "notes.md"]}


def test_a_page_the_generator_no_longer_writes_is_not_taken_for_a_hand_written_one(tmp_path: Path) -> None:
    """A page an earlier version generated (still holding its bytes) is removed when the tree is written: it must not
    enter the navigation, where MkDocs would find it missing and fail the strict build."""
    project = tmp_path / "review"
    shutil.copytree(FIXTURE, project, ignore=shutil.ignore_patterns("site", ".litreview-generated.json"))
    config = ReviewConfig.from_options(project, "seeds", str(ROOT / "templates"), "docs", "sources")
    generate(config)
    moved = project / "docs" / "old-guide.md"
    moved.write_text("# An old page\n", encoding="utf-8")
    manifest = json.loads((project / "docs" / MANIFEST_NAME).read_text(encoding="utf-8"))
    manifest["files"]["old-guide.md"] = digest(moved.read_bytes())
    (project / "docs" / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    own = project / "docs" / "own-page.md"
    own.write_text("# A curator's page\n", encoding="utf-8")
    report = generate(config)
    assert not moved.exists() and own.exists()
    assert "old-guide.md" not in json.dumps(report.nav) and "own-page.md" in json.dumps(report.nav)


def test_the_built_site_lists_pages_as_readers_read(review_site: Path) -> None:
    """The home page's sidebar: home once, comparisons in the comparisons index's order, studies in the studies
    list's order, then cases, regimens and the reference pages."""
    page = (review_site / "glossary" / "index.html").read_text()  # a page with no table of contents in the sidebar
    sidebar = page[page.index('md-nav--primary'):page.index('md-sidebar--secondary')]
    sections = re.findall(r'md-nav__link(?:--index)?[^>]*>\s*(?:<span class="md-ellipsis">)?\s*([^<]+?)\s*<', sidebar)
    names = [name for name in sections if name.strip()]
    for earlier, later in [("Home", "Compare"), ("Compare", "Studies"), ("Studies", "Cases"), ("Cases", "Regimens"),
                           ("Regimens", REFERENCE_TITLE)]:
        assert names.index(earlier) < names.index(later), names
    assert names.count("Home") == 1
    compare_index = (review_site / "compare" / "index.html").read_text()
    listed = re.findall(r'<td><a href="([a-z-]+)/">', compare_index)
    assert len(listed) >= 5
    in_nav = re.findall(r'href="\.\./compare/([a-z-]+)/"', sidebar)
    assert [slug for slug in in_nav if slug in listed] == listed, (in_nav, listed)
    studies_index = (review_site / "studies" / "index.html").read_text()
    studies_listed = list(dict.fromkeys(re.findall(r'href="([a-z0-9-]+)/"', studies_index[studies_index.index("<article"):])))
    studies_in_nav = list(re.findall(r'href="\.\./studies/([a-z0-9-]+)/"', sidebar))
    assert studies_in_nav == [slug for slug in studies_listed if slug in studies_in_nav], (studies_in_nav, studies_listed)
    assert len(studies_in_nav) > 20
