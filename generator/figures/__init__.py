"""Static figures drawn at build time: SVG bytes plus the data table printed beside each figure.

Which figures a review has is the review file's to say (``seeds/review.yaml``, ``generator/review/file.py``); this
package holds no word of any review. Each comparison declares its ``figures``, each of a kind drawn by a module here:

- ``times`` (:func:`times_figure`, ``times.py``): time columns side by side, one row per study arm, forest-style;
- ``proportions`` (:func:`proportions_figure`, ``proportions.py``): one proportion column with its intervals;
- ``forest`` (:func:`effect_forest_figure`, ``forest.py``): the comparison's effect, computed here, one row per comparison; where
  the page pools (``ComparisonSpec.pooling``), squares sized by weight, a weights column and the pooled diamond; of a
  single proportion pooled per arm (``PoolingSpec.proportion``, :func:`proportion_forest_figure`), each arm in percent;

and, for the whole review (:func:`build_figures`):

- the figures the comparison of every arm (``all_arms: true``) declares, of every arm, at ``figures/<name>.svg``
  (``FigureSpec.file_stem``), for the figures page (:func:`all_arms_figure_paths`);
- ``figures/evidence-map.svg`` (``evidence_map.py``): intervention class × setting, the number of studies and cases
  in each cell, unless the review file has ``evidence_map: null``;
- ``figures/cases/<case-id>-timeline.svg`` (``timeline.py``): one swimmer plot per case, with its marker readings.

A comparison page split over several pages draws its figures per page, for the arms (or comparisons) on it.

Rules kept throughout, as for the pages:

- Every number written in a figure or its table is the source's own text (``stated_form``), never rounded. The only
  numbers computed here are exact Clopper–Pearson intervals and a comparison's effect, and they are labelled as
  computed wherever they appear.
- Nothing is converted: a time in another unit than the axis's is listed, not put on the axis.
- Nothing is placed where the record gives no date: undated steps are listed, not drawn.
- Every figure is also a table (``Figure.columns``/``rows``) and a description in words (``Figure.alt``, also the
  SVG's ``<desc>``), so nothing depends on seeing the picture.

Links. Row labels and evidence-map cells carry ``<a>`` links (``Text.set_url``). A link in an SVG resolves against
the URL of the document that holds it: the SVG file itself when the figure is opened directly or embedded with
``<object>``, the page when the SVG is inlined. (Links inside an ``<img>`` never work.) The figure functions
therefore take ``url_for(kind, record_id)`` with ``kind`` one of ``studies``, ``regimens``, ``cases`` or
``evidence-map`` (then ``record_id`` is a cell's anchor, see ``evidence_anchor``). By default each figure gets URLs
relative to its own file in the built site (MkDocs directory URLs: ``studies/<id>.md`` is served at
``studies/<id>/``; evidence-map cells point at anchors on ``compare/figures/``), which is right for ``<object>``
embedding. Pass another ``url_for`` to inline the SVG in a page; ids are prefixed per figure so several inlined
SVGs never clash.

Caching. Pass a ``figure_cache.FigureCache`` to reuse the SVG of a figure whose inputs have not changed since a
previous build (see ``common.py``).

Speed. A figure of 1,000 arms holds tens of thousands of artists, and matplotlib's cost is per artist. Where it
changes no byte of the SVG, drawing takes the cheaper route: one measuring pass instead of two
(``common._save_svg``), the garbage collector paused (``common._collector_paused``), artists added without
data-limit bookkeeping the panels override anyway (``rows.stripes``, ``rows.add_line``, ``rows.annotate``).
"""

from __future__ import annotations

from generator.figures.cache import FigureCache
from generator.figures.common import (
    BLUE,
    EVIDENCE_MAP_KIND,
    FIGURES_PAGE,
    MIN_FONT_SIZE,
    NARROW_MAX_PX,
    WIDE_MAX_PX,
    Figure,
    FigureRow,
    LinkTargets,
    RecordKind,
    RecordRef,
    UrlFor,
    iter_links,
    narrow_path,
    svg_relative_urls,
)
from generator.figures.evidence_map import EVIDENCE_MAP_PATH, EvidenceCell, evidence_anchor, evidence_cells, evidence_map_figure
from generator.figures.forest import effect_forest_figure, proportion_forest_figure
from generator.figures.proportions import draw_proportions, proportions_figure
from generator.figures.rows import ArmEntry, ArmKey, ArmLike, arm_entries
from generator.figures.timeline import (
    Placed,
    case_dates,
    case_figure,
    case_figure_path,
    case_time_span,
    day_number,
    draw_case_timeline,
    place_date,
)
from generator.figures.times import draw_times, times_figure
from generator.publish.progress import Progress, stage
from generator.records.link import Corpus
from generator.review.file import FigureSpec, ReviewFile

__all__ = [
    "BLUE",
    "EVIDENCE_MAP_KIND",
    "EVIDENCE_MAP_PATH",
    "FIGURES_PAGE",
    "MIN_FONT_SIZE",
    "NARROW_MAX_PX",
    "WIDE_MAX_PX",
    "ArmEntry",
    "ArmKey",
    "ArmLike",
    "EvidenceCell",
    "Figure",
    "FigureRow",
    "LinkTargets",
    "Placed",
    "RecordKind",
    "RecordRef",
    "UrlFor",
    "all_arms_figure_paths",
    "arm_entries",
    "build_figures",
    "case_dates",
    "case_figure",
    "case_figure_path",
    "case_time_span",
    "day_number",
    "draw_case_timeline",
    "effect_forest_figure",
    "evidence_anchor",
    "evidence_cells",
    "evidence_map_figure",
    "iter_links",
    "narrow_path",
    "place_date",
    "proportion_forest_figure",
    "proportions_figure",
    "svg_relative_urls",
    "times_figure",
    "whole_review_path",
]


def whole_review_path(spec: FigureSpec) -> str:
    """Where a figure of the comparison of every arm, drawn for every arm, lives: ``figures/<name>.svg``."""
    return f"figures/{spec.file_stem}.svg"


def all_arms_figure_paths(review: ReviewFile) -> list[str]:
    """The paths of the whole-review figures :func:`build_figures` draws for the comparison of every arm, in declared order
    (the figures page shows them; none when no comparison is ``all_arms``)."""
    page = review.all_arms_page
    return [whole_review_path(spec) for spec in page.figures] if page is not None else []


def _whole_review_figure(corpus: Corpus, spec: FigureSpec, url_for: UrlFor, cache: FigureCache | None) -> Figure | None:
    """One declared figure of the comparison of every arm, drawn for the whole review."""
    path = whole_review_path(spec)
    if spec.kind == "times":
        return draw_times(corpus, arm_entries(corpus, spec.columns), spec.columns, path, url_for, cache)
    if spec.kind == "proportions":
        return draw_proportions(corpus, arm_entries(corpus, spec.columns), spec.columns[0], path, url_for, cache)
    # A forest draws comparisons, one row each: those of the page of every arm, with its effect (the review file's
    # validation: a forest needs the comparison's effect).
    from generator.pages import views  # here: the views of every comparison are only needed for this kind

    page = corpus.review.all_arms_page
    assert page is not None
    if page.effect is None:  # a forest of a pooled proportion: drawn on its comparison page, where the pooled estimate is
        return None
    [view] = views.comparison_views(corpus, [page])
    return effect_forest_figure(corpus, view.comparisons, page.effect, path, url_for, cache)


def build_figures(corpus: Corpus, url_for: UrlFor | None = None, progress: Progress | None = None,
                  cache: FigureCache | None = None, arm_figures: bool = True) -> list[Figure]:
    """Every whole-review figure, in a stable order; a figure with nothing to plot is left out.

    The figures the comparison of every arm declares (drawn for every arm; ``arm_figures=False`` leaves them out,
    for a large review that draws them per table page instead), the evidence map, then each case's timeline.

    With ``cache``, a figure whose inputs are unchanged since it was last drawn is read, not redrawn
    (byte for byte the same SVG); afterwards ``cache.prune_unused()`` may drop every other entry.
    """
    def urls(path: str) -> UrlFor:
        return url_for or svg_relative_urls(path)

    page = corpus.review.all_arms_page
    specs = list(page.figures) if arm_figures and page is not None else []
    cases = sorted(corpus.cases.values(), key=lambda c: c.id)
    # with a deferring cache the figures not in it are only planned here: drawn once the pages are written
    drawing = stage(progress, "figures of the other pages", len(specs) + 1 + len(cases),
                    "planned" if cache is not None and cache.defer else "ready")

    def drawn(figure: Figure | None) -> Figure | None:
        drawing.advance()
        return figure

    figures = [drawn(_whole_review_figure(corpus, spec, urls(whole_review_path(spec)), cache)) for spec in specs]
    figures += [drawn(evidence_map_figure(corpus, urls(EVIDENCE_MAP_PATH), cache))]
    figures += [drawn(case_figure(corpus, case, urls(case_figure_path(case.id)), cache)) for case in cases]
    drawing.close()
    return [figure for figure in figures if figure is not None]
