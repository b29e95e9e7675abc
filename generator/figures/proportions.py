"""The ``proportions`` figure: one proportion column of a comparison, one row per study arm, on a 0 to 100% axis.

Each value is a dot as reported, with its interval: the source's confidence interval where it reports one, else the
exact (Clopper–Pearson) 95% interval of the stated count and denominator, computed here and drawn differently (colour
and dash) so that neither cue is needed alone. A value the column shows only as its fallback (``ColumnSpec.fallback``:
another measure, shown because the arm states none of the column's own) is an open dot, marked as the tables mark it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.derive.intervals import format_computed_percent
from generator.figures.cache import FigureCache
from generator.figures.common import (
    BLUE,
    FONT_SIZE,
    INK,
    MUTED,
    NOTE_LINE_INCHES,
    VERMILLION,
    Figure,
    FigureRow,
    UrlFor,
    abbreviations,
    ci_text,
    indefinite,
    lower_first,
    narrow_path,
    range_words,
    spelled_out,
    svg,
    svg_relative_urls,
    upper_first,
    value_text,
)
from generator.figures.rows import (
    ArmEntry,
    ArmKey,
    ArmLike,
    Profile,
    Shown,
    add_line,
    annotate,
    chosen_entries,
    figure_notes,
    fitting,
    label_panel,
    layout_rows,
    marked_below,
    notes_lines,
    row_figure,
    setting_headers,
    stripes,
    study_links,
    value_rows,
)
from generator.records.link import Corpus
from generator.records.schema import ReportedValue

if TYPE_CHECKING:  # imported where drawn: see generator/figures/common.py
    from matplotlib.figure import Figure as MplFigure


def proportions_figure(corpus: Corpus, arms: Iterable[ArmKey | ArmLike], column: str, path: str, url_for: UrlFor | None = None,
                       cache: FigureCache | None = None) -> Figure | None:
    """The figure of the proportion ``column`` (an id of the review file's columns) for ``arms`` only, in the order given;
    as :func:`generator.figures.times_figure`. Arms without a value in the column are left out; None if no arm is left."""
    return draw_proportions(corpus, chosen_entries(corpus, arms, [column]), column, path, url_for or svg_relative_urls(path), cache)


@dataclass(frozen=True)
class _Interval:
    low: float  # percent
    high: float
    computed: bool
    text: str  # as printed in the figure and the table


def _interval(shown: Shown) -> _Interval | None:
    """The source's CI if it gives one; else the exact interval from the stated counts; else none."""
    value = shown.value
    if value.ci_low is not None and value.ci_high is not None:
        ci = ci_text(value)
        assert ci is not None
        return _Interval(value.ci_low, value.ci_high, False, f"{ci} (reported)")
    interval = shown.interval
    if interval is not None:
        return _Interval(interval.low_percent, interval.high_percent, True,
                         f"95% CI {format_computed_percent(interval.low)} to {format_computed_percent(interval.high)} "
                         f"(computed here: exact Clopper–Pearson from {interval.successes}/{interval.trials})")
    return None


def _counts(value: ReportedValue) -> str:
    return f"{value.numerator}/{value.denominator}" if value.numerator is not None and value.denominator is not None else ""


def _unplotted(value: ReportedValue) -> str | None:
    """Why a value is listed and not plotted; None when it is plotted."""
    if value.value is None:
        return "no number stated"
    return None if value.unit == "%" else f"unit {value.unit or 'not stated'}, not a percentage"


@dataclass(frozen=True)
class _Words:
    """The review's words a proportions figure draws, worked out before drawing (so they are part of its cache key)."""

    column: str
    label: str  # the column's label, as narrow layouts and the legend say it ("BMI")
    spelled: str  # its abbreviations spelled out, for the wide layout's title and axis ("Objective response rate")
    fallback: str | None  # the fallback's mark, for the open dot's legend line ("counts only")


def draw_proportions(corpus: Corpus, entries: Sequence[ArmEntry], column: str, path: str, url_for: UrlFor,
                     cache: FigureCache | None) -> Figure | None:
    """The figure of ``entries`` (arms as drawn), with its words; None if none states a value in the column."""
    review = corpus.review
    spec = review.column(column)
    entries = [entry for entry in entries if entry.states(column)]
    if not entries:
        return None
    label = spec.label
    expansions = abbreviations(corpus.glossary, [label])
    mark = spec.fallback.mark if spec.fallback is not None else None
    table: list[FigureRow] = []
    described: list[tuple[float, str]] = []
    listed: list[str] = []
    with_interval: list[str] = []
    kinds: set[bool] = set()
    fallback = False
    for entry in entries:
        held = entry.apart_value(column)
        if held is not None:
            listed.append(f"{entry.name}: {held[0].as_reported} ({held[1]})")
            table.append(FigureRow((entry.setting_label, entry.study_name, entry.arm_label, value_text(held[0]), _counts(held[0]),
                                    "", f"not plotted: {held[1]}"), "studies", entry.study_id))
            continue
        shown = entry.drawn(column)
        assert shown is not None
        value = shown.value
        fallback = fallback or shown.fallback
        why = _unplotted(value)
        interval = _interval(shown) if why is None else None
        caveat = entry.caveat(column)
        if why is not None:
            listed.append(f"{entry.name}: {value.as_reported} ({why})")
            status = f"not plotted: {why}"
        else:
            assert value.value is not None
            if interval is not None:
                kinds.add(interval.computed)
                with_interval.append(f"{entry.name}: {value_text(value)}{caveat}, {interval.text}")
            described.append((value.value, f"{entry.name} ({value_text(value)}{caveat})"))
            status = "plotted" + (f", marked{caveat}" if caveat else "")
        table.append(FigureRow((entry.setting_label, entry.study_name, entry.arm_label, value_text(value) + caveat, _counts(value),
                                interval.text if interval else "", status), "studies", entry.study_id))

    title = upper_first(spelled_out(label, expansions, keep=False)) + " by study arm"
    described.sort(key=lambda item: item[0])
    finding = range_words(described, f"{indefinite(lower_first(label))} as a percentage") if described else ""
    interval_words = []
    if False in kinds:
        interval_words.append("a solid line is the confidence interval the source reports")
    if True in kinds:
        interval_words.append("a dashed line is an exact 95% interval computed here from the stated counts")
    alt = (f"Dot chart of the {lower_first(spelled_out(label, expansions, keep=True))} per study arm on a 0 to 100% axis, grouped by "
           f"{lower_first(review.settings.label)} ({', '.join(setting_headers(entries))}). {finding}"
           + (f" An open circle marks an arm whose source states {mark}, shown as stated." if fallback and mark else "")
           + (" Where shown, " + "; ".join(interval_words) + "; other arms have no interval." if interval_words else " No arm has an interval.")
           + (" Intervals: " + "; ".join(with_interval) + "." if with_interval else "")
           + (" Listed but not plotted: " + "; ".join(listed) + "." if listed else ""))
    notes = ("Interval: the source's confidence interval where reported; otherwise an exact (Clopper–Pearson) 95% interval computed here "
             "from the stated count and its denominator; none where neither is given.",
             *((f"An open circle: {lower_first(spec.fallback.explanation)}",) if fallback and spec.fallback is not None else ()))
    words = _Words(column, label, upper_first(spelled_out(label, expansions, keep=False)), mark)
    links = study_links(entries, url_for)
    wide = svg(path, title, alt, (tuple(entries), words, False), links, _draw, cache)
    narrow = svg(narrow_path(path), title, alt, (tuple(entries), words, True), links, _draw, cache)
    return Figure(path, wide, title, alt, ("Setting", "Study", "Arm", label, "Count/total", "Interval", "In the figure"), tuple(table), notes,
                  narrow)


def _draw(inputs: tuple[tuple[ArmEntry, ...], _Words, bool], url_for: UrlFor) -> MplFigure:
    return fitting(_draw_as, inputs[0], inputs[1], inputs[2], url_for)


def _draw_as(entries: tuple[ArmEntry, ...], words: _Words, profile: Profile, url_for: UrlFor) -> MplFigure:
    from matplotlib.lines import Line2D

    narrow = profile.narrow
    column = words.column
    layout = layout_rows(entries, profile)
    shown = [drawn for entry in entries if (drawn := entry.drawn(column)) is not None]
    # One legend line per kind of mark actually drawn; reserve room for exactly those lines.
    intervals = [_interval(drawn) for drawn in shown if _unplotted(drawn.value) is None]
    kinds = {interval.computed for interval in intervals if interval is not None}
    fallback = any(drawn.fallback for drawn in shown)
    legend_lines = 1 + len(kinds) * (2 if narrow else 1) + fallback
    marked = [] if profile.full_labels else notes_lines(marked_below(entries, [column], [words.label]).strip("\n"), profile)
    fig, label_axes, panels = row_figure([layout], 1, dataclasses.replace(profile, panel_width=profile.panel_width * (1.0 if narrow else 1.9)),
                                         extra_bottom=0.12 + (0.3 if narrow else 0.18) * legend_lines + NOTE_LINE_INCHES * len(marked))
    ax = panels[0]
    label_panel(label_axes[0], layout, url_for)
    stripes([label_axes[0], ax], layout)
    for row in value_rows(layout):
        held = row.entry.apart_value(column)
        if held is not None:
            ax.text(0.01, row.y, f"{held[0].as_reported}: not plotted" + (f" ({held[1]})" if profile.full_labels else "*"),
                    transform=ax.get_yaxis_transform(), va="center", ha="left", fontsize=FONT_SIZE - 1.5, fontstyle="italic", color=MUTED)
            continue
        drawn = row.entry.drawn(column)
        if drawn is None:
            continue
        value = drawn.value
        why = _unplotted(value)
        if why is not None:
            ax.text(0.01, row.y, f"{value.as_reported}: not plotted" + (f" ({why})" if profile.full_labels else ""),
                    transform=ax.get_yaxis_transform(), va="center", ha="left", fontsize=FONT_SIZE - 1.5, fontstyle="italic", color=MUTED)
            continue
        assert value.value is not None
        right = value.value
        interval = _interval(drawn)
        if interval is not None:
            # Computed intervals differ from reported ones in colour and dash, so neither cue is needed alone.
            colour, dashes = (VERMILLION, (0, (2.5, 1.5))) if interval.computed else (INK, (0, ()))
            add_line(ax, [interval.low, interval.high], [row.y, row.y], linewidth=1.3, zorder=2, color=colour, linestyle=dashes)
            add_line(ax, [interval.low, interval.high], [row.y, row.y], linestyle="none", marker="|", markersize=6, color=colour, zorder=2)
            right = max(right, interval.high)
        # The fallback measure: an open circle (the shape, not only the words, says it is not the column's own measure).
        hollow = drawn.fallback
        add_line(ax, [value.value], [row.y], marker="o", markersize=5, color=BLUE, markerfacecolor="white" if hollow else BLUE,
                 markeredgecolor=BLUE if hollow else "white", markeredgewidth=1.0 if hollow else 0.5, linestyle="none", zorder=3)
        counts = _counts(value)
        if profile.full_labels:
            annotate(ax, right, row.y, value_text(value) + (f" ({counts})" if counts else "") + row.entry.caveat(column),
                     within_limits=0 <= right <= 100)
        else:
            annotate(ax, right, row.y, value_text(value) + ("*" if row.entry.caveat(column) else ""), within_limits=0 <= right <= 100)
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 25, 50, 75, 100] if narrow else [0, 20, 40, 60, 80, 100])
    ax.set_xlabel(f"{words.label if narrow else words.spelled}, % (as reported)")
    ax.set_title(words.label if narrow else words.spelled, loc="left", fontsize=FONT_SIZE + 0.5, pad=4)
    handles: list[Any] = [Line2D([], [], marker="o", markersize=5, color=BLUE, linestyle="none", label=f"{words.label} as reported")]
    if fallback:
        handles.append(Line2D([], [], marker="o", markersize=5, color=BLUE, markerfacecolor="white", linestyle="none",
                              label=f"{upper_first(words.fallback or 'another measure')}, as reported"))
    if False in kinds:
        handles.append(Line2D([], [], color=INK, linewidth=1.3,
                              label="Confidence interval reported\nby the source" if narrow else "Confidence interval reported by the source"))
    if True in kinds:
        label = "Exact 95% CI computed here from\nthe stated counts (Clopper–Pearson)" if narrow else \
            "Exact 95% CI computed here from the stated counts (Clopper–Pearson)"
        handles.append(Line2D([], [], color=VERMILLION, linewidth=1.3, linestyle=(0, (2.5, 1.5)), label=label))
    fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, (NOTE_LINE_INCHES * len(marked) + 0.05 * bool(marked)) / fig.get_size_inches()[1]),
               ncol=1, handlelength=2.2, borderaxespad=0)
    if marked:
        figure_notes(fig, marked)
    return fig
