"""Any engine: MkDocs, ProperDocs and Zensical each build the real review and the fixture review from the same
generated tree (generator/publish/engines.py), with everything only the plugin used to add.

The browser checks of each engine's site are in tests/test_browser.py (test_each_engine_s_site_works_in_a_browser).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from generator.publish.engines import ENGINES, SITE_CONFIG_FILE, read_written_config
from tests.conftest import EngineSite

ENGINE_NAMES = sorted(ENGINES)


def _pages(site: Path) -> set[str]:
    """The HTML pages of a built site made from Markdown pages (not the theme's own files)."""
    return {path.relative_to(site).as_posix() for path in site.rglob("index.html")}


def _nav_pages(html: str) -> list[str]:
    """The pages the primary (sidebar) navigation links to, in order, each once (hrefs as written)."""
    start = html.index('class="md-nav md-nav--primary"')
    end = html.find('md-sidebar--secondary', start)  # the page's table of contents follows it
    links = re.findall(r'<a href="([^"]+)"[^>]*class="md-nav__link', html[start:end if end > 0 else None])
    return list(dict.fromkeys(link.removeprefix("./") for link in links))  # Zensical writes "./x/", MkDocs "x/"


@pytest.mark.parametrize("engine", ENGINE_NAMES)
@pytest.mark.parametrize("review", ["real", "fixture"])
def test_each_engine_builds_the_review_strictly(engine_site: EngineSite, engine: str, review: str) -> None:
    built = engine_site(review, engine)
    assert built.result.returncode == 0, built.result.stdout + built.result.stderr
    assert not re.search(r"^(WARNING|ERROR)\b", built.result.stderr, re.MULTILINE), built.result.stderr
    assert f"site built with {ENGINES[engine].description}" in built.result.stdout
    generated = [path for path in (built.project / "docs").rglob("*.md")]
    assert generated
    for page in generated:  # every page of the tree, hand-written ones included, is a page of the site
        relative = page.relative_to(built.project / "docs").with_suffix("").as_posix()
        folder = "" if relative == "index" else relative.removesuffix("/index") + "/"
        assert (built.site / folder / "index.html").is_file(), f"{engine}: no page for {relative}.md"
    assert not list(built.project.glob(".*.building-*")), "a staging folder was left behind"


@pytest.mark.parametrize("review", ["real", "fixture"])
def test_the_engines_build_the_same_pages_in_the_same_order(engine_site: EngineSite, review: str) -> None:
    sites = {engine: engine_site(review, engine) for engine in ENGINE_NAMES}
    pages = {engine: _pages(built.site) for engine, built in sites.items()}
    assert pages["mkdocs"] == pages["properdocs"] == pages["zensical"]
    navs = {engine: _nav_pages((built.site / "index.html").read_text(encoding="utf-8")) for engine, built in sites.items()}
    records = {engine: [href for href in nav if "studies/" in href] for engine, nav in navs.items()}
    assert records["mkdocs"] and records["mkdocs"] == records["properdocs"] == records["zensical"], records
    for engine, nav in navs.items():  # the curators' manual is kept out of the readers' navigation, whatever the engine
        assert not [href for href in nav if "manual/" in href], (engine, nav)


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_a_hand_written_page_gets_the_release_line_and_the_glossary_in_every_engine(engine_site: EngineSite, engine: str) -> None:
    built = engine_site("real", engine)
    about = (built.site / "about" / "index.html").read_text(encoding="utf-8")
    release = re.search(r'<p class="lr-release"><em class="lr-updated"><a href="([^"]+)">([^<]+)</a></em></p>', about)
    assert release, "no release line on the hand-written about page"
    assert release[1].rstrip("/").endswith("changelog") and release[2].startswith(("Release ", "Development version"))
    assert '<abbr title="programmed cell death protein 1">PD-1</abbr>' in about, "the glossary's abbreviations are not applied"
    home = (built.site / "index.html").read_text(encoding="utf-8")
    assert 'type="application/atom+xml"' in home and "feed.xml" in home
    assert home.count('class="lr-release"') == 1  # once, from the theme: the page's Markdown holds no release line


def test_the_site_configuration_is_what_the_plugin_adds_to_mkdocs_yml(engine_site: EngineSite) -> None:
    built = engine_site("real", "zensical")
    text = (built.project / SITE_CONFIG_FILE).read_text(encoding="utf-8")
    assert text.startswith("# The site's whole configuration, written by litreview")
    site = yaml.safe_load(text)
    written = read_written_config(built.project / "mkdocs.yml")
    assert site["INHERIT"] == "mkdocs.yml"
    assert site["plugins"] == [entry for entry in written["plugins"] if entry != "litreview" and not (isinstance(entry, dict) and "litreview" in entry)]
    assert site["nav"][0] == {"Home": "index.md"} and any("Studies" in entry for entry in site["nav"] if isinstance(entry, dict))
    assert "/manual/" in site["not_in_nav"]
    abbr = next(entry["abbr"] for entry in site["markdown_extensions"] if isinstance(entry, dict) and "abbr" in entry)
    assert abbr["glossary"]["HCC"] == "hepatocellular carcinoma"
    others = [entry for entry in site["markdown_extensions"] if not (isinstance(entry, dict) and "abbr" in entry)]
    assert others == [entry for entry in written["markdown_extensions"] if entry != "abbr"]
    assert set(site["extra"]["litreview"]) == {"release", "changelog"}
    assert "theme" not in site  # mkdocs.yml names its own theme overrides (custom_dir)
