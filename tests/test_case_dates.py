"""Placing a case's dates on the calendar: stated, to the month or year, relative, chained, 'more than', open, and refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from generator.derive.case_dates import DateError, How, add_time, place_dates, stated_date
from generator.records.schema import CaseRecord, FollowUp, TreatmentLine

D = dt.date


def step(id: str | None = None, kind: str = "imaging", label: str | None = None, **fields: Any) -> TreatmentLine:
    regimen = {"regimen": "drug"} if kind in {"systemic", "surgery", "tace"} else {}
    return TreatmentLine.model_validate({"kind": kind, "label": label or f"Step {id}", **({"id": id} if id else {}), **regimen, **fields,
                                         "evidence": [{"source": "900_0000000000000abc.txt", "quote": "a quote"}]})


def follow_up(**fields: Any) -> FollowUp:
    return FollowUp.model_validate({"status": "alive", "evidence": [{"source": "900_0000000000000abc.txt", "quote": "a quote"}], **fields})


def test_a_day_a_month_and_a_year_as_stated() -> None:
    day, month, year = stated_date("2021-06-25"), stated_date("2020-11"), stated_date("2021")
    assert (day.first, day.last, day.how, day.words, day.exact) == (D(2021, 6, 25), D(2021, 6, 25), How.stated, "25 June 2021", True)
    assert (month.first, month.last, month.how, month.words) == (D(2020, 11, 1), D(2020, 11, 30), How.stated_month, "November 2020")
    assert (year.first, year.last, year.how, year.words) == (D(2021, 1, 1), D(2021, 12, 31), How.stated_year, "2021 (month not stated)")
    assert stated_date("2024-02").last == D(2024, 2, 29)  # a leap year's February
    assert stated_date("2021-03", inferred=True).how is How.inferred


def test_adding_days_weeks_months_and_years() -> None:
    assert add_time(D(2021, 10, 1), 13, "days") == D(2021, 10, 14)
    assert add_time(D(2021, 6, 25), 3, "weeks") == D(2021, 7, 16)
    assert add_time(D(2021, 1, 31), 1, "months") == D(2021, 2, 28)  # the month's last day, not 3 March
    assert add_time(D(2021, 11, 30), 2, "months") == D(2022, 1, 30)
    assert add_time(D(2020, 2, 29), 1, "years") == D(2021, 2, 28)


def test_relative_to_a_month_is_placed_over_the_days_it_allows() -> None:
    """'13 days after the October 2021 MRI': from 14 October to 13 November, never from January."""
    timeline = [step("mri", label="MRI: recurrence", start="2021-10"),
                step("combo", kind="systemic", label="Lenvatinib plus sintilimab", start_after={"after": "mri", "offset": 13, "unit": "days"},
                     end="2022-02")]
    placed = place_dates(timeline).steps[1]
    assert placed.start is not None and placed.end is not None
    assert (placed.start.first, placed.start.last, placed.start.how) == (D(2021, 10, 14), D(2021, 11, 13), How.relative)
    assert placed.start.words == "13 days after the October 2021 MRI"
    assert placed.start.span_words == "placed between 14 October 2021 and 13 November 2021"
    assert placed.end.how is How.stated_month


@pytest.mark.parametrize(("offset", "unit", "first"), [(3, "days", D(2021, 6, 28)), (3, "weeks", D(2021, 7, 16)), (6, "months", D(2021, 12, 25)),
                                                       (2, "years", D(2023, 6, 25))])
def test_relative_to_a_day_is_a_day(offset: int, unit: str, first: dt.date) -> None:
    timeline = [step("len", kind="systemic", label="Lenalidomide", start="2021-06-25"),
                step(None, start_after={"after": "len", "offset": offset, "unit": unit})]
    placed = place_dates(timeline).steps[1].start
    assert placed is not None and placed.exact and placed.first == first
    assert placed.words.startswith(f"{offset} {unit.removesuffix('s') if offset == 1 else unit} after the start of len")


def test_chained_relative_dates_carry_the_uncertainty_on() -> None:
    """Surgery in November 2020, lenvatinib 1 month later 'for 11 months' (counted from its own start), a scan 3 days after that."""
    timeline = [step("surgery", kind="surgery", label="Hepatectomy", start="2020-11"),
                step("lenvatinib", kind="systemic", label="Lenvatinib", start_after={"after": "surgery", "offset": 1, "unit": "months"},
                     end_after={"after": "lenvatinib", "offset": 11, "unit": "months"}),
                step("scan", start_after={"after": "lenvatinib", "offset": 3, "unit": "days"})]
    steps = place_dates(timeline).steps
    start, end, scan = steps[1].start, steps[1].end, steps[2].start
    assert start is not None and end is not None and scan is not None
    assert (start.first, start.last) == (D(2020, 12, 1), D(2020, 12, 30))
    assert (end.first, end.last, end.words) == (D(2021, 11, 1), D(2021, 11, 30), "11 months after its start")
    assert (scan.first, scan.last) == (D(2020, 12, 4), D(2021, 1, 2))
    assert scan.words == "3 days after the start of lenvatinib"  # a relative anchor's own placement is told where it stands


def test_more_than_is_open_after_its_first_day() -> None:
    timeline = [step("len", kind="systemic", label="Lenalidomide", start="2021-06-25")]
    placed = place_dates(timeline, follow_up(last_follow_up_after={"after": "len", "offset": 3, "unit": "years", "at_least": True})).follow_up
    assert placed is not None and placed.open and placed.first == D(2024, 6, 25)
    assert placed.words == "more than 3 years after the start of len (25 June 2021)"
    assert placed.span_words == "placed on or after 25 June 2024"


def test_plain_after_is_bounded_by_the_next_step_named_else_by_its_own_end_else_open() -> None:
    timeline = [step("mri-07", label="MRI: resistant", start="2022-07"), step("mri-10", label="MRI: response", start="2022-10"),
                step("len", kind="systemic", label="Lenalidomide", start_after={"after": "mri-07", "before": "mri-10"}),
                step("reg", kind="systemic", label="Regorafenib", start_after={"after": "mri-07"}, end="2022-08-15"),
                step(None, start_after={"after": "mri-07"})]
    steps = place_dates(timeline).steps
    bounded, own_end, unbounded = steps[2].start, steps[3].start, steps[4].start
    assert bounded is not None and (bounded.first, bounded.last, bounded.words) == (D(2022, 7, 1), D(2022, 10, 31), "after the July 2022 MRI")
    assert own_end is not None and own_end.last == D(2022, 8, 15)
    assert unbounded is not None and unbounded.open and unbounded.span_words == "placed on or after 1 July 2022"


def test_unknown_dates_stay_unplaced_and_the_span_covers_every_placed_day() -> None:
    timeline = [step("a", start="2020"), step(None), step(None, kind="systemic", label="Drug", start="2021-03", end="2021-09-02")]
    dates = place_dates(timeline, follow_up(last_follow_up="2022-01"))
    assert dates.steps[1].start is None and dates.steps[1].end is None
    assert dates.span() == (D(2020, 1, 1), D(2022, 1, 31))


def test_inferred_dates_are_marked_so() -> None:
    line = step("cam", kind="systemic", label="Camrelizumab", start="2020-09", end="2021-06", inferred="From the discussion.",
                inferred_dates=["start"])
    placed = place_dates([line]).steps[0]
    assert placed.start is not None and placed.end is not None
    assert (placed.start.how, placed.end.how) == (How.inferred, How.stated_month)
    with pytest.raises(ValidationError, match="needs `inferred`"):
        step("x", start="2020", inferred_dates=["start"])


@pytest.mark.parametrize(("timeline", "match"), [
    ([step("a", start_after={"after": "b", "offset": 1, "unit": "days"}), step("b", start_after={"after": "a", "offset": 1, "unit": "days"})],
     "circle"),
    ([step("a", start_after={"after": "a", "offset": 1, "unit": "days"})], "circle"),
    ([step("a", kind="systemic", label="Drug", start_after={"after": "a", "offset": 1, "unit": "days"},
           end_after={"after": "a", "offset": 2, "unit": "days"})], "circle"),
    ([step("a", start_after={"after": "surgery", "offset": 2, "unit": "weeks"})], "after: surgery.*names no step"),
    ([step("a", start="2021"), step("b", start_after={"after": "a", "before": "nowhere"})], "before: nowhere.*names no step"),
    ([step("a"), step("b", start_after={"after": "a", "offset": 2, "unit": "weeks"})], "no start date to count from"),
    ([step("a", start="2021-05"), step("b", start="2021-01"), step("c", start_after={"after": "a", "before": "b"})], "comes earlier"),
])
def test_dates_that_cannot_be_placed_are_refused(timeline: list[TreatmentLine], match: str) -> None:
    with pytest.raises(DateError, match=match):
        place_dates(timeline)


def test_a_case_record_with_a_circle_is_refused_when_loaded() -> None:
    base: dict[str, Any] = {"id": "c", "title": "T", "short_name": "C", "sources": [{"document": "900_0000000000000abc.txt", "role": "r"}],
                            "setting": "after_sorafenib", "patient": {}, "summary": "S."}
    timeline = [{"kind": "imaging", "id": "a", "label": "A", "start_after": {"after": "b", "offset": 1, "unit": "days"},
                 "evidence": [{"source": "900_0000000000000abc.txt", "quote": "a quote"}]},
                {"kind": "imaging", "id": "b", "label": "B", "start_after": {"after": "a", "offset": 1, "unit": "days"},
                 "evidence": [{"source": "900_0000000000000abc.txt", "quote": "a quote"}]}]
    with pytest.raises(ValidationError, match="circle"):
        CaseRecord.model_validate({**base, "timeline": timeline})



def test_a_step_it_came_before_cuts_the_days_an_offset_allows() -> None:
    """'2 days later, in February 2022' style: counted from a month, and before the next dated step."""
    timeline = [step("reg", kind="systemic", label="Regorafenib", start="2022-02"), step("mri", label="MRI: progression", start="2022-03-01"),
                step(None, start_after={"after": "reg", "offset": 2, "unit": "days", "before": "mri"})]
    placed = place_dates(timeline).steps[2].start
    assert placed is not None and (placed.first, placed.last) == (D(2022, 2, 3), D(2022, 3, 1))
