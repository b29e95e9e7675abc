"""Build-time figures: deterministic, accessible SVG whose numbers are the records' own."""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import matplotlib as mpl
import pytest
import yaml
from matplotlib.figure import Figure as MplFigure
from matplotlib.patches import Rectangle

from generator import figures
from generator.derive.evidence import number_stands_in, stated_form
from generator.derive.intervals import clopper_pearson
from generator.figures import (
    EVIDENCE_MAP_KIND,
    EVIDENCE_MAP_PATH,
    MIN_FONT_SIZE,
    NARROW_MAX_PX,
    WIDE_MAX_PX,
    Figure,
    LinkTargets,
    all_arms_figure_paths,
    arm_entries,
    build_figures,
    case_figure_path,
    day_number,
    draw_case_timeline,
    effect_forest_figure,
    iter_links,
    place_date,
    proportions_figure,
    svg_relative_urls,
    times_figure,
    whole_review_path,
)
from generator.figures import common as figures_common
from generator.figures.timeline import MARKS, _Steps
from generator.pages.views import ComparisonRow, arm_rows, comparison_views
from generator.pipeline import Review
from generator.records.link import Corpus, link_loaded
from generator.records.load import load_corpus
from generator.records.schema import CaseRecord, RegimenRecord, ReportedValue, StudyRecord
from generator.review.file import FigureSpec, ReviewFile
from tests.conftest import ROOT

SVG = "{http://www.w3.org/2000/svg}"
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def site_url(kind: str, record_id: str) -> str:
    return f"/site/{kind}/{record_id}/"




@pytest.fixture(scope="module")
def corpus(real_review: Review) -> Corpus:
    return real_review.corpus


@pytest.fixture(scope="module")
def figures_by_path(corpus: Corpus) -> dict[str, Figure]:
    return {figure.path: figure for figure in build_figures(corpus, url_for=site_url)}


def arm_figure(review: ReviewFile, kind: str) -> FigureSpec:
    """The figure of ``kind`` that the comparison of every arm declares (the figures page draws it for every arm)."""
    page = review.all_arms_page
    assert page is not None
    return next(spec for spec in page.figures if spec.kind == kind)


def svg_texts(figure: Figure) -> list[str]:
    """The text content of every <text> element (text stays text: svg.fonttype is 'none')."""
    root = ET.fromstring(figure.svg)
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def times_values(corpus: Corpus) -> list[tuple[StudyRecord, str, str, ReportedValue]]:
    """The values the whole-review times figure takes: those of the treatment arms' table rows (not of groups defined by
    outcome, not of reviews), drawn or listed apart; with the column each is in."""
    found = []
    for row in arm_rows(corpus):
        for column in arm_figure(corpus.review, "times").columns:
            value = row.cells[column].value
            if value is not None:
                found.append((row.study, row.arm.id, column, value))
    return found


# --------------------------------------------------------------------------- the review's words only


REVIEW_WORDS = ("sorafenib", "lenvatinib", "lenalidomide", "hepatocellular", "hcc", "pd-1", "child-pugh", "bclc")
# Ids of this review's measures, steps and responses, as literals: the drawing code must read them from the review file.
REVIEW_IDS = re.compile(r"""["'](orr|dcr|median_pfs|median_os|pr|cr|systemic|tace|haic|imaging|diagnosis|surgery|radiotherapy|PR|CR)["']""")


def test_the_figures_package_holds_no_word_of_the_review() -> None:
    for path in sorted((ROOT / "generator" / "figures").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not [word for word in REVIEW_WORDS if word in text.lower()], path.name
        assert not REVIEW_IDS.findall(text), (path.name, REVIEW_IDS.findall(text))


# --------------------------------------------------------------------------- every figure


def test_expected_figures_for_the_real_corpus(corpus: Corpus, figures_by_path: dict[str, Figure]) -> None:
    review = corpus.review
    page = review.all_arms_page
    assert page is not None
    expected = set(all_arms_figure_paths(review)) | {EVIDENCE_MAP_PATH} | {case_figure_path(cid) for cid in corpus.cases}
    assert set(figures_by_path) == expected
    assert all_arms_figure_paths(review) == [f"figures/{spec.file_stem}.svg" for spec in page.figures]
    for figure in figures_by_path.values():
        assert figure.rows and all(len(row.cells) == len(figure.columns) for row in figure.rows)


def test_two_builds_are_byte_identical_whatever_the_global_settings(corpus: Corpus) -> None:
    first = build_figures(corpus)
    before = dict(mpl.rcParams)
    # Settings another module (or a matplotlibrc) might have made must not reach the figures.
    with mpl.rc_context({"font.size": 23.0, "lines.linewidth": 4.0, "svg.hashsalt": None, "axes.facecolor": "black"}):
        second = build_figures(corpus)
    assert [f.path for f in first] == [f.path for f in second]
    for a, b in zip(first, second, strict=True):
        assert a.svg == b.svg, a.path
    assert dict(mpl.rcParams) == before  # and building leaves the global settings as they were


def test_svg_is_xml_that_describes_itself(figures_by_path: dict[str, Figure]) -> None:
    for figure in figures_by_path.values():
        text = figure.svg.decode("utf-8")
        assert "<!DOCTYPE" not in text and "dc:date" not in text and "Matplotlib v" not in text
        root = ET.fromstring(figure.svg)
        assert root.tag == f"{SVG}svg" and root.get("role") == "img"
        title, desc = list(root)[:2]
        assert (title.tag, desc.tag) == (f"{SVG}title", f"{SVG}desc")
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert title.text == figure.title and desc.text == figure.alt
        assert len(figure.alt) > 80  # a finding in words, not just a name
        # Record links replace the page holding the figure instead of opening a new tab.
        assert all(a.get("target") == "_parent" for a in root.iter(f"{SVG}a"))
        # An opaque white ground, so dark mode never puts dark text on a dark page.
        background = root.find(f"{SVG}g/{SVG}g/{SVG}path")
        assert background is not None and "fill: #ffffff" in (background.get("style") or "")


def test_ids_are_unique_across_figures_and_every_reference_resolves(figures_by_path: dict[str, Figure]) -> None:
    """Several figures may be inlined in one page: no id may repeat, and no clip path or marker may point elsewhere."""
    seen: set[str] = set()
    for figure in figures_by_path.values():
        text = figure.svg.decode("utf-8")
        ids = re.findall(r'\sid="([^"]+)"', text)
        assert len(ids) == len(set(ids)) and not seen & set(ids), figure.path
        seen |= set(ids)
        references = set(re.findall(r'<use xlink:href="#([^"]+)"', text)) | set(re.findall(r"url\(#([^)]+)\)", text))
        assert references <= set(ids), figure.path


def test_default_links_are_relative_to_the_svg_file(corpus: Corpus) -> None:
    built = {figure.path: figure for figure in build_figures(corpus)}
    times_links = set(iter_links(built[whole_review_path(arm_figure(corpus.review, "times"))]))
    assert times_links and all(re.fullmatch(r"\.\./studies/[a-z0-9-]+/", link) for link in times_links)
    for case_id in corpus.cases:
        links = set(iter_links(built[case_figure_path(case_id)]))
        assert all(link.startswith("../../regimens/") for link in links)
        assert {link.split("/")[3] for link in links} <= set(corpus.regimens)
    assert all(link.startswith("../compare/figures/#") for link in iter_links(built[EVIDENCE_MAP_PATH]))
    assert svg_relative_urls("figures/cases/x.svg")("studies", "abc") == "../../studies/abc/"


# --------------------------------------------------------------------------- times


def test_each_plotted_arm_links_to_its_study(corpus: Corpus, figures_by_path: dict[str, Figure]) -> None:
    times = figures_by_path[whole_review_path(arm_figure(corpus.review, "times"))]
    links = list(iter_links(times))
    studies = {study.id for study, _, _, _ in times_values(corpus)}
    assert studies
    for study_id in studies:
        assert site_url("studies", study_id) in links
    assert {row.record_id for row in times.rows} == studies
    assert all(row.record_kind == "studies" for row in times.rows)


def test_times_table_values_are_the_stated_forms(corpus: Corpus, figures_by_path: dict[str, Figure]) -> None:
    times = figures_by_path[whole_review_path(arm_figure(corpus.review, "times"))]
    # The table's columns are the comparison columns' labels, after setting, study and arm.
    column = {column_id: times.columns.index(corpus.review.column(column_id).label) for column_id in arm_figure(corpus.review, "times").columns}
    rows = {(row.record_id, row.cells[times.columns.index("Arm")]): row for row in times.rows}
    for study, arm_id, column_id, value in times_values(corpus):
        arm = next(a for a in study.arms if a.id == arm_id)
        cell = rows[(study.id, arm.label)].cells[column[column_id]]
        if value.value is not None:
            assert cell.startswith(f"{stated_form(value.value, value.as_reported, value.quote)} {value.unit}")
        if value.ci_low is not None and value.ci_high is not None:
            low, high = (stated_form(n, value.as_reported, value.quote) for n in (value.ci_low, value.ci_high))
            assert f"{low} to {high}" in cell
        # Never a number the source does not state.
        for number in _NUMBER.findall(cell):
            assert number_stands_in(float(number), value.quote + " " + value.as_reported), (cell, value.quote)


def test_times_words_come_from_the_review_and_its_glossary(corpus: Corpus, figures_by_path: dict[str, Figure]) -> None:
    """The real review's wording, with no word of it in the code: the columns' labels, their abbreviations spelled out from the
    glossary, the settings' name, and the unit most values are stated in."""
    times = figures_by_path[whole_review_path(arm_figure(corpus.review, "times"))]
    assert times.title == "Median progression-free and overall survival by study arm"
    assert times.alt.startswith("Forest-style chart of median progression-free survival (PFS) and median overall survival (OS) in months, "
                                "one row per study arm, grouped by line of therapy (")
    texts = svg_texts(times)
    assert {"Median PFS", "Median OS", "Months (as reported)"} <= set(texts)
    assert any(text.startswith("PFS: progression-free survival; OS: overall survival.") for text in texts)


# --------------------------------------------------------------------------- proportions


def test_proportions_table_values_and_intervals(corpus: Corpus, figures_by_path: dict[str, Figure]) -> None:
    spec = arm_figure(corpus.review, "proportions")
    [column] = spec.columns
    figure = figures_by_path[whole_review_path(spec)]
    interval_column = figure.columns.index("Interval")
    value_column = figure.columns.index(corpus.review.column(column).label)
    by_arm = {(row.record_id, row.cells[figure.columns.index("Arm")]): row for row in figure.rows}
    checked = 0
    for table_row in arm_rows(corpus):
        study, arm, cell = table_row.study, table_row.arm, table_row.cells[column]
        value = cell.value
        if value is None:
            continue
        row = by_arm[(study.id, arm.label)]
        if value.value is None:
            assert row.cells[value_column] == value.as_reported
            continue
        marks = f" ({'; '.join(tag.text for tag in cell.marks)})" if cell.marks and not cell.differs else ""
        if cell.differs:
            assert "not plotted" in row.cells[figure.columns.index("In the figure")]
            continue
        assert row.cells[value_column] == f"{stated_form(value.value, value.as_reported, value.quote)}%{marks}"
        if value.ci_low is not None:
            assert row.cells[interval_column].endswith("(reported)")
        elif value.numerator is not None and value.denominator is not None:
            assert "computed here" in row.cells[interval_column]
        else:
            assert row.cells[interval_column] == ""
        checked += 1
    assert checked
    assert figure.title == "Objective response rate by study arm"  # the column's label, its abbreviation spelled out


# --------------------------------------------------------------------------- case timelines


def test_swimmer_axis_covers_every_dated_entry(corpus: Corpus) -> None:
    cases = list(corpus.cases.values())
    assert cases
    for case in cases:
        fig = draw_case_timeline(corpus, case, site_url)
        assert fig is not None
        low, high = fig.axes[0].get_xlim()
        placed_dates = figures.case_dates(case)
        dates = [date for step in placed_dates.steps for date in (step.start, step.end) if date is not None]
        dates += [placed_dates.follow_up] if placed_dates.follow_up else []
        for date in dates:
            assert low <= day_number(date.first) <= day_number(date.last or date.first) <= high, (case.id, date.words)
        for text in [r.date for r in case.markers]:
            placed = place_date(text)
            if placed is not None:
                assert low <= day_number(placed.first) <= day_number(placed.last) <= high, (case.id, text)
        for panel in fig.axes[1:]:
            assert panel.get_shared_x_axes().joined(fig.axes[0], panel)  # markers on the same time axis


def test_a_case_with_markers_has_a_panel_per_marker(corpus: Corpus, figures_by_path: dict[str, Figure]) -> None:
    with_panels = 0
    for case in corpus.cases.values():
        plotted = {r.marker for r in case.markers if r.value is not None and r.date is not None and len(r.date) > 4}
        fig = draw_case_timeline(corpus, case, site_url)
        assert fig is not None and len(fig.axes) == 1 + len(plotted)
        figure = figures_by_path[case_figure_path(case.id)]
        titles = " ".join(svg_texts(figure))
        for marker in plotted:
            assert marker in titles
        with_panels += bool(plotted)
        # Every reading is in the table as the source words it, plotted or not.
        cells = [row.cells[2] for row in figure.rows]
        for reading in case.markers:
            assert any(cell.startswith(f"{reading.marker}: {reading.as_reported}") for cell in cells)
        for reading in case.markers:
            if reading.value is not None and reading.marker in plotted and reading.date and len(reading.date) > 4:
                assert stated_form(reading.value, reading.as_reported, reading.quote) in svg_texts(figure)
    assert with_panels, "the real corpus has a case with numeric, dated markers"


def test_undated_lines_are_listed_not_drawn(corpus: Corpus, figures_by_path: dict[str, Figure]) -> None:
    for case in corpus.cases.values():
        figure = figures_by_path[case_figure_path(case.id)]
        status = figure.columns.index("In the figure")
        assert len([row for row in figure.rows if row.cells[figure.columns.index("Kind")] != "Marker"]) == len(case.timeline)
        for step, row in zip(figures.case_dates(case).steps, figure.rows, strict=False):
            line = step.line
            assert row.cells[2] == line.label
            assert row.cells[figure.columns.index("Kind")] == corpus.review.label("steps", line.kind)
            assert row.cells[status].startswith("not drawn" if step.start is None else "drawn")
            assert (row.record_kind, row.record_id) == (("regimens", line.regimen) if line.regimen else (None, None))


def test_step_marks_follow_the_declared_order_and_keep_the_real_reviews_look(corpus: Corpus) -> None:
    """Marks go by a kind's place among the declared kinds that are not treatment lines; in the real review's order they are
    the marks its figures always had."""
    assert corpus.review.case_reports is not None
    steps = _Steps(tuple(corpus.review.case_reports.steps))
    marked = [step.id for step in corpus.review.case_reports.steps if not step.treatment_line]
    assert [steps.mark(kind) for kind in marked] == list(MARKS[:len(marked)])
    assert MARKS[:7] == (("*", "#1a1a1a"), ("P", "#D55E00"), ("s", "#009E73"), ("^", "#E69F00"), ("D", "#CC79A7"), ("d", "#4d4d4d"),
                         ("o", "#56B4E9"))
    assert len(set(MARKS)) == len(MARKS)


# --------------------------------------------------------------------------- evidence map


def test_evidence_map_cells_list_their_records(corpus: Corpus, figures_by_path: dict[str, Figure]) -> None:
    evidence = figures_by_path[EVIDENCE_MAP_PATH]
    assert corpus.review.evidence_map is not None
    assert evidence.columns[0] == corpus.review.evidence_map.rows_label
    assert evidence.title == "Evidence map: drug class by line of therapy"
    links = set(iter_links(evidence))
    for row in evidence.rows:
        assert row.anchor is not None and site_url(EVIDENCE_MAP_KIND, row.anchor) in links
        studies = [r for r in row.records if r.kind == "studies"]
        cases = [r for r in row.records if r.kind == "cases"]
        assert row.cells[2:] == (str(len(studies)), str(len(cases)))
        drug_class, setting = row.anchor.split("--")
        assert row.cells[:2] == (corpus.review.label("intervention_classes", drug_class), corpus.review.label("settings", setting))
        for ref in studies:
            study = corpus.studies[ref.record_id]
            assert any(
                (arm.setting or study.setting) == setting and drug_class in {d.drug_class for d in corpus.regimens[arm.regimen].drugs}
                for arm in study.arms
            )
        for ref in cases:
            case = corpus.cases[ref.record_id]
            assert case.setting == setting
            assert drug_class in {d.drug_class for r in corpus.regimens_of_case(case) for d in r.drugs}


def test_a_review_without_an_evidence_map_draws_none() -> None:
    corpus = synthetic_corpus()
    assert corpus.review.evidence_map is None
    assert EVIDENCE_MAP_PATH not in {figure.path for figure in build_figures(corpus)}


# --------------------------------------------------------------------------- small synthetic review: rules the real one may not exercise

SOURCE = "000_0000000000000000.txt"

# A review of nothing in particular, in words of its own: two time columns, a proportion column with a fallback, case
# steps with one treatment line, no evidence map. Its comparison of every arm declares the figures build_figures draws.
SYNTHETIC_REVIEW = """
settings:
  label: Dose group
  values: [{id: low_dose, label: Low dose}, {id: high_dose, label: High dose}]
designs: [{id: single_arm_trial, label: Single-arm trial, rank: 3}]
measures:
  - {id: n, label: n, kind: count, participants: true}
  - {id: time_to_relapse, label: Median TTR, kind: time, definition: [time_origin]}
  - {id: time_to_death, label: Median TTD, kind: time, definition: [time_origin]}
  - {id: cure_rate, label: Cure rate, kind: proportion}
  - {id: cured_count, label: Cured, kind: proportion}
intervention_classes: [{id: antibody, label: Antibody}]
time_origins: [{id: start, label: from the start}, {id: earlier, label: from an earlier start}]
case_reports:
  steps:
    - {id: onset, label: Onset}
    - {id: course, label: Drug course, needs_regimen: true, treatment_line: true}
    - {id: scan, label: Scan}
  responses: [{id: better, label: got better}, {id: worse, label: got worse}]
columns:
  - {id: n, label: n, measures: [n]}
  - id: ttr
    label: Median TTR
    measures: [time_to_relapse]
    accepts: {time_origins: [start, null]}
    otherwise: mark
  - {id: ttd, label: Median TTD, measures: [time_to_death]}
  - id: cure
    label: Cure rate
    measures: [cure_rate]
    interval: true
    fallback: {measure: cured_count, mark: counts of the cured only, explanation: The source states only how many were cured.}
comparisons:
  - slug: every-arm
    title: Every arm
    scope_text: Every arm, one row each.
    arms: {every: true}
    side_by_side: false
    all_arms: true
    columns: [n, ttr, ttd, cure]
    figures:
      - {kind: times, columns: [ttr, ttd]}
      - {kind: proportions, columns: [cure]}
evidence_map: null
"""


def reported(measure: str, as_reported: str, quote: str, **fields: Any) -> dict[str, Any]:
    return {"measure": measure, "as_reported": as_reported, "source": SOURCE, "quote": quote, **fields}


def synthetic_corpus() -> Corpus:
    review = ReviewFile.model_validate(yaml.safe_load(SYNTHETIC_REVIEW))
    regimen = RegimenRecord.model_validate({"id": "drugamab", "name": "Drugamab", "drugs": [{"name": "drugamab", "drug_class": "antibody"}]})
    study = StudyRecord.model_validate({
        "id": "trial-a", "title": "Trial A", "short_name": "Trial A", "study_type": "single_arm_trial", "summary": "A trial.",
        "sources": [{"document": SOURCE, "role": "report"}], "setting": "low_dose",
        "arms": [
            {"id": "days", "label": "Arm in days", "regimen": "drugamab", "outcomes": [
                reported("time_to_relapse", "61 days", "median TTR was 61 days", value=61, unit="days"),
                reported("time_to_death", "12 weeks", "median TTD 12 weeks", value=12, unit="weeks"),
                reported("cure_rate", "15% (6/40)", "cured 15% (6/40)", value=15, unit="%", numerator=6, denominator=40),
            ]},
            {"id": "months", "label": "Arm in months", "regimen": "drugamab", "outcomes": [
                reported("time_to_relapse", "4.0 months", "median TTR 4.0 months", value=4.0, unit="months"),
                reported("cure_rate", "20% (95% CI 10 to 35)", "cured 20% (95% CI 10 to 35)", value=20, unit="%", ci_low=10, ci_high=35, ci_level=95),
            ]},
            {"id": "later", "label": "Arm with more months", "regimen": "drugamab", "setting": "high_dose", "outcomes": [
                reported("time_to_relapse", "6.5 months", "median TTR 6.5 months from an earlier start", value=6.5, unit="months",
                         time_origin="earlier"),
                reported("time_to_death", "30 months", "median TTD 30 months", value=30, unit="months"),
                reported("cured_count", "10% (2/20)", "2 of 20 (10%) cured", value=10, unit="%", numerator=2, denominator=20),
            ]},
        ],
    })
    evidence = [{"source": SOURCE, "quote": "some quoted text"}]
    case = CaseRecord.model_validate({
        "id": "case-a", "title": "Case A", "short_name": "Case A", "summary": "A case.", "setting": "low_dose",
        "sources": [{"document": SOURCE, "role": "report"}], "patient": {},
        "timeline": [
            {"kind": "course", "label": "Drugamab", "regimen": "drugamab", "start": "2019", "end": "2020-03", "best_response": "better",
             "evidence": evidence},
            {"kind": "scan", "label": "CT", "start": "2020-05-14", "evidence": evidence},
        ],
        "markers": [
            {"marker": "AFP", "date": "2019-06", "as_reported": "1,200 ng/ml", "value": 1200, "unit": "ng/ml", "source": SOURCE, "quote": "AFP 1,200 ng/ml"},
            {"marker": "AFP", "date": "2020-02", "as_reported": "8.0 ng/ml", "value": 8.0, "unit": "ng/ml", "source": SOURCE, "quote": "AFP 8.0 ng/ml"},
            {"marker": "VEGF", "date": "2020-02", "as_reported": "90 pg/ml", "value": 90, "unit": "pg/ml", "source": SOURCE, "quote": "VEGF 90 pg/ml"},
        ],
        "follow_up": {"last_follow_up": "2020-09", "status": "alive", "evidence": evidence},
    })
    return Corpus(studies={study.id: study}, regimens={regimen.id: regimen}, cases={case.id: case}, regimen_links={}, origins={}, review=review)


TIMES_PATH = "figures/times-ttr-ttd.svg"
PROPORTIONS_PATH = "figures/proportions-cure.svg"


def test_synthetic_figures_are_those_the_review_declares() -> None:
    corpus = synthetic_corpus()
    assert all_arms_figure_paths(corpus.review) == [TIMES_PATH, PROPORTIONS_PATH]  # FigureSpec.file_stem: kind and columns
    assert [figure.path for figure in build_figures(corpus)] == [TIMES_PATH, PROPORTIONS_PATH, case_figure_path("case-a")]
    assert [figure.path for figure in build_figures(corpus, arm_figures=False)] == [case_figure_path("case-a")]


def test_synthetic_units_are_never_converted() -> None:
    """A time in another unit than the axis's (the unit most values are stated in) is listed beside the figure and said in it,
    never converted and plotted."""
    built = {figure.path: figure for figure in build_figures(synthetic_corpus(), url_for=site_url)}
    times = built[TIMES_PATH]
    texts = svg_texts(times)
    assert "61 days: not plotted" in texts and "12 weeks: not plotted" in texts
    assert "4.0" in texts and "61" not in texts and "12" not in texts
    assert "Months (as reported)" in texts and {"Median TTR", "Median TTD"} <= set(texts)
    cells = {row.cells[2]: row.cells[3:] for row in times.rows}
    assert times.columns == ("Setting", "Study", "Arm", "Median TTR", "Median TTD")
    assert cells["Arm in days"] == ("61 days (not plotted: in days, not converted)", "12 weeks (not plotted: in weeks, not converted)")
    assert cells["Arm in months"] == ("4.0 months", "")
    assert "61 days" in times.alt and "12 weeks" in times.alt
    assert times.title == "Median TTR and TTD by study arm"
    assert "grouped by dose group (Low dose, High dose)" in times.alt


def test_synthetic_values_measured_differently_are_listed_apart() -> None:
    """A value outside its column's accepted definitions (a time counted from an earlier start) is marked in the tables and listed,
    never drawn among the rest: the figure says how it differs, as the column's `accepts` puts it."""
    times = {figure.path: figure for figure in build_figures(synthetic_corpus(), url_for=site_url)}[TIMES_PATH]
    cells = {row.cells[2]: row.cells[3:] for row in times.rows}
    assert cells["Arm with more months"] == ("6.5 months (not plotted: from an earlier start)", "30 months")
    assert "Values counted from another time origin than the rest (marked in the tables) are listed, not plotted." in times.notes
    assert "Arm with more months: median TTR 6.5 months (from an earlier start)" in times.alt
    texts = svg_texts(times)
    assert "30" in texts and "6.5" not in texts


def test_synthetic_proportion_interval_is_reported_or_computed_and_says_which() -> None:
    figure = {figure.path: figure for figure in build_figures(synthetic_corpus(), url_for=site_url)}[PROPORTIONS_PATH]
    interval = {row.cells[2]: row.cells[figure.columns.index("Interval")] for row in figure.rows}
    exact = clopper_pearson(6, 40)
    assert interval["Arm in days"] == (f"95% CI {exact.low_percent:.1f} to {exact.high_percent:.1f} "
                                       "(computed here: exact Clopper–Pearson from 6/40)")
    assert interval["Arm in months"] == "95% CI 10 to 35 (reported)"
    legend = " ".join(svg_texts(figure))
    assert "Confidence interval reported by the source" in legend and "computed here from the stated counts" in legend
    assert "computed here" in figure.alt and "the source reports" in figure.alt
    assert figure.title == "Cure rate by study arm" and figure.columns[3] == "Cure rate"


def test_synthetic_fallback_is_an_open_dot_marked_as_the_column_says() -> None:
    """The column's fallback measure (shown where an arm states none of its own) is drawn open, with the column's mark."""
    figure = {figure.path: figure for figure in build_figures(synthetic_corpus(), url_for=site_url)}[PROPORTIONS_PATH]
    row = next(row for row in figure.rows if row.cells[2] == "Arm with more months")
    assert row.cells[3] == "10% (counts of the cured only)"
    assert "An open circle marks an arm whose source states counts of the cured only, shown as stated." in figure.alt
    assert "An open circle: the source states only how many were cured." in figure.notes
    assert "Counts of the cured only, as reported" in " ".join(svg_texts(figure))


def test_synthetic_case_year_only_dates_and_log_scale() -> None:
    corpus = synthetic_corpus()
    case = corpus.cases["case-a"]
    fig = draw_case_timeline(corpus, case, site_url)
    assert fig is not None and len(fig.axes) == 3  # lanes, AFP, VEGF: different units never share an axis
    low, _ = fig.axes[0].get_xlim()
    assert low <= day_number(dt.date(2019, 1, 1))  # a year-only start covers the whole year
    assert fig.axes[1].get_yscale() == "log"  # 8.0 to 1,200: the range demands it
    assert fig.axes[2].get_yscale() == "linear"
    figure = {f.path: f for f in build_figures(corpus, url_for=site_url)}[case_figure_path("case-a")]
    texts = svg_texts(figure)
    assert "1,200" in texts and "8.0" in texts  # labels as the source writes them
    status = {row.cells[2]: row.cells[-1] for row in figure.rows}
    assert "start known only to the year" in status["Drugamab"]
    assert "2019 (month not stated) to March 2020" in figure.alt  # an uncertainty, never a year-long bar
    # The review's words: its step labels, its treatment line's label, its response's words.
    assert {"Drug course, between known dates", "Scan", " better"} <= set(texts)
    assert "best response got better" in figure.alt
    assert [row.cells[3] for row in figure.rows[:2]] == ["Drug course", "Scan"]


# --------------------------------------------------------------------------- figures of chosen arms (one per table page)


def test_whole_review_figures_are_the_figures_of_every_arm(corpus: Corpus, figures_by_path: dict[str, Figure]) -> None:
    times, proportions = arm_figure(corpus.review, "times"), arm_figure(corpus.review, "proportions")
    arms = [(entry.study_id, entry.arm_id) for entry in arm_entries(corpus, times.columns)]
    assert times_figure(corpus, arms, times.columns, whole_review_path(times), site_url) == figures_by_path[whole_review_path(times)]
    pairs = [(entry.study_id, entry.arm_id) for entry in arm_entries(corpus, proportions.columns)]
    assert proportions_figure(corpus, pairs, proportions.columns[0], whole_review_path(proportions), site_url) == \
        figures_by_path[whole_review_path(proportions)]


def test_figures_of_chosen_arms_keep_the_order_given(corpus: Corpus) -> None:
    page = list(reversed(arm_rows(corpus)))[:12]  # a table page, in an order no whole-review figure uses
    assert {row.setting for row in page} != {page[0].setting}, "the page should mix settings"
    times, proportions = arm_figure(corpus.review, "times"), arm_figure(corpus.review, "proportions")

    def draw_times(arms: Any) -> Figure | None:
        return times_figure(corpus, arms, times.columns, "figures/compare/page-2.svg", site_url)

    def draw_proportions(arms: Any) -> Figure | None:
        return proportions_figure(corpus, arms, proportions.columns[0], "figures/compare/page-2.svg", site_url)

    for make, columns in ((draw_times, times.columns), (draw_proportions, proportions.columns)):
        figure = make(page)
        wanted = [row for row in page if any(row.cells[column].value is not None for column in columns)]
        assert figure is not None and wanted
        assert [(row.record_id, row.cells[2]) for row in figure.rows] == [(row.study.id, row.arm.label) for row in wanted]
        assert set(iter_links(figure)) == {site_url("studies", row.study.id) for row in wanted}
        # (study id, arm id) pairs name the same arms.
        assert make([(row.study.id, row.arm.id) for row in page]) == figure
        # The SVG's ids come from its own path, so two pages' figures can be inlined in one document.
        assert 'id="page-2-' in figure.svg.decode() and 'id="forest-survival-' not in figure.svg.decode()


def test_figures_of_chosen_arms_leave_out_arms_without_the_measure() -> None:
    corpus = synthetic_corpus()  # "Arm in days" has a cure rate, and times in days and weeks; "Arm in months" a TTR in months
    only_months = times_figure(corpus, [("trial-a", "months")], ["ttr", "ttd"], "figures/x.svg", site_url)
    assert only_months is not None and [row.cells[2] for row in only_months.rows] == ["Arm in months"]
    assert proportions_figure(corpus, [("trial-a", "months"), ("trial-a", "days")], "cure", "figures/x.svg", site_url) is not None
    assert times_figure(corpus, [], ["ttr"], "figures/x.svg", site_url) is None
    with pytest.raises(KeyError, match="no arm 'nope'"):
        proportions_figure(corpus, [("trial-a", "nope")], "cure", "figures/x.svg", site_url)
    with pytest.raises(KeyError):
        proportions_figure(corpus, [("no-such-study", "days")], "cure", "figures/x.svg", site_url)


# --------------------------------------------------------------------------- the effect of each comparison, computed here


@pytest.fixture(scope="module")
def vaccine() -> Corpus:
    """The second fixture review (13 trials of BCG vaccine): its comparison pages declare a forest of risk ratios."""
    root = ROOT / "tests" / "fixtures" / "vaccine"
    loaded = load_corpus(root / "seeds", root)
    corpus, problems = link_loaded(loaded)
    assert not loaded.problems and not problems
    return corpus


def test_a_forest_draws_each_comparisons_computed_effect(vaccine: Corpus) -> None:
    for view in comparison_views(vaccine):
        if not any(spec.kind == "forest" for spec in view.spec.figures):
            continue
        assert view.spec.effect is not None
        rows = [entry for entry in view.entries if isinstance(entry, ComparisonRow) and entry.computed is not None]
        figure = effect_forest_figure(vaccine, rows, view.spec.effect, f"figures/{view.slug}/forest.svg", site_url)
        assert figure is not None and len(figure.rows) == len(rows)
        assert figure.title == "Risk ratio of tuberculosis by comparison, computed here"
        estimate = figure.columns.index("Risk ratio (95% CI), computed here")
        # the figure groups its rows by setting, in the review's order of settings; within one, the table's order
        order = [setting.id for setting in vaccine.review.settings.values]
        grouped = sorted(rows, key=lambda row: min(order.index(setting) for setting in row.settings))
        assert [row.record_id for row in figure.rows] == [row.study.id for row in grouped]
        for row, table_row in zip(grouped, figure.rows, strict=True):
            assert row.computed is not None and row.computed.result is not None
            result = row.computed.result
            assert table_row.cells[estimate] == f"{result.estimate:.2f} ({result.ci_low:.2f} to {result.ci_high:.2f})"
            assert table_row.record_id == row.study.id
        fig_texts = svg_texts(figure)
        assert figure.narrow_svg is not None
        assert "Risk ratio (computed here, log scale)" in " ".join(fig_texts).replace("\n", " ")
        assert "grouped by allocation" in figure.alt and "on a log scale" in figure.alt
        for svg_bytes, limit in ((figure.svg, WIDE_MAX_PX), (figure.narrow_svg, NARROW_MAX_PX)):
            width, smallest = _svg_size_and_smallest_text(svg_bytes)
            assert width <= limit and smallest >= MIN_FONT_SIZE * 4 / 3 - 1e-6


def test_a_forest_of_no_computed_effect_is_none(vaccine: Corpus) -> None:
    view = next(view for view in comparison_views(vaccine) if view.spec.effect is not None)
    assert view.spec.effect is not None
    assert effect_forest_figure(vaccine, [], view.spec.effect, "figures/x.svg", site_url) is None


def test_the_vaccine_review_has_its_evidence_map_in_its_own_words(vaccine: Corpus) -> None:
    [evidence] = [figure for figure in build_figures(vaccine, url_for=site_url) if figure.path == EVIDENCE_MAP_PATH]
    assert evidence.title == "Evidence map: intervention by allocation"
    assert "case report" not in evidence.alt  # a review without case reports counts studies only
    assert evidence.narrow_svg is not None
    narrow = ET.fromstring(evidence.narrow_svg)
    assert not [text for element in narrow.iter(f"{SVG}text") if " · " in (text := "".join(element.itertext()))]


# --------------------------------------------------------------------------- drawing shortcuts keep the bytes


def _tight_bbox_svg(fig: MplFigure) -> bytes:
    """What figures.common._save_svg stands for: matplotlib's own tight crop, with its extra drawing pass."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.12, metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return buffer.getvalue()


@pytest.mark.parametrize("which", ["real", "synthetic"])
def test_crop_is_matplotlibs_tight_bounding_box(which: str, corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = corpus if which == "real" else synthetic_corpus()
    fast = build_figures(chosen)
    monkeypatch.setattr(figures_common, "_save_svg", _tight_bbox_svg)
    reference = build_figures(chosen)
    assert [f.path for f in fast] == [f.path for f in reference]
    for a, b in zip(fast, reference, strict=True):
        assert a.svg == b.svg, a.path


def test_an_undeclared_link_fails_loudly() -> None:
    """Drawing may only link where the figure declared (and its cache key covers)."""
    links = LinkTargets(site_url, [("studies", "a")])
    assert links("studies", "a") == site_url("studies", "a")
    with pytest.raises(LookupError, match="studies/b"):
        links("studies", "b")


# --------------------------------------------------------------------------- legible at the size pages show them


def _svg_size_and_smallest_text(svg: bytes) -> tuple[float, float]:
    """(natural width in CSS px, smallest font size in CSS px at that width) of a matplotlib SVG (its user unit is the pt)."""
    text = svg.decode("utf-8")
    width_pt = float(re.search(r'<svg[^>]*\bwidth="([0-9.]+)pt"', text).group(1))  # type: ignore[union-attr]
    sizes = [float(size) for size in re.findall(r"font-size: ([0-9.]+)px", text)]
    return width_pt * 4 / 3, min(sizes) * 4 / 3


def test_every_figure_fits_its_screens_with_text_of_at_least_nine_pixels(review_site: Path) -> None:
    """Wide layouts fit the text column of every screen from 720 px up at their natural size; phone layouts fit a 390 px phone's
    (358 px). At natural size no text is under 10 px (7.5 pt), so shown at 90% or more of it (a 360 px phone) none is under 9 px."""
    found = sorted((review_site / "figures").rglob("*.svg"))
    assert len(found) > 10
    for path in found:
        width, smallest = _svg_size_and_smallest_text(path.read_bytes())
        limit = NARROW_MAX_PX if path.stem.endswith("-narrow") else WIDE_MAX_PX
        assert width <= limit, (path.name, width)
        assert smallest >= MIN_FONT_SIZE * 4 / 3 - 1e-6, (path.name, smallest)
        if not path.stem.endswith("-narrow"):
            assert path.with_name(path.stem + "-narrow.svg").is_file(), f"{path.name} has no phone layout"


# --------------------------------------------------------------------------- case timelines placed from relative dates


def _lane_patches(fig: MplFigure, lane_name: str) -> list[tuple[float, float, str]]:
    """(left, right, face colour) of every box drawn in the lane whose name starts with ``lane_name``: a box belongs to the last lane
    name at or above it (beside its marks in the wide layout, over them in the narrow one)."""
    ax = fig.axes[0]
    names = sorted((text.get_position()[1], text.get_text().replace("\n", " ")) for text in ax.texts
                   if text.get_transform() == ax.get_yaxis_transform() and text.get_position()[0] < 0)
    assert sum(name.startswith(lane_name) for _, name in names) == 1, lane_name
    found = []
    for patch in ax.patches:
        if isinstance(patch, Rectangle) and patch.get_zorder() > 0:  # not the row stripes
            middle = patch.get_y() + patch.get_height() / 2
            owner = [name for y, name in names if y <= middle + 0.5][-1]
            if owner.startswith(lane_name):
                found.append((patch.get_x(), patch.get_x() + patch.get_width(), mpl.colors.to_hex(patch.get_facecolor())))
    return found


def test_zhang_treatments_are_placed_where_the_relative_dates_put_them(corpus: Corpus) -> None:
    """'13 days after the October 2021 MRI' and 'then', after the July 2022 MRI and before the October 2022 one: not from January,
    and never overlapping the treatment before them."""
    case = corpus.cases["zhang-2024-lenvatinib-resistant"]
    steps = {step.line.regimen: step for step in figures.case_dates(case).steps if step.line.kind == "systemic"}
    combo, regorafenib, switch = steps["lenvatinib-sintilimab"], steps["regorafenib-sintilimab"], steps["lenalidomide-lenvatinib"]
    assert combo.start is not None and (combo.start.first, combo.start.last) == (dt.date(2021, 10, 14), dt.date(2021, 11, 13))
    assert combo.start.words == "13 days after the October 2021 MRI" and combo.start.relative
    assert switch.start is not None and (switch.start.first, switch.start.last) == (dt.date(2022, 7, 1), dt.date(2022, 10, 31))
    assert switch.start.words == "after the July 2022 MRI"
    for narrow in (False, True):
        fig = draw_case_timeline(corpus, case, site_url, narrow=narrow)
        assert fig is not None
        solid: dict[str, tuple[float, float]] = {}
        for lane, step in (("Lenvatinib plus sintilimab", combo), ("Regorafenib plus", regorafenib), ("Lenalidomide plus", switch)):
            boxes = _lane_patches(fig, lane)
            assert step.start is not None and step.start.last is not None
            # Nothing in the lane before the first day the start allows; the bar only once the start is certain.
            assert min(left for left, _, _ in boxes) >= day_number(step.start.first) - 3, lane
            bars = [(left, right) for left, right, face in boxes if face == figures.BLUE.lower()]
            assert len(bars) == 1, lane
            assert bars[0][0] >= day_number(step.start.last), lane
            solid[lane] = bars[0]
        assert solid["Lenvatinib plus sintilimab"][1] <= solid["Regorafenib plus"][0]
        assert solid["Regorafenib plus"][1] <= solid["Lenalidomide plus"][0]


def test_tsinghua_follow_up_runs_past_three_years(corpus: Corpus, figures_by_path: dict[str, Figure]) -> None:
    """'controlled for more than 3 years' after lenalidomide was added on 25 June 2021: drawn to June 2024 and on, never ended."""
    case = corpus.cases["tsinghua-changgeng-lenalidomide-ici"]
    follow_up = figures.case_dates(case).follow_up
    assert follow_up is not None and follow_up.open and follow_up.first == dt.date(2024, 6, 25)
    for narrow in (False, True):
        fig = draw_case_timeline(corpus, case, site_url, narrow=narrow)
        assert fig is not None
        bars = [right for _, right, face in _lane_patches(fig, "Lenvatinib plus camrelizumab plus") if face == figures.BLUE.lower()]
        assert bars == [pytest.approx(day_number(dt.date(2024, 6, 25)))]
        assert fig.axes[0].get_xlim()[1] > day_number(dt.date(2024, 6, 25))
    figure = figures_by_path[case_figure_path(case.id)]
    assert "more than 3 years after the start of lenalidomide" in figure.alt
    assert figure.narrow_svg is not None


def test_a_label_that_looks_like_svg_markup_stays_as_written() -> None:
    """The figure's id prefixing rewrites tags only: an arm named like an id or a url() reference reads as typed."""
    corpus = synthetic_corpus()
    study = corpus.studies["trial-a"]
    label = 'Arm id="x" url(#clip1) fill:url(#p1)'
    arms = [study.arms[0].model_copy(update={"label": label}), study.arms[1]]
    corpus.studies["trial-a"] = study.model_copy(update={"arms": arms})
    figure = proportions_figure(corpus, [("trial-a", "days")], "cure", "figures/x.svg", site_url)
    assert figure is not None
    texts = svg_texts(figure)
    assert 'Arm id="x" url(#clip1)' in texts and "fill:url(#p1)" in texts, texts  # the label, wrapped, as typed
    assert 'id="x-x"' not in figure.svg.decode() and "url(#x-clip1)" not in figure.svg.decode()
