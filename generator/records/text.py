"""Record text on generated pages: literal text, or sanitised Markdown prose; never live HTML.

Records carry two kinds of text, and the schema declares which field is which:

- :class:`PlainText` (names, labels, quotes, values as reported, doses …) is shown exactly as
  written. Characters that HTML or Markdown would act on become character references, so
  ``<script>``, ``[x](javascript:…)``, ``*x*{: onclick=…}`` (attribute lists) or ``{{ 7*7 }}`` read
  as typed, in any Markdown renderer.
- :class:`Prose` (summaries, conclusions, curation notes …: the curator's own words) may use
  Markdown. It is rendered by Python-Markdown (core syntax only), then cleaned by the ``nh3``
  sanitiser (the Rust ``ammonia`` library) against an allow-list of inline tags, with links limited
  to http(s), ``doi:`` and trial-registry ids. Raw HTML, scripts, event handlers, images and
  other URL schemes are removed; the text around them stays.

Both are ``str`` subclasses implementing ``__html__``, the protocol Jinja's autoescaping
(``markupsafe``) calls whenever a value reaches a page, whether printed, joined or concatenated.
Python code (checks, data exports, BibTeX) sees the unchanged string.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import markdown
import nh3

from generator.caches import build_cache

# Characters Markdown (with the site's extensions: tables, footnotes, abbr, attr_list) can act on
# anywhere in a line; each becomes a numeric character reference, which every renderer shows as
# the character itself.
_MARKDOWN_ACTIVE = "\\`*_[]{}|#"
_MARKDOWN_TABLE = {ord(char): f"&#{ord(char)};" for char in _MARKDOWN_ACTIVE}
# One pass: HTML's own special characters (the double quote too, for attribute values) and Markdown's.
_LITERAL_TABLE = _MARKDOWN_TABLE | {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;"}
_UNSAFE_IN_IDENTIFIER = re.compile(r"[^A-Za-z0-9._-]|^_|_$")
_WHITESPACE = re.compile(r"\s+")
# Text at the start of a line that would turn into structure: a list item, a setext underline, an admonition or a
# collapsible box ("!!! danger", "??? note": the review's own warning boxes are never forged by record text).
# A line of three or more hyphens would be a rule.
_LEADING_MARKER = re.compile(r"^ ?(?:[-+](?=\s|$)|[0-9]+[.)](?=\s|$)|=+\s*$|(?:-\s*){3,}$|!!!|\?\?\?)")

PROSE_INLINE_TAGS = {"em", "strong", "code", "a", "br", "sub", "sup"}
PROSE_LIST_TAGS = {"ul", "ol", "li"}
DOI_RESOLVER = "https://doi.org/"
REGISTRY_URLS = {re.compile(r"^NCT[0-9]{8}$"): "https://clinicaltrials.gov/study/{}"}
# Anything that is not plain running text must go through Markdown and the sanitiser.
_NEEDS_MARKDOWN = re.compile(r"[<>&\\`*_\[\]{}|#!=]|\n|^\s*(?:[-+>]|[0-9]+[.)])")


# Pages repeat the same names, labels and quotes many times over (every table a study's arms appear in).
@build_cache(maxsize=131072)
def markdown_literal(text: str) -> str:
    """``text`` as Markdown that renders to exactly this text, on one line."""
    escaped = _WHITESPACE.sub(" ", text).translate(_LITERAL_TABLE)
    return _defuse_leading_marker(escaped)


def _defuse_leading_marker(text: str) -> str:
    leading = _LEADING_MARKER.match(text)
    if not leading:
        return text
    end = len(leading.group(0).rstrip())
    if leading.group(0).lstrip().startswith(("!!!", "???")):
        end = len(leading.group(0)) - 2  # the first of the three marks
    return text[: end - 1] + f"&#{ord(text[end - 1])};" + text[end:]


def doi_url(doi: str) -> str:
    """The resolver URL of a DOI, percent-encoded so that no character of it can end a Markdown link."""
    return DOI_RESOLVER + quote(doi.strip(), safe="/:;")


def safe_link(url: str) -> str | None:
    """The URL a link in record prose may point to, or ``None`` to drop the link (its text stays)."""
    url = url.strip()
    if url.lower().startswith("doi:"):
        return doi_url(url[4:])
    for pattern, template in REGISTRY_URLS.items():
        if pattern.match(url):
            return template.format(url)
    parts = urlsplit(url)
    if parts.scheme.lower() in {"http", "https"} and parts.netloc:
        return url
    return None


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return safe_link(value)
    return value


_CLEANER_OPTIONS: dict[str, object] = {
    "attributes": {"a": {"href", "title"}},
    "attribute_filter": _filter_attribute,
    "url_schemes": {"http", "https", "doi"},
    "clean_content_tags": {"script", "style"},
    "link_rel": "noopener noreferrer nofollow",
}
_MARKDOWN = markdown.Markdown(extensions=[], output_format="html")


def _render_block(block: str) -> str:
    """One paragraph (or list) of prose → sanitised HTML on one line, with Markdown made inert."""
    rendered = _MARKDOWN.reset().convert(block)
    is_list = rendered.startswith(("<ul>", "<ol>"))
    tags = PROSE_INLINE_TAGS | (PROSE_LIST_TAGS if is_list else set())
    cleaned = nh3.clean(rendered, tags=tags, **_CLEANER_OPTIONS)  # type: ignore[arg-type]
    # The cleaned HTML goes back into a Markdown page: anything Markdown could act on is inert.
    one_line = " ".join(cleaned.split()).translate(_MARKDOWN_TABLE)
    return one_line if is_list else _defuse_leading_marker(one_line)


@build_cache(maxsize=65536)
def render_prose(text: str) -> str:
    """Curator prose (Markdown) as safe Markdown: paragraphs of sanitised inline HTML."""
    if not _NEEDS_MARKDOWN.search(text):
        return markdown_literal(text)
    blocks = [block for block in re.split(r"\n[ \t]*\n", text.strip()) if block.strip()]
    return "\n\n".join(rendered for rendered in map(_render_block, blocks) if rendered)


class PlainText(str):
    """Record text shown literally on pages."""

    __slots__ = ()

    def __html__(self) -> str:
        return markdown_literal(self)


class Identifier(str):
    """A value the schema restricts to a name-like pattern (record ids, source file names).

    Printed as is, so that it works inside links and anchors; should a pattern ever admit a
    character HTML or Markdown acts on (other than an underscore inside a word), it is escaped.
    """

    __slots__ = ()

    def __html__(self) -> str:
        return markdown_literal(self) if _UNSAFE_IN_IDENTIFIER.search(self) else str(self)


class Prose(str):
    """Curator prose: Markdown, sanitised on pages."""

    __slots__ = ()

    def __html__(self) -> str:
        return render_prose(str(self))


# Units curators write in the plural, said in the singular of one ("1 patient", "1 month"); other units are kept.
_SINGULAR_UNITS: dict[str, str] = {"patients": "patient", "participants": "participant", "people": "person", "persons": "person",
                                   "cases": "case", "events": "event", "lesions": "lesion", "cycles": "cycle", "studies": "study",
                                   "days": "day", "weeks": "week", "months": "month", "years": "year", "hours": "hour"}


def unit_for(number: float, unit: str) -> str:
    """``unit`` as it reads after ``number``: singular after exactly one."""
    return _SINGULAR_UNITS.get(unit, unit) if number == 1 else unit


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``3 studies``, ``1 study``: a count with its noun in the right number."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"
