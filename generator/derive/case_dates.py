"""Derive: each step of a case's timeline placed on the calendar, and how it was placed.

A date is placed as an interval of the days it allows, never as a duration: "November 2020" allows
1 to 30 November, "2021" the whole year, "13 days after the October 2021 MRI" 14 October to 13 November.
A plain "after" with nothing to bound it, and "more than", are open: the interval has no last day.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # the schema imports this module to check records: only names for type hints here
    from generator.records.schema import FollowUp, RelativeDate, TreatmentLine

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
Which = Literal["start", "end"]


class How(StrEnum):
    """How a date was placed; the page and the figure say so."""

    stated = "stated"  # to the day
    stated_month = "stated-to-month"
    stated_year = "stated-to-year"
    relative = "relative"  # counted from another step's date
    inferred = "inferred"  # the curators' inference (the step's `inferred` says why)


class DateError(ValueError):
    """A relative date that cannot be placed: it names no step, a step with no date, or goes round in a circle."""


@dataclass(frozen=True)
class PlacedDate:
    first: dt.date  # earliest day the date allows
    last: dt.date | None  # latest day; None: open ("after", "more than"), any day from ``first`` on
    how: How
    words: str  # as the page says it: "November 2020", "13 days after the October 2021 MRI"
    precision: Literal["day", "month", "year"] = "day"  # of a stated date; a relative one takes its anchor's

    @property
    def exact(self) -> bool:
        return self.last == self.first

    @property
    def open(self) -> bool:
        return self.last is None

    @property
    def relative(self) -> bool:
        return self.how is How.relative

    @property
    def span_words(self) -> str:
        """Where it was placed, for a relative date: "placed 14 October – 13 November 2021"."""
        if self.last is None:
            return f"placed on or after {day_words(self.first)}"
        if self.exact:
            return f"placed on {day_words(self.first)}"
        return f"placed between {day_words(self.first)} and {day_words(self.last)}"


@dataclass(frozen=True)
class PlacedStep:
    index: int  # in the timeline
    line: TreatmentLine
    start: PlacedDate | None
    end: PlacedDate | None


@dataclass(frozen=True)
class CaseDates:
    steps: tuple[PlacedStep, ...]
    follow_up: PlacedDate | None

    def span(self) -> tuple[dt.date, dt.date] | None:
        """First and last day any placed date allows (an open date counts by its first day)."""
        dates = [date for step in self.steps for date in (step.start, step.end) if date is not None]
        if self.follow_up is not None:
            dates.append(self.follow_up)
        if not dates:
            return None
        return min(d.first for d in dates), max(d.last or d.first for d in dates)


def day_words(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def stated_date(text: str, inferred: bool = False) -> PlacedDate:
    """``2021-06-25`` → that day; ``2021-06`` → the month; ``2021`` → the year (an uncertainty, not a duration)."""
    parts = [int(part) for part in text.split("-")]
    how = How.inferred if inferred else None
    if len(parts) == 1:
        return PlacedDate(dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31), how or How.stated_year, f"{parts[0]} (month not stated)", "year")
    if len(parts) == 2:
        last = calendar.monthrange(parts[0], parts[1])[1]
        return PlacedDate(dt.date(parts[0], parts[1], 1), dt.date(parts[0], parts[1], last), how or How.stated_month,
                          f"{MONTHS[parts[1] - 1]} {parts[0]}", "month")
    day = dt.date(parts[0], parts[1], parts[2])
    return PlacedDate(day, day, how or How.stated, day_words(day), "day")


def add_time(day: dt.date, offset: int, unit: str) -> dt.date:
    """``day`` plus an offset in days, weeks, months or years; the 31st plus a month is the month's last day."""
    if unit == "days":
        return day + dt.timedelta(days=offset)
    if unit == "weeks":
        return day + dt.timedelta(weeks=offset)
    months = offset * 12 if unit == "years" else offset
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _offset_words(offset: int, unit: str) -> str:
    return f"{offset} {unit.removesuffix('s') if offset == 1 else unit}"


def _noun(line: TreatmentLine) -> str:
    """What a relative date calls the step it counts from: "MRI", "surgery", "the start of exampletinib"."""
    head = line.label.split(":")[0]
    if ":" in line.label and len(head) <= 24:
        return head
    if line.kind == "systemic":
        label = line.label[0].lower() + line.label[1:] if line.label[1:2].islower() else line.label
        name = line.id if line.id and "-" not in line.id else label  # a one-word id names a drug more briefly than the label
        return f"start of {name}"
    return {"diagnosis": "diagnosis", "surgery": "surgery", "radiotherapy": "radiotherapy", "tace": "TACE", "haic": "HAIC",
            "imaging": "scan"}.get(line.kind, line.label)


class _Placer:
    def __init__(self, timeline: Sequence[TreatmentLine]) -> None:
        self.timeline = timeline
        self.by_id = {line.id: line for line in timeline if line.id}
        self.starts: dict[int, PlacedDate | None] = {}
        self.ends: dict[int, PlacedDate | None] = {}
        self.placing: list[tuple[int, Which]] = []  # the chain being placed, to name a circle

    def step(self, name: str, field: str) -> TreatmentLine:
        line = self.by_id.get(name)
        if line is None:
            known = ", ".join(repr(step) for step in self.by_id) or "none"
            raise DateError(f"`{field}: {name}` names no step of the timeline (steps with an id: {known})")
        return line

    def place(self, line: TreatmentLine, which: Which) -> PlacedDate | None:
        index = next(i for i, item in enumerate(self.timeline) if item is line)
        done = self.starts if which == "start" else self.ends
        if index in done:
            return done[index]
        if (index, which) in self.placing:
            chain = " → ".join(f"{self.timeline[i].id or self.timeline[i].label} ({w})" for i, w in self.placing)
            raise DateError(f"the relative dates go round in a circle: {chain}")
        self.placing.append((index, which))
        try:
            stated = line.start if which == "start" else line.end
            relative = line.start_after if which == "start" else line.end_after
            if stated is not None:
                placed: PlacedDate | None = stated_date(stated, which in line.inferred_dates)
            elif relative is not None:
                placed = self.relative(relative, line, which)
            else:
                placed = None
        finally:
            self.placing.pop()
        done[index] = placed
        return placed

    def relative(self, relative: RelativeDate, own: TreatmentLine | None, which: Which) -> PlacedDate:
        anchor_line = self.step(relative.after, "after")
        anchor = self.place(anchor_line, "start")
        if anchor is None:
            raise DateError(f"`after: {relative.after}` names a step with no start date to count from")
        if anchor_line is own:
            subject = "its start"
        elif anchor.relative or anchor.open:
            subject = f"the {_noun(anchor_line)}"  # its own placement is told where it stands
        elif _noun(anchor_line).startswith("start of "):
            subject = f"the {_noun(anchor_line)} ({anchor.words})"
        else:
            subject = f"the {anchor.words} {_noun(anchor_line)}"
        how = How.inferred if own is not None and which in own.inferred_dates else How.relative
        bound = self.bound(relative, own, which)
        if relative.offset is not None and relative.unit is not None:
            first = add_time(anchor.first, relative.offset, relative.unit)
            last = None if relative.at_least or anchor.last is None else add_time(anchor.last, relative.offset, relative.unit)
            words = f"{'more than ' if relative.at_least else ''}{_offset_words(relative.offset, relative.unit)} after {subject}"
        else:
            first, last, words = anchor.first, None, f"after {subject}"
        if bound is not None:
            if bound < first:
                raise DateError(f"placed after {relative.after!r} but before a step that comes earlier")
            last = bound if last is None else min(last, bound)  # a step it came before cuts the days it allows
        return PlacedDate(first, last, how, words, anchor.precision)

    def bound(self, relative: RelativeDate, own: TreatmentLine | None, which: Which) -> dt.date | None:
        """The latest day a relative date allows: the start of the step named ``before``, else (for a plain 'after' start) the step's own
        stated end."""
        if relative.before is not None:
            bound = self.place(self.step(relative.before, "before"), "start")
            if bound is None:
                raise DateError(f"`before: {relative.before}` names a step with no start date")
            return bound.last or bound.first
        if relative.offset is None and own is not None and which == "start" and own.end is not None:
            return stated_date(own.end).last
        return None


def place_dates(timeline: Sequence[TreatmentLine], follow_up: FollowUp | None = None) -> CaseDates:
    """Every step's start and end, and the last follow-up, placed; raises :class:`DateError` for a date that cannot be."""
    placer = _Placer(timeline)
    steps = tuple(PlacedStep(index, line, placer.place(line, "start"), placer.place(line, "end")) for index, line in enumerate(timeline))
    placed_follow_up: PlacedDate | None = None
    if follow_up is not None and follow_up.last_follow_up is not None:
        placed_follow_up = stated_date(follow_up.last_follow_up)
    elif follow_up is not None and follow_up.last_follow_up_after is not None:
        placed_follow_up = placer.relative(follow_up.last_follow_up_after, None, "start")
    for step in steps:
        if step.start is not None and step.end is not None and step.end.last is not None and step.end.last < step.start.first:
            raise DateError(f"{step.line.id or step.line.label!r} ends ({step.end.words}) before it starts ({step.start.words})")
    return CaseDates(steps, placed_follow_up)
