"""Statistics computed at build time from stated counts; never typed into a record.

Intervals come from SciPy (the exact binomial test's ``proportion_ci``), not from a formula
of ours: a clinician checking a number should be able to reproduce it with a standard tool.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from scipy.stats import binomtest


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


@lru_cache(maxsize=65536)  # pages and figures ask for the same intervals many times; SciPy takes ~1.7 ms each
def clopper_pearson(successes: int, trials: int, level: float = 0.95) -> ProportionInterval:
    """Exact two-sided interval for ``successes`` out of ``trials`` (Clopper and Pearson, 1934)."""
    if trials < 1 or not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials and trials >= 1, got {successes}/{trials}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie between 0 and 1, got {level}")
    interval = binomtest(successes, trials).proportion_ci(confidence_level=level, method="exact")
    return ProportionInterval(successes, trials, level, float(interval.low), float(interval.high))
