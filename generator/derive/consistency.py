"""Build-time consistency checks: do the figures a study states agree with one another?

A failed check never changes a value and never stops the build. It produces a
:class:`ConsistencyFlag` that the site shows next to the value and lists on the
curation-notes page; the reader (or curator) decides what it means. The sources are
often right and merely rounded, so every check allows for the rounding the source used.

Only figures on the same footing are compared: the same study and arm, the same
subgroup and time point, no comparator, no category (a characteristic or adverse event
is not a response rate), and percentages only with unit ``%``. Where two figures state
different denominators they count different populations and are not compared at all.

The module knows no review: which measure is a group's size (``participants: true``), which
counts events rather than participants (``events: true``), which are comparisons of two arms, and
in which units a value counts participants all come from the review file (``seeds/review.yaml``,
:mod:`generator.review.file`), and so do the checks of measures that add up, under the names the
review file gives them (its ``checks:``).

The tool's own checks, the same for every review:

- ``percent-vs-count`` — a percentage stated with its count and denominator (``6/40 (15%)``).
- ``arms-vs-enrolment`` — the arms' sizes against the number enrolled.
- ``count-vs-n`` — a count of participants, or the denominator it is out of, larger than the group.
- ``percent-vs-n`` — a whole-arm percentage stated without its count must be reachable as some
  whole number of the arm's participants (e.g. 29.5% of 115 is not: 34/115 is 29.6%); a miss often
  means the percentage is out of another denominator (evaluable participants), so the message says so.

The review's checks (``checks:`` of the review file):

- a sum (:class:`~generator.review.file.SumCheck`) — a measure against the measures it adds up to
  (a response rate against its complete and partial responses); of several alternatives of parts,
  the first whose first measure the arm states is used, else the last. With a part missing the
  total must still be at least the parts given.
- a partition (:class:`~generator.review.file.PartitionCheck`) — two measures that together make
  up the group (men and women): as counts, the group's size; as percentages, 100.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from generator.derive.evidence import stated_form
from generator.records.link import Corpus
from generator.records.load import Loc, format_loc
from generator.records.schema import Arm, ReportedValue, StudyRecord
from generator.review.file import PartitionCheck, ReviewFile, SumCheck

# The tool's own checks; the review file names its sums and partitions (``review.checks``).
PERCENT_VS_COUNT = "percent-vs-count"
ARMS_VS_ENROLMENT = "arms-vs-enrolment"
COUNT_VS_N = "count-vs-n"
PERCENT_VS_N = "percent-vs-n"
CHECKS = (PERCENT_VS_COUNT, ARMS_VS_ENROLMENT, COUNT_VS_N, PERCENT_VS_N)

# Where a record keeps the values a flag can point at: (kind, record id, location in the record).
ValueKey = tuple[str, str, Loc]

# A number followed by a percent sign, so that "5 (5.0%)" gives "5.0" for the percentage, not "5".
_PERCENT_TOKEN = re.compile(r"(?<![0-9.])([0-9]+(?:\.[0-9]+)?)\s*%")
# Explains a few more arms than any study has; beyond it the cohort search is skipped (it is exponential).
_MAX_ARMS_TO_SPLIT = 12


@dataclass(frozen=True)
class CheckRules:
    """What the checks need to know of a review, from its review file (:meth:`of`)."""

    participants: frozenset[str]  # measures whose value is a group's size
    events: frozenset[str]  # measures counting events, not participants: never held to a group's size
    comparisons: frozenset[str]  # comparisons of two arms (a hazard ratio, a p value …)
    short: dict[str, str]  # how a message names each measure
    units: frozenset[str]  # units in which a value counts participants
    people: str  # how a message names participants: the first of those units
    sums: tuple[SumCheck, ...] = ()
    partitions: tuple[PartitionCheck, ...] = ()

    @classmethod
    def of(cls, review: ReviewFile) -> CheckRules:
        measures = review.measures
        units = review.checks.participant_units
        return cls(
            participants=frozenset(m.id for m in measures if m.participants), events=frozenset(m.id for m in measures if m.events),
            comparisons=frozenset(m.id for m in measures if m.comparison), short={m.id: review.measure_short(m.id) for m in measures},
            units=frozenset(units), people=units[0] if units else "participants",
            sums=tuple(review.checks.sums), partitions=tuple(review.checks.partitions),
        )

    def names(self) -> tuple[str, ...]:
        """Every check's name: the tool's own, then the review's."""
        return (*CHECKS, *(c.check for c in self.sums), *(c.check for c in self.partitions))


@dataclass(frozen=True)
class ConsistencyFlag:
    """A stated figure that does not agree with another figure of the same record.

    ``loc`` is the path to the value inside the record (``("arms", 0, "outcomes", 3)``),
    so a page can attach the flag to that exact value; ``related`` holds the other
    values the check compared it with.
    """

    kind: str
    record_id: str
    arm_id: str | None
    loc: Loc
    check: str
    message: str
    related: tuple[Loc, ...] = ()

    @property
    def key(self) -> ValueKey:
        return (self.kind, self.record_id, self.loc)

    @property
    def field(self) -> str:
        """The location as curation notes write it, e.g. ``arms[0].outcomes[3]``."""
        return format_loc(self.loc)


def check_consistency(corpus: Corpus) -> list[ConsistencyFlag]:
    """Every consistency flag of the corpus, in record order and, within a record, in field order."""
    rules = CheckRules.of(corpus.review)
    flags = [flag for study_id in sorted(corpus.studies) for flag in check_study(corpus.studies[study_id], rules)]
    return sorted(flags, key=_flag_order)


def check_study(study: StudyRecord, review: ReviewFile | CheckRules) -> list[ConsistencyFlag]:
    """All checks over one study record, with the measures and checks of ``review``."""
    rules = review if isinstance(review, CheckRules) else CheckRules.of(review)
    flags: list[ConsistencyFlag] = []
    flags += check_percentages(study)
    flags += check_arm_sizes(study, rules)
    for index, arm in enumerate(study.arms):
        flags += check_sums(study, index, arm, rules)
        flags += check_counts_against_n(study, index, arm, rules)
        flags += check_percent_reachable(study, index, arm, rules)
    flags += check_population_counts(study, rules)
    # One flag per value, check and finding: a pair of duplicate figures must not flag twice.
    return sorted(dict.fromkeys(flags), key=_flag_order)


def flags_by_value(flags: Iterable[ConsistencyFlag], *, include_related: bool = False) -> dict[ValueKey, list[ConsistencyFlag]]:
    """The flags attached to each value, keyed by (kind, record id, location).

    With ``include_related`` a flag is also listed under every other value it compared,
    so that e.g. a failed sum check shows beside each of the parts as well.
    """
    found: dict[ValueKey, list[ConsistencyFlag]] = {}
    for flag in flags:
        for loc in (flag.loc, *flag.related) if include_related else (flag.loc,):
            found.setdefault((flag.kind, flag.record_id, loc), []).append(flag)
    return found


# --------------------------------------------------------------------------- stated numbers


def stated_text(value: ReportedValue) -> str | None:
    """The value's number as the source writes it ("15", "66.7", "15.0"), or None when only a qualifier is given.

    The trailing zeros matter: "15.0%" claims a tenth of a percent, "15%" only a whole one.
    """
    if value.value is None:
        return None
    if value.unit == "%":
        for text in (value.as_reported, value.quote):
            for token in _PERCENT_TOKEN.findall(text):
                if abs(float(token) - value.value) < 1e-9:
                    return str(token)
    return stated_form(value.value, value.as_reported, value.quote).replace(",", "")


def decimals_of(text: str) -> int:
    """How many decimal places a number is written with: "15" → 0, "66.7" → 1, "0.80" → 2."""
    exponent = Decimal(text).as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def half_unit(decimals: int) -> Fraction:
    """The largest error rounding to ``decimals`` places leaves: 0.5 for whole numbers, 0.05 for one decimal."""
    return Fraction(1, 2 * 10**decimals)


def roundings(exact: Fraction, decimals: int) -> dict[str, Fraction]:
    """``exact`` rounded to ``decimals`` places in each standard way a source may have used."""
    scale = 10**decimals
    scaled = exact * scale
    return {
        "half up": Fraction(math.floor(scaled + Fraction(1, 2)), scale),
        "half to even": Fraction(round(scaled), scale),
        # truncation is used by some reports; rounding *up* is not, so 1/3 stated as 34% is flagged
        "down": Fraction(math.floor(scaled), scale),
    }


def percent_agrees(numerator: int, denominator: int, stated: str) -> bool:
    """Whether ``stated`` percent is ``numerator/denominator`` rounded to the places ``stated`` is written with.

    Strict but fair: a rounding half up, half to even or down (truncation) is accepted, as
    sources differ in which they use; rounding up is not a convention, so 1/3 as "34" fails.
    6/40 = 15% exactly, so "15" and "15.0" agree but "14" and "16" do not.
    """
    exact = Fraction(100 * numerator, denominator)
    return Fraction(stated) in roundings(exact, decimals_of(stated)).values()


def _plain(number: Fraction) -> str:
    return format(float(number), ".10g")


def _fixed(number: Fraction, decimals: int) -> str:
    """A computed sum shown to the places its parts were written with: 10 + 60.0 → "70.0"."""
    return f"{float(number):.{decimals}f}"


def _points(number: Fraction) -> str:
    return f"{_plain(number)} point{'' if number == 1 else 's'}"


def _precision(decimals: int) -> str:
    return "a whole number" if decimals == 0 else f"{decimals} decimal place{'s' if decimals > 1 else ''}"


def patient_count(value: ReportedValue, units: Collection[str]) -> int | None:
    """The number of participants a value states: its numerator, or the value itself when its unit is one of ``units``
    (the review's ``participant_units``)."""
    if value.numerator is not None:
        return value.numerator
    if value.unit in units and value.value is not None and float(value.value).is_integer():
        return int(value.value)
    return None


# --------------------------------------------------------------------------- where values are


@dataclass(frozen=True)
class _Figure:
    """A value and where it sits in its record."""

    loc: Loc
    value: ReportedValue

    def label(self, rules: CheckRules) -> str:
        return rules.short.get(self.value.measure, self.value.measure)


def _study_figures(study: StudyRecord) -> Iterator[tuple[str | None, _Figure]]:
    """Every reported value of a study with the arm it belongs to (None for study-level values)."""
    if study.enrolment is not None:
        yield None, _Figure(("enrolment",), study.enrolment)
    for index, value in enumerate(study.population_values):
        yield None, _Figure(("population_values", index), value)
    for arm_index, arm in enumerate(study.arms):
        for index, value in enumerate(arm.outcomes):
            yield arm.id, _Figure(("arms", arm_index, "outcomes", index), value)


def _arm_figures(arm_index: int, arm: Arm) -> list[_Figure]:
    return [_Figure(("arms", arm_index, "outcomes", index), value) for index, value in enumerate(arm.outcomes)]


def _whole_group(value: ReportedValue) -> bool:
    """A value about the whole arm (or study): no subgroup, time point, comparison, category or statistic."""
    return (value.subgroup is None and value.timepoint is None and value.comparator is None
            and value.category is None and value.statistic is None and value.endpoint is None)


def _group_size(figures: Iterable[_Figure], rules: CheckRules) -> tuple[_Figure, int] | None:
    """The group's headline size: the first whole-group value of a participants measure that states a count (the one
    tables show)."""
    for figure in figures:
        count = patient_count(figure.value, rules.units)
        if figure.value.measure in rules.participants and _whole_group(figure.value) and count is not None:
            return figure, count
    return None


def _flag(study: StudyRecord, arm_id: str | None, figure: _Figure, check: str, message: str, related: Sequence[_Figure] = ()) -> ConsistencyFlag:
    return ConsistencyFlag("studies", study.id, arm_id, figure.loc, check, message, tuple(f.loc for f in related))


# --------------------------------------------------------------------------- a. percentage against its count


def check_percentages(study: StudyRecord) -> list[ConsistencyFlag]:
    """A percentage stated with its count and denominator must be that fraction, rounded as the source wrote it."""
    flags = []
    for arm_id, figure in _study_figures(study):
        value = figure.value
        stated = stated_text(value)
        if value.unit != "%" or stated is None or value.numerator is None or value.denominator is None:
            continue
        if percent_agrees(value.numerator, value.denominator, stated):
            continue
        decimals = decimals_of(stated)
        exact = Fraction(100 * value.numerator, value.denominator)
        shown = f"{float(exact):.{decimals + 1}f}"
        flags.append(_flag(study, arm_id, figure, PERCENT_VS_COUNT,
                           f"stated {stated}% but {value.numerator}/{value.denominator} is {shown}%; no rounding of {shown} "
                           f"to {_precision(decimals)} (half up, half to even or down) gives {stated}"))
    return flags


def check_percent_reachable(study: StudyRecord, arm_index: int, arm: Arm, rules: CheckRules) -> list[ConsistencyFlag]:
    """A whole-arm percentage without a stated count must equal k/n for some whole k, rounded as written
    (not the group's size itself, nor a comparison of two arms)."""
    figures = _arm_figures(arm_index, arm)
    size = _group_size(figures, rules)
    if size is None or size[1] == 0:
        return []  # no size, or an arm of none: no percentage of it to reach
    size_figure, n = size
    flags = []
    for figure in figures:
        value = figure.value
        stated = stated_text(value)
        if (value.unit != "%" or stated is None or value.numerator is not None or value.denominator is not None
                or not _whole_group(value) or value.measure in rules.participants or value.measure in rules.comparisons):
            continue
        # Every rounding accepted maps an interval containing the stated value onto it, so if any k/n
        # rounds to it, the k just below or just above stated × n / 100 does (two checks, not n + 1).
        target = Fraction(Decimal(stated))
        exact = target * n / 100
        floor, ceiling = exact.numerator // exact.denominator, -(-exact.numerator // exact.denominator)
        if any(percent_agrees(k, n, stated) for k in {floor, ceiling} if 0 <= k <= n):
            continue
        below = max(0, min(n, ceiling - 1))
        nearest = [k for k in (below, below + 1) if k <= n]
        shown = "; ".join(f"{k}/{n} is {float(Fraction(100 * k, n)):.{decimals_of(stated) + 1}f}%" for k in nearest)
        flags.append(_flag(study, arm.id, figure, PERCENT_VS_N,
                           f"stated {stated}% of an arm of {n}, but no whole number of its {n} {rules.people} gives {stated}% ({shown}); "
                           f"the percentage may be out of another denominator, such as evaluable {rules.people}", [size_figure]))
    return flags


# --------------------------------------------------------------------------- b. arm sizes against enrolment


def check_arm_sizes(study: StudyRecord, rules: CheckRules) -> list[ConsistencyFlag]:
    """No arm is larger than the study's enrolment; when every arm states its size, the arms account for the enrolment.

    Arms are not always a partition: studies that report subgroups as arms often add an
    "all participants" arm, or split the same cohort two ways (responders / non-responders and
    by a marker). When the arm sizes can be grouped into whole copies of the enrolment,
    the arms are such views of one cohort and are not flagged.
    """
    if study.enrolment is None or not study.arms:
        return []
    total = patient_count(study.enrolment, rules.units)
    if total is None:
        return []
    enrolment = _Figure(("enrolment",), study.enrolment)
    flags = []
    sizes: list[tuple[Arm, _Figure, int]] = []
    for index, arm in enumerate(study.arms):
        size = _group_size(_arm_figures(index, arm), rules)
        if size is None:
            continue
        figure, count = size
        sizes.append((arm, figure, count))
        if count > total:
            flags.append(_flag(study, arm.id, figure, ARMS_VS_ENROLMENT,
                               f"the arm has {count} {rules.people} but the study enrolled {total}", [enrolment]))
    if len(sizes) < len(study.arms) or flags:
        return flags  # an arm without a size (nothing to add up), or the arm-level flag already says it
    counts = [count for _, _, count in sizes]
    summed = sum(counts)
    if summed == total or _splits_into_cohorts(counts, total):
        return flags
    listing = " + ".join(f"{count} ({arm.label})" for arm, _, count in sizes)
    if summed > total:
        finding = (f"the arms sum to {summed} {rules.people} ({listing}), more than the {total} enrolled; "
                   "the arms overlap (subgroups of one another?) or a figure is wrong")
    else:
        missing = total - summed
        found = f"the only arm has {summed} of the {total} enrolled" if len(sizes) == 1 else f"the arms sum to {summed} of the {total} enrolled ({listing})"
        nobody = f"{missing} enrolled {rules.people} are" if missing > 1 else "1 of those enrolled is"
        finding = (f"{found}; {nobody} in no arm, which is expected "
                   f"when arm sizes count treated or evaluable {rules.people}, and worth a look otherwise")
    flags.append(_flag(study, None, enrolment, ARMS_VS_ENROLMENT, finding, [figure for _, figure, _ in sizes]))
    return flags


def _splits_into_cohorts(sizes: Sequence[int], total: int) -> bool:
    """Whether the sizes can be grouped, each used once, into groups that each add up to ``total``."""
    if total <= 0 or sum(sizes) % total or len(sizes) > _MAX_ARMS_TO_SPLIT or any(size > total for size in sizes):
        return False
    remaining = sorted(sizes, reverse=True)
    groups = [0] * (sum(sizes) // total)

    def place(index: int) -> bool:
        if index == len(remaining):
            return True
        tried: set[int] = set()
        for group, filled in enumerate(groups):
            if filled in tried or filled + remaining[index] > total:
                continue  # an equally filled group was already tried: same outcome
            tried.add(filled)
            groups[group] += remaining[index]
            if place(index + 1):
                return True
            groups[group] -= remaining[index]
        return False

    return place(0)


# --------------------------------------------------------------------------- c. measures that add up


def check_sums(study: StudyRecord, arm_index: int, arm: Arm, rules: CheckRules) -> list[ConsistencyFlag]:
    """Each of the review's sums (a total and its parts), within the rounding each figure carries.

    Figures are grouped by subgroup and time point; within a group every combination of
    duplicates (the same measure from two sources) is compared. When a part is missing,
    the whole must still be at least the parts that are given. Of several alternatives of
    parts, the first whose first measure the group states is used, else the last: a total
    that is another stated total plus more is held to that total, so that parts disagreeing
    with it are that total's flag, not this one's.
    """
    groups: dict[tuple[str | None, str | None], dict[str, list[_Figure]]] = {}
    for figure in _arm_figures(arm_index, arm):
        value = figure.value
        if value.category is not None or value.comparator is not None or value.statistic is not None or value.endpoint is not None:
            continue
        groups.setdefault((value.subgroup, value.timepoint), {}).setdefault(value.measure, []).append(figure)
    flags = []
    for by_measure in groups.values():
        for sum_check in rules.sums:
            totals = by_measure.get(sum_check.total, [])
            if not totals:
                continue
            chosen = next((option for option in sum_check.parts if by_measure.get(option[0])), sum_check.parts[-1])
            parts = [by_measure.get(measure, []) for measure in chosen]
            for total in totals:
                flags += _check_parts(study, arm.id, total, parts, sum_check.check, rules)
    return flags


def _check_parts(study: StudyRecord, arm_id: str, total: _Figure, part_options: list[list[_Figure]], check: str,
                 rules: CheckRules) -> list[ConsistencyFlag]:
    present = [options for options in part_options if options]
    if not present:
        return []
    complete = len(present) == len(part_options)
    flags = []
    for parts in itertools.product(*present):
        flag = _compare_sum(study, arm_id, total, list(parts), complete, check, rules)
        if flag is not None:
            flags.append(flag)
    return flags


def _compare_sum(study: StudyRecord, arm_id: str, total: _Figure, parts: list[_Figure], complete: bool, check: str,
                 rules: CheckRules) -> ConsistencyFlag | None:
    """Compare a total with its parts, as counts when all state counts, else as stated percentages."""
    figures = [total, *parts]
    if len({f.value.denominator for f in figures if f.value.denominator is not None}) > 1:
        return None  # different denominators: different populations, not on the same footing
    label = total.label(rules)
    counts = [patient_count(f.value, rules.units) for f in figures]
    if all(count is not None for count in counts):
        whole, *rest = (count for count in counts if count is not None)
        summed = sum(rest)
        listing = " + ".join(f"{f.label(rules)} {count}" for f, count in zip(parts, rest, strict=True))
        listing += f" = {summed}" if len(parts) > 1 else ""
        if complete and whole != summed:
            return _flag(study, arm_id, total, check, f"{label} is {whole} {rules.people} but {listing}", parts)
        if not complete and whole < summed:
            return _flag(study, arm_id, total, check, f"{label} is {whole} {rules.people}, fewer than {listing}, which it includes", parts)
        return None
    texts = [stated_text(f.value) if f.value.unit == "%" else None for f in figures]
    if any(text is None for text in texts):
        return None  # a qualifier ("<1%"), a count without percentage, or another unit: nothing to add up
    stated = [Fraction(text) for text in texts if text is not None]
    tolerance = sum((half_unit(decimals_of(text)) for text in texts if text is not None), Fraction(0))
    whole_text, *part_texts = (text for text in texts if text is not None)
    summed_percent = sum(stated[1:], Fraction(0))
    difference = stated[0] - summed_percent
    listing = " + ".join(f"{f.label(rules)} {text}%" for f, text in zip(parts, part_texts, strict=True))
    if len(parts) > 1:
        listing += f" = {_fixed(summed_percent, max(decimals_of(text) for text in part_texts))}%"
    if complete and abs(difference) > tolerance:
        return _flag(study, arm_id, total, check,
                     f"{label} is stated as {whole_text}% but {listing}; rounding each figure to its stated precision "
                     f"explains a difference of at most {_points(tolerance)}, not {_plain(abs(difference))}", parts)
    if not complete and difference < -tolerance:
        return _flag(study, arm_id, total, check,
                     f"{label} is stated as {whole_text}%, below {listing}, which it includes; "
                     f"rounding explains at most {_points(tolerance)}, not {_plain(-difference)}", parts)
    return None


# --------------------------------------------------------------------------- d. counts against the group's size


def check_counts_against_n(study: StudyRecord, arm_index: int, arm: Arm, rules: CheckRules) -> list[ConsistencyFlag]:
    """No count of participants in an arm exceeds the arm's size, and each of the review's partitions makes up the arm."""
    return _check_group_counts(study, arm.id, _arm_figures(arm_index, arm), "the arm's {size} = {n}", rules)


def check_population_counts(study: StudyRecord, rules: CheckRules) -> list[ConsistencyFlag]:
    """The same for the study's baseline figures, against the number enrolled."""
    figures = [_Figure(("population_values", index), value) for index, value in enumerate(study.population_values)]
    if study.enrolment is not None:
        figures.insert(0, _Figure(("enrolment",), study.enrolment))
    return _check_group_counts(study, None, figures, "the {n} enrolled", rules)


def _check_group_counts(study: StudyRecord, arm_id: str | None, figures: list[_Figure], size_wording: str,
                        rules: CheckRules) -> list[ConsistencyFlag]:
    """Counts in a group (an arm, or the whole study) against the group's size.

    Every count of participants is checked, not only subgroups and characteristics: no
    number of participants in a group can exceed the group. Counts of events are skipped
    (one participant can have several). A stated denominator other than the group's size is
    normal (evaluable participants, a subgroup) and is flagged only when it is larger.
    """
    size = _group_size(figures, rules)
    if size is None:
        return []
    size_figure, n = size
    group = size_wording.format(size=size_figure.label(rules), n=n)  # "the arm's n = 40" or "the 40 enrolled"
    flags = []
    for figure in figures:
        value = figure.value
        if figure is size_figure or value.measure in rules.events:
            continue
        count = patient_count(value, rules.units)
        if value.denominator is not None and value.denominator > n:
            flags.append(_flag(study, arm_id, figure, COUNT_VS_N,
                               f"counted out of {value.denominator} {rules.people}, more than {group}", [size_figure]))
        elif value.denominator is None and count is not None and count > n:
            flags.append(_flag(study, arm_id, figure, COUNT_VS_N,
                               f"{count} {rules.people}, more than {group}", [size_figure]))
    for partition in rules.partitions:
        flags += _check_partition(study, arm_id, figures, size_figure, n, group, partition, rules)
    return flags


def _check_partition(study: StudyRecord, arm_id: str | None, figures: list[_Figure], size_figure: _Figure, n: int, group: str,
                     partition: PartitionCheck, rules: CheckRules) -> list[ConsistencyFlag]:
    """Two measures that make up the group (men and women): as counts, the group's size (or their shared denominator);
    as percentages, 100 within rounding. Flagged on the first part's value."""
    first_measure, second_measure = partition.parts
    first_word, second_word = partition.words
    firsts = [f for f in figures if f.value.measure == first_measure and _whole_group(f.value)]
    seconds = [f for f in figures if f.value.measure == second_measure and _whole_group(f.value)]
    flags = []
    for first in firsts:
        for second in seconds:
            first_count, second_count = patient_count(first.value, rules.units), patient_count(second.value, rules.units)
            denominators = {f.value.denominator for f in (first, second)}
            if first_count is not None and second_count is not None:
                shared = denominators.pop() if len(denominators) == 1 else None
                expected, base = (shared, f"their denominator {shared}") if shared is not None else (n, group)
                if first_count + second_count != expected:
                    flags.append(_flag(study, arm_id, first, partition.check,
                                       f"{first_count} {first_word} + {second_count} {second_word} = {first_count + second_count}, not {base}",
                                       [second, size_figure]))
                continue
            texts = [stated_text(f.value) if f.value.unit == "%" else None for f in (first, second)]
            if len(denominators - {None}) > 1 or texts[0] is None or texts[1] is None:
                continue
            summed = Fraction(texts[0]) + Fraction(texts[1])
            tolerance = half_unit(decimals_of(texts[0])) + half_unit(decimals_of(texts[1]))
            if abs(summed - 100) > tolerance:
                flags.append(_flag(study, arm_id, first, partition.check,
                                   f"{texts[0]}% {first_word} + {texts[1]}% {second_word} = {_plain(summed)}%, not 100% within the "
                                   f"{_points(tolerance)} rounding explains", [second]))
    return flags


# --------------------------------------------------------------------------- ordering


def _loc_order(loc: Loc) -> tuple[tuple[int, str, int], ...]:
    # Field names and list indexes never meet at one position, but keep the key total anyway.
    return tuple((1, "", part) if isinstance(part, int) else (0, part, 0) for part in loc)


def _flag_order(flag: ConsistencyFlag) -> tuple[str, str, tuple[tuple[int, str, int], ...], str, str]:
    return (flag.kind, flag.record_id, _loc_order(flag.loc), flag.check, flag.message)
