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

import dataclasses
import math
from collections import Counter
from dataclasses import dataclass

from generator.derive.definitions import Definition, definition_of
from generator.derive.effects import Effect as EffectEstimate
from generator.derive.effects import proportion_from, single_proportion
from generator.derive.pooling import MODEL_LABELS, LeftOut, NotConverged, Pooled, leave_one_out, pool
from generator.derive.stage import headline
from generator.errors import Problem
from generator.figures.common import lower_first
from generator.figures.forest import PooledForest
from generator.pages.views import ArmRow, ComparisonRow, ComparisonView, effect_is_ratio, effect_label
from generator.records.link import Corpus
from generator.records.load import format_loc
from generator.records.schema import Arm, ReportedValue, StudyRecord
from generator.review.file import EffectSpec, PoolingSpec, ReviewFile

MIN_STUDIES = 2  # fewer is no pooled estimate


@dataclass(frozen=True)
class PooledRow:
    """One row of a pooled page, pooled or not: a comparison (its effect) or, for a single proportion, an arm."""

    row: ComparisonRow | ArmRow
    effect: EffectEstimate | None  # the row's own estimate, with ``yi`` and ``vi``
    values: tuple[ReportedValue, ...]  # the stated values it is made of (their quotes, their definitions)
    weight: float | None  # percent of the total weight; None where the row is not pooled
    why_not: str | None  # why the row is left out of the pooled estimate

    @property
    def study(self) -> StudyRecord:
        return self.row.study

    @property
    def first_arm(self) -> Arm:
        return self.row.first.arm if isinstance(self.row, ComparisonRow) else self.row.arm

    @property
    def entry_id(self) -> str:
        """As the forest names the row (``figures.rows.ArmEntry.arm_id``): "first--second", or the arm's id."""
        return f"{self.row.first.arm.id}--{self.row.second.arm.id}" if isinstance(self.row, ComparisonRow) else self.row.arm.id

    @property
    def key(self) -> str:
        """The row's name in a pooled model: its study and its arms."""
        return f"{self.study.id}|{self.entry_id}"

    @property
    def label(self) -> str:
        return f"{self.row.first.arm.label} vs {self.row.second.arm.label}" if isinstance(self.row, ComparisonRow) else self.row.arm.label

    @property
    def reported(self) -> bool:
        """The row's estimate and interval are its source's own (a reported effect)."""
        return self.effect is not None and self.effect.reported


@dataclass(frozen=True)
class PooledEstimate:
    """The pooled estimate of one comparison page, or why there is none."""

    slug: str
    title: str
    spec: PoolingSpec
    effect: EffectSpec | None  # the comparison's effect; None for a single proportion (``spec.proportion``)
    label: str  # what is pooled: "Risk ratio", "Hazard ratio", or the proportion's measure ("Objective response rate")
    event: str  # of what: "tuberculosis"; for a proportion, "" (its label says it)
    rows: tuple[PooledRow, ...]  # every row of the page, pooled or not, in the page's order
    result: Pooled | None
    left_out: tuple[LeftOut, ...]  # the model refitted without each study in turn
    reason: str | None  # why no estimate, where there is none
    ratio: bool  # pooled on the log scale (a ratio), shown on its own scale

    @property
    def model_words(self) -> str:
        words = MODEL_LABELS[self.spec.model]
        return f"{words}, on the {TRANSFORM_WORDS[self.spec.transform]} scale" if self.proportion else words

    @property
    def proportion(self) -> bool:
        return self.spec.proportion is not None

    @property
    def reported(self) -> bool:
        """The studies' estimates are those they report (``effect.reported``)."""
        return self.effect is not None and self.effect.reported is not None

    @property
    def what(self) -> str:
        """The pooled quantity in a sentence: "risk ratio of tuberculosis", "objective response rate"."""
        return f"{lower_first(self.label)} of {self.event}" if self.event else lower_first(self.label)

    @property
    def pooled_rows(self) -> list[PooledRow]:
        return [row for row in self.rows if row.weight is not None]

    def on_scale(self, number: float) -> float:
        """A number of the model (log scale for a ratio, the transform's for a proportion) on the effect's own scale."""
        if self.proportion:
            return proportion_from(self.spec.transform, number)
        return math.exp(number) if self.ratio else number

    def shown(self, number: float) -> str:
        """A number on the effect's own scale in words: "0.49", or a proportion in percent, "75.8%"."""
        return f"{100 * number:.1f}%" if self.proportion else effect_number(number)

    def number(self, number: float) -> str:
        """A number of the model in words, on the effect's scale: "0.49", "75.8%"."""
        return self.shown(self.on_scale(number))

    def interval(self, low: float | None, high: float | None) -> str:
        return f"{self.number(low)} to {self.number(high)}" if low is not None and high is not None else "–"

    @property
    def left_out_rows(self) -> list[tuple[PooledRow, Pooled]]:
        """Each leave-one-out refit with the row it leaves out."""
        by_key = {row.key: row for row in self.rows}
        return [(by_key[left.label], left.pooled) for left in self.left_out]


TRANSFORM_WORDS = {"logit": "logit", "raw": "untransformed proportion"}
MODEL_SHORT_LABELS = {"common": "common effect", "dl": "random effects (DerSimonian–Laird)", "reml": "random effects (REML)",
                      "pm": "random effects (Paule–Mandel)"}


def pooled_forest(estimate: PooledEstimate) -> PooledForest | None:
    """What the page's forest draws of its pooled estimate; None where there is no estimate."""
    result = estimate.result
    if result is None:
        return None
    scale = 100.0 if estimate.proportion else 1.0  # a proportion's forest is drawn in percent

    def shown(number: float | None) -> float | None:
        return scale * estimate.on_scale(number) if number is not None else None

    return PooledForest(
        f"Pooled, {MODEL_SHORT_LABELS[estimate.spec.model]}", estimate.model_words, result.k, scale * estimate.on_scale(result.estimate),
        scale * estimate.on_scale(result.ci_low), scale * estimate.on_scale(result.ci_high), shown(result.pi_low), shown(result.pi_high),
        heterogeneity_words(result), tuple((row.study.id, row.entry_id, row.weight) for row in estimate.rows if row.weight is not None),
        tuple((row.study.id, row.entry_id, row.why_not) for row in estimate.rows if row.why_not is not None), percent=estimate.proportion)


def designs_pooled(review: ReviewFile, spec: PoolingSpec) -> list[str]:
    return spec.designs or [design.id for design in review.designs if design.poolable]


def _comparison_row(review: ReviewFile, spec: PoolingSpec, row: ComparisonRow, first_of_study: bool) -> PooledRow:
    effect = row.computed.result if row.computed is not None else None
    values = row.computed.counts if row.computed is not None else ()
    why: str | None = None
    if row.study.study_type not in designs_pooled(review, spec):
        why = f"{review.design(row.study.study_type).label.lower()}: not a design this comparison pools"
    elif effect is None or effect.yi is None or effect.vi is None:
        reason = row.computed.reason if row.computed is not None else None
        why = f"no effect computed ({reason})" if reason else "no effect computed"
    elif not first_of_study:
        why = "a further comparison of a study already pooled (it shares that study's arms)"
    return PooledRow(row, effect, values, None, why)


def _arm_row(review: ReviewFile, spec: PoolingSpec, row: ArmRow) -> PooledRow:
    """An arm's stated count and denominator of ``spec.proportion``, as a single proportion."""
    assert spec.proportion is not None
    value = headline(row.arm, spec.proportion)
    values = (value,) if value is not None else ()
    if row.study.study_type not in designs_pooled(review, spec):
        return PooledRow(row, None, values, None, f"{review.design(row.study.study_type).label.lower()}: not a design this comparison pools")
    if value is None or value.numerator is None or value.denominator is None:
        return PooledRow(row, None, values, None, "the source states no count and denominator")
    effect = single_proportion(value.numerator, value.denominator, spec.transform)
    return PooledRow(row, effect, values, None, effect.reason)


def pooled_estimate(view: ComparisonView) -> PooledEstimate | None:
    """The page's pooled estimate, if its declaration asks for one."""
    spec, effect, review = view.spec.pooling, view.spec.effect, view.review
    if spec is None or (effect is None and spec.proportion is None):
        return None
    candidates: list[PooledRow] = []
    if spec.proportion is not None:  # one row per arm the page lists, each its own sample
        candidates = [_arm_row(review, spec, row) for row in view.rows]
        label, event, ratio = review.measure(spec.proportion).label, "", False
    else:
        assert effect is not None
        seen: set[str] = set()
        for row in view.comparisons:
            candidate = _comparison_row(review, spec, row, row.study.id not in seen)
            if candidate.why_not is None:
                seen.add(row.study.id)
            candidates.append(candidate)
        label, event, ratio = effect_label(review, effect), str(effect.label), effect_is_ratio(review, effect)
    chosen = [row for row in candidates if row.why_not is None and row.effect is not None]
    keys = [row.key for row in chosen]
    result: Pooled | None = None
    left_out: tuple[LeftOut, ...] = ()
    reason: str | None = None
    if len(chosen) < MIN_STUDIES:
        reason = f"{len(chosen)} {'study' if len(chosen) == 1 else 'studies'} could be pooled; a pooled estimate needs at least {MIN_STUDIES}"
    else:
        yi = [row.effect.yi for row in chosen if row.effect is not None and row.effect.yi is not None]
        vi = [row.effect.vi for row in chosen if row.effect is not None and row.effect.vi is not None]
        try:
            result = pool(yi, vi, spec.model, keys)
            left_out = leave_one_out(yi, vi, spec.model, keys) if len(chosen) > MIN_STUDIES else ()
        except NotConverged as error:
            reason = f"the estimate of τ² did not converge ({error})"
            result = None
    weights = dict(zip(result.labels, result.weights, strict=True)) if result is not None else {}
    rows = tuple(dataclasses.replace(row, weight=weights.get(row.key)) for row in candidates)
    return PooledEstimate(view.slug, view.title, spec, effect, label, event, rows, result, left_out, reason, ratio)


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
    differing: dict[int, tuple[PooledRow, ReportedValue, Definition, Definition, list[str]]] = {}
    for view in views:
        estimate = pooled_estimate(view)
        if estimate is None:
            continue
        pooled_measures = {estimate.spec.proportion} if estimate.effect is None else {estimate.effect.events, estimate.effect.reported}
        counted = [(row, value, definition_of(value, row.first_arm)) for row in estimate.rows if row.why_not is None
                   for value in row.values if value.measure in pooled_measures]
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
        row, effect = pooled_row.row, pooled_row.effect
        if isinstance(row, ComparisonRow):
            table = row.computed.table if row.computed is not None else None
            arms: dict[str, object] = {
                "first_arm": row.first.arm.id, "second_arm": row.second.arm.id,
                "events_first": table.events_treated if table else None, "total_first": table.total_treated if table else None,
                "events_second": table.events_control if table else None, "total_second": table.total_control if table else None}
        else:  # a single proportion: the arm's stated count and denominator
            value = pooled_row.values[0] if pooled_row.values else None
            arms = {"first_arm": row.arm.id, "second_arm": None, "events_first": value.numerator if value else None,
                    "total_first": value.denominator if value else None, "events_second": None, "total_second": None}
        found.append({
            "study_id": row.study.id, **arms,
            "estimate": effect.estimate if effect else None, "ci_low": effect.ci_low if effect else None, "ci_high": effect.ci_high if effect else None,
            "yi": effect.yi if effect else None, "vi": effect.vi if effect else None,
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
    ``data/pooled.json``. Every number is computed here; ratios and proportions (0 to 1) on their own scale, the model's
    (``*_model_scale``) on the log scale of a ratio or the transform's of a proportion."""
    return [{
        "comparison": estimate.slug, "title": estimate.title,
        "effect": (estimate.effect.measure or estimate.effect.reported) if estimate.effect is not None else "proportion",
        "effect_as_reported": estimate.reported, "event": estimate.event or None,
        "proportion": estimate.spec.proportion, "transform": estimate.spec.transform if estimate.proportion else None,
        "model": estimate.spec.model, "model_words": estimate.model_words, "level": 0.95, "why_pooled": str(estimate.spec.why),
        "computed_here": True, "no_estimate_because": estimate.reason,
        "pooled": _model_numbers(estimate, estimate.result) if estimate.result is not None else None,
        "studies": _study_rows(estimate),
        "leave_one_out": [{"left_out": left.label.split("|", 1)[0], "arms": left.label.split("|", 1)[1],
                           **_model_numbers(estimate, left.pooled)} for left in estimate.left_out],
    } for estimate in estimates]
