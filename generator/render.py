"""Stage 4, render: records and derived views → Markdown text, through Jinja2 templates.

Python decides *which* pages exist and what each is given; the templates in
``templates/`` decide how they read. Each page gets its own footnote registry so that
every value can carry its source quote as a footnote (plain Markdown, shown as a
tooltip by Material and as a numbered note by any other renderer).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from generator.derive import COMPARISON_MEASURES, Derived, headline
from generator.errors import ConfigError
from generator.evidence import stated_form
from generator.export import OUTCOME_COLUMNS
from generator.link import Corpus
from generator.schema import (
    DRUG_CLASS_LABELS,
    MEASURE_DESCRIPTIONS,
    SETTING_LABELS,
    STUDY_TYPE_LABELS,
    CaseRecord,
    DrugClass,
    Evidence,
    Measure,
    RegimenRecord,
    Setting,
    StudyRecord,
    StudyType,
)

MEASURE_LABELS: dict[Measure, str] = {
    Measure.n: "n",
    Measure.orr: "ORR",
    Measure.dcr: "DCR",
    Measure.cr: "CR",
    Measure.pr: "PR",
    Measure.sd: "SD",
    Measure.pd: "PD",
    Measure.median_pfs: "Median PFS",
    Measure.median_os: "Median OS",
    Measure.median_ttp: "Median TTP",
    Measure.median_dor: "Median DOR",
    Measure.dor_range: "DOR range",
    Measure.dor_rate: "Responses lasting",
    Measure.pfs_rate: "PFS rate",
    Measure.os_rate: "OS rate",
    Measure.mortality_rate: "Mortality",
    Measure.hazard_ratio: "Hazard ratio",
    Measure.risk_ratio: "Risk ratio",
    Measure.risk_reduction: "Risk reduction",
    Measure.p_value: "P value",
    Measure.response_rate_other: "Response rate (as defined)",
    Measure.median_follow_up: "Median follow-up",
    Measure.median_treatment_duration: "Median treatment duration",
    Measure.age: "Age",
    Measure.male: "Male",
    Measure.female: "Female",
    Measure.characteristic: "Characteristic",
    Measure.adverse_event: "Adverse event",
    Measure.event_count: "Events",
}


def page_path(kind: str, record_id: str) -> str:
    """Where a record's page lives in the generated tree."""
    return f"{kind}/{record_id}.md"


@dataclass
class Footnotes:
    """Numbered source quotes of one page; a repeated quote reuses its number."""

    entries: list[Evidence] = field(default_factory=list)
    _index: dict[tuple[str, str], int] = field(default_factory=dict)

    def cite(self, evidence: Evidence) -> str:
        key = (evidence.source, evidence.quote)
        if key not in self._index:
            self.entries.append(evidence)
            self._index[key] = len(self.entries)
        return f"[^{self._index[key]}]"


def md_cell(text: object) -> str:
    """Text made safe for one Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def make_environment(templates_dir: Path) -> jinja2.Environment:
    if not templates_dir.is_dir():
        raise ConfigError(f"templates folder not found: {templates_dir}")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # output is Markdown; record text is escaped per context by filters
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        stated=lambda number, v: stated_form(number, v.as_reported, v.quote),
        cell=md_cell,
        setting_label=lambda s: SETTING_LABELS[Setting(s)],
        study_type_label=lambda t: STUDY_TYPE_LABELS[StudyType(t)],
        drug_class_label=lambda c: DRUG_CLASS_LABELS[DrugClass(c)],
        measure_label=lambda m: MEASURE_LABELS[Measure(m)],
    )
    env.globals.update(
        COMPARISON_MEASURES=COMPARISON_MEASURES,
        MEASURE_LABELS=MEASURE_LABELS,
        MEASURE_DESCRIPTIONS=MEASURE_DESCRIPTIONS,
        SETTING_LABELS=SETTING_LABELS,
        headline=headline,
    )
    return env


@dataclass(frozen=True)
class Page:
    path: str
    template: str
    context: dict[str, Any]


def plan_pages(corpus: Corpus, derived: Derived) -> list[Page]:
    """Every page of the generated tree and what its template receives."""
    common = {"corpus": corpus, "derived": derived}
    pages = [
        Page("index.md", "home.md.j2", common),
        Page("studies/index.md", "studies_index.md.j2", common),
        Page("regimens/index.md", "regimens_index.md.j2", common),
        Page("cases/index.md", "cases_index.md.j2", common),
        Page("compare/index.md", "compare_index.md.j2", common),
        Page("compare/outcomes.md", "compare_outcomes.md.j2", common),
        Page("notes.md", "notes.md.j2", common),
        Page("sources.md", "sources.md.j2", common),
        Page("data.md", "data.md.j2", {**common, "columns": OUTCOME_COLUMNS}),
    ]
    pages += [Page(page_path("studies", s.id), "study.md.j2", {**common, "study": s}) for s in corpus.studies.values()]
    pages += [
        Page(page_path("regimens", r.id), "regimen.md.j2", {**common, "regimen": r, "links": corpus.regimen_links[r.id]})
        for r in corpus.regimens.values()
    ]
    pages += [Page(page_path("cases", c.id), "case.md.j2", {**common, "case": c}) for c in corpus.cases.values()]
    return pages


def render_pages(env: jinja2.Environment, pages: list[Page]) -> dict[str, str]:
    """Render each planned page; links are made relative to the page being rendered."""
    rendered: dict[str, str] = {}
    for page in pages:
        here = posixpath.dirname(page.path)

        def url(target: str, here: str = here) -> str:
            return posixpath.relpath(target, here or ".")

        def link(record: StudyRecord | RegimenRecord | CaseRecord, here: str = here) -> str:
            kind = {StudyRecord: "studies", RegimenRecord: "regimens", CaseRecord: "cases"}[type(record)]
            return posixpath.relpath(page_path(kind, record.id), here or ".")

        footnotes = Footnotes()
        template = env.get_template(page.template)
        rendered[page.path] = template.render(
            **page.context, page_path=page.path, url=url, link=link, cite=footnotes.cite, footnotes=footnotes
        )
    return rendered
