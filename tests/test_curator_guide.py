"""The curator's guide: every field of every record kind has a description and an example that validates, and the
generated guide page names every field, every allowed value and every example.

The expected fields, values and examples are read from the models (and their JSON Schemas), not from
generator/pages/guide.py, so that a field the guide's walker missed would fail here.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, get_args

import pytest
import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from generator.pages.render import plan_pages
from generator.pipeline import ReviewConfig, render_review, validate_review
from generator.records.schema import RECORD_KINDS, Citation, Glossary, SourceCatalogue, StudyRecord
from generator.review.file import ComparisonSpec, ReviewFile
from tests.conftest import FIXTURE, ROOT

ROOTS: dict[str, type[BaseModel]] = {**RECORD_KINDS, "glossary": Glossary, "sources": SourceCatalogue, "review": ReviewFile}


def reachable_models() -> list[type[BaseModel]]:
    """Every model a curator writes: the record kinds, the glossary, and every model nested in them."""
    found: list[type[BaseModel]] = []

    def visit(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation not in found:
                found.append(annotation)
                for info in annotation.model_fields.values():
                    visit(info.annotation)
            return
        for argument in get_args(annotation):
            visit(argument)

    for model in ROOTS.values():
        visit(model)
    return found


MODELS = reachable_models()
FIELDS = [(model, name) for model in MODELS for name in model.model_fields]


def field_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    """A validator of one field on its own: its annotation with the field's own constraints (lengths, bounds, patterns)."""
    info = model.model_fields[name]
    annotated: Any = Annotated[info.annotation, info]  # a type built at run time: the field as declared
    return TypeAdapter(annotated)


# --------------------------------------------------------------------------- examples in the schema


def test_the_walk_reaches_every_nested_model() -> None:
    names = {model.__name__ for model in MODELS}
    assert {"StudyRecord", "RegimenRecord", "CaseRecord", "Glossary", "GlossaryTerm", "ReportedValue", "Evidence", "SourceRef",
            "CurationNote", "Citation", "Drug", "Design", "Arm", "Patient", "TreatmentLine", "MarkerReading", "CaseAdverseEvent",
            "FollowUp"} <= names
    assert {"ReviewFile", "Term", "MeasureTerm", "SumCheck", "PartitionCheck", "Checks", "DesignTerm", "InterventionClass", "StepTerm",
            "Registry", "Grouping", "CaseVocabulary", "Accepts", "Fallback", "ColumnSpec", "Scope", "EffectSpec", "PoolingSpec", "FigureSpec",
            "ComparisonSpec", "EvidenceMap", "Texts"} <= names  # the review file's models too
    assert len(FIELDS) >= 240


@pytest.mark.parametrize(("model", "name"), FIELDS, ids=[f"{model.__name__}.{name}" for model, name in FIELDS])
def test_every_field_has_a_description_and_examples_that_validate(model: type[BaseModel], name: str) -> None:
    info = model.model_fields[name]
    assert info.description, f"{model.__name__}.{name} has no description"
    assert info.examples, f"{model.__name__}.{name} has no example"
    adapter = field_adapter(model, name)
    for example in info.examples:
        adapter.validate_python(example)  # nested mappings are validated as their models


def test_the_field_check_applies_each_fields_constraints() -> None:
    """The check above can fail: a field's pattern, bounds and nested model are all applied."""
    with pytest.raises(ValidationError):
        field_adapter(StudyRecord, "id").validate_python("Not An Id")
    with pytest.raises(ValidationError):
        field_adapter(Citation, "year").validate_python(1800)
    with pytest.raises(ValidationError):
        field_adapter(StudyRecord, "arms").validate_python([{"id": "exampletinib"}])  # an arm needs its label and regimen
    with pytest.raises(ValidationError):
        field_adapter(StudyRecord, "sources").validate_python([])  # at least one


# Fields whose example is of another kind of value than the rest of the model's examples (a time origin is not given for a
# response rate; a relative start replaces a dated one; a comparison pools or says why not): each is checked in a whole of its
# own, the fields it replaces left out.
OTHER_WHOLES: dict[str, list[tuple[set[str], dict[str, object]]]] = {
    "ReportedValue": [({"time_origin"}, {"measure": "median_os", "as_reported": "10.5 months", "value": 10.5, "unit": "months"})],
    "TreatmentLine": [({"start_after", "end_after"}, {})],
    "ComparisonSpec": [({"not_pooled"}, {})],
}
_REPLACED = {"ReportedValue": {"time_origin", "response_criteria", "assessed_by", "source_term", "numerator", "denominator", "ci_low", "ci_high",
                               "ci_level", "measure", "as_reported", "value", "unit"},
             "TreatmentLine": {"start", "end", "start_after", "end_after"},
             "ComparisonSpec": {"pooling", "not_pooled"}}


@pytest.mark.parametrize("model", MODELS, ids=[model.__name__ for model in MODELS])
def test_the_first_examples_of_a_models_fields_make_a_valid_whole(model: type[BaseModel]) -> None:
    """Checks between fields hold too (a numerator within its denominator, a follow-up after the timeline starts …)."""
    examples = {name: info.examples[0] for name, info in model.model_fields.items() if info.examples}
    others = OTHER_WHOLES.get(model.__name__, [])
    apart = set().union(*(fields for fields, _ in others)) if others else set()
    model.model_validate({name: example for name, example in examples.items() if name not in apart})
    for fields, base in others:
        kept = {name: example for name, example in examples.items() if name not in _REPLACED[model.__name__]}
        model.model_validate({**kept, **base, **{name: examples[name] for name in fields}})


def test_the_whole_check_applies_the_checks_between_fields() -> None:
    """The check above can fail: the review file's comparison naming a column its examples do not declare, an effect given both
    a total and its non-events, a scope both `every` and of settings, a comparison both pooled and not."""
    whole = {name: info.examples[0] for name, info in ReviewFile.model_fields.items() if info.examples}
    comparison = {**whole["comparisons"][0], "columns": ["n", "undeclared"]}
    with pytest.raises(ValidationError, match="unknown column 'undeclared'"):
        ReviewFile.model_validate({**whole, "comparisons": [comparison]})
    effect = ComparisonSpec.model_fields["effect"].examples
    assert effect
    with pytest.raises(ValidationError, match="exactly one"):
        field_adapter(ComparisonSpec, "effect").validate_python({**effect[0], "non_events": "no_tb"})
    with pytest.raises(ValidationError, match="a scope is `every`"):
        field_adapter(ComparisonSpec, "arms").validate_python({"settings": ["second_line"], "every": True})
    examples = {name: info.examples[0] for name, info in ComparisonSpec.model_fields.items() if info.examples}
    with pytest.raises(ValidationError, match="not both"):
        ComparisonSpec.model_validate(examples)


# --------------------------------------------------------------------------- the guide page


def schema_fields(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, property) of every field in a JSON Schema, nested objects and list items included: `arms[].outcomes[].value`."""
    definitions = schema.get("$defs", {})

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = definitions[node["$ref"].rsplit("/", 1)[1]]
        return node

    def walk(node: dict[str, Any], prefix: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for name, prop in node["properties"].items():
            yield prefix + name, prop
            for branch in (resolve(b) for b in prop.get("anyOf", [prop]) if b.get("type") != "null"):
                if "properties" in branch:
                    yield from walk(branch, f"{prefix}{name}.")
                elif branch.get("type") == "array" and "properties" in resolve(branch["items"]):
                    yield from walk(resolve(branch["items"]), f"{prefix}{name}[].")

    yield from walk(schema, "")


def enum_values(node: object) -> set[str]:
    """Every value of every enumeration in a JSON Schema (vocabularies and fixed choices)."""
    if isinstance(node, dict):
        found = {str(value) for value in node.get("enum", [])}
        return found.union(*(enum_values(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(enum_values(item) for item in node))
    return set()


def table_rows(markdown: str) -> Iterator[list[str]]:
    """The cells of each row of the page's field tables (those headed "| Field |"), split at unescaped pipes."""
    in_table = False
    for line in markdown.splitlines():
        if line.startswith("| Field |"):
            in_table = True
        elif not line.startswith("|"):
            in_table = False
        elif in_table and not line.startswith("|---"):
            yield [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]


def code_spans(cell: str) -> list[str]:
    return [plain or html.unescape(tagged) for plain, tagged in re.findall(r"`([^`]+)`|<code>(.*?)</code>", cell)]


@pytest.fixture(scope="module")
def guide_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """guide.md as the pipeline renders it for the fixture review."""
    project = tmp_path_factory.mktemp("guide") / "review"
    shutil.copytree(FIXTURE, project, ignore=shutil.ignore_patterns("site", ".litreview-generated.json"))
    config = ReviewConfig.from_options(project, "seeds", str(ROOT / "templates"), "docs", "sources")
    return render_review(config, validate_review(config)).files["manual/guide.md"].decode()


def test_the_guide_names_every_field_of_every_record_kind_once_per_place(guide_page: str) -> None:
    expected = sorted(path for model in ROOTS.values() for path, _ in schema_fields(model.model_json_schema()))
    assert "arms[].outcomes[].as_reported" in expected and "timeline[].evidence[].quote" in expected and "terms[].term" in expected
    shown = sorted(code_spans(cells[0])[0] for cells in table_rows(guide_page))
    assert shown == expected


def test_every_row_has_five_cells_and_says_whether_the_field_is_required(guide_page: str) -> None:
    rows = list(table_rows(guide_page))
    assert rows and all(len(cells) == 5 and cells[1] in {"required", "optional"} for cells in rows)
    required = {code_spans(cells[0])[0] for cells in rows if cells[1] == "required"}
    assert {"id", "sources", "arms[].regimen", "timeline[].evidence", "terms[].term"} <= required
    assert not {"acronym", "arms[].dose", "citation.year"} & required


def test_the_guide_lists_every_allowed_value(guide_page: str) -> None:
    """The tool's own vocabularies (from the schemas) and the review's (every id its review file declares)."""
    values = set().union(*(enum_values(model.model_json_schema()) for model in ROOTS.values()))
    assert {"double-blind", "arithmetic", "median", "proportion", "risk_ratio"} <= values
    review = ReviewFile.model_validate(yaml.safe_load((FIXTURE / "seeds" / "review.yaml").read_text(encoding="utf-8")))
    declared = {term.id for vocabulary in (review.settings.values, review.designs, review.measures, review.intervention_classes,
                                           review.routes, review.time_origins, review.response_criteria, review.assessors)
                for term in vocabulary}
    assert review.case_reports is not None
    declared |= {term.id for term in (*review.case_reports.steps, *review.case_reports.responses)}
    assert {"orr", "after_sorafenib", "randomised_trial", "PR", "systemic"} <= declared
    shown = {span for line in guide_page.splitlines() for span in code_spans(line)}
    assert values | declared <= shown, f"allowed values missing from the guide: {sorted((values | declared) - shown)}"


def test_each_fields_examples_appear_in_its_row_as_a_record_file_reads_them(guide_page: str) -> None:
    """Each example cell, read back as a record file is read, gives the field's examples from the JSON Schema."""
    expected = sorted((path, json.dumps(prop["examples"], sort_keys=True))
                      for model in ROOTS.values() for path, prop in schema_fields(model.model_json_schema()))
    shown = []
    for cells in table_rows(guide_page):
        path = code_spans(cells[0])[0]
        read = [yaml.safe_load(span) for span in code_spans(cells[4])]
        name = path.rsplit(".", 1)[-1]
        assert read and all(isinstance(item, dict) and list(item) == [name] for item in read), (path, cells[4])
        shown.append((path, json.dumps([item[name] for item in read], sort_keys=True)))
    assert len(shown) > 200
    assert sorted(shown) == expected


def test_the_guide_says_its_examples_are_fictional(guide_page: str) -> None:
    assert "fictional" in guide_page.split("## ", 1)[0]
    assert "not evidence" in guide_page


def test_the_guide_page_is_planned_in_the_tools_manual_out_of_the_navigation(tmp_path: Path) -> None:
    project = tmp_path / "review"
    shutil.copytree(FIXTURE, project, ignore=shutil.ignore_patterns("site", ".litreview-generated.json"))
    review = validate_review(ReviewConfig.from_options(project, "seeds", str(ROOT / "templates"), "docs", "sources"))
    pages = {page.path: page for page in plan_pages(review.corpus, review.derived)}
    assert pages["manual/guide.md"].template == "guide.md.j2" and not pages["manual/guide.md"].listed


# --------------------------------------------------------------------------- the pre-commit hook


def test_the_pre_commit_hook_validates_the_records_and_the_guide_shows_how_to_use_it(guide_page: str) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert len(hooks) == 1
    hook = hooks[0]
    assert hook["id"] == "litreview-validate" and hook["entry"] == "litreview validate" and hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert re.match(hook["files"], "seeds/studies/example.yaml") and not re.match(hook["files"], "docs/seeds/example.yaml")
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert hook["entry"].split()[0] in scripts
    snippet = re.search(r"```yaml\n(.*?)```", guide_page, re.S)
    assert snippet, "the guide shows no .pre-commit-config.yaml snippet"
    config = yaml.safe_load(snippet.group(1))
    assert [h["id"] for repo in config["repos"] for h in repo["hooks"]] == [hook["id"]]
    # the very lines a new review gets from `litreview init`: no address or release tag to invent
    starter = yaml.safe_load((ROOT / "generator" / "starter" / "dot-pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert config == starter and "example.org" not in guide_page


# --------------------------------------------------------------------------- the built site


def test_the_built_guide_is_in_the_manual_out_of_the_readers_navigation_with_whole_table_rows(review_site: Path) -> None:
    page = (review_site / "manual" / "guide" / "index.html").read_text(encoding="utf-8")
    home = (review_site / "index.html").read_text(encoding="utf-8")
    about = (review_site / "about" / "index.html").read_text(encoding="utf-8")
    # The reader's navigation holds the review; the tool's manual (guide, benchmarks, internals) is reached from About.
    nav_links = re.findall(r'<a href="([^"]*)" class="md-nav__link', home)
    assert "compare/" in nav_links and "about/" in nav_links
    assert not [link for link in nav_links if link.startswith("manual/")], nav_links
    assert 'href="../manual/"' in about
    for manual_page in ("manual/index.html", "manual/benchmarks/index.html", "manual/architecture/index.html"):
        assert (review_site / manual_page).is_file(), manual_page
    # nor in the reader's search
    search = json.loads((review_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert search["docs"] and not [doc["location"] for doc in search["docs"] if doc["location"].startswith("manual/")]
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    field_rows = [row for row in rows if row.count("<td") == 5]
    assert len(field_rows) > 200
    assert all(row.count("<td") in {0, 2, 5} for row in rows), "a pipe split a table cell"
    assert "\\|" not in page  # an escaped pipe shown with its backslash
