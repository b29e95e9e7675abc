"""Pooled estimates where, and only where, the review file declares them valid (generator/pages/pooled.py): the
second fixture review (13 BCG trials, metafor's dat.bcg) pooled as metafor pools it, its downloads, and the refusals."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.figures.common import MIN_FONT_SIZE, NARROW_MAX_PX, WIDE_MAX_PX
from generator.pipeline import ReviewConfig, render_review, validate_review
from generator.releases.changelog import ReleaseInfo
from tests.conftest import ROOT, run_cli
from tests.test_plots import _svg_size_and_smallest_text as svg_size_and_smallest_text

VACCINE = ROOT / "tests" / "fixtures" / "vaccine"
# rma(ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg, measure="RR") (REML), as metafor's rma.uni help page prints it
# (the same reference values as tests/test_pooling.py)
METAFOR_BCG_REML = {"estimate_model_scale": -0.7145, "se_model_scale": 0.1798, "tau2": 0.3132, "i2_percent": 92.22, "h2": 12.86,
                    "q": 152.2330}
METAFOR_CI_LOG = (-1.0669, -0.3622)


def _copy(tmp_path: Path) -> Path:
    project = tmp_path / "vaccine"
    shutil.copytree(VACCINE, project, ignore=shutil.ignore_patterns("site", "docs", ".litreview-generated.json"))
    (project / "docs").mkdir()
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("../../../templates", str(ROOT / "templates")))
    return project


def _emptied_copy(tmp_path: Path) -> Path:
    """The fixture review's file, glossary and regimens, without its studies and sources: for a review made in a test."""
    project = _copy(tmp_path)
    shutil.rmtree(project / "seeds" / "studies")
    (project / "seeds" / "studies").mkdir()
    for old in (project / "sources").iterdir():
        old.unlink()
    return project


def _rendered(project: Path) -> dict[str, bytes]:
    config = ReviewConfig.from_options(project, "seeds", str(ROOT / "templates"), "docs", "sources")
    return render_review(config, validate_review(config), release=ReleaseInfo()).files


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return _rendered(_copy(tmp_path_factory.mktemp("pooled")))


def test_the_pooled_estimate_of_every_trial_is_metafors(files: dict[str, bytes]) -> None:
    (every, randomised) = json.loads(files["data/pooled.json"])
    assert every["comparison"] == "all-trials" and every["model"] == "reml" and every["computed_here"] is True
    numbers = every["pooled"]
    assert numbers["k"] == 13
    for key, printed in METAFOR_BCG_REML.items():
        decimals = len(f"{printed}".split(".")[1])
        assert round(numbers[key], decimals) == printed, key
    assert (round(math.log(numbers["ci_low"]), 4), round(math.log(numbers["ci_high"]), 4)) == METAFOR_CI_LOG
    assert round(sum(study["weight_percent"] for study in every["studies"]), 6) == 100
    assert len(every["leave_one_out"]) == 13
    # the randomised trials' page pools its 7 trials only
    assert randomised["pooled"]["k"] == 7 and all(study["pooled"] for study in randomised["studies"])


def test_the_csv_holds_the_same_numbers(files: dict[str, bytes]) -> None:
    rows = list(csv.DictReader(io.StringIO(files["data/pooled.csv"].decode())))
    pooled = [row for row in rows if row["comparison"] == "all-trials" and row["row"] == "pooled"]
    assert len(pooled) == 1 and round(float(pooled[0]["tau2"]), 4) == 0.3132
    assert sum(row["row"] == "study" for row in rows if row["comparison"] == "all-trials") == 13
    assert sum(row["row"] == "without" for row in rows if row["comparison"] == "all-trials") == 13


def test_the_page_shows_the_pooled_estimate_labelled_computed_here(files: dict[str, bytes]) -> None:
    page = files["compare/all-trials.md"].decode()
    section = page[page.index("## Pooled estimate, computed here"):]
    assert "**0.49** (0.34 to 0.70)" in section and "0.15 to 1.55" in section  # predict(res, transf=exp, digits=2)
    assert "τ² = 0.3132, I² = 92.2%, H² = 12.86, Q = 152.23 (df 12, p &lt; 0.001)" in section
    assert "Every trial compares the same vaccine" in section  # the review file's reason for pooling
    assert "data/pooled.csv" in section


def _edit_review(project: Path, edit: Callable[[dict[str, Any]], object]) -> None:
    path = project / "seeds" / "review.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_studies_of_a_design_the_comparison_does_not_pool_are_listed_with_why(tmp_path: Path) -> None:
    project = _copy(tmp_path)
    _edit_review(project, lambda data: data["comparisons"][0]["pooling"].update(designs=["randomised_trial"]))
    (every, _) = json.loads(_rendered(project)["data/pooled.json"])
    left = [study for study in every["studies"] if not study["pooled"]]
    assert every["pooled"]["k"] == 7 and len(left) == 6
    assert all(study["not_pooled_because"] == "non-randomised trial: not a design this comparison pools" for study in left)


def test_values_of_different_definitions_are_never_pooled_the_build_says_which(tmp_path: Path) -> None:
    project = _copy(tmp_path)

    def timed(data: dict[str, Any]) -> None:
        data["time_origins"] = [{"id": "randomisation", "label": "Randomisation"}]
        next(measure for measure in data["measures"] if measure["id"] == "tb_cases")["definition"] = ["time_origin"]

    _edit_review(project, timed)
    study = project / "seeds" / "studies" / "aronson-1948.yaml"
    data = yaml.safe_load(study.read_text(encoding="utf-8"))
    next(value for value in data["arms"][0]["outcomes"] if value["measure"] == "tb_cases")["time_origin"] = "randomisation"
    study.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    done = run_cli("validate", cwd=project)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    problems = done.stderr.strip().splitlines()[:-1]
    # once, at the one value that differs, naming both comparisons that pool it
    assert len(problems) == 1, done.stderr
    assert problems[0].startswith("seeds/studies/aronson-1948.yaml:")
    assert ("comparisons 'all-trials', 'random-allocation' pool `tb_cases` values of different definitions: counted from randomisation "
            "here, no definition stated in the other studies pooled") in problems[0]


def test_a_design_the_review_does_not_mark_poolable_is_refused(tmp_path: Path) -> None:
    project = _copy(tmp_path)

    def unpoolable(data: dict[str, Any]) -> None:
        data["designs"][1]["poolable"] = False
        data["comparisons"][0]["pooling"]["designs"] = ["randomised_trial", "non_randomised_trial"]

    _edit_review(project, unpoolable)
    done = run_cli("validate", cwd=project)
    assert done.returncode == 1 and "the design 'non_randomised_trial' is not `poolable` in this review" in done.stderr


def test_pooling_needs_the_comparisons_effect(tmp_path: Path) -> None:
    project = _copy(tmp_path)
    _edit_review(project, lambda data: data["comparisons"][0].pop("effect") and data["comparisons"][0].update(figures=[]))
    done = run_cli("validate", cwd=project)
    assert done.returncode == 1 and "`pooling` pools the comparison's computed `effect`, which it does not declare" in done.stderr


def _square_sides(svg: str) -> list[float]:
    """The side of every square marker drawn (matplotlib defines each marker size once, then uses it per point)."""
    sides = {match.group(1): 2 * float(match.group(2)) for match in
             re.finditer(r'<path id="([\w-]+)" d="M -([\d.]+) \2\s+L \2 \2\s+L \2 -\2\s+L -\2 -\2\s+z', svg)}
    return [sides[ref] for ref in re.findall(r'<use xlink:href="#([\w-]+)"', svg) if ref in sides]


def test_the_forest_draws_the_weights_and_the_pooled_diamond(files: dict[str, bytes]) -> None:
    (every, _) = json.loads(files["data/pooled.json"])
    weights = [study["weight_percent"] for study in every["studies"]]
    wide = files["figures/all-trials/forest.svg"].decode()
    # each study's square has an area in proportion to its weight
    sides = _square_sides(wide)
    assert len(sides) == 13
    areas = sorted(side**2 / max(sides) ** 2 for side in sides)
    assert areas == pytest.approx(sorted(weight / max(weights) for weight in weights), abs=1e-4)
    # the weights column, and the pooled row: its diamond (a filled blue path), its numbers, its prediction interval
    assert "Weight" in wide and all(f"{weight:.1f}%" in wide for weight in weights) and "100%" in wide
    assert "Pooled, random effects (REML)" in wide
    assert re.search(r'style="fill: #0072b2; stroke: #0072b2; stroke-width: 0\.6', wide)
    assert "0.49, 95% CI 0.34 to 0.70" not in wide  # the description states the pooled numbers in its own words:
    assert "0.49 (95% CI 0.34 to 0.70; 95% prediction interval 0.15 to 1.55)" in wide
    assert "τ² = 0.3132, I² = 92.2%, H² = 12.86, Q = 152.23 (df 12, p &lt; 0.001)" in wide
    # on a phone the squares still show the weights; the table beside the figure states them
    narrow = files["figures/all-trials/forest-narrow.svg"].decode()
    assert len(_square_sides(narrow)) == 13 and "Pooled, random" in narrow and "Weight" not in narrow
    # legible on a phone and within a screen's column, as every figure
    for svg_bytes, limit in ((files["figures/all-trials/forest.svg"], WIDE_MAX_PX), (files["figures/all-trials/forest-narrow.svg"], NARROW_MAX_PX)):
        width, smallest = svg_size_and_smallest_text(svg_bytes)
        assert width <= limit and smallest >= MIN_FONT_SIZE * 4 / 3 - 1e-6
    # the page says the figure draws it (its pooled section's tables are the figure's data)
    page = files["compare/all-trials.md"].decode()
    assert "The forest plot below draws it under the studies, each square's area in proportion to the study's weight." in page


def test_a_comparison_left_out_of_the_pooling_is_an_open_square(tmp_path: Path) -> None:
    project = _copy(tmp_path)
    _edit_review(project, lambda data: data["comparisons"][0]["pooling"].update(designs=["randomised_trial"]))
    files = _rendered(project)
    wide = files["figures/all-trials/forest.svg"].decode()
    assert wide.count("fill: #ffffff; stroke: #1a1a1a") == 6  # the 6 trials of other designs
    assert len(_square_sides(wide)) == 13
    page = files["compare/all-trials.md"].decode()
    assert page.count("| not pooled: non-randomised trial: not a design this comparison pools |") == 6


# --------------------------------------------------------------------------- effects as each source reports them

# dat.hackshaw1998's odds ratios with their 95% CIs (as tests/test_pooling.py holds them), each written as a study's
# reported effect in a review made here: rma(yi, vi, method="DL") of the log odds ratios, as metafor prints it there.
METAFOR_HACKSHAW_DL = {"tau2": 0.0170, "i2_percent": 24.21, "h2": 1.32, "q": 47.4979, "estimate_model_scale": 0.2139, "se_model_scale": 0.0471}


def _reported_review(tmp_path: Path) -> Path:
    """The 37 studies of dat.hackshaw1998 as a review whose records state each odds ratio with its 95% CI."""
    from tests.test_pooling import HACKSHAW1998

    project = _emptied_copy(tmp_path)
    rows = [f"{index:<4}{odds:.2f} ({low:.2f} to {high:.2f})" for index, (odds, low, high) in enumerate(HACKSHAW1998, start=1)]
    (project / "sources" / "hackshaw.txt").write_text(
        "dat.hackshaw1998: odds ratios of lung cancer, exposed against unexposed, with 95% CI\n\nrow or (ci.lb to ci.ub)\n" + "\n".join(rows) + "\n",
        encoding="utf-8")
    (project / "seeds" / "sources.yaml").write_text(yaml.safe_dump({"documents": [
        {"file": "hackshaw.txt", "label": "dat.hackshaw1998", "description": "Odds ratios with 95% CIs of 37 studies."}]}), encoding="utf-8")
    for index, (line, (odds, low, high)) in enumerate(zip(rows, HACKSHAW1998, strict=True), start=1):
        record = {
            "id": f"study-{index}", "title": f"Study {index} of dat.hackshaw1998", "short_name": f"Study {index}", "study_type": "randomised_trial",
            "citation": {"authors": "Hackshaw", "year": 1998, "source": "hackshaw.txt"},
            "sources": [{"document": "hackshaw.txt", "role": "row of the data set"}], "setting": "random_allocation",
            "arms": [{"id": "exposed", "label": "Exposed", "regimen": "bcg-vaccine", "outcomes": [
                {"measure": "odds_ratio", "endpoint": "tb_cases", "comparator": "unexposed", "as_reported": f"{odds:.2f} ({low:.2f} to {high:.2f})",
                 "value": odds, "ci_low": low, "ci_high": high, "ci_level": 95, "source": "hackshaw.txt", "quote": line.strip()}]},
                {"id": "unexposed", "label": "Unexposed", "regimen": "no-vaccine", "outcomes": []}],
            "summary": f"Row {index} of the data set: an odds ratio with its 95% CI."}
        (project / "seeds" / "studies" / f"study-{index}.yaml").write_text(yaml.safe_dump(record, sort_keys=False), encoding="utf-8")

    def reported(data: dict[str, Any]) -> None:
        data["measures"].append({"id": "odds_ratio", "label": "Odds ratio", "description": "An odds ratio as the source reports it.",
                                 "kind": "ratio", "comparison": True, "needs_endpoint": True})
        every = data["comparisons"][0]
        every["effect"] = {"reported": "odds_ratio", "endpoint": "tb_cases", "label": "the event"}
        every["pooling"] = {"model": "dl", "why": "Every study reports the same odds ratio of the same exposure."}
        data["comparisons"] = [every, data["comparisons"][2]]

    _edit_review(project, reported)
    return project


def test_reported_ratios_are_shown_as_stated_and_pooled_as_metafor_pools_them(tmp_path: Path) -> None:
    project = _reported_review(tmp_path)
    files = _rendered(project)
    [pooled] = json.loads(files["data/pooled.json"])
    assert pooled["effect"] == "odds_ratio" and pooled["effect_as_reported"] is True and pooled["pooled"]["k"] == 37
    for key, printed in METAFOR_HACKSHAW_DL.items():
        decimals = len(f"{printed}".split(".")[1])
        assert round(pooled["pooled"][key], decimals) == printed, key
    page = files["compare/all-trials.md"].decode()
    section = page[page.index("## Pooled estimate, computed here"):]
    assert "**1.24** (1.13 to 1.36)" in section and "0.94 to 1.63" in section  # predict(res, transf=exp, digits=2)
    assert "from the estimates and 95% intervals each study reports" in section
    # each study's own numbers, as stated (never rounded here): the table and the forest
    assert "| Odds ratio (95% CI), as reported |" in page and "1.20 (0.80 to 1.60)" in page
    wide = files["figures/all-trials/forest.svg"].decode()
    assert "Odds ratio of the event by comparison, as reported" in wide and "computed here from the stated counts" not in wide
    assert len(_square_sides(wide)) == 37


def test_a_reported_effect_without_its_interval_is_listed_not_pooled(tmp_path: Path) -> None:
    project = _reported_review(tmp_path)
    study = project / "seeds" / "studies" / "study-1.yaml"
    data = yaml.safe_load(study.read_text(encoding="utf-8"))
    del data["arms"][0]["outcomes"][0]["ci_level"]
    study.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    [pooled] = json.loads(_rendered(project)["data/pooled.json"])
    assert pooled["pooled"]["k"] == 36
    [left] = [row for row in pooled["studies"] if not row["pooled"]]
    assert left["study_id"] == "study-1" and "not recorded as a 95% interval" in left["not_pooled_because"]


def test_a_reported_effect_names_a_ratio_or_a_difference_and_no_counts(tmp_path: Path) -> None:
    project = _copy(tmp_path)
    _edit_review(project, lambda data: data["comparisons"][0].update(effect={"reported": "tb_cases", "label": "tuberculosis"}))
    done = run_cli("validate", cwd=project)
    assert done.returncode == 1 and "`reported` names a measure of kind `ratio` or `difference`; 'tb_cases' is of kind `count`" in done.stderr
    _edit_review(project, lambda data: data["comparisons"][0].update(
        effect={"reported": "tb_cases", "events": "tb_cases", "label": "tuberculosis"}))
    done = run_cli("validate", cwd=project)
    assert done.returncode == 1 and "a `reported` effect is read as each source states it" in done.stderr and "Traceback" not in done.stderr


# --------------------------------------------------------------------------- single proportions

# dat.pritz1997 (xi of ni per study) as printed in [metadat:dat.pritz1997] (wviechtb/metadat, docs/reference/dat.pritz1997.html),
# with what metafor prints there for rma(yi, vi) (REML) of escalc(measure="PLO") and of escalc(measure="PR"):
# predict(res, transf=transf.ilogit) and predict(res).
PRITZ1997 = [("Giannotta et al.", 16, 17), ("Haraguchi and Ebina", 10, 12), ("Swift and Solomon", 4, 8), ("Kassell et al.", 43, 58),
             ("Tanabe et al.", 10, 10), ("Awad et al.", 25, 42), ("Finn et al.", 13, 14), ("Hadeishi et al.", 12, 12),
             ("Otsubo et al.", 22, 41), ("Muizelaar and Becker", 4, 5), ("Rosenstein et al.", 5, 6), ("Levy et al.", 18, 23),
             ("Shimoda et al.", 58, 68), ("Solomon et al.", 6, 10)]
METAFOR_PRITZ = {"logit": (0.7575, 0.6605, 0.8337, 0.4661, 0.9179), "raw": (0.7968, 0.7138, 0.8797, 0.5306, 1.0629)}


def _proportion_review(tmp_path: Path, transform: str) -> Path:
    """The 14 case series of dat.pritz1997 as a review whose records state each series' successes of its patients."""
    project = _emptied_copy(tmp_path)
    rows = [f"{index}. {authors}: {events} of {total}" for index, (authors, events, total) in enumerate(PRITZ1997, start=1)]
    (project / "sources" / "pritz.txt").write_text("dat.pritz1997: successes of patients per series\n\n" + "\n".join(rows) + "\n", encoding="utf-8")
    (project / "seeds" / "sources.yaml").write_text(yaml.safe_dump({"documents": [
        {"file": "pritz.txt", "label": "dat.pritz1997", "description": "Successes per series of 14 case series."}]}), encoding="utf-8")
    for index, (line, (authors, events, total)) in enumerate(zip(rows, PRITZ1997, strict=True), start=1):
        record = {
            "id": f"series-{index}", "title": f"Series {index} of dat.pritz1997", "short_name": authors, "study_type": "case_series",
            "citation": {"authors": authors, "year": 1997, "source": "pritz.txt"},
            "sources": [{"document": "pritz.txt", "role": "row of the data set"}], "setting": "random_allocation",
            "arms": [{"id": "treated", "label": "Treated", "regimen": "bcg-vaccine", "outcomes": [
                {"measure": "success", "as_reported": f"{events} of {total}", "numerator": events, "denominator": total,
                 "source": "pritz.txt", "quote": line}]}],
            "summary": f"Row {index} of the data set: successes among the series' patients."}
        (project / "seeds" / "studies" / f"series-{index}.yaml").write_text(yaml.safe_dump(record, sort_keys=False), encoding="utf-8")

    def proportions(data: dict[str, Any]) -> None:
        data["designs"].append({"id": "case_series", "label": "Case series", "rank": 2, "poolable": True})
        data["measures"].append({"id": "success", "label": "Success rate", "description": "Patients with success, of the series.",
                                 "kind": "proportion"})
        data["columns"] = [{"id": "success", "label": "Success rate", "measures": ["success"]}]
        data["comparisons"] = [{"slug": "every-series", "title": "Every series", "scope_text": "Every series of the review.", "arms": {"every": True},
                                "planned": False, "side_by_side": False, "columns": ["success"],
                                "pooling": {"proportion": "success", "transform": transform, "model": "reml",
                                            "why": "Every series reports the same outcome of the same treatment."},
                                "figures": [{"kind": "forest"}]}]

    _edit_review(project, proportions)
    return project


@pytest.mark.parametrize("transform", sorted(METAFOR_PRITZ))
def test_single_proportions_are_pooled_as_metafor_pools_them(tmp_path: Path, transform: str) -> None:
    files = _rendered(_proportion_review(tmp_path, transform))
    [pooled] = json.loads(files["data/pooled.json"])
    assert pooled["effect"] == "proportion" and pooled["transform"] == transform and pooled["pooled"]["k"] == 14
    numbers = pooled["pooled"]
    found = tuple(round(numbers[key], 4) for key in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high"))
    assert found == METAFOR_PRITZ[transform]
    page = files["compare/every-series.md"].decode()
    section = page[page.index("## Pooled estimate, computed here"):]
    # in percent, to one decimal (of the unrounded proportions: metafor's 0.7575 is 0.75749…)
    assert f"**{100 * numbers['estimate']:.1f}%** ({100 * numbers['ci_low']:.1f}% to {100 * numbers['ci_high']:.1f}%)" in section
    assert "over 14 arms" in section and "from the count and denominator each arm states" in section
    # each arm as stated, with the exact interval the tables show
    assert "| 10/10: 100.0% (69.2% to 100.0%) |" in section
    assert page.index("## Pooled estimate") > page.index("## Every study arm")  # under the arms it pools
    # its forest: each arm in percent, sized by weight, and the diamond
    wide = files["figures/every-series/forest.svg"].decode()
    assert len(_square_sides(wide)) == 14 and "Success rate (%)" in wide and "Pooled, random effects" in wide
    assert f"{100 * numbers['estimate']:.1f}% ({100 * numbers['ci_low']:.1f}% to {100 * numbers['ci_high']:.1f}%)" in wide
    assert "The forest plot below draws it under the studies" in section
    for svg_bytes, limit in ((files["figures/every-series/forest.svg"], WIDE_MAX_PX), (files["figures/every-series/forest-narrow.svg"], NARROW_MAX_PX)):
        width, smallest = svg_size_and_smallest_text(svg_bytes)
        assert width <= limit and smallest >= MIN_FONT_SIZE * 4 / 3 - 1e-6


def test_the_csv_of_a_single_proportion_names_its_scale(tmp_path: Path) -> None:
    files = _rendered(_proportion_review(tmp_path, "logit"))
    rows = list(csv.DictReader(io.StringIO(files["data/pooled.csv"].decode())))
    assert {row["transform"] for row in rows} == {"logit"} and sum(row["row"] == "study" for row in rows) == 14
    [pooled] = [row for row in rows if row["row"] == "pooled"]
    assert round(float(pooled["estimate"]), 4) == METAFOR_PRITZ["logit"][0]
