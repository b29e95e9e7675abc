"""Statistics computed at build time from stated counts; never typed into a record.

The exact interval's limits are quantiles of beta distributions (Clopper and Pearson, 1934), taken
from SciPy's inverse regularized incomplete beta function: the same closed form R's ``binom.test``
uses (``qbeta``), so a clinician can reproduce every interval with a standard tool. SciPy's
``binomtest(...).proportion_ci(method="exact")`` finds the same limits by root-finding, about 100
times slower; tests/test_statistics.py checks the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.caches import build_cache


@dataclass(frozen=True)
class ProportionInterval:
    """An exact (Clopper–Pearson) confidence interval of a stated count over its denominator."""

    successes: int
    trials: int
    level: float  # e.g. 0.95
    low: float  # proportion, 0..1
    high: float

    @property
    def low_percent(self) -> float:
        return 100 * self.low

    @property
    def high_percent(self) -> float:
        return 100 * self.high


def format_computed_percent(proportion: float) -> str:
    """A proportion computed here, as a percentage with one decimal. Only for computed values, which are
    always labelled as such; a reported value is always shown as the source states it."""
    return f"{100 * proportion:.1f}"


@build_cache(maxsize=65536)  # pages and figures ask for the same intervals many times
def clopper_pearson(successes: int, trials: int, level: float = 0.95) -> ProportionInterval:
    """Exact two-sided interval for ``successes`` out of ``trials`` (Clopper and Pearson, 1934)."""
    if trials < 1 or not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials and trials >= 1, got {successes}/{trials}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie between 0 and 1, got {level}")
    from scipy.special import betaincinv  # 0.2 s to import (with NumPy): only once an interval is asked for

    tail = (1 - level) / 2
    low = 0.0 if successes == 0 else float(betaincinv(successes, trials - successes + 1, tail))
    high = 1.0 if successes == trials else float(betaincinv(successes + 1, trials - successes, 1 - tail))
    return ProportionInterval(successes, trials, level, low, high)
