"""The data export contract: outcomes.csv columns and rows, JSON records."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from generator.export import OUTCOME_COLUMNS, data_files, records_json
from generator.link import resolve_links
from generator.load import load_corpus


def test_outcomes_csv_has_one_row_per_reported_value(project: Path) -> None:
    corpus, _ = resolve_links(load_corpus(project / "seeds", project).records)
    files = data_files(corpus)
    rows = list(csv.DictReader(io.StringIO(files["data/outcomes.csv"].decode())))
    assert tuple(rows[0]) == OUTCOME_COLUMNS
    assert len(rows) == 1 + 5 + 2  # enrolment + five drugamab values + two placebo values
    placebo_orr = next(r for r in rows if r["arm"] == "placebo" and r["measure"] == "orr")
    assert (placebo_orr["value"], placebo_orr["as_reported"], placebo_orr["regimen_id"]) == ("", "<1%", "placebo")
    placebo_os = next(r for r in rows if r["arm"] == "placebo" and r["measure"] == "median_os")
    assert placebo_os["value"] == "7.0"  # as the source writes it
    dcr = next(r for r in rows if r["measure"] == "dcr")
    assert (dcr["numerator"], dcr["denominator"], dcr["source"]) == ("150", "200", "900_0000000000000abc.txt")


def test_json_exports_hold_every_record_with_its_id(project: Path) -> None:
    corpus, _ = resolve_links(load_corpus(project / "seeds", project).records)
    files = data_files(corpus)
    assert [r["id"] for r in json.loads(files["data/regimens.json"])] == ["drugamab", "placebo"]
    assert json.loads(files["data/cases.json"])[0]["timeline"][0]["start"] == "2021-03"


@pytest.mark.parametrize("which", ["fixture", "the review"])
def test_json_exports_are_the_records_as_validated_indented_for_diffs(project: Path, which: str) -> None:
    """The downloads' exact bytes: each record's model_dump, one space of indent, UTF-8 as written."""
    root = project if which == "fixture" else Path(__file__).resolve().parents[1]
    corpus, _ = resolve_links(load_corpus(root / "seeds", root).records)
    for kind, records in (("studies", corpus.studies), ("regimens", corpus.regimens), ("cases", corpus.cases)):
        expected = [record.model_dump(mode="json", exclude_none=True) for _, record in sorted(records.items())]
        assert records_json(dict(records)) == (json.dumps(expected, indent=1, ensure_ascii=False) + "\n").encode(), kind
    assert records_json({}) == b"[]\n"
