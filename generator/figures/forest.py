"""The ``forest`` figure: the comparison's effect (``ComparisonSpec.effect``), computed here for each comparison, one row each.

Every number drawn is computed here from the two arms' stated counts (``views.computed_effect``), never stated by a
source, and the figure, its description and its table say so. A ratio is drawn on a log scale, with a dashed line at
1; a difference on a linear scale, with the line at 0. A comparison whose effect cannot be computed is listed with why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure as MplFigure
from matplotlib.ticker import MaxNLocator, NullLocator

from generator.derive.effects import MEASURE_LABELS, RATIOS
from generator.figures.cache import FigureCache
from generator.figures.common import (
    FONT_SIZE,
    INK,
    MUTED,
    NARROW_MAX_PX,
    NOTE_LINE_INCHES,
    WIDE_MAX_PX,
    Figure,
    FigureRow,
    UrlFor,
    crop_box,
    lower_first,
    narrow_path,
    svg,
    svg_relative_urls,
    text_width,
    wrap_to,
)
from generator.figures.rows import (
    ArmEntry,
    Profile,
    add_line,
    figure_notes,
    label_panel,
    layout_rows,
    notes_lines,
    row_figure,
    setting_headers,
    stripes,
    study_links,
    value_rows,
)
from generator.pages.views import ComparisonRow
from generator.records.link import Corpus
from generator.review.file import EffectSpec

# Wide: a column of values right of the panel, with their intervals, or where those would not fit WIDE_MAX_PX, the estimates
# only. Narrow (phones): the estimates only. The table beside the figure has every interval.
_WIDE = Profile(False, 20, 26, 2.2, 105)
_WIDE_SHORT = dataclasses.replace(_WIDE, full_labels=False)
_NARROW = Profile(True, 18, 18, 1.2, 50, full_labels=False)


def _number(value: float) -> str:
    # As the comparison tables print a computed effect (templates/_macros.md.j2): two decimals.
    return f"{value:.2f}"


@dataclass(frozen=True)
class _Estimate:
    """One comparison's effect as drawn: its numbers, or why there are none."""

    estimate: float | None
    low: float | None
    high: float | None
    reason: str | None  # why no effect was computed

    @property
    def text(self) -> str:
        if self.estimate is None or self.low is None or self.high is None:
            return ""
        return f"{_number(self.estimate)} ({_number(self.low)} to {_number(self.high)})"

    @property
    def sentence(self) -> str:
        """The estimate in a description, where brackets already hold it: "0.41, 95% CI 0.13 to 1.26"."""
        if self.estimate is None or self.low is None or self.high is None:
            return ""
        return f"{_number(self.estimate)}, 95% CI {_number(self.low)} to {_number(self.high)}"


@dataclass(frozen=True)
class _Words:
    """The words a forest draws, worked out before drawing (so they are part of its cache key)."""

    ratio: bool
    title: str  # the panel's title: the effect and its event
    axis: str
    notes: str


def effect_forest_figure(corpus: Corpus, rows: Sequence[ComparisonRow], effect: EffectSpec, path: str, url_for: UrlFor | None = None,
                         cache: FigureCache | None = None) -> Figure | None:
    """The forest of ``effect`` for the comparisons ``rows`` (``views.ComparisonRow`` with ``computed``), one row each, grouped by setting.

    Rows without a computed effect (``computed`` None) are left out; None if no row is left. ``path`` as for
    :func:`generator.figures.times_figure`.
    """
    url_for = url_for or svg_relative_urls(path)
    # grouped by setting (in the review's order) under one header each; within a setting, in the order given
    order = {setting.id: index for index, setting in enumerate(corpus.review.settings.values)}
    chosen = sorted((row for row in rows if row.computed is not None), key=lambda row: min(order.get(s, len(order)) for s in row.settings))
    if not chosen:
        return None
    ratio = effect.measure in RATIOS
    measure = MEASURE_LABELS[effect.measure]
    entries: list[ArmEntry] = []
    estimates: dict[tuple[str, str], _Estimate] = {}
    table: list[FigureRow] = []
    drawn: list[tuple[float, str]] = []
    listed: list[str] = []
    corrected = False
    for row in chosen:
        computed = row.computed
        assert computed is not None
        entry = ArmEntry("|".join(row.settings), "; ".join(row.setting_labels), row.study.id, row.study.short_name,
                         f"{row.first.arm.id}--{row.second.arm.id}", f"{row.first.arm.label} vs {row.second.arm.label}", ())
        result = computed.result
        estimate = _Estimate(result.estimate, result.ci_low, result.ci_high, None) if result is not None else \
            _Estimate(None, None, None, computed.reason or "not computed")
        entries.append(entry)
        estimates[(entry.study_id, entry.arm_id)] = estimate
        counts = computed.table
        first = f"{counts.events_treated}/{counts.total_treated}" if counts is not None else ""
        second = f"{counts.events_control}/{counts.total_control}" if counts is not None else ""
        added = result is not None and result.added > 0
        corrected = corrected or added
        if estimate.estimate is not None:
            drawn.append((estimate.estimate, f"{entry.name} ({estimate.sentence})"))
            status = "plotted" + ("; 0.5 added to each cell" if added else "")
        else:
            listed.append(f"{entry.name}: {estimate.reason}")
            status = f"not computed: {estimate.reason}"
        table.append(FigureRow((entry.setting_label, entry.study_name, entry.arm_label, first, second, estimate.text, status), "studies", entry.study_id))
    if not entries:
        return None
    event = effect.label
    title = f"{measure} of {event} by comparison, computed here"
    drawn.sort(key=lambda item: item[0])
    scale = "on a log scale" if ratio else "on a linear scale"
    if len(drawn) == 1:
        finding = f" 1 comparison has one: {drawn[0][1]}."
    elif drawn:
        finding = f" {len(drawn)} comparisons have one, from {drawn[0][1]} to {drawn[-1][1]}."
    else:
        finding = " No comparison has one."
    alt = (f"Forest plot of the {lower_first(measure)} of {event} with its 95% interval, computed here from the counts each arm states "
           f"(first arm against the second), one row per comparison, grouped by {lower_first(corpus.review.settings.label)} "
           f"({', '.join(setting_headers(entries))}), {scale} with a dashed line at {'1' if ratio else '0'} (no difference).{finding}"
           + (" Not computed: " + "; ".join(listed) + "." if listed else ""))
    notes = (f"The {lower_first(measure)} and its 95% Wald interval{' (on the log scale)' if ratio else ''} are computed here from the counts "
             "each arm states, the first arm against the second; the sources state neither.",
             *(("Where a count is zero, 0.5 is added to every cell of that study's table.",) if corrected else ()))
    words = _Words(ratio, f"{measure} of {event}", f"{measure} (computed here, {'log scale' if ratio else 'linear scale'})",
                   f"Squares: the {lower_first(measure)} computed here from the stated counts (first arm against the second); lines: its 95% "
                   f"Wald interval. The dashed line marks no difference ({'1' if ratio else '0'})."
                   + (" Where a count is zero, 0.5 is added to every cell of that study's table." if corrected else ""))
    links = study_links(entries, url_for)
    wide = svg(path, title, alt, (tuple(entries), estimates, words, False), links, _draw, cache)
    narrow = svg(narrow_path(path), title, alt, (tuple(entries), estimates, words, True), links, _draw, cache)
    return Figure(path, wide, title, alt, ("Setting", "Study", "Comparison", "First arm: events/total", "Second arm: events/total",
                                           f"{measure} (95% CI), computed here", "In the figure"), tuple(table), notes, narrow)


_RATIO_TICKS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)


def _draw(inputs: tuple[tuple[ArmEntry, ...], dict[tuple[str, str], _Estimate], _Words, bool], url_for: UrlFor) -> MplFigure:
    entries, estimates, words, narrow = inputs
    limit = (NARROW_MAX_PX if narrow else WIDE_MAX_PX) / 96  # inches (96 px an inch)
    narrowest = 0.8 if narrow else 1.6  # a panel still wide enough to read its intervals
    for profile in (_NARROW,) if narrow else (_WIDE, _WIDE_SHORT):
        fig = _draw_as(entries, estimates, words, profile, url_for)
        excess = crop_box(fig).width - limit
        if excess <= 0:
            return fig
        # Long names: the panel gives up what the labels take, while it stays readable; else the next, shorter layout.
        if profile.panel_width - excess >= narrowest:
            return _draw_as(entries, estimates, words, dataclasses.replace(profile, panel_width=profile.panel_width - excess), url_for)
    return _draw_as(entries, estimates, words, dataclasses.replace(profile, panel_width=narrowest), url_for)


def _draw_as(entries: tuple[ArmEntry, ...], estimates: dict[tuple[str, str], _Estimate], words: _Words, profile: Profile,
             url_for: UrlFor) -> MplFigure:
    narrow = profile.narrow
    layout = layout_rows(entries, profile)
    notes = notes_lines(words.notes, profile)
    fig, label_axes, panels = row_figure([layout], 1, profile, extra_bottom=0.05 + NOTE_LINE_INCHES * len(notes))
    ax = panels[0]
    label_panel(label_axes[0], layout, url_for, arm_header="Comparison")
    stripes([label_axes[0], ax], layout)
    found = [estimates[(entry.study_id, entry.arm_id)] for entry in entries]
    lows = [e.low for e in found if e.low is not None]
    highs = [e.high for e in found if e.high is not None]
    reference = 1.0 if words.ratio else 0.0
    for row in value_rows(layout):
        estimate = estimates[(row.entry.study_id, row.entry.arm_id)]
        if estimate.estimate is None or estimate.low is None or estimate.high is None:
            full = f"not computed ({estimate.reason})"
            fits = text_width(full, FONT_SIZE - 1.5) <= profile.panel_width
            ax.text(0.02, row.y, full if fits and profile.full_labels else "not computed", transform=ax.get_yaxis_transform(), va="center",
                    ha="left", fontsize=FONT_SIZE - 1.5, fontstyle="italic", color=MUTED)
            continue
        add_line(ax, [estimate.low, estimate.high], [row.y, row.y], color=INK, linewidth=1.3, solid_capstyle="butt", zorder=2)
        add_line(ax, [estimate.estimate], [row.y], marker="s", markersize=5, color=INK, markeredgecolor="white", markeredgewidth=0.5,
                 linestyle="none", zorder=3)
        # The value in a column of its own right of the panel, as forest plots print it: never over the intervals.
        ax.text(1.04, row.y, estimate.text if profile.full_labels else _number(estimate.estimate), transform=ax.get_yaxis_transform(),
                va="center", ha="left", fontsize=FONT_SIZE - 0.5, color=INK)
    ax.axvline(reference, color=MUTED, linewidth=0.8, linestyle=(0, (3, 2)), zorder=1)
    if words.ratio:
        low, high = min([*lows, reference]), max([*highs, reference])
        ax.set_xscale("log")
        ax.set_xlim(low / 1.3, high * 1.3)
        ticks = [tick for tick in _RATIO_TICKS if low / 1.3 <= tick <= high * 1.3]
        ax.set_xticks(ticks, [f"{tick:g}" for tick in ticks])
        ax.xaxis.set_minor_locator(NullLocator())
    else:
        low, high = min([*lows, reference]), max([*highs, reference])
        pad = (high - low) * 0.1 or 0.1
        ax.set_xlim(low - pad, high + pad)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4 if narrow else 5))
    # Title and axis label within the panel and its column of values, so that they never widen the figure.
    room = profile.panel_width + (1.0 if profile.full_labels else 0.4)
    ax.set_title(wrap_to(words.title, room, FONT_SIZE + 0.5, "bold"), loc="left", fontsize=FONT_SIZE + 0.5, pad=4, linespacing=1.15)
    ax.set_xlabel(wrap_to(words.axis, room), linespacing=1.15)
    figure_notes(fig, notes)
    return fig

