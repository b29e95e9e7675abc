"""The data export contract: outcomes.csv columns and rows, JSON records."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.pages.export import FORMULA_TRIGGERS, OUTCOME_COLUMNS, csv_bytes, data_files, outcomes_csv, records_json, unguard
from generator.records.link import link_loaded
from generator.records.load import load_corpus


def test_outcomes_csv_has_one_row_per_reported_value(project: Path) -> None:
    corpus, _ = link_loaded(load_corpus(project / "seeds", project))
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
    corpus, _ = link_loaded(load_corpus(project / "seeds", project))
    files = data_files(corpus)
    assert [r["id"] for r in json.loads(files["data/regimens.json"])] == ["drugamab", "placebo"]
    assert json.loads(files["data/cases.json"])[0]["timeline"][1]["start"] == "2021-03"


@pytest.mark.parametrize("which", ["fixture", "the review"])
def test_json_exports_are_the_records_as_validated_indented_for_diffs(project: Path, which: str) -> None:
    """The downloads' exact bytes: each record's model_dump, one space of indent, UTF-8 as written."""
    root = project if which == "fixture" else Path(__file__).resolve().parents[1]
    corpus, _ = link_loaded(load_corpus(root / "seeds", root))
    for kind, records in (("studies", corpus.studies), ("regimens", corpus.regimens), ("cases", corpus.cases)):
        expected = [record.model_dump(mode="json", exclude_none=True) for _, record in sorted(records.items())]
        assert records_json(dict(records)) == (json.dumps(expected, indent=1, ensure_ascii=False) + "\n").encode(), kind
    assert records_json({}) == b"[]\n"


# --------------------------------------------------------------------------- no formula reaches a spreadsheet



def _formula_like(cell: str) -> bool:
    return cell.startswith(FORMULA_TRIGGERS) and not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", cell)


@given(st.lists(st.text(), min_size=1, max_size=3))
def test_any_text_round_trips_through_csv_and_the_guard_and_never_starts_a_formula(texts: list[str]) -> None:
    columns = [f"c{index}" for index in range(len(texts))]
    written = csv_bytes(columns, [dict(zip(columns, texts, strict=True))]).decode("utf-8")
    [row] = list(csv.DictReader(io.StringIO(written, newline="")))
    assert [unguard(row[column]) for column in columns] == texts
    assert not any(_formula_like(cell) for cell in row.values())


@pytest.mark.parametrize("text", ["\r=1", "a\rb", "a\nb", "a\r\nb", "=1", "'x", "-0.5", "-"])
def test_line_breaks_and_formulas_round_trip(text: str) -> None:
    test_any_text_round_trips_through_csv_and_the_guard_and_never_starts_a_formula.hypothesis.inner_test([text])  # type: ignore[attr-defined]


# (a carriage return is refused in record text; csv_bytes guards it anyway: see the round trips above)
@pytest.mark.parametrize("payload", ["=HYPERLINK(\"http://evil.example\",\"x\")", "@SUM(A1:A9)", "+1+1", "-2+3", "\t=1", "\n=1", "'=1"])
def test_formulas_in_record_text_are_guarded_in_outcomes_csv(project: Path, payload: str) -> None:
    study = project / "seeds/studies/fixture-trial.yaml"
    text = study.read_text()
    assert "measure: orr" in text
    fields = f"\n        subgroup: {json.dumps(payload)}\n        subgroup_defined_by: baseline_feature\n        timepoint: {json.dumps(payload)}"
    study.write_text(text.replace("measure: orr", "measure: orr" + fields, 1))
    corpus, problems = link_loaded(load_corpus(project / "seeds", project))
    assert not problems
    rows = list(csv.DictReader(io.StringIO(outcomes_csv(corpus).decode(), newline="")))
    guarded = [row for row in rows if unguard(row["subgroup"]) == payload]
    assert guarded and all(row["subgroup"] == "'" + payload and row["timepoint"] == "'" + payload for row in guarded)
    assert not any(_formula_like(cell) for row in rows for cell in row.values())


def test_outcomes_csv_carries_each_values_definition(project: Path) -> None:
    study = project / "seeds/studies/fixture-trial.yaml"
    text = study.read_text()
    text = text.replace("      - measure: median_os\n        as_reported: 10.5 months", "      - measure: median_os\n        time_origin: randomisation\n"
                        "        as_reported: 10.5 months", 1)
    text = text.replace("      - measure: orr\n        as_reported: 12%", "      - measure: orr\n        response_criteria: mrecist\n"
                        "        assessed_by: independent_review\n        as_reported: 12%", 1)
    study.write_text(text)
    corpus, problems = link_loaded(load_corpus(project / "seeds", project))
    assert not problems
    rows = list(csv.DictReader(io.StringIO(outcomes_csv(corpus).decode(), newline="")))
    assert {"time_origin", "response_criteria", "assessed_by", "source_term", "population", "inferred"} <= set(rows[0])
    os_row = next(r for r in rows if r["arm"] == "drugamab" and r["measure"] == "median_os")
    orr_row = next(r for r in rows if r["arm"] == "drugamab" and r["measure"] == "orr")
    assert (os_row["time_origin"], os_row["response_criteria"], os_row["population"]) == ("randomisation", "", "treatment")
    assert (orr_row["response_criteria"], orr_row["assessed_by"], orr_row["time_origin"]) == ("mrecist", "independent_review", "")


def test_the_real_reviews_definitions_reach_outcomes_csv() -> None:
    root = Path(__file__).resolve().parents[1]
    corpus, _ = link_loaded(load_corpus(root / "seeds", root))
    rows = list(csv.DictReader(io.StringIO(outcomes_csv(corpus).decode(), newline="")))
    by = {(r["study_id"], r["arm"], r["measure"], r["subgroup"]): r for r in rows}
    # SORAMIC: the response rate is by mRECIST, its responders are a group defined by outcome
    assert by[("soramic-imaging-substudy", "all-patients", "orr", "")]["response_criteria"] == "mrecist"
    assert by[("soramic-imaging-substudy", "responders", "median_os", "")]["population"] == "outcome"
    # Sorafenib beyond progression: survival counted from the start of sorafenib, before the setting it is filed under
    assert by[("sorafenib-beyond-progression", "all-patients", "median_os", "")]["time_origin"] == "earlier_treatment_start"
    # Taiwan: the source's "remission rate", read as ORR
    assert by[("taiwan-lenalidomide", "lenalidomide", "orr", "")]["source_term"] == "remission rate"
