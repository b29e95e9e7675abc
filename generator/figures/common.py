"""What every figure shares: the ``Figure`` itself, its links, its SVG, its style and its words.

Nothing here knows a review: the words a figure says of one (a column's label, a setting's, an abbreviation's
expansion) are read from ``corpus.review`` and ``corpus.glossary`` by the figure kinds' modules, before drawing.

Determinism. Matplotlib is driven without pyplot (``matplotlib.figure.Figure``: no global figure registry,
nothing to close), from matplotlib's defaults plus ours inside an ``rc_context``, so neither a matplotlibrc nor
another module's settings get in and none leak out. The SVG carries no date or version (metadata emptied), ids
come from a fixed hash salt, text stays text (``svg.fonttype`` ``none``) set in DejaVu Sans (bundled with
matplotlib, used for layout) with Verdana/Helvetica/Arial fallbacks.

Caching. A figure is split in two: its words (title, description, table rows: cheap, always computed) and its
drawing, a module-level function given only the figure's inputs (whole records, or small dataclasses of what it
draws, the review's words included) and its link targets (``LinkTargets``, resolved in advance). ``svg`` keys the
cache on those, the title and the description (which go into the SVG), and the code; the drawing cannot read
anything else, and asking for an undeclared link fails loudly.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import posixpath
import re
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from xml.sax.saxutils import escape

from generator.derive.evidence import stated_form
from generator.figures.cache import FigureCache
from generator.records.schema import Glossary, MarkerReading, ReportedValue

# Matplotlib (0.45 s to import) is imported by the functions that draw, not here: planning the figures, reading
# them from the cache and making their tables need none of it, and a build whose figures are all cached never
# imports it.
if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.font_manager import FontProperties
    from matplotlib.patches import Rectangle
    from matplotlib.text import Text
    from matplotlib.textpath import TextToPath
    from matplotlib.transforms import Bbox
    from matplotlib.typing import RcKeyType

RecordKind = Literal["studies", "cases", "regimens"]
UrlFor = Callable[[str, str], str]

# The page that lists the records of each evidence-map cell under an anchor (see svg_relative_urls).
FIGURES_PAGE = "compare/figures/"
EVIDENCE_MAP_KIND = "evidence-map"


@dataclass(frozen=True)
class RecordRef:
    """A record an evidence-map cell counts, with the name a list shows for it."""

    kind: RecordKind
    record_id: str
    label: str


@dataclass(frozen=True)
class FigureRow:
    """One row of the data table beside a figure: display strings, and the record it links to.

    Evidence-map rows link to no single record: they carry ``anchor`` (the id their cell
    links to, through ``url_for("evidence-map", anchor)``) and ``records`` (what to list
    under that anchor).
    """

    cells: tuple[str, ...]
    record_kind: RecordKind | None = None
    record_id: str | None = None
    anchor: str | None = None
    records: tuple[RecordRef, ...] = ()


def narrow_path(path: str) -> str:
    """Where the phone layout of the figure at ``path`` lives: ``figures/a.svg`` → ``figures/a-narrow.svg``."""
    return path.removesuffix(".svg") + "-narrow.svg"


# Figure sizes, in CSS pixels at their natural size (an SVG of width W pt is 4/3 W px wide). Pages show a figure at
# most at its natural size: the wide layout fits the text column of a 1280 px screen (about 690 px) and every
# screen down to 720 px; below that pages show the narrow layout, which fits a 390 px phone (its 358 px column). With
# text of at least MIN_FONT_SIZE pt (4/3 × 7.5 = 10 px) neither is ever shown with text under 9 px.
MIN_FONT_SIZE = 7.5
WIDE_MAX_PX = 680
NARROW_MAX_PX = 358


@dataclass(frozen=True)
class Figure:
    path: str  # in the generated docs tree, e.g. "figures/evidence-map.svg"
    svg: bytes
    title: str  # short caption
    alt: str  # what the figure shows and its main finding, in words
    columns: tuple[str, ...]
    rows: tuple[FigureRow, ...]
    notes: tuple[str, ...] = ()  # method notes for under the figure: placement rules, exclusions
    narrow_svg: bytes | None = None  # the same figure laid out for phones, at ``narrow_path``; None: the wide one serves

    @property
    def narrow_path(self) -> str | None:
        return narrow_path(self.path) if self.narrow_svg is not None else None

    def files(self) -> dict[str, bytes]:
        """Each SVG of the figure by its path in the docs tree (PENDING bytes for one still to draw)."""
        found = {self.path: self.svg}
        if self.narrow_svg is not None:
            found[narrow_path(self.path)] = self.narrow_svg
        return found


def svg_relative_urls(figure_path: str, figures_page: str = FIGURES_PAGE) -> UrlFor:
    """URLs relative to the SVG file itself in the built site (for ``<object>`` or direct viewing)."""
    here = posixpath.dirname(figure_path) or "."

    def url_for(kind: str, record_id: str) -> str:
        if kind == EVIDENCE_MAP_KIND:
            return posixpath.relpath(figures_page.rstrip("/"), here) + "/#" + record_id
        return posixpath.relpath(f"{kind}/{record_id}", here) + "/"

    return url_for


def iter_links(figure: Figure) -> Iterator[str]:
    """The link targets written in a figure's SVG, in document order."""
    root = ET.fromstring(figure.svg)
    for element in root.iter("{http://www.w3.org/2000/svg}a"):
        href = element.get("{http://www.w3.org/1999/xlink}href")
        if href:
            yield href


class LinkTargets:
    """The URLs a figure may link to, resolved before it is drawn: part of its cache key, and the only ones it gets."""

    def __init__(self, url_for: UrlFor, wanted: Iterable[tuple[str, str]]) -> None:
        self.urls = {(kind, record_id): url_for(kind, record_id) for kind, record_id in wanted}

    def __call__(self, kind: str, record_id: str) -> str:
        url = self.urls.get((kind, record_id))
        if url is None:
            raise LookupError(f"a figure links to {kind}/{record_id} without declaring it: its cache key would miss the link")
        return url


_Inputs = TypeVar("_Inputs")


def svg(path: str, title: str, alt: str, inputs: _Inputs, links: LinkTargets, draw: Callable[[_Inputs, UrlFor], MplFigure],
        cache: FigureCache | None) -> bytes:
    """The figure's SVG: from ``cache`` when it holds these inputs, else ``draw(inputs, links)``.

    ``draw`` is a module-level function, so ``inputs`` and ``links`` are all it can read besides code.
    """
    # A partial of module-level functions and data, not a closure: the cache may hand it to another process.
    fresh = functools.partial(_draw_svg, path, title, alt, inputs, links, draw)
    if cache is None:
        return fresh()
    return cache.svg(path, {"title": title, "alt": alt, "inputs": inputs, "links": links.urls}, fresh)


def _draw_svg(path: str, title: str, alt: str, inputs: _Inputs, links: LinkTargets, draw: Callable[[_Inputs, UrlFor], MplFigure]) -> bytes:
    with style(), _collector_paused():
        return _to_svg(draw(inputs, links), _slug(path), title, alt)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while one figure is drawn; the bytes drawn are the same.

    A large figure makes hundreds of thousands of objects (artists, transforms, paths), many in reference
    cycles. While they pile up, the collector runs full collections that rescan them and everything else
    alive, the whole corpus included: a fifth to a quarter of the drawing time of a 1,000-study row figure.
    Paused, the figure's garbage is reclaimed in one pass once the figure is dropped (peak memory measured
    the same).
    """
    if not gc.isenabled():  # the caller paused it: leave it so
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# --------------------------------------------------------------------------- style

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREEN = "#009E73"
ORANGE = "#E69F00"
PURPLE = "#CC79A7"
SKY = "#56B4E9"
INK = "#1a1a1a"
MUTED = "#555555"  # 7.5:1 on white, still readable on the row stripes
STRIPE = "#f1f3f5"
GRID = "#d9d9d9"
# Colours for things told apart by order only (a figure's panels): the Okabe–Ito ones, in a fixed order.
SERIES = (BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY)

FONT_SIZE = 9.0  # the smallest text is FONT_SIZE - 1.5 = MIN_FONT_SIZE
_FONTS = ["DejaVu Sans", "Verdana", "Bitstream Vera Sans", "Helvetica", "Arial"]
_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",  # text stays text: searchable, selectable, small
    "svg.hashsalt": "litreview-figures",  # fixed ids, so two builds are byte-identical
    "text.parse_math": False,  # record text is text: "$…$" in a name must not become (or break) mathtext
    "font.family": "sans-serif",
    "font.sans-serif": _FONTS,
    "font.size": FONT_SIZE,
    "text.color": INK,
    "axes.edgecolor": "#4d4d4d",
    "axes.labelcolor": INK,
    "axes.linewidth": 0.7,
    "axes.titlesize": FONT_SIZE + 0.5,
    "axes.titleweight": "bold",
    "xtick.color": "#4d4d4d",
    "ytick.color": "#4d4d4d",
    "xtick.labelcolor": INK,
    "ytick.labelcolor": INK,
    "xtick.labelsize": FONT_SIZE - 0.5,
    "ytick.labelsize": FONT_SIZE - 0.5,
    "legend.fontsize": FONT_SIZE - 0.5,
    "legend.frameon": False,
    # An opaque white ground: a transparent figure would put black text on a dark page in dark mode.
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "hatch.linewidth": 0.8,
}
SVG_DPI = 72  # the SVG backend's resolution: figures are made at it (see _save_svg)


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Matplotlib's defaults plus ours, whatever a matplotlibrc or another module set; restored on exit."""
    import matplotlib as mpl

    with mpl.rc_context():
        mpl.rcdefaults()
        mpl.rcParams.update(_RC)
        yield


@functools.cache
def _layout_font(size: float, weight: str) -> FontProperties:
    from matplotlib.font_manager import FontProperties

    return FontProperties(family=_FONTS[0], size=size, weight=weight)


@functools.cache
def _text_to_path() -> TextToPath:
    from matplotlib.textpath import TextToPath

    return TextToPath()


@functools.lru_cache(maxsize=4096)
def text_width(text: str, size: float = FONT_SIZE, weight: str = "normal") -> float:
    """Width in inches of one line set in DejaVu Sans (the layout font), without a renderer."""
    width, _, _ = _text_to_path().get_text_width_height_descent(text, _layout_font(size, weight), ismath=False)
    return float(width) / 72


def wrap(text: str, width: int) -> list[str]:
    # Collapse ASCII whitespace only: a no-break space must keep its two words together.
    return textwrap.wrap(re.sub(r"[ \t\r\n]+", " ", text).strip(), width, break_on_hyphens=False) or [""]


def wrap_to(text: str, inches: float, size: float = FONT_SIZE, weight: str = "normal") -> str:
    """``text`` in lines of at most ``inches`` (a word longer than that on a line of its own), measured in the layout font."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and text_width(f"{lines[-1]} {word}", size, weight) <= inches:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return "\n".join(lines)


def link(artist: Text | Rectangle, url: str | None) -> None:
    if url:
        artist.set_url(url)


NOTE_LINE_INCHES = (FONT_SIZE - 1.5) * 1.3 / 72  # one line of a figure's own notes, set at the smallest size


# --------------------------------------------------------------------------- SVG writing

_PAD_INCHES = 0.12
_NO_METADATA: dict[str, Any] = {"Date": None, "Creator": None, "Format": None, "Type": None}  # no date or version: reproducible


def crop_box(fig: MplFigure) -> Bbox:
    """The box, in inches, that :func:`_save_svg` crops ``fig`` to: its drawn content plus the margin."""
    from matplotlib.backends.backend_svg import RendererSVG

    width, height = fig.get_size_inches() * SVG_DPI
    measuring = RendererSVG(width, height, io.StringIO())  # type: ignore[no-untyped-call]  # matplotlib's backends are untyped
    return fig.get_tightbbox(measuring).padded(_PAD_INCHES)


def _save_svg(fig: MplFigure) -> bytes:
    """The SVG of ``fig`` cropped to its drawn content plus a margin: ``savefig(bbox_inches="tight")``, once over.

    ``bbox_inches="tight"`` first draws the whole figure with drawing switched off, then measures it, then
    draws it: the first pass only brings artists' state up to date, and measuring does the same for the
    artists used here, so the box is measured straight away (a quarter of the drawing time of a large
    figure). Figures are made at the SVG backend's 72 dpi, which ``savefig`` switches to anyway, so the crop
    is computed at the same scale. tests/test_plots.py checks the bytes against ``bbox_inches="tight"``.
    """
    crop = crop_box(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches=crop, metadata=_NO_METADATA)
    return buffer.getvalue()


def _prefix_ids(tag: str, slug: str) -> str:
    """One tag of a figure's SVG with its ids, and the references to them, prefixed by the figure's slug."""
    tag = re.sub(r'(?<=\s)id="([^"]+)"', rf'id="{slug}-\1"', tag)
    tag = re.sub(r'^<use xlink:href="#([^"]+)"', rf'<use xlink:href="#{slug}-\1"', tag)
    return re.sub(r"url\(#([^)]+)\)", rf"url(#{slug}-\1)", tag)


def _to_svg(fig: MplFigure, slug: str, title: str, desc: str) -> bytes:
    """Save without date or version, then make the SVG describe itself to assistive technology."""
    text = _save_svg(fig).decode("utf-8")
    # The SVG 1.1 DTD knows neither `role` nor `aria-*`; SVG 2 has no DOCTYPE at all.
    text = re.sub(r"<!DOCTYPE[^>]*>\s*", "", text, count=1)
    # Matplotlib's ids ("figure_1", "p1a2b3c4d5") repeat across figures: prefix them so that several SVGs
    # inlined in one page never resolve each other's clip paths, markers or hatches.
    # (Only <use> references: an <a> link to "#anchor" is the caller's and stays as given.) Only tags are rewritten:
    # text content (a label written `id="x"` or `url(#x)`) stays as written; matplotlib escapes "<" and ">" inside
    # attribute values, so every "<…>" is a tag.
    text = "".join(_prefix_ids(part, slug) if part.startswith("<") else part for part in re.split(r"(<[^>]*>)", text))
    start = text.index("<svg ")
    end = text.index(">", start)
    ids = f"{slug}-title {slug}-desc"
    head = text[:end] + f' role="img" aria-labelledby="{ids}">'
    inserted = f'\n <title id="{slug}-title">{escape(title)}</title>\n <desc id="{slug}-desc">{escape(desc)}</desc>'
    text = head + inserted + text[end + 1:]
    # Matplotlib opens links in a new tab; a record link should replace the page holding the figure
    # (from an <object>, "_parent" is that page; in an inlined SVG it is the page itself).
    text = re.sub(r'(<a xlink:href="[^"]*") target="_blank">', r'\1 target="_parent">', text)
    ET.fromstring(text.encode("utf-8"))  # fail the build here, not in a browser, if the XML broke
    return text.encode("utf-8")


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", posixpath.basename(path).removesuffix(".svg").lower()).strip("-")


# --------------------------------------------------------------------------- reported values, as the source states them


def stated(number: float, value: ReportedValue | MarkerReading) -> str:
    return stated_form(number, value.as_reported, value.quote)


def value_text(value: ReportedValue) -> str:
    """The value as the source states it, with its unit: "5.2 months", "33%"."""
    if value.value is None:
        return value.as_reported
    number = stated(value.value, value)
    if value.unit == "%":
        return f"{number}%"
    return f"{number} {value.unit}" if value.unit else number


def ci_text(value: ReportedValue) -> str | None:
    if value.ci_low is None or value.ci_high is None:
        return None
    level = f"{stated(value.ci_level, value)}% CI" if value.ci_level is not None else "CI (level not stated)"
    return f"{level} {stated(value.ci_low, value)} to {stated(value.ci_high, value)}"


def cell_text(value: ReportedValue | None) -> str:
    if value is None:
        return ""
    ci = ci_text(value)
    return value_text(value) + (f" ({ci})" if ci else "")


# --------------------------------------------------------------------------- the review's words in sentences


def lower_first(text: str) -> str:
    """A label inside a sentence: "Median TTR" → "median TTR", "Dose group" → "dose group". Only a first word
    that is an ordinary capitalised word is lowered: "BMI", "HbA1c" or "COVID-19" stays as written."""
    first = text.split(" ", 1)[0]
    if any(char.isupper() or char.isdigit() for char in first[1:]):
        return text
    return text[:1].lower() + text[1:]


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def and_list(words: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def factored(phrases: Sequence[str]) -> str:
    """Phrases joined with the words they all begin and end with said once: "median time to relapse" and "median time to
    death" → "median time to relapse and death"; phrases with none in common, as :func:`and_list`."""
    words = [phrase.split(" ") for phrase in phrases]
    shortest = min(len(split) for split in words)
    head = 0
    while head < shortest - 1 and len({split[head] for split in words}) == 1:
        head += 1
    tail = 0
    while head + tail < shortest - 1 and len({split[-1 - tail] for split in words}) == 1:
        tail += 1
    if len(words) < 2 or not head + tail:
        return and_list(phrases)
    middles = [" ".join(split[head:len(split) - tail]) for split in words]
    return " ".join([*words[0][:head], and_list(middles), *(words[0][len(words[0]) - tail:] if tail else [])])


# An initialism read letter by letter whose first letter's name begins with a vowel sound ("an MRI", "an LDL").
_VOWEL_LETTERS = frozenset("AEFHILMNORSX")


def indefinite(phrase: str) -> str:
    """The phrase with "a" or "an" before it, by how its first word is read: "an MRI", "a median TTR", "an odds ratio"."""
    first = phrase.split(" ", 1)[0]
    letters = first.replace("-", "")
    initialism = len(letters) > 1 and letters[:2].isupper()
    vowel = first[:1] in _VOWEL_LETTERS if initialism else first[:1].lower() in "aeiou"
    return f"{'an' if vowel else 'a'} {phrase}"


@functools.lru_cache(maxsize=1024)
def _term_pattern(term: str) -> re.Pattern[str]:
    # A whole word of the label: "TTR" in "Median TTR", never in "TTRS" or in "TTR-2".
    return re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])")


def abbreviations(glossary: Glossary, texts: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """The glossary's abbreviations that ``texts`` use, each once, with their expansions, in order of first use."""
    found: dict[str, tuple[int, int, str]] = {}
    for index, text in enumerate(texts):
        for entry in glossary.terms:
            match = _term_pattern(entry.term).search(text)
            if match is not None and entry.term not in found:
                found[entry.term] = (index, match.start(), entry.expansion)
    return tuple((term, expansion) for term, (_, _, expansion) in sorted(found.items(), key=lambda item: item[1][:2]))


def _literally(words: str) -> Callable[[re.Match[str]], str]:
    """A replacement for ``re.sub`` that puts ``words`` as written: a string would read a backslash in them as a group reference."""
    return lambda _match: words


def spelled_out(text: str, expansions: Iterable[tuple[str, str]], keep: bool) -> str:
    """``text`` with each abbreviation replaced by its expansion; ``keep``: followed by the abbreviation in brackets
    ("Median TTR" → "Median time to relapse (TTR)"), for a description's first mention."""
    for term, expansion in expansions:
        replacement = f"{expansion} ({term})" if keep else expansion
        text = _term_pattern(term).sub(_literally(replacement), text)
    return text


def abbreviation_key(expansions: Iterable[tuple[str, str]]) -> str:
    """ "TTR: time to relapse; BMI: body-mass index." for a figure's notes ("" for none)."""
    parts = [f"{term}: {expansion}" for term, expansion in expansions]
    return "; ".join(parts) + "." if parts else ""


def range_words(points: list[tuple[float, str]], what: str) -> str:
    """ "3 arms have X, from <lowest> to <highest>." in words, for the alt text."""
    if len(points) == 1:
        return f"1 arm has {what}: {points[0][1]}."
    return f"{len(points)} arms have {what}, from {points[0][1]} to {points[-1][1]}."
