"""The JSON Schemas for editors are derived from the models and kept current."""

from __future__ import annotations

import json

from generator.cli import SCHEMA_FILES, json_schemas
from tests.conftest import ROOT


def test_committed_json_schemas_are_current() -> None:
    for name, text in json_schemas().items():
        committed = ROOT / "schema" / name
        assert committed.read_text(encoding="utf-8") == text, f"schema/{name} is stale: run `make schema`"


def test_json_schema_forbids_unknown_fields_and_leaves_vocabularies_to_the_review_file() -> None:
    study = json.loads(json_schemas()[SCHEMA_FILES["studies"]])
    assert study["additionalProperties"] is False
    measure = study["$defs"]["ReportedValue"]["properties"]["measure"]
    assert "enum" not in measure and measure["pattern"]  # an id: which ones, the review's own file says
    review = json.loads(json_schemas()["review.schema.json"])
    assert {"settings", "designs", "measures", "comparisons"} <= set(review["required"]) | set(review["properties"])
