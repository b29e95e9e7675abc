"""The site's navigation in reading order (generator/pages/navigation.py), and as MkDocs builds it."""

from __future__ import annotations

import re
from pathlib import Path

from generator.pages.navigation import REFERENCE_TITLE, site_navigation


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
