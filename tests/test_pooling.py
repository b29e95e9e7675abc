"""Pooled estimates against metafor's own printed output, to the decimals it printed, on its documented examples.

Every reference value below is printed in (or stated as the expected value by) one of these, named in brackets:

- [rma.uni.html], [fsn.html], [leave1out.html], [predict.rma.html], [hc.html], [regtest.html]: wviechtb/metafor,
  docs/reference/<name> (pkgdown renderings of metafor's help pages with the output of their examples;
  https://wviechtb.github.io/metafor/reference/<name>).
- [metadat:NAME]: wviechtb/metadat, docs/reference/NAME.html (https://wviechtb.github.io/metadat/reference/NAME.html):
  the data set's help page with metafor's output of its examples; the data's file is data-raw/NAME.txt (or .r).
- [metafor-test:FILE]: wviechtb/metafor, tests/testthat/FILE, metafor's own tests, which state the expected values.
  Some of these are the published values of the paper the example reproduces (the file says which page); metafor's
  tests hold them to 1%, this file to every decimal given.

The data sets of 2×2 counts are defined, with their sources, in tests/test_effects.py.
Not tested, for want of printed output of the model here: dat.yusuf1985 (its documented analyses use Peto's method,
not an inverse-variance model), and the standard error of a Paule–Mandel estimate under ``test="z"`` (the one
printed PM fit, dat.chiarito2020, uses ``test="knha"``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.stats import norm
from statsmodels.stats.meta_analysis import combine_effects  # type: ignore[import-untyped]

from generator.derive.effects import EffectMeasure
from generator.derive.pooling import (
    MODELS,
    Model,
    NotConverged,
    Pooled,
    _generalised_q,
    _inverse_variance,
    _reml_tau2,
    _sums,
    leave_one_out,
    pool,
)
from tests.test_effects import (
    BCG,
    CHIARITO2020,
    CLASP,
    DAMICO2009,
    EGGER2001_WITHOUT_ISIS4,
    HINE1989,
    LEE2004,
    LINDE2005,
    Counts,
    as_printed,
    effects,
)

Data = tuple[list[float], list[float]]


def from_counts(rows: list[Counts], measure: EffectMeasure) -> Data:
    found = effects(rows, measure)
    assert all(effect.yi is not None and effect.vi is not None for effect in found)
    return [effect.yi for effect in found if effect.yi is not None], [effect.vi for effect in found if effect.vi is not None]


# dat.normand1999 (Normand, 1999) as printed in [metadat:dat.normand1999]: n1i, m1i, sd1i, n2i, m2i, sd2i. Its example's mean
# differences: escalc(measure="MD"), yi = m1i − m2i, vi = sd1i²/n1i + sd2i²/n2i; vi as printed there.
NORMAND1999 = [(155, 55, 47, 156, 75, 64), (31, 27, 7, 32, 29, 4), (75, 64, 17, 71, 119, 29), (18, 66, 20, 18, 137, 48), (8, 14, 8, 13, 18, 11),
               (57, 19, 7, 52, 18, 4), (34, 52, 45, 33, 41, 34), (110, 21, 16, 183, 31, 27), (60, 30, 27, 52, 23, 20)]
NORMAND1999_VI_PRINTED = ["40.5080", "2.0806", "15.6984", "150.2222", "17.3077", "1.1673", "94.5891", "6.3109", "19.8423"]
NORMAND1999_MD: Data = ([float(m1 - m2) for _, m1, _, _, m2, _ in NORMAND1999], [s1**2 / n1 + s2**2 / n2 for n1, _, s1, n2, _, s2 in NORMAND1999])

# dat.molloy2014 (Molloy et al., 2014) as printed in [metadat:dat.molloy2014]: ni, ri. Its example: escalc(measure="ZCOR"),
# yi = atanh(ri) (Fisher's r-to-z), vi = 1/(ni − 3); yi and vi as printed there.
MOLLOY2014 = [(109, 0.187), (749, 0.162), (55, 0.340), (107, 0.320), (72, 0.270), (65, 0.000), (174, 0.175), (326, 0.050), (58, 0.260),
              (771, 0.010), (56, -0.090), (91, 0.370), (116, 0.000), (537, 0.150), (158, 0.240), (65, 0.040)]
MOLLOY2014_PRINTED = [("0.1892", "0.0094"), ("0.1634", "0.0013"), ("0.3541", "0.0192"), ("0.3316", "0.0096"), ("0.2769", "0.0145"),
                      ("0.0000", "0.0161"), ("0.1768", "0.0058"), ("0.0500", "0.0031"), ("0.2661", "0.0182"), ("0.0100", "0.0013"),
                      ("-0.0902", "0.0189"), ("0.3884", "0.0114"), ("0.0000", "0.0088"), ("0.1511", "0.0019"), ("0.2448", "0.0065"),
                      ("0.0400", "0.0161")]
MOLLOY2014_Z: Data = ([math.atanh(r) for _, r in MOLLOY2014], [1 / (n - 3) for n, _ in MOLLOY2014])

# dat.raudenbush1985 (Raudenbush & Bryk, 1985): yi and vi as given in wviechtb/metadat data-raw/dat.raudenbush1985.txt
# (the data set keeps them as given; printed in [metadat:dat.raudenbush1985]).
RAUDENBUSH1985: Data = ([0.03, 0.12, -0.14, 1.18, 0.26, -0.06, -0.02, -0.32, 0.27, 0.80, 0.54, 0.18, -0.02, 0.23, -0.18, -0.06, 0.30, 0.07, -0.07],
                        [0.0156, 0.0216, 0.0279, 0.1391, 0.1362, 0.0106, 0.0106, 0.0484, 0.0269, 0.0630, 0.0912, 0.0497, 0.0835, 0.0841,
                         0.0253, 0.0279, 0.0193, 0.0088, 0.0303])

# dat.hackshaw1998 (Hackshaw, 1998): the odds ratios and 95% CI bounds of wviechtb/metadat data-raw/dat.hackshaw1998.txt (or,
# ci.lb, ci.ub); data-raw/dat.hackshaw1998.r makes yi = log(or) and vi = ((log(ci.ub) − log(ci.lb))/(2·qnorm(.975)))².
HACKSHAW1998 = [(1.18, 0.90, 1.54), (1.45, 1.02, 2.08), (2.02, 0.48, 8.56), (1.20, 0.80, 1.60), (0.75, 0.43, 1.30), (2.07, 0.81, 5.25),
                (2.13, 1.19, 3.83), (0.80, 0.34, 1.90), (0.79, 0.25, 2.45), (2.01, 1.09, 3.72), (1.23, 0.81, 1.87), (1.20, 0.50, 3.30),
                (1.52, 0.87, 2.63), (1.03, 0.41, 2.55), (1.55, 0.90, 2.67), (1.03, 0.61, 1.74), (2.34, 0.81, 6.75), (1.65, 1.16, 2.35),
                (1.19, 0.82, 1.73), (1.52, 0.39, 5.96), (2.16, 1.08, 4.29), (1.08, 0.64, 1.82), (2.55, 0.74, 8.78), (1.62, 0.90, 2.91),
                (1.06, 0.74, 1.52), (0.79, 0.62, 1.02), (0.74, 0.32, 1.69), (2.27, 0.75, 6.82), (0.97, 0.78, 1.21), (1.60, 0.80, 3.00),
                (1.19, 0.66, 2.13), (1.66, 0.73, 3.78), (1.26, 1.04, 1.54), (1.10, 0.62, 1.96), (1.66, 1.12, 2.45), (1.16, 0.80, 1.69),
                (1.11, 0.67, 1.84)]
_Z975 = float(norm.isf(0.025))
HACKSHAW1998_LOG_OR: Data = ([math.log(odds) for odds, _, _ in HACKSHAW1998],
                             [((math.log(high) - math.log(low)) / (2 * _Z975)) ** 2 for _, low, high in HACKSHAW1998])

# dat.li2007 (Li et al., 2007) as printed in [metadat:dat.li2007]: ai, n1i, ci, n2i; trial 14 is ISIS-4. Urek 1996 (1/31 vs 0/30)
# and Santoro 2000 (0/75 vs 1/75) have a zero cell.
LI2007: list[Counts] = [(1, 40, 2, 36), (4, 56, 14, 74), (2, 92, 7, 93), (1, 48, 1, 46), (1, 25, 3, 23), (1, 50, 9, 53), (6, 81, 11, 81),
                        (10, 150, 8, 148), (2, 21, 4, 25), (90, 1150, 118, 1150), (5, 125, 12, 102), (4, 130, 8, 122), (4, 96, 17, 98),
                        (2216, 29011, 2103, 29039), (3, 40, 3, 38), (1, 31, 0, 30), (6, 169, 18, 181), (475, 3113, 472, 3100), (2, 50, 10, 50),
                        (0, 75, 1, 75), (101, 1691, 134, 1488), (1, 89, 3, 91)]

# Example 1 and 2 of Viechtbauer (2005), yi and vi as given in [metafor-test:test_analysis_example_viechtbauer2005.r].
VIECHTBAUER2005_1: Data = ([-0.581, 0.530, 0.771, 1.031, 0.553, 0.295, 0.078, 0.573, -0.176, -0.232],
                           [0.023, 0.052, 0.060, 0.115, 0.095, 0.203, 0.200, 0.211, 0.051, 0.040])
VIECHTBAUER2005_2: Data = ([0.100, -0.162, -0.090, -0.049, -0.046, -0.010, -0.431, -0.261, 0.134, 0.019, 0.175, 0.056, 0.045, 0.103, 0.121,
                            -0.482, 0.290, 0.342],
                           [0.016, 0.015, 0.050, 0.050, 0.032, 0.052, 0.036, 0.024, 0.034, 0.033, 0.031, 0.034, 0.039, 0.167, 0.134, 0.096, 0.016,
                            0.035])

# Lipsey & Wilson (2001), Table 7.1, yi and vi as given in [metafor-test:test_analysis_example_lipsey2001.r]
# (and in the example of wviechtb/metafor docs/reference/escalc.html).
LIPSEY2001: Data = ([-0.33, 0.32, 0.39, 0.31, 0.17, 0.64, -0.33, 0.15, -0.02, 0.00], [0.084, 0.035, 0.017, 0.034, 0.072, 0.117, 0.102, 0.093, 0.012, 0.067])


def _exp(value: float) -> float:
    return math.exp(value)


TRANSFORMS: dict[str, Callable[[float], float]] = {"exp": _exp, "tanh": math.tanh, "x100": lambda value: 100 * value}
_FIELDS = ("estimate", "se", "z", "p_value", "ci_low", "ci_high", "tau2", "tau2_se", "i2", "h2", "q", "q_p_value", "pi_low", "pi_high")


def value_of(pooled: Pooled, name: str) -> float:
    """A field of ``pooled`` by name; "tau" for √τ², "q_df"; "exp:ci_low" for a transformed field."""
    transform, _, name = name.rpartition(":")
    if name == "tau":
        value: float | int | None = pooled.tau
    else:
        assert name in (*_FIELDS, "q_df"), name
        value = getattr(pooled, name)
    assert value is not None, name
    return TRANSFORMS[transform](value) if transform else float(value)


def agrees(computed: float, printed: str) -> bool:
    """As :func:`as_printed`; metafor prints a p value below 10⁻⁴ as "<.0001" (and at two decimals "<.01")."""
    if printed.startswith("<"):
        return computed < float(printed[1:])
    return as_printed(computed, printed)


@dataclass(frozen=True)
class Printed:
    """What metafor printed for one model fitted to one data set (see the module docstring for the sources)."""

    name: str
    data: Data
    model: Model
    values: dict[str, str]
    source: str
    scale: float = 1.0  # yi multiplied by this, vi by its square, before pooling (percentage points)
    labels: list[str] = field(default_factory=list)


BCG_RR = from_counts(BCG, "risk_ratio")
BCG_OR = from_counts(BCG, "odds_ratio")

PRINTED = [
    # rma(yi, vi, data=dat, method="REML") of escalc(measure="RR", ..., data=dat.bcg)
    Printed("bcg-RR-REML", BCG_RR, "reml", {"tau2": "0.3132", "tau2_se": "0.1664", "tau": "0.5597", "i2": "92.22", "h2": "12.86",
                                            "q": "152.2330", "q_df": "12", "q_p_value": "<.0001", "estimate": "-0.7145", "se": "0.1798",
                                            "z": "-3.9744", "p_value": "<.0001", "ci_low": "-1.0669", "ci_high": "-0.3622"}, "rma.uni.html"),
    # predict(res, digits=2) and predict(res, transf=exp, digits=2) of that model
    Printed("bcg-RR-REML-predict", BCG_RR, "reml", {"estimate": "-0.71", "se": "0.18", "ci_low": "-1.07", "ci_high": "-0.36", "pi_low": "-1.87",
                                                    "pi_high": "0.44", "exp:estimate": "0.49", "exp:ci_low": "0.34", "exp:ci_high": "0.70",
                                                    "exp:pi_low": "0.15", "exp:pi_high": "1.55"}, "predict.rma.html"),
    # rma(yi, vi, data=dat, method="EE") (also printed with method="FE" in [rma.uni.html])
    Printed("bcg-RR-EE", BCG_RR, "common", {"i2": "92.12", "h2": "12.69", "q": "152.2330", "q_p_value": "<.0001", "estimate": "-0.4303", "se": "0.0405",
                                            "z": "-10.6247", "p_value": "<.0001", "ci_low": "-0.5097", "ci_high": "-0.3509"}, "fsn.html"),
    # metafor's comparison with Stata's metan: EE and DL fits of the log RR, log OR and RD of dat.bcg, and their back-transformed predictions
    Printed("bcg-RR-EE-metan", BCG_RR, "common", {"estimate": "-0.4303", "ci_low": "-0.5097", "ci_high": "-0.3509", "z": "-10.6247", "q": "152.2330",
                                                  "exp:estimate": "0.6503", "exp:ci_low": "0.6007", "exp:ci_high": "0.7040"},
            "metafor-test:test_misc_metan_vs_rma.uni_with_dat.bcg.r"),
    Printed("bcg-RR-DL-metan", BCG_RR, "dl", {"estimate": "-0.7141", "ci_low": "-1.0644", "ci_high": "-0.3638", "z": "-3.9952", "tau2": "0.3088",
                                              "i2": "92.1173", "exp:estimate": "0.4896", "exp:ci_low": "0.3449", "exp:ci_high": "0.6950"},
            "metafor-test:test_misc_metan_vs_rma.uni_with_dat.bcg.r"),
    Printed("bcg-OR-EE-metan", BCG_OR, "common", {"estimate": "-0.4361", "ci_low": "-0.5190", "ci_high": "-0.3533", "z": "-10.3190", "q": "163.1649",
                                                  "exp:estimate": "0.6465", "exp:ci_low": "0.5951", "exp:ci_high": "0.7024"},
            "metafor-test:test_misc_metan_vs_rma.uni_with_dat.bcg.r"),
    Printed("bcg-OR-DL-metan", BCG_OR, "dl", {"estimate": "-0.7474", "ci_low": "-1.1242", "ci_high": "-0.3706", "z": "-3.8873", "tau2": "0.3663",
                                              "i2": "92.6455", "exp:estimate": "0.4736", "exp:ci_low": "0.3249", "exp:ci_high": "0.6903"},
            "metafor-test:test_misc_metan_vs_rma.uni_with_dat.bcg.r"),
    Printed("bcg-RD-EE-metan", from_counts(BCG, "risk_difference"), "common", {"estimate": "-0.0009", "ci_low": "-0.0014", "ci_high": "-0.0005",
                                                                               "z": "-4.0448", "q": "276.4737"},
            "metafor-test:test_misc_metan_vs_rma.uni_with_dat.bcg.r"),
    # rma(yi, vi, data=dat) of escalc(measure="OR", ..., data=dat.lee2004)
    Printed("lee2004-OR-REML", from_counts(LEE2004, "odds_ratio"), "reml",
            {"tau2": "0.3526", "tau2_se": "0.2254", "tau": "0.5938", "i2": "62.35", "h2": "2.66", "q": "38.4231", "q_df": "15", "q_p_value": "0.0008",
             "estimate": "-0.6820", "se": "0.2013", "z": "-3.3877", "p_value": "0.0007", "ci_low": "-1.0766", "ci_high": "-0.2874"}, "hc.html"),
    # hc(res) prints the DL estimate of τ² (0.3325) it starts from; test_analysis_example_henmi2010.r states the DL fit ("compare with
    # results on page 2978" of Henmi & Copas, 2010)
    Printed("lee2004-OR-DL", from_counts(LEE2004, "odds_ratio"), "dl", {"tau2": "0.3325"}, "hc.html"),
    Printed("lee2004-OR-DL-henmi", from_counts(LEE2004, "odds_ratio"), "dl", {"tau2": "0.3325", "estimate": "-0.6787", "ci_low": "-1.0664",
                                                                              "ci_high": "-0.2911"}, "metafor-test:test_analysis_example_henmi2010.r"),
    # rma(yi, vi, data=dat) of escalc(measure="OR", ..., data=dat.egger2001, subset=-16): a zero cell (Bertschat 1989)
    Printed("egger2001-OR-REML", from_counts(EGGER2001_WITHOUT_ISIS4, "odds_ratio"), "reml",
            {"tau2": "0.1911", "tau2_se": "0.2106", "tau": "0.4371", "i2": "38.19", "h2": "1.62", "q": "20.9184", "q_df": "14", "q_p_value": "0.1037",
             "estimate": "-0.8745", "se": "0.2080", "z": "-4.2049", "p_value": "<.0001", "ci_low": "-1.2822", "ci_high": "-0.4669"}, "regtest.html"),
    # rma(yi, vi, data=dat, method="DL") of escalc(measure="OR", ..., data=dat.damico2009): a zero cell (Jacobs 1992)
    Printed("damico2009-OR-DL", from_counts(DAMICO2009, "odds_ratio"), "dl",
            {"tau2": "0.1784", "tau2_se": "0.1362", "tau": "0.4224", "i2": "55.27", "h2": "2.24", "q": "33.5329", "q_df": "15", "q_p_value": "0.0040",
             "estimate": "-1.2782", "se": "0.1572", "z": "-8.1295", "p_value": "<.0001", "ci_low": "-1.5864", "ci_high": "-0.9700",
             "exp:estimate": "0.28", "exp:ci_low": "0.20", "exp:ci_high": "0.38", "exp:pi_low": "0.12", "exp:pi_high": "0.67"}, "metadat:dat.damico2009"),
    # rma(yi, vi, data=dat, method="DL") of escalc(measure="RR", ...) of dat.linde2005 without studies 5, 6 and 26: a zero cell (Halama 1991)
    Printed("linde2005-RR-DL", from_counts(LINDE2005, "risk_ratio"), "dl",
            {"tau2": "0.1413", "tau2_se": "0.0697", "tau": "0.3759", "i2": "73.94", "h2": "3.84", "q": "84.4155", "q_df": "22", "q_p_value": "<.0001",
             "estimate": "0.5574", "se": "0.1002", "z": "5.5631", "p_value": "<.0001", "ci_low": "0.3610", "ci_high": "0.7537"}, "metadat:dat.linde2005"),
    # rma(yi, vi, data=dat) of escalc(measure="MD", ..., data=dat.normand1999)
    Printed("normand1999-MD-REML", NORMAND1999_MD, "reml",
            {"tau2": "684.6462", "tau2_se": "359.7541", "tau": "26.1657", "i2": "98.97", "h2": "97.21", "q": "238.9158", "q_df": "8", "q_p_value": "<.0001",
             "estimate": "-15.1060", "se": "8.9466", "z": "-1.6885", "p_value": "0.0913", "ci_low": "-32.6409", "ci_high": "2.4289"},
            "metadat:dat.normand1999"),
    # rma(yi, vi, data=dat) of escalc(measure="ZCOR", ...) of dat.molloy2014, and predict(res, digits=3, transf=transf.ztor)
    Printed("molloy2014-ZCOR-REML", MOLLOY2014_Z, "reml",
            {"tau2": "0.0081", "tau2_se": "0.0055", "tau": "0.0901", "i2": "61.73", "h2": "2.61", "q": "38.1595", "q_df": "15", "q_p_value": "0.0009",
             "estimate": "0.1499", "se": "0.0316", "z": "4.7501", "p_value": "<.0001", "ci_low": "0.0881", "ci_high": "0.2118",
             "tanh:estimate": "0.149", "tanh:ci_low": "0.088", "tanh:ci_high": "0.209", "tanh:pi_low": "-0.037", "tanh:pi_high": "0.325"},
            "metadat:dat.molloy2014"),
    # rma(yi, vi, data=dat) of escalc(measure="RD", ...) of dat.hine1989: τ² at its bound, 0
    Printed("hine1989-RD-REML", from_counts(HINE1989, "risk_difference"), "reml",
            {"tau2": "0", "tau2_se": "0.0006", "tau": "0", "i2": "0.00", "h2": "1.00", "q": "0.8597", "q_df": "5", "q_p_value": "0.9731",
             "estimate": "0.0294", "se": "0.0131", "z": "2.2531", "p_value": "0.0243", "ci_low": "0.0038", "ci_high": "0.0551"}, "metadat:dat.hine1989"),
    # the same in percentage points, EE, REML and DL ("compare with results on page 349 (Table VII)" of Normand, 1999)
    *(Printed(f"hine1989-RD-x100-{model}", from_counts(HINE1989, "risk_difference"), model,
              {"estimate": "2.9444", "ci_low": "0.3831", "ci_high": "5.5058", **({} if model == "common" else {"tau2": "0.0000"})},
              "metafor-test:test_analysis_example_normand1999.r", scale=100.0) for model in ("common", "reml", "dl")),
    # rma.uni(es.stroke) of escalc(measure="OR", ...) of dat.chiarito2020 (stroke)
    Printed("chiarito2020-OR-REML", from_counts(CHIARITO2020, "odds_ratio"), "reml",
            {"tau2": "0.0131", "tau2_se": "0.0180", "tau": "0.1144", "i2": "41.78", "h2": "1.72", "q": "10.6797", "q_df": "7", "q_p_value": "0.1532",
             "estimate": "-0.0678", "se": "0.0713", "z": "-0.9499", "p_value": "0.3422", "ci_low": "-0.2076", "ci_high": "0.0720"},
            "metadat:dat.chiarito2020"),
    # rma.uni(es.stroke, method="PM", test="knha"): the estimate and the heterogeneity test do not depend on test="knha" (its SE and
    # interval do, and are left out); τ², τ and I² are checked in test_metafors_paule_mandel_digits_come_from_its_root_finders_tolerance
    Printed("chiarito2020-OR-PM", from_counts(CHIARITO2020, "odds_ratio"), "pm", {"estimate": "-0.0666", "h2": "1.79", "q": "10.6797", "q_df": "7",
                                                                                  "q_p_value": "0.1532"}, "metadat:dat.chiarito2020"),
    # rma(yi, vi, data = dat) of dat.raudenbush1985
    Printed("raudenbush1985-REML", RAUDENBUSH1985, "reml",
            {"tau2": "0.0188", "tau2_se": "0.0155", "tau": "0.1372", "i2": "41.86", "h2": "1.72", "q": "35.8295", "q_df": "18", "q_p_value": "0.0074",
             "estimate": "0.0837", "se": "0.0516", "z": "1.6208", "p_value": "0.1051", "ci_low": "-0.0175", "ci_high": "0.1849"},
            "metadat:dat.raudenbush1985"),
    # predict(res.RE) ("-0.19 in chapter but computed in a slightly different way"): metafor's prediction interval, normal quantile
    Printed("raudenbush1985-REML-predict", RAUDENBUSH1985, "reml", {"pi_low": "-0.2036", "pi_high": "0.3711"},
            "metafor-test:test_analysis_example_raudenbush2009.r"),
    # EE and DL rows of the expected table, "compare with results on page 309 (Table 16.3)" of Raudenbush (2009)
    Printed("raudenbush1985-EE", RAUDENBUSH1985, "common", {"estimate": "0.0604", "se": "0.0365", "z": "1.6553", "ci_low": "-0.0111",
                                                            "ci_high": "0.1318", "q": "35.8295"}, "metafor-test:test_analysis_example_raudenbush2009.r"),
    Printed("raudenbush1985-DL", RAUDENBUSH1985, "dl", {"tau2": "0.0259", "estimate": "0.0893", "se": "0.0558", "z": "1.6009", "ci_low": "-0.02",
                                                        "ci_high": "0.1987"}, "metafor-test:test_analysis_example_raudenbush2009.r"),
    # rma(yi, vi, data=dat, method="DL") of dat.hackshaw1998, and predict(res, transf=exp, digits=2)
    Printed("hackshaw1998-OR-DL", HACKSHAW1998_LOG_OR, "dl",
            {"tau2": "0.0170", "tau2_se": "0.0171", "tau": "0.1305", "i2": "24.21", "h2": "1.32", "q": "47.4979", "q_df": "36", "q_p_value": "0.0952",
             "estimate": "0.2139", "se": "0.0471", "z": "4.5390", "p_value": "<.0001", "ci_low": "0.1215", "ci_high": "0.3062",
             "exp:estimate": "1.24", "exp:ci_low": "1.13", "exp:ci_high": "1.36", "exp:pi_low": "0.94", "exp:pi_high": "1.63"}, "metadat:dat.hackshaw1998"),
    # print(res, digits=2) and predict(res, transf=exp, digits=2) of rma(measure="OR", ..., data=dat, method="EE") of dat.li2007,
    # without ISIS-4 (subset=-14) and with it: zero cells in two trials
    Printed("li2007-OR-EE-without-ISIS-4", from_counts(LI2007[:13] + LI2007[14:], "odds_ratio"), "common",
            {"i2": "51.43", "h2": "2.06", "q": "41.18", "q_df": "20", "q_p_value": "<.01", "estimate": "-0.20", "se": "0.05", "z": "-3.64", "p_value": "<.01",
             "ci_low": "-0.31", "ci_high": "-0.09", "exp:estimate": "0.82", "exp:ci_low": "0.74", "exp:ci_high": "0.91"}, "metadat:dat.li2007"),
    Printed("li2007-OR-EE", from_counts(LI2007, "odds_ratio"), "common",
            {"i2": "63.61", "h2": "2.75", "q": "57.72", "q_df": "21", "q_p_value": "<.01", "estimate": "-0.01", "se": "0.03", "z": "-0.25", "p_value": "0.80",
             "ci_low": "-0.06", "ci_high": "0.05", "exp:estimate": "0.99", "exp:ci_low": "0.94", "exp:ci_high": "1.05"}, "metadat:dat.li2007"),
    # τ, μ and SE with the PM, DL and REML estimators ("compare with results on page 111-112 (Tables 3 and 4)" of DerSimonian & Kacker, 2007)
    Printed("clasp-OR-PM", from_counts(CLASP, "odds_ratio"), "pm", {"tau": "0.3681", "estimate": "-0.3811", "se": "0.2060"},
            "metafor-test:test_analysis_example_dersimonian2007.r"),
    Printed("clasp-OR-DL", from_counts(CLASP, "odds_ratio"), "dl", {"tau": "0.2323", "estimate": "-0.3240", "se": "0.1540"},
            "metafor-test:test_analysis_example_dersimonian2007.r"),
    Printed("clasp-OR-REML", from_counts(CLASP, "odds_ratio"), "reml", {"tau": "0.1843", "estimate": "-0.2980", "se": "0.1343"},
            "metafor-test:test_analysis_example_dersimonian2007.r"),
    # τ², I², H² and SE of τ² for the DL and REML estimators ("compare with results on page 271" and "page 272" of Viechtbauer, 2005)
    Printed("viechtbauer2005-1-DL", VIECHTBAUER2005_1, "dl", {"tau2": "0.2768", "i2": "80.4447", "h2": "5.1137", "tau2_se": "0.1841"},
            "metafor-test:test_analysis_example_viechtbauer2005.r"),
    Printed("viechtbauer2005-1-REML", VIECHTBAUER2005_1, "reml", {"tau2": "0.2232", "i2": "76.8399", "h2": "4.3178", "tau2_se": "0.1464"},
            "metafor-test:test_analysis_example_viechtbauer2005.r"),
    Printed("viechtbauer2005-2-DL", VIECHTBAUER2005_2, "dl", {"tau2": "0.0126", "i2": "27.5275", "h2": "1.3798", "tau2_se": "0.0159"},
            "metafor-test:test_analysis_example_viechtbauer2005.r"),
    Printed("viechtbauer2005-2-REML", VIECHTBAUER2005_2, "reml", {"tau2": "0.0157", "i2": "32.0203", "h2": "1.471", "tau2_se": "0.0167"},
            "metafor-test:test_analysis_example_viechtbauer2005.r"),
    # EE and DL ("compare with results on page 133 (Exhibit 7.3)" of Lipsey & Wilson, 2001)
    Printed("lipsey2001-EE", LIPSEY2001, "common", {"estimate": "0.1549", "se": "0.0609", "z": "2.5450", "p_value": "0.0109", "ci_low": "0.0356",
                                                    "ci_high": "0.2742", "q": "14.7640", "q_p_value": "0.0976"}, "metafor-test:test_analysis_example_lipsey2001.r"),
    Printed("lipsey2001-DL", LIPSEY2001, "dl", {"estimate": "0.1534", "se": "0.0858", "z": "1.7893", "p_value": "0.0736", "ci_low": "-0.0146",
                                                "ci_high": "0.3215", "tau2": "0.025955"}, "metafor-test:test_analysis_example_lipsey2001.r"),
]


@pytest.mark.parametrize("printed", PRINTED, ids=[case.name for case in PRINTED])
def test_as_metafor_prints_it(printed: Printed) -> None:
    yi, vi = printed.data
    pooled = pool([printed.scale * y for y in yi], [printed.scale**2 * v for v in vi], printed.model)
    wrong = {name: (value_of(pooled, name), text) for name, text in printed.values.items() if not agrees(value_of(pooled, name), text)}
    assert not wrong, f"{printed.name} [{printed.source}]: computed vs printed {wrong}"


def test_the_input_data_are_as_metafor_prints_them() -> None:
    """The yi and vi computed here from the raw data of the non-count data sets, against the values printed with them."""
    assert all(as_printed(v, text) for v, text in zip(NORMAND1999_MD[1], NORMAND1999_VI_PRINTED, strict=True))
    assert all(as_printed(y, y_text) and as_printed(v, v_text) for y, v, (y_text, v_text) in zip(*MOLLOY2014_Z, MOLLOY2014_PRINTED, strict=True))
    # [metadat:dat.hackshaw1998] prints the first ten rows of yi and vi
    hackshaw = [("0.1655", "0.0188"), ("0.3716", "0.0330"), ("0.7031", "0.5402"), ("0.1823", "0.0313"), ("-0.2877", "0.0797"), ("0.7275", "0.2273"),
                ("0.7561", "0.0889"), ("-0.2231", "0.1927"), ("-0.2357", "0.3390"), ("0.6981", "0.0981")]
    assert all(as_printed(y, y_text) and as_printed(v, v_text) for y, v, (y_text, v_text) in zip(*HACKSHAW1998_LOG_OR, hackshaw, strict=False))


# leave1out(res) of the REML fit of dat.bcg's log risk ratios, as printed in [leave1out.html]:
# estimate, se, zval, pval, ci.lb, ci.ub, Q, Qp, tau2, I2, H2 with study i left out
BCG_LEAVE_ONE_OUT = """
-0.7071 0.1900 -3.7223 0.0002 -1.0794 -0.3348 151.5826 0.0000 0.3362 93.2259 14.7622
-0.6540 0.1807 -3.6195 0.0003 -1.0082 -0.2999 145.3176 0.0000 0.2926 92.2540 12.9098
-0.6856 0.1857 -3.6916 0.0002 -1.0495 -0.3216 150.1970 0.0000 0.3207 92.9354 14.1551
-0.6284 0.1766 -3.5580 0.0004 -0.9746 -0.2822  96.5626 0.0000 0.2628 90.4125 10.4302
-0.7642 0.1918 -3.9845 0.0001 -1.1401 -0.3883 151.3200 0.0000 0.3278 92.7634 13.8187
-0.7109 0.2003 -3.5499 0.0004 -1.1034 -0.3184 128.1867 0.0000 0.3596 90.9118 11.0033
-0.6552 0.1805 -3.6307 0.0003 -1.0090 -0.3015 145.8296 0.0000 0.2930 92.2777 12.9495
-0.7948 0.1799 -4.4184 0.0000 -1.1473 -0.4422  67.9858 0.0000 0.2732 87.0314  7.7109
-0.7412 0.1967 -3.7686 0.0002 -1.1267 -0.3557 152.2051 0.0000 0.3495 93.2133 14.7346
-0.6530 0.1843 -3.5439 0.0004 -1.0142 -0.2919 139.8271 0.0000 0.2987 92.2322 12.8737
-0.7579 0.1958 -3.8708 0.0001 -1.1416 -0.3741 151.4655 0.0000 0.3405 91.8110 12.2114
-0.7598 0.1821 -4.1727 0.0000 -1.1167 -0.4029 150.7868 0.0000 0.3082 92.6782 13.6579
-0.7775 0.1855 -4.1908 0.0000 -1.1412 -0.4139 149.7884 0.0000 0.3037 92.3444 13.0623
"""


def test_leave_one_out_as_metafor_prints_it() -> None:
    labels = [f"trial {index + 1}" for index in range(len(BCG))]
    found = leave_one_out(*BCG_RR, "reml", labels)
    columns = ("estimate", "se", "z", "p_value", "ci_low", "ci_high", "q", "q_p_value", "tau2", "i2", "h2")
    rows = [line.split() for line in BCG_LEAVE_ONE_OUT.strip().splitlines()]
    assert [left.label for left in found] == labels
    for left, row in zip(found, rows, strict=True):
        assert left.pooled.k == len(BCG) - 1 and left.label not in left.pooled.labels
        wrong = {name: (value_of(left.pooled, name), text) for name, text in zip(columns, row, strict=True) if not agrees(value_of(left.pooled, name), text)}
        assert not wrong, (left.label, wrong)


def test_metafors_paule_mandel_digits_come_from_its_root_finders_tolerance() -> None:
    """dat.chiarito2020, PM: metafor prints τ² = 0.0144, τ = 0.1198, I² = 44.07% [metadat:dat.chiarito2020]; the exact root is 0.01433.

    metafor searches with uniroot on [0, max(100, 10·mad(yi)²)] at .Machine$double.eps^0.25 (rma.uni.r, control tau2.max and tol). A
    Brent search at that tolerance lands on metafor's digits; ours is the exact root, within that tolerance of it.
    """
    yi, vi = from_counts(CHIARITO2020, "odds_ratio")
    y, v = np.array(yi), np.array(vi)
    pooled = pool(yi, vi, "pm")
    assert abs(_generalised_q(y, v, pooled.tau2) - (len(y) - 1)) < 1e-9
    tolerance = float(np.finfo(float).eps) ** 0.25
    mad = 1.4826 * float(np.median(np.abs(y - np.median(y))))
    loose = float(brentq(lambda tau2: _generalised_q(y, v, tau2) - (len(y) - 1), 0.0, max(100.0, 10 * mad**2), xtol=tolerance,
                         rtol=4 * float(np.finfo(float).eps), maxiter=100))
    _, trace_p, _ = _sums(1 / v)
    typical = (len(y) - 1) / trace_p
    assert as_printed(loose, "0.0144") and as_printed(math.sqrt(loose), "0.1198") and as_printed(100 * loose / (typical + loose), "44.07")
    assert abs(loose - pooled.tau2) < tolerance
    assert as_printed(pooled.tau2, "0.0143") and as_printed(pooled.i2, "44.02")


# --------------------------------------------------------------------------- the models' own rules


def test_weights_are_percentages_of_the_inverse_variance_weights() -> None:
    yi, vi = BCG_RR
    for model in MODELS:
        pooled = pool(yi, vi, model)
        assert sum(pooled.weights) == pytest.approx(100.0)
        inverse = [1 / (v + pooled.tau2) for v in vi]
        assert pooled.weights == pytest.approx([100 * w / sum(inverse) for w in inverse])
        assert pooled.estimate == pytest.approx(sum(w * y for w, y in zip(pooled.weights, yi, strict=True)) / 100)


def test_the_prediction_interval_uses_the_normal_quantile() -> None:
    """metafor's predict.rma: estimate ± z(1 − α/2)·√(SE² + τ²), normal unless test="t"/"knha" (its Note, [predict.rma.html])."""
    yi, vi = BCG_RR
    for level in (0.95, 0.90):
        pooled = pool(yi, vi, "reml", level=level)
        assert pooled.pi_low is not None and pooled.pi_high is not None
        half = float(norm.isf((1 - level) / 2)) * math.sqrt(pooled.se**2 + pooled.tau2)
        assert (pooled.pi_low, pooled.pi_high) == pytest.approx((pooled.estimate - half, pooled.estimate + half))
        assert pooled.level == level
    common = pool(yi, vi, "common")
    assert common.pi_low is None and common.pi_high is None and common.tau2 == 0.0 and common.tau2_se is None


def test_a_negative_moment_estimate_is_zero_and_the_random_effects_model_is_then_the_common_one() -> None:
    yi, vi = from_counts(HINE1989, "risk_difference")
    with np.errstate(invalid="ignore"):  # its random-effects SE is the square root of a negative number then
        fitted = combine_effects(np.array(yi), np.array(vi), method_re="dl")
    assert fitted.tau2 < 0  # statsmodels' untruncated (Q − df)/c
    dl, common = pool(yi, vi, "dl"), pool(yi, vi, "common")
    assert dl.tau2 == 0.0 and dl.i2 == 0.0 and dl.h2 == 1.0
    assert (dl.estimate, dl.se) == pytest.approx((common.estimate, common.se))
    assert dl.weights == pytest.approx(common.weights)
    assert (dl.pi_low, dl.pi_high) == pytest.approx((dl.ci_low, dl.ci_high))  # the PI is the CI when τ² = 0, as metafor intends


def test_own_inverse_variance_summary_matches_statsmodels_for_its_tau2() -> None:
    """REML's summary is computed here (combine_effects takes no given τ²): the same formulas as statsmodels for its own τ²."""
    for method in ("dl", "pm"):
        y, v = (np.array(part) for part in BCG_RR)
        fitted = combine_effects(y, v, method_re=method)
        estimate, se, relative = _inverse_variance(y, v, float(fitted.tau2))
        assert (estimate, se) == pytest.approx((fitted.mean_effect_re, fitted.sd_eff_w_re), rel=1e-12)
        assert relative == pytest.approx(np.asarray(fitted.weights_rel_re), rel=1e-12)


def test_closed_form_traces_are_the_matrix_ones() -> None:
    w = 1 / (np.array(BCG_RR[1]) + 0.3)
    p = np.diag(w) - np.outer(w, w) / w.sum()
    total, trace_p, trace_pp = _sums(w)
    assert (total, trace_p, trace_pp) == pytest.approx((w.sum(), np.trace(p), np.trace(p @ p)), rel=1e-12)


def test_reml_stops_as_metafor_does() -> None:
    y, v = (np.array(part) for part in BCG_RR)
    tau2, iterations = _reml_tau2(y, v)
    assert 0 < iterations <= 100
    # one more step would change τ² by less than the threshold, so the answer is within it of REML's fixed point
    refined, _ = _reml_tau2(y, v, threshold=1e-12)
    assert abs(refined - tau2) < 1e-5
    with pytest.raises(NotConverged):
        pool(*BCG_RR, "reml", maxiter=1)


def test_one_study_is_its_own_pooled_estimate() -> None:
    for model in MODELS:
        pooled = pool([0.3], [0.04], model, ["only"])
        assert (pooled.estimate, pooled.se, pooled.tau2, pooled.q, pooled.q_df, pooled.q_p_value, pooled.i2, pooled.h2) == (0.3, 0.2, 0.0, 0.0, 0, 1.0, 0.0, 1.0)
        assert pooled.weights == (100.0,) and pooled.labels == ("only",)
    with pytest.raises(ValueError, match="two studies"):
        leave_one_out([0.3], [0.04])


@pytest.mark.parametrize("yi, vi, labels, match", [([], [], None, "empty"), ([0.1, 0.2], [0.1], None, "same length"),
                                                   ([0.1, math.nan], [0.1, 0.1], None, "finite"), ([0.1, 0.2], [0.1, 0.0], None, "positive"),
                                                   ([0.1, 0.2], [0.1, -1.0], None, "positive"), ([0.1, 0.2], [0.1, 0.1], ["a"], "labels")])
def test_what_cannot_be_pooled_is_refused(yi: list[float], vi: list[float], labels: list[str] | None, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        pool(yi, vi, "reml", labels)


def test_unknown_model_and_impossible_level_are_refused() -> None:
    with pytest.raises(ValueError, match="model"):
        pool([0.1, 0.2], [0.1, 0.1], "hksj")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="level"):
        pool([0.1, 0.2], [0.1, 0.1], "dl", level=95)
