"""The effect of a comparison computed from its 2×2 counts (risk ratio, odds ratio or risk difference), or taken as a
source reports it with its interval (a hazard ratio, a mean difference), made ready for pooling.

Every number here is *computed here* from stated counts (events and patients per arm), never typed into a
record, and is labelled as such wherever it is shown. The definitions are those of metafor's ``escalc``
(Viechtbauer 2010) with its defaults, so that a reader can reproduce each value with a standard tool:

- ``yi`` is the log risk ratio (escalc measure "RR"), the log odds ratio ("OR") or the risk difference ("RD"),
  and ``vi`` its large-sample sampling variance (escalc's default ``vtype="LS"``):
  RR: 1/a − 1/n₁ + 1/c − 1/n₂; OR: 1/a + 1/b + 1/c + 1/d; RD: p₁(1 − p₁)/n₁ + p₂(1 − p₂)/n₂.
- A table with a zero cell gets 0.5 added to each of its four cells, and only such a table (escalc's default
  ``add=1/2, to="only0"``): the ratios and their variances are otherwise infinite.
- The interval is the Wald interval yi ± z·√vi, on the log scale for the ratios (then exponentiated), which is
  what metafor's ``summary.escalc`` prints.

One departure, asked for by the review: a table with no events in either arm, or only events in both arms, yields
no ratio at all (metafor's ``drop00=TRUE``): such a trial says nothing about the ratio, and the continuity
correction would invent one. The risk difference of such a table is still computed, as escalc computes it (with the
correction, so it is not exactly 0 when the arms differ in size).

Where statsmodels computes the same thing it does the arithmetic: ``Table2x2`` (log ratios, their standard errors
and Wald intervals) and ``confint_proportions_2indep(method="wald")`` (the difference's interval), given the table
after the continuity correction; ``effectsize_2proportions`` gives the difference and its variance. The correction
itself is applied here, because statsmodels' own (``Table2x2(shift_zeros=True)``) replaces each zero cell by 0.5
and leaves the other cells as they are, which is not metafor's rule (its docstring says otherwise: it says 0.5 is
added to all cells). tests/test_effects.py checks the values against metafor's printed output.

A single arm's proportion (:func:`single_proportion`) is escalc's "PLO" (the logit, yi = log(x/(n − x)), vi = 1/x +
1/(n − x)) or "PR" (yi = x/n, vi = yi(1 − yi)/n), with escalc's default correction: 0.5 added to the events and the
non-events of an arm with none of either. It is shown as stated (x/n) with the exact (Clopper–Pearson) interval every
proportion on the site has; the pooled estimate is back-transformed from the pooling scale (:func:`proportion_from`).

A reported effect (:func:`effect_from_reported`) keeps the source's estimate and interval as stated; computed here are
only what pooling takes: ``yi`` (its log for a ratio) and ``vi`` from the interval's width, as metafor's documented
example of ``dat.hackshaw1998`` does: vi = ((log(upper) − log(lower)) / (2 · z₀.₉₇₅))² for a ratio.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

from generator.derive.intervals import clopper_pearson
from generator.review.file import ProportionTransform  # "logit" and "raw": metafor's escalc measures "PLO" and "PR"

EffectMeasure = Literal["risk_ratio", "odds_ratio", "risk_difference"]
MEASURES: tuple[EffectMeasure, ...] = ("risk_ratio", "odds_ratio", "risk_difference")
RATIOS: frozenset[EffectMeasure] = frozenset({"risk_ratio", "odds_ratio"})
ReportedKind = Literal["reported_ratio", "reported_difference"]  # an effect as a source reports it
ProportionKind = Literal["proportion_logit", "proportion_raw"]  # a single arm's proportion, on the scale it is pooled on
# metafor's name of each measure (escalc's ``measure``), for method notes that say how a value was computed
ESCALC_NAMES: dict[EffectMeasure, str] = {"risk_ratio": "RR", "odds_ratio": "OR", "risk_difference": "RD"}
MEASURE_LABELS: dict[EffectMeasure, str] = {"risk_ratio": "Risk ratio", "odds_ratio": "Odds ratio", "risk_difference": "Risk difference"}

CONTINUITY_CORRECTION = 0.5  # escalc's default ``add``, put in every cell of a table with a zero cell (``to="only0"``)


def _count(name: str, value: object) -> int:
    # bool is an int in Python; a count of True is a mistake in the caller, not a count of 1
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    return value


@dataclass(frozen=True)
class TwoByTwo:
    """The counts of a two-arm comparison: events and patients in the treated arm and in the control arm."""

    events_treated: int
    total_treated: int
    events_control: int
    total_control: int

    def __post_init__(self) -> None:
        for arm in ("treated", "control"):
            events = _count(f"events_{arm}", getattr(self, f"events_{arm}"))
            total = _count(f"total_{arm}", getattr(self, f"total_{arm}"))
            if total < 1:
                raise ValueError(f"total_{arm} must be at least 1, got {total}")
            if not 0 <= events <= total:
                raise ValueError(f"events_{arm} must lie between 0 and total_{arm} ({total}), got {events}")

    @property
    def cells(self) -> tuple[int, int, int, int]:
        """(a, b, c, d) in escalc's notation: events and non-events treated, events and non-events control."""
        return (self.events_treated, self.total_treated - self.events_treated,
                self.events_control, self.total_control - self.events_control)

    @property
    def has_zero_cell(self) -> bool:
        return 0 in self.cells

    def no_ratio_reason(self) -> str | None:
        """Why no ratio can be computed from this table (None if one can): no events, or only events, in both arms."""
        a, b, c, d = self.cells
        if a == 0 and c == 0:
            return "no events in either arm"
        if b == 0 and d == 0:
            return "every patient had the event in both arms"
        return None


@dataclass(frozen=True)
class Effect:
    """The effect of one comparison, computed here from its counts.

    ``estimate``, ``ci_low`` and ``ci_high`` are on the measure's own scale (a ratio, or a difference of
    proportions); ``yi`` and ``vi`` are what pooling takes (log ratio or difference, and its sampling variance).
    When no effect can be computed all five are None and ``reason`` says why.
    """

    measure: EffectMeasure | ReportedKind | ProportionKind
    table: TwoByTwo | None  # None for a reported effect and a single proportion
    level: float
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    yi: float | None
    vi: float | None
    added: float  # added to every cell before computing (the continuity correction), 0.0 when none was needed
    reason: str | None = None

    def __post_init__(self) -> None:
        numbers = (self.estimate, self.ci_low, self.ci_high, self.yi, self.vi)
        if self.reason is None and any(number is None for number in numbers):
            raise ValueError("an effect without a reason needs every number")
        if self.reason is not None and any(number is not None for number in numbers):
            raise ValueError("an effect with a reason for having no value has no numbers")

    @property
    def is_ratio(self) -> bool:
        return self.measure in RATIOS or self.measure == "reported_ratio"

    @property
    def proportion(self) -> bool:
        """A single arm's proportion (0 to 1), not a comparison of two arms."""
        return self.measure in ("proportion_logit", "proportion_raw")

    @property
    def reported(self) -> bool:
        """Estimate and interval as the source states them (only ``yi`` and ``vi`` computed here)."""
        return self.measure in ("reported_ratio", "reported_difference")

    @property
    def se(self) -> float | None:
        """The standard error of ``yi`` (log scale for ratios)."""
        return None if self.vi is None else math.sqrt(self.vi)


def _check_level(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must lie between 0 and 1, got {level}")
    return level


def effect_from_counts(table: TwoByTwo, measure: EffectMeasure, level: float = 0.95) -> Effect:
    """The ``measure`` of treated against control from ``table``, with its Wald interval at ``level`` (see the module)."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}, got {measure!r}")
    alpha = 1 - _check_level(level)
    if measure in RATIOS:
        reason = table.no_ratio_reason()
        if reason is not None:
            return Effect(measure, table, level, None, None, None, None, None, 0.0, f"no {MEASURE_LABELS[measure].lower()}: {reason}")
    # Imported here: statsmodels (with SciPy and pandas) takes about 0.8 s and 100 MB to import, which a review that
    # computes no effect from counts (most small ones) should not pay for at every build.
    import numpy as np
    from statsmodels.stats.contingency_tables import Table2x2  # type: ignore[import-untyped]
    from statsmodels.stats.meta_analysis import effectsize_2proportions  # type: ignore[import-untyped]
    from statsmodels.stats.proportion import confint_proportions_2indep  # type: ignore[import-untyped]

    added = CONTINUITY_CORRECTION if table.has_zero_cell else 0.0
    a, b, c, d = (cell + added for cell in table.cells)
    if measure == "risk_difference":
        # Given the corrected counts, statsmodels computes escalc's RD and its LS variance exactly (no further correction).
        yi, vi = effectsize_2proportions(a, a + b, c, c + d, statistic="diff")
        low, high = confint_proportions_2indep(a, a + b, c, c + d, method="wald", compare="diff", alpha=alpha)
        return Effect(measure, table, level, float(yi), float(low), float(high), float(yi), float(vi), added)
    # shift_zeros=False: the correction is metafor's, applied above (see the module docstring)
    two_by_two = Table2x2(np.array([[a, b], [c, d]], dtype=float), shift_zeros=False)
    if measure == "risk_ratio":
        yi, se = two_by_two.log_riskratio, two_by_two.log_riskratio_se
        estimate = two_by_two.riskratio
        low, high = two_by_two.riskratio_confint(alpha=alpha)
    else:
        yi, se = two_by_two.log_oddsratio, two_by_two.log_oddsratio_se
        estimate = two_by_two.oddsratio
        low, high = two_by_two.oddsratio_confint(alpha=alpha)
    return Effect(measure, table, level, float(estimate), float(low), float(high), float(yi), float(se) ** 2, added)


def effect_from_reported(estimate: float, low: float, high: float, ratio: bool, level: float = 0.95) -> Effect:
    """A source's ratio (``ratio``) or difference with its interval at ``level``, as stated, with ``yi`` and ``vi`` for
    pooling: the log of a ratio, and the variance that gives the interval's width (see the module)."""
    kind: ReportedKind = "reported_ratio" if ratio else "reported_difference"
    z = NormalDist().inv_cdf(1 - (1 - _check_level(level)) / 2)
    if ratio and min(estimate, low, high) <= 0:
        return Effect(kind, None, level, None, None, None, None, None, 0.0, "a ratio and its interval are greater than 0")
    if not low < high or not low <= estimate <= high:
        return Effect(kind, None, level, None, None, None, None, None, 0.0, "the stated interval does not hold the estimate")
    if ratio:
        yi, width = math.log(estimate), math.log(high) - math.log(low)
    else:
        yi, width = estimate, high - low
    return Effect(kind, None, level, estimate, low, high, yi, (width / (2 * z)) ** 2, 0.0)


def proportion_from(transform: ProportionTransform, y: float) -> float:
    """A number of the pooling scale of ``transform`` as a proportion (0 to 1): the inverse logit, or itself."""
    return 1 / (1 + math.exp(-y)) if transform == "logit" else y


def single_proportion(events: int, total: int, transform: ProportionTransform, level: float = 0.95) -> Effect:
    """One arm's proportion of ``events`` in ``total`` (0 to 1), with ``yi`` and ``vi`` on the scale of ``transform`` and the
    Wald interval on that scale, back-transformed (see the module)."""
    events, total = _count("events", events), _count("total", total)
    kind: ProportionKind = "proportion_logit" if transform == "logit" else "proportion_raw"
    if total < 1 or not 0 <= events <= total:
        return Effect(kind, None, level, None, None, None, None, None, 0.0, "the stated count and denominator do not make a proportion")
    added = CONTINUITY_CORRECTION if events in (0, total) else 0.0
    x, rest = events + added, total - events + added
    n = x + rest
    if transform == "logit":
        yi, vi = math.log(x / rest), 1 / x + 1 / rest
    else:
        yi = x / n
        vi = yi * (1 - yi) / n
    # shown with the exact interval every proportion of the site has; pooled on the scale of ``transform``
    interval = clopper_pearson(events, total, _check_level(level))
    return Effect(kind, None, level, events / total, interval.low, interval.high, yi, vi, added)
