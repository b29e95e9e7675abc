"""Figures of study arms, one row each (``times`` and ``proportions``): the arms as drawn, and their row layout.

A figure draws what the comparison tables show, with the same marks: each drawn value is the cell of a comparison
column (``views.ArmRow.cells``), so a value the tables mark as measured differently from the rest of its column is
listed beside the figure, never drawn among the others.

Rows are grouped by setting: a header opens each run of arms of one setting, in the order the arms are given (the
whole review's figures sort them by the review file's order of settings, then by study).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from generator.derive.definitions import TagKind
from generator.derive.intervals import ProportionInterval
from generator.figures.common import (
    FONT_SIZE,
    GRID,
    INK,
    MUTED,
    STRIPE,
    SVG_DPI,
    WIDE_MAX_PX,
    LinkTargets,
    UrlFor,
    crop_box,
    link,
    text_width,
    wrap,
)
from generator.pages.views import ArmRow, arm_row, arm_rows
from generator.records.link import Corpus
from generator.records.schema import Arm, ReportedValue, StudyRecord

if TYPE_CHECKING:  # imported where drawn: see generator/figures/common.py
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure

ArmKey = tuple[str, str]  # (study id, arm id)


class ArmLike(Protocol):
    """Anything that names a study arm by its records, such as a comparison table's ``views.ArmRow``."""

    @property
    def study(self) -> StudyRecord: ...

    @property
    def arm(self) -> Arm: ...


@dataclass(frozen=True)
class Shown:
    """A value a figure draws: a comparison column's cell."""

    column: str
    value: ReportedValue
    marks: tuple[str, ...] = ()  # written beside the value, as in the tables ("counts only")
    interval: ProportionInterval | None = None  # the exact interval of a stated count and denominator, computed here
    fallback: bool = False  # the column's fallback measure, shown because the arm states none of its own: drawn open


@dataclass(frozen=True)
class Apart:
    """A value measured differently from the rest of its column: listed with why, never drawn."""

    column: str
    value: ReportedValue
    why: str


@dataclass(frozen=True)
class ArmEntry:
    """One arm as a figure shows it, and no more: the figure's cache key, and the figures handed to the
    drawing process, carry only what it draws (not the study, not the arm's other values)."""

    setting: str
    setting_label: str
    study_id: str
    study_name: str
    arm_id: str
    arm_label: str
    shown: tuple[Shown, ...]  # the arm's value of each column the figure draws
    apart: tuple[Apart, ...] = ()

    @classmethod
    def of(cls, row: ArmRow, columns: Sequence[str]) -> ArmEntry | None:
        """The entry of an arm's table row for a figure of ``columns``; None if the arm has a value in none of them."""
        shown: list[Shown] = []
        apart: list[Apart] = []
        for column in columns:
            cell = row.cells[column]
            if cell.value is None:
                continue
            if cell.differs:
                apart.append(Apart(column, cell.value, "; ".join(tag.text for tag in cell.marks if tag.kind is TagKind.differs)))
                continue
            shown.append(Shown(column, cell.value, tuple(tag.text for tag in cell.marks), cell.interval, cell.fallback is not None))
        if not shown and not apart:
            return None
        return cls(row.setting, row.setting_label, row.study.id, row.study.short_name, row.arm.id, row.arm.label, tuple(shown), tuple(apart))

    @property
    def name(self) -> str:
        return f"{self.study_name}, {self.arm_label}"

    def drawn(self, column: str) -> Shown | None:
        return next((shown for shown in self.shown if shown.column == column), None)

    def headline(self, column: str) -> ReportedValue | None:
        shown = self.drawn(column)
        return shown.value if shown is not None else None

    def caveat(self, column: str) -> str:
        """The marks of the drawn value, as written beside it: "" or " (counts only)"."""
        shown = self.drawn(column)
        return f" ({'; '.join(shown.marks)})" if shown is not None and shown.marks else ""

    def apart_value(self, column: str) -> tuple[ReportedValue, str] | None:
        return next(((apart.value, apart.why) for apart in self.apart if apart.column == column), None)

    def states(self, column: str) -> bool:
        """The arm has a value in the column, drawn or listed apart."""
        return self.drawn(column) is not None or self.apart_value(column) is not None


def arm_entries(corpus: Corpus, columns: Sequence[str]) -> list[ArmEntry]:
    """The treatment arms with a value in any of ``columns``, in the review's order of settings, then by study name."""
    rows = sorted(arm_rows(corpus), key=lambda r: (r.study.short_name.lower(), r.study.id, r.arm_index))
    entries = [entry for row in rows if (entry := ArmEntry.of(row, columns)) is not None]
    order = {term.id: index for index, term in enumerate(corpus.review.settings.values)}
    return sorted(entries, key=lambda e: order.get(e.setting, len(order)))  # stable: study order kept within a setting


def chosen_entries(corpus: Corpus, arms: Iterable[ArmKey | ArmLike], columns: Sequence[str]) -> list[ArmEntry]:
    """The named arms that have a value in any of ``columns``, in the order named (their table rows, or the arms')."""
    entries: list[ArmEntry] = []
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
        if (entry := ArmEntry.of(row, columns)) is not None:
            entries.append(entry)
    return entries


def setting_headers(entries: Sequence[ArmEntry]) -> list[str]:
    """The setting headers of the rows: one each time the setting changes (as ``layout_rows`` places them)."""
    return [entry.setting_label for index, entry in enumerate(entries) if index == 0 or entry.setting != entries[index - 1].setting]


def study_links(entries: Sequence[ArmEntry], url_for: UrlFor) -> LinkTargets:
    return LinkTargets(url_for, (("studies", entry.study_id) for entry in entries))


# --------------------------------------------------------------------------- row layout


@dataclass(frozen=True)
class Profile:
    """How a row figure is laid out: wide (study and arm in two label columns, panels side by side) or narrow, for
    phones (one label column, panels one above the other). Both stay within their width (WIDE_MAX_PX, NARROW_MAX_PX)."""

    narrow: bool
    study_wrap: int
    arm_wrap: int
    panel_width: float  # inches, each panel
    notes_wrap: int  # characters per line of the figure's own notes
    # value labels with their interval, counts and marks; else the value, and '*' for a mark spelled out under the figure
    full_labels: bool = True


WIDE = Profile(False, 20, 22, 1.45, 105)
WIDE_MARKED = dataclasses.replace(WIDE, full_labels=False)  # for a wide figure whose full labels would not fit its width
NARROW = Profile(True, 20, 22, 1.5, 50, full_labels=False)


_Words = TypeVar("_Words")  # a figure kind's words (the review's, worked out before drawing)


def fitting(draw: Callable[[tuple[ArmEntry, ...], _Words, Profile, UrlFor], MplFigure], entries: tuple[ArmEntry, ...], words: _Words,
            narrow: bool, url_for: UrlFor) -> MplFigure:
    """The figure in its layout: narrow; or wide with full value labels where they fit WIDE_MAX_PX, else with marks
    spelled out under it (a long mark beside a value near the axis's end would widen the figure past a screen's column)."""
    if narrow:
        return draw(entries, words, NARROW, url_for)
    fig = draw(entries, words, WIDE, url_for)
    return fig if crop_box(fig).width * 96 <= WIDE_MAX_PX else draw(entries, words, WIDE_MARKED, url_for)  # 96 px an inch


def marked_below(entries: Sequence[ArmEntry], columns: Sequence[str], names: Sequence[str]) -> str:
    """The marks a narrow figure writes as '*' beside a value, spelled out for under it (``names``: each column's, in a sentence)."""
    found = []
    for entry in entries:
        marks = [(name, entry.caveat(column)) for column, name in zip(columns, names, strict=True)
                 if entry.caveat(column) and entry.headline(column) is not None]
        if marks:  # one line per arm: its marks, each after the column it is on where the figure has several
            said = [f"{name if len(columns) > 1 else ''}{caveat}".strip() for name, caveat in marks]
            found.append(f"{entry.name}: {'; '.join(said)}")
    return ("\n* " + "\n* ".join(found)) if found else ""


LINE = 0.72  # extra height of each wrapped line, in row units


@dataclass
class PlacedRow:
    entry: ArmEntry
    y: float
    study_lines: list[str]
    arm_lines: list[str]


@dataclass
class RowLayout:
    rows: list[PlacedRow] = field(default_factory=list)
    headers: list[tuple[str, float]] = field(default_factory=list)
    height: float = 0.0  # in row units
    study_width: float = 0.0  # inches
    arm_width: float = 0.0
    narrow: bool = False

    @property
    def label_width(self) -> float:
        return max(self.study_width, self.arm_width) if self.narrow else self.study_width + 0.15 + self.arm_width


def layout_rows(entries: Sequence[ArmEntry], profile: Profile = WIDE) -> RowLayout:
    """y position of each group header and arm row (top = 0), with the label columns' widths.

    Narrow: the study's name above its arms' labels, in one column.
    """
    layout = RowLayout(narrow=profile.narrow)
    y = 0.0
    setting: str | None = None
    study_id: str | None = None
    for entry in entries:
        if entry.setting != setting:
            setting, study_id = entry.setting, None
            y += 0.35 if layout.headers else 0.0
            layout.headers.append((entry.setting_label, y))
            y += 1.0
        study_lines = wrap(entry.study_name, profile.study_wrap) if entry.study_id != study_id else []
        study_id = entry.study_id
        arm_lines = wrap(entry.arm_label, profile.arm_wrap)
        if profile.narrow:
            if study_lines:  # a line of its own above the arm
                layout.rows.append(PlacedRow(entry, y + (len(study_lines) - 1) * LINE / 2, study_lines, []))
                y += 1.0 + (len(study_lines) - 1) * LINE
            lines = len(arm_lines)
            layout.rows.append(PlacedRow(entry, y + (lines - 1) * LINE / 2, [], arm_lines))
            y += 1.0 + (lines - 1) * LINE
        else:
            lines = max(len(study_lines), len(arm_lines))
            layout.rows.append(PlacedRow(entry, y + (lines - 1) * LINE / 2, study_lines, arm_lines))
            y += 1.0 + (lines - 1) * LINE
        layout.study_width = max([layout.study_width, *(text_width(line, weight="bold" if profile.narrow else "normal") for line in study_lines)])
        layout.arm_width = max([layout.arm_width, *(text_width(line) for line in arm_lines)])
    layout.height = y
    return layout


def value_rows(layout: RowLayout) -> list[PlacedRow]:
    """The rows that carry an arm's values (a narrow layout's study lines carry none)."""
    return [row for row in layout.rows if row.arm_lines]


_ROW_INCHES = 0.23


def label_panel(ax: Axes, layout: RowLayout, url_for: UrlFor, study_header: str = "Study", arm_header: str = "Arm") -> None:
    """The left-hand columns: setting headers, study names (once per study) and arm labels, each a link."""
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    arm_x = 0.0 if layout.narrow else (layout.study_width + 0.15) / layout.label_width
    for row in layout.rows:
        url = url_for("studies", row.entry.study_id)
        if row.study_lines:
            link(ax.text(0, row.y, "\n".join(row.study_lines), va="center", ha="left", linespacing=1.25,
                         fontweight="bold" if layout.narrow else "normal"), url)
        if row.arm_lines:
            link(ax.text(arm_x + (0.04 if layout.narrow else 0.0), row.y, "\n".join(row.arm_lines), va="center", ha="left", linespacing=1.25,
                         color="#333333"), url)
    for label, y in layout.headers:
        ax.text(0, y, label, va="center", ha="left", fontweight="bold", fontsize=FONT_SIZE + 0.5)
    if layout.narrow:
        ax.text(0, -1.0, f"{study_header}, {arm_header.lower()}", va="center", ha="left", fontweight="bold", color=MUTED)
    else:
        ax.text(0, -1.0, study_header, va="center", ha="left", fontweight="bold", color=MUTED)
        ax.text(arm_x, -1.0, arm_header, va="center", ha="left", fontweight="bold", color=MUTED)


def stripes(axes: Sequence[Axes], layout: RowLayout) -> None:
    """Alternate row shading across all panels, so a row can be followed from label to value.

    Each stripe is what ``ax.axhspan`` makes (the same SVG), added without updating the data limits,
    which every row panel fixes anyway: ``axhspan`` spends most of its time on them.
    """
    from matplotlib.patches import Rectangle

    for index, row in enumerate(value_rows(layout)):
        if index % 2 == 0:
            lines = max(len(row.study_lines), len(row.arm_lines))
            half = 0.5 + (lines - 1) * LINE / 2
            low, high = row.y - half, row.y + half
            for ax in axes:
                ax.add_artist(Rectangle((0, low), 1, high - low, color=STRIPE, zorder=0, linewidth=0, transform=ax.get_yaxis_transform(which="grid")))


def row_figure(layouts: Sequence[RowLayout], panels: int, profile: Profile, extra_bottom: float = 0.0) -> tuple[MplFigure, list[Axes], list[Axes]]:
    """The figure, its label axes (one per block of rows) and its value panels.

    Wide: one block (``layouts`` holds one layout), the label column then the panels side by side. Narrow: one block
    per panel, one above the other, each with its own rows (``layouts`` holds one layout per panel), so that each
    fits a phone's width.
    """
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.ticker import NullLocator

    label_width = max(layout.label_width for layout in layouts)
    gap = 0.3
    per_block = 1 if profile.narrow else panels
    width = label_width + (profile.panel_width + gap) * per_block
    heights = [(layout.height + 1.6) * _ROW_INCHES for layout in layouts]
    between = 0.75  # inches between blocks: the axis labels of one, the title of the next
    height = sum(heights) + between * (len(layouts) - 1) + 0.5 + extra_bottom
    fig = MplFigure(figsize=(width, height), dpi=SVG_DPI)
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


def notes_lines(text: str, profile: Profile) -> list[str]:
    return [line for paragraph in text.split("\n") for line in wrap(paragraph, profile.notes_wrap)]


def figure_notes(fig: MplFigure, lines: list[str]) -> None:
    """The figure's own notes under it, wrapped to its width (room made by ``row_figure``'s ``extra_bottom``)."""
    fig.text(0.0, 0.0, "\n".join(lines), ha="left", va="bottom", fontsize=FONT_SIZE - 1.5, color=MUTED, linespacing=1.3)


def annotate(ax: Axes, x: float, y: float, text: str, within_limits: bool) -> None:
    """A value label just right of (x, y).

    ``within_limits``: the caller knows (x, y) lies within the axes' limits, where matplotlib's check that an
    annotated point is inside the axes always passes (the edges count as inside), so it is skipped: a
    point-in-path test per label when measuring and again when drawing. Elsewhere the check hides the label.
    """
    ax.annotate(text, (x, y), xytext=(5, 0), textcoords="offset points", va="center", ha="left", color=INK,
                fontsize=FONT_SIZE - 0.5, annotation_clip=False if within_limits else None)


def add_line(ax: Axes, xs: list[float], ys: list[float], **line_style: Any) -> None:
    """The line (or marks) that ``ax.plot(xs, ys, **line_style)`` draws, for a style with a colour (so no colour cycling).

    Added without updating the data limits, which the row panels set themselves after plotting:
    ``ax.plot`` spends most of its time on argument handling and limits, for thousands of rows.
    """
    from matplotlib.lines import Line2D

    ax.add_artist(Line2D(xs, ys, **line_style))


def nice_limit(high: float) -> float:
    """A round axis end a little beyond ``high`` with room for the value labels."""
    target = high * 1.3
    step = 10 ** math.floor(math.log10(target)) if target > 0 else 1
    for factor in (1, 2, 2.5, 5, 10):
        if factor * step >= target:
            return factor * step
    return 10 * step
