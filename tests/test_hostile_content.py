"""Hostile record text renders inert: literal where the field is plain text, sanitised where it is prose.

The site is built from tests/hostile.py's poisoned copy of the fixture review, then every page and
figure is parsed as a browser would and searched for anything live. The browser test in
test_browser.py loads the same pages and watches for the payloads running.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.records.text import Identifier, PlainText, Prose, markdown_literal, render_prose, safe_link
from tests.hostile import JINJA_LITERAL

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "data"}
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:", "file:")


class _LiveContent(HTMLParser):
    """Collects everything in a page that could run or leave the site, and the page's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []
        self.links: list[str] = []
        self.text: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.live.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and value and value.strip().lower().startswith(DANGEROUS_SCHEMES):
                self.live.append(f"<{tag} {name}={value[:50]!r}>")
            if tag == "a" and name == "href" and value and "md-content" in self._in:
                self.links.append(value)
        if tag in {"iframe", "object", "embed", "base"}:
            self.live.append(f"<{tag}>")
        if tag == "article":
            self._in.append("md-content")
        self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._in:
            while self._in and self._in.pop() != tag:
                pass
        if tag == "article" and "md-content" in self._in:
            self._in.remove("md-content")

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "script" and "__xss" in data:
            self.live.append(f"<script>{data[:60]}")
        self.text.append(data)


def _scan(path: Path) -> _LiveContent:
    html = path.read_text(encoding="utf-8")
    parser = _LiveContent()
    parser.feed(html)
    # <title> holds raw text up to the first "</title>": a payload printed unescaped would end it early
    # (Python's parser does not model that, so the head is checked as a browser reads it).
    head = html.partition("</head>")[0]
    if "<title>" in head:
        title, _, rest = head.partition("<title>")[2].partition("</title>")
        if "<" in title or "__xss" in rest:
            parser.live.append(f"<title>{title[:60]}")
    return parser


def test_the_hostile_review_built_every_page(hostile_site: Path) -> None:
    for page in ("studies/fixture-trial", "cases/fixture-case", "regimens/drugamab", "notes", "glossary", "compare/cases"):
        assert (hostile_site / page / "index.html").is_file(), page


def test_no_page_or_figure_carries_live_html(hostile_site: Path) -> None:
    files = sorted(hostile_site.rglob("*.html")) + sorted(hostile_site.rglob("*.svg"))
    assert len(files) > 20
    found = {str(path.relative_to(hostile_site)): scan.live for path in files if (scan := _scan(path)).live}
    assert not found


def test_no_record_text_forges_a_box(hostile_site: Path) -> None:
    """Prose holds '!!! danger' and '??? note' at line starts: they read as typed, and the only boxes are the site's own
    (curation notes, the not-pooled banner), each holding the whole of its note."""
    pages = sorted(hostile_site.rglob("*.html"))
    forged = [str(path.relative_to(hostile_site)) for path in pages if "admonition danger" in (html := path.read_text(encoding="utf-8"))
              and "forged box" in html.split("admonition danger", 1)[1][:400]]
    assert not forged
    study = (hostile_site / "studies" / "fixture-trial" / "index.html").read_text(encoding="utf-8")
    assert "forged box" in study and "forged details" in study  # shown, as text


def test_links_in_page_content_stay_on_the_site_or_go_to_http(hostile_site: Path) -> None:
    links = [link for path in hostile_site.rglob("*.html") for link in _scan(path).links]
    assert links
    for link in links:
        assert link.startswith(("http://", "https://", "#", "../", "./")) or ":" not in link.split("/")[0], link


def test_plain_text_payloads_read_as_typed(hostile_site: Path) -> None:
    text = "".join(_scan(hostile_site / "studies" / "fixture-trial" / "index.html").text)
    # the study's title is plain text: every character of the payload shows, nothing ran or vanished
    assert '</title><script>__xss("script")</script><img src=x onerror=__xss("img")>' in text
    assert "*e*{: onclick=__xss(\"attr\")}" in text
    assert JINJA_LITERAL in text and "49" not in text


def test_prose_keeps_its_text_and_loses_its_tags(hostile_site: Path) -> None:
    page = hostile_site / "studies" / "fixture-trial" / "index.html"
    html = page.read_text(encoding="utf-8")
    # the summary is prose: Markdown emphasis works, raw HTML and scripts are removed, Jinja stays literal
    assert "<em>e</em>" in html
    assert "block" in "".join(_scan(page).text)


# --------------------------------------------------------------------------- the text rules themselves


@pytest.mark.parametrize(("text", "expected"), [
    ("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"),
    ("[a](javascript:x)", "&#91;a&#93;(javascript:x)"),
    ("*x*{: onclick=y}", "&#42;x&#42;&#123;: onclick=y&#125;"),
    ("{{ 7*7 }}", "&#123;&#123; 7&#42;7 &#125;&#125;"),
    ('say "a" & b', "say &quot;a&quot; &amp; b"),
    ("a\n\n- b", "a - b"),
    ("- b", "&#45; b"),
    ("1. b", "1&#46; b"),
    ("-0.5 and 12.5", "-0.5 and 12.5"),
    ("CheckMate-040 (n=49), 7.6%", "CheckMate-040 (n=49), 7.6%"),
])
def test_plain_text_becomes_literal_markdown(text: str, expected: str) -> None:
    assert markdown_literal(text) == expected
    assert PlainText(text).__html__() == expected


@pytest.mark.parametrize(("prose", "expected"), [
    ("Plain words, 10% ORR.", "Plain words, 10% ORR."),
    ("*in vitro* and **bold**", "<em>in vitro</em> and <strong>bold</strong>"),
    ("<script>alert(1)</script>kept", "kept"),
    ('<b onclick="x()">bold</b>', "bold"),
    ("see [the trial](https://clinicaltrials.gov/study/NCT01234567)",
     'see <a href="https://clinicaltrials.gov/study/NCT01234567" rel="noopener noreferrer nofollow">the trial</a>'),
    ("[x](javascript:alert(1))", '<a rel="noopener noreferrer nofollow">x</a>'),
    ("![i](https://example.org/track.png) after", "after"),
    ("one\n\ntwo", "one\n\ntwo"),
    ("a_b*c*", "a&#95;b<em>c</em>"),
])
def test_prose_is_rendered_and_sanitised(prose: str, expected: str) -> None:
    assert render_prose(prose) == expected
    assert Prose(prose).__html__() == expected


@pytest.mark.parametrize(("url", "expected"), [
    ("https://example.org/a?b=1", "https://example.org/a?b=1"),
    ("http://example.org", "http://example.org"),
    ("doi:10.1016/S0140-6736(17)31046-2", "https://doi.org/10.1016/S0140-6736%2817%2931046-2"),
    ("NCT01234567", "https://clinicaltrials.gov/study/NCT01234567"),
    ("javascript:alert(1)", None),
    ("JaVaScRiPt:alert(1)", None),
    ("data:text/html,x", None),
    ("vbscript:x", None),
    ("mailto:a@example.org", None),
    ("../../etc/passwd", None),
    ("//example.org/x", None),
    ("https:", None),
])
def test_links_are_limited_to_http_doi_and_registries(url: str, expected: str | None) -> None:
    assert safe_link(url) == expected


def test_identifiers_print_as_is_unless_unsafe() -> None:
    assert Identifier("900_0000000000000abc.txt").__html__() == "900_0000000000000abc.txt"
    assert Identifier("a<b").__html__() == "a&lt;b"
