"""Effects from 2×2 counts against hand computation and against metafor's printed ``escalc`` output.

Sources (every reference number below names one of these):

- [escalc.html] wviechtb/metafor, docs/reference/escalc.html (pkgdown rendering of man/escalc.Rd with its
  example output; https://wviechtb.github.io/metafor/reference/escalc.html): dat.bcg and its log risk ratios.
- [test_misc_escalc] wviechtb/metafor, tests/testthat/test_misc_escalc.r: expected values for dat.bcg.
- [hc.html] wviechtb/metafor, docs/reference/hc.html: dat.lee2004 and its log odds ratios.
- [normand1999.r] wviechtb/metafor, tests/testthat/test_analysis_example_normand1999.r: dat.hine1989's risk
  differences × 100 and their variances × 100², "compare with results on page 330 (Table III)" of Normand (1999).
- [metadat:NAME] wviechtb/metadat, docs/reference/NAME.html (https://wviechtb.github.io/metadat/reference/NAME.html):
  the data set printed and metafor's output of its examples; the data's own file is data-raw/NAME.txt (or .r).

The count data sets are defined here once and pooled in tests/test_pooling.py.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import pytest
from scipy.stats import norm
from statsmodels.stats.contingency_tables import Table2x2  # type: ignore[import-untyped]
from statsmodels.stats.proportion import confint_proportions_2indep  # type: ignore[import-untyped]

from generator.derive.effects import MEASURES, Effect, EffectMeasure, TwoByTwo, effect_from_counts, effect_from_reported

Counts = tuple[int, int, int, int]  # events treated, total treated, events control, total control


def as_printed(computed: float | None, printed: str) -> bool:
    """Whether ``computed`` shows as ``printed`` when rounded to as many decimals (R prints the binary value rounded)."""
    assert computed is not None
    return Decimal(computed).quantize(Decimal(printed), rounding=ROUND_HALF_EVEN) == Decimal(printed)


def effects(rows: list[Counts], measure: EffectMeasure) -> list[Effect]:
    return [effect_from_counts(TwoByTwo(*row), measure) for row in rows]


# dat.bcg (Colditz et al., 1994), as printed in [escalc.html] (data: wviechtb/metadat data-raw/dat.bcg.txt): tpos, tneg,
# cpos, cneg per trial, i.e. events and non-events in the vaccinated and the control arm; here (events, total, events, total).
_BCG_CELLS = [(4, 119, 11, 128), (6, 300, 29, 274), (3, 228, 11, 209), (62, 13536, 248, 12619), (33, 5036, 47, 5761),
              (180, 1361, 372, 1079), (8, 2537, 10, 619), (505, 87886, 499, 87892), (29, 7470, 45, 7232), (17, 1699, 65, 1600),
              (186, 50448, 141, 27197), (5, 2493, 3, 2338), (27, 16886, 29, 17825)]
BCG: list[Counts] = [(tpos, tpos + tneg, cpos, cpos + cneg) for tpos, tneg, cpos, cneg in _BCG_CELLS]
BCG_AUTHORS = ["Aronson", "Ferguson & Simes", "Rosenthal et al", "Hart & Sutherland", "Frimodt-Moller et al", "Stein & Aronson",
               "Vandiviere et al", "TPT Madras", "Coetzee & Berjak", "Rosenthal et al", "Comstock et al", "Comstock & Webster",
               "Comstock et al"]
BCG_YEARS = [1948, 1949, 1960, 1977, 1973, 1953, 1973, 1980, 1968, 1961, 1974, 1969, 1976]
# escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg): yi and vi as printed in [escalc.html]
BCG_RR_PRINTED = [("-0.8893", "0.3256"), ("-1.5854", "0.1946"), ("-1.3481", "0.4154"), ("-1.4416", "0.0200"), ("-0.2175", "0.0512"),
                  ("-0.7861", "0.0069"), ("-1.6209", "0.2230"), ("0.0120", "0.0040"), ("-0.4694", "0.0564"), ("-1.3713", "0.0730"),
                  ("-0.3394", "0.0124"), ("0.4459", "0.5325"), ("-0.0173", "0.0714")]

# dat.lee2004 (Lee & Done, 2004) as printed in [hc.html] (ai, n1i, ci, n2i), with escalc(measure="OR") yi and vi printed there.
LEE2004: list[Counts] = [(18, 100, 20, 100), (5, 50, 18, 50), (9, 20, 7, 20), (32, 135, 31, 139), (9, 23, 10, 23), (11, 18, 12, 18),
                         (69, 122, 80, 122), (3, 25, 12, 25), (1, 30, 1, 30), (11, 30, 19, 30), (7, 44, 16, 39), (4, 47, 6, 47),
                         (1, 30, 13, 30), (24, 40, 71, 80), (16, 50, 53, 88), (28, 110, 25, 111)]
LEE2004_OR_PRINTED = [("-0.1301", "0.1303"), ("-1.6219", "0.3090"), ("0.4184", "0.4218"), ("0.0792", "0.0825"), ("-0.1795", "0.3595"),
                      ("-0.2412", "0.4838"), ("-0.3805", "0.0697"), ("-1.9124", "0.5390"), ("0.0000", "2.0690"), ("-1.0931", "0.2871"),
                      ("-1.3021", "0.2759"), ("-0.4531", "0.4643"), ("-3.0990", "1.1702"), ("-1.6600", "0.2294"), ("-1.1687", "0.1394"),
                      ("0.1610", "0.0995")]

# dat.linde2005 (Linde et al., 2005): ai, n1i, ci, n2i of its studies 1-4 and 7-25, i.e. without 5, 6 and 26 as its example
# removes them ("studies with no response information and study with no responses in either group") [metadat:dat.linde2005];
# values from wviechtb/metadat data-raw/dat.linde2005.txt (the page prints the first rows).
LINDE2005: list[Counts] = [(19, 30, 3, 30), (15, 25, 3, 24), (10, 20, 4, 20), (10, 25, 0, 25), (20, 25, 11, 25), (14, 20, 9, 20),
                           (4, 25, 2, 25), (20, 32, 6, 33), (29, 44, 3, 44), (29, 55, 31, 57), (28, 50, 13, 55), (34, 48, 25, 49),
                           (35, 53, 12, 54), (24, 49, 16, 49), (45, 80, 12, 79), (67, 106, 22, 47), (34, 60, 17, 59), (46, 70, 34, 70),
                           (55, 123, 57, 124), (23, 37, 15, 35), (26, 98, 19, 102), (46, 113, 56, 116), (98, 186, 80, 189)]
# escalc(measure="RR") of its first six rows as printed (head(dat)) in [metadat:dat.linde2005]; Halama 1991 (10/25 vs 0/25) has a zero cell.
LINDE2005_RR_PRINTED = [("1.8458", "0.3193"), ("1.5686", "0.3183"), ("0.9163", "0.2500"), ("3.0445", "2.0183"), ("0.5978", "0.0609"),
                        ("0.4418", "0.0825")]

# dat.hine1989 (Hine et al., 1989) as printed in [metadat:dat.hine1989]: ai, n1i, ci, n2i.
HINE1989: list[Counts] = [(2, 39, 1, 43), (4, 44, 4, 44), (6, 107, 4, 110), (7, 103, 5, 100), (7, 110, 3, 106), (11, 154, 4, 146)]
# escalc(measure="RD") × 100 (yi) and × 100² (vi), and the 95% CI bounds × 100, from [normand1999.r]
HINE1989_RD_X100 = ["2.8026", "0.0000", "1.9711", "1.7961", "3.5334", "4.4031"]
HINE1989_VI_X10000 = ["17.7575", "37.5657", "8.1323", "10.8998", "8.0114", "6.1320"]
HINE1989_CI_X100 = [("-5.4566", "11.0618"), ("-12.0128", "12.0128"), ("-3.6182", "7.5604"), ("-4.6747", "8.2669"),
                    ("-2.0141", "9.0810"), ("-0.4503", "9.2566")]

# dat.chiarito2020 (Chiarito et al., 2020), stroke, P2Y12 inhibitor (treated) against aspirin, the 8 trials that report it
# (wviechtb/metadat data-raw/dat.chiarito2020.r; printed in [metadat:dat.chiarito2020]): p2y12.stroke, p2y12.total,
# aspirin.stroke, aspirin.total.
CHIARITO2020: list[Counts] = [(162, 1529, 201, 1540), (438, 9599, 462, 9586), (4, 734, 3, 736), (106, 902, 86, 907), (11, 499, 17, 502),
                              (385, 6589, 441, 6610), (2, 166, 4, 166), (29, 931, 21, 928)]
# summary(escalc(measure="OR", ...)) as printed there: yi, vi, sei, ci.lb, ci.ub; and exp() of yi, ci.lb, ci.ub
CHIARITO2020_OR_PRINTED = [("-0.2364", "0.0126", "0.1124", "-0.4566", "-0.0162"), ("-0.0574", "0.0047", "0.0683", "-0.1913", "0.0765"),
                           ("0.2918", "0.5861", "0.7656", "-1.2087", "1.7922"), ("0.2400", "0.0235", "0.1534", "-0.0607", "0.5407"),
                           ("-0.4415", "0.1538", "0.3922", "-1.2102", "0.3273"), ("-0.1415", "0.0052", "0.0720", "-0.2826", "-0.0003"),
                           ("-0.7054", "0.7623", "0.8731", "-2.4166", "1.0058"), ("0.3283", "0.0843", "0.2904", "-0.2408", "0.8974")]
CHIARITO2020_OR_EXP_PRINTED = [("0.7895", "0.6334", "0.9840"), ("0.9442", "0.8259", "1.0795"), ("1.3388", "0.2986", "6.0029"),
                               ("1.2713", "0.9411", "1.7172"), ("0.6431", "0.2981", "1.3872"), ("0.8681", "0.7538", "0.9997"),
                               ("0.4939", "0.0892", "2.7341"), ("1.3886", "0.7860", "2.4532")]

# dat.damico2009 (D'Amico et al., 2009) as printed in [metadat:dat.damico2009]: xt, nt, xc, nc. Jacobs 1992 (0/45 vs 4/46) has a zero cell.
DAMICO2009: list[Counts] = [(13, 58, 23, 30), (1, 28, 29, 60), (12, 161, 38, 170), (14, 32, 17, 32), (4, 75, 12, 75), (4, 20, 7, 24),
                            (0, 45, 4, 46), (5, 49, 31, 47), (10, 50, 25, 49), (7, 47, 25, 54), (32, 131, 60, 140), (62, 201, 100, 200),
                            (7, 55, 26, 57), (22, 193, 40, 185), (3, 91, 17, 92), (91, 265, 149, 262)]

# dat.egger2001 (Egger et al., 2001) as printed in [metadat:dat.egger2001], without trial 16 (ISIS-4), as in the example of
# wviechtb/metafor docs/reference/regtest.html (escalc(..., subset=-16)). Bertschat 1989 (0/22 vs 1/21) has a zero cell.
EGGER2001_WITHOUT_ISIS4: list[Counts] = [(1, 40, 2, 36), (9, 135, 23, 135), (2, 200, 7, 200), (1, 48, 1, 46), (10, 150, 8, 148), (1, 59, 9, 56),
                                         (1, 25, 3, 23), (0, 22, 1, 21), (6, 76, 11, 75), (1, 27, 7, 27), (2, 89, 12, 80), (5, 23, 13, 33),
                                         (4, 130, 8, 122), (90, 1159, 118, 1157), (4, 107, 17, 108)]

# The CLASP example of DerSimonian & Kacker (2007), as given in wviechtb/metafor
# tests/testthat/test_analysis_example_dersimonian2007.r (ai, n1i, ci, n2i).
CLASP: list[Counts] = list(zip([5, 5, 12, 69, 9, 313], [156, 303, 565, 1570, 103, 4659], [8, 17, 9, 94, 11, 352], [74, 303, 477, 1565, 105, 4650],
                               strict=True))

Z95 = float(norm.isf(0.025))


# --------------------------------------------------------------------------- by hand


def test_risk_ratio_odds_ratio_and_risk_difference_by_hand() -> None:
    """Aronson 1948 (4/123 vaccinated, 11/139 controls), each formula written out with exact fractions."""
    a, b, c, d = 4, 119, 11, 128
    table = TwoByTwo(a, a + b, c, c + d)
    p1, p2 = Fraction(a, a + b), Fraction(c, c + d)
    expected = {
        "risk_ratio": (math.log(p1 / p2), float(Fraction(1, a) - Fraction(1, a + b) + Fraction(1, c) - Fraction(1, c + d))),
        "odds_ratio": (math.log(Fraction(a * d, b * c)), float(Fraction(1, a) + Fraction(1, b) + Fraction(1, c) + Fraction(1, d))),
        "risk_difference": (float(p1 - p2), float(p1 * (1 - p1) / (a + b) + p2 * (1 - p2) / (c + d))),
    }
    for measure in MEASURES:
        effect = effect_from_counts(table, measure)
        yi, vi = expected[measure]
        assert effect.yi == pytest.approx(yi, rel=1e-12) and effect.vi == pytest.approx(vi, rel=1e-12), measure
        assert effect.added == 0.0 and effect.reason is None
        half = Z95 * math.sqrt(vi)
        back = math.exp if effect.is_ratio else (lambda x: x)
        assert effect.estimate == pytest.approx(back(yi), rel=1e-12)
        assert effect.ci_low == pytest.approx(back(yi - half), rel=1e-12)
        assert effect.ci_high == pytest.approx(back(yi + half), rel=1e-12)


def test_a_zero_cell_adds_one_half_to_every_cell_of_that_table_only() -> None:
    """Halama 1991: 10/25 against 0/25. With 0.5 in each cell: risk ratio (10.5/26)/(0.5/26) = 21."""
    effect = effect_from_counts(TwoByTwo(10, 25, 0, 25), "risk_ratio")
    assert effect.added == 0.5
    assert effect.estimate == pytest.approx(21.0, rel=1e-12)
    assert effect.vi == pytest.approx(1 / 10.5 - 1 / 26 + 1 / 0.5 - 1 / 26, rel=1e-12)
    odds = effect_from_counts(TwoByTwo(10, 25, 0, 25), "odds_ratio")
    assert odds.estimate == pytest.approx((10.5 * 25.5) / (15.5 * 0.5), rel=1e-12)
    assert odds.vi == pytest.approx(1 / 10.5 + 1 / 15.5 + 1 / 0.5 + 1 / 25.5, rel=1e-12)
    # all events in one arm is a zero cell too (no non-events)
    assert effect_from_counts(TwoByTwo(25, 25, 10, 25), "risk_ratio").added == 0.5
    assert effect_from_counts(TwoByTwo(3, 25, 10, 25), "risk_ratio").added == 0.0


@pytest.mark.parametrize("counts, why", [((0, 25, 0, 30), "no events in either arm"),
                                         ((25, 25, 30, 30), "every patient had the event in both arms")])
def test_no_ratio_without_events_or_without_non_events_in_both_arms(counts: Counts, why: str) -> None:
    table = TwoByTwo(*counts)
    for measure in ("risk_ratio", "odds_ratio"):
        effect = effect_from_counts(table, measure)
        assert effect.reason == f"no {measure.replace('_', ' ')}: {why}"
        assert (effect.estimate, effect.ci_low, effect.ci_high, effect.yi, effect.vi, effect.se) == (None,) * 6
    # the difference is defined, and computed as escalc computes it (0.5 in every cell)
    difference = effect_from_counts(table, "risk_difference")
    a, n1, c, n2 = counts
    p1, p2 = (a + 0.5) / (n1 + 1), (c + 0.5) / (n2 + 1)
    assert difference.added == 0.5 and difference.yi == pytest.approx(p1 - p2, abs=1e-15)
    assert difference.vi == pytest.approx(p1 * (1 - p1) / (n1 + 1) + p2 * (1 - p2) / (n2 + 1), rel=1e-12)


def test_the_level_sets_the_quantile() -> None:
    table = TwoByTwo(4, 123, 11, 139)
    wide, narrow = effect_from_counts(table, "risk_difference", 0.99), effect_from_counts(table, "risk_difference", 0.90)
    assert wide.yi is not None and wide.se is not None and narrow.se is not None
    assert wide.ci_high == pytest.approx(wide.yi + float(norm.isf(0.005)) * wide.se, rel=1e-12)
    assert narrow.ci_high == pytest.approx(wide.yi + float(norm.isf(0.05)) * narrow.se, rel=1e-12)  # same yi, other quantile


def test_statsmodels_agrees_where_no_cell_is_zero() -> None:
    """Without a zero cell statsmodels' own table (shift_zeros=True does nothing then) gives the same numbers."""
    for counts in BCG:
        a, n1, c, n2 = counts
        reference = Table2x2([[a, n1 - a], [c, n2 - c]])
        ratio = effect_from_counts(TwoByTwo(*counts), "risk_ratio")
        assert (ratio.ci_low, ratio.ci_high) == pytest.approx(reference.riskratio_confint(), rel=1e-12)
        odds = effect_from_counts(TwoByTwo(*counts), "odds_ratio")
        assert odds.estimate == pytest.approx(reference.oddsratio, rel=1e-12)
        difference = effect_from_counts(TwoByTwo(*counts), "risk_difference")
        assert (difference.ci_low, difference.ci_high) == pytest.approx(confint_proportions_2indep(a, n1, c, n2, method="wald"), rel=1e-9)


def test_statsmodels_own_zero_shift_is_not_metafors() -> None:
    """Why the correction is applied here: Table2x2(shift_zeros=True) puts 0.5 in the zero cell only (RR (10/25)/(0.5/25.5))."""
    shifted = Table2x2([[10, 15], [0, 25]], shift_zeros=True)
    assert shifted.riskratio == pytest.approx((10 / 25) / (0.5 / 25.5))
    assert effect_from_counts(TwoByTwo(10, 25, 0, 25), "risk_ratio").estimate == pytest.approx(21.0)


@pytest.mark.parametrize("counts", [(-1, 10, 1, 10), (11, 10, 1, 10), (1, 0, 1, 10), (1, 10, 1, 0), (1, 10, 12, 11)])
def test_impossible_counts_are_refused(counts: Counts) -> None:
    with pytest.raises(ValueError):
        TwoByTwo(*counts)


def test_counts_are_whole_numbers() -> None:
    with pytest.raises(TypeError):
        TwoByTwo(1.0, 10, 1, 10)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        TwoByTwo(True, 10, 1, 10)


def test_unknown_measure_and_impossible_level_are_refused() -> None:
    table = TwoByTwo(1, 10, 2, 10)
    with pytest.raises(ValueError, match="measure"):
        effect_from_counts(table, "hazard_ratio")  # type: ignore[arg-type]
    for level in (0.0, 1.0, 95.0):
        with pytest.raises(ValueError, match="level"):
            effect_from_counts(table, "risk_ratio", level)


# --------------------------------------------------------------------------- against metafor's printed escalc output


def test_bcg_log_risk_ratios_as_metafor_prints_them() -> None:
    for effect, (yi, vi) in zip(effects(BCG, "risk_ratio"), BCG_RR_PRINTED, strict=True):
        assert as_printed(effect.yi, yi) and as_printed(effect.vi, vi), (effect.table, yi, vi)


def test_bcg_first_trial_summary_as_metafor_states_it() -> None:
    """[test_misc_escalc]: summary() of trial 1, log RR: zi -1.5586, sei 0.5706, ci.lb -2.0077, ci.ub 0.2290;
    log OR: zi -1.5708, sei 0.5976, ci.lb -2.1100, ci.ub 0.2326; and the log ORs of trials 3 and 4, -1.3863 and -1.4564."""
    stated: list[tuple[EffectMeasure, tuple[str, ...]]] = [("risk_ratio", ("-1.5586", "0.5706", "-2.0077", "0.2290")),
                                                          ("odds_ratio", ("-1.5708", "0.5976", "-2.1100", "0.2326"))]
    for measure, expected in stated:
        effect = effect_from_counts(TwoByTwo(*BCG[0]), measure)
        assert effect.yi is not None and effect.se is not None and effect.ci_low is not None and effect.ci_high is not None
        computed = (effect.yi / effect.se, effect.se, math.log(effect.ci_low), math.log(effect.ci_high))
        assert all(as_printed(value, printed) for value, printed in zip(computed, expected, strict=True)), (measure, computed)
    assert as_printed(effect_from_counts(TwoByTwo(*BCG[2]), "odds_ratio").yi, "-1.3863")
    assert as_printed(effect_from_counts(TwoByTwo(*BCG[3]), "odds_ratio").yi, "-1.4564")


def test_lee2004_log_odds_ratios_as_metafor_prints_them() -> None:
    for effect, (yi, vi) in zip(effects(LEE2004, "odds_ratio"), LEE2004_OR_PRINTED, strict=True):
        assert as_printed(effect.yi, yi) and as_printed(effect.vi, vi), (effect.table, yi, vi)


def test_linde2005_log_risk_ratios_with_a_zero_cell_as_metafor_prints_them() -> None:
    for effect, (yi, vi) in zip(effects(LINDE2005[:6], "risk_ratio"), LINDE2005_RR_PRINTED, strict=True):
        assert as_printed(effect.yi, yi) and as_printed(effect.vi, vi), (effect.table, yi, vi)
    assert [effect.added for effect in effects(LINDE2005[:6], "risk_ratio")] == [0.0, 0.0, 0.0, 0.5, 0.0, 0.0]


def test_hine1989_risk_differences_as_normand_and_metafor_give_them() -> None:
    for effect, yi, vi, (low, high) in zip(effects(HINE1989, "risk_difference"), HINE1989_RD_X100, HINE1989_VI_X10000, HINE1989_CI_X100,
                                           strict=True):
        assert effect.yi is not None and effect.vi is not None and effect.ci_low is not None and effect.ci_high is not None
        assert as_printed(100 * effect.yi, yi) and as_printed(10_000 * effect.vi, vi), (effect.table, yi, vi)
        assert as_printed(100 * effect.ci_low, low) and as_printed(100 * effect.ci_high, high), (effect.table, low, high)


def test_chiarito2020_odds_ratios_and_intervals_as_metafor_prints_them() -> None:
    for effect, printed, printed_exp in zip(effects(CHIARITO2020, "odds_ratio"), CHIARITO2020_OR_PRINTED, CHIARITO2020_OR_EXP_PRINTED, strict=True):
        assert effect.yi is not None and effect.se is not None and effect.ci_low is not None and effect.ci_high is not None
        computed = (effect.yi, effect.vi, effect.se, math.log(effect.ci_low), math.log(effect.ci_high))
        assert all(as_printed(value, text) for value, text in zip(computed, printed, strict=True)), (effect.table, computed)
        ratios = (effect.estimate, effect.ci_low, effect.ci_high)
        assert all(as_printed(value, text) for value, text in zip(ratios, printed_exp, strict=True)), (effect.table, ratios)


def test_a_reported_ratio_keeps_its_numbers_and_takes_its_variance_from_the_interval() -> None:
    # metafor's dat.hackshaw1998 row 1: or 1.18 (0.90 to 1.54); metadat prints yi 0.1655, vi 0.0188
    effect = effect_from_reported(1.18, 0.90, 1.54, ratio=True)
    assert (effect.estimate, effect.ci_low, effect.ci_high) == (1.18, 0.90, 1.54) and effect.reported and effect.is_ratio
    assert effect.yi is not None and effect.vi is not None
    assert (round(effect.yi, 4), round(effect.vi, 4)) == (0.1655, 0.0188)
    difference = effect_from_reported(-2.0, -3.5, -0.5, ratio=False)
    assert difference.yi == -2.0 and difference.vi is not None and round(difference.vi, 6) == round((3.0 / (2 * 1.959964)) ** 2, 6)


@pytest.mark.parametrize(("numbers", "ratio", "why"), [
    ((1.5, 1.6, 2.0), True, "the stated interval does not hold the estimate"),
    ((0.0, 0.0, 1.0), True, "a ratio and its interval are greater than 0"),
    ((1.0, 2.0, 0.5), False, "the stated interval does not hold the estimate"),
])
def test_a_reported_effect_that_cannot_be_pooled_says_why(numbers: tuple[float, float, float], ratio: bool, why: str) -> None:
    effect = effect_from_reported(*numbers, ratio=ratio)
    assert effect.reason == why and effect.yi is None and effect.vi is None
