"""Pooled estimates of study effects (meta-analysis), computed here as metafor's ``rma.uni`` computes them.

Input: each study's effect ``yi`` (a log ratio or a difference, e.g. from ``generator.derive.effects``) and its sampling
variance ``vi``. ``pool`` fits one of four models with metafor's defaults (Viechtbauer 2010), so that every pooled
number can be reproduced with ``rma(yi, vi, method=...)``:

- ``common``: the inverse-variance common-effect model (metafor's ``method="EE"``/``"FE"``), τ² = 0;
- ``dl``: random effects with DerSimonian and Laird's moment estimate of τ², truncated at 0;
- ``reml``: random effects with the restricted maximum-likelihood estimate of τ² (metafor's default);
- ``pm``: random effects with Paule and Mandel's estimate (the τ² at which the generalised Q equals k − 1).

Then: estimate = Σwᵢyᵢ/Σwᵢ with wᵢ = 1/(vᵢ + τ²), SE = 1/√Σwᵢ, a normal (Wald) interval and z test (metafor's
default ``test="z"``), weights in percent, Cochran's Q (always with the common-effect weights 1/vᵢ) with k − 1
degrees of freedom, and metafor's I² and H²: for the common-effect model I² = (Q − df)/Q (at least 0) and H² = Q/df;
for random-effects models I² = τ²/(τ² + s²) and H² = (τ² + s²)/s², with s² = (k − 1)/(Σwᵢ − Σwᵢ²/Σwᵢ) the
"typical" within-study variance (wᵢ = 1/vᵢ). The two definitions agree for DL; metafor's print method documents
them (``print.rma``). The prediction interval of a random-effects model is estimate ± z·√(SE² + τ²) with z the
*normal* quantile: metafor's ``predict.rma`` uses the standard normal distribution unless the model was fitted
with ``test="t"``/``"knha"``, "so that the prediction interval is identical to the confidence interval when
τ̂² = 0" (its Note, https://wviechtb.github.io/metafor/reference/predict.rma.html); Riley et al.'s t with k − 2
degrees of freedom is its ``predtype="Riley"``, not the default. The common-effect model has none.

What statsmodels does (``statsmodels.stats.meta_analysis.combine_effects``, which its authors checked against
metafor): Cochran's Q and its p value, the common-effect estimate, and the DL and PM estimates of τ² with the
random-effects estimate, SE and weights that follow from them. What is computed here, and why:

- DL's τ² truncated at 0: statsmodels returns the untruncated (Q − df)/c, which can be negative; metafor, and
  everyone, uses max(0, ·), and then the random-effects results are the common-effect ones.
- REML: statsmodels has no REML estimator. ``_reml_tau2`` is metafor's Fisher scoring (rma.uni.r): Hedges'
  estimate (at least 0) to start, steps (y′PPy − tr P)/tr(PP), halved while they would make τ² negative, until a
  step changes τ² by less than ``threshold`` (metafor's default 10⁻⁵) within ``maxiter`` (100) steps; then
  metafor's check that τ² = 0 does not have a higher restricted likelihood. Same algorithm, same stopping rule,
  hence the same digits as metafor prints.
- PM: statsmodels' Newton iteration stops when Q is within ``atol`` of k − 1; it is asked for 10⁻¹⁰ rather than
  its default 10⁻⁵ (in the examples tested that moves τ² in the seventh decimal at most), and its root is checked
  here, because ``combine_effects`` drops the iteration's convergence flag. This is the exact Paule–Mandel root.
  metafor finds the same root with ``uniroot`` at its default tolerance, .Machine$double.eps^0.25 ≈ 1.2 × 10⁻⁴, so
  its printed τ² (and I², H²) can differ from the exact root in the fourth decimal: for dat.chiarito2020 it
  prints τ² = 0.0144 and I² = 44.07% where the root is 0.01433 (44.02%); the estimate agrees (tests/test_pooling.py
  shows a Brent search at metafor's tolerance landing on metafor's digits).
- I², H², the standard error of τ² and the prediction interval: statsmodels' I² is Higgins and Thompson's
  (Q − df)/Q for every model and not truncated at 0; metafor's are as above.

tests/test_pooling.py compares each model with metafor's printed output on its documented example data sets.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Model = Literal["common", "dl", "reml", "pm"]
MODELS: tuple[Model, ...] = ("common", "dl", "reml", "pm")
MODEL_LABELS: dict[Model, str] = {
    "common": "common-effect model (inverse variance)",
    "dl": "random-effects model, DerSimonian–Laird estimate of τ²",
    "reml": "random-effects model, restricted maximum-likelihood estimate of τ²",
    "pm": "random-effects model, Paule–Mandel estimate of τ²",
}

REML_THRESHOLD = 1e-5  # metafor's control$threshold: stop once a Fisher scoring step changes τ² by less
REML_MAXITER = 100  # metafor's control$maxiter
_LL_TOLERANCE = float(np.finfo(float).eps) ** 0.25  # metafor's control$tol, used by its check of τ² = 0 (ll0check)
_PM_ATOL = 1e-10  # how close statsmodels' PM iteration brings the generalised Q to k − 1
_PM_MAXITER = 100
_PM_CHECK = 1e-6  # a PM root whose Q misses k − 1 by more than this is refused (it never happens when converged)

Floats = npt.NDArray[np.float64]


class NotConverged(RuntimeError):
    """An iterative estimate of τ² did not converge (metafor stops with an error then too)."""


@dataclass(frozen=True)
class Pooled:
    """A fitted model: the pooled estimate (on the scale of ``yi``), its interval and the heterogeneity statistics."""

    model: Model
    level: float  # of the confidence and prediction intervals, e.g. 0.95
    labels: tuple[str, ...]  # the studies pooled, in the order given
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float  # two-sided, of the z test of estimate = 0
    tau2: float
    tau2_se: float | None  # metafor's standard error of τ² (None for the common-effect model)
    i2: float  # percent
    h2: float
    q: float  # Cochran's Q
    q_df: int
    q_p_value: float
    weights: tuple[float, ...]  # percent of the total weight, per study, summing to 100
    pi_low: float | None  # prediction interval (random-effects models only)
    pi_high: float | None
    iterations: int = 0  # Fisher scoring steps (REML only)

    @property
    def k(self) -> int:
        return len(self.labels)

    @property
    def tau(self) -> float:
        return math.sqrt(self.tau2)

    @property
    def random_effects(self) -> bool:
        return self.model != "common"


@dataclass(frozen=True)
class LeftOut:
    """The model refitted without one study (``label``), as metafor's ``leave1out`` lists it."""

    label: str
    pooled: Pooled


def _as_arrays(yi: Sequence[float], vi: Sequence[float]) -> tuple[Floats, Floats]:
    y = np.asarray(yi, dtype=np.float64)
    v = np.asarray(vi, dtype=np.float64)
    if y.ndim != 1 or v.shape != y.shape:
        raise ValueError(f"yi and vi must be sequences of the same length, got {len(yi)} and {len(vi)}")
    if len(y) < 1:
        raise ValueError("nothing to pool: yi is empty")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v))):
        raise ValueError("yi and vi must be finite numbers")
    if np.any(v <= 0):
        raise ValueError("every sampling variance vi must be positive")
    return y, v


def _as_labels(labels: Sequence[str] | None, k: int) -> tuple[str, ...]:
    if labels is None:
        return tuple(str(index + 1) for index in range(k))
    if len(labels) != k:
        raise ValueError(f"{len(labels)} labels for {k} studies")
    return tuple(labels)


def _normal() -> Any:
    """SciPy's standard normal distribution, imported when first used: a build that pools nothing never imports
    SciPy's statistics (about 0.4 s)."""
    from scipy import stats

    return stats.norm


def _z_quantile(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must lie between 0 and 1, got {level}")
    return float(_normal().isf((1 - level) / 2))


def _sums(w: Floats) -> tuple[float, float, float]:
    """Σw, tr P and tr(PP) for P = W − wwᵀ/Σw (an intercept-only model), in closed form: no k × k matrix."""
    total = float(w.sum())
    squares = float((w**2).sum())
    trace_p = total - squares / total
    trace_pp = squares - 2 * float((w**3).sum()) / total + squares**2 / total**2
    return total, trace_p, trace_pp


def _reml_loglik(y: Floats, v: Floats, tau2: float) -> float:
    """metafor's full restricted log-likelihood of an intercept-only model at ``tau2`` (its ll0check compares two)."""
    w = 1 / (v + tau2)
    mean = float(w @ y / w.sum())
    k = len(y)
    return float(-0.5 * (k - 1) * math.log(2 * math.pi) - 0.5 * np.log(v + tau2).sum() - 0.5 * math.log(float(w.sum()))
                 - 0.5 * float(w @ (y - mean) ** 2))


def _reml_tau2(y: Floats, v: Floats, threshold: float = REML_THRESHOLD, maxiter: int = REML_MAXITER) -> tuple[float, int]:
    """The REML estimate of τ² by metafor's Fisher scoring (see the module docstring), and the steps it took."""
    k = len(y)
    # Start from Hedges' estimate (RSS − tr(PV))/(k − 1) with unweighted P = I − J/k, at least 0: metafor's tau2.init.
    rss = float(((y - y.mean()) ** 2).sum())
    tau2 = max(0.0, (rss - float(v.sum()) * (k - 1) / k) / (k - 1))
    change = threshold + 1
    iterations = 0
    while change > threshold:
        iterations += 1
        if iterations > maxiter:
            raise NotConverged(f"REML: Fisher scoring did not converge in {maxiter} steps")
        w = 1 / (v + tau2)
        total, trace_p, trace_pp = _sums(w)
        residual = w * (y - float(w @ y) / total)  # P y
        step = (float(residual @ residual) - trace_p) / trace_pp
        # Halve a step that would make τ² negative, as metafor does. From τ² = 0 a step downhill halves until it
        # underflows to -0.0, and τ² stays 0 (a thousand halvings at most: floats run out of exponent).
        while tau2 + step < 0.0:
            step /= 2
        old, tau2 = tau2, tau2 + step
        change = abs(old - tau2)
    # metafor's ll0check: Fisher scoring can stop at a local maximum when the global one is at τ² = 0.
    if tau2 > threshold and _reml_loglik(y, v, 0.0) - _reml_loglik(y, v, tau2) > _LL_TOLERANCE:
        tau2 = 0.0
    return max(0.0, tau2), iterations


def _generalised_q(y: Floats, v: Floats, tau2: float) -> float:
    w = 1 / (v + tau2)
    return float(w @ (y - float(w @ y / w.sum())) ** 2)


def _inverse_variance(y: Floats, v: Floats, tau2: float) -> tuple[float, float, Floats]:
    """Estimate, SE and relative weights for a given τ²: what ``combine_effects`` computes for its own τ² only."""
    w = 1 / (v + tau2)
    total = float(w.sum())
    return float(w @ y) / total, math.sqrt(1 / total), w / total


def pool(yi: Sequence[float], vi: Sequence[float], model: Model = "reml", labels: Sequence[str] | None = None,
         level: float = 0.95, *, threshold: float = REML_THRESHOLD, maxiter: int = REML_MAXITER) -> Pooled:
    """Pool the effects ``yi`` with sampling variances ``vi`` under ``model`` (see the module docstring).

    ``threshold`` and ``maxiter`` are REML's stopping rule (metafor's defaults). Raises ``ValueError`` for input
    that cannot be pooled (different lengths, non-finite values, a variance ≤ 0) and ``NotConverged`` when an
    iterative estimate of τ² does not converge.
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
    y, v = _as_arrays(yi, vi)
    names = _as_labels(labels, len(y))
    z_crit = _z_quantile(level)
    k = len(y)
    tau2_se: float | None = None
    iterations = 0
    if k == 1:
        # One study: metafor sets τ² = 0, Q = 0 (p = 1), I² = 0 and H² = 1; the pooled estimate is the study's.
        q, q_p, tau2 = 0.0, 1.0, 0.0
        estimate, se, relative = float(y[0]), math.sqrt(float(v[0])), np.ones(1)
    else:
        method = "pm" if model == "pm" else "dl"  # the common-effect results are the same in both
        kwds = {"atol": _PM_ATOL, "maxiter": _PM_MAXITER} if model == "pm" else {}
        # A negative DL moment estimate makes statsmodels take the square root of a negative variance for its
        # random-effects results, which are not used then (below): not a problem to warn about.
        from statsmodels.stats.meta_analysis import combine_effects  # type: ignore[import-untyped]  # 0.8 s to import: only when pooling

        with np.errstate(invalid="ignore"):
            fitted = combine_effects(y, v, method_re=method, row_names=list(names), alpha=1 - level, **kwds)
        q = float(fitted.q)
        q_p = float(fitted.test_homogeneity().pvalue)
        if model == "common":
            tau2 = 0.0
            estimate, se, relative = float(fitted.mean_effect_fe), float(fitted.sd_eff_w_fe), np.asarray(fitted.weights_rel_fe)
        elif model == "reml":
            tau2, iterations = _reml_tau2(y, v, threshold, maxiter)
            estimate, se, relative = _inverse_variance(y, v, tau2)
        else:
            tau2 = float(fitted.tau2)
            if model == "pm" and tau2 > 0 and abs(_generalised_q(y, v, tau2) - (k - 1)) > _PM_CHECK:
                raise NotConverged(f"Paule–Mandel: no τ² found at which Q = {k - 1} (stopped at τ² = {tau2})")
            if tau2 > 0:
                estimate, se, relative = float(fitted.mean_effect_re), float(fitted.sd_eff_w_re), np.asarray(fitted.weights_rel_re)
            else:  # DL's moment estimate below 0 is 0 (see the module docstring), and then so are the weights' τ²
                tau2 = 0.0
                estimate, se, relative = _inverse_variance(y, v, 0.0)
    i2, h2, tau2_se = _heterogeneity(v, model, q, tau2)
    z = estimate / se
    if model == "common":
        pi_low = pi_high = None
    else:
        half = z_crit * math.sqrt(se**2 + tau2)
        pi_low, pi_high = estimate - half, estimate + half
    return Pooled(model, level, names, estimate, se, estimate - z_crit * se, estimate + z_crit * se, z,
                  float(2 * _normal().sf(abs(z))), tau2, tau2_se, i2, h2, q, k - 1, q_p,
                  tuple(float(100 * weight) for weight in relative), pi_low, pi_high, iterations)


def _heterogeneity(v: Floats, model: Model, q: float, tau2: float) -> tuple[float, float, float | None]:
    """metafor's I² (percent), H² and standard error of τ² (see the module docstring)."""
    k = len(v)
    if k == 1:
        return 0.0, 1.0, None
    df = k - 1
    if model == "common":
        return (max(0.0, 100 * (q - df) / q) if q > 0 else 0.0), q / df, None
    _, trace_p, trace_pp = _sums(1 / v)
    typical = df / trace_p  # s², the "typical" within-study variance
    i2 = 100 * tau2 / (typical + tau2)
    h2 = tau2 / typical + 1
    if model == "dl":
        se = math.sqrt((2 * df + 4 * tau2 * trace_p + 2 * tau2**2 * trace_pp) / trace_p**2)
    else:
        total, _, trace_pp_re = _sums(1 / (v + tau2))
        # REML: from the Fisher information, √(2/tr(PP)); PM: metafor's √(2k²/(k − 1))/Σw (rma.uni.r)
        se = math.sqrt(2 / trace_pp_re) if model == "reml" else math.sqrt(2 * k**2 / df) / total
    return i2, h2, se


def leave_one_out(yi: Sequence[float], vi: Sequence[float], model: Model = "reml", labels: Sequence[str] | None = None,
                  level: float = 0.95) -> tuple[LeftOut, ...]:
    """The model refitted k times, each time without one study, in the studies' order (metafor's ``leave1out``)."""
    y, v = _as_arrays(yi, vi)
    names = _as_labels(labels, len(y))
    if len(y) < 2:
        raise ValueError("leaving one study out needs at least two studies")
    found = []
    for index, name in enumerate(names):
        keep = [i for i in range(len(y)) if i != index]
        found.append(LeftOut(name, pool(y[keep].tolist(), v[keep].tolist(), model, [names[i] for i in keep], level)))
    return tuple(found)
