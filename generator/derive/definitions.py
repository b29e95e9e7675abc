"""What a reported value measures, exactly: its definition, and how two values' definitions compare.

A median counted from randomisation and one counted from the start of an earlier treatment are not the same
measure; nor is a response rate by one set of criteria the same as one by another, nor a rate the curators
*read* as the measure (the source says "remission rate") the same as one the source names so. The record holds each part
of the definition (``generator/records/schema.py``: ``time_origin``, ``response_criteria``, ``assessed_by``,
``source_term``, ``subgroup_defined_by``, and the arm's ``defined_by``); this module turns them into

- :func:`definition_of`: the definition of a value, as data (also exported in ``data/outcomes.csv``);
- :func:`tags_of`: the short words pages show beside the value wherever it appears ("mRECIST",
  "from the start of an earlier treatment", "the source's term: 'remission rate'");
- :func:`judge` (with a column's ``Accepts``, declared in the review file): whether a value belongs in a comparison column, and if not, why
  (the mark pages show, and whether figures may draw it).

Pure functions of the records; nothing here computes a clinical number.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from generator.records.schema import GROUP_BASIS_DESCRIPTIONS, GROUP_BASIS_LABELS, Arm, GroupBasis, ReportedValue
from generator.review.file import Accepts, ReviewFile


@dataclass(frozen=True)
class Definition:
    """A value's definition: every part the record states (None where the source does not state it)."""

    time_origin: str | None
    response_criteria: str | None
    assessed_by: str | None
    source_term: str | None  # the source's own name, where curators read it as the measure
    population: GroupBasis  # the arm's basis, or its subgroup's


def population_of(value: ReportedValue, arm: Arm | None) -> GroupBasis:
    """Who a value is about: a subgroup's basis where it has one, else the arm's (a whole-study value: its participants)."""
    if value.subgroup_defined_by is not None:
        # A subgroup of a group defined by outcome is defined by outcome too.
        if arm is not None and arm.defined_by is GroupBasis.outcome:
            return GroupBasis.outcome
        return value.subgroup_defined_by
    return arm.defined_by if arm is not None else GroupBasis.treatment


def definition_of(value: ReportedValue, arm: Arm | None) -> Definition:
    return Definition(value.time_origin, value.response_criteria, value.assessed_by, value.source_term, population_of(value, arm))


class TagKind(StrEnum):
    stated = "stated"  # a part of the definition the source states: shown, it does not set the value apart
    caveat = "caveat"  # read or shown with a caveat (the curators' reading of the source's term, partial responses only)
    inferred = "inferred"  # something of the value the curators inferred rather than read
    differs = "differs"  # measured differently from the column it stands in: marked, never drawn beside the others
    relative = "relative"  # a case date placed from a date the source gives relative to another step


@dataclass(frozen=True)
class Tag:
    kind: TagKind
    text: str  # a few words, shown beside the value
    explanation: str  # a sentence, for the page's legend and the tooltip


def tags_of(review: ReviewFile, value: ReportedValue, arm: Arm | None) -> list[Tag]:
    """The parts of a value's definition a reader should see beside it, in a fixed order."""
    tags: list[Tag] = []
    if value.time_origin is not None:
        label = review.label("time_origins", value.time_origin)
        tags.append(Tag(TagKind.stated, label, f"Time counted {label}."))
    if value.response_criteria is not None:
        label = review.label("response_criteria", value.response_criteria)
        tags.append(Tag(TagKind.stated, label, f"Response judged by {label}."))
    if value.assessed_by is not None:
        label = review.label("assessors", value.assessed_by)
        tags.append(Tag(TagKind.stated, label, f"Response {label}."))
    if value.source_term is not None:
        tags.append(Tag(TagKind.caveat, f"source: ‘{value.source_term}’",
                        f"The source calls it ‘{value.source_term}’; the curators read it as this measure."))
    population = population_of(value, arm)
    if population is not GroupBasis.treatment and (value.subgroup_defined_by is not None or arm is not None):
        tags.append(Tag(TagKind.stated, GROUP_BASIS_LABELS[population], f"The value is about {GROUP_BASIS_LABELS[population]}."))
    if value.inferred is not None:
        tags.append(inferred_tag(value.inferred))
    return tags


def inferred_tag(reason: str) -> Tag:
    """The mark of something the curators inferred rather than read, with their reason (as plain text)."""
    return Tag(TagKind.inferred, "inferred", "Inferred by the curators, not stated by the source: " + " ".join(str(reason).split()))


def relative_tag(span_words: str) -> Tag:
    """The mark of a case date placed from a relative date ("13 days after the October 2021 MRI"), with where that puts it."""
    return Tag(TagKind.relative, "relative date", f"Placed from a date the source gives relative to another step: {span_words}.")


def group_tag(arm: Arm) -> Tag:
    """What defines an arm that is not a treatment group, for its heading."""
    return Tag(TagKind.stated, GROUP_BASIS_LABELS[arm.defined_by], GROUP_BASIS_DESCRIPTIONS[arm.defined_by])


def describe_accepts(review: ReviewFile, accepts: Accepts) -> str:
    """A column's definition in words, for its header note."""
    parts = []
    if accepts.time_origins:
        parts.append("time counted " + _either([review.label("time_origins", o) if o else "from a time the source does not state"
                                                for o in accepts.time_origins]))
    if accepts.response_criteria:
        parts.append("response by " + _either([review.label("response_criteria", c) if c else "criteria the source does not state"
                                               for c in accepts.response_criteria]))
    return "; ".join(parts)


def _either(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


@dataclass(frozen=True)
class Judgement:
    """Whether a value may stand in a column as one of its like, and the marks to show beside it."""

    tags: tuple[Tag, ...]

    @property
    def differs(self) -> bool:
        return any(tag.kind is TagKind.differs for tag in self.tags)

    @property
    def marks(self) -> tuple[Tag, ...]:
        """The tags that set the value apart from the column (marked on tables and figures)."""
        return tuple(tag for tag in self.tags if tag.kind is not TagKind.stated)


def judge(review: ReviewFile, value: ReportedValue, arm: Arm | None, accepts: Accepts) -> Judgement:
    """The value's tags, with those of its definition the column does not hold turned into marks of difference."""
    tags = tags_of(review, value, arm)
    differing: list[Tag] = []
    if accepts.time_origins and value.time_origin not in accepts.time_origins:
        label = review.label("time_origins", value.time_origin) if value.time_origin else "from a time the source does not state"
        differing.append(Tag(TagKind.differs, label, f"Counted {label}, unlike the rest of the column ({describe_accepts(review, accepts)})."))
    if accepts.response_criteria and value.response_criteria not in accepts.response_criteria:
        label = review.label("response_criteria", value.response_criteria) if value.response_criteria else "criteria not stated"
        differing.append(Tag(TagKind.differs, label, f"Response by {label}, unlike the rest of the column ({describe_accepts(review, accepts)})."))
    if differing:
        # The differing part replaces its plain tag: the same words, now a mark.
        shown = {tag.text for tag in differing}
        tags = [tag for tag in tags if tag.text not in shown]
    if accepts.source_named and value.source_term is not None:
        tags = [Tag(TagKind.differs, tag.text, tag.explanation) if tag.kind is TagKind.caveat and tag.text.startswith("source:") else tag
                for tag in tags]
    return Judgement(tuple(differing + tags))
