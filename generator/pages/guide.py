"""The curator's guide: every field of every record kind, in words, derived from the models of ``generator/records/schema.py``.

Python decides what the page says of each field (its path in the record, its type in words, whether it is
required, the values it allows, its description and its examples, written as a record file writes them);
``templates/guide.md.j2`` decides how the page reads. Nothing is written twice: a field added to the schema,
with its description and example, appears on the page by itself.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from annotated_types import Ge, Gt, Le, Lt, MinLen
from markupsafe import Markup
from pydantic import BaseModel, StringConstraints
from pydantic.fields import FieldInfo

from generator.records import schema
from generator.records.text import markdown_literal
from generator.review.file import ReviewFile


@dataclass(frozen=True)
class Words:
    """A piece of a field's type in words: plain text, a literal value (shown as code), or a link within the page."""

    text: str
    code: bool = False
    anchor: str | None = None


@dataclass(frozen=True)
class FieldRow:
    path: str  # where the field sits in a record, e.g. `arms[].outcomes[].as_reported`
    name: str
    type: tuple[Words, ...]  # "text", "one of `a`, `b` or `c`", "list of mappings (arm)" …
    required: bool
    values: tuple[str, ...]  # the values it allows, when they are a fixed few (a vocabulary or a literal)
    description: Markup  # the schema's own Markdown, not record text
    examples: tuple[str, ...]  # each as a record file writes it: `name: value`, on one line


@dataclass(frozen=True)
class ModelTable:
    """The fields of one mapping of a record: the record itself (path "") or a nested one (`arms[]`, `design`)."""

    anchor: str
    path: str
    title: str
    intro: Markup | None
    rows: tuple[FieldRow, ...]


@dataclass(frozen=True)
class RecordGuide:
    kind: str
    title: str
    location: str  # where its files live
    tables: tuple[ModelTable, ...]


@dataclass(frozen=True)
class Vocabulary:
    """A controlled vocabulary: the values a field may take, with their meaning where the schema gives one."""

    anchor: str
    title: str
    intro: Markup | None
    entries: tuple[tuple[str, Markup | str], ...]  # (value, meaning; "" where the schema gives none)


@dataclass(frozen=True)
class Guide:
    records: tuple[RecordGuide, ...]
    vocabularies: tuple[Vocabulary, ...]
    text_max_length: int
    prose_max_length: int


RECORD_TITLES = {"studies": "Studies", "regimens": "Regimens", "cases": "Case reports"}
GLOSSARY = ("glossary", "Glossary", "seeds/glossary.yaml", schema.Glossary)
SOURCES = ("sources", "Source documents", "seeds/sources.yaml", schema.SourceCatalogue)
REVIEW = ("review", "The review file", "seeds/review.yaml", ReviewFile)


def _constraints(metadata: list[Any]) -> tuple[object, ...]:
    """What makes a text type what it is: its constraints and validators, descriptions aside."""
    return tuple(item for item in metadata if not isinstance(item, FieldInfo))


# The schema's named text types; any other text is described by its constraints.
_NAMED_TEXT: list[tuple[tuple[object, ...], tuple[Words, ...]]] = [
    (_constraints(list(get_args(named)[1:])), words) for named, words in [
        (schema.RecordId, (Words("id: lower-case words joined by hyphens"),)),
        (schema.VocabularyId, (Words("id: letters and digits, words joined by "), Words("_", code=True), Words(" or "), Words("-", code=True))),
        (schema.SourceName, (Words("file name of a source document"),)),
        (schema.PartialDate, (Words("date: "), Words("YYYY", code=True), Words(", "), Words("YYYY-MM", code=True), Words(" or "),
                              Words("YYYY-MM-DD", code=True))),
        (schema.ReviewDate, (Words("date: "), Words("YYYY-MM-DD", code=True))),
        (schema.ProseText, (Words("prose (Markdown)"),)),
        (schema.NonEmptyText, (Words("text, not empty"),)),
        (schema.Text, (Words("text"),)),
    ]
]


def words_of(name: str) -> str:
    """`ReportedValue` → "reported value"."""
    return " ".join(re.findall(r"[A-Z][a-z0-9]*", name)).lower() or name


def anchor_of(kind: str, path: str) -> str:
    """The page anchor of a mapping's table: `studies`, `studies-arms-outcomes`, `cases-follow-up` … (letters, digits, hyphens)."""
    return "-".join([kind, *[part for part in re.split(r"\[\]|\.", path) if part]]).replace("_", "-")


def vocabulary_anchor(vocabulary: type[StrEnum]) -> str:
    return f"vocabulary-{vocabulary.__name__.lower()}"


def example_yaml(name: str, example: object) -> str:
    """``name: value`` on one line, as a record file writes it (quoted only where YAML needs it)."""
    text = yaml.safe_dump({name: example}, default_flow_style=True, allow_unicode=True, sort_keys=False, width=math.inf)
    return text.strip().removeprefix("{").removesuffix("}")


@dataclass(frozen=True)
class TypeWords:
    words: tuple[Words, ...]
    values: tuple[str, ...] = ()  # allowed values, if a fixed few
    model: type[BaseModel] | None = None  # the nested model, if any
    vocabulary: type[StrEnum] | None = None


def describe_type(annotation: Any, metadata: list[Any], anchor: str) -> TypeWords:
    """A field's type in words; a nested mapping links to ``anchor``, where its table is."""
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *more = get_args(annotation)
        return describe_type(base, [*more, *metadata], anchor)
    if origin is Union or origin is UnionType:
        kept = [arg for arg in get_args(annotation) if arg is not NoneType]  # optional: told by "required"
        if len(kept) != 1:
            raise TypeError(f"no words for the union {annotation!r}")
        return describe_type(kept[0], metadata, anchor)
    if origin is Literal:
        values = tuple(str(value) for value in get_args(annotation))
        return TypeWords((Words("one of "), *_listed(values)), values)
    if origin is list:
        inner = describe_type(get_args(annotation)[0], [], anchor)
        least = [item.min_length for item in metadata if isinstance(item, MinLen)]
        items = (Words("mappings"), *_link(inner.model, anchor)) if inner.model else inner.words
        return TypeWords((Words("list of "), *items, *([Words(f", at least {least[0]}")] if least else [])), inner.values, inner.model, inner.vocabulary)
    if origin is dict:
        key, value = (describe_type(arg, [], anchor) for arg in get_args(annotation))
        return TypeWords((Words("mapping of "), *key.words, Words(" to "), *value.words))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return TypeWords((Words("mapping"), *_link(annotation, anchor)), model=annotation)
    if isinstance(annotation, type) and issubclass(annotation, StrEnum):
        values = tuple(member.value for member in annotation)
        return TypeWords((Words("a value of "), Words(words_of(annotation.__name__), anchor=vocabulary_anchor(annotation))), values, vocabulary=annotation)
    if annotation is bool:
        return TypeWords((Words("true", code=True), Words(" or "), Words("false", code=True)))
    if annotation is int or annotation is float:
        bounds = _bounds(metadata)
        return TypeWords((Words(("whole number" if annotation is int else "number") + (", " + " and ".join(bounds) if bounds else "")),))
    if annotation is str:
        return TypeWords(_text_words(metadata))
    raise TypeError(f"no words for the type {annotation!r}")


def _link(model: type[BaseModel] | None, anchor: str) -> tuple[Words, ...]:
    return (Words(" ("), Words(words_of(model.__name__), anchor=anchor), Words(")")) if model else ()


def _listed(values: tuple[str, ...]) -> list[Words]:
    words: list[Words] = []
    for index, value in enumerate(values):
        if index:
            words.append(Words(" or " if index == len(values) - 1 else ", "))
        words.append(Words(value, code=True))
    return words


def _bounds(metadata: list[Any]) -> list[str]:
    found = []
    for item in metadata:
        if isinstance(item, Ge):
            found.append(f"at least {item.ge}")
        elif isinstance(item, Gt):
            found.append(f"above {item.gt}")
        elif isinstance(item, Le):
            found.append(f"at most {item.le}")
        elif isinstance(item, Lt):
            found.append(f"below {item.lt}")
    return found


def _text_words(metadata: list[Any]) -> tuple[Words, ...]:
    key = _constraints(metadata)
    for named, words in _NAMED_TEXT:
        if key == named:
            return words
    found = [Words("text")]
    for constraint in (item for item in metadata if isinstance(item, StringConstraints)):
        low, high = constraint.min_length, constraint.max_length
        if low and high:
            found.append(Words(f", {low} to {high} characters"))
        elif low:
            found.append(Words(", not empty"))
        elif high:
            found.append(Words(f", at most {high} characters"))
        if constraint.pattern:
            found += [Words(" matching "), Words(str(constraint.pattern), code=True)]
    return tuple(found)


def _first_paragraph(doc: str | None) -> Markup | None:
    """A docstring's first paragraph, on one line (the schema's own Markdown)."""
    return Markup(" ".join(doc.strip().split("\n\n")[0].split())) if doc else None


def review_vocabulary_of(info: FieldInfo) -> str | None:
    """The anchor of the review vocabulary a field's ids come from (``MeasureId``, ``SettingId`` … mark theirs), optional or not."""
    def walk(annotation: Any) -> str | None:
        if get_origin(annotation) is Annotated:
            for meta in annotation.__metadata__:
                extra = meta.json_schema_extra if isinstance(meta, FieldInfo) else None
                if isinstance(extra, dict) and "vocabulary" in extra:
                    return str(extra["vocabulary"])
            return walk(get_args(annotation)[0])
        if get_origin(annotation) in (Union, UnionType):
            return next((found for arg in get_args(annotation) if arg is not NoneType and (found := walk(arg))), None)
        return None

    extra = info.json_schema_extra
    return str(extra["vocabulary"]) if isinstance(extra, dict) and "vocabulary" in extra else walk(info.annotation)


def field_rows(model: type[BaseModel], kind: str, path: str = "") -> list[FieldRow]:
    """One row per field of ``model``, the mapping at ``path`` (`""`, `arms[]`, `design` …) in a record of ``kind``."""
    prefix = f"{path}." if path else ""
    rows = []
    for name, info in model.model_fields.items():
        described = describe_type(info.annotation, list(info.metadata), anchor_of(kind, prefix + name))
        vocabulary = review_vocabulary_of(info)
        if vocabulary is not None:  # an id of one of the review file's vocabularies: linked to it, listed below
            described = TypeWords((Words("an id of the review's "), Words(vocabulary.replace("-", " "), anchor=f"vocabulary-{vocabulary}")))
        rows.append(FieldRow(
            path=prefix + name,
            name=name,
            type=described.words,
            required=info.is_required(),
            values=described.values,
            description=Markup(info.description or ""),
            examples=tuple(example_yaml(name, example) for example in info.examples or ()),
        ))
    return rows


def model_tables(model: type[BaseModel], kind: str, path: str = "") -> list[ModelTable]:
    """The table of ``model`` (at ``path`` in a record of ``kind``), then those of the mappings nested in it, in field order."""
    tables = [ModelTable(anchor_of(kind, path), path, words_of(model.__name__), _first_paragraph(model.__dict__.get("__doc__")),
                         tuple(field_rows(model, kind, path)))]
    for name, info in model.model_fields.items():
        described = describe_type(info.annotation, list(info.metadata), "")
        if described.model is not None:
            child = f"{path}.{name}" if path else name
            tables += model_tables(described.model, kind, child + ("[]" if get_origin(_bare(info.annotation)) is list else ""))
    return tables


def _bare(annotation: Any) -> Any:
    """The annotation without ``None`` (optional fields)."""
    if get_origin(annotation) in (Union, UnionType):
        kept = [arg for arg in get_args(annotation) if arg is not NoneType]
        return kept[0] if len(kept) == 1 else annotation
    return annotation


def vocabularies(models: list[type[BaseModel]]) -> list[Vocabulary]:
    """Every controlled vocabulary the fields of ``models`` (and of the mappings nested in them) use, in order of first use."""
    found: dict[type[StrEnum], None] = {}
    seen: set[type[BaseModel]] = set()

    def walk(model: type[BaseModel]) -> None:
        seen.add(model)
        for info in model.model_fields.values():
            described = describe_type(info.annotation, list(info.metadata), "")
            if described.vocabulary is not None:
                found.setdefault(described.vocabulary)
            if described.model is not None and described.model not in seen:
                walk(described.model)

    for model in models:
        walk(model)
    return [Vocabulary(vocabulary_anchor(enum), words_of(enum.__name__).capitalize(), _first_paragraph(enum.__dict__.get("__doc__")),
                       tuple((member.value, "") for member in enum))
            for enum in found]


def review_vocabularies(review: ReviewFile) -> list[Vocabulary]:
    """The vocabularies this review's file declares, with their words: what records may write in each field."""
    def terms(anchor: str, title: str, intro: str, entries: list[tuple[str, str]]) -> Vocabulary:
        return Vocabulary(f"vocabulary-{anchor}", title, Markup(intro), tuple(entries))

    found = [
        terms("settings", f"Settings ({review.settings.label})", "A study's, arm's or case's `setting`.", [(t.id, t.label) for t in review.settings.values]),
        terms("designs", "Study designs", "A study's `study_type`, with its rank as evidence (1 is strongest).",
              [(t.id, f"{t.label} (rank {t.rank})") for t in review.designs]),
        terms("measures", "Measures", "A value's `measure` (and a comparison's `endpoint`), with its kind.",
              [(t.id, Markup("{} ({})").format(t.description or t.label, t.kind.value)) for t in review.measures]),
        terms("intervention-classes", "Intervention classes", "A drug's `drug_class`.", [(t.id, t.label) for t in review.intervention_classes]),
    ]
    for anchor, title, intro, vocabulary in (("routes", "Routes", "A drug's `route`.", review.routes),
                                             ("time-origins", "Time origins", "A value's `time_origin`.", review.time_origins),
                                             ("response-criteria", "Response criteria", "A value's `response_criteria`.", review.response_criteria),
                                             ("assessors", "Assessors", "A value's `assessed_by`.", review.assessors)):
        found.append(terms(anchor, title, intro, [(t.id, t.label) for t in vocabulary]))  # an empty one says "none declared"
    found.append(terms("registries", "Registries", "Ids a study's `registry_ids` may hold.",
                       [(r.label, Markup("ids matching <code>{}</code>").format(Markup(markdown_literal(r.pattern)))) for r in review.registries]))
    cases = review.case_reports
    found.append(terms("steps", "Case timeline steps", "A timeline step's `kind`.", [(t.id, t.label) for t in (cases.steps if cases else [])]))
    found.append(terms("responses", "Case responses", "A timeline step's `best_response`.",
                       [(t.id, t.label) for t in (cases.responses if cases else [])]))
    return found


def curator_guide(review: ReviewFile | None = None) -> Guide:
    """The whole guide: each record kind, then the review, glossary and source-documents files, with their tables; the tool's
    vocabularies they use, then (given the review file) the review's own."""
    kinds: list[tuple[str, str, str, type[BaseModel]]] = [
        (kind, RECORD_TITLES.get(kind, kind.capitalize()), f"seeds/{kind}/<id>.yaml", model) for kind, model in schema.RECORD_KINDS.items()]
    kinds += [REVIEW, GLOSSARY, SOURCES]
    records = tuple(RecordGuide(kind, title, location, tuple(model_tables(model, kind))) for kind, title, location, model in kinds)
    own = review_vocabularies(review) if review is not None else []
    return Guide(records, tuple(own + vocabularies([model for *_, model in kinds])), schema.TEXT_MAX_LENGTH, schema.PROSE_MAX_LENGTH)
