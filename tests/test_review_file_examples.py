"""The review file's examples: every field of every model of `seeds/review.yaml` has examples that validate, on their own
and together, as the records' fields do (tests/test_curator_guide.py).

The curator's guide shows each field's examples, and the JSON Schema gives them to editors: an example a field would
refuse, or first examples that no review file could hold together, would teach a curator to write a file that fails.
"""

from __future__ import annotations

from typing import Annotated, Any, get_args

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from generator.review_file import ComparisonSpec, ReviewFile


def reachable_models() -> list[type[BaseModel]]:
    """The review file's model and every model nested in it, in order of first use."""
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

    visit(ReviewFile)
    return found


MODELS = reachable_models()
FIELDS = [(model, name) for model in MODELS for name in model.model_fields]


def field_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    """A validator of one field on its own: its annotation with the field's own constraints (lengths, bounds, patterns)."""
    info = model.model_fields[name]
    annotated: Any = Annotated[info.annotation, info]  # a type built at run time: the field as declared
    return TypeAdapter(annotated)


def first_examples(model: type[BaseModel]) -> dict[str, Any]:
    return {name: info.examples[0] for name, info in model.model_fields.items() if info.examples}


def test_the_walk_reaches_every_model_of_the_review_file() -> None:
    names = {model.__name__ for model in MODELS}
    assert {"ReviewFile", "Term", "MeasureTerm", "SumCheck", "PartitionCheck", "Checks", "DesignTerm", "InterventionClass", "StepTerm",
            "Registry", "Grouping", "CaseVocabulary", "Accepts", "Fallback", "ColumnSpec", "Scope", "EffectSpec", "FigureSpec",
            "ComparisonSpec", "EvidenceMap", "Texts"} <= names
    assert len(FIELDS) >= 110


@pytest.mark.parametrize(("model", "name"), FIELDS, ids=[f"{model.__name__}.{name}" for model, name in FIELDS])
def test_every_field_has_examples_that_validate_on_their_own(model: type[BaseModel], name: str) -> None:
    examples = model.model_fields[name].examples
    assert examples, f"{model.__name__}.{name} has no example"
    adapter = field_adapter(model, name)
    for example in examples:
        adapter.validate_python(example)  # nested mappings are validated as their models, their own cross-field checks included


@pytest.mark.parametrize("model", MODELS, ids=[model.__name__ for model in MODELS])
def test_the_first_examples_of_a_models_fields_make_a_valid_whole(model: type[BaseModel]) -> None:
    """Checks between fields hold too: a scope is `every` or names settings, an effect has a total or its non-events, and the
    review file's columns, comparisons and figures name only the measures, settings and columns its own examples declare."""
    model.model_validate(first_examples(model))


def test_the_whole_check_applies_the_checks_between_fields() -> None:
    """The check above can fail: a review file's comparison naming an undeclared column, an effect given both a total and its
    non-events, a scope both `every` and of settings."""
    whole = first_examples(ReviewFile)
    comparison = {**whole["comparisons"][0], "columns": ["n", "undeclared"]}
    with pytest.raises(ValidationError, match="unknown column 'undeclared'"):
        ReviewFile.model_validate({**whole, "comparisons": [comparison]})
    with pytest.raises(ValidationError, match="exactly one"):
        field_adapter(ComparisonSpec, "effect").validate_python({**first_examples(ComparisonSpec)["effect"], "non_events": "no_tb"})
    with pytest.raises(ValidationError, match="a scope is `every`"):
        field_adapter(ComparisonSpec, "arms").validate_python({"settings": ["second_line"], "every": True})
