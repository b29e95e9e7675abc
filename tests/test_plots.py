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
from matplotlib.figure import Figure as MplFigure
from matplotlib.patches import Rectangle

from generator import plots
from generator.derive import headline
from generator.evidence import number_stands_in, stated_form
from generator.link import Corpus
from generator.pipeline import Review
from generator.plots import (
    EVIDENCE_MAP_KIND,
    EVIDENCE_MAP_PATH,
    FOREST_PATH,
    MIN_FONT_SIZE,
    NARROW_MAX_PX,
    ORR_PATH,
    WIDE_MAX_PX,
    Figure,
    build_figures,
    case_figure_path,
    day_number,
    draw_case_timeline,
    forest_figure,
    iter_links,
    orr_figure,
    place_date,
    svg_relative_urls,
)
from generator.schema import CaseRecord, Measure, RegimenRecord, ReportedValue, StudyRecord
from generator.statistics import clopper_pearson
from generator.views import arm_rows

SVG = "{http://www.w3.org/2000/svg}"
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def site_url(kind: str, record_id: str) -> str:
    return f"/site/{kind}/{record_id}/"




@pytest.fixture(scope="module")
def corpus(real_review: Review) -> Corpus:
    return real_review.corpus


@pytest.fixture(scope="module")
def figures(corpus: Corpus) -> dict[str, Figure]:
    return {figure.path: figure for figure in build_figures(corpus, url_for=site_url)}


def svg_texts(figure: Figure) -> list[str]:
    """The text content of every <text> element (text stays text: svg.fonttype is 'none')."""
    root = ET.fromstring(figure.svg)
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def survival_values(corpus: Corpus) -> list[tuple[StudyRecord, str, Measure, ReportedValue]]:
    """The medians the whole-review forest plot takes: those of the treatment arms' table rows (not of groups defined by
    outcome, not of reviews), drawn or listed apart."""
    found = []
    for row in arm_rows(corpus):
        for measure, column in ((Measure.median_pfs, "median_pfs"), (Measure.median_os, "median_os")):
            value = row.cells[column].value
            if value is not None:
                found.append((row.study, row.arm.id, measure, value))
    return found


# --------------------------------------------------------------------------- every figure


def test_expected_figures_for_the_real_corpus(corpus: Corpus, figures: dict[str, Figure]) -> None:
    expected = {FOREST_PATH, ORR_PATH, EVIDENCE_MAP_PATH} | {case_figure_path(cid) for cid in corpus.cases}
    assert set(figures) == expected
    for figure in figures.values():
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


def test_svg_is_xml_that_describes_itself(figures: dict[str, Figure]) -> None:
    for figure in figures.values():
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


def test_ids_are_unique_across_figures_and_every_reference_resolves(figures: dict[str, Figure]) -> None:
    """Several figures may be inlined in one page: no id may repeat, and no clip path or marker may point elsewhere."""
    seen: set[str] = set()
    for figure in figures.values():
        text = figure.svg.decode("utf-8")
        ids = re.findall(r'\sid="([^"]+)"', text)
        assert len(ids) == len(set(ids)) and not seen & set(ids), figure.path
        seen |= set(ids)
        references = set(re.findall(r'<use xlink:href="#([^"]+)"', text)) | set(re.findall(r"url\(#([^)]+)\)", text))
        assert references <= set(ids), figure.path


def test_default_links_are_relative_to_the_svg_file(corpus: Corpus) -> None:
    built = {figure.path: figure for figure in build_figures(corpus)}
    forest_links = set(iter_links(built[FOREST_PATH]))
    assert forest_links and all(re.fullmatch(r"\.\./studies/[a-z0-9-]+/", link) for link in forest_links)
    for case_id in corpus.cases:
        links = set(iter_links(built[case_figure_path(case_id)]))
        assert all(link.startswith("../../regimens/") for link in links)
        assert {link.split("/")[3] for link in links} <= set(corpus.regimens)
    assert all(link.startswith("../compare/figures/#") for link in iter_links(built[EVIDENCE_MAP_PATH]))
    assert svg_relative_urls("figures/cases/x.svg")("studies", "abc") == "../../studies/abc/"


# --------------------------------------------------------------------------- forest plot


def test_each_plotted_arm_links_to_its_study(corpus: Corpus, figures: dict[str, Figure]) -> None:
    forest = figures[FOREST_PATH]
    links = list(iter_links(forest))
    studies = {study.id for study, _, _, _ in survival_values(corpus)}
    assert studies
    for study_id in studies:
        assert site_url("studies", study_id) in links
    assert {row.record_id for row in forest.rows} == studies
    assert all(row.record_kind == "studies" for row in forest.rows)


def test_forest_table_values_are_the_stated_forms(corpus: Corpus, figures: dict[str, Figure]) -> None:
    forest = figures[FOREST_PATH]
    column = {Measure.median_pfs: forest.columns.index("Median PFS"), Measure.median_os: forest.columns.index("Median OS")}
    rows = {(row.record_id, row.cells[forest.columns.index("Arm")]): row for row in forest.rows}
    for study, arm_id, measure, value in survival_values(corpus):
        arm = next(a for a in study.arms if a.id == arm_id)
        cell = rows[(study.id, arm.label)].cells[column[measure]]
        if value.value is not None:
            assert cell.startswith(f"{stated_form(value.value, value.as_reported, value.quote)} {value.unit}")
        if value.ci_low is not None and value.ci_high is not None:
            low, high = (stated_form(n, value.as_reported, value.quote) for n in (value.ci_low, value.ci_high))
            assert f"{low} to {high}" in cell
        # Never a number the source does not state.
        for number in _NUMBER.findall(cell):
            assert number_stands_in(float(number), value.quote + " " + value.as_reported), (cell, value.quote)


# --------------------------------------------------------------------------- ORR


def test_orr_table_values_and_intervals(corpus: Corpus, figures: dict[str, Figure]) -> None:
    orr = figures[ORR_PATH]
    interval_column = orr.columns.index("Interval")
    value_column = orr.columns.index("ORR")
    by_arm = {(row.record_id, row.cells[orr.columns.index("Arm")]): row for row in orr.rows}
    checked = 0
    for table_row in arm_rows(corpus):
        study, arm, cell = table_row.study, table_row.arm, table_row.cells["response"]
        value = cell.value
        if value is None:
            continue
        row = by_arm[(study.id, arm.label)]
        if value.value is None:
            assert row.cells[value_column] == value.as_reported
            continue
        marks = f" ({'; '.join(tag.text for tag in cell.marks)})" if cell.marks and not cell.differs else ""
        if cell.differs:
            assert "not plotted" in row.cells[orr.columns.index("In the figure")]
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


# --------------------------------------------------------------------------- case timelines


def test_swimmer_axis_covers_every_dated_entry(corpus: Corpus) -> None:
    cases = list(corpus.cases.values())
    assert cases
    for case in cases:
        fig = draw_case_timeline(corpus, case, site_url)
        assert fig is not None
        low, high = fig.axes[0].get_xlim()
        placed_dates = plots.case_dates(case)
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


def test_a_case_with_markers_has_a_panel_per_marker(corpus: Corpus, figures: dict[str, Figure]) -> None:
    with_panels = 0
    for case in corpus.cases.values():
        plotted = {r.marker for r in case.markers if r.value is not None and r.date is not None and len(r.date) > 4}
        fig = draw_case_timeline(corpus, case, site_url)
        assert fig is not None and len(fig.axes) == 1 + len(plotted)
        figure = figures[case_figure_path(case.id)]
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


def test_undated_lines_are_listed_not_drawn(corpus: Corpus, figures: dict[str, Figure]) -> None:
    for case in corpus.cases.values():
        figure = figures[case_figure_path(case.id)]
        status = figure.columns.index("In the figure")
        assert len([row for row in figure.rows if row.cells[figure.columns.index("Kind")] != "Marker"]) == len(case.timeline)
        for step, row in zip(plots.case_dates(case).steps, figure.rows, strict=False):
            line = step.line
            assert row.cells[2] == line.label
            assert row.cells[status].startswith("not drawn" if step.start is None else "drawn")
            assert (row.record_kind, row.record_id) == (("regimens", line.regimen) if line.regimen else (None, None))


# --------------------------------------------------------------------------- evidence map


def test_evidence_map_cells_list_their_records(corpus: Corpus, figures: dict[str, Figure]) -> None:
    evidence = figures[EVIDENCE_MAP_PATH]
    links = set(iter_links(evidence))
    for row in evidence.rows:
        assert row.anchor is not None and site_url(EVIDENCE_MAP_KIND, row.anchor) in links
        studies = [r for r in row.records if r.kind == "studies"]
        cases = [r for r in row.records if r.kind == "cases"]
        assert row.cells[2:] == (str(len(studies)), str(len(cases)))
        drug_class, setting = row.anchor.split("--")
        for ref in studies:
            study = corpus.studies[ref.record_id]
            assert any(
                (arm.setting or study.setting).value == setting and drug_class in {d.drug_class.value for d in corpus.regimens[arm.regimen].drugs}
                for arm in study.arms
            )
        for ref in cases:
            case = corpus.cases[ref.record_id]
            assert case.setting.value == setting
            assert drug_class in {d.drug_class.value for r in corpus.regimens_of_case(case) for d in r.drugs}


# --------------------------------------------------------------------------- small synthetic corpus: rules the real one may not exercise

SOURCE = "000_0000000000000000.txt"


def reported(measure: str, as_reported: str, quote: str, **fields: Any) -> dict[str, Any]:
    return {"measure": measure, "as_reported": as_reported, "source": SOURCE, "quote": quote, **fields}


def synthetic_corpus() -> Corpus:
    regimen = RegimenRecord.model_validate({"id": "drugamab", "name": "Drugamab", "drugs": [{"name": "drugamab", "drug_class": "anti_pd1"}]})
    study = StudyRecord.model_validate({
        "id": "trial-a", "title": "Trial A", "short_name": "Trial A", "study_type": "single_arm_trial", "summary": "A trial.",
        "sources": [{"document": SOURCE, "role": "report"}], "setting": "after_sorafenib",
        "arms": [
            {"id": "days", "label": "Arm in days", "regimen": "drugamab", "outcomes": [
                reported("median_pfs", "61 days", "median PFS was 61 days", value=61, unit="days"),
                reported("median_os", "12 weeks", "median OS 12 weeks", value=12, unit="weeks"),
                reported("orr", "15% (6/40)", "ORR was 15% (6/40)", value=15, unit="%", numerator=6, denominator=40),
            ]},
            {"id": "months", "label": "Arm in months", "regimen": "drugamab", "outcomes": [
                reported("median_pfs", "4.0 months", "median PFS 4.0 months", value=4.0, unit="months"),
                reported("orr", "20% (95% CI 10 to 35)", "ORR 20% (95% CI 10 to 35)", value=20, unit="%", ci_low=10, ci_high=35, ci_level=95),
            ]},
        ],
    })
    evidence = [{"source": SOURCE, "quote": "some quoted text"}]
    case = CaseRecord.model_validate({
        "id": "case-a", "title": "Case A", "short_name": "Case A", "summary": "A case.", "setting": "after_sorafenib",
        "sources": [{"document": SOURCE, "role": "report"}], "patient": {},
        "timeline": [
            {"kind": "systemic", "label": "Drugamab", "regimen": "drugamab", "start": "2019", "end": "2020-03", "best_response": "PR", "evidence": evidence},
            {"kind": "imaging", "label": "CT", "start": "2020-05-14", "evidence": evidence},
        ],
        "markers": [
            {"marker": "AFP", "date": "2019-06", "as_reported": "1,200 ng/ml", "value": 1200, "unit": "ng/ml", "source": SOURCE, "quote": "AFP 1,200 ng/ml"},
            {"marker": "AFP", "date": "2020-02", "as_reported": "8.0 ng/ml", "value": 8.0, "unit": "ng/ml", "source": SOURCE, "quote": "AFP 8.0 ng/ml"},
            {"marker": "VEGF", "date": "2020-02", "as_reported": "90 pg/ml", "value": 90, "unit": "pg/ml", "source": SOURCE, "quote": "VEGF 90 pg/ml"},
        ],
        "follow_up": {"last_follow_up": "2020-09", "status": "alive", "evidence": evidence},
    })
    return Corpus(studies={study.id: study}, regimens={regimen.id: regimen}, cases={case.id: case}, regimen_links={}, origins={})


def test_synthetic_units_are_never_converted() -> None:
    """Medians in days or weeks are listed beside the figure and said in it, never converted to months and plotted (the
    real review no longer has one in its treatment arms: the sarcopenia study's are groups by a baseline feature)."""
    figures = {figure.path: figure for figure in build_figures(synthetic_corpus(), url_for=site_url)}
    forest = figures[FOREST_PATH]
    texts = svg_texts(forest)
    assert "61 days: not plotted" in texts and "12 weeks: not plotted" in texts
    assert "4.0" in texts and "61" not in texts and "12" not in texts
    cells = {row.cells[2]: row.cells[3:] for row in forest.rows}
    assert cells["Arm in days"] == ("61 days (not plotted: in days, not converted)", "12 weeks (not plotted: in weeks, not converted)")
    assert cells["Arm in months"] == ("4.0 months", "")
    assert "61 days" in forest.alt and "12 weeks" in forest.alt


def test_synthetic_orr_interval_is_reported_or_computed_and_says_which() -> None:
    orr = {figure.path: figure for figure in build_figures(synthetic_corpus(), url_for=site_url)}[ORR_PATH]
    interval = {row.cells[2]: row.cells[orr.columns.index("Interval")] for row in orr.rows}
    exact = clopper_pearson(6, 40)
    assert interval["Arm in days"] == (f"95% CI {exact.low_percent:.1f} to {exact.high_percent:.1f} "
                                       "(computed here: exact Clopper–Pearson from 6/40)")
    assert interval["Arm in months"] == "95% CI 10 to 35 (reported)"
    legend = " ".join(svg_texts(orr))
    assert "Confidence interval reported by the source" in legend and "computed here from the stated counts" in legend
    assert "computed here" in orr.alt and "the source reports" in orr.alt


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


# --------------------------------------------------------------------------- figures of chosen arms (one per table page)


def test_whole_review_figures_are_the_figures_of_every_arm(corpus: Corpus, figures: dict[str, Figure]) -> None:
    survival_arms = [(entry.study_id, entry.arm_id) for entry in plots._arm_entries(corpus, [Measure.median_pfs, Measure.median_os])]
    assert forest_figure(corpus, survival_arms, FOREST_PATH, site_url) == figures[FOREST_PATH]
    pairs = [(entry.study_id, entry.arm_id) for entry in plots._arm_entries(corpus, [Measure.orr])]
    assert orr_figure(corpus, pairs, ORR_PATH, site_url) == figures[ORR_PATH]


def test_figures_of_chosen_arms_keep_the_order_given(corpus: Corpus) -> None:
    page = list(reversed(arm_rows(corpus)))[:12]  # a table page, in an order no whole-review figure uses
    assert {row.setting for row in page} != {page[0].setting}, "the page should mix settings"
    for make, measures in ((forest_figure, (Measure.median_pfs, Measure.median_os)), (orr_figure, (Measure.orr,))):
        figure = make(corpus, page, "figures/compare/page-2.svg", site_url)
        wanted = [row for row in page if any(headline(row.arm, m) is not None for m in measures)]
        assert figure is not None and wanted
        assert [(row.record_id, row.cells[2]) for row in figure.rows] == [(row.study.id, row.arm.label) for row in wanted]
        assert set(iter_links(figure)) == {site_url("studies", row.study.id) for row in wanted}
        # (study id, arm id) pairs name the same arms.
        assert make(corpus, [(row.study.id, row.arm.id) for row in page], "figures/compare/page-2.svg", site_url) == figure
        # The SVG's ids come from its own path, so two pages' figures can be inlined in one document.
        assert 'id="page-2-' in figure.svg.decode() and 'id="forest-survival-' not in figure.svg.decode()


def test_figures_of_chosen_arms_leave_out_arms_without_the_measure() -> None:
    corpus = synthetic_corpus()  # "Arm in days" has an ORR, and medians in days and weeks; "Arm in months" a PFS in months
    only_months = forest_figure(corpus, [("trial-a", "months")], "figures/x.svg", site_url)
    assert only_months is not None and [row.cells[2] for row in only_months.rows] == ["Arm in months"]
    assert orr_figure(corpus, [("trial-a", "months"), ("trial-a", "days")], "figures/x.svg", site_url) is not None
    assert forest_figure(corpus, [], "figures/x.svg", site_url) is None
    with pytest.raises(KeyError, match="no arm 'nope'"):
        orr_figure(corpus, [("trial-a", "nope")], "figures/x.svg", site_url)
    with pytest.raises(KeyError):
        orr_figure(corpus, [("no-such-study", "days")], "figures/x.svg", site_url)


# --------------------------------------------------------------------------- drawing shortcuts keep the bytes


def _tight_bbox_svg(fig: MplFigure) -> bytes:
    """What plots._save_svg stands for: matplotlib's own tight crop, with its extra drawing pass."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.12, metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return buffer.getvalue()


@pytest.mark.parametrize("which", ["real", "synthetic"])
def test_crop_is_matplotlibs_tight_bounding_box(which: str, corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = corpus if which == "real" else synthetic_corpus()
    fast = build_figures(chosen)
    monkeypatch.setattr(plots, "_save_svg", _tight_bbox_svg)
    reference = build_figures(chosen)
    assert [f.path for f in fast] == [f.path for f in reference]
    for a, b in zip(fast, reference, strict=True):
        assert a.svg == b.svg, a.path


def test_an_undeclared_link_fails_loudly() -> None:
    """Drawing may only link where the figure declared (and its cache key covers)."""
    links = plots._LinkTargets(site_url, [("studies", "a")])
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
    steps = {step.line.regimen: step for step in plots.case_dates(case).steps if step.line.kind == "systemic"}
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
            bars = [(left, right) for left, right, face in boxes if face == plots.BLUE.lower()]
            assert len(bars) == 1, lane
            assert bars[0][0] >= day_number(step.start.last), lane
            solid[lane] = bars[0]
        assert solid["Lenvatinib plus sintilimab"][1] <= solid["Regorafenib plus"][0]
        assert solid["Regorafenib plus"][1] <= solid["Lenalidomide plus"][0]


def test_tsinghua_follow_up_runs_past_three_years(corpus: Corpus, figures: dict[str, Figure]) -> None:
    """'controlled for more than 3 years' after lenalidomide was added on 25 June 2021: drawn to June 2024 and on, never ended."""
    case = corpus.cases["tsinghua-changgeng-lenalidomide-ici"]
    follow_up = plots.case_dates(case).follow_up
    assert follow_up is not None and follow_up.open and follow_up.first == dt.date(2024, 6, 25)
    for narrow in (False, True):
        fig = draw_case_timeline(corpus, case, site_url, narrow=narrow)
        assert fig is not None
        bars = [right for _, right, face in _lane_patches(fig, "Lenvatinib plus camrelizumab plus") if face == plots.BLUE.lower()]
        assert bars == [pytest.approx(day_number(dt.date(2024, 6, 25)))]
        assert fig.axes[0].get_xlim()[1] > day_number(dt.date(2024, 6, 25))
    figure = figures[case_figure_path(case.id)]
    assert "more than 3 years after the start of lenalidomide" in figure.alt
    assert figure.narrow_svg is not None


def test_a_label_that_looks_like_svg_markup_stays_as_written() -> None:
    """The figure's id prefixing rewrites tags only: an arm named like an id or a url() reference reads as typed."""
    corpus = synthetic_corpus()
    study = corpus.studies["trial-a"]
    label = 'Arm id="x" url(#clip1) fill:url(#p1)'
    arms = [study.arms[0].model_copy(update={"label": label}), study.arms[1]]
    corpus.studies["trial-a"] = study.model_copy(update={"arms": arms})
    figure = orr_figure(corpus, [("trial-a", "days")], "figures/x.svg", site_url)
    assert figure is not None
    texts = svg_texts(figure)
    assert 'Arm id="x" url(#clip1)' in texts and "fill:url(#p1)" in texts, texts  # the label, wrapped, as typed
    assert 'id="x-x"' not in figure.svg.decode() and "url(#x-clip1)" not in figure.svg.decode()
