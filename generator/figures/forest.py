"""The ``forest`` figure: the comparison's effect (``ComparisonSpec.effect``), computed here for each comparison, one row each.

Every number drawn is computed here from the two arms' stated counts (``views.computed_effect``), never stated by a
source, and the figure, its description and its table say so. A ratio is drawn on a log scale, with a dashed line at
1; a difference on a linear scale, with the line at 0. A comparison whose effect cannot be computed is listed with why.

Where the page pools its comparisons (``ComparisonSpec.pooling``, :class:`PooledForest`), the forest is the one
RevMan and metafor draw: each square's area in proportion to the study's weight (an open square for a comparison left
out of the pooling), a column of weights, and under the studies the pooled diamond spanning its 95% CI with a line for
the prediction interval; the heterogeneity statistics are the first of the figure's notes.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.derive.effects import Effect as EffectEstimate
from generator.derive.evidence import stated_form
from generator.figures.cache import FigureCache
from generator.figures.common import (
    BLUE,
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
    LINE,
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
from generator.pages.views import ArmRow, ComparisonRow, effect_is_ratio, effect_label
from generator.records.link import Corpus
from generator.review.file import EffectSpec

if TYPE_CHECKING:  # imported where drawn: see generator/figures/common.py
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure

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
    # a reported effect's numbers as its source writes them (estimate, low, high); computed ones are printed to two decimals
    written: tuple[str, str, str] | None = None

    def _words(self) -> tuple[str, str, str] | None:
        if self.estimate is None or self.low is None or self.high is None:
            return None
        return self.written or (_number(self.estimate), _number(self.low), _number(self.high))

    @property
    def number_text(self) -> str:
        words = self._words()
        return words[0] if words else ""

    @property
    def text(self) -> str:
        words = self._words()
        return f"{words[0]} ({words[1]} to {words[2]})" if words else ""

    @property
    def sentence(self) -> str:
        """The estimate in a description, where brackets already hold it: "0.41, 95% CI 0.13 to 1.26"."""
        words = self._words()
        return f"{words[0]}, 95% CI {words[1]} to {words[2]}" if words else ""


@dataclass(frozen=True)
class PooledForest:
    """A page's pooled estimate as its forest draws it, every number computed here and on the effect's own scale."""

    label: str  # the pooled row's label: "Pooled, random effects (REML)"
    model_words: str  # the model in a sentence: "random-effects model, restricted maximum-likelihood estimate of τ²"
    k: int  # studies pooled
    estimate: float
    low: float  # 95% CI
    high: float
    pi_low: float | None  # 95% prediction interval (random-effects models only)
    pi_high: float | None
    heterogeneity: str  # "τ² = 0.3132, I² = 92.2%, H² = 12.86, Q = 152.23 (df 12, p < 0.001)"
    weights: tuple[tuple[str, str, float], ...]  # (study id, comparison's entry id, percent of the total weight)
    left_out: tuple[tuple[str, str, str], ...] = ()  # (study id, comparison's entry id, why it is not pooled)
    percent: bool = False  # a proportion, its numbers in percent (0 to 100)

    def weight(self, study_id: str, arm_id: str) -> float | None:
        return next((weight for study, arm, weight in self.weights if (study, arm) == (study_id, arm_id)), None)

    def why_not(self, study_id: str, arm_id: str) -> str | None:
        return next((why for study, arm, why in self.left_out if (study, arm) == (study_id, arm_id)), None)

    def shown(self, number: float) -> str:
        return _percent(number) if self.percent else _number(number)

    @property
    def text(self) -> str:
        return f"{self.shown(self.estimate)} ({self.shown(self.low)} to {self.shown(self.high)})"

    @property
    def prediction(self) -> str:
        return f"{self.shown(self.pi_low)} to {self.shown(self.pi_high)}" if self.pi_low is not None and self.pi_high is not None else ""


def _percent(number: float) -> str:
    # As the pooled section prints a proportion (generator/pages/pooled.py): percent, one decimal.
    return f"{number:.1f}%"


def _weight_text(weight: float) -> str:
    # As the pooled section's table prints a weight (templates/_macros.md.j2): one decimal.
    return f"{weight:.1f}%"


@dataclass(frozen=True)
class _Words:
    """The words a forest draws, worked out before drawing (so they are part of its cache key)."""

    ratio: bool
    title: str  # the panel's title: the effect and its event
    axis: str
    notes: str
    percent: bool = False  # proportions in percent, on an axis from 0 to 100 with no line of no difference
    row_header: str = "Comparison"  # what each row is, over the label column


def effect_forest_figure(corpus: Corpus, rows: Sequence[ComparisonRow], effect: EffectSpec, path: str, url_for: UrlFor | None = None,
                         cache: FigureCache | None = None, pooled: PooledForest | None = None) -> Figure | None:
    """The forest of ``effect`` for the comparisons ``rows`` (``views.ComparisonRow`` with ``computed``), one row each, grouped by setting.

    Rows without a computed effect (``computed`` None) are left out; None if no row is left. ``path`` as for
    :func:`generator.figures.times_figure`. With ``pooled``, the rows' weights and the pooled estimate under them.
    """
    url_for = url_for or svg_relative_urls(path)
    # grouped by setting (in the review's order) under one header each; within a setting, in the order given
    order = {setting.id: index for index, setting in enumerate(corpus.review.settings.values)}
    chosen = sorted((row for row in rows if row.computed is not None), key=lambda row: min(order.get(s, len(order)) for s in row.settings))
    if not chosen:
        return None
    ratio = effect_is_ratio(corpus.review, effect)
    measure = effect_label(corpus.review, effect)
    reported = not effect.from_counts  # as each source reports it, not computed here from counts
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
        if result is None or result.estimate is None or result.ci_low is None or result.ci_high is None:
            estimate = _Estimate(None, None, None, computed.reason or "not computed")
        elif reported:  # the numbers as the source writes them: never rounded here
            value = computed.counts[0]
            written = tuple(stated_form(number, value.as_reported, value.quote) for number in (result.estimate, result.ci_low, result.ci_high))
            estimate = _Estimate(result.estimate, result.ci_low, result.ci_high, None, (written[0], written[1], written[2]))
        else:
            estimate = _Estimate(result.estimate, result.ci_low, result.ci_high, None)
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
        weight = pooled.weight(entry.study_id, entry.arm_id) if pooled is not None else None
        if pooled is not None and weight is None:
            why = pooled.why_not(entry.study_id, entry.arm_id)
            status += f"; not pooled ({why})" if why and estimate.estimate is not None else ("; not pooled" if estimate.estimate is not None else "")
        weights = (_weight_text(weight) if weight is not None else "–",) if pooled is not None else ()
        counted = () if reported else (first, second)
        table.append(FigureRow((entry.setting_label, entry.study_name, entry.arm_label, *counted, estimate.text, *weights, status),
                               "studies", entry.study_id))
    if not entries:
        return None
    event = effect.label
    title = f"{measure} of {event} by comparison, {'as reported' if reported else 'computed here'}"
    drawn.sort(key=lambda item: item[0])
    scale = "on a log scale" if ratio else "on a linear scale"
    if len(drawn) == 1:
        finding = f" 1 comparison has one: {drawn[0][1]}."
    elif drawn:
        finding = f" {len(drawn)} comparisons have one, from {drawn[0][1]} to {drawn[-1][1]}."
    else:
        finding = " No comparison has one."
    pooled_words = ""
    if pooled is not None:
        prediction = f"; 95% prediction interval {pooled.prediction}" if pooled.prediction else ""
        pooled_words = (f" Under the studies, a diamond: the {lower_first(measure)} pooled over {pooled.k} studies by a {pooled.model_words}, "
                        f"computed here, {_number(pooled.estimate)} (95% CI {_number(pooled.low)} to {_number(pooled.high)}{prediction}); "
                        f"heterogeneity {pooled.heterogeneity}. Each square's area is in proportion to the study's weight.")
        table.append(FigureRow(("", pooled.label, f"{pooled.k} studies", *(() if reported else ("", "")), pooled.text, "100%",
                                "diamond" + (f"; 95% prediction interval {pooled.prediction}" if pooled.prediction else ""))))
    origin = "as each source reports it" if reported else "computed here from the counts each arm states"
    alt = (f"Forest plot of the {lower_first(measure)} of {event} with its 95% interval, {origin} "
           f"(first arm against the second), one row per comparison, grouped by {lower_first(corpus.review.settings.label)} "
           f"({', '.join(setting_headers(entries))}), {scale} with a dashed line at {'1' if ratio else '0'} (no difference).{finding}"
           + (" Not computed: " + "; ".join(listed) + "." if listed else "") + pooled_words)
    notes = ((f"The {lower_first(measure)} and its 95% interval are those each source reports, the first arm against the second.",)
             if reported else
             (f"The {lower_first(measure)} and its 95% Wald interval{' (on the log scale)' if ratio else ''} are computed here from the counts "
              "each arm states, the first arm against the second; the sources state neither.",)) + (
             *(("Where a count is zero, 0.5 is added to every cell of that study's table.",) if corrected else ()),
             *((f"The pooled estimate (the diamond: a {pooled.model_words}) and every weight are computed here; heterogeneity: "
                f"{pooled.heterogeneity}.",) if pooled is not None else ()))
    whence = "as each source reports it" if reported else "computed here from the stated counts"
    squares = (f"Squares: the {lower_first(measure)} {whence} (first arm against the second), their area in "
               "proportion to the study's weight (open: not pooled)" if pooled is not None else
               f"Squares: the {lower_first(measure)} {whence} (first arm against the second)")
    diamond = ""
    if pooled is not None:
        diamond = (f"\nDiamond: pooled by a {pooled.model_words}, its width the 95% CI"
                   + ("; the line through it, the 95% prediction interval" if pooled.prediction else "")
                   + f". Heterogeneity: {pooled.heterogeneity}.")
    words = _Words(ratio, f"{measure} of {event}", f"{measure} ({'' if reported else 'computed here, '}{'log scale' if ratio else 'linear scale'})",
                   f"{squares}; lines: its 95% {'' if reported else 'Wald '}interval. The dashed line marks no difference ({'1' if ratio else '0'})."
                   + (" Where a count is zero, 0.5 is added to every cell of that study's table." if corrected else "") + diamond)
    links = study_links(entries, url_for)
    wide = svg(path, title, alt, (tuple(entries), estimates, words, False, pooled), links, _draw, cache)
    narrow = svg(narrow_path(path), title, alt, (tuple(entries), estimates, words, True, pooled), links, _draw, cache)
    counted_columns = () if reported else ("First arm: events/total", "Second arm: events/total")
    return Figure(path, wide, title, alt, ("Setting", "Study", "Comparison", *counted_columns,
                                           f"{measure} (95% CI), {'as reported' if reported else 'computed here'}",
                                           *(("Weight, computed here",) if pooled is not None else ()),
                                           "In the figure"), tuple(table), notes, narrow)


def proportion_forest_figure(corpus: Corpus, arms: Sequence[tuple[ArmRow, EffectEstimate | None, str | None]], label: str, path: str,
                             pooled: PooledForest, url_for: UrlFor | None = None, cache: FigureCache | None = None) -> Figure | None:
    """The forest of a single proportion pooled per arm (``PoolingSpec.proportion``): each arm's stated proportion with its
    exact interval, in percent, its weight, and the pooled diamond. ``arms``: each arm the pooling lists, with its
    proportion (``derive.effects.single_proportion``) or None, and why it is not pooled, if it is not."""
    url_for = url_for or svg_relative_urls(path)
    order = {setting.id: index for index, setting in enumerate(corpus.review.settings.values)}
    entries: list[ArmEntry] = []
    estimates: dict[tuple[str, str], _Estimate] = {}
    table: list[FigureRow] = []
    for row, effect, why in sorted(arms, key=lambda item: order.get(item[0].setting, len(order))):
        if effect is None or effect.estimate is None or effect.ci_low is None or effect.ci_high is None:
            continue  # an arm stating no count and denominator has nothing to draw; the pooled section lists it with why
        entry = ArmEntry(row.setting, row.setting_label, row.study.id, row.study.short_name, row.arm.id, row.arm.label, ())
        numbers = (100 * effect.estimate, 100 * effect.ci_low, 100 * effect.ci_high)
        estimate = _Estimate(*numbers, None, (_percent(numbers[0]), _percent(numbers[1]), _percent(numbers[2])))
        entries.append(entry)
        estimates[(entry.study_id, entry.arm_id)] = estimate
        weight = pooled.weight(entry.study_id, entry.arm_id)
        table.append(FigureRow((entry.setting_label, entry.study_name, entry.arm_label, estimate.text,
                                _weight_text(weight) if weight is not None else "–",
                                "plotted" if weight is not None else f"plotted; not pooled ({why})"), "studies", entry.study_id))
    if not entries:
        return None
    title = f"{label} by arm, pooled here"
    prediction = f"; 95% prediction interval {pooled.prediction}" if pooled.prediction else ""
    alt = (f"Forest plot of the {lower_first(label)} of each arm in percent with its exact 95% interval, one row per arm, grouped by "
           f"{lower_first(corpus.review.settings.label)} ({', '.join(setting_headers(entries))}), on an axis from 0% to 100%. Under the arms, "
           f"a diamond: the {lower_first(label)} pooled over {pooled.k} arms by a {pooled.model_words}, computed here, "
           f"{pooled.shown(pooled.estimate)} (95% CI {pooled.shown(pooled.low)} to {pooled.shown(pooled.high)}{prediction}); heterogeneity "
           f"{pooled.heterogeneity}. Each square's area is in proportion to the arm's weight.")
    notes = ("Each arm's proportion is the count and denominator its source states, with the exact (Clopper–Pearson) interval computed here.",
             f"The pooled estimate (the diamond: a {pooled.model_words}) and every weight are computed here; heterogeneity: {pooled.heterogeneity}.")
    words = _Words(False, label, f"{label} (%)",
                   f"Squares: each arm's {lower_first(label)} as stated, their area in proportion to the arm's weight (open: not pooled); "
                   f"lines: its exact 95% interval.\nDiamond: pooled by a {pooled.model_words}, its width the 95% CI"
                   + ("; the line through it, the 95% prediction interval" if pooled.prediction else "")
                   + f". Heterogeneity: {pooled.heterogeneity}.", percent=True, row_header="Arm")
    links = study_links(entries, url_for)
    wide = svg(path, title, alt, (tuple(entries), estimates, words, False, pooled), links, _draw, cache)
    narrow = svg(narrow_path(path), title, alt, (tuple(entries), estimates, words, True, pooled), links, _draw, cache)
    return Figure(path, wide, title, alt, ("Setting", "Study", "Arm", f"{label} (exact 95% CI)", "Weight, computed here", "In the figure"),
                  tuple(table), notes, narrow)


_RATIO_TICKS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)


_Inputs = tuple[tuple[ArmEntry, ...], dict[tuple[str, str], _Estimate], _Words, bool, PooledForest | None]


def _draw(inputs: _Inputs, url_for: UrlFor) -> MplFigure:
    entries, estimates, words, narrow, pooled = inputs
    limit = (NARROW_MAX_PX if narrow else WIDE_MAX_PX) / 96  # inches (96 px an inch)
    narrowest = 0.8 if narrow else 1.6  # a panel still wide enough to read its intervals
    for profile in (_NARROW,) if narrow else (_WIDE, _WIDE_SHORT):
        fig = _draw_as(entries, estimates, words, pooled, profile, url_for)
        excess = crop_box(fig).width - limit
        if excess <= 0:
            return fig
        # Long names: the panel gives up what the labels take, while it stays readable; else the next, shorter layout.
        if profile.panel_width - excess >= narrowest:
            return _draw_as(entries, estimates, words, pooled, dataclasses.replace(profile, panel_width=profile.panel_width - excess), url_for)
    return _draw_as(entries, estimates, words, pooled, dataclasses.replace(profile, panel_width=narrowest), url_for)


_SQUARE_LARGEST = 10.0  # points: the side of the square of the study with the most weight (wide; narrow: 7)
_SQUARE_SMALLEST = 3.0
_TICK_SPACING = 0.3  # inches: the least room between two tick labels of a log axis


def _spaced(ticks: list[float], log_range: float, panel_width: float) -> list[float]:
    """Ticks of a log axis at least ``_TICK_SPACING`` apart on a panel ``panel_width`` wide; 1 (no difference) always kept."""
    if len(ticks) <= 2:
        return ticks
    least = _TICK_SPACING * log_range / panel_width  # in log units
    kept = [1.0] if 1.0 in ticks else [ticks[0]]
    for tick in sorted(ticks, key=lambda t: abs(math.log(t))):  # outward from 1
        if all(abs(math.log(tick) - math.log(other)) >= least for other in kept):
            kept.append(tick)
    return sorted(set(kept))


def _draw_as(entries: tuple[ArmEntry, ...], estimates: dict[tuple[str, str], _Estimate], words: _Words, pooled: PooledForest | None,
             profile: Profile, url_for: UrlFor) -> MplFigure:
    from matplotlib.ticker import MaxNLocator, NullLocator

    narrow = profile.narrow
    layout = layout_rows(entries, profile)
    pooled_y = 0.0
    pooled_lines: list[str] = []
    if pooled is not None:  # the pooled row under the studies, after a gap as between two settings
        pooled_lines = wrap_to(pooled.label, max(layout.label_width, 1.2), FONT_SIZE, "bold").split("\n")
        pooled_y = layout.height + 0.35 + (len(pooled_lines) - 1) * LINE / 2
        layout.height = pooled_y + 1.0 + (len(pooled_lines) - 1) * LINE / 2
    notes = notes_lines(words.notes, profile)
    # Title and axis label within the panel and its column of values, so that they never widen the figure.
    room = profile.panel_width + (1.0 if profile.full_labels else 0.4)
    axis_label = wrap_to(words.axis, room)
    axis_lines = axis_label.count("\n")  # lines beyond the first, which the notes under the figure make room for
    fig, label_axes, panels = row_figure([layout], 1, profile,
                                         extra_bottom=0.05 + NOTE_LINE_INCHES * len(notes) + axis_lines * FONT_SIZE * 1.15 / 72)
    ax = panels[0]
    label_panel(label_axes[0], layout, url_for, arm_header=words.row_header)
    stripes([label_axes[0], ax], layout)
    found = [estimates[(entry.study_id, entry.arm_id)] for entry in entries]
    lows = [e.low for e in found if e.low is not None]
    highs = [e.high for e in found if e.high is not None]
    if pooled is not None:
        lows += [pooled.low, *([pooled.pi_low] if pooled.pi_low is not None else [])]
        highs += [pooled.high, *([pooled.pi_high] if pooled.pi_high is not None else [])]
    reference = 1.0 if words.ratio else 0.0
    largest = max((weight for _, _, weight in pooled.weights), default=0.0) if pooled is not None else 0.0
    texts = [estimate.text if profile.full_labels else estimate.number_text for estimate in found if estimate.estimate is not None]
    if pooled is not None:
        texts.append(pooled.text if profile.full_labels else pooled.shown(pooled.estimate))
    # the column of weights right of the column of values, both right of the panel
    weight_x = 1.04 + (max((text_width(text, FONT_SIZE - 0.5, "bold") for text in texts), default=0.0) + 0.15) / profile.panel_width
    for row in value_rows(layout):
        estimate = estimates[(row.entry.study_id, row.entry.arm_id)]
        if estimate.estimate is None or estimate.low is None or estimate.high is None:
            full = f"not computed ({estimate.reason})"
            fits = text_width(full, FONT_SIZE - 1.5) <= profile.panel_width
            ax.text(0.02, row.y, full if fits and profile.full_labels else "not computed", transform=ax.get_yaxis_transform(), va="center",
                    ha="left", fontsize=FONT_SIZE - 1.5, fontstyle="italic", color=MUTED)
            continue
        add_line(ax, [estimate.low, estimate.high], [row.y, row.y], color=INK, linewidth=1.3, solid_capstyle="butt", zorder=2)
        weight = pooled.weight(row.entry.study_id, row.entry.arm_id) if pooled is not None else None
        if pooled is None:
            add_line(ax, [estimate.estimate], [row.y], marker="s", markersize=5, color=INK, markeredgecolor="white", markeredgewidth=0.5,
                     linestyle="none", zorder=3)
        elif weight is None:  # not pooled: an open square of the smallest pooled size
            add_line(ax, [estimate.estimate], [row.y], marker="s", markersize=5, color=INK, markerfacecolor="white", markeredgewidth=1.0,
                     linestyle="none", zorder=3)
        else:  # the square's area in proportion to the weight
            side = max(_SQUARE_SMALLEST, (7.0 if narrow else _SQUARE_LARGEST) * (weight / largest) ** 0.5) if largest > 0 else _SQUARE_SMALLEST
            add_line(ax, [estimate.estimate], [row.y], marker="s", markersize=side, color=INK, markeredgecolor="white", markeredgewidth=0.5,
                     linestyle="none", zorder=3)
        # The value in a column of its own right of the panel, as forest plots print it: never over the intervals.
        ax.text(1.04, row.y, estimate.text if profile.full_labels else estimate.number_text, transform=ax.get_yaxis_transform(),
                va="center", ha="left", fontsize=FONT_SIZE - 0.5, color=INK)
        if pooled is not None and not narrow:  # on a phone the squares' sizes show the weights; the table states them
            ax.text(weight_x, row.y, _weight_text(weight) if weight is not None else "–", transform=ax.get_yaxis_transform(),
                    va="center", ha="left", fontsize=FONT_SIZE - 0.5, color=INK if weight is not None else MUTED)
    if pooled is not None:
        _draw_pooled(label_axes[0], ax, pooled, pooled_y, pooled_lines, weight_x, profile)
    if not words.percent:  # a proportion has no value of no difference
        ax.axvline(reference, color=MUTED, linewidth=0.8, linestyle=(0, (3, 2)), zorder=1)
    if words.percent:
        ax.set_xlim(-4, 104)  # room for the square of 0% or 100%
        ax.set_xticks([0, 25, 50, 75, 100] if not narrow else [0, 50, 100])
    elif words.ratio:
        low, high = min([*lows, reference]), max([*highs, reference])
        ax.set_xscale("log")
        ax.set_xlim(low / 1.3, high * 1.3)
        ticks = _spaced([tick for tick in _RATIO_TICKS if low / 1.3 <= tick <= high * 1.3], math.log(high * 1.3) - math.log(low / 1.3),
                        profile.panel_width)
        ax.set_xticks(ticks, [f"{tick:g}" for tick in ticks])
        ax.xaxis.set_minor_locator(NullLocator())
    else:
        low, high = min([*lows, reference]), max([*highs, reference])
        pad = (high - low) * 0.1 or 0.1
        ax.set_xlim(low - pad, high + pad)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4 if narrow else 5))
    ax.set_title(wrap_to(words.title, room, FONT_SIZE + 0.5, "bold"), loc="left", fontsize=FONT_SIZE + 0.5, pad=4, linespacing=1.15)
    ax.set_xlabel(axis_label, linespacing=1.15)
    figure_notes(fig, notes)
    return fig



def _draw_pooled(label_ax: Axes, ax: Axes, pooled: PooledForest, y: float, label_lines: list[str], weight_x: float, profile: Profile) -> None:
    """The pooled row: its label, the prediction interval's line, the diamond of the estimate and its CI, its numbers."""
    from matplotlib.patches import Polygon

    rule = y - 0.6 - (len(label_lines) - 1) * LINE / 2
    for axes in (label_ax, ax):
        axes.axhline(rule, color=MUTED, linewidth=0.6, zorder=1)
    label_ax.text(0, y, "\n".join(label_lines), va="center", ha="left", fontweight="bold", linespacing=1.25)
    if pooled.pi_low is not None and pooled.pi_high is not None:
        add_line(ax, [pooled.pi_low, pooled.pi_high], [y, y], color=BLUE, linewidth=1.0, solid_capstyle="butt", zorder=2)
        add_line(ax, [pooled.pi_low, pooled.pi_high], [y, y], color=BLUE, marker="|", markersize=6, markeredgewidth=1.0, linestyle="none",
                 zorder=2)
    half = 0.38  # of a row: the diamond's half height
    ax.add_artist(Polygon([(pooled.low, y), (pooled.estimate, y - half), (pooled.high, y), (pooled.estimate, y + half)], closed=True,
                          facecolor=BLUE, edgecolor=BLUE, linewidth=0.6, zorder=3))
    ax.text(1.04, y, pooled.text if profile.full_labels else pooled.shown(pooled.estimate), transform=ax.get_yaxis_transform(), va="center",
            ha="left", fontsize=FONT_SIZE - 0.5, fontweight="bold", color=INK)
    if not profile.narrow:
        ax.text(weight_x, y, "100%", transform=ax.get_yaxis_transform(), va="center", ha="left", fontsize=FONT_SIZE - 0.5, fontweight="bold",
                color=INK)
        ax.text(weight_x, -1.0, "Weight", transform=ax.get_yaxis_transform(), va="center", ha="left", fontweight="bold", color=MUTED)
