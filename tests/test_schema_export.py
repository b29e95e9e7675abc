"""The JSON Schemas for editors are derived from the models and kept current."""

from __future__ import annotations

import json

from generator.cli import SCHEMA_FILES, json_schemas
from tests.conftest import ROOT


def test_committed_json_schemas_are_current() -> None:
    for name, text in json_schemas().items():
        committed = ROOT / "schema" / name
        assert committed.read_text(encoding="utf-8") == text, f"schema/{name} is stale: run `make schema`"


def test_json_schema_forbids_unknown_fields_and_lists_the_measures() -> None:
    study = json.loads(json_schemas()[SCHEMA_FILES["studies"]])
    assert study["additionalProperties"] is False
    measures = study["$defs"]["Measure"]["enum"]
    assert {"n", "orr", "dcr", "cr", "pr", "median_pfs", "median_os"} <= set(measures)
