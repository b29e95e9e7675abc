"""A deterministic synthetic review project for benchmarks.

``python -m tests.benchmark.synthetic --studies N --out DIR [--seed 20261122] [--force]`` writes a
complete review project into DIR: ``mkdocs.yml`` (the real review's theme, extensions, validation and
plugins, pointed at this repository's templates), ``CITATION.cff``, ``docs/about.md``, N studies,
max(2, N/10) regimens and max(1, N/20) case reports under ``seeds/``, the real glossary, and one
synthetic source document per study and per case (plus one pharmacology review the regimens quote)
under ``sources/``.

Every record is fictional but shaped like the real ones (arms with n, ORR, DCR, CR/PR/SD counts,
medians with intervals, hazard ratios and p values, baseline figures, adverse events; case timelines
with dated systemic lines, procedures and AFP readings) and passes the project's own checks: each
quote stands verbatim in its source document, each number stands in its quote, and percentages agree
with their counts. About one study in fifty carries a deliberate rounding slip in its source (kept as
reported, with a curation note), so that the consistency flags have something to show.

Determinism: each study and case is drawn from its own ``random.Random`` seeded with (seed, kind,
index), the regimens in order from one stream seeded with the seed; never from the global generator
or the clock, and nothing iterates in hash order. The same N and seed give byte-identical files. The
corpora are also prefix-stable: study i, regimen j and case k (and their source documents) are the
same bytes for every N that has them, because a study or case only uses regimens that every corpus
containing it also has. Only mkdocs.yml, CITATION.cff and docs/about.md name N.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES_DIR = PROJECT_ROOT / "templates"
REAL_CONFIG = PROJECT_ROOT / "mkdocs.yml"
REAL_GLOSSARY = PROJECT_ROOT / "seeds" / "glossary.yaml"
DEFAULT_SEED = 20261122

Data = dict[str, Any]

# --------------------------------------------------------------------------- YAML output
#
# A small block-style emitter: PyYAML's pure-Python dumper is too slow for 10,000 records, and the
# records only hold mappings, lists and scalars. Strings are written plain where YAML reads them back
# as the same string, otherwise as JSON strings (a JSON string is a valid YAML double-quoted scalar).

_PLAIN = re.compile(r"[A-Za-z](?:[A-Za-z0-9_ ,.()'/+%;=<>-]*[A-Za-z0-9_.()'%])?")
_RESERVED = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        if "e" in text or "n" in text:  # exponent, inf or nan: YAML 1.1 would not read these back as floats
            raise ValueError(f"cannot write {text} as a YAML float")
        return text
    if isinstance(value, str):
        if _PLAIN.fullmatch(value) and value.lower() not in _RESERVED:
            return value
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


def _mapping_lines(data: Data, indent: int, out: list[str]) -> None:
    pad = " " * indent
    for key, item in data.items():
        if item is None:
            continue
        name = _scalar(key)
        if isinstance(item, dict):
            out.append(f"{pad}{name}:" if item else f"{pad}{name}: {{}}")
            _mapping_lines(item, indent + 2, out)
        elif isinstance(item, list):
            out.append(f"{pad}{name}:" if item else f"{pad}{name}: []")
            _sequence_lines(item, indent + 2, out)
        else:
            out.append(f"{pad}{name}: {_scalar(item)}")


def _sequence_lines(items: list[Any], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for item in items:
        if isinstance(item, dict):
            start = len(out)
            _mapping_lines(item, indent + 2, out)
            out[start] = f"{pad}- {out[start][indent + 2:]}"
        else:
            out.append(f"{pad}- {_scalar(item)}")


def dump_yaml(data: Data, comment: str = "") -> str:
    out = [f"# {comment}"] if comment else []
    _mapping_lines(data, 0, out)
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- vocabularies

SURNAMES = (
    "Okafor", "Lindqvist", "Tanaka", "Moreau", "Castillo", "Nakamura", "Bianchi", "Kowalski", "Haddad", "Novak",
    "Ferreira", "Sato", "Mensah", "Duval", "Richter", "Iyer", "Kim", "Chen", "Wang", "Li", "Zhang", "Liu", "Park",
    "Nguyen", "Rossi", "Schmidt", "Yamamoto", "Hassan", "Olsen", "Petrov", "Costa", "Murphy", "Singh", "Lopez",
    "Weber", "Ito", "Huang", "Zhao", "Fischer", "Andersen", "Romano", "Dubois", "Takahashi", "Kaur", "Silva",
)
JOURNALS = (
    "J Clin Oncol", "Lancet Oncol", "J Hepatol", "Hepatology", "Liver Cancer", "Front Oncol", "Oncologist",
    "Ann Oncol", "Hepatol Int", "Clin Cancer Res", "Eur J Cancer", "Br J Cancer", "World J Gastroenterol",
    "Cancers (Basel)", "Oncol Lett", "Exp Ther Med",
)
# Invented trial names; all are listed as names (not abbreviations) in the glossary.
ACRONYMS = (
    "HARBOUR", "LANTERN", "MERIDIAN", "SUMMIT", "BEACON", "CASCADE", "HORIZON", "ORCHARD", "KESTREL", "TIDEWATER",
    "GRANITE", "SOLSTICE", "AURORA", "MONSOON", "EVEREST", "PINNACLE", "COMPASS", "LODESTAR", "HALCYON", "VANGUARD",
)
TOWNS = ("Northfield", "Eastbrook", "Westmere", "Southport", "Ashford", "Riverton", "Kingsbridge", "Fairhaven", "Milbury")
INSTITUTION_KINDS = ("University Hospital", "Cancer Centre", "General Hospital", "Medical Centre")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
STUDY_ADVERSE_EVENTS = (
    "neutropenia", "thrombocytopenia", "hypertension", "fatigue", "diarrhoea", "hand-foot skin reaction",
    "raised aminotransferases", "rash", "proteinuria", "hyperbilirubinaemia", "anaemia", "decreased appetite",
)
CASE_ADVERSE_EVENTS = (
    "decrease in the platelet count", "hand-foot skin reaction", "fatigue", "hypothyroidism", "rash", "diarrhoea",
    "elevated blood pressure", "oral mucositis",
)
AETIOLOGIES = (
    ("hepatitis B virus", "hepatitis B virus-related cirrhosis"),
    ("hepatitis C virus", "hepatitis C virus-related cirrhosis"),
    ("alcohol-related liver disease", "alcohol-related cirrhosis"),
    ("non-alcoholic fatty liver disease", "cirrhosis due to non-alcoholic fatty liver disease"),
)
SYMPTOMS = ("right upper abdominal pain", "weight loss and anorexia", "abdominal distension", "fatigue and jaundice",
            "an incidental liver mass on ultrasound")


@dataclass(frozen=True)
class Drug:
    name: str
    drug_class: str
    route: str | None
    dose: str


DRUGS: tuple[Drug, ...] = (
    Drug("sorafenib", "multikinase_inhibitor", "oral", "400 mg twice a day"),
    Drug("lenvatinib", "multikinase_inhibitor", "oral", "8 mg once a day"),
    Drug("regorafenib", "multikinase_inhibitor", "oral", "160 mg once a day for 3 of every 4 weeks"),
    Drug("cabozantinib", "multikinase_inhibitor", "oral", "60 mg once a day"),
    Drug("donafenib", "multikinase_inhibitor", "oral", "200 mg twice a day"),
    Drug("apatinib", "tyrosine_kinase_inhibitor", "oral", "250 mg once a day"),
    Drug("lenalidomide", "immunomodulatory_drug", "oral", "25 mg once a day on days 1-21 of a 28-day cycle"),
    Drug("thalidomide", "immunomodulatory_drug", "oral", "200 mg once a day"),
    Drug("pomalidomide", "immunomodulatory_drug", "oral", "4 mg once a day on days 1-21 of a 28-day cycle"),
    Drug("nivolumab", "anti_pd1", "intravenous", "240 mg every 2 weeks"),
    Drug("pembrolizumab", "anti_pd1", "intravenous", "200 mg every 3 weeks"),
    Drug("camrelizumab", "anti_pd1", "intravenous", "200 mg every 3 weeks"),
    Drug("sintilimab", "anti_pd1", "intravenous", "200 mg every 3 weeks"),
    Drug("tislelizumab", "anti_pd1", "intravenous", "200 mg every 3 weeks"),
    Drug("toripalimab", "anti_pd1", "intravenous", "240 mg every 3 weeks"),
    Drug("atezolizumab", "anti_pdl1", "intravenous", "1200 mg every 3 weeks"),
    Drug("durvalumab", "anti_pdl1", "intravenous", "1500 mg every 4 weeks"),
    Drug("ipilimumab", "anti_ctla4", "intravenous", "3 mg/kg every 3 weeks"),
    Drug("tremelimumab", "anti_ctla4", "intravenous", "300 mg once"),
    Drug("bevacizumab", "anti_vegf", "intravenous", "15 mg/kg every 3 weeks"),
    Drug("ramucirumab", "anti_vegfr2", "intravenous", "8 mg/kg every 2 weeks"),
    Drug("oxaliplatin", "chemotherapy", "intravenous", "85 mg/m2 every 2 weeks"),
    Drug("capecitabine", "chemotherapy", "oral", "1000 mg/m2 twice a day on days 1-14"),
    Drug("ganetespib", "hsp90_inhibitor", "intravenous", "200 mg/m2 once a week"),
)
# Fictional investigational agents (INN-style names), so that a large corpus has enough distinct regimens.
_FICTIONAL = (
    ("multikinase_inhibitor", "rafenib", ("bexo", "calu", "dravo", "elmo", "fenzo", "gavi", "hilo", "jorva"), "oral", "200 mg twice a day"),
    ("tyrosine_kinase_inhibitor", "ratinib", ("kelo", "lumi", "mavo", "nexo"), "oral", "250 mg once a day"),
    ("immunomodulatory_drug", "lidomide", ("avo", "belo", "cira", "davo"), "oral", "4 mg once a day on days 1-21 of a 28-day cycle"),
    ("anti_pd1", "limab", ("ardo", "besi", "corvi", "dulvi", "esli", "farvi", "gemi", "horvi"), "intravenous", "200 mg every 3 weeks"),
    ("anti_pdl1", "lumab", ("adre", "bova", "cele", "dora"), "intravenous", "1200 mg every 3 weeks"),
    ("anti_ctla4", "limumab", ("quavi", "resi", "sovi"), "intravenous", "1 mg/kg every 6 weeks"),
    ("anti_vegf", "cizumab", ("bava", "reva", "tova"), "intravenous", "10 mg/kg every 2 weeks"),
    ("anti_vegfr2", "cirumab", ("lava", "mira"), "intravenous", "8 mg/kg every 2 weeks"),
    ("chemotherapy", "platin", ("nova", "zeta"), "intravenous", "100 mg/m2 every 3 weeks"),
    ("hsp90_inhibitor", "spib", ("bore", "cale"), "intravenous", "150 mg/m2 once a week"),
)
DRUGS += tuple(Drug(prefix + stem, cls, route, dose) for cls, stem, prefixes, route, dose in _FICTIONAL for prefix in prefixes)
_DRUG = {drug.name: drug for drug in DRUGS}
PLACEBO = Drug("placebo", "placebo", None, "matching placebo")
TACE = Drug("transarterial chemoembolisation", "locoregional_procedure", "intra_arterial", "")
HEPATECTOMY = Drug("hepatectomy", "surgery", "surgical", "")
RADIOTHERAPY = Drug("external-beam radiotherapy", "radiotherapy", "external_beam", "50 Gy in 25 fractions")
# The order drugs are named in a combination: kinase inhibitors first, then immunomodulators, antibodies, the rest.
_CLASS_ORDER = ("multikinase_inhibitor", "tyrosine_kinase_inhibitor", "immunomodulatory_drug", "anti_pd1", "anti_pdl1",
                "anti_ctla4", "anti_vegf", "anti_vegfr2", "chemotherapy", "hsp90_inhibitor")
_CLASSES = {cls: tuple(drug for drug in DRUGS if drug.drug_class == cls) for cls in _CLASS_ORDER}
# Classes that no regimen combines: two checkpoint blockers of one axis, two kinase inhibitors, two VEGF-pathway antibodies.
_EXCLUSIVE = (frozenset({"anti_pd1", "anti_pdl1"}), frozenset({"multikinase_inhibitor", "tyrosine_kinase_inhibitor"}),
              frozenset({"anti_vegf", "anti_vegfr2"}))
_CLASS_WORDS = {
    "multikinase_inhibitor": "an oral multikinase inhibitor", "tyrosine_kinase_inhibitor": "an oral tyrosine kinase inhibitor",
    "immunomodulatory_drug": "an immunomodulatory drug", "anti_pd1": "an anti-PD-1 antibody",
    "anti_pdl1": "an anti-PD-L1 antibody", "anti_ctla4": "an anti-CTLA-4 antibody", "anti_vegf": "an anti-VEGF antibody",
    "anti_vegfr2": "an antibody against VEGF receptor 2", "chemotherapy": "a cytotoxic drug",
    "hsp90_inhibitor": "an HSP90 inhibitor",
}
# Two statements of how each class works, for the pharmacology document the regimens quote.
_MECHANISMS = {
    "multikinase_inhibitor": ("{D} blocks VEGF receptor and PDGF receptor signalling and so inhibits tumour angiogenesis",
                              "{D} also inhibits FGF receptor kinases that tumour cells use to escape anti-angiogenic therapy"),
    "tyrosine_kinase_inhibitor": ("{D} selectively inhibits the tyrosine kinase of VEGF receptor 2",
                                  "{D} reduces microvessel density in xenograft models of liver cancer"),
    "immunomodulatory_drug": ("{D} binds cereblon and leads to the degradation of the transcription factors IKZF1 and IKZF3",
                              "{D} inhibits angiogenesis by decreasing VEGF expression and activates NK cells and CD8 T cells"),
    "anti_pd1": ("{D} is a monoclonal antibody against PD-1 that restores the activity of exhausted T cells",
                 "{D} blocks the binding of PD-1 to PD-L1 on tumour and immune cells"),
    "anti_pdl1": ("{D} is a monoclonal antibody that binds PD-L1 and prevents it from engaging PD-1",
                  "{D} blocks PD-L1 on tumour cells and on antigen-presenting cells"),
    "anti_ctla4": ("{D} is a monoclonal antibody against CTLA-4 that enhances T-cell priming",
                   "{D} depletes regulatory T cells within the tumour"),
    "anti_vegf": ("{D} is a monoclonal antibody that binds circulating VEGF-A and blocks angiogenesis",
                  "{D} may reverse the immunosuppression that VEGF-A causes in the tumour microenvironment"),
    "anti_vegfr2": ("{D} is a monoclonal antibody that binds the extracellular domain of VEGF receptor 2",
                    "{D} showed most benefit in patients with a baseline AFP of at least 400 ng/ml"),
    "chemotherapy": ("{D} forms DNA adducts that stop tumour cells dividing",
                     "{D} is given by hepatic arterial infusion in some centres"),
    "hsp90_inhibitor": ("{D} inhibits HSP90 and destabilises client proteins such as AKT",
                        "{D} reduced HIF signalling under hypoxia in preclinical models"),
    "locoregional_procedure": ("TACE delivers chemotherapy and embolic particles through the hepatic artery that feeds the tumour",
                               "TACE causes ischaemic necrosis of the treated lesion"),
    "surgery": ("Hepatectomy removes the tumour with a margin of liver tissue",
                "Hepatectomy is offered when liver function and the future liver remnant allow it"),
    "radiotherapy": ("External-beam radiotherapy damages tumour DNA within the irradiated volume",
                     "External-beam radiotherapy may increase tumour antigen release"),
}


@dataclass(frozen=True)
class Regimen:
    id: str
    name: str  # "Lenalidomide plus lenvatinib"
    phrase: str  # as it stands in running text: "lenalidomide plus lenvatinib", "TACE"
    drugs: tuple[Drug, ...]
    kind: str  # systemic, placebo, tace, surgery, radiotherapy

    def uses(self, name: str) -> bool:
        return any(drug.name == name for drug in self.drugs)


def _join(words: Sequence[str]) -> str:
    if len(words) == 1:
        return words[0]
    if len(words) == 2:
        return f"{words[0]} plus {words[1]}"
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _dose(regimen: Regimen) -> str:
    """Dose and schedule as a report states them: the drug names only for a combination."""
    if len(regimen.drugs) == 1:
        return regimen.drugs[0].dose
    return "; ".join(f"{drug.name} {drug.dose}" for drug in regimen.drugs if drug.dose)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _combination(drugs: Sequence[Drug], suffix: str = "") -> Regimen:
    phrase = _join([drug.name for drug in drugs])
    rid = "-".join(drug.name for drug in drugs) + (f"-{suffix.replace(' ', '-')}" if suffix else "")
    name = _cap(phrase) + (f" ({suffix})" if suffix else "")
    return Regimen(rid, name, phrase + (f" ({suffix})" if suffix else ""), tuple(drugs), "systemic")


def _fixed_regimens() -> list[Regimen]:
    def systemic(*names: str) -> Regimen:
        return _combination([_DRUG[name] for name in names])

    return [
        systemic("sorafenib"),
        systemic("lenalidomide"),
        Regimen("placebo", "Placebo", "placebo", (PLACEBO,), "placebo"),
        systemic("lenvatinib"),
        Regimen("tace", "Transarterial chemoembolisation (TACE)", "TACE", (TACE,), "tace"),
        systemic("regorafenib"),
        Regimen("hepatectomy", "Hepatectomy", "hepatectomy", (HEPATECTOMY,), "surgery"),
        systemic("lenalidomide", "lenvatinib"),
        systemic("atezolizumab", "bevacizumab"),
        Regimen("radiotherapy", "External-beam radiotherapy", "radiotherapy", (RADIOTHERAPY,), "radiotherapy"),
        systemic("lenvatinib", "camrelizumab"),
        systemic("lenvatinib", "pembrolizumab"),
    ]


def build_regimens(count: int, seed: int) -> list[Regimen]:
    """The first ``count`` regimens: a fixed head (the usual comparators and procedures), then random
    combinations of one to three drugs of different classes, drawn in order from one stream."""
    regimens = _fixed_regimens()[:count]
    seen = {frozenset(drug.name for drug in regimen.drugs) for regimen in regimens}
    rng = random.Random(f"{seed}:regimens")
    misses = 0
    while len(regimens) < count:
        size = rng.choices((1, 2, 3), weights=(3, 5, 2))[0]
        classes = sorted(rng.sample(_CLASS_ORDER, size), key=_CLASS_ORDER.index)
        drugs = [rng.choice(_CLASSES[cls]) for cls in classes]
        key = frozenset(drug.name for drug in drugs)
        if any(len(group & set(classes)) > 1 for group in _EXCLUSIVE):
            continue
        if key not in seen:
            seen.add(key)
            regimens.append(_combination(drugs))
            misses = 0
            continue
        misses += 1
        if misses > 200:  # the combinations are running out: the same drugs on another schedule
            regimens.append(_combination(drugs, f"schedule {len(regimens)}"))
            misses = 0
    return regimens


# --------------------------------------------------------------------------- source documents


def document_name(seed: int, kind: str, index: int, number: int) -> str:
    """A name matching the schema's SOURCE_NAME_PATTERN: a 3-digit number and 16 hex digits."""
    digest = hashlib.sha256(f"{seed}:{kind}:{index}".encode()).hexdigest()[:16]
    return f"{number % 1000:03d}_{digest}.txt"


class Document:
    """A synthetic source document, built sentence by sentence; every quote is taken from a sentence."""

    def __init__(self, name: str, *heading: str) -> None:
        self.name = name
        self.paragraphs: list[list[str]] = [list(heading)]

    def paragraph(self, heading: str | None = None) -> None:
        self.paragraphs.append([heading] if heading else [])

    def say(self, sentence: str, *quotes: str) -> None:
        for quote in quotes:
            if quote not in sentence or not 3 <= len(quote) <= 300:
                raise AssertionError(f"quote {quote!r} is not a fragment of {sentence!r} or has a bad length")
        self.paragraphs[-1].append(sentence)

    def text(self) -> str:
        return "\n\n".join(" ".join(lines) for lines in self.paragraphs if lines) + "\n"

    def evidence(self, quote: str) -> Data:
        return {"source": self.name, "quote": quote}


_VALUE_FIELDS = ("measure", "category", "statistic", "endpoint", "comparator", "timepoint", "subgroup", "as_reported",
                 "value", "ci_low", "ci_high", "ci_level", "range_low", "range_high", "unit", "numerator", "denominator")


def reported(doc: Document, quote: str, measure: str, as_reported: str, **fields: Any) -> Data:
    """A ReportedValue; ``as_reported`` must be part of the quote."""
    if as_reported not in quote:
        raise AssertionError(f"{as_reported!r} is not part of {quote!r}")
    if fields.get("denominator") is not None and str(fields["denominator"]) not in quote:  # the rule validation applies
        raise AssertionError(f"denominator {fields['denominator']} is not stated in {quote!r}")
    data: Data = {"measure": measure, "as_reported": as_reported, **fields}
    ordered = {key: data[key] for key in _VALUE_FIELDS if data.get(key) is not None}
    return ordered | doc.evidence(quote)


# --------------------------------------------------------------------------- numbers as sources write them


def _tenths(tenths: int) -> str:
    return f"{tenths // 10}.{tenths % 10}"


def _hundredths(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def _percent_tenths(count: int, total: int) -> int:
    """100 * count / total in tenths of a percent, rounded half up (exact integer arithmetic)."""
    return (2000 * count + total) // (2 * total)


@dataclass(frozen=True)
class Percent:
    count: int
    total: int
    tenths: int

    @classmethod
    def of(cls, count: int, total: int) -> Percent:
        return cls(count, total, _percent_tenths(count, total))

    @property
    def text(self) -> str:
        return _tenths(self.tenths)

    @property
    def value(self) -> float:
        return self.tenths / 10


def _ratio(sizes: Sequence[int]) -> str:
    """The allocation ratio of a randomised trial, from its arm sizes (see StudyBuilder._sizes)."""
    return "2:1" if len(sizes) == 2 and sizes[0] > sizes[1] + 1 else ":".join("1" * len(sizes))


def _weighted(rng: random.Random, options: Sequence[tuple[str, int]]) -> str:
    return rng.choices([name for name, _ in options], weights=[weight for _, weight in options])[0]


def _date(year: int, month: int) -> tuple[int, int]:
    """Normalise a (year, month) whose month may have run past December."""
    return year + (month - 1) // 12, (month - 1) % 12 + 1


def _iso(when: tuple[int, int]) -> str:
    return f"{when[0]:04d}-{when[1]:02d}"


def _spoken(when: tuple[int, int]) -> str:
    return f"{MONTHS[when[1] - 1]} {when[0]}"


def _authors(rng: random.Random) -> str:
    names = [f"{surname} {rng.choice('ABCDEFGHJKLMNPRSTWY')}{rng.choice(['', 'A', 'J', 'M'])}"
             for surname in rng.sample(SURNAMES, rng.randint(3, 6))]
    return ", ".join(names[:3]) + (", et al" if len(names) > 3 else "")


def _pad_prose(rng: random.Random, sentences: list[str], fillers: Sequence[str], low: int = 200, high: int = 700) -> str:
    """Join sentences into prose of ``low`` to ``high`` characters, adding fillers or dropping the last sentences."""
    pool = list(fillers)
    rng.shuffle(pool)
    text = " ".join(sentences)
    while len(text) < low and pool:
        text = f"{text} {pool.pop()}"
    while len(text) > high and len(sentences) > 1:
        sentences = sentences[:-1]
        text = " ".join(sentences)
    return text[:high].strip()


# --------------------------------------------------------------------------- studies

STUDY_TYPES = (("randomised_trial", 25), ("single_arm_trial", 28), ("non_randomised_trial", 7), ("observational", 28),
               ("not_stated", 6), ("registered_trial", 6))
SETTINGS = (("after_sorafenib", 30), ("after_lenvatinib", 15), ("after_lenvatinib_pd1", 15), ("first_line", 15),
            ("after_first_line_other", 8), ("mixed", 10), ("not_stated", 7))
SETTING_PHRASES = {
    "after_sorafenib": "after progression on or intolerance to sorafenib",
    "after_lenvatinib": "after progression on lenvatinib",
    "after_lenvatinib_pd1": "after progression on lenvatinib plus a PD-1 inhibitor",
    "first_line": "who had not received systemic therapy",
    "after_first_line_other": "after failure of first-line atezolizumab plus bevacizumab",
    "mixed": "after one or more previous systemic therapies",
    "not_stated": "",
}
SETTING_TITLES = {
    "after_sorafenib": "after sorafenib", "after_lenvatinib": "after lenvatinib",
    "after_lenvatinib_pd1": "after lenvatinib plus a PD-1 inhibitor", "first_line": "as first-line therapy",
    "after_first_line_other": "after atezolizumab plus bevacizumab", "mixed": "after previous systemic therapy",
    "not_stated": "",
}
PRIOR_THERAPY = {
    "after_sorafenib": "Sorafenib, stopped for progression or intolerance.",
    "after_lenvatinib": "Lenvatinib, stopped for progression.",
    "after_lenvatinib_pd1": "Lenvatinib combined with an anti-PD-1 antibody, stopped for progression.",
    "after_first_line_other": "Atezolizumab plus bevacizumab.",
    "mixed": "One or more systemic therapies (not itemised).",
}
BACKGROUND = (
    "Hepatocellular carcinoma (HCC) is the commonest primary liver cancer, and most patients present with advanced disease.",
    "Options after first-line systemic therapy remain limited, and few trials have enrolled patients after lenvatinib or immune checkpoint inhibitors.",
    "Combinations of anti-angiogenic drugs and immune checkpoint inhibitors have changed first-line treatment of advanced HCC.",
    "Resistance to multikinase inhibitors develops in most patients within a year of starting treatment.",
    "Lenalidomide, an immunomodulatory drug, has shown activity in patients whose disease progressed on sorafenib.",
)
DISCUSSION = (
    "Few reports describe treatment after progression on a first-line multikinase inhibitor in patients with preserved liver function.",
    "The AFP course mirrored the radiological findings, as is common in patients with a raised baseline AFP.",
    "Case reports cannot separate the effect of a drug from the natural history of the disease or from earlier treatment.",
    "Dose interruptions were short, and no treatment was stopped for toxicity.",
    "Biomarkers that predict benefit from immunomodulatory drugs in HCC have not been established.",
    "Prospective trials in this setting are under way, but none has reported results yet.",
    "The choice of second-line therapy was discussed by a multidisciplinary tumour board.",
)
SUMMARY_FILLERS = (
    "The report gives no information on subsequent therapies.",
    "Quality of life was not reported.",
    "Outcomes by baseline AFP level are not given.",
    "Response was assessed by the investigators with RECIST 1.1.",
    "Most patients had Child-Pugh A liver function.",
    "The report does not say how many patients were still on treatment at the data cut-off.",
)
CONCLUSIONS = (
    "The authors conclude that {exp} is active and tolerable in this setting and call for a larger randomised trial.",
    "The authors judge {exp} a reasonable option for patients with preserved liver function {where}.",
    "The authors see the results as support for further study of {exp}, ideally with biomarkers to select patients.",
    "According to the authors, the survival observed with {exp} compares well with historical controls {where}.",
    "The authors caution that the sample was small and the follow-up short, so the results need confirmation.",
    "The authors note that the benefit was seen across the predefined subgroups, including patients with raised AFP.",
)


@dataclass
class ArmFigures:
    """What one arm reports, kept for the summary."""

    arm_id: str
    phrase: str
    n: int
    orr: str | None = None
    dcr: str | None = None
    pfs: str | None = None
    os: str | None = None
    hr: str | None = None
    ae: str | None = None


class StudyBuilder:
    def __init__(self, index: int, seed: int, pool: Sequence[Regimen], forced: Regimen | None) -> None:
        self.index, self.seed = index, seed
        self.rng = random.Random(f"{seed}:study:{index}")
        self.pool = pool
        self.forced = forced
        self.notes: list[Data] = []

    # ----------------------------------------------------------------- arms and sizes

    def _pick(self, used: list[Regimen]) -> Regimen | None:
        ids = {regimen.id for regimen in used}
        options = [regimen for regimen in self.pool if regimen.kind == "systemic" and regimen.id not in ids]
        return self.rng.choice(options) if options else None

    def _arms(self, study_type: str) -> list[Regimen]:
        rng, forced = self.rng, self.forced
        experimental = forced if forced is not None and forced.kind != "placebo" else self._pick([])
        assert experimental is not None  # the pool always holds sorafenib and lenalidomide
        arms = [experimental]
        if study_type == "randomised_trial":
            placebo = next((regimen for regimen in self.pool if regimen.kind == "placebo"), None)
            if placebo is not None and (forced is placebo or rng.random() < 0.4):
                arms.append(placebo)
            elif (other := self._pick(arms)) is not None:
                arms.append(other)
            if rng.random() < 0.15 and (third := self._pick(arms)) is not None:
                arms.insert(1, third)
        elif (study_type == "non_randomised_trial" or (study_type in {"observational", "not_stated"} and rng.random() < 0.6)) \
                and (other := self._pick(arms)) is not None:
            arms.append(other)
        return arms

    # ----------------------------------------------------------------- the record

    def build(self) -> tuple[Data, Document]:
        rng = self.rng
        study_type = _weighted(rng, STUDY_TYPES)
        if self.forced is not None and self.forced.kind == "placebo":
            study_type = "randomised_trial"
        setting = _weighted(rng, SETTINGS)
        surname, year = rng.choice(SURNAMES), rng.randint(2008, 2025)
        arms = self._arms(study_type)
        experimental = arms[0]
        acronym = rng.choice(ACRONYMS) if study_type == "randomised_trial" and rng.random() < 0.5 else None
        phase = {"randomised_trial": rng.choice(("II", "III", "III", "II/III")),
                 "single_arm_trial": rng.choice(("II", "II", "Ib/II", "I/II")),
                 "non_randomised_trial": "II", "registered_trial": rng.choice(("I/II", "II", "III"))}.get(study_type)
        where = SETTING_PHRASES[setting]
        versus = " versus ".join(regimen.phrase for regimen in arms)
        design_words = {
            "randomised_trial": f"a randomised phase {phase} trial", "single_arm_trial": f"a single-arm phase {phase} trial",
            "non_randomised_trial": "a non-randomised prospective study", "observational": "a retrospective cohort study",
            "not_stated": "a clinical study", "registered_trial": f"a registered phase {phase} trial",
        }[study_type]
        title = " ".join(part for part in (_cap(versus), SETTING_TITLES[setting], "in advanced hepatocellular carcinoma:", design_words) if part)
        if acronym:
            title = f"{acronym}: {title}"
        short = {"randomised_trial": f"phase {phase} trial", "single_arm_trial": f"phase {phase}",
                 "non_randomised_trial": "prospective study", "observational": "real-world cohort",
                 "not_stated": "study", "registered_trial": "registered trial"}[study_type]
        short_name = f"{acronym} ({surname} {year})" if acronym else f"{experimental.name} {short} ({surname} {year})"
        rid = f"{surname.lower()}-{year}-{experimental.id}"[:60].rstrip("-") + f"-{self.index}"

        doc = Document(document_name(self.seed, "study", self.index, self.index + 1), title + ".")
        authors, journal = _authors(rng), rng.choice(JOURNALS)
        volume, first_page = rng.randint(5, 80), rng.randint(100, 4000)
        doi = f"10.5555/synthetic.{self.seed}.s{self.index}"
        doc.say(f"{authors}. {journal}. {year};{volume}:{first_page}-{first_page + rng.randint(4, 12)}. doi:{doi}.")
        doc.paragraph("Background.")
        for sentence in rng.sample(BACKGROUND, 2):
            doc.say(sentence)

        record: Data = {"id": rid, "title": title, "short_name": short_name, "study_type": study_type, "acronym": acronym}
        registered = study_type in {"randomised_trial", "non_randomised_trial", "registered_trial"}
        registry = f"NCT{rng.randint(1_000_000, 99_999_999):08d}" if registered and rng.random() < 0.7 else None
        if registry:
            record["registry_ids"] = [registry]
        if study_type == "registered_trial":
            record["status"] = rng.choice(("recruiting", "not_yet_recruiting", "active", "completed"))
        if rng.random() < 0.85 and study_type != "registered_trial":
            record["citation"] = {"authors": authors, "title": title, "journal": journal, "year": year, "volume": str(volume),
                                  "pages": f"{first_page}-{first_page + 8}", "doi": doi, "source": doc.name}
        role = {"registered_trial": "Registry entry of the trial (title, status, phase, arms and planned enrolment)."}.get(
            study_type, "Full report of the study (abstract, methods, results and discussion).")
        record["sources"] = [{"document": doc.name, "role": role}]
        record["setting"] = setting
        record["prior_therapy"] = PRIOR_THERAPY.get(setting)
        sizes = self._sizes(study_type, len(arms))
        record["design"] = self._design(study_type, phase, arms, sizes)
        record["population"] = _cap(" ".join(part for part in (
            "adults with advanced HCC", where,
            "with Child-Pugh A or B liver function and an ECOG performance status of 0 or 1.") if part))

        if study_type == "registered_trial":
            return self._registered(record, doc, arms, registry, rng.randint(30, 400), experimental.phrase, where), doc

        total = sum(sizes)
        doc.paragraph("Methods.")
        enrolment_quote, arm_n = self._enrolment(doc, study_type, arms, sizes, total, where)
        record["population_values"] = self._population(doc, total) or None
        record["enrolment"] = reported(doc, enrolment_quote, "n", f"{total} patients", value=total, unit="patients")
        if registry:
            doc.say(f"The study is registered with ClinicalTrials.gov, {registry}.")
        doc.paragraph("Results.")
        figures: list[ArmFigures] = []
        outcome_lists: list[list[Data]] = []
        for position, (regimen, size) in enumerate(zip(arms, sizes, strict=True)):
            arm_figures = ArmFigures(regimen.id, regimen.phrase, size)
            outcomes = [reported(doc, arm_n[position][1], "n", arm_n[position][0], value=size, unit="patients")]
            outcomes += self._responses(doc, regimen, size, len(arms) > 1, arm_figures, position == 0)
            outcomes += self._survival(doc, regimen, len(arms) > 1, arm_figures)
            outcome_lists.append(outcomes)
            figures.append(arm_figures)
        if len(arms) > 1 and study_type != "not_stated":
            outcome_lists[0] += self._comparison(doc, arms, figures, study_type)
        doc.paragraph("Safety.")
        for regimen, outcomes, arm_figures in zip(arms, outcome_lists, figures, strict=True):
            if rng.random() < 0.75:
                outcomes += self._adverse_events(doc, regimen, arm_figures, len(arms) > 1)
        record["arms"] = [{"id": regimen.id, "label": regimen.name, "regimen": regimen.id, "dose": _dose(regimen) or None,
                           "outcomes": outcomes} for regimen, outcomes in zip(arms, outcome_lists, strict=True)]
        safety = [f"Grade 3 or 4 {f.ae} was the commonest severe adverse event with {f.phrase}." for f in figures if f.ae]
        record["safety"] = " ".join([*safety, "No new safety signals were reported."]) if safety else None
        record["summary"] = self._summary(study_type, phase, total, where, figures)
        conclusion = [template.format(exp=experimental.phrase, where=where or "in this setting").replace("  ", " ")
                      for template in rng.sample(CONCLUSIONS, 3)]
        record["conclusion"] = _pad_prose(rng, conclusion[:2], conclusion[2:])
        doc.paragraph("Conclusions.")
        doc.say(conclusion[0])
        if rng.random() < 0.25:
            self.notes.append({"kind": "missing", "field": "design",
                               "text": "The report does not describe how patients were followed up or how often tumours were assessed.",
                               "source": doc.name, "quote": enrolment_quote})
        record["notes"] = self.notes or None
        return record, doc

    def _design(self, study_type: str, phase: str | None, arms: list[Regimen], sizes: list[int]) -> Data | None:
        rng = self.rng
        centres = "multicentre" if rng.random() < 0.7 else "single-centre"
        if study_type == "randomised_trial":
            placebo = any(regimen.kind == "placebo" for regimen in arms)
            return {"phase": phase, "randomised": True, "allocation_ratio": _ratio(sizes),
                    "blinding": "double-blind" if placebo else "open-label",
                    "controlled": "placebo-controlled" if placebo else "active-controlled", "centres": centres,
                    "description": ("Patients were stratified by macrovascular invasion, extrahepatic spread and baseline AFP; treatment "
                                    "continued until progression or unacceptable toxicity.") if rng.random() < 0.5 else None}
        if study_type in {"single_arm_trial", "non_randomised_trial"}:
            return {"phase": phase, "randomised": False, "centres": centres, "direction": "prospective",
                    "description": ("Treatment continued until progression, unacceptable toxicity or withdrawal; tumours were "
                                    "assessed every 8 weeks.") if rng.random() < 0.5 else None}
        if study_type == "observational":
            return {"randomised": False, "centres": centres, "direction": "retrospective",
                    "description": "Survival was estimated with the Kaplan-Meier method and compared with Cox regression adjusted for baseline characteristics."}
        if study_type == "registered_trial":
            return {"phase": phase}
        return None

    def _sizes(self, study_type: str, arms: int) -> list[int]:
        rng = self.rng
        if study_type == "randomised_trial":
            total = rng.randint(60, 800)
            if arms == 2 and self.rng.random() < 0.5:
                first = (2 * total + 1) // 3
                return [first, total - first]
            base = total // arms
            return [base + (1 if k < total % arms else 0) for k in range(arms)]
        return [rng.randint(18, 250) for _ in range(arms)]

    def _enrolment(self, doc: Document, study_type: str, arms: list[Regimen], sizes: list[int], total: int,
                   where: str) -> tuple[str, list[tuple[str, str]]]:
        """The enrolment sentence; returns its quote and, per arm, the n as reported and its quote."""
        rng = self.rng
        start = rng.randint(2005, 2021)
        patients = " ".join(part for part in (f"{total} patients with advanced HCC", where) if part)
        if study_type == "randomised_trial":
            ratio = _ratio(sizes)
            groups = [f"{regimen.phrase} (n = {size})" for regimen, size in zip(arms, sizes, strict=True)]
            quote = f"A total of {patients} were randomly assigned {ratio}"
            doc.say(quote + ".", quote)
            allocation = f"Patients received {', '.join(groups[:-1])} or {groups[-1]}"
            doc.say(allocation + ".", *groups)
            return quote, [(f"n = {size}", allocation if len(allocation) <= 300 else group)
                           for size, group in zip(sizes, groups, strict=True)]
        if len(arms) == 1:
            verb = "retrospectively reviewed" if study_type == "observational" else "enrolled"
            quote = f"Between {start} and {start + rng.randint(1, 4)}, {patients} were {verb} and treated with {arms[0].phrase}"
            doc.say(quote + ".", quote)
            return quote, [(f"{total} patients", quote)]
        verb = "retrospectively reviewed" if study_type == "observational" else "prospectively enrolled"
        quote = f"We {verb} {patients} treated between {start} and {start + rng.randint(1, 4)}"
        parts = [f"{size} received {regimen.phrase}" for regimen, size in zip(arms, sizes, strict=True)]
        doc.say(f"{quote}: {', '.join(parts[:-1])} and {parts[-1]}.", quote, *parts)
        return quote, [(str(size), part) for size, part in zip(sizes, parts, strict=True)]

    def _population(self, doc: Document, total: int) -> list[Data]:
        rng = self.rng
        values: list[Data] = []
        if rng.random() < 0.7:
            age = rng.randint(52, 70)
            low, high = max(18, age - rng.randint(12, 32)), min(92, age + rng.randint(10, 22))
            men = Percent.of(round(total * rng.uniform(0.65, 0.9)), total)
            women = Percent.of(total - men.count, total)
            quote = f"The median age was {age} years (range, {low}-{high})"
            male_quote = f"{men.count} patients ({men.text}%) were men"
            female_quote = f"{women.count} ({women.text}%) were women"
            with_women = rng.random() < 0.5
            doc.say(f"{quote}, and {male_quote}" + (f" and {female_quote}." if with_women else "."),
                    quote, male_quote, *((female_quote,) if with_women else ()))
            values.append(reported(doc, quote, "age", f"{age} years", statistic="median", value=age, unit="years"))
            values.append(reported(doc, quote, "age", f"range, {low}-{high}", statistic="range", range_low=low, range_high=high, unit="years"))
            values.append(reported(doc, male_quote, "male", f"{men.count} patients ({men.text}%)", value=men.value, unit="%",
                                   numerator=men.count))
            if with_women:
                values.append(reported(doc, female_quote, "female", f"{women.count} ({women.text}%)", value=women.value,
                                       unit="%", numerator=women.count))
        if rng.random() < 0.6:
            groups = [("Child-Pugh A", "had Child-Pugh A liver function", 0.6, 0.95),
                      ("BCLC C", "had BCLC stage C disease", 0.5, 0.9),
                      ("ECOG 0", "had an ECOG performance status of 0", 0.3, 0.7)]
            quotes: list[str] = []
            for position, (category, words, low_share, high_share) in enumerate(groups):
                share = Percent.of(round(total * rng.uniform(low_share, high_share)), total)
                as_reported = f"{share.count} patients ({share.text}%)" if position == 0 else f"{share.count} ({share.text}%)"
                quote = f"{as_reported} {words}"
                quotes.append(quote)
                values.append(reported(doc, quote, "characteristic", as_reported, category=category, value=share.value,
                                       unit="%", numerator=share.count))
            doc.say(f"At baseline, {quotes[0]}, {quotes[1]} and {quotes[2]}.", *quotes)
        if rng.random() < 0.4:
            follow_up = _tenths(rng.randint(60, 360))
            quote = f"The median follow-up was {follow_up} months"
            doc.say(quote + ".", quote)
            values.append(reported(doc, quote, "median_follow_up", f"{follow_up} months", value=float(follow_up), unit="months"))
        return values

    def _responses(self, doc: Document, regimen: Regimen, n: int, several: bool, figures: ArmFigures, first: bool) -> list[Data]:
        rng = self.rng
        if rng.random() > 0.85:
            return []
        rate = rng.uniform(0.0, 0.04) if regimen.kind == "placebo" else rng.uniform(0.02, 0.4)
        responses = min(n, round(n * rate))
        complete = rng.randint(0, responses // 4)
        partial = responses - complete
        stable = round((n - responses) * rng.uniform(0.2, 0.6))
        orr, cr, pr = Percent.of(responses, n), Percent.of(complete, n), Percent.of(partial, n)
        sd, dcr = Percent.of(stable, n), Percent.of(responses + stable, n)
        prefix = f"with {regimen.phrase}, " if several else ""
        figures.orr, figures.dcr = orr.text, dcr.text
        if rng.random() < 0.35:  # percentages only, as many abstracts give them
            quote = _cap(f"{prefix}the objective response rate was {orr.text}% and the disease control rate was {dcr.text}%")
            doc.say(quote + ".", quote)
            return [reported(doc, quote, "orr", f"{orr.text}%", value=orr.value, unit="%"),
                    reported(doc, quote, "dcr", f"{dcr.text}%", value=dcr.value, unit="%")]
        stated = orr
        if first and responses and rng.random() < 0.04:  # ~1 study in 50: a rounding slip, kept as reported, with a note
            stated = Percent(responses, n, orr.tenths + 1)
        head = _cap(f"{prefix}objective responses occurred in {responses} of {n} patients ({stated.text}%)")
        parts = (f"{complete} complete response{'s' if complete != 1 else ''} ({cr.text}%) and "
                 f"{partial} partial response{'s' if partial != 1 else ''} ({pr.text}%)")
        doc.say(f"{head}, including {parts}.", head, parts)
        sd_quote = f"Stable disease was the best response in {stable} patients ({sd.text}%)" + (f" with {regimen.phrase}" if several else "")
        dcr_quote = f"a disease control rate of {dcr.text}% ({responses + stable}/{n})"
        doc.say(f"{sd_quote}, for {dcr_quote}.", sd_quote, dcr_quote)
        values = [
            reported(doc, head, "orr", f"{responses} of {n} patients ({stated.text}%)", value=stated.value, unit="%",
                     numerator=responses, denominator=n),
            reported(doc, parts, "cr", f"{complete} complete response{'s' if complete != 1 else ''} ({cr.text}%)", value=cr.value,
                     unit="%", numerator=complete),
            reported(doc, parts, "pr", f"{partial} partial response{'s' if partial != 1 else ''} ({pr.text}%)", value=pr.value,
                     unit="%", numerator=partial),
            reported(doc, sd_quote, "sd", f"{stable} patients ({sd.text}%)", value=sd.value, unit="%", numerator=stable),
            reported(doc, dcr_quote, "dcr", f"{dcr.text}% ({responses + stable}/{n})", value=dcr.value, unit="%",
                     numerator=responses + stable, denominator=n),
        ]
        if stated is not orr:
            figures.orr = stated.text
            exact = f"{100 * responses / n:.2f}"
            self.notes.append({"kind": "arithmetic", "field": "arms[0].outcomes (orr)",
                               "text": f"{responses} of {n} is {exact}%, which rounds to {orr.text}%, not the {stated.text}% the report states; "
                                       "the value is kept as reported.",
                               "source": doc.name, "quote": head})
        return values

    def _survival(self, doc: Document, regimen: Regimen, several: bool, figures: ArmFigures) -> list[Data]:
        rng = self.rng
        values: list[Data] = []
        placebo = regimen.kind == "placebo"
        pfs = rng.randint(10, 30) if placebo else rng.randint(15, 110)
        os = pfs + rng.randint(20, 150)
        clauses: list[str] = []
        for measure, words, tenths, wanted in (("median_pfs", "median progression-free survival", pfs, 0.9),
                                               ("median_os", "median overall survival", os, 0.85)):
            if rng.random() > wanted:
                continue
            text = _tenths(tenths)
            fields: Data = {"value": tenths / 10, "unit": "months"}
            as_reported = f"{text} months"
            if rng.random() < 0.6:
                low, high = max(1, tenths - rng.randint(3, 15)), tenths + rng.randint(3, 25)
                as_reported += f" (95% CI, {_tenths(low)}-{_tenths(high)})"
                fields |= {"ci_low": low / 10, "ci_high": high / 10, "ci_level": 95}
            clause = f"{words} was {as_reported}"
            clauses.append(clause)
            values.append(reported(doc, clause, measure, as_reported, **fields))
            if measure == "median_pfs":
                figures.pfs = text
            else:
                figures.os = text
        if clauses:
            prefix = f"With {regimen.phrase}, " if several else "Overall, "
            doc.say(prefix + " and ".join(clauses) + ".", *clauses)
        if rng.random() < 0.2:
            rate = _tenths(rng.randint(200, 750) if not placebo else rng.randint(150, 400))
            quote = f"The 12-month overall survival rate was {rate}%" + (f" with {regimen.phrase}" if several else "")
            doc.say(quote + ".", quote)
            values.append(reported(doc, quote, "os_rate", f"{rate}%", timepoint="12 months", value=float(rate), unit="%"))
        return values

    def _comparison(self, doc: Document, arms: list[Regimen], figures: list[ArmFigures], study_type: str) -> list[Data]:
        rng = self.rng
        values: list[Data] = []
        experimental, comparator = arms[0], arms[-1]
        adjusted = "adjusted " if study_type == "observational" else ""
        for endpoint, words, present in (("median_os", "overall survival", figures[0].os and figures[-1].os),
                                         ("median_pfs", "progression-free survival", figures[0].pfs and figures[-1].pfs)):
            if not present or rng.random() < 0.2:
                continue
            hr = rng.randint(40, 105)
            low, high = max(5, hr - rng.randint(8, 25)), hr + rng.randint(8, 35)
            if high < 100 and rng.random() < 0.4:
                p_text, p_value = "P<0.001", None
            else:
                p = rng.randint(1, 49) if high < 100 else rng.randint(60, 900)
                p_text, p_value = f"P=0.{p:03d}", p / 1000
            as_reported = f"{_hundredths(hr)} (95% CI, {_hundredths(low)}-{_hundredths(high)}; {p_text})"
            quote = f"The {adjusted}hazard ratio for {words} with {experimental.phrase} versus {comparator.phrase} was {as_reported}"
            doc.say(quote + ".", quote)
            values.append(reported(doc, quote, "hazard_ratio", as_reported, endpoint=endpoint, comparator=comparator.id,
                                   value=hr / 100, ci_low=low / 100, ci_high=high / 100, ci_level=95))
            values.append(reported(doc, quote, "p_value", p_text, endpoint=endpoint, comparator=comparator.id, value=p_value))
            if endpoint == "median_os" or figures[0].hr is None:
                figures[0].hr = f"HR {_hundredths(hr)}, 95% CI {_hundredths(low)}-{_hundredths(high)}"
        return values

    def _adverse_events(self, doc: Document, regimen: Regimen, figures: ArmFigures, several: bool) -> list[Data]:
        rng = self.rng
        n = figures.n
        events = rng.sample(STUDY_ADVERSE_EVENTS, rng.randint(1, 3))
        shares = sorted((Percent.of(rng.randint(1, max(1, n // 5)), n) for _ in events), key=lambda share: -share.count)
        quotes, values = [], []
        for position, (event, share) in enumerate(zip(events, shares, strict=True)):
            as_reported = f"{share.count} patients ({share.text}%)" if position == 0 else f"{share.count} ({share.text}%)"
            quote = f"{event} in {as_reported}"
            quotes.append(quote)
            values.append(reported(doc, quote, "adverse_event", as_reported, category=f"Grade 3-4 {event}", value=share.value,
                                   unit="%", numerator=share.count))
        prefix = f"With {regimen.phrase}, grade" if several else "Grade"
        listing = quotes[0] if len(quotes) == 1 else f"{', '.join(quotes[:-1])} and {quotes[-1]}"
        doc.say(f"{prefix} 3 or 4 adverse events included {listing}.", *quotes)
        figures.ae = events[0]
        return values

    def _summary(self, study_type: str, phase: str | None, total: int, where: str, figures: list[ArmFigures]) -> str:
        design = {"randomised_trial": f"Randomised phase {phase} trial", "single_arm_trial": f"Single-arm phase {phase} trial",
                  "non_randomised_trial": "Non-randomised prospective study", "observational": "Retrospective cohort study",
                  "not_stated": "Clinical study (design not described)"}[study_type]
        phrases = " versus ".join(f.phrase for f in figures)
        sentences = [" ".join(part for part in (f"{design} of {phrases} in {total} patients with advanced HCC", where) if part) + "."]
        first = figures[0]
        if len(figures) > 1:
            last = figures[-1]
            if first.os and last.os:
                hr = f" ({first.hr})" if first.hr else ""
                sentences.append(f"Median OS was {first.os} versus {last.os} months{hr}.")
            if first.pfs and last.pfs:
                sentences.append(f"Median PFS was {first.pfs} versus {last.pfs} months.")
            if first.orr and last.orr:
                sentences.append(f"The ORR was {first.orr}% versus {last.orr}%.")
        else:
            survival = [f"{name} {value} months" for name, value in (("PFS", first.pfs), ("OS", first.os)) if value]
            if survival:
                sentences.append(f"Median {survival[0].replace(' ', ' was ', 1)}" + (f" and median {survival[1]}." if len(survival) > 1 else "."))
            if first.orr:
                sentences.append(f"The ORR was {first.orr}% and the DCR {first.dcr}%.")
        if first.ae:
            sentences.append(f"Grade 3 or 4 {first.ae} was the commonest severe adverse event.")
        return _pad_prose(self.rng, sentences, SUMMARY_FILLERS)

    def _registered(self, record: Data, doc: Document, arms: list[Regimen], registry: str | None, planned: int,
                    phrase: str, where: str) -> Data:
        doc.paragraph("Registry entry.")
        if registry:
            doc.say(f"ClinicalTrials.gov identifier: {registry}.")
        doc.say(f"Status: {record['status'].replace('_', ' ')}.")
        doc.say(f"Target enrolment: {planned} participants.")
        doc.say(f"Arms: {'; '.join(regimen.name for regimen in arms)}.")
        record["arms"] = [{"id": regimen.id, "label": regimen.name, "regimen": regimen.id} for regimen in arms]
        status = record["status"].replace("_", " ")
        sentences = [" ".join(part for part in (f"Registered trial of {phrase} in advanced HCC", where) if part) + f", listed as {status}.",
                     f"The registry entry plans to enrol {planned} participants and gives no results."]
        record["summary"] = _pad_prose(self.rng, sentences, (
            "The entry does not name the primary end point in the text available.",
            "Eligibility criteria are given only in outline.",
            "The sponsor and the participating centres are not listed.",
            "No publication of the trial is linked from the entry.",
        ))
        return record


# --------------------------------------------------------------------------- regimens


_ROUTE_WORDS = {"oral": "by mouth", "intravenous": "intravenously", "intra_arterial": "into the hepatic artery",
                "external_beam": "as external-beam radiotherapy", "surgical": "surgically"}


def regimen_record(regimen: Regimen, pharmacology: Document, sentences: dict[str, tuple[str, str]], seed: int) -> Data:
    rng = random.Random(f"{seed}:regimen:{regimen.id}")
    mechanism = []
    for drug in regimen.drugs:
        if drug.name in sentences:
            mechanism.append(pharmacology.evidence(rng.choice(sentences[drug.name])))
    if regimen.kind == "systemic":
        described = [f"{drug.name}, {_CLASS_WORDS[drug.drug_class]}" for drug in regimen.drugs]
        summary = (f"{_cap(described[0])}" + (f", combined with {_join(described[1:])}" if len(described) > 1 else "") + ". "
                   f"Given {' and '.join(sorted({_ROUTE_WORDS[drug.route or 'oral'] for drug in regimen.drugs}))} at "
                   f"{_join([f'{drug.dose} ({drug.name})' for drug in regimen.drugs])} in most of the studies that use it.")
        summary = _pad_prose(rng, [summary], (
            "The sources describe it in patients with advanced HCC after first-line failure.",
            "Dose reductions for toxicity were common in the reports that give them.",
            "No source compares it directly with lenalidomide alone.",
            "Its activity after lenvatinib plus a PD-1 inhibitor is known only from small series.",
        ))
    else:
        summary = {
            "placebo": "Matching placebo given to the control arm of blinded randomised trials, with best supportive care.",
            "tace": ("Transarterial chemoembolisation: chemotherapy and embolic particles delivered through the hepatic artery; "
                     "used before or between systemic lines in the case reports."),
            "surgery": "Surgical resection of the liver tumour, done before systemic therapy in some of the case reports.",
            "radiotherapy": "External-beam radiotherapy to the liver tumour or to metastases, 30 to 50 Gy in the case reports.",
        }[regimen.kind]
    return {"id": regimen.id, "name": regimen.name,
            "drugs": [{"name": drug.name, "drug_class": drug.drug_class, "route": drug.route} for drug in regimen.drugs],
            "mechanism": mechanism or None, "summary": summary}


def pharmacology_document(seed: int) -> tuple[Document, dict[str, tuple[str, str]]]:
    """One review article with two sentences on how each drug and procedure works; the regimens quote it."""
    doc = Document(document_name(seed, "pharmacology", 0, 0), "Pharmacology of systemic and locoregional treatments for advanced HCC: a narrative review.")
    sentences: dict[str, tuple[str, str]] = {}
    for drug in (*DRUGS, TACE, HEPATECTOMY, RADIOTHERAPY):
        first, second = (template.format(D=_cap(drug.name)) for template in _MECHANISMS[drug.drug_class])
        doc.paragraph(f"{_cap(drug.name)}.")
        doc.say(first + ".", first)
        doc.say(second + ".", second)
        sentences[drug.name] = (first, second)
    return doc, sentences


# --------------------------------------------------------------------------- cases

_FIRST_LINES = {"sorafenib": "after_sorafenib", "lenvatinib": "after_lenvatinib", "atezolizumab-bevacizumab": "after_first_line_other",
                "lenvatinib-camrelizumab": "after_lenvatinib_pd1", "lenvatinib-pembrolizumab": "after_lenvatinib_pd1"}
_RESPONSES = {"CR": "a complete response", "PR": "a partial response", "SD": "stable disease", "PD": "progressive disease"}


def build_case(index: int, seed: int, pool: Sequence[Regimen]) -> tuple[Data, Document]:
    rng = random.Random(f"{seed}:case:{index}")
    surname, man = rng.choice(SURNAMES), rng.random() < 0.8
    he, his = ("he", "his") if man else ("she", "her")
    systemic = [regimen for regimen in pool if regimen.kind == "systemic"]
    first = rng.choice([regimen for regimen in systemic if regimen.id in _FIRST_LINES])
    later = [regimen for regimen in systemic if regimen.id != first.id]
    with_lenalidomide = [regimen for regimen in later if regimen.uses("lenalidomide")]
    second = rng.choice(with_lenalidomide) if with_lenalidomide and rng.random() < 0.6 else rng.choice(later)
    third_options = [regimen for regimen in later if regimen.id != second.id]
    third = rng.choice(third_options) if third_options and rng.random() < 0.3 else None
    procedures = [regimen for regimen in pool if regimen.kind in {"tace", "surgery", "radiotherapy"}]
    procedure = rng.choice(procedures) if procedures and rng.random() < 0.6 else None

    diagnosed = (rng.randint(2014, 2021), rng.randint(1, 12))
    age = rng.randint(38, 82)
    aetiology, cirrhosis = rng.choice(AETIOLOGIES)
    stage, child_pugh, ecog = rng.choice(("B", "C", "C")), rng.choice(("A5", "A6", "B7")), rng.choice((0, 1, 1))
    town = rng.choice(TOWNS)
    institution = f"{town} {rng.choice(INSTITUTION_KINDS)}"
    title = f"{_cap((third or second).phrase)} after progression on {first.phrase} in advanced HCC: a case report"
    doc = Document(document_name(seed, "case", index, 500 + index), title + ".")
    authors, journal = _authors(rng), rng.choice(JOURNALS)
    doi = f"10.5555/synthetic.{seed}.c{index}"
    doc.say(f"From the Department of Hepatobiliary Oncology, {institution}.")
    doc.paragraph("Case presentation.")

    presentation = f"A {age}-year-old {'man' if man else 'woman'} with {cirrhosis} presented with {rng.choice(SYMPTOMS)}"
    doc.say(presentation + ".", presentation)
    staging = (f"The tumour was staged as BCLC {stage}, with Child-Pugh {child_pugh} liver function and an ECOG performance "
               f"status of {ecog}")
    doc.say(staging + ".", staging)
    patient: Data = {
        "age": reported(doc, presentation, "age", f"{age}-year-old", value=age, unit="years"),
        "sex": "male" if man else "female",
        "aetiology": [aetiology],
        "staging": {"BCLC": stage},
        "liver_function": {"Child-Pugh": child_pugh},
        "performance_status": f"ECOG {ecog}",
        "presentation": f"Advanced HCC on a background of {cirrhosis}, BCLC stage {stage} with Child-Pugh {child_pugh} liver function at diagnosis.",
        "evidence": [doc.evidence(presentation), doc.evidence(staging)],
    }

    timeline: list[Data] = []
    markers: list[Data] = []
    month = diagnosed[1]
    diagnosis = f"In {_spoken(diagnosed)}, imaging showed a {rng.randint(3, 14)} cm mass in the right lobe, and HCC was diagnosed"
    doc.say(diagnosis + ".", diagnosis)
    timeline.append({"kind": "diagnosis", "label": "HCC diagnosed on imaging", "start": _iso(diagnosed),
                     "evidence": [doc.evidence(diagnosis)]})
    afp = rng.randint(5_000, 3_000_000)  # hundredths of ng/ml
    afp_quote = f"Serum AFP was {afp / 100:,.2f} ng/ml (reference value: 0-7 ng/ml) at diagnosis"
    doc.say(afp_quote + ".", afp_quote)
    markers.append({"marker": "AFP", "date": _iso(diagnosed), "as_reported": f"{afp / 100:,.2f} ng/ml", "value": afp / 100,
                    "unit": "ng/ml", "reference_range": "0-7 ng/ml", **doc.evidence(afp_quote)})
    if rng.random() < 0.4:
        pivka = rng.randint(100, 20000)
        quote = f"PIVKA-II was {pivka:,} mAU/ml"
        doc.say(quote + " at the same time.", quote)
        markers.append({"marker": "PIVKA-II", "date": _iso(diagnosed), "as_reported": f"{pivka:,} mAU/ml", "value": pivka,
                        "unit": "mAU/ml", **doc.evidence(quote)})

    if procedure is not None:
        month += 1
        when = _date(diagnosed[0], month)
        action, label = {"tace": ("underwent TACE of the dominant lesion", "TACE of the dominant lesion"),
                         "surgery": ("underwent a right hepatectomy", "Right hepatectomy"),
                         "radiotherapy": ("received external-beam radiotherapy to the tumour (50 Gy in 25 fractions)",
                                          "Radiotherapy to the liver tumour")}[procedure.kind]
        quote = f"In {_spoken(when)}, {he} {action}"
        doc.say(_cap(quote) + ".", _cap(quote))
        timeline.append({"kind": procedure.kind, "label": label, "regimen": procedure.id, "start": _iso(when), "evidence": [doc.evidence(_cap(quote))]})

    lines = [regimen for regimen in (first, second, third) if regimen is not None]
    adverse_events: list[Data] = []
    notes: list[Data] = []
    summary_steps: list[str] = []
    last, fall = diagnosed, afp
    imaged = False  # one imaging step at most, so that a timeline has 3 to 6 lines
    for number, regimen in enumerate(lines, start=1):
        month += rng.randint(1, 2)
        start = _date(diagnosed[0], month)
        dose = _dose(regimen)
        started = f"In {_spoken(start)}, {he} started {regimen.phrase} ({dose})"
        doc.say(started + ".", started)
        final = number == len(lines)
        response = rng.choice(("PR", "PR", "SD", "CR")) if final else rng.choice(("SD", "SD", "PR", "PD"))
        response_quote = f"The best response to {regimen.phrase} was {_RESPONSES[response]} (mRECIST)"
        doc.say(response_quote + ".", response_quote)
        line: Data = {"kind": "systemic", "label": _cap(regimen.phrase) + (" (first line)" if number == 1 else f" (line {number})"),
                      "regimen": regimen.id, "line_of_therapy": number, "dose": dose, "start": _iso(start),
                      "best_response": response, "response_as_reported": _RESPONSES[response]}
        evidence = [doc.evidence(started), doc.evidence(response_quote)]
        summary_steps.append(f"{regimen.phrase} ({_RESPONSES[response]})")
        if rng.random() < 0.5:
            event = rng.choice(CASE_ADVERSE_EVENTS)
            grade = rng.randint(1, 3)
            quote = f"During {regimen.phrase}, {he} developed grade {grade} {event}"
            doc.say(quote + ", which resolved after a short interruption.", quote)
            adverse_events.append({"event": event, "grade": str(grade), "attributed_to": regimen.id, **doc.evidence(quote)})
        month += rng.randint(3, 14)
        if not final:
            end = _date(diagnosed[0], month)
            rise = afp * rng.randint(120, 300) // 100
            stopped = f"In {_spoken(end)}, CT showed new intrahepatic lesions, and {regimen.phrase} was stopped"
            doc.say(stopped + ".", stopped)
            afp_rise = f"AFP had risen to {rise / 100:,.2f} ng/ml"
            doc.say(f"By then {afp_rise}.", afp_rise)
            line |= {"end": _iso(end), "stop_reason": "Progression on CT (new intrahepatic lesions)"}
            evidence.append(doc.evidence(stopped))
            timeline.append(line | {"evidence": evidence})
            if not imaged:
                timeline.append({"kind": "imaging", "label": "CT: new intrahepatic lesions (progression)", "start": _iso(end),
                                 "evidence": [doc.evidence(stopped)]})
                imaged = True
            markers.append({"marker": "AFP", "date": _iso(end), "as_reported": f"{rise / 100:,.2f} ng/ml", "value": rise / 100,
                            "unit": "ng/ml", "reference_range": "0-7 ng/ml", **doc.evidence(afp_rise)})
            afp, last = rise, end
        else:
            timeline.append(line | {"evidence": evidence})
            last = _date(diagnosed[0], month)
            fall = max(1, afp * rng.randint(3, 50) // 100)
            afp_fall = f"In {_spoken(last)}, AFP had fallen to {fall / 100:,.2f} ng/ml"
            doc.say(afp_fall + ".", afp_fall)
            markers.append({"marker": "AFP", "date": _iso(last), "as_reported": f"{fall / 100:,.2f} ng/ml", "value": fall / 100,
                            "unit": "ng/ml", "reference_range": "0-7 ng/ml", **doc.evidence(afp_fall)})
            if rng.random() < 0.3:
                notes.append({"kind": "ambiguity", "field": f"timeline (line {number}).best_response",
                              "text": "The report gives the best response without the date of the scan that showed it.",
                              "source": doc.name, "quote": response_quote})

    follow = _date(last[0], last[1] + rng.randint(1, 8))
    year = follow[0] + rng.randint(0, 1)
    doc.paragraphs[0].append(f"{authors}. {journal}. {year}. doi:{doi}.")
    status = rng.choice(("alive with stable disease", "alive and still on treatment", "alive without symptoms"))
    follow_quote = f"At the last follow-up in {_spoken(follow)}, {he} was {status}"
    doc.say(follow_quote + ".", follow_quote)
    doc.paragraph("Discussion.")
    for sentence in rng.sample(BACKGROUND + DISCUSSION, rng.randint(4, 7)):
        doc.say(sentence)

    summary = _pad_prose(rng, [
        f"A {age}-year-old {'man' if man else 'woman'} with {cirrhosis} and BCLC stage {stage} HCC diagnosed in {_spoken(diagnosed)}.",
        f"Treatment: {'; '.join(summary_steps)}.",
        f"AFP fell to {fall / 100:,.2f} ng/ml on {second.phrase if third is None else third.phrase}, and at the last follow-up in {_spoken(follow)} {he} was {status}.",
    ], ("The report gives no tumour measurements for the responses.",
        f"No biopsy was taken at progression on {first.phrase}.",
        f"The authors do not say why {his} treatment was changed when it was.",
        "Liver function stayed stable throughout, as the report describes it."))
    conclusion = _pad_prose(rng, [
        f"The authors suggest that {(third or second).phrase} may be an option after progression on {first.phrase} in advanced HCC.",
        "They call for prospective studies to confirm the activity seen in this patient.",
    ], ("They note that the AFP course followed the imaging response.",
        "They add that the treatment was well tolerated at the doses used."))

    record: Data = {
        "id": f"{surname.lower()}-{year}-case-{index}",
        "title": title,
        "short_name": f"{surname} {year} case report",
        "citation": {"authors": authors, "title": title, "journal": journal, "year": year, "doi": doi, "source": doc.name},
        "sources": [{"document": doc.name, "role": "Full case report with introduction, case presentation and discussion."}],
        "setting": _FIRST_LINES[first.id],
        "institution": institution,
        "patient": patient,
        "timeline": timeline,
        "markers": markers,
        "adverse_events": adverse_events or None,
        "follow_up": {"last_follow_up": _iso(follow), "status": _cap(status), "evidence": [doc.evidence(follow_quote)]},
        "summary": summary,
        "conclusion": conclusion,
        "notes": notes or None,
    }
    return record, doc


# --------------------------------------------------------------------------- the project around the records


def mkdocs_config(studies: int, seed: int) -> Data:
    """The real review's configuration, pointed at this repository's templates and the generated sources."""
    real = yaml.safe_load(REAL_CONFIG.read_text(encoding="utf-8"))
    config: Data = {
        "site_name": f"Synthetic review: {studies:,} studies (seed {seed})",
        "site_description": "A deterministic synthetic corpus for benchmarking the litreview generator; every record is fictional.",
        "docs_dir": "docs",
        "site_dir": "site",
        "strict": real.get("strict", True),
    }
    theme = dict(real["theme"])
    if "custom_dir" in theme:
        theme["custom_dir"] = str((PROJECT_ROOT / theme["custom_dir"]).resolve())
    config["theme"] = theme
    plugins: list[Any] = []
    for entry in real.get("plugins", []):
        if isinstance(entry, dict) and "litreview" in entry:
            options = dict(entry["litreview"] or {})
            options |= {"seeds": "seeds", "templates": str(TEMPLATES_DIR), "sources": "sources"}
            plugins.append({"litreview": options})
        else:
            plugins.append(entry)
    config["plugins"] = plugins
    for key in ("extra_css", "extra_javascript", "markdown_extensions", "validation"):
        if key in real:
            config[key] = real[key]
    return config


def glossary(acronyms: Sequence[str]) -> Data:
    data: Data = yaml.safe_load(REAL_GLOSSARY.read_text(encoding="utf-8"))
    names = list(data.get("not_abbreviations") or [])
    data["not_abbreviations"] = names + [name for name in acronyms if name not in names]
    return data


CITATION = """\
cff-version: 1.2.0
message: This is a synthetic review for benchmarks; cite the litreview project instead.
type: dataset
title: "Synthetic benchmark review ({studies:,} studies, seed {seed})"
abstract: >-
  A deterministic synthetic corpus written by tests/benchmark/synthetic.py to measure how the litreview
  generator scales. Every study, regimen and case report is fictional.
authors:
  - name: The litreview benchmark generator
version: 0.0.0
license: CC0-1.0
"""

ABOUT = """\
# About this review

This review is **synthetic**: `tests/benchmark/synthetic.py` wrote it ({studies:,} studies, {regimens:,} regimens and
{cases:,} case reports, seed {seed}) to measure how the generator scales. No record describes a real trial, drug
schedule or patient, and the source documents were written together with the records, so every quote stands in
its document and every number in its quote.

About one study in fifty states a response rate that does not round from its count; the value is kept as
reported, the build flags it, and a curation note explains it, as in a real review.
"""


@dataclass(frozen=True)
class Written:
    studies: int
    regimens: int
    cases: int
    documents: int
    files: int
    bytes: int


def _prepare(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise FileExistsError(f"{out} is not empty; pass --force to write into it anyway")
        if (out / "pyproject.toml").exists() or (out / ".git").exists():
            raise FileExistsError(f"{out} looks like a project checkout, not a benchmark folder; refusing to overwrite it")
        for name in ("seeds", "sources", "docs"):  # what this module writes; a stale record would join the corpus
            if (out / name).is_dir():
                shutil.rmtree(out / name)
    for folder in ("seeds/studies", "seeds/regimens", "seeds/cases", "sources", "docs"):
        (out / folder).mkdir(parents=True, exist_ok=True)


def counts(studies: int) -> tuple[int, int]:
    """How many regimens and cases go with ``studies`` studies."""
    return max(2, studies // 10), max(1, studies // 20)


def generate_review(out: Path, studies: int, seed: int = DEFAULT_SEED, *, force: bool = False) -> Written:
    """Write the project; returns what was written."""
    if studies < 1:
        raise ValueError(f"need at least one study, got {studies}")
    _prepare(out, force)
    regimen_count, case_count = counts(studies)
    regimens = build_regimens(regimen_count, seed)
    files = 0
    size = 0

    def write(relative: str, text: str) -> None:
        nonlocal files, size
        data = text.encode("utf-8")
        (out / relative).write_bytes(data)
        files += 1
        size += len(data)

    note = f"Synthetic record (tests/benchmark/synthetic.py, seed {seed}); fictional."
    pharmacology, sentences = pharmacology_document(seed)
    write(f"sources/{pharmacology.name}", pharmacology.text())
    for regimen in regimens:
        write(f"seeds/regimens/{regimen.id}.yaml", dump_yaml(regimen_record(regimen, pharmacology, sentences, seed), note))
    for index in range(studies):
        pool = regimens[: max(2, (index + 1) // 10)]  # only regimens that every corpus holding study `index` has
        forced = regimens[index // 10] if index % 10 == 9 else None  # so that every regimen is used somewhere
        record, doc = StudyBuilder(index, seed, pool, forced).build()
        write(f"seeds/studies/{record['id']}.yaml", dump_yaml(record, note))
        write(f"sources/{doc.name}", doc.text())
    for index in range(case_count):
        record, doc = build_case(index, seed, regimens[: max(2, 2 * index + 2)])
        write(f"seeds/cases/{record['id']}.yaml", dump_yaml(record, note))
        write(f"sources/{doc.name}", doc.text())
    write("seeds/glossary.yaml", "# The real review's glossary, with the synthetic trial names as names.\n"
          + yaml.safe_dump(glossary(ACRONYMS), sort_keys=False, allow_unicode=True, width=120))
    write("seeds/review.yaml", "# The real review's file: its vocabularies, measures and comparison pages.\n"
          + (PROJECT_ROOT / "seeds" / "review.yaml").read_text(encoding="utf-8"))
    write("mkdocs.yml", "# Synthetic benchmark review (tests/benchmark/synthetic.py).\n"
          + yaml.safe_dump(mkdocs_config(studies, seed), sort_keys=False, allow_unicode=True, width=120))
    write("CITATION.cff", CITATION.format(studies=studies, seed=seed))
    write("docs/about.md", ABOUT.format(studies=studies, regimens=regimen_count, cases=case_count, seed=seed))
    return Written(studies, regimen_count, case_count, 1 + studies + case_count, files, size)


def write_review(out: Path, studies: int, seed: int = DEFAULT_SEED, *, force: bool = False) -> None:
    """Write a complete synthetic review project of ``studies`` studies into ``out`` (empty unless ``force``)."""
    generate_review(out, studies, seed, force=force)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmark.synthetic", description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, required=True, help="number of studies N (N/10 regimens and N/20 cases go with them)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the review project into (must be empty)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--force", action="store_true", help="write into a non-empty folder, replacing its seeds/, sources/ and docs/")
    args = parser.parse_args(argv)
    if args.studies < 1:
        parser.error("--studies must be at least 1")
    started = time.perf_counter()
    try:
        written = generate_review(args.out, args.studies, args.seed, force=args.force)
    except FileExistsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    print(f"wrote {written.studies:,} studies, {written.regimens:,} regimens, {written.cases:,} cases and "
          f"{written.documents:,} source documents ({written.files:,} files, {written.bytes:,} bytes) "
          f"to {args.out} in {elapsed:.2f} s")
    print(f"  {args.out}/mkdocs.yml, CITATION.cff, docs/about.md, seeds/glossary.yaml")
    print(f"  {args.out}/seeds/studies/ ({written.studies:,}), seeds/regimens/ ({written.regimens:,}), "
          f"seeds/cases/ ({written.cases:,}), sources/ ({written.documents:,})")
    print(f"validate with: .venv/bin/python -m generator.cli -f {args.out}/mkdocs.yml validate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
