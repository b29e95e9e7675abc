"""Machine-readable exports published under ``data/``: a contract other tools rely on.

- ``outcomes.csv``: one row per reported value of every study (arm values, enrolment and
  population figures), columns in :data:`OUTCOME_COLUMNS`. A text cell that a spreadsheet would
  run as a formula is written with a leading apostrophe (:func:`spreadsheet_safe`).
- ``studies.json``, ``regimens.json``, ``cases.json``: every record as validated.
- ``pooled.json`` and ``pooled.csv`` (in a review that pools): every pooled estimate, computed here, with its
  studies, their weights, why any was left out, and the leave-one-out refits (:func:`generator.pages.pooled.pooled_records`).
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from enum import Enum
from functools import partial

from pydantic import BaseModel, TypeAdapter

from generator.derive.definitions import population_of
from generator.derive.evidence import stated_form
from generator.records.link import Corpus
from generator.records.schema import Arm, ReportedValue, StudyRecord

OUTCOME_COLUMNS = (
    "study_id", "arm", "regimen_id", "measure", "value", "unit", "numerator", "denominator", "as_reported",
    "source", "quote", "category", "statistic", "endpoint", "comparator", "timepoint", "subgroup",
    "ci_low", "ci_high", "ci_level", "range_low", "range_high",
    # the value's definition (generator/derive/definitions.py): empty where the source does not state it
    "time_origin", "response_criteria", "assessed_by", "source_term", "population", "inferred",
)
# Columns computed from the record rather than copied from one field.
_DERIVED_COLUMNS = frozenset({"population"})
_NUMBER_COLUMNS = ("value", "ci_low", "ci_high", "ci_level", "range_low", "range_high")

# OWASP's rule for CSV injection: a cell starting with one of these is read as a formula by Excel, LibreOffice and
# Google Sheets. The apostrophe, which spreadsheets read as "text follows" and do not show, is itself guarded so
# that the rule can be undone: drop one leading apostrophe from a cell that has one (:func:`unguard`).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
GUARD = "'"
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def spreadsheet_safe(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs as a formula: a leading apostrophe where it starts with a trigger
    (a number such as ``-0.5`` is left as it is: spreadsheets read it as the number it is)."""
    # Spreadsheets skip leading blanks (a space, a no-break space …) and read full-width signs (＝ ＋ － ＠) as the
    # ASCII ones: a trigger after them starts a formula too.
    lead = unicodedata.normalize("NFKC", text).lstrip()
    if (text.startswith((*FORMULA_TRIGGERS, GUARD)) or lead.startswith(FORMULA_TRIGGERS)) and not _PLAIN_NUMBER.fullmatch(text):
        return GUARD + text
    return text


def unguard(cell: str) -> str:
    """The text of a cell written by :func:`spreadsheet_safe`."""
    return cell[1:] if cell.startswith(GUARD) else cell


def _study_values(study: StudyRecord) -> Iterator[tuple[Arm | None, ReportedValue]]:
    if study.enrolment is not None:
        yield None, study.enrolment
    for value in study.population_values:
        yield None, value
    for arm in study.arms:
        for value in arm.outcomes:
            yield arm, value


def outcome_rows(corpus: Corpus) -> list[dict[str, str]]:
    """The rows of ``outcomes.csv``, as text (unguarded: :func:`outcomes_csv` guards every cell)."""
    rows = []
    for study in corpus.studies.values():
        for arm, value in _study_values(study):
            row = {"study_id": study.id, "arm": arm.id if arm else "", "regimen_id": arm.regimen if arm else "",
                   "population": population_of(value, arm).value}
            for column in OUTCOME_COLUMNS[3:]:
                if column in _DERIVED_COLUMNS:
                    continue
                item = getattr(value, column)
                if item is None:
                    row[column] = ""
                elif column in _NUMBER_COLUMNS:
                    # the number as the source writes it ("7.0" stays "7.0"), without thousands separators
                    row[column] = stated_form(item, value.as_reported, value.quote).replace(",", "")
                else:
                    row[column] = item.value if isinstance(item, Enum) else str(item)
            rows.append(row)
    return rows


def csv_bytes(columns: Sequence[str], rows: Iterable[dict[str, str]]) -> bytes:
    """A CSV file as RFC 4180 has it (CRLF line ends: Python's writer then quotes a field holding either a carriage
    return or a line feed, which a bare LF ending would leave unquoted), every cell spreadsheet-safe, in UTF-8."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({column: spreadsheet_safe(cell) for column, cell in row.items()} for row in rows)
    return buffer.getvalue().encode("utf-8")


def outcomes_csv(corpus: Corpus) -> bytes:
    return csv_bytes(OUTCOME_COLUMNS, outcome_rows(corpus))


_RECORD_LIST = TypeAdapter(list[BaseModel])  # serialize_as_any: each record with the fields of its own model


def records_json(records: dict[str, BaseModel]) -> bytes:
    ordered = [record for _, record in sorted(records.items())]
    # pydantic's own serializer: the same bytes as json.dumps(indent=1, ensure_ascii=False) of model_dump,
    # four times faster (the standard library's indenting encoder is pure Python)
    return _RECORD_LIST.dump_json(ordered, indent=1, exclude_none=True, serialize_as_any=True) + b"\n"


def data_file_makers(corpus: Corpus) -> dict[str, Callable[[], bytes]]:
    """Each download's path, and how to make its bytes (made as they are written: a large review's are megabytes)."""
    return {
        "data/outcomes.csv": partial(outcomes_csv, corpus),
        "data/studies.json": partial(records_json, dict(corpus.studies)),
        "data/regimens.json": partial(records_json, dict(corpus.regimens)),
        "data/cases.json": partial(records_json, dict(corpus.cases)),
    }


def data_files(corpus: Corpus) -> dict[str, bytes]:
    return {path: make() for path, make in data_file_makers(corpus).items()}


POOLED_COLUMNS = (
    "comparison", "row", "study_id", "first_arm", "second_arm", "events_first", "total_first", "events_second", "total_second",
    "estimate", "ci_low", "ci_high", "pi_low", "pi_high", "weight_percent", "not_pooled_because",
    "effect", "model", "transform", "k", "tau2", "i2_percent", "h2", "q", "q_df", "q_p_value",
)


def _cell(value: object) -> str:
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


def pooled_csv(records: list[dict[str, object]]) -> bytes:
    """``pooled.json`` flat: one row per study (or arm, for a single proportion) of each pooled comparison (``row`` = ``study``), one for the pooled
    estimate (``pooled``) and one per leave-one-out refit (``without``, ``study_id`` naming the study left out)."""
    rows: list[dict[str, str]] = []
    for record in records:
        shared = {"comparison": str(record["comparison"]), "effect": str(record["effect"]), "model": str(record["model"]),
                  "transform": _cell(record.get("transform"))}  # a single proportion's pooling scale
        for study in record["studies"]:  # type: ignore[attr-defined]
            rows.append({**shared, "row": "study", **{key: _cell(study.get(key)) for key in POOLED_COLUMNS if key in study}})
        numbers = record["pooled"]
        if isinstance(numbers, dict):
            rows.append({**shared, "row": "pooled", **{key: _cell(numbers.get(key)) for key in POOLED_COLUMNS if key in numbers}})
        for left in record["leave_one_out"]:  # type: ignore[attr-defined]
            rows.append({**shared, "row": "without", "study_id": left["left_out"],
                         **{key: _cell(left.get(key)) for key in POOLED_COLUMNS if key in left and key != "study_id"}})
    return csv_bytes(POOLED_COLUMNS, ({column: row.get(column, "") for column in POOLED_COLUMNS} for row in rows))


def pooled_json(records: list[dict[str, object]]) -> bytes:
    return json.dumps(records, indent=1, ensure_ascii=False).encode("utf-8") + b"\n"


def pooled_file_makers(records: list[dict[str, object]]) -> dict[str, Callable[[], bytes]]:
    """The pooled estimates' downloads, in a review that pools (none otherwise)."""
    if not records:
        return {}
    return {"data/pooled.json": partial(pooled_json, records), "data/pooled.csv": partial(pooled_csv, records)}
