"""The built review in a real headless Chromium (Debian's), driven by Playwright, served on localhost.

Every page load is watched: a console error, an uncaught exception or a request to any host other
than the local server fails the test. Screenshots go to the folder printed at the end of the run.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Dialog, Page, Request, sync_playwright
from pydantic import BaseModel

from generator.pipeline import Review
from generator.publish.engines import ENGINES
from generator.records.schema import CaseRecord, RegimenRecord, StudyRecord
from tests.conftest import CHROMIUM, ROOT, SCREENSHOTS, EngineSite

AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
# Chromium's own background traffic is switched off so that every request a page makes is the page's.
# Every host but the local server is made unresolvable, so the site must work offline; requests are still
# observed (context "request" events, workers included) so that any attempt is reported.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-default-apps",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve(site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def base_url(review_site: Path) -> Iterator[str]:
    yield from _serve(review_site)


@pytest.fixture(scope="module")
def hostile_url(hostile_site: Path) -> Iterator[str]:
    yield from _serve(hostile_site)


@pytest.fixture(scope="module")
def definitions_url(definitions_site: Path) -> Iterator[str]:
    yield from _serve(definitions_site)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.is_file(), f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium package"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Watched:
    """A browser tab, and everything wrong it saw."""

    page: Page
    origin: str
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def goto(self, path: str) -> Page:
        self.page.goto(self.origin + path, wait_until="load")
        return self.page

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def _open(browser: Browser, base_url: str, **context: Any) -> Iterator[Watched]:
    ctx = browser.new_context(**context)
    tab = Watched(ctx.new_page(), base_url)

    def on_request(request: Request) -> None:
        if not request.url.startswith((base_url, "data:", "blob:")):
            tab.foreign.append(request.url)

    ctx.on("request", on_request)
    tab.page.on("console", lambda message: tab.errors.append(message.text) if message.type == "error" else None)
    tab.page.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    ctx.close()
    assert not tab.errors, f"console errors: {tab.errors}"
    assert not tab.foreign, f"requests to third-party hosts: {tab.foreign}"


@pytest.fixture
def tab(browser: Browser, base_url: str) -> Iterator[Watched]:
    yield from _open(browser, base_url, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone(browser: Browser, base_url: str) -> Iterator[Watched]:
    yield from _open(browser, base_url, viewport={"width": 375, "height": 800}, device_scale_factor=2, is_mobile=True, has_touch=True)


# --------------------------------------------------------------------------- pages render, offline


def test_home_page_renders_without_errors_or_third_party_requests(tab: Watched) -> None:
    page = tab.goto("")
    assert "Lenalidomide" in page.locator("h1").first.inner_text()
    assert page.locator(".md-content a[href*='compare/']").count() > 0
    tab.shot("home")


def test_dark_mode_toggle_switches_the_scheme(tab: Watched) -> None:
    page = tab.goto("")
    before = page.locator("body").get_attribute("data-md-color-scheme")
    page.locator("form[data-md-component='palette'] label:visible").first.click()
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') !== {before!r}")
    assert page.locator("body").get_attribute("data-md-color-scheme") in {"default", "slate"}
    tab.shot("home-dark")


# --------------------------------------------------------------------------- search


@pytest.mark.parametrize(("query", "study"), [
    ("RESORCE", "resorce-regorafenib"),
    ("cabozantinib", "celestial-cabozantinib"),
    ("NCT05906524", None),
])
def test_search_finds_a_study_by_trial_name_drug_or_registry_id(tab: Watched, query: str, study: str | None) -> None:
    page = tab.goto("")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    # typed key by key, as a reader would: Material reads the query on key events
    page.locator(".md-search__input").press_sequentially(query, delay=30)
    page.wait_for_function("document.querySelectorAll('.md-search-result__item a[href]').length > 0", timeout=15_000)
    hrefs = page.eval_on_selector_all(".md-search-result__item a[href]", "links => links.map(a => a.getAttribute('href'))")
    if study is None:
        assert any("/studies/" in href for href in hrefs), hrefs
    else:
        assert any(f"studies/{study}/" in href for href in hrefs), hrefs
    tab.shot(f"search-{query}")


# --------------------------------------------------------------------------- tables


def _column(page: Page, table: str, header: str) -> list[str]:
    headers = [text.strip() for text in page.locator(f"{table} thead th").all_inner_texts()]
    index = next(i for i, text in enumerate(headers) if text.startswith(header))
    cells = page.locator(f"{table} tbody tr:not([hidden]) > td:nth-child({index + 1})")
    return [text.strip() for text in cells.all_inner_texts()]


def _leading_number(text: str) -> float | None:
    import re

    match = re.search(r"[0-9]+(?:\.[0-9]+)?", text.replace(",", ""))
    return float(match.group()) if match and text not in {"–", "—", ""} else None


def _sort_keys(page: Page, table: str, header: str) -> list[float | None]:
    """The numbers a column sorts by, row by row as shown: a cell's data-sort (a time in months), else its first number."""
    headers = [text.strip() for text in page.locator(f"{table} thead th").all_inner_texts()]
    index = next(i for i, text in enumerate(headers) if text.startswith(header))
    keys: list[float | None] = page.eval_on_selector_all(f"{table} tbody tr:not([hidden]) > td:nth-child({index + 1})", """cells => cells.map(cell => {
        const given = cell.querySelector('[data-sort]');
        if (given) return parseFloat(given.getAttribute('data-sort'));
        const text = cell.innerText.trim().replace(/,/g, '');
        const match = /[0-9]+(?:\\.[0-9]+)?/.exec(text);
        return match && !['–', '—', ''].includes(text) ? parseFloat(match[0]) : null;
    })""")
    return keys


@pytest.mark.parametrize("site", ["real", "definitions"])
def test_a_comparison_table_sorts_by_a_column_with_missing_values_last(browser: Browser, base_url: str, definitions_url: str,
                                                                       site: str) -> None:
    """On the real review and on the definitions fixture, whose all-arms table holds a median stated in days."""
    for tab in _open(browser, base_url if site == "real" else definitions_url, viewport={"width": 1280, "height": 900}):
        _sorts_with_missing_values_last(tab, days_expected=site == "definitions")


def _sorts_with_missing_values_last(tab: Watched, days_expected: bool) -> None:
    page = tab.goto("compare/outcomes/")
    table = ".lr-table--arms table"
    header = page.locator(f"{table} thead th", has_text="Median OS")
    header.locator("button").click()
    first = header.get_attribute("aria-sort")
    assert first in {"ascending", "descending"}
    values = _sort_keys(page, table, "Median OS")
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=first == "descending")
    assert values == present + [None] * (len(values) - len(present)), "missing values must sort last"
    # medians in days sort among those in months by their length, shown as stated: 454 days (14.9 months) is not
    # above 30.3 months, as it was when the table sorted by the number alone
    shown = _column(page, table, "Median OS")
    days = [i for i, text in enumerate(shown) if " days" in text]
    assert bool(days) == days_expected, shown  # the fixture's 400 days (13.1 months) must not sort above 20.1 months
    for i in days:
        assert present[i] == pytest.approx(float(shown[i].split()[0]) / 30.4375, abs=1e-3)
    # the keyboard does the same: Enter on the focused header button reverses the order
    header.locator("button").focus()
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") != first
    again = [v for v in _sort_keys(page, table, "Median OS") if v is not None]
    assert again == sorted(again, reverse=first != "descending")
    assert page.locator(f"{table} thead th[aria-sort]").count() == 1
    tab.shot(f"table-sorted-{'days' if days_expected else 'real'}")


def _facets(page: Page, table: str, facet: str) -> list[list[str]]:
    """Per visible row, the values of ``facet`` it carries (its design badge, its regimen classes, its setting)."""
    facets: list[list[str]] = page.eval_on_selector_all(f"{table} tbody tr:not([hidden])", f"""rows => rows.map(row =>
        Array.from(row.querySelectorAll('[data-facet="{facet}"]')).map(mark => (mark.getAttribute('data-value') || mark.textContent).trim()))""")
    return facets


def test_a_comparison_table_filters_by_setting_and_says_so(tab: Watched) -> None:
    page = tab.goto("compare/outcomes/")
    table = ".lr-table--arms table"
    total = page.locator(f"{table} tbody tr").count()
    select = page.get_by_label("Setting", exact=True)
    select.select_option(label="After sorafenib")
    settings = _facets(page, table, "Setting")
    assert settings and all(values == ["After sorafenib"] for values in settings)
    assert len(settings) < total
    status = page.locator(".lr-table [role='status']").first.inner_text()
    assert f"{len(settings)} of {total}" in status and "After sorafenib" in status
    tab.shot("table-filtered")
    page.get_by_role("button", name="Reset filters").click()
    assert page.locator(f"{table} tbody tr:not([hidden])").count() == total


def test_the_design_filter_keeps_every_randomised_trial_whatever_its_phase(tab: Watched) -> None:
    page = tab.goto("compare/outcomes/")
    table = ".lr-table--arms table"
    page.locator(".lr-table--arms").get_by_label("Design", exact=True).select_option(label="Randomised trial")
    badges = page.eval_on_selector_all(f"{table} tbody tr:not([hidden]) .lr-level", "badges => badges.map(b => b.textContent.trim())")
    assert badges and all(badge.startswith("Randomised trial") for badge in badges)
    assert any("phase III" in badge for badge in badges), "the phase III randomised trials are kept: the badge and the filter agree"


def test_a_table_row_links_to_its_study_page(tab: Watched) -> None:
    page = tab.goto("compare/after-sorafenib/")
    link = page.locator(".lr-table tbody tr").first.locator("td").first.locator("a").first
    name = link.inner_text().strip()
    link.click()
    page.wait_for_load_state("load")
    assert "/studies/" in page.url
    assert page.locator("h1").first.inner_text().removesuffix("¶").strip() == name


def test_the_phone_layout_cuts_nothing_off(phone: Watched) -> None:
    page = phone.goto("compare/outcomes/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide on a 375px screen"
    # each row a card: every value under its column's name, nothing to scroll sideways
    card = page.locator(".lr-table--arms tbody tr").first
    assert card.evaluate("row => getComputedStyle(row).display") == "block"
    assert card.locator("td").nth(1).evaluate("td => getComputedStyle(td, '::before').content") == '"n"'
    assert page.locator(".lr-filters select").first.is_visible()
    phone.shot("phone-comparison")


COMPARISON_PAGES = ["compare/after-sorafenib/", "compare/after-lenvatinib/", "compare/lenalidomide/", "compare/first-line/",
                    "compare/outcomes/", "compare/cases/"]
SCREENS: dict[str, dict[str, Any]] = {"desktop": {"viewport": {"width": 1280, "height": 900}},
           "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}}

# Every cell of every comparison table, and every tag in them: where it lies, and whether its text is cut.
_CELLS_IN_VIEW = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const box of document.querySelectorAll('.md-content .lr-table')) {
    for (const cell of box.querySelectorAll('tbody tr:not([hidden]) > td, thead th, .lr-tag, .lr-level')) {
      const r = cell.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      const clipped = cell.scrollWidth > cell.clientWidth + 1 && getComputedStyle(cell).overflowX !== 'visible';
      if (r.left < -0.5 || r.right > width + 0.5 || clipped) {
        found.push({table: box.getAttribute('data-caption'), text: cell.innerText.slice(0, 60), left: r.left, right: r.right, clipped});
      }
    }
  }
  return {found, pageWidth: document.documentElement.scrollWidth, width};
}"""

# The smallest text of each figure the page shows, as rendered: its SVG's smallest font size times the image's scale.
_FIGURE_TEXT = """async () => {
  const sizes = [];
  for (const img of document.querySelectorAll('.md-content .lr-figure img')) {
    if (getComputedStyle(img).display === 'none' || img.clientWidth === 0) continue;
    const svg = await (await fetch(img.currentSrc || img.src)).text();
    const viewBox = /viewBox="[0-9.]+ [0-9.]+ ([0-9.]+) /.exec(svg);
    const fonts = Array.from(svg.matchAll(/font-size: ([0-9.]+)px/g), m => parseFloat(m[1]));
    if (!viewBox || !fonts.length) continue;
    sizes.push({src: img.getAttribute('src'), smallest: Math.min(...fonts) * img.clientWidth / parseFloat(viewBox[1])});
  }
  return sizes;
}"""


@pytest.mark.parametrize("screen", sorted(SCREENS))
@pytest.mark.parametrize("path", COMPARISON_PAGES)
def test_every_comparison_shows_every_outcome_column_whole_and_figures_legible(browser: Browser, base_url: str, path: str,
                                                                                screen: str) -> None:
    """At 1280 x 900 and on a 390 x 844 phone: no sideways scrolling, every cell of every table (every outcome column)
    inside the viewport, no text cut off, and no figure text rendered under 9 px."""
    for tab in _open(browser, base_url, **SCREENS[screen]):
        page = tab.goto(path)
        page.wait_for_function("document.querySelectorAll('table[data-lr-enhanced]').length > 0")
        result = page.evaluate(_CELLS_IN_VIEW)
        assert result["pageWidth"] <= result["width"], f"{path} is {result['pageWidth']} px wide on a {result['width']} px screen"
        assert not result["found"], f"{path} on {screen}: cells outside the screen or cut: {result['found'][:5]}"
        for figure in page.evaluate(_FIGURE_TEXT):
            assert figure["smallest"] >= 9, f"{path} on {screen}: text of {figure['src']} rendered at {figure['smallest']:.1f} px"
        tab.shot(f"layout-{screen}-{path.strip('/').replace('/', '-')}")


# --------------------------------------------------------------------------- reading aids


def test_a_values_source_quote_can_be_revealed(tab: Watched) -> None:
    page = tab.goto("studies/celestial-cabozantinib/")
    ref = page.locator("td a.footnote-ref").first
    target = (ref.get_attribute("href") or "").lstrip("#")
    ref.hover()
    tooltip = page.locator(".md-tooltip2, .md-tooltip").filter(has_text="“")
    tooltip.first.wait_for(state="visible", timeout=5_000)
    quote = page.locator(f"li[id='{target}']").inner_text()
    assert "“" in quote and "Registry description of a planned lenalidomide trial" in quote  # the document by its label
    tab.shot("source-quote-tooltip")


def test_abbreviations_carry_their_expansion(tab: Watched) -> None:
    page = tab.goto("compare/outcomes/")
    abbr = page.locator("abbr", has_text="ORR").first
    assert abbr.get_attribute("title") == "objective response rate"


def test_plots_render(tab: Watched) -> None:
    for path in ("compare/figures/", "cases/zhang-2024-lenvatinib-resistant/", "compare/"):
        page = tab.goto(path)
        images = page.locator(".lr-figure img:visible")  # a phone layout is not shown (nor fetched) on a wide screen
        assert images.count() >= 1, f"no figure on {path}"
        for i in range(images.count()):
            image = images.nth(i)
            image.scroll_into_view_if_needed()
            assert image.evaluate("img => img.complete && img.naturalWidth > 0"), f"{path}: figure {i} did not load"
            assert (image.get_attribute("alt") or "").strip()
        tab.shot("figures-" + (path.strip("/").replace("/", "-") or "home"))


# --------------------------------------------------------------------------- hostile records


# Every payload in tests/hostile.py calls __xss(); this records the calls, and alert() and friends too.
_XSS_TRAP = """
window.__xssHits = [];
window.__xss = (name) => window.__xssHits.push(String(name));
for (const name of ['alert', 'confirm', 'prompt']) window[name] = (x) => window.__xssHits.push(name + ':' + x);
"""


@pytest.fixture
def hostile_tab(browser: Browser, hostile_url: str) -> Iterator[Watched]:
    yield from _open(browser, hostile_url, viewport={"width": 1280, "height": 900})


@pytest.mark.parametrize("path", ["", "studies/fixture-trial/", "cases/fixture-case/", "regimens/drugamab/", "notes/", "glossary/",
                                  "compare/cases/", "compare/after-sorafenib/", "compare/figures/", "sources/"])
def test_no_script_from_a_record_runs(hostile_tab: Watched, path: str) -> None:
    hostile_tab.page.add_init_script(_XSS_TRAP)
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    hostile_tab.page.on("dialog", on_dialog)
    page = hostile_tab.goto(path)
    assert page.evaluate("typeof window.__xss") == "function"  # the trap is armed on this page
    # fire mouse and focus events at everything in the content, so that any surviving handler runs
    page.evaluate("""() => { for (const element of document.querySelectorAll('article *')) {
        for (const type of ['mouseover', 'mouseenter', 'focus', 'load', 'error'])
            element.dispatchEvent(new Event(type, {bubbles: false}));
    } }""")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__xssHits") == []
    assert not dialogs
    if path != "compare/figures/":  # the figures page shows no record text, only pictures of it
        assert "__xss" in page.locator("article").inner_text(), "the payloads should be on the page, as text"
    hostile_tab.shot("hostile-" + (path.strip("/").replace("/", "-") or "home"))


# --------------------------------------------------------------------------- accessibility


@pytest.mark.parametrize("path", ["", "studies/celestial-cabozantinib/", "cases/zhang-2024-lenvatinib-resistant/", "compare/outcomes/", "compare/cases/"])
@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_axe_finds_no_serious_or_critical_violations(tab: Watched, path: str, scheme: str) -> None:
    page = tab.goto(path)
    page.evaluate(f"document.body.setAttribute('data-md-color-scheme', {scheme!r})")
    # Material animates colour changes (up to 250 ms); scan the settled page, not a frame of the transition.
    page.wait_for_timeout(600)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)""")
    assert not violations, "\n".join(violations)


# --------------------------------------------------------------------------- words, not ids


def _curator_words(review: Review) -> str:
    """Everything curators wrote as text (labels, prose, quotes), but no id: an id a curator also wrote as a word may show."""
    skip = {"id", "regimen", "after", "attributed_to", "field", "source", "document"}
    texts: list[str] = []

    def walk(value: object, key: str = "") -> None:
        if isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name), name)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item, key)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item, key)
        elif isinstance(value, str) and key not in skip:
            texts.append(value)

    for records in (review.corpus.studies, review.corpus.regimens, review.corpus.cases):
        for record in records.values():
            walk(record)
    return "\n".join(texts).lower()


def _internal_names(review: Review) -> set[str]:
    """Ids of records, arms and timeline steps, and the schema's field names, that a reader must never meet."""
    corpus = review.corpus
    names: set[str] = {*corpus.studies, *corpus.regimens, *corpus.cases}
    names.update(arm.id for study in corpus.studies.values() for arm in study.arms)
    names.update(line.id for case in corpus.cases.values() for line in case.timeline if line.id)
    for model in (StudyRecord, RegimenRecord, CaseRecord):
        names.update(name for name in model.model_fields if "_" in name)
    return {name for name in names if "-" in name or "_" in name}


_VISIBLE_TEXT = """() => {
  const root = document.querySelector('article') || document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let node; (node = walker.nextNode());) {
    const el = node.parentElement;
    if (!el || el.closest('a, code, pre, script, style, svg, [hidden]') || !el.getClientRects().length) continue;
    texts.push(node.textContent);
  }
  // footnote marks that run together: a mark whose next node is another mark, with no separator between
  const joined = Array.from(document.querySelectorAll('sup[id^="fnref"]')).filter(sup => {
    const next = sup.nextSibling;
    return next && next.nodeType === 1 && next.matches('sup[id^="fnref"]');
  }).map(sup => (sup.parentElement.textContent || '').trim().slice(0, 80));
  return {texts, joined};
}"""


def test_every_page_speaks_in_words_not_ids(browser: Browser, base_url: str, review_site: Path, real_review: Review) -> None:
    """Every page of the built site: no record, arm or step id and no field path in visible text (outside links and
    code), and no footnote marks run together (21222324 reads as one number)."""
    import re

    names = _internal_names(real_review)
    written = _curator_words(real_review)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")(?![\w-])")
    field_path = re.compile(r"\b[a-z_]+\[\d*\*?\]")
    pages = sorted(path.parent.relative_to(review_site).as_posix() for path in review_site.rglob("index.html"))
    assert len(pages) > 70
    found: list[str] = []
    for tab in _open(browser, base_url, viewport={"width": 1280, "height": 900}):
        for path in pages:
            page = tab.goto("" if path == "." else path + "/")
            result = page.evaluate(_VISIBLE_TEXT)
            text = "\n".join(result["texts"])
            leaked = {name for name in pattern.findall(text) if name.lower() not in written}
            paths = set(field_path.findall(text))
            if leaked or paths or result["joined"]:
                found.append(f"{path}: ids {sorted(leaked)[:5]}, field paths {sorted(paths)[:5]}, joined footnotes {result['joined'][:2]}")
    assert not found, "\n".join(found)


def test_a_footnote_leads_to_its_passage_on_the_documents_own_page(tab: Watched) -> None:
    """Footnotes name the document by its label and link to the quoted passage on the document's page."""
    page = tab.goto("studies/brown-lenalidomide-phase2/")
    footnote = page.locator(".footnote li").filter(has_text="6 patients (15%)").first
    link = footnote.locator("a[href*='sources/']").first
    assert link.inner_text() == "Summary of a lenalidomide phase II study (no citation given)"
    link.click()
    page.wait_for_url("**/sources/000_fb36349d30200d63/#q-*")
    target = page.locator(".lr-passage:target")
    assert target.count() == 1
    assert "Among the 40 patients, 6 patients (15%) had radiographic partial response" in target.inner_text()
    assert "Lenalidomide phase II (Safran 2010)" in target.inner_text()
    tab.shot("source-passage")


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_the_curators_guide_never_breaks_a_field_name(browser: Browser, base_url: str, screen: str) -> None:
    """Field names and vocabulary values are read whole ('prior_therapy', not 'prior_ther apy'), and no table runs
    off the screen, at 1280 px and on a 390 px phone."""
    for tab in _open(browser, base_url, **SCREENS[screen]):
        page = tab.goto("manual/guide/")
        page.wait_for_function("document.querySelectorAll('table[data-lr-enhanced]').length > 0")
        broken, right, width = page.evaluate("""() => [
            Array.from(document.querySelectorAll('article table td:first-child code')).filter(c => c.getClientRects().length > 1).map(c => c.textContent),
            Math.max(...Array.from(document.querySelectorAll('article table')).map(t => t.getBoundingClientRect().right)),
            document.documentElement.clientWidth]""")
        assert page.locator("article table td:first-child code").count() > 300
        assert not broken, f"field names broken across lines on {screen}: {broken[:5]}"
        assert right <= width, f"a table of the guide runs {right - width:.0f} px off a {width} px screen"
        tab.shot(f"guide-{screen}")


# --------------------------------------------------------------------------- every engine


def _search(page: Page, query: str) -> list[str]:
    """The links the theme's search offers for ``query``: Material's search box, or Zensical's search dialog."""
    if page.locator(".md-search__button").count():  # Zensical: a button opens the dialog, whose field names its results
        page.locator(".md-search__button").first.click()
        field = page.locator("input[role='combobox']:visible").first
        results = f"#{field.get_attribute('aria-controls')} a[href]"
    else:
        page.locator("label.md-search__icon, .md-search__input").first.click()
        field = page.locator(".md-search__input")
        results = ".md-search-result__item a[href]"
    field.press_sequentially(query, delay=30)  # key by key, as a reader types
    links = page.locator(results)  # Playwright's selectors reach into Zensical's shadow DOM, where its results are
    links.first.wait_for(state="attached", timeout=15_000)
    return [links.nth(i).get_attribute("href") or "" for i in range(links.count())]


def _axe_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    violations: list[str] = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)""")
    return violations


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_each_engine_s_site_works_in_a_browser(browser: Browser, engine_site: EngineSite, engine: str) -> None:
    """The real review as each engine builds it (tests/test_engines.py): pages, search, tooltips on abbreviations and
    source quotes, a sortable table, figures, a download; no console error, no request off the machine, axe clean."""
    built = engine_site("real", engine)
    assert built.result.returncode == 0, built.result.stdout + built.result.stderr
    for base in _serve(built.site):
        for tab in _open(browser, base, viewport={"width": 1280, "height": 900}):
            page = tab.goto("")
            assert "Lenalidomide" in page.locator("h1").first.inner_text()
            assert any("studies/resorce-regorafenib/" in href for href in _search(page, "RESORCE"))
            tab.shot(f"engine-{engine}-search")

            page = tab.goto("studies/celestial-cabozantinib/")
            assert not (violations := _axe_violations(page)), violations
            page.locator("td a.footnote-ref").first.hover()
            page.locator(".md-tooltip2, .md-tooltip").filter(has_text="“").first.wait_for(state="visible", timeout=5_000)
            tab.shot(f"engine-{engine}-quote")

            page = tab.goto("compare/outcomes/")
            assert page.locator("abbr", has_text="ORR").first.get_attribute("title") == "objective response rate"
            header = page.locator(".lr-table--arms table thead th", has_text="Median OS")
            header.locator("button").click()
            assert header.get_attribute("aria-sort") in {"ascending", "descending"}
            values = [v for v in _sort_keys(page, ".lr-table--arms table", "Median OS") if v is not None]
            assert values and values == sorted(values, reverse=header.get_attribute("aria-sort") == "descending")

            page = tab.goto("compare/figures/")
            images = page.locator(".lr-figure img:visible")
            assert images.count() >= 1
            for i in range(images.count()):
                images.nth(i).scroll_into_view_if_needed()
                assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0"), f"figure {i} did not load"

            page = tab.goto("data/")
            href = page.locator("a[href$='outcomes.csv']").first.get_attribute("href")
            download = page.request.get(page.url + (href or ""))
            assert download.status == 200 and download.text().startswith(("study", "\ufeffstudy", "record")), download.text()[:80]

            page = tab.goto("about/")  # a hand-written page: the release line and the glossary, from the site's files
            assert page.locator(".lr-release a").first.inner_text().startswith(("Release ", "Development version"))
            assert not (violations := _axe_violations(page)), violations
