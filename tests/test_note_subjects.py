"""A curation note's `field` path, said in words (generator/derive/note_subjects.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.derive.note_subjects import NoteFieldError, describe
from generator.pipeline import Review
from generator.records.load import load_review_file
from generator.records.schema import StudyRecord

_REVIEW, _ = load_review_file(Path(__file__).resolve().parents[1] / "seeds/review.yaml", Path(__file__).resolve().parents[1])


def _label(measure: str) -> str:
    assert _REVIEW is not None
    return _REVIEW.label("measures", measure)


def _study(real_review: Review, study_id: str) -> StudyRecord:
    return real_review.corpus.studies[study_id]


def _words(record: StudyRecord, field: str) -> str:
    return describe(record, field, _label).words


def test_a_value_is_named_by_its_arm_and_measure(real_review: Review) -> None:
    study = _study(real_review, "soramic-imaging-substudy")
    arm = study.arms[0]
    index = next(i for i, value in enumerate(arm.outcomes) if value.measure == "orr")
    assert _words(study, f"arms[0].outcomes[{index}]") == f"Arm ‘{arm.label}’: ORR"


def test_every_item_qualifiers_and_several_paths(real_review: Review) -> None:
    study = _study(real_review, "soramic-imaging-substudy")
    assert _words(study, "arms[*].outcomes (median_os, orr)") == "Every arm: Median OS, ORR"
    assert _words(study, "study_type, design") == "Study type; Design"
    assert _words(study, "") == ""


def test_a_timeline_step_named_in_brackets(real_review: Review) -> None:
    case = real_review.corpus.cases["zhang-2024-lenvatinib-resistant"]
    assert describe(case, "timeline (HAIC).dose", _label).words == "Timeline step (HAIC): dose"


@pytest.mark.parametrize(("field", "message"), [
    ("arms[9]", "no `arms[9]`"),
    ("arms[0].outcome", "no field `outcome`"),
    ("armz", "no field `armz`"),
    ("arms[0]outcomes", "expected “.”"),
    ("summary[0]", "`summary` has 0 items"),
    ("arms[0] (never closed", "never closed"),
])
def test_a_path_that_names_nothing_is_an_error(real_review: Review, field: str, message: str) -> None:
    with pytest.raises(NoteFieldError, match=message.replace("[", r"\[").replace("]", r"\]")):
        _words(_study(real_review, "soramic-imaging-substudy"), field)
