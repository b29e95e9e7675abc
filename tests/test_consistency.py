"""Consistency checks: each check passes agreeing figures and flags disagreeing ones, allowing for rounding."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import pytest

from generator.derive import consistency
from generator.derive.consistency import (
    ARMS_VS_ENROLMENT,
    CHECKS,
    COUNT_VS_N,
    PERCENT_VS_COUNT,
    CheckRules,
    ConsistencyFlag,
    _splits_into_cohorts,
    check_consistency,
    decimals_of,
    flags_by_value,
    percent_agrees,
    stated_text,
)
from generator.pipeline import Review
from generator.records.link import Corpus
from generator.records.load import Loc, load_review_file
from generator.records.schema import Arm, GroupBasis, ReportedValue, SourceRef, StudyRecord
from generator.review.file import ReviewFile

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "900_0000000000000abc.txt"


def _real_review_file() -> ReviewFile:
    review, problems = load_review_file(ROOT / "seeds" / "review.yaml", ROOT)
    assert review is not None and not problems, problems
    return review


# The real review's file: its measures and its checks, which it names as below.
REVIEW = _real_review_file()
ORR_VS_CR_PR = "orr-vs-cr-pr"
DCR_VS_PARTS = "dcr-vs-parts"
SEX_VS_N = "sex-vs-n"


def check_study(record: StudyRecord) -> list[ConsistencyFlag]:
    return consistency.check_study(record, REVIEW)


def value(
    measure: str,
    as_reported: str,
    number: float | None = None,
    unit: str | None = None,
    *,
    numerator: int | None = None,
    denominator: int | None = None,
    subgroup: str | None = None,
    category: str | None = None,
) -> ReportedValue:
    return ReportedValue(
        measure=measure, as_reported=as_reported, value=number, unit=unit, numerator=numerator, denominator=denominator,
        subgroup=subgroup, subgroup_defined_by=GroupBasis.baseline_feature if subgroup else None, category=category, source=SOURCE,
        quote=f"reported as {as_reported}",
    )


def n(count: int) -> ReportedValue:
    return value("n", str(count), count, "patients")


def pct(measure: str, stated: str, *, numerator: int | None = None, denominator: int | None = None, subgroup: str | None = None) -> ReportedValue:
    """A percentage as a source writes it: `pct("cr", "8", numerator=4, denominator=49)` is '8% (4/49)'."""
    written = f"{stated}%" + (f" ({numerator}/{denominator})" if numerator is not None and denominator is not None else "")
    return value(measure, written, float(stated), "%", numerator=numerator, denominator=denominator, subgroup=subgroup)


def arm(arm_id: str, *outcomes: ReportedValue) -> Arm:
    return Arm(id=arm_id, label=arm_id.replace("-", " ").title(), regimen="drugamab", outcomes=list(outcomes))


def study(*arms: Arm, enrolled: int | None = None, population: Sequence[ReportedValue] = ()) -> StudyRecord:
    return StudyRecord(
        id="test-study", title="A test study", short_name="Test", study_type="single_arm_trial",
        sources=[SourceRef(document=SOURCE, role="everything")], setting="after_sorafenib", summary="A study for tests.",
        enrolment=n(enrolled) if enrolled is not None else None, population_values=list(population), arms=list(arms),
    )


def found(record: StudyRecord) -> list[tuple[str, str | None, Loc]]:
    """What a test compares: which check flagged which value, not the wording."""
    return [(flag.check, flag.arm_id, flag.loc) for flag in check_study(record)]


def outcome(arm_index: int, index: int) -> Loc:
    return ("arms", arm_index, "outcomes", index)


# --------------------------------------------------------------------------- a. percentage against its count


@pytest.mark.parametrize(
    ("numerator", "denominator", "stated", "agrees"),
    [
        pytest.param(6, 40, "15", True, id="6/40=15%"),
        pytest.param(6, 40, "15.0", True, id="6/40=15.0%"),
        pytest.param(6, 40, "13", False, id="6/40-not-13%"),
        pytest.param(6, 40, "14", False, id="6/40-not-14%: exact, so no rounding moves it"),
        pytest.param(6, 40, "15.1", False, id="6/40-not-15.1%"),
        pytest.param(1, 3, "33.3", True, id="1/3=33.3%"),
        pytest.param(1, 3, "33", True, id="1/3=33%"),
        pytest.param(1, 3, "33.33", True, id="1/3=33.33%"),
        pytest.param(1, 3, "34", False, id="1/3=34%-rounding-up-is-not-a-rounding"),
        pytest.param(1, 3, "35", False, id="1/3-not-35%"),
        pytest.param(1, 3, "33.5", False, id="1/3-not-33.5%"),
        pytest.param(2, 3, "67", True, id="2/3=67%"),
        pytest.param(2, 3, "66.7", True, id="2/3=66.7%"),
        pytest.param(2, 3, "66.6", True, id="2/3=66.6%-truncated"),
        pytest.param(2, 3, "66.8", False, id="2/3-not-66.8%"),
        pytest.param(2, 3, "68", False, id="2/3-not-68%"),
        pytest.param(1, 8, "13", True, id="12.5-half-up"),
        pytest.param(1, 8, "12", True, id="12.5-half-to-even"),
        pytest.param(3, 8, "38", True, id="37.5-half-up"),
        pytest.param(3, 8, "37", True, id="37.5-down"),
        pytest.param(104, 173, "60", True, id="104/173=60%"),
        pytest.param(0, 12, "0", True, id="none"),
        pytest.param(12, 12, "100", True, id="all"),
        pytest.param(12, 12, "99", False, id="all-not-99%"),
    ],
)
def test_percentage_agrees_with_its_count_under_any_standard_rounding(numerator: int, denominator: int, stated: str, agrees: bool) -> None:
    assert percent_agrees(numerator, denominator, stated) is agrees
    record = study(arm("drug", pct("pr", stated, numerator=numerator, denominator=denominator)))
    assert found(record) == ([] if agrees else [(PERCENT_VS_COUNT, "drug", outcome(0, 0))])


def test_percentage_flag_gives_the_figures() -> None:
    [flag] = check_study(study(arm("drug", value("pr", "6/40 (13%)", 13, "%", numerator=6, denominator=40))))
    assert flag == ConsistencyFlag(
        "studies", "test-study", "drug", outcome(0, 0), PERCENT_VS_COUNT,
        "stated 13% but 6/40 is 15.0%; no rounding of 15.0 to a whole number (half up, half to even or down) gives 13",
    )
    assert flag.field == "arms[0].outcomes[0]"


def test_precision_is_taken_from_the_percentage_as_written() -> None:
    # "5 (5.0%)": the count 5 comes first, but the percentage claims a tenth; 5/97 is 5.15%, never 5.0.
    written = value("pr", "5 (5.0%)", 5.0, "%", numerator=5, denominator=97)
    assert stated_text(written) == "5.0"
    assert found(study(arm("drug", written))) == [(PERCENT_VS_COUNT, "drug", outcome(0, 0))]
    assert found(study(arm("drug", value("pr", "5 (5%)", 5.0, "%", numerator=5, denominator=97)))) == []


@pytest.mark.parametrize(("text", "places"), [("15", 0), ("15.0", 1), ("66.7", 1), ("0.80", 2), ("3.426347e-05", 11), ("1532", 0)])
def test_decimals_are_counted_as_written(text: str, places: int) -> None:
    assert decimals_of(text) == places


def test_a_percentage_without_count_or_a_qualifier_is_not_checked() -> None:
    record = study(arm("drug", pct("orr", "13"), value("orr", "<1%", None, "%", numerator=0, denominator=40)))
    assert found(record) == []


# --------------------------------------------------------------------------- b. arm sizes against enrolment


def test_arms_that_add_up_to_the_enrolment_pass() -> None:
    assert found(study(arm("drug", n(20)), arm("placebo", n(20)), enrolled=40)) == []


def test_arms_short_of_the_enrolment_are_flagged_with_the_judgement_in_the_message() -> None:
    record = study(arm("drug", n(19)), arm("placebo", n(20)), enrolled=40)
    [flag] = check_study(record)
    assert (flag.check, flag.arm_id, flag.loc, flag.related) == (ARMS_VS_ENROLMENT, None, ("enrolment",), (outcome(0, 0), outcome(1, 0)))
    assert "19 (Drug) + 20 (Placebo)" in flag.message and "39 of the 40 enrolled" in flag.message and "evaluable" in flag.message


def test_arms_beyond_the_enrolment_are_flagged() -> None:
    assert found(study(arm("drug", n(25)), arm("placebo", n(20)), enrolled=40)) == [(ARMS_VS_ENROLMENT, None, ("enrolment",))]


def test_an_arm_larger_than_the_enrolment_is_flagged_on_the_arm() -> None:
    assert found(study(arm("drug", n(45)), arm("placebo", n(20)), enrolled=40)) == [(ARMS_VS_ENROLMENT, "drug", outcome(0, 0))]


def test_the_single_arm_of_a_trial_is_held_to_the_enrolment() -> None:
    assert found(study(arm("drug", n(40)), enrolled=40)) == []
    assert found(study(arm("drug", n(38)), enrolled=40)) == [(ARMS_VS_ENROLMENT, None, ("enrolment",))]


def test_arms_are_not_added_up_unless_every_arm_states_its_n() -> None:
    assert found(study(arm("drug", n(30)), arm("placebo", pct("orr", "4")), enrolled=40)) == []


def test_arms_that_are_views_of_one_cohort_are_not_flagged() -> None:
    everyone_and_a_split = study(arm("all-patients", n(40)), arm("responders", n(10)), arm("non-responders", n(30)), enrolled=40)
    two_splits = study(arm("responders", n(10)), arm("non-responders", n(30)), arm("marker-high", n(15)), arm("marker-low", n(25)), enrolled=40)
    assert found(everyone_and_a_split) == []
    assert found(two_splits) == []


@pytest.mark.parametrize(
    ("sizes", "total", "splits"),
    [([40, 10, 30], 40, True), ([10, 30, 15, 25], 40, True), ([20, 20, 20, 20], 40, True), ([35, 5, 25, 15], 40, True),
     ([30, 10, 20, 20], 40, True), ([30, 30, 20], 40, False), ([10, 30, 15, 20], 40, False), ([40, 40, 1], 40, False), ([50, 30], 40, False)],
)
def test_cohort_split_search(sizes: list[int], total: int, splits: bool) -> None:
    assert _splits_into_cohorts(sizes, total) is splits


# --------------------------------------------------------------------------- c. ORR against CR + PR


def test_response_counts_that_add_up_pass() -> None:
    record = study(arm("drug", pct("orr", "33", numerator=16, denominator=49), pct("cr", "8", numerator=4, denominator=49),
                       pct("pr", "24", numerator=12, denominator=49)))
    assert found(record) == []


def test_response_counts_that_do_not_add_up_are_flagged_on_the_orr() -> None:
    record = study(arm("drug", pct("orr", "33", numerator=16, denominator=49), pct("cr", "10", numerator=5, denominator=49),
                       pct("pr", "24", numerator=12, denominator=49)))
    [flag] = check_study(record)
    assert (flag.check, flag.loc, flag.related) == (ORR_VS_CR_PR, outcome(0, 0), (outcome(0, 1), outcome(0, 2)))
    assert "CR 5 + PR 12 = 17" in flag.message


@pytest.mark.parametrize(
    ("orr", "cr", "pr", "agrees"),
    [
        pytest.param("76.7", "10", "66.7", True, id="exact"),
        pytest.param("33", "8", "24", True, id="one-point-off-within-1.5"),
        pytest.param("33.5", "8", "24", False, id="1.5-off-beyond-1.05"),
        pytest.param("34", "8", "24", False, id="two-points-off"),
        pytest.param("77", "10.4", "66.4", True, id="0.2-off-within-0.6"),
        pytest.param("76.7", "10", "60.0", False, id="6.7-off"),
    ],
)
def test_response_percentages_add_up_within_their_rounding(orr: str, cr: str, pr: str, agrees: bool) -> None:
    record = study(arm("drug", pct("orr", orr), pct("cr", cr), pct("pr", pr)))
    assert found(record) == ([] if agrees else [(ORR_VS_CR_PR, "drug", outcome(0, 0))])


def test_response_rates_not_on_the_same_footing_are_not_compared() -> None:
    other_subgroup = study(arm("drug", pct("orr", "50", subgroup="AFP responders"), pct("cr", "8"), pct("pr", "24")))
    other_denominator = study(arm("drug", pct("orr", "33", numerator=16, denominator=49), pct("cr", "9", numerator=4, denominator=45),
                                  pct("pr", "27", numerator=12, denominator=45)))
    other_arm = study(arm("drug", pct("orr", "50")), arm("placebo", pct("cr", "8"), pct("pr", "24")))
    assert found(other_subgroup) == found(other_denominator) == found(other_arm) == []


def test_an_orr_below_one_of_its_parts_is_flagged_even_when_the_other_part_is_missing() -> None:
    assert found(study(arm("drug", pct("orr", "15"), pct("pr", "15")))) == []
    assert found(study(arm("drug", pct("orr", "10"), pct("pr", "15")))) == [(ORR_VS_CR_PR, "drug", outcome(0, 0))]


def test_duplicate_parts_from_two_sources_are_each_compared() -> None:
    record = study(arm("drug", pct("orr", "32"), pct("cr", "8"), pct("pr", "24"), pct("pr", "30")))
    [flag] = check_study(record)
    assert (flag.loc, flag.related) == (outcome(0, 0), (outcome(0, 1), outcome(0, 3)))


# --------------------------------------------------------------------------- d. DCR against ORR + SD


def test_dcr_is_orr_plus_stable_disease() -> None:
    assert found(study(arm("drug", pct("dcr", "53"), pct("orr", "13"), pct("sd", "40")))) == []
    flagged = study(arm("drug", pct("dcr", "53"), pct("orr", "13"), pct("sd", "30")))
    assert found(flagged) == [(DCR_VS_PARTS, "drug", outcome(0, 0))]
    assert check_study(flagged)[0].related == (outcome(0, 1), outcome(0, 2))


def test_dcr_is_cr_plus_pr_plus_stable_disease_when_no_orr_is_given() -> None:
    def counts(cr: int, pr: int, sd: int, dcr: int) -> StudyRecord:
        return study(arm("drug", *(value(measure, f"{count} patients", count, "patients") for measure, count in
                                   (("dcr", dcr), ("cr", cr), ("pr", pr), ("sd", sd)))))

    assert found(counts(2, 10, 20, 32)) == []
    assert found(counts(2, 10, 20, 31)) == [(DCR_VS_PARTS, "drug", outcome(0, 0))]


def test_a_dcr_below_the_orr_is_flagged() -> None:
    assert found(study(arm("drug", pct("dcr", "96.7"), pct("orr", "76.7")))) == []
    assert found(study(arm("drug", pct("dcr", "10"), pct("orr", "13")))) == [(DCR_VS_PARTS, "drug", outcome(0, 0))]


# --------------------------------------------------------------------------- e. counts against n


def test_a_count_larger_than_the_arm_is_flagged() -> None:
    fits = value("characteristic", "Child-Pugh B (n=16)", 16, "patients", category="Child-Pugh B")
    too_many = value("characteristic", "Child-Pugh B (n=46)", 46, "patients", category="Child-Pugh B")
    subgroup_too_big = value("n", "41", 41, "patients", subgroup="AFP responders")
    assert found(study(arm("drug", n(40), fits))) == []
    assert found(study(arm("drug", n(40), too_many, subgroup_too_big))) == [(COUNT_VS_N, "drug", outcome(0, 1)), (COUNT_VS_N, "drug", outcome(0, 2))]


def test_a_denominator_is_flagged_only_when_larger_than_the_arm() -> None:
    evaluable = value("adverse_event", "3/38", 3, "patients", numerator=3, denominator=38, category="Rash")
    larger = value("adverse_event", "3/45", 3, "patients", numerator=3, denominator=45, category="Rash")
    assert found(study(arm("drug", n(40), evaluable))) == []
    assert found(study(arm("drug", n(40), larger))) == [(COUNT_VS_N, "drug", outcome(0, 1))]


def test_event_counts_may_exceed_the_number_of_patients() -> None:
    events = value("event_count", "61 events", 61, "events", category="Bleeding events")
    assert found(study(arm("drug", n(40), events))) == []


def test_baseline_counts_are_held_to_the_enrolment() -> None:
    fits = value("characteristic", "Child-Pugh A (n=19)", 19, "patients", numerator=19, denominator=40, category="Child-Pugh A")
    too_many = value("characteristic", "Child-Pugh B (n=41)", 41, "patients", category="Child-Pugh B")
    assert found(study(population=[fits], enrolled=40)) == []
    assert found(study(population=[fits, too_many], enrolled=40)) == [(COUNT_VS_N, None, ("population_values", 1))]


def test_men_and_women_make_up_the_group() -> None:
    def sexes(men: ReportedValue, women: ReportedValue) -> StudyRecord:
        return study(arm("drug", n(30), men, women))

    assert found(sexes(value("male", "24 (80%)", 80, "%", numerator=24, denominator=30), value("female", "6", 6, "patients"))) == []
    assert found(sexes(value("male", "24", 24, "patients"), value("female", "5", 5, "patients"))) == [(SEX_VS_N, "drug", outcome(0, 1))]
    assert found(sexes(pct("male", "80"), pct("female", "20"))) == []
    assert found(sexes(pct("male", "66.7"), pct("female", "33"))) == []
    assert found(sexes(pct("male", "80"), pct("female", "30"))) == [(SEX_VS_N, "drug", outcome(0, 1))]


def test_men_and_women_out_of_a_shared_denominator_add_up_to_it() -> None:
    men = value("male", "20/28", 20, "patients", numerator=20, denominator=28)
    women = value("female", "8/28", 8, "patients", numerator=8, denominator=28)
    assert found(study(arm("drug", n(30), men, women))) == []


# --------------------------------------------------------------------------- another review's checks

OTHER_REVIEW = ReviewFile.model_validate({
    "settings": {"label": "Allocation", "values": [{"id": "random", "label": "Random"}]},
    "designs": [{"id": "trial", "label": "Trial", "rank": 1}],
    "intervention_classes": [{"id": "vaccine", "label": "Vaccine"}],
    "measures": [
        {"id": "enrolled", "label": "Enrolled", "short": "N", "kind": "count", "participants": True},
        {"id": "cases", "label": "Cases", "kind": "proportion"},
        {"id": "severe", "label": "Severe cases", "short": "Severe", "kind": "proportion"},
        {"id": "mild", "label": "Mild cases", "short": "Mild", "kind": "proportion"},
        {"id": "adults", "label": "Adults", "kind": "proportion", "baseline": True},
        {"id": "children", "label": "Children", "kind": "proportion", "baseline": True},
        {"id": "doses", "label": "Doses given", "kind": "count", "events": True},
        {"id": "risk", "label": "Risk ratio", "kind": "ratio", "comparison": True},
    ],
    "checks": {
        "sums": [{"check": "cases-vs-severity", "total": "cases", "parts": [["severe", "mild"]]}],
        "partitions": [{"check": "ages-vs-n", "parts": ["adults", "children"], "words": ["adults", "children"]}],
        "participant_units": ["participants", "volunteers"],
    },
})


def test_the_checks_are_the_review_files() -> None:
    """Another review's measures, units and checks: the same logic, under the names its file gives."""
    def people(measure: str, count: int, unit: str = "participants") -> ReportedValue:
        return value(measure, f"{count} {unit}", count, unit)

    record = study(arm("vaccine", people("enrolled", 30), people("cases", 10), people("severe", 3), people("mild", 6, "volunteers"),
                       people("adults", 20), people("children", 5), people("doses", 90, "doses"), pct("risk", "51"),
                       people("adults", 31, "volunteers")))
    flags = consistency.check_study(record, OTHER_REVIEW)
    assert [(flag.check, flag.loc) for flag in flags] == [
        ("cases-vs-severity", outcome(0, 1)), ("ages-vs-n", outcome(0, 4)), ("ages-vs-n", outcome(0, 8)), (COUNT_VS_N, outcome(0, 8))]
    assert flags[0].message == "Cases is 10 participants but Severe 3 + Mild 6 = 9"
    assert flags[1].message == "20 adults + 5 children = 25, not the arm's N = 30"
    assert flags[3].message == "31 participants, more than the arm's N = 30"
    # 90 doses are events, not participants; 51% of 30 is no whole number of them, but a risk ratio is a comparison
    # the real review's measures mean nothing here: an `n` of 2 is not this review's group size
    assert consistency.check_study(study(arm("vaccine", people("enrolled", 30), value("n", "2", 2, "participants"))), OTHER_REVIEW) == []
    # and a review without checks has only the tool's own
    bare = OTHER_REVIEW.model_copy(update={"checks": OTHER_REVIEW.checks.model_copy(update={"sums": [], "partitions": []})})
    assert [flag.check for flag in consistency.check_study(record, bare)] == [COUNT_VS_N]
    assert CheckRules.of(OTHER_REVIEW).names() == (*CHECKS, "cases-vs-severity", "ages-vs-n")


def test_the_real_review_names_its_checks_as_before() -> None:
    assert CheckRules.of(REVIEW).names() == (*CHECKS, ORR_VS_CR_PR, DCR_VS_PARTS, SEX_VS_N)


# --------------------------------------------------------------------------- lookup and ordering


def test_flags_are_looked_up_by_value() -> None:
    record = study(arm("drug", pct("orr", "34"), pct("cr", "8"), pct("pr", "24")))
    corpus = Corpus({record.id: record}, {}, {}, {}, {}, REVIEW)
    flags = check_consistency(corpus)
    assert list(flags_by_value(flags)) == [("studies", "test-study", outcome(0, 0))]
    assert set(flags_by_value(flags, include_related=True)) == {("studies", "test-study", outcome(0, index)) for index in range(3)}
    assert flags_by_value(flags)[flags[0].key] == flags


# --------------------------------------------------------------------------- the real corpus

# What the checks find in seeds/, each reviewed by hand: (study, check, location of the flagged value).
# None as of this writing: every percentage with a count rounds correctly (15 of them), CheckMate 040's
# CR 4 + PR 12 = ORR 16, Study 117's CR 10% + PR 66.7% = ORR 76.7%, every DCR is at least its ORR,
# arms add up to the enrolment where all arms give n (34, 93, 30), and no count exceeds its group.
EXPECTED_REAL_FLAGS: list[tuple[str, str, Loc]] = []


@pytest.fixture(scope="module")
def real_corpus(real_review: Review) -> Corpus:
    review = real_review
    assert review.derived.flags == check_consistency(review.corpus)
    return review.corpus


def test_real_corpus_flags_are_the_reviewed_ones(real_corpus: Corpus) -> None:
    assert [(flag.record_id, flag.check, flag.loc) for flag in check_consistency(real_corpus)] == EXPECTED_REAL_FLAGS


def test_checks_reach_the_real_records(real_corpus: Corpus) -> None:
    # Changing one stated count in a real record must raise both checks that use it.
    record = real_corpus.studies["checkmate-040-nivolumab-ipilimumab"]
    outcomes = list(record.arms[0].outcomes)
    cr_index = next(index for index, item in enumerate(outcomes) if item.measure == "cr" and item.numerator is not None)
    orr_index = next(index for index, item in enumerate(outcomes) if item.measure == "orr" and item.numerator is not None)
    stated_count = outcomes[cr_index].numerator
    assert stated_count is not None
    outcomes[cr_index] = outcomes[cr_index].model_copy(update={"numerator": stated_count + 1})
    changed = record.model_copy(update={"arms": [record.arms[0].model_copy(update={"outcomes": outcomes}), *record.arms[1:]]})
    corpus = dataclasses.replace(real_corpus, studies={**real_corpus.studies, record.id: changed})
    flagged = {(flag.record_id, flag.check, flag.loc) for flag in check_consistency(corpus)}
    assert flagged == {(record.id, PERCENT_VS_COUNT, outcome(0, cr_index)), (record.id, ORR_VS_CR_PR, outcome(0, orr_index))}


def test_a_percentage_no_whole_count_of_the_arm_can_give_is_flagged() -> None:
    from generator.derive.consistency import PERCENT_VS_N, check_percent_reachable

    reachable = study(arm("drug", n(40), pct("orr", "15")))
    assert check_percent_reachable(reachable, 0, reachable.arms[0], CheckRules.of(REVIEW)) == []
    # 1/3 = 33.3% and 2/3 = 66.7%: 50% cannot come from 3 patients
    unreachable = study(arm("drug", n(3), pct("orr", "50")))
    flags = check_percent_reachable(unreachable, 0, unreachable.arms[0], CheckRules.of(REVIEW))
    assert [(f.check, f.loc) for f in flags] == [(PERCENT_VS_N, ("arms", 0, "outcomes", 1))]
    assert "1/3 is 33.3%; 2/3 is 66.7%" in flags[0].message
