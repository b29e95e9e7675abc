"""A comparison page's pooled estimate: which of its comparisons the review file lets pool, and the estimate.

Pooling is declared per comparison (``ComparisonSpec.pooling``) and made only where it is valid: a comparison row
enters only if its study's design is one the declaration names (each a design the review marks ``poolable``; never
case reports, planned trials, reviews or groups defined by outcome, which are never comparison rows), its effect
could be computed from the stated counts, and it is its study's first comparison (two comparisons sharing a study's
control arm are not independent). The event counts of every study pooled must share one definition: values of
different definitions are a build problem (:func:`check_pooling`), never a pooled number.

Every number here is computed here (``generator.derive.pooling``, checked against metafor) and is labelled so.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from generator.derive.definitions import Definition, definition_of
from generator.derive.pooling import MODEL_LABELS, LeftOut, NotConverged, Pooled, leave_one_out, pool
from generator.errors import Problem
from generator.figures.forest import PooledForest
from generator.pages.views import ComparisonRow, ComparisonView, effect_is_ratio
from generator.records.link import Corpus
from generator.records.load import format_loc
from generator.records.schema import ReportedValue
from generator.review.file import EffectSpec, PoolingSpec, ReviewFile

MIN_STUDIES = 2  # fewer is no pooled estimate


def row_key(row: ComparisonRow) -> str:
    """A comparison row's name in a pooled model: its study and its two arms."""
    return f"{row.study.id}|{row.first.arm.id}--{row.second.arm.id}"


@dataclass(frozen=True)
class PooledRow:
    row: ComparisonRow
    weight: float | None  # percent of the total weight; None where the row is not pooled
    why_not: str | None  # why the row is left out of the pooled estimate


@dataclass(frozen=True)
class PooledEstimate:
    """The pooled estimate of one comparison page, or why there is none."""

    slug: str
    title: str
    spec: PoolingSpec
    effect: EffectSpec
    rows: tuple[PooledRow, ...]  # every comparison row of the page, pooled or not, in the page's order
    result: Pooled | None
    left_out: tuple[LeftOut, ...]  # the model refitted without each study in turn
    reason: str | None  # why no estimate, where there is none
    ratio: bool  # pooled on the log scale (a ratio), shown on its own scale

    @property
    def model_words(self) -> str:
        return MODEL_LABELS[self.spec.model]

    @property
    def pooled_rows(self) -> list[PooledRow]:
        return [row for row in self.rows if row.weight is not None]

    def on_scale(self, number: float) -> float:
        """A number of the model (log scale for a ratio) on the effect's own scale."""
        return math.exp(number) if self.ratio else number

    def number(self, number: float) -> str:
        """A number of the model in words, on the effect's scale: "0.49"."""
        return effect_number(self.on_scale(number))

    def interval(self, low: float | None, high: float | None) -> str:
        return f"{self.number(low)} to {self.number(high)}" if low is not None and high is not None else "–"

    @property
    def left_out_rows(self) -> list[tuple[ComparisonRow, Pooled]]:
        """Each leave-one-out refit with the comparison row it leaves out."""
        by_key = {row_key(row.row): row.row for row in self.rows}
        return [(by_key[left.label], left.pooled) for left in self.left_out]


MODEL_SHORT_LABELS = {"common": "common effect", "dl": "random effects (DerSimonian–Laird)", "reml": "random effects (REML)",
                      "pm": "random effects (Paule–Mandel)"}


def pooled_forest(estimate: PooledEstimate) -> PooledForest | None:
    """What the page's forest draws of its pooled estimate; None where there is no estimate."""
    result = estimate.result
    if result is None:
        return None
    def entry(row: ComparisonRow) -> tuple[str, str]:  # as the forest names a comparison (``figures.rows.ArmEntry``)
        return row.study.id, f"{row.first.arm.id}--{row.second.arm.id}"
    return PooledForest(
        f"Pooled, {MODEL_SHORT_LABELS[estimate.spec.model]}", estimate.model_words, result.k, estimate.on_scale(result.estimate),
        estimate.on_scale(result.ci_low), estimate.on_scale(result.ci_high),
        estimate.on_scale(result.pi_low) if result.pi_low is not None else None,
        estimate.on_scale(result.pi_high) if result.pi_high is not None else None, heterogeneity_words(result),
        tuple((*entry(row.row), row.weight) for row in estimate.rows if row.weight is not None),
        tuple((*entry(row.row), row.why_not) for row in estimate.rows if row.why_not is not None))


def designs_pooled(review: ReviewFile, spec: PoolingSpec) -> list[str]:
    return spec.designs or [design.id for design in review.designs if design.poolable]


def _why_not(review: ReviewFile, spec: PoolingSpec, row: ComparisonRow, first_of_study: bool) -> str | None:
    if row.study.study_type not in designs_pooled(review, spec):
        return f"{review.design(row.study.study_type).label.lower()}: not a design this comparison pools"
    if row.computed is None or row.computed.result is None or row.computed.result.yi is None or row.computed.result.vi is None:
        reason = row.computed.reason if row.computed is not None else None
        return f"no effect computed ({reason})" if reason else "no effect computed"
    if not first_of_study:
        return "a further comparison of a study already pooled (it shares that study's arms)"
    return None


def pooled_estimate(view: ComparisonView) -> PooledEstimate | None:
    """The page's pooled estimate, if its declaration asks for one."""
    spec, effect = view.spec.pooling, view.spec.effect
    if spec is None or effect is None:
        return None
    seen: set[str] = set()
    candidates: list[tuple[ComparisonRow, str | None]] = []
    for row in view.comparisons:
        why = _why_not(view.review, spec, row, row.study.id not in seen)
        if why is None:
            seen.add(row.study.id)
        candidates.append((row, why))
    chosen = [row for row, why in candidates if why is None]
    keys = [row_key(row) for row in chosen]
    result: Pooled | None = None
    left_out: tuple[LeftOut, ...] = ()
    reason: str | None = None
    if len(chosen) < MIN_STUDIES:
        reason = f"{len(chosen)} {'study' if len(chosen) == 1 else 'studies'} could be pooled; a pooled estimate needs at least {MIN_STUDIES}"
    else:
        yi = [row.computed.result.yi for row in chosen if row.computed and row.computed.result and row.computed.result.yi is not None]
        vi = [row.computed.result.vi for row in chosen if row.computed and row.computed.result and row.computed.result.vi is not None]
        try:
            result = pool(yi, vi, spec.model, keys)
            left_out = leave_one_out(yi, vi, spec.model, keys) if len(chosen) > MIN_STUDIES else ()
        except NotConverged as error:
            reason = f"the estimate of τ² did not converge ({error})"
            result = None
    weights = dict(zip(result.labels, result.weights, strict=True)) if result is not None else {}
    rows = tuple(PooledRow(row, weights.get(row_key(row)), why) for row, why in candidates)
    return PooledEstimate(view.slug, view.title, spec, effect, rows, result, left_out, reason, effect_is_ratio(view.review, effect))


def _definition_words(review: ReviewFile, definition: Definition) -> str:
    parts = [f"counted from {review.label('time_origins', definition.time_origin).lower()}" if definition.time_origin else "",
             f"by {review.label('response_criteria', definition.response_criteria)}" if definition.response_criteria else "",
             f"assessed by {review.label('assessors', definition.assessed_by).lower()}" if definition.assessed_by else "",
             f"named “{definition.source_term}” by its source" if definition.source_term else ""]
    return ", ".join(part for part in parts if part) or "no definition stated"


def check_pooling(corpus: Corpus, views: list[ComparisonView]) -> list[Problem]:
    """Event counts of different definitions in one pooled comparison: a problem at each value whose definition is not
    the one most of the comparison's studies share, once per value whatever the comparisons pooling it (the build
    stops; nothing is pooled across definitions)."""
    review = corpus.review
    differing: dict[int, tuple[ComparisonRow, ReportedValue, Definition, Definition, list[str]]] = {}
    for view in views:
        estimate = pooled_estimate(view)
        if estimate is None:
            continue
        counted = [(row.row, value, definition_of(value, row.row.first.arm)) for row in estimate.rows
                   if row.why_not is None and row.row.computed is not None
                   for value in row.row.computed.counts if value.measure in (estimate.effect.events, estimate.effect.reported)]
        shared = Counter(definition for _, _, definition in counted).most_common(1)
        for row, value, definition in counted:
            if shared and definition != shared[0][0]:
                differing.setdefault(id(value), (row, value, definition, shared[0][0], []))[4].append(view.slug)
    problems: list[Problem] = []
    for row, value, definition, usual, slugs in differing.values():
        origin = corpus.origins.get(("studies", row.study.id))
        arm_index = next(i for i, arm in enumerate(row.study.arms) if any(v is value for v in arm.outcomes))
        value_index = next(i for i, v in enumerate(row.study.arms[arm_index].outcomes) if v is value)
        loc: tuple[str | int, ...] = ("arms", arm_index, "outcomes", value_index)
        named = ", ".join(repr(slug) for slug in slugs)
        problems.append(Problem(
            origin.file if origin else f"studies/{row.study.id}", origin.line_of(loc) if origin else 0, format_loc(loc),
            f"{'comparison' if len(slugs) == 1 else 'comparisons'} {named} pool `{value.measure}` values of different definitions: "
            f"{_definition_words(review, definition)} here, {_definition_words(review, usual)} in the other studies pooled. A pooled "
            "estimate needs one definition: narrow the comparison's scope to the studies that share it, or remove its `pooling`"))
    return problems


# --------------------------------------------------------------------------- in words and in files


def effect_number(number: float) -> str:
    """As the comparison tables print a computed effect: two decimals."""
    return f"{number:.2f}"


def p_words(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def heterogeneity_words(result: Pooled) -> str:
    """One line of heterogeneity, as the page, its table and the forest write it."""
    parts = [f"τ² = {result.tau2:.4f}"] if result.random_effects else []
    parts += [f"I² = {result.i2:.1f}%", f"H² = {result.h2:.2f}", f"Q = {result.q:.2f} (df {result.q_df}, p {p_words(result.q_p_value)})"]
    return ", ".join(parts)


def _study_rows(estimate: PooledEstimate) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for pooled_row in estimate.rows:
        row = pooled_row.row
        result = row.computed.result if row.computed is not None else None
        table = row.computed.table if row.computed is not None else None
        found.append({
            "study_id": row.study.id, "first_arm": row.first.arm.id, "second_arm": row.second.arm.id,
            "events_first": table.events_treated if table else None, "total_first": table.total_treated if table else None,
            "events_second": table.events_control if table else None, "total_second": table.total_control if table else None,
            "estimate": result.estimate if result else None, "ci_low": result.ci_low if result else None, "ci_high": result.ci_high if result else None,
            "yi": result.yi if result else None, "vi": result.vi if result else None,
            "weight_percent": pooled_row.weight, "pooled": pooled_row.weight is not None, "not_pooled_because": pooled_row.why_not,
        })
    return found


def _model_numbers(estimate: PooledEstimate, result: Pooled) -> dict[str, object]:
    on_scale = estimate.on_scale
    return {
        "k": result.k, "estimate": on_scale(result.estimate), "ci_low": on_scale(result.ci_low), "ci_high": on_scale(result.ci_high),
        "pi_low": on_scale(result.pi_low) if result.pi_low is not None else None,
        "pi_high": on_scale(result.pi_high) if result.pi_high is not None else None,
        "estimate_model_scale": result.estimate, "se_model_scale": result.se, "z": result.z, "p_value": result.p_value,
        "tau2": result.tau2, "tau2_se": result.tau2_se, "i2_percent": result.i2, "h2": result.h2,
        "q": result.q, "q_df": result.q_df, "q_p_value": result.q_p_value,
    }


def pooled_records(estimates: list[PooledEstimate]) -> list[dict[str, object]]:
    """Every pooled estimate of the review, with its studies and its leave-one-out refits: the contents of
    ``data/pooled.json``. Every number is computed here; ratios on their own scale, the model's on the log scale."""
    return [{
        "comparison": estimate.slug, "title": estimate.title, "effect": estimate.effect.measure or estimate.effect.reported,
        "effect_as_reported": estimate.effect.reported is not None, "event": estimate.effect.label,
        "model": estimate.spec.model, "model_words": estimate.model_words, "level": 0.95, "why_pooled": str(estimate.spec.why),
        "computed_here": True, "no_estimate_because": estimate.reason,
        "pooled": _model_numbers(estimate, estimate.result) if estimate.result is not None else None,
        "studies": _study_rows(estimate),
        "leave_one_out": [{"left_out": left.label.split("|", 1)[0], "arms": left.label.split("|", 1)[1],
                           **_model_numbers(estimate, left.pooled)} for left in estimate.left_out],
    } for estimate in estimates]
