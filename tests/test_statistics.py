"""Exact (Clopper–Pearson) intervals against values published by others, to the decimals they published."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

from generator.derive.intervals import clopper_pearson


def _to_published_places(computed: float, published: str) -> Decimal:
    """``computed`` rounded to as many decimal places as ``published`` is written with ("3.426347e-05" → 11)."""
    return Decimal(repr(computed)).quantize(Decimal(published), rounding=ROUND_HALF_EVEN)


# (successes, trials, level, published lower, published upper, where published)
PUBLISHED = [
    # R package `binom`, binom.confint(x, n, tol = 1e-8), method "exact" (the 5th of its methods), as recorded in
    # statsmodels/statsmodels: statsmodels/stats/tests/results/results_proportion.py (res_binom[(x, n)], index 4).
    pytest.param(1, 30, 0.95, "8.435709e-04", "0.17216946", id="R-binom-1/30"),
    pytest.param(29, 30, 0.95, "0.8278305", "0.9991564", id="R-binom-29/30"),
    pytest.param(0, 30, 0.95, "0", "0.11570331", id="R-binom-0/30"),
    pytest.param(30, 30, 0.95, "0.8842967", "1", id="R-binom-30/30"),
    # R stats::binom.test(2, 12): "95 percent confidence interval: 0.02086253 0.48413775"
    # (printed output in the gist johnmyleswhite/a5f5048a5249b9b91e90302c4e6f00df, 2016).
    pytest.param(2, 12, 0.95, "0.02086253", "0.48413775", id="R-binom.test-2/12"),
    # R stats::binom.test(9, 24, 1/6): "95 percent confidence interval: 0.1879929 0.5940636", and
    # binom.test(1, 1497, 0.0033, conf.level = 0.9): "90 percent confidence interval: 3.426347e-05 3.164954e-03"
    # (printed output quoted in the post "r binom test confidence interval", 13 November 2020).
    pytest.param(9, 24, 0.95, "0.1879929", "0.5940636", id="R-binom.test-9/24"),
    pytest.param(1, 1497, 0.90, "3.426347e-05", "3.164954e-03", id="R-binom.test-1/1497-90%"),
    # Conover, Practical Nonparametric Statistics (3rd ed., 1999), exact binomial limits table: 5 of 25 gives
    # 0.068 to 0.407 (worked example on influentialpoints.com, "Confidence intervals of proportions").
    pytest.param(5, 25, 0.95, "0.068", "0.407", id="Conover-5/25"),
]


@pytest.mark.parametrize(("successes", "trials", "level", "lower", "upper"), PUBLISHED)
def test_interval_matches_published_values(successes: int, trials: int, level: float, lower: str, upper: str) -> None:
    interval = clopper_pearson(successes, trials, level)
    assert _to_published_places(interval.low, lower) == Decimal(lower)
    assert _to_published_places(interval.high, upper) == Decimal(upper)


@pytest.mark.parametrize("trials", [1, 5, 20, 30, 40, 707])
@pytest.mark.parametrize("level", [0.90, 0.95, 0.99])
def test_none_or_all_gives_the_closed_form_one_sided_bound(trials: int, level: float) -> None:
    # With 0 of n the lower limit is 0 and the upper solves (1 - p)^n = alpha/2; with n of n, mirrored:
    # the lower limit is (alpha/2)^(1/n) and the upper is 1 (Clopper and Pearson, 1934).
    alpha_half = (1 - level) / 2
    none = clopper_pearson(0, trials, level)
    assert none.low == 0
    assert none.high == pytest.approx(1 - alpha_half ** (1 / trials), abs=1e-12)
    everyone = clopper_pearson(trials, trials, level)
    assert everyone.low == pytest.approx(alpha_half ** (1 / trials), abs=1e-12)
    assert everyone.high == 1


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=3000).flatmap(lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))),
       st.sampled_from([0.90, 0.95, 0.99]))
def test_the_closed_form_agrees_with_scipys_exact_binomial_test(case: tuple[int, int], level: float) -> None:
    """The beta quantiles equal SciPy's root-found limits, well below the one decimal a percentage is shown with."""
    successes, trials = case
    reference = binomtest(successes, trials).proportion_ci(confidence_level=level, method="exact")
    interval = clopper_pearson(successes, trials, level)
    assert interval.low == pytest.approx(reference.low, abs=1e-10)
    assert interval.high == pytest.approx(reference.high, abs=1e-10)


def test_interval_keeps_its_inputs_and_gives_percentages() -> None:
    interval = clopper_pearson(6, 40)
    assert (interval.successes, interval.trials, interval.level) == (6, 40, 0.95)
    assert interval.low < 6 / 40 < interval.high
    assert interval.low_percent == pytest.approx(100 * interval.low)
    assert interval.high_percent == pytest.approx(100 * interval.high)


def test_a_higher_level_gives_a_wider_interval() -> None:
    narrow, wide = clopper_pearson(16, 49, 0.90), clopper_pearson(16, 49, 0.99)
    assert wide.low < narrow.low and narrow.high < wide.high


@pytest.mark.parametrize(
    ("successes", "trials", "level"),
    [
        pytest.param(41, 40, 0.95, id="more-successes-than-trials"),
        pytest.param(-1, 40, 0.95, id="negative-successes"),
        pytest.param(0, 0, 0.95, id="no-trials"),
        pytest.param(1, -3, 0.95, id="negative-trials"),
        pytest.param(6, 40, 0.0, id="level-zero"),
        pytest.param(6, 40, 1.0, id="level-one"),
        pytest.param(6, 40, 95.0, id="level-as-percent"),
        pytest.param(6, 40, -0.95, id="negative-level"),
    ],
)
def test_invalid_input_is_refused(successes: int, trials: int, level: float) -> None:
    with pytest.raises(ValueError, match=r"successes|level"):
        clopper_pearson(successes, trials, level)
