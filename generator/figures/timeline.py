"""Case timelines: one swimmer plot per case report, with its marker readings in panels beneath on the same calendar.

The kinds of step, their words and their lanes are the review file's ``case_reports.steps``. A step kind that is a
``treatment_line`` is a line of treatment: each line gets a lane of its own (so the sequence reads as a staircase)
and is drawn as a bar between its known dates. Every other kind is drawn as marks (or a span over several days) in
one lane per kind, each kind with a marker style given by its place among the declared kinds (``MARKS``). Lanes run:
the kinds declared before the first treatment line that name no regimen (what precedes treatment, such as a
diagnosis), the treatment lines in the order given, the kinds that name a regimen (other treatments) in the order
the case first received them, and the remaining kinds in their declared order.

Nothing is placed where the record gives no date: undated lines are listed, not drawn. A ``YYYY-MM`` date is placed
at the first of the month (the axis label says so); a ``YYYY`` date covers the whole year (hatched on a treatment
bar, a bracket for a single event), because any single point in it would be invented.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.derive.case_dates import CaseDates, How, PlacedDate, PlacedStep, place_dates
from generator.figures.cache import FigureCache
from generator.figures.common import (
    BLUE,
    FONT_SIZE,
    GREEN,
    GRID,
    INK,
    MUTED,
    ORANGE,
    PURPLE,
    SKY,
    STRIPE,
    SVG_DPI,
    VERMILLION,
    Figure,
    FigureRow,
    LinkTargets,
    UrlFor,
    link,
    narrow_path,
    stated,
    style,
    svg,
    text_width,
    wrap,
)
from generator.records.link import Corpus
from generator.records.schema import CaseRecord, MarkerReading, RegimenRecord, TreatmentLine
from generator.review.file import StepTerm

if TYPE_CHECKING:  # imported where drawn: see generator/figures/common.py
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.lines import Line2D
    from matplotlib.markers import MarkerStyle
    from matplotlib.patches import Patch


def case_figure_path(case_id: str) -> str:
    return f"figures/cases/{case_id}-timeline.svg"


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


# Marker and colour of the mark-drawn kinds, by their place among the declared kinds that are not treatment lines
# (which are bars, in BLUE): distinct shapes first, each in an Okabe–Ito colour, then the shapes again in other colours.
MARKS: tuple[tuple[str, str], ...] = (
    ("*", INK), ("P", VERMILLION), ("s", GREEN), ("^", ORANGE), ("D", PURPLE), ("d", "#4d4d4d"), ("o", SKY),
    ("X", ORANGE), ("v", GREEN), ("h", VERMILLION), ("<", PURPLE), ("p", SKY), (">", INK), ("8", "#4d4d4d"),
)
_UNKNOWN_MARK = ("o", SKY)  # a kind the review file does not declare (linking refuses one): drawn, never dropped


@dataclass(frozen=True)
class _Steps:
    """The review's kinds of step, as the timeline reads them."""

    terms: tuple[StepTerm, ...]

    @functools.cached_property
    def lines(self) -> frozenset[str]:
        return frozenset(term.id for term in self.terms if term.treatment_line)

    def is_line(self, line: TreatmentLine) -> bool:
        return line.kind in self.lines

    def label(self, kind: str) -> str:
        return next((term.label for term in self.terms if term.id == kind), kind)

    def mark(self, kind: str) -> tuple[str, str]:
        marked = [term.id for term in self.terms if not term.treatment_line]
        return MARKS[marked.index(kind) % len(MARKS)] if kind in marked else _UNKNOWN_MARK

    def lane_group(self, kind: str) -> int:
        """0: before treatment; 2: other treatments (in the order received); 3: the rest (treatment lines are 1)."""
        ids = [term.id for term in self.terms]
        first_line = next((index for index, term in enumerate(self.terms) if term.treatment_line), len(self.terms))
        term = next((term for term in self.terms if term.id == kind), None)
        if term is None:
            return 3
        if term.needs_regimen:
            return 2
        return 0 if ids.index(kind) < first_line else 3

    def order(self, kind: str) -> int:
        return next((index for index, term in enumerate(self.terms) if term.id == kind), len(self.terms))

    def bar_label(self, used: set[str]) -> str:
        """The legend's words for a treatment bar: the treatment-line kinds the figure draws, as the review names them."""
        labels = [term.label for term in self.terms if term.treatment_line and f"line={term.id}" in used]
        return " or ".join(labels) or "Treatment line"


def _steps_of(corpus: Corpus) -> _Steps:
    vocabulary = corpus.review.case_reports
    return _Steps(tuple(vocabulary.steps) if vocabulary is not None else ())


@dataclass
class _Lane:
    label: str
    url: str | None
    lines: list[TreatmentLine]


def _lanes(regimens: Mapping[str, RegimenRecord], case: CaseRecord, steps: _Steps, url_for: UrlFor) -> list[_Lane]:
    """The lanes in their order (see the module): one per treatment line, one per other kind of step."""
    treatment: list[_Lane] = []
    by_kind: dict[str, _Lane] = {}  # in the order the case first has each kind
    for line in case.timeline:
        if steps.is_line(line):
            regimen = regimens.get(line.regimen or "")
            name = regimen.name if regimen else line.label
            if line.line_of_therapy is not None:
                name += f" (line\u00a0{line.line_of_therapy})"  # no-break space: never wrap "line" from its number
            treatment.append(_Lane(name, url_for("regimens", line.regimen) if line.regimen else None, [line]))
        else:
            by_kind.setdefault(line.kind, _Lane(steps.label(line.kind), None, [])).lines.append(line)
    for lane in by_kind.values():
        used = {line.regimen for line in lane.lines if line.regimen}
        if len(used) == 1 and all(line.regimen for line in lane.lines):
            lane.url = url_for("regimens", next(iter(used)))
    head = sorted((kind for kind in by_kind if steps.lane_group(kind) == 0), key=steps.order)
    received = [kind for kind in by_kind if steps.lane_group(kind) == 2]
    tail = sorted((kind for kind in by_kind if steps.lane_group(kind) == 3), key=steps.order)
    return [by_kind[kind] for kind in head] + treatment + [by_kind[kind] for kind in (*received, *tail)]


def _ongoing(case: CaseRecord, line: TreatmentLine, steps: _Steps) -> bool:
    """An open-ended treatment line runs on to the last follow-up only if it is the last line and no stop is recorded."""
    lines = [item for item in case.timeline if steps.is_line(item)]
    return steps.is_line(line) and line.end is None and line.stop_reason is None and bool(lines) and lines[-1] is line


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
    """Every step of the case placed on the calendar (see generator/derive/case_dates.py)."""
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


def _line_status(case: CaseRecord, step: PlacedStep, follow_up: PlacedDate | None, steps: _Steps) -> str:
    line = step.line
    if step.start is None:
        as_worded = f" (as reported: {line.start_as_reported})" if line.start_as_reported else ""
        return f"not drawn: no start date{as_worded}"
    notes = [note for note in (_placement_note("start", step.start), _placement_note("end", step.end) if step.end else None) if note]
    if step.end is None and steps.is_line(line):
        if _ongoing(case, line, steps):
            if follow_up is None:
                notes.append("continuing at the last follow-up (date not stated)")
            else:
                notes.append("continuing to the last follow-up" + (", and beyond it" if follow_up.open else ""))
        else:
            notes.append("end not stated")
    return "drawn" + (f"; {'; '.join(notes)}" if notes else "")


@dataclass(frozen=True)
class _CaseInputs:
    """What a case's timeline is drawn from: the case, the regimens its timeline names (their names label lanes), and
    the review's kinds of step and responses (their words, lanes and marks)."""

    case: CaseRecord
    regimens: dict[str, RegimenRecord]
    steps: tuple[StepTerm, ...]
    responses: tuple[str, ...]  # the review's response ids, in their declared order

    @classmethod
    def of(cls, corpus: Corpus, case: CaseRecord) -> _CaseInputs:
        vocabulary = corpus.review.case_reports
        return cls(case, {rid: corpus.regimens[rid] for rid in _timeline_regimens(case) if rid in corpus.regimens},
                   _steps_of(corpus).terms, tuple(term.id for term in vocabulary.responses) if vocabulary is not None else ())


def _timeline_regimens(case: CaseRecord) -> list[str]:
    """Ids of the regimens the case's timeline names, in order of first mention."""
    return list(dict.fromkeys(line.regimen for line in case.timeline if line.regimen))


def draw_case_timeline(corpus: Corpus, case: CaseRecord, url_for: UrlFor, narrow: bool = False) -> MplFigure | None:
    """The swimmer plot and marker panels of one case, sharing the calendar axis; None if nothing is dated.

    Public for inspection (the tests read its axes); ``build_figures`` is how to get the SVG.
    """
    if not _has_dates(case):
        return None
    with style():
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
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.transforms import ScaledTranslation

    case_inputs, narrow = inputs
    profile = _TIMELINE_NARROW if narrow else _TIMELINE_WIDE
    case = case_inputs.case
    steps = _Steps(case_inputs.steps)
    dates = case_dates(case)
    first, last = case_time_span(case)
    lanes = _lanes(case_inputs.regimens, case, steps, url_for)
    series = _numeric_readings(case)
    follow_up = dates.follow_up
    placed = {id(step.line): step for step in dates.steps}
    lane_labels = [wrap(lane.label, profile.label_wrap) for lane in lanes]
    places = _lane_places(lane_labels, narrow)
    label_font = FONT_SIZE - 1 if narrow else FONT_SIZE
    # Narrow: room for the marker panels' value ticks only, as lane names sit above their lanes.
    label_width = 0.42 if narrow else max(text_width(line) for lines in lane_labels for line in lines) + 0.15
    right_pad = 0.05
    width = profile.width
    lanes_units = places[-1].bottom if places else 1.0
    swim_height = profile.unit_inches * lanes_units + 0.1
    panel_height = 0.9
    titles = {marker: _panel_title(readings, profile) for marker, readings in series.items()}
    heights = [swim_height] + [panel_height] * len(series)
    legend_keys = _timeline_legend_keys(case, dates, steps)
    legend = _Legend(steps.bar_label(legend_keys), _response_sample(legend_keys, case_inputs.responses))
    legend_columns = _legend_columns(legend_keys, legend, profile)
    legend_rows = math.ceil(len(_legend_entries(legend_keys)) / legend_columns)
    follow_up_lines = _follow_up_label(follow_up, profile)
    top_pad = 0.25 + 0.14 * len(follow_up_lines)
    bottom_pad = 0.55 + 0.2 * legend_rows + 0.1
    gaps = [0.5 + 0.14 * titles[marker].count("\n") for marker in series]
    height = sum(heights) + top_pad + bottom_pad + sum(gaps)
    fig = MplFigure(figsize=(width, height), dpi=SVG_DPI)
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
        link(text, lane.url)
        for line in lane.lines:
            _draw_step(ax, case, placed[id(line)], place.mark_y, right, follow_up, used, day_width, steps)
        undated = sum(1 for line in lane.lines if placed[id(line)].start is None and not steps.is_line(line))
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

    handles = [make(legend) for make in _legend_entries(legend_keys)]
    if handles:
        # Under the date axis, from the figure's left edge.
        below = panels[-1].transAxes + ScaledTranslation(-label_width if narrow else 0, -0.5, fig.dpi_scale_trans)
        panels[-1].legend(handles=handles, loc="upper left", bbox_to_anchor=(0, 0), bbox_transform=below, ncol=legend_columns,
                          handlelength=2.0, columnspacing=1.2, borderaxespad=0.0, fontsize=FONT_SIZE - 1.5)
    return fig


def _legend_columns(keys: set[str], legend: _Legend, profile: _TimelineProfile) -> int:
    """Two columns where two of the longest entries fit side by side in the figure's width, else one."""
    labels = [str(make(legend).get_label()) for make in _legend_entries(keys)]
    if not labels or profile.legend_columns == 1:
        return 1
    entry = max(text_width(label, FONT_SIZE - 1.5) for label in labels) + 0.5  # handle and its gap
    return 2 if 2 * entry + 0.2 <= profile.width else 1


def _follow_up_label(follow_up: PlacedDate | None, profile: _TimelineProfile) -> list[str]:
    if follow_up is None:
        return []
    return wrap(f"Last follow-up: {follow_up.words}", 34 if profile.narrow else 60)


def _panel_title(readings: list[tuple[MarkerReading, Placed]], profile: _TimelineProfile) -> str:
    marker = readings[0][0].marker
    unit = readings[0][0].unit
    units = {reading.unit for reading, _ in readings}
    unit_text = (unit or "") if len(units) == 1 else "mixed units: " + ", ".join(sorted(u or "no unit" for u in units))
    title = f"{marker} ({unit_text})" if unit_text else marker
    if _reference_band(readings[0][0]) is not None:
        title += f"; shaded: reference range {readings[0][0].reference_range}"
    return "\n".join(wrap(title, profile.title_wrap))


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
    from matplotlib.patches import Rectangle

    x0 = day_number(placed.first)
    x1 = day_number(placed.last) + 1 if placed.last is not None else (until if until is not None else x0 + 30)
    if x1 - x0 < _MIN_WINDOW_POINTS * day_width:
        middle = (x0 + x1) / 2
        x0, x1 = middle - _MIN_WINDOW_POINTS * day_width / 2, middle + _MIN_WINDOW_POINTS * day_width / 2
    if placed.how is How.relative:
        box: dict[str, Any] = {"facecolor": "white", "edgecolor": colour, "linestyle": (0, (2, 1.5)), "linewidth": 1.0, "hatch": None}
        used.add("relative")
    elif placed.how is How.inferred:
        box = {"facecolor": "white", "edgecolor": colour, "linestyle": (0, (0.8, 1.2)), "linewidth": 1.0, "hatch": "...."}
        used.add("inferred")
    else:
        box = {"facecolor": "white", "edgecolor": colour, "linestyle": "solid", "linewidth": 0.7, "hatch": "////"}
        used.add("uncertain")
    ax.add_patch(Rectangle((x0, y - thickness / 2), x1 - x0, thickness, zorder=2, **box))
    if placed.last is None:
        # Open: some time after its first day, with nothing to bound it.
        ax.annotate("", xy=(x1 + 10 * day_width, y), xytext=(x1 - day_width, y), zorder=4,
                    arrowprops={"arrowstyle": "-|>", "color": colour, "linewidth": 1.0, "mutation_scale": 8, "shrinkA": 0, "shrinkB": 0})
    return x0, x1


def _draw_step(ax: Axes, case: CaseRecord, step: PlacedStep, y: float, axis_end: float, follow_up: PlacedDate | None, used: set[str],
               day_width: float, steps: _Steps) -> None:
    """One timeline entry in its lane: a bar only between known ends, each uncertain end as a box; a mark for an event.

    ``used`` collects what was drawn, for the legend: its keys (``_LEGEND``), each treatment-line kind drawn
    (``line=<kind>``) and each response written (``response=<id>``).
    """
    from matplotlib.patches import Rectangle

    line, start, end = step.line, step.start, step.end
    response = f"; best response {line.best_response}" if line.best_response else ""
    treatment = steps.is_line(line)
    if start is None:
        if treatment:
            worded = f"start given only as \u201c{line.start_as_reported}\u201d" if line.start_as_reported else "start date not stated"
            note = f"not drawn: {worded}" + (f"; ended {end.words}" if end else "") + response
            ax.text(0.01, y, note, transform=ax.get_yaxis_transform(), ha="left", va="center", fontsize=FONT_SIZE - 1.5, color=MUTED,
                    fontstyle="italic")
        return
    marker, colour = ("", BLUE) if treatment else steps.mark(line.kind)
    thickness = 0.46 if treatment else 0.34
    ongoing = treatment and end is None and _ongoing(case, line, steps)
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
        used.add("bar" if treatment else "span")
        if treatment:
            used.add(f"line={line.kind}")
        x_text = max(x_text, solid_to)
    elif marker and end is None:
        x = (day_number(start.first) + day_number(start.last) + (0 if start.exact else 1)) / 2 if start.last is not None else day_number(start.first)
        hollow = start.how in {How.relative, How.inferred}
        ax.plot([x], [y], marker=marker, markersize=7.5 if marker in "*P" else 5.5, color="white" if hollow else colour,
                markeredgecolor=colour if hollow else INK, markeredgewidth=1.0 if hollow else 0.5, linestyle="none", zorder=4)
    if treatment and end is None:
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
        ax.text(x_text, y, f" {line.best_response}", ha="left", va="center", fontweight="bold", fontsize=FONT_SIZE - 1, zorder=5,
                clip_on=False)
        used |= {"response", f"response={line.best_response}"}


@functools.cache
def _response_marker(response: str) -> MarkerStyle:
    """A response as written in the figure, as the legend's mark, made once per response: parsing its mathtext takes 9 ms, and
    a line copies the style it is given.

    Only called while drawing, so always under ``style()`` (mathtext reads its fonts from the settings).
    """
    from matplotlib.markers import MarkerStyle

    escaped = re.sub(r"([_$#%&{}\\^~])", r"\\\1", response)  # a response id is plain text, never mathtext
    return MarkerStyle(rf"$\mathbf{{{escaped}}}$")


def _response_sample(used: set[str], responses: Sequence[str]) -> str:
    """The response the legend shows as its sample: the first, in the review's declared order, that the figure writes."""
    written = [key.removeprefix("response=") for key in sorted(used) if key.startswith("response=")]
    return next((response for response in responses if response in written), written[0] if written else "")


@dataclass(frozen=True)
class _Legend:
    """The legend's words that come from the review: what a treatment bar is, and the response shown as a sample."""

    bar: str
    response: str


def _patch(**style: Any) -> Patch:
    from matplotlib.patches import Patch

    return Patch(**style)


def _line(xs: list[float], ys: list[float], **style: Any) -> Line2D:
    from matplotlib.lines import Line2D

    return Line2D(xs, ys, **style)


_LEGEND: tuple[tuple[str, Callable[[_Legend], Any]], ...] = (  # made only when used: a legend handle costs milliseconds
    ("bar", lambda words: _patch(facecolor=BLUE, label=f"{words.bar}, between known dates")),
    ("span", lambda words: _patch(facecolor=GREEN, label="Procedure over several days")),
    ("uncertain", lambda words: _patch(facecolor="white", edgecolor=INK, hatch="////", linewidth=0.7,
                                      label="Date known only to the month or year (not a duration)")),
    ("relative", lambda words: _patch(facecolor="white", edgecolor=INK, linestyle=(0, (2, 1.5)), linewidth=1.0, label="Placed from a relative date")),
    ("inferred", lambda words: _patch(facecolor="white", edgecolor=INK, linestyle=(0, (0.8, 1.2)), hatch="....", linewidth=1.0,
                                     label="Date inferred by the curators")),
    ("ongoing", lambda words: _line([0, 1], [0, 0], color=BLUE, marker=">", markersize=5, markevery=[1], label="Continuing at last follow-up")),
    ("beyond", lambda words: _line([0, 1], [0, 0], color=BLUE, linestyle=(0, (3, 2)), marker=">", markersize=5, markevery=[1],
                                    label="Continuing past the last time stated")),
    ("open", lambda words: _line([0, 1], [0, 0], color=BLUE, linestyle=(0, (3, 2)), marker=">", markersize=5, markevery=[1],
                                  label="Continuing; follow-up date not stated")),
    ("start-only", lambda words: _line([], [], color=BLUE, marker="|", markersize=10, markeredgewidth=1.8, linestyle="none",
                                        label="Start only; end not stated")),
    ("response", lambda words: _line([], [], linestyle="none", marker=_response_marker(words.response), markersize=12, color=INK,
                                      label="Best response as reported")),
)


def _legend_entries(keys: set[str]) -> list[Callable[[_Legend], Any]]:
    return [make for key, make in _LEGEND if key in keys]


def _timeline_legend_keys(case: CaseRecord, dates: CaseDates, steps: _Steps) -> set[str]:
    """The legend entries a case's figure needs: found by drawing it once without a figure (the marks decide them)."""
    from matplotlib.figure import Figure as MplFigure

    with style():
        scratch = MplFigure(figsize=(4, 2), dpi=SVG_DPI)
        ax = scratch.add_subplot()
        ax.set_xlim(0, 100_000)
        used: set[str] = set()
        for step in dates.steps:
            _draw_step(ax, case, step, 0.0, 100_000.0, dates.follow_up, used, 1.0, steps)
        return used


def _draw_marker_panel(ax: Axes, title: str, readings: list[tuple[MarkerReading, Placed]]) -> None:
    from matplotlib.ticker import MaxNLocator

    xs = [day_number(placed.first) for _, placed in readings]
    ys = [reading.value for reading, _ in readings if reading.value is not None]
    band = _reference_band(readings[0][0])
    ax.plot(xs, ys, color=BLUE, linewidth=1.3, marker="o", markersize=4, markeredgecolor="white", markeredgewidth=0.5, zorder=3)
    for index, ((reading, _), x, y) in enumerate(zip(readings, xs, ys, strict=True)):
        assert reading.value is not None
        # A reading lower than both neighbours takes its label below, off the line.
        below = 0 < index < len(ys) - 1 and ys[index - 1] > y and ys[index + 1] > y
        ax.annotate(stated(reading.value, reading), (x, y), xytext=(0, -5 if below else 5), textcoords="offset points", ha="center",
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


def _case_rows(case: CaseRecord, steps: _Steps) -> tuple[FigureRow, ...]:
    rows: list[FigureRow] = []
    dates = case_dates(case)
    for step in dates.steps:
        line = step.line
        start = _words(step.start) or line.start_as_reported or ""
        rows.append(FigureRow((start, _words(step.end), line.label, steps.label(line.kind), line.best_response or "",
                               _line_status(case, step, dates.follow_up, steps)), "regimens" if line.regimen else None, line.regimen))
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


def _response_words(corpus: Corpus, response: str) -> str:
    """A response spelled out, as the review file gives it (``response_words``, else the response's label)."""
    vocabulary = corpus.review.case_reports
    spelled = vocabulary.response_words.get(response) if vocabulary is not None else None
    return spelled or corpus.review.label("responses", response)


def _case_alt(corpus: Corpus, case: CaseRecord, steps: _Steps) -> str:
    dates = case_dates(case)
    drawn, undrawn = [], []
    for step in dates.steps:
        line = step.line
        if step.start is None:
            undrawn.append(line.label)
            continue
        start_text = _when_words(step.start)
        when = start_text if step.end is None else f"{start_text} to {_when_words(step.end)}"
        if step.end is None and steps.is_line(line):
            ongoing = "continuing past the last time stated" if dates.follow_up and dates.follow_up.open else "continuing at the last follow-up"
            when = f"from {start_text}, " + (ongoing if _ongoing(case, line, steps) else "end not stated")
        response = f", best response {_response_words(corpus, line.best_response)}" if line.best_response else ""
        drawn.append(f"{line.label}, {when}{response}")
    parts = [f"Timeline of {case.short_name}: treatment lines as bars between known dates, dates known only to the month or year as "
             "hatched boxes, dates placed from a relative date as dashed boxes, and the other steps as marks on a calendar axis."]
    if drawn:
        parts.append("In order: " + "; ".join(drawn) + ".")
    if dates.follow_up is not None:
        parts.append(f"Last follow-up: {_when_words(dates.follow_up)}.")
    series = _numeric_readings(case)
    for marker, readings in series.items():
        values = ", ".join(f"{stated(r.value, r)} ({p.text})" for r, p in readings if r.value is not None)
        unit = f" {readings[0][0].unit}" if readings[0][0].unit else ""
        parts.append(f"{marker}{unit and ' in' + unit}: {values}.")
    if series:
        parts.append("Markers are drawn beneath on the same time axis, one panel each.")
    elif case.markers:
        parts.append("No tumour-marker reading has both a number and a date, so no marker panel is drawn.")
    if undrawn:
        parts.append("Not drawn for want of a start date: " + "; ".join(undrawn) + ".")
    return " ".join(parts)


def case_figure(corpus: Corpus, case: CaseRecord, url_for: UrlFor, cache: FigureCache | None = None) -> Figure | None:
    """The timeline of one case; None if nothing in it is dated."""
    if not _has_dates(case):
        return None
    steps = _steps_of(corpus)
    path = case_figure_path(case.id)
    title = f"Treatment timeline and tumour markers: {case.short_name}"
    alt = _case_alt(corpus, case, steps)
    notes = ("A bar runs only between known dates. A date known only to the month or year is a hatched box over the days it allows "
             "(an uncertainty, not a duration); a date placed from a relative date (\u201c13 days after the October 2021 scan\u201d) is a "
             "dashed box over the days it may fall on; one the curators inferred is dotted.",
             "Lines without a start date, and marker readings without a number or a date, are listed in the table but not drawn; "
             "marker readings dated to a month are placed at its 1st.")
    inputs = _CaseInputs.of(corpus, case)
    links = LinkTargets(url_for, (("regimens", rid) for rid in _timeline_regimens(case)))
    wide = svg(path, title, alt, (inputs, False), links, _draw_case_timeline, cache)
    narrow = svg(narrow_path(path), title, alt, (inputs, True), links, _draw_case_timeline, cache)
    return Figure(path, wide, title, alt, ("Date or start", "End", "Entry", "Kind", "Best response", "In the figure"), _case_rows(case, steps), notes,
                  narrow)
