"""Static figures drawn at build time: SVG bytes plus the data table printed beside each figure.

Four kinds of figure come from the linked corpus (``build_figures`` makes them all):

- ``figures/forest-survival.svg``: median PFS and median OS per study arm, grouped by setting.
- ``figures/orr.svg``: objective response rate per arm with its interval.
- ``figures/evidence-map.svg``: drug class × setting, the number of studies and cases in each cell.
- ``figures/cases/<case-id>-timeline.svg``: one swimmer plot per case, with its tumour markers.

``forest_figure`` and ``orr_figure`` draw the first two for chosen arms only, in a given order (one
figure per page of a long comparison table); the whole-review figures are these with every arm.

Rules kept throughout, as for the pages:

- Every number written in a figure or its table is the source's own text (``stated_form``),
  never rounded. The only numbers computed here are exact Clopper–Pearson intervals, and
  they are labelled as computed wherever they appear.
- Nothing is converted: a median in days or weeks is listed, not put on a months axis.
- Nothing is placed where the record gives no date: undated lines are listed, not drawn.
  A ``YYYY-MM`` date is placed at the first of the month (the axis label says so); a
  ``YYYY`` date covers the whole year (hatched on a treatment bar, a bracket for a single
  event), because any single point in it would be invented.
- Every figure is also a table (``Figure.columns``/``rows``) and a description in words
  (``Figure.alt``, also the SVG's ``<desc>``), so nothing depends on seeing the picture.

Links. Row labels and evidence-map cells carry ``<a>`` links (``Text.set_url``). A link
in an SVG resolves against the URL of the document that holds it: the SVG file itself
when the figure is opened directly or embedded with ``<object>``, the page when the SVG
is inlined. (Links inside an ``<img>`` never work.) ``build_figures`` therefore takes
``url_for(kind, record_id)`` with ``kind`` one of ``studies``, ``regimens``, ``cases`` or
``evidence-map`` (then ``record_id`` is a cell's anchor, see ``evidence_anchor``). By
default each figure gets URLs relative to its own file in the built site (MkDocs
directory URLs: ``studies/<id>.md`` is served at ``studies/<id>/``; evidence-map cells
point at anchors on ``compare/figures/``), which is right for ``<object>`` embedding.
Pass another ``url_for`` to inline the SVG in a page; ids are prefixed per figure so
several inlined SVGs never clash.

Determinism. Matplotlib is driven without pyplot (``matplotlib.figure.Figure``: no
global figure registry, nothing to close), from matplotlib's defaults plus ours inside an
``rc_context``, so neither a matplotlibrc nor another module's settings get in and none
leak out. The SVG carries no date or version (metadata emptied), ids come from a fixed
hash salt, text stays text (``svg.fonttype`` ``none``) set in DejaVu Sans (bundled with
matplotlib, used for layout) with Verdana/Helvetica/Arial fallbacks.

Caching. Pass a ``figure_cache.FigureCache`` to reuse the SVG of a figure whose inputs have not
changed since a previous build. Each figure is split in two: its words (title, description, table
rows: cheap, always computed) and its drawing, a module-level function given only the figure's
inputs (whole records) and its link targets (``_LinkTargets``, resolved in advance). The cache key
covers those inputs, the link targets, the title and the description (which go into the SVG), and
the code; the drawing cannot read anything else, and asking for an undeclared link fails loudly.

Speed. A figure of 1,000 arms holds tens of thousands of artists, and matplotlib's cost is per
artist. Where it changes no byte of the SVG, drawing takes the cheaper route: one measuring pass
instead of two (``_save_svg``), the garbage collector paused (``_collector_paused``), artists added
without data-limit bookkeeping the panels override anyway (``_stripes``, ``_add_line``, ``_annotate``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import io
import math
import posixpath
import re
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar
from xml.sax.saxutils import escape

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.figure import Figure as MplFigure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text
from matplotlib.textpath import TextToPath
from matplotlib.ticker import MaxNLocator, NullLocator
from matplotlib.transforms import Bbox, ScaledTranslation
from matplotlib.typing import RcKeyType

from generator.case_dates import CaseDates, How, PlacedDate, PlacedStep, place_dates
from generator.evidence import stated_form
from generator.figure_cache import FigureCache
from generator.link import Corpus
from generator.progress import Progress, stage
from generator.schema import (
    DRUG_CLASS_LABELS,
    SETTING_LABELS,
    Arm,
    CaseRecord,
    DrugClass,
    MarkerReading,
    Measure,
    RegimenRecord,
    ReportedValue,
    Response,
    Setting,
    StudyRecord,
    TreatmentLine,
)
from generator.statistics import format_computed_percent
from generator.text import Identifier
from generator.views import ArmRow, arm_row, arm_rows, exact_interval

RecordKind = Literal["studies", "cases", "regimens"]
UrlFor = Callable[[str, str], str]

# The page that lists the records of each evidence-map cell under an anchor (see url_for).
FIGURES_PAGE = "compare/figures/"
EVIDENCE_MAP_KIND = "evidence-map"

FOREST_PATH = "figures/forest-survival.svg"
ORR_PATH = "figures/orr.svg"
EVIDENCE_MAP_PATH = "figures/evidence-map.svg"


def case_figure_path(case_id: str) -> str:
    return f"figures/cases/{case_id}-timeline.svg"


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
    """Where the phone layout of the figure at ``path`` lives: ``figures/orr.svg`` → ``figures/orr-narrow.svg``."""
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
    path: str  # in the generated docs tree, e.g. "figures/forest-survival.svg"
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


def evidence_anchor(drug_class: DrugClass, setting: Setting) -> Identifier:
    return Identifier(f"{drug_class.value}--{setting.value}")


def build_figures(corpus: Corpus, url_for: UrlFor | None = None, progress: Progress | None = None,
                  cache: FigureCache | None = None, arm_figures: bool = True) -> list[Figure]:
    """Every figure of the review, in a stable order; a figure with nothing to plot is left out.

    ``arm_figures=False`` leaves out the whole-review forest and ORR figures (a large review draws
    them per table page instead, with :func:`forest_figure` and :func:`orr_figure`).

    With ``cache``, a figure whose inputs are unchanged since it was last drawn is read, not redrawn
    (byte for byte the same SVG); afterwards ``cache.prune_unused()`` may drop every other entry.
    """
    def urls(path: str) -> UrlFor:
        return url_for or svg_relative_urls(path)

    cases = sorted(corpus.cases.values(), key=lambda c: c.id)
    # with a deferring cache the figures not in it are only planned here: drawn once the pages are written
    drawing = stage(progress, "figures of the other pages", (3 if arm_figures else 1) + len(cases),
                    "planned" if cache is not None and cache.defer else "ready")

    def drawn(figure: Figure | None) -> Figure | None:
        drawing.advance()
        return figure

    figures = [drawn(_forest_figure(_arm_entries(corpus, _SURVIVAL), FOREST_PATH, urls(FOREST_PATH), cache)),
               drawn(_orr_figure(_arm_entries(corpus, [Measure.orr]), ORR_PATH, urls(ORR_PATH), cache))] if arm_figures else []
    figures += [drawn(_evidence_map_figure(corpus, urls(EVIDENCE_MAP_PATH), cache))]
    figures += [drawn(_case_figure(corpus, case, urls(case_figure_path(case.id)), cache)) for case in cases]
    drawing.close()
    return [figure for figure in figures if figure is not None]


ArmKey = tuple[str, str]  # (study id, arm id)


class ArmLike(Protocol):
    """Anything that names a study arm by its records, such as a comparison table's ``views.ArmRow``."""

    @property
    def study(self) -> StudyRecord: ...

    @property
    def arm(self) -> Arm: ...


def forest_figure(corpus: Corpus, arms: Iterable[ArmKey | ArmLike], path: str, url_for: UrlFor | None = None,
                  cache: FigureCache | None = None) -> Figure | None:
    """The forest plot of median PFS and OS for ``arms`` only, one row each in the order given.

    ``arms`` are (study id, arm id) pairs or rows with ``.study`` and ``.arm`` (``views.ArmRow``), e.g. one
    page of a comparison table. Arms with neither median are left out; None if no arm is left. A setting
    header opens each run of arms of one setting, so arms sorted by setting get one header per setting.
    ``path`` is the SVG's place in the docs tree: it prefixes the SVG's ids and, unless ``url_for`` is
    given, its links are relative to it. Raises ``KeyError`` for an arm the corpus does not have.
    """
    return _forest_figure(_chosen_entries(corpus, arms, _SURVIVAL), path, url_for or svg_relative_urls(path), cache)


def orr_figure(corpus: Corpus, arms: Iterable[ArmKey | ArmLike], path: str, url_for: UrlFor | None = None,
               cache: FigureCache | None = None) -> Figure | None:
    """The objective-response-rate figure for ``arms`` only, in the order given; as :func:`forest_figure`.

    Arms without an ORR are left out; None if no arm is left.
    """
    return _orr_figure(_chosen_entries(corpus, arms, [Measure.orr]), path, url_for or svg_relative_urls(path), cache)


class _LinkTargets:
    """The URLs a figure may link to, resolved before it is drawn: part of its cache key, and the only ones it gets."""

    def __init__(self, url_for: UrlFor, wanted: Iterable[tuple[str, str]]) -> None:
        self.urls = {(kind, record_id): url_for(kind, record_id) for kind, record_id in wanted}

    def __call__(self, kind: str, record_id: str) -> str:
        url = self.urls.get((kind, record_id))
        if url is None:
            raise LookupError(f"a figure links to {kind}/{record_id} without declaring it: its cache key would miss the link")
        return url


_Inputs = TypeVar("_Inputs")


def _svg(path: str, title: str, alt: str, inputs: _Inputs, links: _LinkTargets, draw: Callable[[_Inputs, UrlFor], MplFigure],
         cache: FigureCache | None) -> bytes:
    """The figure's SVG: from ``cache`` when it holds these inputs, else ``draw(inputs, links)``.

    ``draw`` is a module-level function, so ``inputs`` and ``links`` are all it can read besides code.
    """
    # A partial of module-level functions and data, not a closure: the cache may hand it to another process.
    fresh = functools.partial(_draw_svg, path, title, alt, inputs, links, draw)
    if cache is None:
        return fresh()
    return cache.svg(path, {"title": title, "alt": alt, "inputs": inputs, "links": links.urls}, fresh)


def _draw_svg(path: str, title: str, alt: str, inputs: _Inputs, links: _LinkTargets, draw: Callable[[_Inputs, UrlFor], MplFigure]) -> bytes:
    with _style(), _collector_paused():
        return _to_svg(draw(inputs, links), _slug(path), title, alt)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while one figure is drawn; the bytes drawn are the same.

    A large figure makes hundreds of thousands of objects (artists, transforms, paths), many in reference
    cycles. While they pile up, the collector runs full collections that rescan them and everything else
    alive, the whole corpus included: a fifth to a quarter of the drawing time of a 1,000-study forest or
    ORR plot. Paused, the figure's garbage is reclaimed in one pass once the figure is dropped (peak memory
    measured the same).
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
_TEXT_TO_PATH = TextToPath()
_SVG_DPI = 72  # the SVG backend's resolution: figures are made at it (see _save_svg)


@contextlib.contextmanager
def _style() -> Iterator[None]:
    """Matplotlib's defaults plus ours, whatever a matplotlibrc or another module set; restored on exit."""
    with mpl.rc_context():
        mpl.rcdefaults()
        mpl.rcParams.update(_RC)
        yield


@functools.cache
def _layout_font(size: float, weight: str) -> FontProperties:
    return FontProperties(family=_FONTS[0], size=size, weight=weight)


@functools.lru_cache(maxsize=4096)
def _text_width(text: str, size: float = FONT_SIZE, weight: str = "normal") -> float:
    """Width in inches of one line set in DejaVu Sans (the layout font), without a renderer."""
    width, _, _ = _TEXT_TO_PATH.get_text_width_height_descent(text, _layout_font(size, weight), ismath=False)
    return float(width) / 72


def _wrap(text: str, width: int) -> list[str]:
    # Collapse ASCII whitespace only: a no-break space must keep its two words together.
    return textwrap.wrap(re.sub(r"[ \t\r\n]+", " ", text).strip(), width, break_on_hyphens=False) or [""]


def _link(artist: Text | Rectangle, url: str | None) -> None:
    if url:
        artist.set_url(url)


_PAD_INCHES = 0.12
_NO_METADATA: dict[str, Any] = {"Date": None, "Creator": None, "Format": None, "Type": None}  # no date or version: reproducible


def _crop_box(fig: MplFigure) -> Bbox:
    """The box, in inches, that :func:`_save_svg` crops ``fig`` to: its drawn content plus the margin."""
    width, height = fig.get_size_inches() * _SVG_DPI
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
    crop = _crop_box(fig)
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
    # text content (a regimen named `id="x"` or `url(#x)`) stays as written; matplotlib escapes "<" and ">" inside
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


# --------------------------------------------------------------------------- reported values


def _stated(number: float, value: ReportedValue | MarkerReading) -> str:
    return stated_form(number, value.as_reported, value.quote)


def _value_text(value: ReportedValue) -> str:
    """The value as the source states it, with its unit: "5.2 months", "33%"."""
    if value.value is None:
        return value.as_reported
    number = _stated(value.value, value)
    if value.unit == "%":
        return f"{number}%"
    return f"{number} {value.unit}" if value.unit else number


def _ci_text(value: ReportedValue) -> str | None:
    if value.ci_low is None or value.ci_high is None:
        return None
    level = f"{_stated(value.ci_level, value)}% CI" if value.ci_level is not None else "CI (level not stated)"
    return f"{level} {_stated(value.ci_low, value)} to {_stated(value.ci_high, value)}"


def _cell_text(value: ReportedValue | None) -> str:
    if value is None:
        return ""
    ci = _ci_text(value)
    return _value_text(value) + (f" ({ci})" if ci else "")


# The comparison-table column whose cell each drawn measure takes (generator/comparisons.py): a figure draws what the
# tables show, with the same marks, and never a value the tables mark as measured differently.
_FIGURE_COLUMNS = {Measure.median_pfs: "median_pfs", Measure.median_os: "median_os", Measure.orr: "response"}


@dataclass(frozen=True)
class _ArmEntry:
    """One arm as a figure shows it, and no more: the figure's cache key, and the figures handed to the
    drawing process, carry only what it draws (not the study, not the arm's other values)."""

    setting: Setting
    study_id: str
    study_name: str
    arm_id: str
    arm_label: str
    headlines: tuple[tuple[Measure, ReportedValue], ...]  # the arm's value of each measure the figure draws
    caveats: tuple[tuple[Measure, tuple[str, ...]], ...] = ()  # marks written beside a drawn value ("partial responses only")
    apart: tuple[tuple[Measure, ReportedValue, str], ...] = ()  # values measured differently: listed with why, never drawn

    @classmethod
    def of(cls, row: ArmRow, measures: Sequence[Measure]) -> _ArmEntry | None:
        """The entry of an arm's table row for a figure of ``measures``; None if the arm has none of them."""
        headlines: list[tuple[Measure, ReportedValue]] = []
        caveats: list[tuple[Measure, tuple[str, ...]]] = []
        apart: list[tuple[Measure, ReportedValue, str]] = []
        for measure in measures:
            cell = row.cells[_FIGURE_COLUMNS[measure]]
            if cell.value is None:
                continue
            if cell.differs:
                apart.append((measure, cell.value, "; ".join(tag.text for tag in cell.marks if tag.kind.value == "differs")))
                continue
            headlines.append((measure, cell.value))
            if cell.marks:
                caveats.append((measure, tuple(tag.text for tag in cell.marks)))
        if not headlines and not apart:
            return None
        return cls(row.setting, row.study.id, row.study.short_name, row.arm.id, row.arm.label, tuple(headlines), tuple(caveats), tuple(apart))

    def headline(self, measure: Measure) -> ReportedValue | None:
        return next((value for drawn, value in self.headlines if drawn is measure), None)

    def caveat(self, measure: Measure) -> str:
        """The marks of the drawn value, as written beside it: "" or " (partial responses only)"."""
        marks = next((texts for drawn, texts in self.caveats if drawn is measure), ())
        return f" ({'; '.join(marks)})" if marks else ""

    def apart_value(self, measure: Measure) -> tuple[ReportedValue, str] | None:
        return next(((value, why) for drawn, value, why in self.apart if drawn is measure), None)


def _arm_entries(corpus: Corpus, measures: Sequence[Measure]) -> list[_ArmEntry]:
    """The treatment arms with a value for any of ``measures``, in setting order, then study name."""
    rows = sorted(arm_rows(corpus), key=lambda r: (r.study.short_name.lower(), r.study.id, r.arm_index))
    entries = [entry for row in rows if (entry := _ArmEntry.of(row, measures)) is not None]
    order = {setting: index for index, setting in enumerate(Setting)}
    return sorted(entries, key=lambda e: order[e.setting])  # stable: study order kept within a setting


def _chosen_entries(corpus: Corpus, arms: Iterable[ArmKey | ArmLike], measures: Sequence[Measure]) -> list[_ArmEntry]:
    """The named arms that have a value for any of ``measures``, in the order named (their table rows, or the arms')."""
    entries: list[_ArmEntry] = []
    for item in arms:
        if isinstance(item, ArmRow):
            row = item
        else:
            study_id, arm_id = item if isinstance(item, tuple) else (item.study.id, item.arm.id)
            study = corpus.studies.get(study_id)
            index = next((i for i, a in enumerate(study.arms) if a.id == arm_id), None) if study is not None else None
            if study is None or index is None:
                raise KeyError(f"no arm {arm_id!r} in study {study_id!r}")
            row = arm_row(corpus, study, index)
        if (entry := _ArmEntry.of(row, measures)) is not None:
            entries.append(entry)
    return entries


def _setting_headers(entries: Sequence[_ArmEntry]) -> list[str]:
    """The setting headers of the rows: one each time the setting changes (as ``_layout_rows`` places them)."""
    return [SETTING_LABELS[entry.setting] for index, entry in enumerate(entries) if index == 0 or entry.setting is not entries[index - 1].setting]


def _study_links(entries: Sequence[_ArmEntry], url_for: UrlFor) -> _LinkTargets:
    return _LinkTargets(url_for, (("studies", entry.study_id) for entry in entries))


# --------------------------------------------------------------------------- row layout shared by forest and ORR

@dataclass(frozen=True)
class _Profile:
    """How a row figure is laid out: wide (study and arm in two label columns, panels side by side) or narrow, for
    phones (one label column, panels one above the other). Both stay within their width (WIDE_MAX_PX, NARROW_MAX_PX)."""

    narrow: bool
    study_wrap: int
    arm_wrap: int
    panel_width: float  # inches, each panel
    notes_wrap: int  # characters per line of the figure's own notes
    # value labels with their interval, counts and marks; else the value, and '*' for a mark spelled out under the figure
    full_labels: bool = True


_WIDE = _Profile(False, 20, 22, 1.45, 105)
_WIDE_MARKED = dataclasses.replace(_WIDE, full_labels=False)  # for a wide figure whose full labels would not fit its width
_NARROW = _Profile(True, 20, 22, 1.5, 50, full_labels=False)


def _fitting(draw: Callable[[tuple[_ArmEntry, ...], _Profile, UrlFor], MplFigure], entries: tuple[_ArmEntry, ...], narrow: bool,
             url_for: UrlFor) -> MplFigure:
    """The figure in its layout: narrow; or wide with full value labels where they fit WIDE_MAX_PX, else with marks
    spelled out under it (a long mark beside a value near the axis's end would widen the figure past a screen's column)."""
    if narrow:
        return draw(entries, _NARROW, url_for)
    fig = draw(entries, _WIDE, url_for)
    return fig if _crop_box(fig).width * 96 <= WIDE_MAX_PX else draw(entries, _WIDE_MARKED, url_for)  # 96 px an inch


def _marked_below(entries: Sequence[_ArmEntry], measures: Sequence[Measure]) -> str:
    """The marks a narrow figure writes as '*' beside a value, spelled out for under it."""
    found = []
    for entry in entries:
        marks = [(measure, entry.caveat(measure)) for measure in measures if entry.caveat(measure) and entry.headline(measure) is not None]
        if marks:  # one line per arm: its marks, each after the measure it is on where the figure has several
            said = [f"{_SURVIVAL_SHORT.get(measure, measure.value) if len(measures) > 1 else ''}{caveat}".strip() for measure, caveat in marks]
            found.append(f"{entry.study_name}, {entry.arm_label}: {'; '.join(said)}")
    return ("\n* " + "\n* ".join(found)) if found else ""
_LINE = 0.72  # extra height of each wrapped line, in row units


@dataclass
class _PlacedRow:
    entry: _ArmEntry
    y: float
    study_lines: list[str]
    arm_lines: list[str]


@dataclass
class _RowLayout:
    rows: list[_PlacedRow] = field(default_factory=list)
    headers: list[tuple[str, float]] = field(default_factory=list)
    height: float = 0.0  # in row units
    study_width: float = 0.0  # inches
    arm_width: float = 0.0
    narrow: bool = False

    @property
    def label_width(self) -> float:
        return max(self.study_width, self.arm_width) if self.narrow else self.study_width + 0.15 + self.arm_width


def _layout_rows(entries: Sequence[_ArmEntry], profile: _Profile = _WIDE) -> _RowLayout:
    """y position of each group header and arm row (top = 0), with the label columns' widths.

    Narrow: the study's name above its arms' labels, in one column.
    """
    layout = _RowLayout(narrow=profile.narrow)
    y = 0.0
    setting: Setting | None = None
    study_id: str | None = None
    for entry in entries:
        if entry.setting is not setting:
            setting, study_id = entry.setting, None
            y += 0.35 if layout.headers else 0.0
            layout.headers.append((SETTING_LABELS[entry.setting], y))
            y += 1.0
        study_lines = _wrap(entry.study_name, profile.study_wrap) if entry.study_id != study_id else []
        study_id = entry.study_id
        arm_lines = _wrap(entry.arm_label, profile.arm_wrap)
        if profile.narrow:
            if study_lines:  # a line of its own above the arm
                layout.rows.append(_PlacedRow(entry, y + (len(study_lines) - 1) * _LINE / 2, study_lines, []))
                y += 1.0 + (len(study_lines) - 1) * _LINE
            lines = len(arm_lines)
            layout.rows.append(_PlacedRow(entry, y + (lines - 1) * _LINE / 2, [], arm_lines))
            y += 1.0 + (lines - 1) * _LINE
        else:
            lines = max(len(study_lines), len(arm_lines))
            layout.rows.append(_PlacedRow(entry, y + (lines - 1) * _LINE / 2, study_lines, arm_lines))
            y += 1.0 + (lines - 1) * _LINE
        layout.study_width = max([layout.study_width, *(_text_width(line, weight="bold" if profile.narrow else "normal") for line in study_lines)])
        layout.arm_width = max([layout.arm_width, *(_text_width(line) for line in arm_lines)])
    layout.height = y
    return layout


def _value_rows(layout: _RowLayout) -> list[_PlacedRow]:
    """The rows that carry an arm's values (a narrow layout's study lines carry none)."""
    return [row for row in layout.rows if row.arm_lines]


_ROW_INCHES = 0.23


def _label_panel(ax: Axes, layout: _RowLayout, url_for: UrlFor, study_header: str = "Study", arm_header: str = "Arm") -> None:
    """The left-hand columns: setting headers, study names (once per study) and arm labels, each a link."""
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    arm_x = 0.0 if layout.narrow else (layout.study_width + 0.15) / layout.label_width
    for row in layout.rows:
        url = url_for("studies", row.entry.study_id)
        if row.study_lines:
            _link(ax.text(0, row.y, "\n".join(row.study_lines), va="center", ha="left", linespacing=1.25,
                          fontweight="bold" if layout.narrow else "normal"), url)
        if row.arm_lines:
            _link(ax.text(arm_x + (0.04 if layout.narrow else 0.0), row.y, "\n".join(row.arm_lines), va="center", ha="left", linespacing=1.25,
                          color="#333333"), url)
    for label, y in layout.headers:
        ax.text(0, y, label, va="center", ha="left", fontweight="bold", fontsize=FONT_SIZE + 0.5)
    if layout.narrow:
        ax.text(0, -1.0, f"{study_header}, {arm_header.lower()}", va="center", ha="left", fontweight="bold", color=MUTED)
    else:
        ax.text(0, -1.0, study_header, va="center", ha="left", fontweight="bold", color=MUTED)
        ax.text(arm_x, -1.0, arm_header, va="center", ha="left", fontweight="bold", color=MUTED)


def _stripes(axes: Sequence[Axes], layout: _RowLayout) -> None:
    """Alternate row shading across all panels, so a row can be followed from label to value.

    Each stripe is what ``ax.axhspan`` makes (the same SVG), added without updating the data limits,
    which every row panel fixes anyway: ``axhspan`` spends most of its time on them.
    """
    for index, row in enumerate(_value_rows(layout)):
        if index % 2 == 0:
            lines = max(len(row.study_lines), len(row.arm_lines))
            half = 0.5 + (lines - 1) * _LINE / 2
            low, high = row.y - half, row.y + half
            for ax in axes:
                ax.add_artist(Rectangle((0, low), 1, high - low, color=STRIPE, zorder=0, linewidth=0, transform=ax.get_yaxis_transform(which="grid")))


def _row_figure(layouts: Sequence[_RowLayout], panels: int, profile: _Profile, extra_bottom: float = 0.0) -> tuple[MplFigure, list[Axes], list[Axes]]:
    """The figure, its label axes (one per block of rows) and its value panels.

    Wide: one block (``layouts`` holds one layout), the label column then the panels side by side. Narrow: one block
    per panel, one above the other, each with its own rows (``layouts`` holds one layout per panel), so that each
    fits a phone's width.
    """
    label_width = max(layout.label_width for layout in layouts)
    gap = 0.3
    per_block = 1 if profile.narrow else panels
    width = label_width + (profile.panel_width + gap) * per_block
    heights = [(layout.height + 1.6) * _ROW_INCHES for layout in layouts]
    between = 0.75  # inches between blocks: the axis labels of one, the title of the next
    height = sum(heights) + between * (len(layouts) - 1) + 0.5 + extra_bottom
    fig = MplFigure(figsize=(width, height), dpi=_SVG_DPI)
    grid = fig.add_gridspec(len(layouts), 1 + per_block, width_ratios=[label_width, *[profile.panel_width] * per_block], height_ratios=heights,
                            wspace=gap / (width / (1 + per_block)), hspace=between / (sum(heights) / len(heights)),
                            left=0.0, right=1.0, top=1 - 0.05 / height, bottom=(0.45 + extra_bottom) / height)
    label_axes: list[Axes] = []
    value_axes: list[Axes] = []
    for block, layout in enumerate(layouts):
        label_ax = fig.add_subplot(grid[block, 0])
        label_ax.set_ylim(layout.height - 0.5, -1.6)
        label_ax.yaxis.set_major_locator(NullLocator())  # shared by the panels: rows are labelled by text, not ticks
        label_axes.append(label_ax)
        for column in range(per_block):
            ax = fig.add_subplot(grid[block, column + 1], sharey=label_ax)
            ax.tick_params(axis="y", left=False, labelleft=False)
            for side in ("left", "right", "top"):
                ax.spines[side].set_visible(False)
            ax.grid(axis="x", color=GRID, linewidth=0.6, zorder=0.5)
            ax.set_axisbelow(True)
            value_axes.append(ax)
    return fig, label_axes, value_axes


def _notes_lines(text: str, profile: _Profile) -> list[str]:
    return [line for paragraph in text.split("\n") for line in _wrap(paragraph, profile.notes_wrap)]


_NOTE_LINE_INCHES = (FONT_SIZE - 1.5) * 1.3 / 72


def _figure_notes(fig: MplFigure, lines: list[str]) -> None:
    """The figure's own notes under it, wrapped to its width (room made by ``_row_figure``'s ``extra_bottom``)."""
    fig.text(0.0, 0.0, "\n".join(lines), ha="left", va="bottom", fontsize=FONT_SIZE - 1.5, color=MUTED, linespacing=1.3)


def _annotate(ax: Axes, x: float, y: float, text: str, within_limits: bool) -> None:
    """A value label just right of (x, y).

    ``within_limits``: the caller knows (x, y) lies within the axes' limits, where matplotlib's check that an
    annotated point is inside the axes always passes (the edges count as inside), so it is skipped: a
    point-in-path test per label when measuring and again when drawing. Elsewhere the check hides the label.
    """
    ax.annotate(text, (x, y), xytext=(5, 0), textcoords="offset points", va="center", ha="left", color=INK,
                fontsize=FONT_SIZE - 0.5, annotation_clip=False if within_limits else None)


def _add_line(ax: Axes, xs: list[float], ys: list[float], **style: Any) -> None:
    """The line (or marks) that ``ax.plot(xs, ys, **style)`` draws, for a style with a colour (so no colour cycling).

    Added without updating the data limits, which the row panels set themselves after plotting:
    ``ax.plot`` spends most of its time on argument handling and limits, for thousands of rows.
    """
    ax.add_artist(Line2D(xs, ys, **style))


def _nice_limit(high: float) -> float:
    """A round axis end a little beyond ``high`` with room for the value labels."""
    target = high * 1.3
    step = 10 ** math.floor(math.log10(target)) if target > 0 else 1
    for factor in (1, 2, 2.5, 5, 10):
        if factor * step >= target:
            return factor * step
    return 10 * step


# --------------------------------------------------------------------------- 1. forest plot of median PFS and OS

_SURVIVAL = (Measure.median_pfs, Measure.median_os)
_SURVIVAL_TITLES = {Measure.median_pfs: "Median PFS", Measure.median_os: "Median OS"}
_SURVIVAL_SHORT = {Measure.median_pfs: "median PFS", Measure.median_os: "median OS"}
_SURVIVAL_COLOURS = {Measure.median_pfs: BLUE, Measure.median_os: VERMILLION}
_MONTHS = frozenset({"months", "month"})  # spelling only; no unit is ever converted


def _survival_status(value: ReportedValue) -> str | None:
    """None when the value goes on the months axis; otherwise why it is only listed."""
    if value.value is None:
        return "no number stated"
    if value.unit not in _MONTHS:
        return f"in {value.unit}, not converted" if value.unit else "unit not stated"
    return None


def _forest_figure(entries: Sequence[_ArmEntry], path: str, url_for: UrlFor, cache: FigureCache | None) -> Figure | None:
    entries = [entry for entry in entries if any(m in _SURVIVAL for m, _ in entry.headlines) or any(m in _SURVIVAL for m, _, _ in entry.apart)]
    if not entries:
        return None
    title = "Median progression-free and overall survival by study arm"
    excluded: list[str] = []
    apart: list[str] = []
    plotted: dict[Measure, list[tuple[float, str]]] = {m: [] for m in _SURVIVAL}
    ci_count = 0
    for measure in _SURVIVAL:
        for entry in entries:
            held = entry.apart_value(measure)
            if held is not None:
                apart.append(f"{entry.study_name}, {entry.arm_label}: {_SURVIVAL_SHORT[measure]} {_value_text(held[0])} ({held[1]})")
                continue
            value = entry.headline(measure)
            if value is None:
                continue
            status = _survival_status(value)
            if status is not None:
                excluded.append(f"{entry.study_name}, {entry.arm_label}: {_SURVIVAL_SHORT[measure]} {_value_text(value)} ({status})")
                continue
            assert value.value is not None
            ci_count += value.ci_low is not None and value.ci_high is not None
            plotted[measure].append((value.value, f"{entry.study_name}, {entry.arm_label} ({_forest_label(value)} months{entry.caveat(measure)})"))
    findings = []
    for measure in _SURVIVAL:
        points = sorted(plotted[measure], key=lambda item: item[0])
        if points:
            findings.append(_range_words(points, f"a {_SURVIVAL_SHORT[measure]} in months"))
    alt = (f"Forest-style chart of median progression-free survival (PFS) and median overall survival (OS) in months, "
           f"one row per study arm, grouped by line of therapy ({', '.join(_setting_headers(entries))}). " + " ".join(findings)
           + (f" {ci_count} values carry a reported confidence interval, drawn as a horizontal line." if ci_count else "")
           + (" Listed but not plotted, because they are not in months and are not converted: " + "; ".join(excluded) + "." if excluded else "")
           + (" Listed but not plotted, because they are measured differently from the others: " + "; ".join(apart) + "." if apart else ""))
    rows = tuple(
        FigureRow((SETTING_LABELS[entry.setting], entry.study_name, entry.arm_label,
                   *(_survival_cell(entry, m) for m in _SURVIVAL)), "studies", entry.study_id)
        for entry in entries
    )
    notes = ("Only medians stated in months are plotted; values in other units are listed in the table and not converted.",
             "Confidence intervals are drawn only where the source reports one.",
             *(("Medians counted from another time origin than the rest (marked in the tables) are listed, not plotted.",) if apart else ()))
    links = _study_links(entries, url_for)
    svg = _svg(path, title, alt, (tuple(entries), False), links, _draw_forest, cache)
    narrow = _svg(narrow_path(path), title, alt, (tuple(entries), True), links, _draw_forest, cache)
    return Figure(path, svg, title, alt, ("Setting", "Study", "Arm", "Median PFS", "Median OS"), rows, notes, narrow)


def _forest_label(value: ReportedValue) -> str:
    """A plotted median as written beside its point: "5.2", or "5.2 (4.1 to 6.3)" with its interval."""
    assert value.value is not None
    label = _stated(value.value, value)
    if value.ci_low is not None and value.ci_high is not None:
        label += f" ({_stated(value.ci_low, value)} to {_stated(value.ci_high, value)})"
    return label


def _draw_forest(inputs: tuple[tuple[_ArmEntry, ...], bool], url_for: UrlFor) -> MplFigure:
    return _fitting(_draw_forest_as, inputs[0], inputs[1], url_for)


def _draw_forest_as(entries: tuple[_ArmEntry, ...], profile: _Profile, url_for: UrlFor) -> MplFigure:
    narrow = profile.narrow
    if narrow:  # a block per measure, each with only the arms that state it
        layouts = [_layout_rows([e for e in entries if e.headline(m) is not None or e.apart_value(m) is not None], profile) for m in _SURVIVAL]
    else:
        layouts = [_layout_rows(entries, profile)]
    notes = _notes_lines("PFS: progression-free survival; OS: overall survival. Squares: median as reported; horizontal lines: confidence "
                         "interval where the source reports one. Medians in days or weeks are listed, not converted, and medians counted from "
                         "another time origin are listed, not plotted.\nValues come from different studies and populations and are not "
                         "directly comparable." + ("" if profile.full_labels else _marked_below(entries, _SURVIVAL)), profile)
    fig, label_axes, panels = _row_figure(layouts, len(_SURVIVAL), profile, extra_bottom=0.05 + _NOTE_LINE_INCHES * len(notes))
    for label_ax, layout in zip(label_axes, layouts, strict=True):
        _label_panel(label_ax, layout, url_for)
    for index, (ax, measure) in enumerate(zip(panels, _SURVIVAL, strict=True)):
        layout = layouts[index] if narrow else layouts[0]
        _stripes([label_axes[index] if narrow else label_axes[0], ax], layout)
        colour = _SURVIVAL_COLOURS[measure]
        highs = [0.0]
        for row in _value_rows(layout):
            held = row.entry.apart_value(measure)
            if held is not None:
                # why, where it fits the panel; else the figure's notes and the table beside it say why
                label = f"{_value_text(held[0])}: not plotted"
                full = f"{label} ({held[1]})"
                fits = _text_width(full, FONT_SIZE - 1.5) <= profile.panel_width
                ax.text(0.02, row.y, full if profile.full_labels and fits else label + ("" if profile.full_labels else "*"),
                        transform=ax.get_yaxis_transform(), va="center", ha="left", fontsize=FONT_SIZE - 1.5, fontstyle="italic", color=MUTED)
                continue
            value = row.entry.headline(measure)
            if value is None:
                continue
            if _survival_status(value) is not None:
                ax.text(0.02, row.y, f"{_value_text(value)}: not plotted", transform=ax.get_yaxis_transform(), va="center", ha="left",
                        fontsize=FONT_SIZE - 1.5, fontstyle="italic", color=MUTED)
                continue
            assert value.value is not None
            right = value.value
            if value.ci_low is not None and value.ci_high is not None:
                _add_line(ax, [value.ci_low, value.ci_high], [row.y, row.y], color=colour, linewidth=1.3, solid_capstyle="butt", zorder=2)
                _add_line(ax, [value.ci_low, value.ci_high], [row.y, row.y], linestyle="none", marker="|", markersize=6, color=colour, zorder=2)
                right = max(right, value.ci_high)
            _add_line(ax, [value.value], [row.y], marker="s", markersize=5, color=colour, markeredgecolor="white", markeredgewidth=0.5,
                      linestyle="none", zorder=3)
            label = _forest_label(value) + row.entry.caveat(measure) if profile.full_labels else \
                _stated(value.value, value) + ("*" if row.entry.caveat(measure) else "")
            _annotate(ax, right, row.y, label, within_limits=True)  # values are >= 0 and the axis ends past the largest
            highs.append(right)
        ax.set_xlim(0, _nice_limit(max(highs)))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4 if narrow else 5))
        ax.set_title(_SURVIVAL_TITLES[measure], loc="left", fontsize=FONT_SIZE + 0.5, pad=4, y=1.0)
        ax.set_xlabel("Months (as reported)")
    _figure_notes(fig, notes)
    return fig


def _range_words(points: list[tuple[float, str]], what: str) -> str:
    """ "3 arms have X, from <lowest> to <highest>." in words, for the alt text."""
    if len(points) == 1:
        return f"1 arm has {what}: {points[0][1]}."
    return f"{len(points)} arms have {what}, from {points[0][1]} to {points[-1][1]}."


def _survival_cell(entry: _ArmEntry, measure: Measure) -> str:
    held = entry.apart_value(measure)
    if held is not None:
        return _cell_text(held[0]) + f" (not plotted: {held[1]})"
    value = entry.headline(measure)
    if value is None:
        return ""
    status = _survival_status(value)
    return _cell_text(value) + entry.caveat(measure) + (f" (not plotted: {status})" if status else "")


# --------------------------------------------------------------------------- 2. ORR with its interval


@dataclass(frozen=True)
class _Interval:
    low: float  # percent
    high: float
    computed: bool
    text: str  # as printed in the figure and the table


def _orr_interval(value: ReportedValue) -> _Interval | None:
    """The source's CI if it gives one; else the exact interval from the stated counts; else none."""
    if value.ci_low is not None and value.ci_high is not None:
        ci = _ci_text(value)
        assert ci is not None
        return _Interval(value.ci_low, value.ci_high, False, f"{ci} (reported)")
    interval = exact_interval(value)
    if interval is not None:
        return _Interval(interval.low_percent, interval.high_percent, True,
                         f"95% CI {format_computed_percent(interval.low)} to {format_computed_percent(interval.high)} "
                         f"(computed here: exact Clopper–Pearson from {interval.successes}/{interval.trials})")
    return None


def _orr_counts(value: ReportedValue) -> str:
    return f"{value.numerator}/{value.denominator}" if value.numerator is not None and value.denominator is not None else ""


def _orr_unplotted(value: ReportedValue) -> str | None:
    """Why an ORR is listed and not plotted; None when it is plotted."""
    if value.value is None:
        return "no number stated"
    return None if value.unit == "%" else f"unit {value.unit or 'not stated'}, not a percentage"


def _orr_figure(entries: Sequence[_ArmEntry], path: str, url_for: UrlFor, cache: FigureCache | None) -> Figure | None:
    entries = [entry for entry in entries if entry.headline(Measure.orr) is not None or entry.apart_value(Measure.orr) is not None]
    if not entries:
        return None
    table: list[FigureRow] = []
    described: list[tuple[float, str]] = []
    listed: list[str] = []
    with_interval: list[str] = []
    kinds: set[bool] = set()
    partial = False
    for entry in entries:
        name = f"{entry.study_name}, {entry.arm_label}"
        held = entry.apart_value(Measure.orr)
        if held is not None:
            listed.append(f"{name}: {held[0].as_reported} ({held[1]})")
            table.append(FigureRow((SETTING_LABELS[entry.setting], entry.study_name, entry.arm_label, _value_text(held[0]), _orr_counts(held[0]),
                                    "", f"not plotted: {held[1]}"), "studies", entry.study_id))
            continue
        value = entry.headline(Measure.orr)
        assert value is not None
        partial = partial or value.measure is Measure.pr
        why = _orr_unplotted(value)
        interval = _orr_interval(value) if why is None else None
        caveat = entry.caveat(Measure.orr)
        if why is not None:
            listed.append(f"{name}: {value.as_reported} ({why})")
            status = f"not plotted: {why}"
        else:
            assert value.value is not None
            if interval is not None:
                kinds.add(interval.computed)
                with_interval.append(f"{name}: {_value_text(value)}{caveat}, {interval.text}")
            described.append((value.value, f"{name} ({_value_text(value)}{caveat})"))
            status = "plotted" + (f", marked{caveat}" if caveat else "")
        table.append(FigureRow((SETTING_LABELS[entry.setting], entry.study_name, entry.arm_label, _value_text(value) + caveat, _orr_counts(value),
                                interval.text if interval else "", status), "studies", entry.study_id))

    title = "Objective response rate by study arm"
    described.sort(key=lambda item: item[0])
    finding = _range_words(described, "an ORR as a percentage") if described else ""
    interval_words = []
    if False in kinds:
        interval_words.append("a solid line is the confidence interval the source reports")
    if True in kinds:
        interval_words.append("a dashed line is an exact 95% interval computed here from the stated responders and patients")
    alt = (f"Dot chart of the objective response rate (ORR) per study arm on a 0 to 100% axis, grouped by line of therapy "
           f"({', '.join(_setting_headers(entries))}). {finding}"
           + (" An open circle marks an arm whose source states partial responses only, shown as stated." if partial else "")
           + (" Where shown, " + "; ".join(interval_words) + "; other arms have no interval." if interval_words else " No arm has an interval.")
           + (" Intervals: " + "; ".join(with_interval) + "." if with_interval else "")
           + (" Listed but not plotted: " + "; ".join(listed) + "." if listed else ""))
    notes = ("Interval: the source's confidence interval where reported; otherwise an exact (Clopper–Pearson) 95% interval computed here "
             "from the stated numbers of responders and patients; none where neither is given.",
             *(("An open circle: the source states partial responses only (no ORR, no complete responses); they are shown as stated, "
                "never as a derived rate.",) if partial else ()))
    links = _study_links(entries, url_for)
    svg = _svg(path, title, alt, (tuple(entries), False), links, _draw_orr, cache)
    narrow = _svg(narrow_path(path), title, alt, (tuple(entries), True), links, _draw_orr, cache)
    return Figure(path, svg, title, alt, ("Setting", "Study", "Arm", "ORR", "Responders/patients", "Interval", "In the figure"), tuple(table), notes,
                  narrow)


def _draw_orr(inputs: tuple[tuple[_ArmEntry, ...], bool], url_for: UrlFor) -> MplFigure:
    return _fitting(_draw_orr_as, inputs[0], inputs[1], url_for)


def _draw_orr_as(entries: tuple[_ArmEntry, ...], profile: _Profile, url_for: UrlFor) -> MplFigure:
    narrow = profile.narrow
    layout = _layout_rows(entries, profile)
    values = [entry.headline(Measure.orr) for entry in entries]
    # One legend line per kind of mark actually drawn; reserve room for exactly those lines.
    intervals = [_orr_interval(v) for v in values if v is not None and _orr_unplotted(v) is None]
    kinds = {interval.computed for interval in intervals if interval is not None}
    partial = any(v is not None and v.measure is Measure.pr for v in values)
    legend_lines = 1 + len(kinds) * (2 if narrow else 1) + partial
    marked = [] if profile.full_labels else _notes_lines(_marked_below(entries, [Measure.orr]).strip("\n"), profile)
    fig, label_axes, panels = _row_figure([layout], 1, dataclasses.replace(profile, panel_width=profile.panel_width * (1.0 if narrow else 1.9)),
                                          extra_bottom=0.12 + (0.3 if narrow else 0.18) * legend_lines + _NOTE_LINE_INCHES * len(marked))
    ax = panels[0]
    _label_panel(label_axes[0], layout, url_for)
    _stripes([label_axes[0], ax], layout)
    for row in _value_rows(layout):
        held = row.entry.apart_value(Measure.orr)
        if held is not None:
            ax.text(0.01, row.y, f"{held[0].as_reported}: not plotted" + (f" ({held[1]})" if profile.full_labels else "*"),
                    transform=ax.get_yaxis_transform(), va="center", ha="left", fontsize=FONT_SIZE - 1.5, fontstyle="italic", color=MUTED)
            continue
        value = row.entry.headline(Measure.orr)
        if value is None:
            continue
        why = _orr_unplotted(value)
        if why is not None:
            ax.text(0.01, row.y, f"{value.as_reported}: not plotted" + (f" ({why})" if profile.full_labels else ""),
                    transform=ax.get_yaxis_transform(), va="center", ha="left", fontsize=FONT_SIZE - 1.5, fontstyle="italic", color=MUTED)
            continue
        assert value.value is not None
        right = value.value
        interval = _orr_interval(value)
        if interval is not None:
            # Computed intervals differ from reported ones in colour and dash, so neither cue is needed alone.
            colour, dashes = (VERMILLION, (0, (2.5, 1.5))) if interval.computed else (INK, (0, ()))
            _add_line(ax, [interval.low, interval.high], [row.y, row.y], linewidth=1.3, zorder=2, color=colour, linestyle=dashes)
            _add_line(ax, [interval.low, interval.high], [row.y, row.y], linestyle="none", marker="|", markersize=6, color=colour, zorder=2)
            right = max(right, interval.high)
        # Partial responses only: an open circle (the shape, not only the words, says it is not an ORR).
        hollow = value.measure is Measure.pr
        _add_line(ax, [value.value], [row.y], marker="o", markersize=5, color=BLUE, markerfacecolor="white" if hollow else BLUE,
                  markeredgecolor=BLUE if hollow else "white", markeredgewidth=1.0 if hollow else 0.5, linestyle="none", zorder=3)
        counts = _orr_counts(value)
        if profile.full_labels:
            _annotate(ax, right, row.y, _value_text(value) + (f" ({counts})" if counts else "") + row.entry.caveat(Measure.orr),
                      within_limits=0 <= right <= 100)
        else:
            _annotate(ax, right, row.y, _value_text(value) + ("*" if row.entry.caveat(Measure.orr) else ""), within_limits=0 <= right <= 100)
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 25, 50, 75, 100] if narrow else [0, 20, 40, 60, 80, 100])
    ax.set_xlabel("ORR, % (as reported)" if narrow else "Objective response rate, % (as reported)")
    ax.set_title("ORR" if narrow else "Objective response rate", loc="left", fontsize=FONT_SIZE + 0.5, pad=4)
    handles: list[Any] = [Line2D([], [], marker="o", markersize=5, color=BLUE, linestyle="none", label="ORR as reported")]
    if partial:
        handles.append(Line2D([], [], marker="o", markersize=5, color=BLUE, markerfacecolor="white", linestyle="none",
                              label="Partial responses only, as reported"))
    if False in kinds:
        handles.append(Line2D([], [], color=INK, linewidth=1.3,
                              label="Confidence interval reported\nby the source" if narrow else "Confidence interval reported by the source"))
    if True in kinds:
        label = "Exact 95% CI computed here from\nthe stated counts (Clopper–Pearson)" if narrow else \
            "Exact 95% CI computed here from the stated counts (Clopper–Pearson)"
        handles.append(Line2D([], [], color=VERMILLION, linewidth=1.3, linestyle=(0, (2.5, 1.5)), label=label))
    fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, (_NOTE_LINE_INCHES * len(marked) + 0.05 * bool(marked)) / fig.get_size_inches()[1]),
               ncol=1, handlelength=2.2, borderaxespad=0)
    if marked:
        _figure_notes(fig, marked)
    return fig


# --------------------------------------------------------------------------- 3. evidence map


@dataclass
class EvidenceCell:
    studies: dict[str, RecordRef] = field(default_factory=dict)
    cases: dict[str, RecordRef] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.studies) + len(self.cases)


def evidence_cells(corpus: Corpus) -> dict[tuple[DrugClass, Setting], EvidenceCell]:
    """Drug class × setting → the studies and cases in it.

    Rule: a record counts once in every class of every regimen it uses (a combination
    counts in each class it contains). A study's arm is placed by the arm's setting (else
    the study's); a case by its own setting, for the systemic regimens after its first systemic line (the
    treatment its setting describes; procedures and first-line therapy are not counted).
    """
    cells: dict[tuple[DrugClass, Setting], EvidenceCell] = {}
    for study in corpus.studies.values():
        for arm in study.arms:
            for drug in corpus.regimens[arm.regimen].drugs:
                cell = cells.setdefault((drug.drug_class, arm.setting or study.setting), EvidenceCell())
                cell.studies[study.id] = RecordRef("studies", study.id, study.short_name)
    for case in corpus.cases.values():
        for regimen in _regimens_after_first_line(corpus, case):
            for drug in regimen.drugs:
                cell = cells.setdefault((drug.drug_class, case.setting), EvidenceCell())
                cell.cases[case.id] = RecordRef("cases", case.id, case.short_name)
    return cells


def _luminance(rgba: tuple[float, float, float, float]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else float(((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * channel(rgba[0]) + 0.7152 * channel(rgba[1]) + 0.0722 * channel(rgba[2])


def _readable_on(rgba: tuple[float, float, float, float]) -> str:
    """White or ink, whichever contrasts more with the cell (WCAG contrast ratio)."""
    lum = _luminance(rgba)
    ink = _luminance(mpl.colors.to_rgba(INK))
    return "white" if (1.05 / (lum + 0.05)) > ((lum + 0.05) / (ink + 0.05)) else INK


def _regimens_after_first_line(corpus: Corpus, case: CaseRecord) -> list[RegimenRecord]:
    """The systemic regimens a case received after its first line (by line number where stated, else after its first systemic line)."""
    lines = [line for line in case.timeline if line.kind == "systemic" and line.regimen]
    if any(line.line_of_therapy is not None for line in lines):
        # where the report lets the lines be numbered, "after first line" means line 2 onwards
        later = [line.regimen for line in lines if line.line_of_therapy is not None and line.line_of_therapy >= 2]
    else:
        later = [line.regimen for line in lines[1:]]
    return [corpus.regimens[rid] for rid in dict.fromkeys(later) if rid is not None]


def _count_words(studies: int, cases: int) -> str:
    parts = []
    if studies:
        parts.append(f"{studies} {'study' if studies == 1 else 'studies'}")
    if cases:
        parts.append(f"{cases} {'case' if cases == 1 else 'cases'}")
    return ", ".join(parts)


_Cells = dict[tuple[DrugClass, Setting], EvidenceCell]


def _cell_axes(cells: _Cells) -> tuple[list[DrugClass], list[Setting]]:
    """The map's rows and columns: the classes and settings that have a record, in their declared order."""
    return [c for c in DrugClass if any(key[0] is c for key in cells)], [s for s in Setting if any(key[1] is s for key in cells)]


def _draw_evidence_map(inputs: tuple[_Cells, bool], url_for: UrlFor) -> MplFigure:
    """The heat map. Narrow (phones): columns are numbered, with the settings named under the map, and each cell gives
    "studies · case reports" as two numbers."""
    cells, narrow = inputs
    classes, settings = _cell_axes(cells)
    peak = max(cell.total for cell in cells.values())
    row_labels = ["\n".join(_wrap(DRUG_CLASS_LABELS[c], 17 if narrow else 26)) for c in classes]
    label_width = max(_text_width(line) for label in row_labels for line in label.split("\n")) + 0.12
    col_width = 0.4 if narrow else 0.82
    row_height = 0.42 if narrow else 0.4
    head = 0.3 if narrow else 0.62  # the column headers above the columns
    key = [f"{index}: {SETTING_LABELS[setting]}" for index, setting in enumerate(settings, start=1)] if narrow else []
    explain = _wrap("Each cell: studies · case reports using a regimen with a drug of that class, in that setting; darker cells hold more "
                    "records. A combination counts in each class it contains.", 52 if narrow else 100)
    foot = _NOTE_LINE_INCHES * (len(key) + len(explain)) + 0.15
    width = label_width + col_width * len(settings) + 0.1
    height = row_height * len(classes) + head + foot
    fig = MplFigure(figsize=(width, height), dpi=_SVG_DPI)
    ax = fig.add_axes((label_width / width, foot / height, col_width * len(settings) / width, row_height * len(classes) / height))
    ax.set_xlim(0, len(settings))
    ax.set_ylim(len(classes), 0)
    ax.set_axis_off()  # labels are plain text: tick machinery is the slowest part of a heat map this size
    cmap = mpl.colormaps["Blues"]
    for i, drug_class in enumerate(classes):
        ax.text(-0.08, i + 0.5, row_labels[i], ha="right", va="center", linespacing=1.1)
        for j, setting in enumerate(settings):
            cell = cells.get((drug_class, setting))
            if cell is None:
                ax.add_patch(Rectangle((j, i), 1, 1, facecolor="white", edgecolor="#e3e3e3", linewidth=0.6))
                ax.text(j + 0.5, i + 0.5, "–", ha="center", va="center", color="#8c8c8c")
                continue
            colour = cmap(0.08 + 0.52 * cell.total / peak)  # stays light enough for dark text (contrast over 5:1)
            url = url_for(EVIDENCE_MAP_KIND, evidence_anchor(drug_class, setting))
            patch = Rectangle((j, i), 1, 1, facecolor=colour, edgecolor="white", linewidth=1.5)
            _link(patch, url)
            ax.add_patch(patch)
            if narrow:
                text = f"{len(cell.studies)} · {len(cell.cases)}"
            else:
                text = "\n".join(part for part in (_count_words(len(cell.studies), 0), _count_words(0, len(cell.cases))) if part)
            _link(ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", color=_readable_on(colour), fontsize=FONT_SIZE - 1,
                          linespacing=1.2), url)
    for j, setting in enumerate(settings):
        header = str(j + 1) if narrow else "\n".join(_wrap(SETTING_LABELS[setting], 13))
        ax.text(j + 0.5, -0.15, header, ha="center", va="bottom", fontweight="bold", fontsize=FONT_SIZE - 1, linespacing=1.15)
    fig.text(0.0, 0.0, "\n".join(key + explain), ha="left", va="bottom", fontsize=FONT_SIZE - 1.5, color=MUTED, linespacing=1.3)
    return fig


def _evidence_map_figure(corpus: Corpus, url_for: UrlFor, cache: FigureCache | None) -> Figure | None:
    cells = evidence_cells(corpus)
    if not cells:
        return None
    classes, settings = _cell_axes(cells)
    row_labels = [DRUG_CLASS_LABELS[c] for c in classes]
    rows = []
    for drug_class in classes:
        for setting in settings:
            found = cells.get((drug_class, setting))
            if found is None:
                continue
            records = tuple(sorted(found.studies.values(), key=lambda r: r.label.lower())) + tuple(
                sorted(found.cases.values(), key=lambda r: r.label.lower()))
            rows.append(FigureRow((DRUG_CLASS_LABELS[drug_class], SETTING_LABELS[setting], str(len(found.studies)), str(len(found.cases))),
                                  anchor=evidence_anchor(drug_class, setting), records=records))
    ranked = sorted(cells.items(), key=lambda item: (-item[1].total, list(DrugClass).index(item[0][0]), list(Setting).index(item[0][1])))
    top = "; ".join(f"{DRUG_CLASS_LABELS[c]}, {SETTING_LABELS[s].lower()}: {_count_words(len(cell.studies), len(cell.cases))}"
                    for (c, s), cell in ranked[:3])
    title = "Evidence map: drug class by line of therapy"
    alt = (f"Heat map of the number of studies and case reports for each drug class (rows: {', '.join(row_labels)}) and line of therapy "
           f"(columns: {', '.join(SETTING_LABELS[s] for s in settings)}). Each cell gives the number of studies and case reports; "
           f"darker cells hold more records and empty cells show a dash. The fullest cells are {top}. "
           f"{len(cells)} of {len(classes) * len(settings)} cells {'holds' if len(cells) == 1 else 'hold'} at least one record.")
    notes = ("A record counts once in every drug class of every regimen it uses, so a combination appears under each of its classes. "
             "Study arms are placed by their own setting where they have one; a case by its setting, for every regimen in its timeline.",
             "Studies without treatment arms (reviews, preclinical work) are not counted.")
    links = _LinkTargets(url_for, ((EVIDENCE_MAP_KIND, evidence_anchor(drug_class, setting)) for drug_class, setting in cells))
    svg = _svg(EVIDENCE_MAP_PATH, title, alt, (cells, False), links, _draw_evidence_map, cache)
    narrow = _svg(narrow_path(EVIDENCE_MAP_PATH), title, alt, (cells, True), links, _draw_evidence_map, cache)
    return Figure(EVIDENCE_MAP_PATH, svg, title, alt, ("Drug class", "Setting", "Studies", "Cases"), tuple(rows), notes, narrow)


# --------------------------------------------------------------------------- 4. case timelines


@dataclass(frozen=True)
class Placed:
    """Where a partial date goes on the time axis: a point, or for a year-only date the whole year."""

    first: dt.date  # earliest day the date allows (where a day or month date is placed)
    last: dt.date  # latest day it allows; equals ``first`` unless the date gives only a year
    text: str

    @property
    def year_only(self) -> bool:
        return self.first != self.last


def place_date(text: str | None) -> Placed | None:
    """``2021-06-25`` → that day; ``2021-06`` → 1 June 2021; ``2021`` → 1 Jan to 31 Dec 2021."""
    if text is None:
        return None
    parts = [int(part) for part in text.split("-")]
    if len(parts) == 1:
        return Placed(dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31), text)
    day = dt.date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)
    return Placed(day, day, text)


_EPOCH = dt.date(1970, 1, 1)


def day_number(day: dt.date) -> float:
    """Days since 1970-01-01: the time axis is plain numbers, ticked and labelled here (no date converter involved)."""
    return float((day - _EPOCH).days)


_KIND_LABELS = {
    "diagnosis": "Diagnosis", "surgery": "Surgery", "radiotherapy": "Radiotherapy", "tace": "TACE", "haic": "HAIC",
    "imaging": "Imaging", "other": "Other events",
}
_KIND_STYLE: dict[str, tuple[str, str]] = {  # marker, colour
    "diagnosis": ("*", INK), "surgery": ("P", VERMILLION), "radiotherapy": ("s", GREEN), "tace": ("^", ORANGE),
    "haic": ("D", PURPLE), "imaging": ("d", "#4d4d4d"), "other": ("o", SKY),
}
_RESPONSE_WORDS = {Response.cr: "complete response", Response.pr: "partial response", Response.sd: "stable disease",
                   Response.pd: "progressive disease", Response.not_evaluated: "not evaluated"}


@dataclass
class _Lane:
    label: str
    url: str | None
    lines: list[TreatmentLine]


def _lanes(regimens: Mapping[str, RegimenRecord], case: CaseRecord, url_for: UrlFor) -> list[_Lane]:
    """Diagnosis, then one lane per systemic line (so the sequence reads as a staircase), then one lane per kind of other event."""
    systemic: list[_Lane] = []
    by_kind: dict[str, _Lane] = {}
    for line in case.timeline:
        if line.kind == "systemic":
            regimen = regimens.get(line.regimen or "")
            name = regimen.name if regimen else line.label
            if line.line_of_therapy is not None:
                name += f" (line\u00a0{line.line_of_therapy})"  # no-break space: never wrap "line" from its number
            systemic.append(_Lane(name, url_for("regimens", line.regimen) if line.regimen else None, [line]))
        else:
            by_kind.setdefault(line.kind, _Lane(_KIND_LABELS[line.kind], None, [])).lines.append(line)
    for lane in by_kind.values():
        used = {line.regimen for line in lane.lines if line.regimen}
        if len(used) == 1 and all(line.regimen for line in lane.lines):
            lane.url = url_for("regimens", next(iter(used)))
    head = [by_kind.pop("diagnosis")] if "diagnosis" in by_kind else []
    tail = [by_kind.pop(kind) for kind in ("imaging", "other") if kind in by_kind]
    return head + systemic + list(by_kind.values()) + tail


def _ongoing(case: CaseRecord, line: TreatmentLine) -> bool:
    """An open-ended systemic line runs on to the last follow-up only if it is the last systemic line and no stop is recorded."""
    systemic = [item for item in case.timeline if item.kind == "systemic"]
    return line.kind == "systemic" and line.end is None and line.stop_reason is None and bool(systemic) and systemic[-1] is line


def _numeric_readings(case: CaseRecord) -> dict[str, list[tuple[MarkerReading, Placed]]]:
    """Marker name → its readings with a number and a date, in date order; one panel each."""
    series: dict[str, list[tuple[MarkerReading, Placed]]] = {}
    for reading in case.markers:
        placed = place_date(reading.date)
        if reading.value is not None and placed is not None and not placed.year_only:
            series.setdefault(reading.marker, []).append((reading, placed))
    for readings in series.values():
        readings.sort(key=lambda item: item[1].first)
    return series


_REFERENCE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*[-–]\s*([0-9]+(?:\.[0-9]+)?)\s*(.*?)\s*$")


def _reference_band(reading: MarkerReading) -> tuple[float, float] | None:
    """The stated reference range when it reads "low-high unit" in the reading's own unit."""
    match = _REFERENCE.match(reading.reference_range or "")
    if match is None or (match.group(3) and (reading.unit or "").lower() != match.group(3).lower()):
        return None
    return float(match.group(1)), float(match.group(2))


def _month_after(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


def case_dates(case: CaseRecord) -> CaseDates:
    """Every step of the case placed on the calendar (see generator/case_dates.py)."""
    return place_dates(case.timeline, case.follow_up)


def case_time_span(case: CaseRecord) -> tuple[dt.date, dt.date]:
    """First and last day the case's dates allow: every placed step, dated reading and the last follow-up."""
    days: list[dt.date] = []
    span = case_dates(case).span()
    if span is not None:
        days += list(span)
    for readings in _numeric_readings(case).values():
        days += [placed.first for _, placed in readings]
    if not days:
        raise ValueError(f"case {case.id} has no dated entry")
    return min(days), max(days)


_HOW_NOTES = {How.stated_month: "known only to the month", How.stated_year: "known only to the year",
              How.relative: "placed from a relative date", How.inferred: "inferred by the curators"}


def _placement_note(label: str, placed: PlacedDate) -> str | None:
    """How a start or end was drawn, for the table beside the figure; None for a date stated to the day."""
    note = _HOW_NOTES.get(placed.how)
    if note is None:
        return None
    if placed.how is How.relative:
        note += f" ({placed.span_words})"
    return f"{label} {note}"


def _line_status(case: CaseRecord, step: PlacedStep, follow_up: PlacedDate | None) -> str:
    line = step.line
    if step.start is None:
        as_worded = f" (as reported: {line.start_as_reported})" if line.start_as_reported else ""
        return f"not drawn: no start date{as_worded}"
    notes = [note for note in (_placement_note("start", step.start), _placement_note("end", step.end) if step.end else None) if note]
    if step.end is None and line.kind == "systemic":
        if _ongoing(case, line):
            if follow_up is None:
                notes.append("continuing at the last follow-up (date not stated)")
            else:
                notes.append("continuing to the last follow-up" + (", and beyond it" if follow_up.open else ""))
        else:
            notes.append("end not stated")
    return "drawn" + (f"; {'; '.join(notes)}" if notes else "")


@dataclass(frozen=True)
class _CaseInputs:
    """What a case's timeline is drawn from: the case and the regimens its timeline names (their names label lanes)."""

    case: CaseRecord
    regimens: dict[str, RegimenRecord]

    @classmethod
    def of(cls, corpus: Corpus, case: CaseRecord) -> _CaseInputs:
        return cls(case, {rid: corpus.regimens[rid] for rid in _timeline_regimens(case) if rid in corpus.regimens})


def _timeline_regimens(case: CaseRecord) -> list[str]:
    """Ids of the regimens the case's timeline names, in order of first mention."""
    return list(dict.fromkeys(line.regimen for line in case.timeline if line.regimen))


def draw_case_timeline(corpus: Corpus, case: CaseRecord, url_for: UrlFor, narrow: bool = False) -> MplFigure | None:
    """The swimmer plot and marker panels of one case, sharing the calendar axis; None if nothing is dated.

    Public for inspection (the tests read its axes); ``build_figures`` is how to get the SVG.
    """
    if not _has_dates(case):
        return None
    with _style():
        return _draw_case_timeline((_CaseInputs.of(corpus, case), narrow), url_for)


def _has_dates(case: CaseRecord) -> bool:
    try:
        case_time_span(case)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class _TimelineProfile:
    """Wide: lane names in a column left of the lanes. Narrow (phones): each lane's name on its own line above its marks."""

    narrow: bool
    width: float  # inches of drawn content; with the crop margin within WIDE_MAX_PX or NARROW_MAX_PX
    label_wrap: int
    unit_inches: float  # height of one lane's marks
    max_ticks: int
    legend_columns: int
    title_wrap: int


_TIMELINE_WIDE = _TimelineProfile(False, 6.55, 26, 0.34, 10, 2, 90)
_TIMELINE_NARROW = _TimelineProfile(True, 3.35, 46, 0.3, 6, 1, 44)
_LABEL_LINE = 0.5  # height of a lane-name line above the marks (narrow), in lane units


@dataclass(frozen=True)
class _LanePlace:
    mark_y: float  # where the lane's marks sit
    top: float
    bottom: float


def _lane_places(labels: Sequence[list[str]], narrow: bool) -> list[_LanePlace]:
    places: list[_LanePlace] = []
    top = 0.0
    for lines in labels:
        above = _LABEL_LINE * len(lines) if narrow else 0.0
        height = 1.0 if narrow else max(1.0, 0.42 * len(lines) + 0.2)  # wide: a name of three lines needs more than the marks
        places.append(_LanePlace(top + above + height / 2, top, top + above + height))
        top += above + height
    return places


def _draw_case_timeline(inputs: tuple[_CaseInputs, bool], url_for: UrlFor) -> MplFigure:
    case_inputs, narrow = inputs
    profile = _TIMELINE_NARROW if narrow else _TIMELINE_WIDE
    case = case_inputs.case
    dates = case_dates(case)
    first, last = case_time_span(case)
    lanes = _lanes(case_inputs.regimens, case, url_for)
    series = _numeric_readings(case)
    follow_up = dates.follow_up
    placed = {id(step.line): step for step in dates.steps}
    lane_labels = [_wrap(lane.label, profile.label_wrap) for lane in lanes]
    places = _lane_places(lane_labels, narrow)
    label_font = FONT_SIZE - 1 if narrow else FONT_SIZE
    # Narrow: room for the marker panels' value ticks only, as lane names sit above their lanes.
    label_width = 0.42 if narrow else max(_text_width(line) for lines in lane_labels for line in lines) + 0.15
    right_pad = 0.05
    width = profile.width
    lanes_units = places[-1].bottom if places else 1.0
    swim_height = profile.unit_inches * lanes_units + 0.1
    panel_height = 0.9
    titles = {marker: _panel_title(readings, profile) for marker, readings in series.items()}
    heights = [swim_height] + [panel_height] * len(series)
    legend_keys = _timeline_legend_keys(case, dates)
    legend_columns = _legend_columns(legend_keys, profile)
    legend_rows = math.ceil(len(legend_keys) / legend_columns)
    follow_up_lines = _follow_up_label(follow_up, profile)
    top_pad = 0.25 + 0.14 * len(follow_up_lines)
    bottom_pad = 0.55 + 0.2 * legend_rows + 0.1
    gaps = [0.5 + 0.14 * titles[marker].count("\n") for marker in series]
    height = sum(heights) + top_pad + bottom_pad + sum(gaps)
    fig = MplFigure(figsize=(width, height), dpi=_SVG_DPI)
    left_frac, right_frac = label_width / width, 1 - right_pad / width
    ax = fig.add_axes((left_frac, 1 - (top_pad + swim_height) / height, right_frac - left_frac, swim_height / height))
    left = day_number(_month_after(first, -1))
    right = day_number(_month_after(last, 4))  # room for the response labels and the open ends
    ax.set_xlim(left, right)
    ax.set_ylim(lanes_units + 0.05, -0.05)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    used: set[str] = set()
    day_width = (right - left) / ((right_frac - left_frac) * width * 72)  # days per point

    for index, (lane, lines, place) in enumerate(zip(lanes, lane_labels, places, strict=True)):
        if index % 2 == 0:
            ax.axhspan(place.top, place.bottom, color=STRIPE, zorder=0, linewidth=0)
        if narrow:
            # From the figure's left edge (over the panels' tick column), above the lane's marks.
            text = ax.text(-label_width / ((right_frac - left_frac) * width), place.top + 0.08, "\n".join(lines), transform=ax.get_yaxis_transform(),
                           ha="left", va="top", linespacing=1.15, fontsize=label_font, fontweight="bold")
        else:
            text = ax.text(-0.015, place.mark_y, "\n".join(lines), transform=ax.get_yaxis_transform(), ha="right", va="center", linespacing=1.2)
        _link(text, lane.url)
        for line in lane.lines:
            _draw_step(ax, case, placed[id(line)], place.mark_y, right, follow_up, used, day_width)
        undated = sum(1 for line in lane.lines if placed[id(line)].start is None and line.kind != "systemic")
        if undated:
            # Events without a date share a lane with dated ones: say how many are missing rather than write over the marks.
            ax.text(0.995, place.mark_y, f"+{undated} undated (see table)", transform=ax.get_yaxis_transform(), ha="right", va="center",
                    fontsize=FONT_SIZE - 1.5, color=MUTED, fontstyle="italic")
    if follow_up is not None:
        x = day_number(follow_up.first)
        ax.axvline(x, color=MUTED, linewidth=0.8, linestyle=(0, (1, 2)), zorder=1)
        # Right-aligned on the line when it is in the right half, so the words stay over the lanes.
        align = "right" if x > (left + right) / 2 else "left"
        ax.text(x, -0.1, "\n".join(follow_up_lines), ha=align, va="bottom", fontsize=FONT_SIZE - 1, color=MUTED, linespacing=1.15)

    panels = [ax]
    top = top_pad + swim_height
    for (marker, readings), gap in zip(series.items(), gaps, strict=True):
        top += gap
        panel = fig.add_axes((left_frac, 1 - (top + panel_height) / height, right_frac - left_frac, panel_height / height), sharex=ax)
        top += panel_height
        panels.append(panel)
        _draw_marker_panel(panel, titles[marker], readings)
    ticks, labels = _month_ticks(_month_after(first, -1), _month_after(last, 4), profile.max_ticks)
    ax.set_xticks(ticks, labels)  # shared by every panel
    for panel in panels[1:-1]:
        # Dates under the swimmer lanes and under the last panel; the panels between share them.
        panel.tick_params(axis="x", labelbottom=False)
    ax.set_xlim(left, right)
    panels[-1].set_xlabel("Calendar date", fontsize=FONT_SIZE - 1)

    handles = [make() for key, make in _TIMELINE_LEGEND if key in legend_keys]
    if handles:
        # Under the date axis, from the figure's left edge.
        below = panels[-1].transAxes + ScaledTranslation(-label_width if narrow else 0, -0.5, fig.dpi_scale_trans)
        panels[-1].legend(handles=handles, loc="upper left", bbox_to_anchor=(0, 0), bbox_transform=below, ncol=legend_columns,
                          handlelength=2.0, columnspacing=1.2, borderaxespad=0.0, fontsize=FONT_SIZE - 1.5)
    return fig


def _legend_columns(keys: set[str], profile: _TimelineProfile) -> int:
    """Two columns where two of the longest entries fit side by side in the figure's width, else one."""
    labels = [str(make().get_label()) for key, make in _TIMELINE_LEGEND if key in keys]
    if not labels or profile.legend_columns == 1:
        return 1
    entry = max(_text_width(label, FONT_SIZE - 1.5) for label in labels) + 0.5  # handle and its gap
    return 2 if 2 * entry + 0.2 <= profile.width else 1


def _follow_up_label(follow_up: PlacedDate | None, profile: _TimelineProfile) -> list[str]:
    if follow_up is None:
        return []
    return _wrap(f"Last follow-up: {follow_up.words}", 34 if profile.narrow else 60)


def _panel_title(readings: list[tuple[MarkerReading, Placed]], profile: _TimelineProfile) -> str:
    marker = readings[0][0].marker
    unit = readings[0][0].unit
    units = {reading.unit for reading, _ in readings}
    unit_text = (unit or "") if len(units) == 1 else "mixed units: " + ", ".join(sorted(u or "no unit" for u in units))
    title = f"{marker} ({unit_text})" if unit_text else marker
    if _reference_band(readings[0][0]) is not None:
        title += f"; shaded: reference range {readings[0][0].reference_range}"
    return "\n".join(_wrap(title, profile.title_wrap))


_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _month_ticks(first: dt.date, last: dt.date, max_ticks: int = 10) -> tuple[list[float], list[str]]:
    """Ticks on month starts, every 1, 2, 3, 6 or 12 months; the year under January and under the first tick."""
    months = (last.year - first.year) * 12 + last.month - first.month
    step = next((s for s in (1, 2, 3, 6) if months / s <= max_ticks - 1), 12)
    ticks: list[float] = []
    labels: list[str] = []
    day = dt.date(first.year, first.month, 1)
    while day <= last:
        if (day.month - 1) % step == 0:
            if step == 12:
                labels.append(str(day.year))
            else:
                labels.append(f"{_MONTH_NAMES[day.month - 1]}\n{day.year}" if day.month == 1 or not labels else _MONTH_NAMES[day.month - 1])
            ticks.append(day_number(day))
        day = _month_after(day, 1)
    return ticks, labels


_MIN_WINDOW_POINTS = 5.0  # a relative date placed to the day is still drawn as a visible window


def _window(ax: Axes, placed: PlacedDate, y: float, thickness: float, colour: str, used: set[str], day_width: float,
            until: float | None = None) -> tuple[float, float]:
    """The days a date allows, as a box that is not a bar: hatched for a date known only to the month or year, a dashed outline
    for one placed from a relative date, dotted for one the curators inferred. Returns the box's extent on the axis."""
    x0 = day_number(placed.first)
    x1 = day_number(placed.last) + 1 if placed.last is not None else (until if until is not None else x0 + 30)
    if x1 - x0 < _MIN_WINDOW_POINTS * day_width:
        middle = (x0 + x1) / 2
        x0, x1 = middle - _MIN_WINDOW_POINTS * day_width / 2, middle + _MIN_WINDOW_POINTS * day_width / 2
    if placed.how is How.relative:
        style: dict[str, Any] = {"facecolor": "white", "edgecolor": colour, "linestyle": (0, (2, 1.5)), "linewidth": 1.0, "hatch": None}
        used.add("relative")
    elif placed.how is How.inferred:
        style = {"facecolor": "white", "edgecolor": colour, "linestyle": (0, (0.8, 1.2)), "linewidth": 1.0, "hatch": "...."}
        used.add("inferred")
    else:
        style = {"facecolor": "white", "edgecolor": colour, "linestyle": "solid", "linewidth": 0.7, "hatch": "////"}
        used.add("uncertain")
    ax.add_patch(Rectangle((x0, y - thickness / 2), x1 - x0, thickness, zorder=2, **style))
    if placed.last is None:
        # Open: some time after its first day, with nothing to bound it.
        ax.annotate("", xy=(x1 + 10 * day_width, y), xytext=(x1 - day_width, y), zorder=4,
                    arrowprops={"arrowstyle": "-|>", "color": colour, "linewidth": 1.0, "mutation_scale": 8, "shrinkA": 0, "shrinkB": 0})
    return x0, x1


def _draw_step(ax: Axes, case: CaseRecord, step: PlacedStep, y: float, axis_end: float, follow_up: PlacedDate | None, used: set[str],
               day_width: float) -> None:
    """One timeline entry in its lane: a bar only between known ends, each uncertain end as a box; a mark for an event."""
    line, start, end = step.line, step.start, step.end
    response = f"; best response {line.best_response.value}" if line.best_response else ""
    systemic = line.kind == "systemic"
    if start is None:
        if systemic:
            worded = f"start given only as \u201c{line.start_as_reported}\u201d" if line.start_as_reported else "start date not stated"
            note = f"not drawn: {worded}" + (f"; ended {end.words}" if end else "") + response
            ax.text(0.01, y, note, transform=ax.get_yaxis_transform(), ha="left", va="center", fontsize=FONT_SIZE - 1.5, color=MUTED,
                    fontstyle="italic")
        return
    marker, colour = ("", BLUE) if systemic else _KIND_STYLE.get(line.kind, ("o", SKY))
    thickness = 0.46 if systemic else 0.34
    ongoing = systemic and end is None and _ongoing(case, line)
    stop = end if end is not None else (follow_up if ongoing else None)
    # The solid part runs from the latest day the start allows to the earliest the end allows: never over an uncertainty.
    solid_from = day_number(start.last) + (0 if start.exact else 1) if start.last is not None else None
    solid_to = day_number(stop.first) if stop is not None else None
    bar = solid_from is not None and solid_to is not None and solid_to > solid_from
    start_box = None if start.exact and start.how is How.stated else _window(ax, start, y, thickness, colour, used, day_width,
                                                                              until=solid_to if solid_to is not None else None)
    x_text = start_box[1] if start_box else day_number(start.first)
    if end is not None and not (end.exact and end.how is How.stated):
        x_text = _window(ax, end, y, thickness, colour, used, day_width)[1]
    elif end is not None:
        x_text = day_number(end.first)
    if bar and solid_from is not None and solid_to is not None:
        ax.add_patch(Rectangle((solid_from, y - thickness / 2), solid_to - solid_from, thickness, facecolor=colour, edgecolor="none", zorder=3))
        used.add("bar" if systemic else "span")
        x_text = max(x_text, solid_to)
    elif marker and end is None:
        x = (day_number(start.first) + day_number(start.last) + (0 if start.exact else 1)) / 2 if start.last is not None else day_number(start.first)
        hollow = start.how in {How.relative, How.inferred}
        ax.plot([x], [y], marker=marker, markersize=7.5 if marker in "*P" else 5.5, color="white" if hollow else colour,
                markeredgecolor=colour if hollow else INK, markeredgewidth=1.0 if hollow else 0.5, linestyle="none", zorder=4)
    if systemic and end is None:
        if ongoing and follow_up is not None and solid_to is not None:
            tip = solid_to
            if follow_up.open:
                # "More than": the line goes on past the last time stated, with no end implied.
                ax.plot([tip, axis_end - 15], [y, y], color=colour, linewidth=1.3, linestyle=(0, (3, 2)), zorder=3)
                tip = axis_end - 15
                used.add("beyond")
            else:
                used.add("ongoing")
            ax.annotate("", xy=(tip + 12, y), xytext=(tip - 1, y), zorder=4,
                        arrowprops={"arrowstyle": "-|>", "color": colour, "linewidth": 1.3, "mutation_scale": 9, "shrinkA": 0, "shrinkB": 0})
            x_text = tip + 12
        elif ongoing:
            # No follow-up date: an open, dashed end to the edge of the axis, so no duration is implied.
            begin = x_text
            tip = axis_end - 12
            ax.plot([begin, tip], [y, y], color=colour, linewidth=1.3, linestyle=(0, (3, 2)), zorder=3)
            ax.annotate("", xy=(tip + 12, y), xytext=(tip - 1, y), zorder=4,
                        arrowprops={"arrowstyle": "-|>", "color": colour, "linewidth": 1.3, "mutation_scale": 9, "shrinkA": 0, "shrinkB": 0})
            used.add("open")
            x_text = tip + 12
        else:
            ax.plot([x_text], [y], marker="|", markersize=10, markeredgewidth=1.8, color=colour, zorder=4)
            ax.text(x_text, y, "  end not stated" + response, ha="left", va="center", fontsize=FONT_SIZE - 1.5, color=MUTED, fontstyle="italic")
            used.add("start-only")
            return
    if line.best_response is not None:
        # Inside the axis: right of the bar unless that would run past the end, then left of where it ends.
        ax.text(x_text, y, f" {line.best_response.value}", ha="left", va="center", fontweight="bold", fontsize=FONT_SIZE - 1, zorder=5,
                clip_on=False)
        used.add("response")


@functools.cache
def _response_marker() -> MarkerStyle:
    """The "PR" mark of the legend, set once: parsing its mathtext takes 9 ms, and a line copies the style it is given.

    Only called while drawing, so always under ``_style()`` (mathtext reads its fonts from the settings).
    """
    return MarkerStyle(r"$\mathbf{PR}$")


_TIMELINE_LEGEND: tuple[tuple[str, Callable[[], Any]], ...] = (  # made only when used: a legend handle costs milliseconds
    ("bar", lambda: Patch(facecolor=BLUE, label="Systemic treatment, between known dates")),
    ("span", lambda: Patch(facecolor=GREEN, label="Procedure over several days")),
    ("uncertain", lambda: Patch(facecolor="white", edgecolor=INK, hatch="////", linewidth=0.7,
                                label="Date known only to the month or year (not a duration)")),
    ("relative", lambda: Patch(facecolor="white", edgecolor=INK, linestyle=(0, (2, 1.5)), linewidth=1.0, label="Placed from a relative date")),
    ("inferred", lambda: Patch(facecolor="white", edgecolor=INK, linestyle=(0, (0.8, 1.2)), hatch="....", linewidth=1.0,
                               label="Date inferred by the curators")),
    ("ongoing", lambda: Line2D([0, 1], [0, 0], color=BLUE, marker=">", markersize=5, markevery=[1], label="Continuing at last follow-up")),
    ("beyond", lambda: Line2D([0, 1], [0, 0], color=BLUE, linestyle=(0, (3, 2)), marker=">", markersize=5, markevery=[1],
                              label="Continuing past the last time stated")),
    ("open", lambda: Line2D([0, 1], [0, 0], color=BLUE, linestyle=(0, (3, 2)), marker=">", markersize=5, markevery=[1],
                            label="Continuing; follow-up date not stated")),
    ("start-only", lambda: Line2D([], [], color=BLUE, marker="|", markersize=10, markeredgewidth=1.8, linestyle="none",
                                  label="Start only; end not stated")),
    ("response", lambda: Line2D([], [], linestyle="none", marker=_response_marker(), markersize=12, color=INK, label="Best response as reported")),
)


def _timeline_legend_keys(case: CaseRecord, dates: CaseDates) -> set[str]:
    """The legend entries a case's figure needs: found by drawing it once without a figure (the marks decide them)."""
    with _style():
        scratch = MplFigure(figsize=(4, 2), dpi=_SVG_DPI)
        ax = scratch.add_subplot()
        ax.set_xlim(0, 100_000)
        used: set[str] = set()
        for step in dates.steps:
            _draw_step(ax, case, step, 0.0, 100_000.0, dates.follow_up, used, 1.0)
        return used


def _draw_marker_panel(ax: Axes, title: str, readings: list[tuple[MarkerReading, Placed]]) -> None:
    xs = [day_number(placed.first) for _, placed in readings]
    ys = [reading.value for reading, _ in readings if reading.value is not None]
    band = _reference_band(readings[0][0])
    ax.plot(xs, ys, color=BLUE, linewidth=1.3, marker="o", markersize=4, markeredgecolor="white", markeredgewidth=0.5, zorder=3)
    for index, ((reading, _), x, y) in enumerate(zip(readings, xs, ys, strict=True)):
        assert reading.value is not None
        # A reading lower than both neighbours takes its label below, off the line.
        below = 0 < index < len(ys) - 1 and ys[index - 1] > y and ys[index + 1] > y
        ax.annotate(_stated(reading.value, reading), (x, y), xytext=(0, -5 if below else 5), textcoords="offset points", ha="center",
                    va="top" if below else "bottom", fontsize=FONT_SIZE - 1.5)
    low, high = min(ys), max(ys)
    if low > 0 and high / low >= 30:
        ax.set_yscale("log")  # a range this wide would flatten the low readings on a linear axis
    if band is not None:
        ax.axhspan(band[0], band[1], color="#e2f0e8", zorder=0, linewidth=0)
    top = max(high, band[1] if band else high)
    if ax.get_yscale() == "linear":
        ax.set_ylim(0, top * 1.35 if top > 0 else 1)
    else:
        ax.set_ylim(low / 2, top * 3)
    ax.set_title(title, loc="left", fontsize=FONT_SIZE - 1, fontweight="bold", pad=3, linespacing=1.15)
    ax.yaxis.set_major_locator(MaxNLocator(3, integer=all(float(v).is_integer() for v in ys)))  # counts get whole-number ticks
    ax.tick_params(axis="y", labelsize=FONT_SIZE - 1.5)
    for side in ("right", "top"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)


def _words(placed: PlacedDate | None) -> str:
    return placed.words if placed is not None else ""


def _case_rows(case: CaseRecord) -> tuple[FigureRow, ...]:
    rows: list[FigureRow] = []
    dates = case_dates(case)
    for step in dates.steps:
        line = step.line
        response = line.best_response.value if line.best_response else ""
        start = _words(step.start) or line.start_as_reported or ""
        rows.append(FigureRow((start, _words(step.end), line.label, _KIND_LABELS.get(line.kind, "Systemic treatment"), response,
                               _line_status(case, step, dates.follow_up)), "regimens" if line.regimen else None, line.regimen))
    series = _numeric_readings(case)
    for reading in case.markers:
        placed = place_date(reading.date)
        if reading.value is None:
            status = "not plotted: no single numeric value recorded"
        elif placed is None:
            status = "not plotted: no date" + (f" (as reported: {reading.date_as_reported})" if reading.date_as_reported else "")
        elif placed.year_only:
            status = "not plotted: date known only to the year"
        else:
            status = "plotted" + ("; placed at the 1st of the month" if len(placed.text) == 7 else "")
            assert reading.marker in series
        unit = f" {reading.unit}" if reading.unit and not reading.as_reported.endswith(reading.unit) else ""
        rows.append(FigureRow((reading.date or reading.date_as_reported or "", "", f"{reading.marker}: {reading.as_reported}{unit}", "Marker", "", status)))
    return tuple(rows)


def _when_words(placed: PlacedDate) -> str:
    """A date in the alt text: as worded, and where a relative one was placed."""
    return f"{placed.words} ({placed.span_words})" if placed.relative else placed.words


def _case_alt(case: CaseRecord) -> str:
    dates = case_dates(case)
    drawn, undrawn = [], []
    for step in dates.steps:
        line = step.line
        if step.start is None:
            undrawn.append(line.label)
            continue
        start_text = _when_words(step.start)
        when = start_text if step.end is None else f"{start_text} to {_when_words(step.end)}"
        if step.end is None and line.kind == "systemic":
            ongoing = "continuing past the last time stated" if dates.follow_up and dates.follow_up.open else "continuing at the last follow-up"
            when = f"from {start_text}, " + (ongoing if _ongoing(case, line) else "end not stated")
        response = f", best response {_RESPONSE_WORDS[line.best_response]}" if line.best_response else ""
        drawn.append(f"{line.label}, {when}{response}")
    parts = [f"Timeline of {case.short_name}: treatment lines as bars between known dates, dates known only to the month or year as "
             "hatched boxes, dates placed from a relative date as dashed boxes, and procedures and imaging as marks on a calendar axis."]
    if drawn:
        parts.append("In order: " + "; ".join(drawn) + ".")
    if dates.follow_up is not None:
        parts.append(f"Last follow-up: {_when_words(dates.follow_up)}.")
    series = _numeric_readings(case)
    for marker, readings in series.items():
        values = ", ".join(f"{_stated(r.value, r)} ({p.text})" for r, p in readings if r.value is not None)
        unit = f" {readings[0][0].unit}" if readings[0][0].unit else ""
        parts.append(f"{marker}{unit and ' in' + unit}: {values}.")
    if series:
        parts.append("Markers are drawn beneath on the same time axis, one panel each.")
    elif case.markers:
        parts.append("No tumour-marker reading has both a number and a date, so no marker panel is drawn.")
    if undrawn:
        parts.append("Not drawn for want of a start date: " + "; ".join(undrawn) + ".")
    return " ".join(parts)


def _case_figure(corpus: Corpus, case: CaseRecord, url_for: UrlFor, cache: FigureCache | None) -> Figure | None:
    if not _has_dates(case):
        return None
    path = case_figure_path(case.id)
    title = f"Treatment timeline and tumour markers: {case.short_name}"
    alt = _case_alt(case)
    notes = ("A bar runs only between known dates. A date known only to the month or year is a hatched box over the days it allows "
             "(an uncertainty, not a duration); a date placed from a relative date (\u201c13 days after the October 2021 scan\u201d) is a "
             "dashed box over the days it may fall on; one the curators inferred is dotted.",
             "Lines without a start date, and marker readings without a number or a date, are listed in the table but not drawn; "
             "marker readings dated to a month are placed at its 1st.")
    inputs = _CaseInputs.of(corpus, case)
    links = _LinkTargets(url_for, (("regimens", rid) for rid in _timeline_regimens(case)))
    svg = _svg(path, title, alt, (inputs, False), links, _draw_case_timeline, cache)
    narrow = _svg(narrow_path(path), title, alt, (inputs, True), links, _draw_case_timeline, cache)
    return Figure(path, svg, title, alt, ("Date or start", "End", "Entry", "Kind", "Best response", "In the figure"), _case_rows(case), notes,
                  narrow)


def iter_links(figure: Figure) -> Iterator[str]:
    """The link targets written in a figure's SVG, in document order."""
    root = ET.fromstring(figure.svg)
    for element in root.iter("{http://www.w3.org/2000/svg}a"):
        href = element.get("{http://www.w3.org/1999/xlink}href")
        if href:
            yield href

