"""The comparison layer on a review whose values are measured in different ways (tests/fixtures/definitions).

Each rule of issue 16, on the views and on the built pages: a value of another definition is marked (never set beside
the rest unmarked, never drawn in the figures), groups defined by outcome are never rows of a treatment comparison,
an arm that states only partial responses shows them marked (with their exact interval, never a derived rate), a
source's own term read as a measure is marked, planned trials have a section of their own, randomised arms stand
side by side with their stated estimates, and a column that does not say how to show a differing value fails the build.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.derive.definitions import TagKind
from generator.pages import views
from generator.pipeline import ReviewConfig, validate_review
from generator.records.link import Corpus
from generator.records.schema import GroupBasis
from generator.review.file import Accepts, ColumnSpec
from tests.conftest import ROOT, build_site

FIXTURE = ROOT / "tests" / "fixtures" / "definitions"


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return validate_review(ReviewConfig.from_options(FIXTURE, "seeds", str(ROOT / "templates"), "docs", "sources")).corpus


@pytest.fixture(scope="module")
def page(corpus: Corpus) -> views.ComparisonView:
    return next(view for view in views.comparison_views(corpus) if view.slug == "after-sorafenib")


def _row(view: views.ComparisonView, study: str, arm: str) -> views.ArmRow:
    return next(row for row in [*view.all_rows, *view.other_groups] if (row.study.id, row.arm.id) == (study, arm))


def test_a_median_counted_from_an_earlier_treatment_is_marked_and_kept_out_of_the_figure(page: views.ComparisonView) -> None:
    cell = _row(page, "beta-cohort", "all-patients").cells["median_os"]
    assert cell.differs and [tag.text for tag in cell.marks if tag.kind is TagKind.differs] == ["from the start of an earlier treatment"]
    assert not _row(page, "alpha-trial", "fictinib").cells["median_os"].differs  # from randomisation: the column's own kind
    assert any(tag.text == "from the start of an earlier treatment" for tag in page.marks)  # explained on the page


def test_a_response_by_mrecist_is_marked(page: views.ComparisonView) -> None:
    cell = _row(page, "beta-cohort", "all-patients").cells["response"]
    assert cell.differs and any(tag.text == "mRECIST" for tag in cell.marks)
    recist = _row(page, "alpha-trial", "fictinib").cells["response"]
    assert not recist.differs and [tag.text for tag in recist.stated] == ["RECIST 1.1", "by independent review"]


def test_groups_defined_by_outcome_stand_apart(page: views.ComparisonView) -> None:
    assert {(row.study.id, row.arm.id) for row in page.other_groups} == {("beta-cohort", "responders"), ("beta-cohort", "non-responders")}
    assert all(row.group is GroupBasis.treatment for row in page.all_rows)


def test_partial_responses_only_are_shown_marked_with_their_interval(page: views.ComparisonView) -> None:
    cell = _row(page, "gamma-study", "fictinib").cells["response"]
    assert cell.partial_only and cell.value is not None and cell.value.measure == "pr"
    assert cell.interval is not None and (round(cell.interval.low_percent, 1), round(cell.interval.high_percent, 1)) == (5.7, 29.8)


def test_a_sources_own_term_read_as_a_measure_is_marked_but_drawn(page: views.ComparisonView) -> None:
    cell = _row(page, "delta-study", "fictinib").cells["response"]
    assert not cell.differs and [tag.text for tag in cell.marks] == ["source: ‘remission rate’"]


def test_randomised_arms_side_by_side_with_their_estimates_and_planned_trials_apart(page: views.ComparisonView) -> None:
    [comparison] = page.comparisons
    assert (comparison.first.arm.id, comparison.second.arm.id) == ("fictinib", "placebo")
    assert [effect.value.measure for effect in comparison.effects] == ["hazard_ratio", "p_value"]
    assert [study.id for study in page.without_results] == ["epsilon-trial"]
    assert all(row.study.id != "alpha-trial" for row in page.rows)  # its arms are in the comparison, not again below


def test_a_column_that_does_not_say_how_to_show_a_differing_value_fails_the_build(corpus: Corpus) -> None:
    columns = {column.id: column for column in corpus.review.columns}
    strict = {**columns, "median_os": ColumnSpec(id="median_os", label="Median OS", measures=["median_os"],
                                                 accepts=Accepts(time_origins=["randomisation", None]), otherwise="fail")}
    assert not views.check_comparisons(corpus)  # this review's columns mark such values
    problems = views.check_comparisons(corpus, None, strict)
    located = {(problem.file, problem.field) for problem in problems}
    assert ("seeds/studies/beta-cohort.yaml", "arms[0].outcomes[0]") in located
    problem = next(p for p in problems if p.file == "seeds/studies/beta-cohort.yaml")
    assert problem.line == 23 and "Median OS" in problem.message and "from the start of an earlier treatment" in problem.message
    assert "otherwise: mark" in problem.message
    # the same column, told to mark: no problem
    marking = {**strict, "median_os": strict["median_os"].model_copy(update={"otherwise": "mark"})}
    assert not views.check_comparisons(corpus, None, marking)
    # and a response column holding mRECIST beside "not stated" would fail the same way
    responses = {**columns, "response": columns["response"].model_copy(update={
        "accepts": Accepts(response_criteria=["recist_1_1", None]), "otherwise": "fail"})}
    assert any("mRECIST" in p.message for p in views.check_comparisons(corpus, None, responses))


def test_the_definitions_fixture_builds_strict_and_its_pages_show_every_mark(tmp_path: Path) -> None:
    project = tmp_path / "definitions"
    shutil.copytree(FIXTURE, project, ignore=shutil.ignore_patterns("site"))
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("../../../templates", str(ROOT / "templates")))
    done = build_site(project, project / "site")
    assert done.returncode == 0, done.stdout + done.stderr
    html = (project / "site" / "compare" / "after-sorafenib" / "index.html").read_text()
    for mark in ("lr-tag--differs\" title=\"Counted from the start of an earlier treatment", "lr-tag--differs\" title=\"Response by mRECIST", "partial responses only",
                 "source: ‘remission rate’", "Groups defined by a baseline feature or by outcome", "Planned and registered trials"):
        assert mark in html, mark
