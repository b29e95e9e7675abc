"""A hostile copy of the fixture review: every text field of every record carries attack payloads.

Payloads call ``__xss(name)``; the browser test defines that function and fails if it ever runs.
Fields the schema constrains to ids, dates, vocabularies or patterns keep their values (they are
refused before rendering when malformed, which tests/test_bad_records.py covers); every other
string, in every record, the glossary and CITATION.cff, gets the payload appended. Quotes get it
too, and the changed quotes are added to the source document so that the evidence checks pass.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

# Inline vectors: breaking out of <title>, raw HTML, an event handler, a javascript: link, an attribute list, a data: URL,
# Jinja syntax and mathtext (for the figures).
INLINE_PAYLOAD = (
    '</title><script>__xss("script")</script><img src=x onerror=__xss("img")>[a](javascript:__xss("link"))'
    '*e*{: onclick=__xss("attr")}<a href="data:text/html,x">d</a>{{ 7*7 }}{% if 1 %}J{% endif %}$\\x$'
)
# Prose (Markdown) fields also get block-level vectors: a raw HTML block, a reference-style
# javascript: link and a data: image.
PROSE_PAYLOAD = INLINE_PAYLOAD + (
    "\n\n<div onmouseover=__xss('block')>block</div>\n\n[r]: javascript:__xss('ref')\n\n"
    "[ref link][r] ![i](data:image/svg+xml;base64,PHN2Zy8+) <iframe src=https://example.org/></iframe>"
    # the review's own boxes, forged from a line start, and a paragraph out of the note box it is in
    "\n\n!!! danger \"forged box\"\n\n    inside the forged box\n\n??? note \"forged details\""
)
JINJA_LITERAL = "{{ 7*7 }}"

# Keys whose values are ids, dates, vocabularies, numbers as reported or patterns: left as they are.
KEEP = {
    "id", "regimen", "comparator", "attributed_to", "source", "document", "measure", "unit", "as_reported", "kind",
    "setting", "study_type", "status", "drug_class", "route", "sex", "blinding", "centres", "direction", "statistic",
    "endpoint", "best_response", "start", "end", "date", "last_follow_up", "last_reviewed", "doi", "registry_ids", "term",
    "cff-version", "not_abbreviations", "after", "before", "inferred_dates", "file",
}
# A short vector for fields of bounded length (a source document's label, at most 80 characters).
SHORT_PAYLOAD = '</title><script>__xss("s")</script>'
SHORT_KEYS = {"label"}
PROSE_KEYS = {"summary", "conclusion", "population", "safety", "presentation", "text", "description", "definition"}
# Optional text fields the fixture leaves out, added so that every template path meets a payload.
EXTRA_FIELDS: dict[str, dict[str, Any]] = {
    "studies/fixture-trial.yaml": {
        "acronym": "FT", "prior_therapy": "sorafenib", "population": "Adults.", "safety": "Tolerable.",
        "conclusion": "Works.",
    },
    "cases/fixture-case.yaml": {"institution": "A hospital", "conclusion": "Worked.", "follow_up": {
        "status": "alive", "evidence": [{"source": "900_0000000000000abc.txt", "quote": "A 60-year-old woman received drugamab"}]}},
    "regimens/drugamab.yaml": {"notes": [{"kind": "ambiguity", "text": "A note.", "field": "summary"}]},
}


def _poison(value: Any, key: str | None, quotes: list[str], short: bool = False) -> Any:
    if isinstance(value, dict):
        return {k: (v if k in KEEP else _poison(v, k, quotes, short)) for k, v in value.items()}
    if isinstance(value, list):
        return [_poison(item, key, quotes, short) for item in value]
    if isinstance(value, str):
        if key == "quote":
            quotes.append(f"{value} {INLINE_PAYLOAD}")
            return quotes[-1]
        if key == "field":  # a note's field is a path into its record: the payload goes in its qualifier, which pages show
            return f"{value} ({INLINE_PAYLOAD})"
        if short and key in SHORT_KEYS:
            return f"{value} {SHORT_PAYLOAD}"
        return f"{value} {PROSE_PAYLOAD if key in PROSE_KEYS else INLINE_PAYLOAD}"
    return value


# The review file is mostly ids, which it defines and records use: only its words are poisoned, the labels (at most 120
# characters) with the short vector, the sentences (descriptions, page texts) with the prose one.
REVIEW_LABEL_KEYS = {"label", "title", "short", "endpoint_label", "mark", "rows_label", "intervention"}
REVIEW_SENTENCE_KEYS = {"description", "explanation", "scope_text", "home_intro", "cases_intro", "comparisons_intro",
                        "studies_intro", "evidence_order", "figures_summary"}


def _poison_review_file(value: Any, key: str | None) -> Any:
    if isinstance(value, dict):
        return {k: _poison_review_file(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_poison_review_file(item, key) for item in value]
    if isinstance(value, str) and key in REVIEW_LABEL_KEYS:
        return f"{value} {SHORT_PAYLOAD}"
    if isinstance(value, str) and key in REVIEW_SENTENCE_KEYS:
        return f"{value} {PROSE_PAYLOAD}"
    return value


def make_hostile_review(fixture: Path, target: Path, templates: Path) -> Path:
    """Copy the fixture review to ``target`` and poison it; returns ``target``."""
    shutil.copytree(fixture, target, ignore=shutil.ignore_patterns("site", ".litreview-generated.json"))
    config = target / "mkdocs.yml"
    config.write_text(config.read_text().replace("../../../templates", str(templates)))
    quotes: list[str] = []
    review_file = target / "seeds" / "review.yaml"
    review = yaml.safe_load(review_file.read_text(encoding="utf-8"))
    review_file.write_text(yaml.safe_dump(_poison_review_file(review, None), allow_unicode=True, sort_keys=False), encoding="utf-8")
    for path in sorted((target / "seeds").rglob("*.yaml")):
        if path == review_file:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data.update(EXTRA_FIELDS.get(path.relative_to(target / "seeds").as_posix(), {}))
        short = path.name == "sources.yaml"
        path.write_text(yaml.safe_dump(_poison(data, None, quotes, short), allow_unicode=True, sort_keys=False), encoding="utf-8")
    citation = target / "CITATION.cff"
    data = yaml.safe_load(citation.read_text(encoding="utf-8"))
    data["title"] = f"{data['title']} {INLINE_PAYLOAD}"
    citation.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (source,) = (target / "sources").glob("*.txt")
    source.write_text(source.read_text(encoding="utf-8") + "\n" + "\n".join(quotes) + "\n", encoding="utf-8")
    return target
