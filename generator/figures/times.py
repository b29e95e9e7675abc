"""The ``times`` figure: time columns of a comparison side by side (medians and the like), one row per study arm.

Forest-style: a square at each value as reported, a line for the confidence interval where the source reports one.
Nothing is converted: the axis is in the unit most of the figure's values are stated in (its label says which), and a
value in another unit is listed beside the figure and said in its description, never put on that axis.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.figures.cache import FigureCache
from generator.figures.common import (
    FONT_SIZE,
    MUTED,
    NOTE_LINE_INCHES,
    SERIES,
    Figure,
    FigureRow,
    UrlFor,
    abbreviation_key,
    abbreviations,
    and_list,
    cell_text,
    factored,
    indefinite,
    lower_first,
    narrow_path,
    range_words,
    spelled_out,
    stated,
    svg,
    svg_relative_urls,
    text_width,
    upper_first,
    value_text,
)
from generator.figures.rows import (
    ArmEntry,
    ArmKey,
    ArmLike,
    Profile,
    add_line,
    annotate,
    chosen_entries,
    figure_notes,
    fitting,
    label_panel,
    layout_rows,
    marked_below,
    nice_limit,
    notes_lines,
    row_figure,
    setting_headers,
    stripes,
    study_links,
    value_rows,
)
from generator.records.link import Corpus
from generator.records.schema import ReportedValue
from generator.review.file import ReviewFile

if TYPE_CHECKING:  # imported where drawn: see generator/figures/common.py
    from matplotlib.figure import Figure as MplFigure


def times_figure(corpus: Corpus, arms: Iterable[ArmKey | ArmLike], columns: Sequence[str], path: str, url_for: UrlFor | None = None,
                 cache: FigureCache | None = None) -> Figure | None:
    """The forest-style figure of the time ``columns`` (ids of the review file's columns) for ``arms``, one row each in the order given.

    ``arms`` are (study id, arm id) pairs or rows with ``.study`` and ``.arm`` (``views.ArmRow``), e.g. one page of a
    comparison table. Arms with a value in none of the columns are left out; None if no arm is left. A setting
    header opens each run of arms of one setting, so arms sorted by setting get one header per setting. ``path`` is
    the SVG's place in the docs tree: it prefixes the SVG's ids and, unless ``url_for`` is given, its links are
    relative to it. Raises ``KeyError`` for an arm the corpus does not have.
    """
    return draw_times(corpus, chosen_entries(corpus, arms, columns), columns, path, url_for or svg_relative_urls(path), cache)


@dataclass(frozen=True)
class _Words:
    """The review's words a times figure draws, worked out before drawing (so they are part of its cache key)."""

    columns: tuple[str, ...]  # column ids, one panel each
    titles: tuple[str, ...]  # each panel's title: its column's label
    names: tuple[str, ...]  # each column's label in a sentence ("median TTR")
    unit: str | None  # the axis's unit; None when no value states a number and a unit
    notes: str  # the figure's own notes, under it


def _unit_key(unit: str | None) -> str | None:
    """A unit as compared: "Months", "months" and "month" are one unit (a spelling is never a conversion)."""
    return unit.strip().lower().removesuffix("s") if unit else None


def _axis_unit(entries: Sequence[ArmEntry], columns: Sequence[str]) -> str | None:
    """The unit most drawn values state (the first stated of the commonest, as it is spelled most often)."""
    units = [value.unit for entry in entries for column in columns
             if (value := entry.headline(column)) is not None and value.value is not None and value.unit]
    keys = Counter(_unit_key(unit) for unit in units)
    if not keys:
        return None
    commonest = max(keys.values())
    key = next(_unit_key(unit) for unit in units if keys[_unit_key(unit)] == commonest)
    spellings = Counter(unit for unit in units if _unit_key(unit) == key)
    return spellings.most_common(1)[0][0]


def _status(value: ReportedValue, unit: str | None) -> str | None:
    """None when the value goes on the axis; otherwise why it is only listed."""
    if value.value is None:
        return "no number stated"
    if not value.unit:
        return "unit not stated"
    if _unit_key(value.unit) != _unit_key(unit):
        return f"in {value.unit}, not converted"
    return None


def _apart_words(review: ReviewFile, columns: Sequence[str]) -> str:
    """How the values a figure lists apart differ from the rest, as the columns' accepted definitions say."""
    parts = set()
    for column_id in columns:
        accepts = review.column(column_id).accepts
        parts |= {part for part, restricted in (("time_origins", accepts.time_origins), ("response_criteria", accepts.response_criteria),
                                                 ("source_named", accepts.source_named)) if restricted}
    if parts == {"time_origins"}:
        return "counted from another time origin"
    if parts == {"response_criteria"}:
        return "judged by other response criteria"
    return "measured differently"


def _point_label(value: ReportedValue) -> str:
    """A plotted value as written beside its point: "5.2", or "5.2 (4.1 to 6.3)" with its interval."""
    assert value.value is not None
    label = stated(value.value, value)
    if value.ci_low is not None and value.ci_high is not None:
        label += f" ({stated(value.ci_low, value)} to {stated(value.ci_high, value)})"
    return label


def _cell(entry: ArmEntry, column: str, unit: str | None) -> str:
    held = entry.apart_value(column)
    if held is not None:
        return cell_text(held[0]) + f" (not plotted: {held[1]})"
    value = entry.headline(column)
    if value is None:
        return ""
    status = _status(value, unit)
    return cell_text(value) + entry.caveat(column) + (f" (not plotted: {status})" if status else "")


def draw_times(corpus: Corpus, entries: Sequence[ArmEntry], columns: Sequence[str], path: str, url_for: UrlFor,
               cache: FigureCache | None) -> Figure | None:
    """The figure of ``entries`` (arms as drawn), with its words; None if none states a value in the columns."""
    review = corpus.review
    columns = tuple(columns)
    entries = [entry for entry in entries if any(entry.states(column) for column in columns)]
    if not entries:
        return None
    labels = [review.column(column).label for column in columns]
    expansions = abbreviations(corpus.glossary, labels)
    names = tuple(lower_first(label) for label in labels)
    unit = _axis_unit(entries, columns)
    in_unit = f" in {unit}" if unit else ""
    excluded: list[str] = []
    apart: list[str] = []
    plotted: dict[str, list[tuple[float, str]]] = {column: [] for column in columns}
    ci_count = 0
    for column, name in zip(columns, names, strict=True):
        for entry in entries:
            held = entry.apart_value(column)
            if held is not None:
                apart.append(f"{entry.name}: {name} {value_text(held[0])} ({held[1]})")
                continue
            value = entry.headline(column)
            if value is None:
                continue
            status = _status(value, unit)
            if status is not None:
                excluded.append(f"{entry.name}: {name} {value_text(value)} ({status})")
                continue
            assert value.value is not None
            ci_count += value.ci_low is not None and value.ci_high is not None
            plotted[column].append((value.value, f"{entry.name} ({_point_label(value)} {unit}{entry.caveat(column)})"))
    findings = []
    for column, name in zip(columns, names, strict=True):
        points = sorted(plotted[column], key=lambda item: item[0])
        if points:
            findings.append(range_words(points, f"{indefinite(name)}{in_unit}"))
    title = upper_first(factored([lower_first(spelled_out(label, expansions, keep=False)) for label in labels])) + " by study arm"
    described = and_list([lower_first(spelled_out(label, expansions, keep=True)) for label in labels])
    not_in_unit = f"because they are not in {unit} and are not converted" if unit else "for want of a number and a unit"
    alt = (f"Forest-style chart of {described}{in_unit}, one row per study arm, grouped by {lower_first(review.settings.label)} "
           f"({', '.join(setting_headers(entries))}). " + " ".join(findings)
           + (f" {ci_count} values carry a reported confidence interval, drawn as a horizontal line." if ci_count else "")
           + (f" Listed but not plotted, {not_in_unit}: " + "; ".join(excluded) + "." if excluded else "")
           + (" Listed but not plotted, because they are measured differently from the others: " + "; ".join(apart) + "." if apart else ""))
    rows = tuple(FigureRow((entry.setting_label, entry.study_name, entry.arm_label, *(_cell(entry, column, unit) for column in columns)),
                           "studies", entry.study_id) for entry in entries)
    differently = _apart_words(review, columns)
    notes = ((f"Only values stated in {unit} are plotted; values in other units are listed in the table and not converted." if unit else
              "Only values stated with a number and a unit are plotted; the others are listed in the table."),
             "Confidence intervals are drawn only where the source reports one.",
             *((f"Values {differently} than the rest (marked in the tables) are listed, not plotted.",) if apart else ()))
    key = abbreviation_key(expansions)
    drawn_notes = ((f"{key} " if key else "") + "Squares: value as reported; horizontal lines: confidence interval where the source reports one. "
                   + (f"Values in other units than {unit} are listed, not converted, and values " if unit else "Values ")
                   + f"{differently} are listed, not plotted.\nValues come from different studies and populations and are not directly comparable.")
    words = _Words(columns, tuple(labels), names, unit, drawn_notes)
    links = study_links(entries, url_for)
    wide = svg(path, title, alt, (tuple(entries), words, False), links, _draw, cache)
    narrow = svg(narrow_path(path), title, alt, (tuple(entries), words, True), links, _draw, cache)
    return Figure(path, wide, title, alt, ("Setting", "Study", "Arm", *labels), rows, notes, narrow)


def _draw(inputs: tuple[tuple[ArmEntry, ...], _Words, bool], url_for: UrlFor) -> MplFigure:
    return fitting(_draw_as, inputs[0], inputs[1], inputs[2], url_for)


def _draw_as(entries: tuple[ArmEntry, ...], words: _Words, profile: Profile, url_for: UrlFor) -> MplFigure:
    from matplotlib.ticker import MaxNLocator

    narrow = profile.narrow
    columns = words.columns
    # Narrow: a block per column, each with only the arms that state it.
    layouts = [layout_rows([e for e in entries if e.states(column)], profile) for column in columns] if narrow else [layout_rows(entries, profile)]
    notes = notes_lines(words.notes + ("" if profile.full_labels else marked_below(entries, columns, words.names)), profile)
    fig, label_axes, panels = row_figure(layouts, len(columns), profile, extra_bottom=0.05 + NOTE_LINE_INCHES * len(notes))
    for label_ax, layout in zip(label_axes, layouts, strict=True):
        label_panel(label_ax, layout, url_for)
    for index, (ax, column) in enumerate(zip(panels, columns, strict=True)):
        layout = layouts[index] if narrow else layouts[0]
        stripes([label_axes[index] if narrow else label_axes[0], ax], layout)
        colour = SERIES[index % len(SERIES)]
        highs = [0.0]
        for row in value_rows(layout):
            held = row.entry.apart_value(column)
            if held is not None:
                # why, where it fits the panel; else the figure's notes and the table beside it say why
                label = f"{value_text(held[0])}: not plotted"
                full = f"{label} ({held[1]})"
                fits = text_width(full, FONT_SIZE - 1.5) <= profile.panel_width
                ax.text(0.02, row.y, full if profile.full_labels and fits else label + ("" if profile.full_labels else "*"),
                        transform=ax.get_yaxis_transform(), va="center", ha="left", fontsize=FONT_SIZE - 1.5, fontstyle="italic", color=MUTED)
                continue
            value = row.entry.headline(column)
            if value is None:
                continue
            if _status(value, words.unit) is not None:
                ax.text(0.02, row.y, f"{value_text(value)}: not plotted", transform=ax.get_yaxis_transform(), va="center", ha="left",
                        fontsize=FONT_SIZE - 1.5, fontstyle="italic", color=MUTED)
                continue
            assert value.value is not None
            right = value.value
            if value.ci_low is not None and value.ci_high is not None:
                add_line(ax, [value.ci_low, value.ci_high], [row.y, row.y], color=colour, linewidth=1.3, solid_capstyle="butt", zorder=2)
                add_line(ax, [value.ci_low, value.ci_high], [row.y, row.y], linestyle="none", marker="|", markersize=6, color=colour, zorder=2)
                right = max(right, value.ci_high)
            add_line(ax, [value.value], [row.y], marker="s", markersize=5, color=colour, markeredgecolor="white", markeredgewidth=0.5,
                     linestyle="none", zorder=3)
            label = _point_label(value) + row.entry.caveat(column) if profile.full_labels else \
                stated(value.value, value) + ("*" if row.entry.caveat(column) else "")
            annotate(ax, right, row.y, label, within_limits=True)  # times are >= 0 and the axis ends past the largest
            highs.append(right)
        ax.set_xlim(0, nice_limit(max(highs)))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4 if narrow else 5))
        ax.set_title(words.titles[index], loc="left", fontsize=FONT_SIZE + 0.5, pad=4, y=1.0)
        ax.set_xlabel(f"{upper_first(words.unit)} (as reported)" if words.unit else "As reported")
    figure_notes(fig, notes)
    return fig
