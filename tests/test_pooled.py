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
