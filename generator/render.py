"""Stage 4, render: records and derived views → Markdown text, through Jinja2 templates.

Python decides *which* pages exist and what each is given; the templates in
``templates/`` decide how they read. Each page gets its own footnote registry so that
every value can carry its source quote as a footnote (plain Markdown, shown as a
tooltip by Material and as a numbered note by any other renderer).
"""

from __future__ import annotations

import html
import json
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.nodes import EvalContext
from markupsafe import Markup

from generator import plots, views
from generator.consistency import ConsistencyFlag
from generator.derive import Derived, headline
from generator.errors import ConfigError
from generator.evidence import stated_form
from generator.export import OUTCOME_COLUMNS
from generator.link import Corpus
from generator.plots import Figure
from generator.progress import Progress, stage
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
    ReviewCitation,
    Setting,
    StudyRecord,
    StudyType,
)
from generator.statistics import format_computed_percent
from generator.text import doi_url, markdown_literal

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

    def cite(self, evidence: Evidence) -> Markup:
        key = (evidence.source, evidence.quote)
        if key not in self._index:
            self.entries.append(evidence)
            self._index[key] = len(self.entries)
        return Markup(f"[^{self._index[key]}]")


def page_text(value: object) -> Markup:
    """Any value as it may appear in a Markdown page.

    Values that know how to (record text, see :mod:`generator.text`; template output, already
    ``Markup``) render themselves; any other string, built in Python from record fields or not,
    is shown literally.
    """
    if hasattr(value, "__html__"):
        return Markup(value.__html__())
    return Markup(markdown_literal(str(value)))


def md_cell(value: object) -> Markup:
    """A value made safe for one Markdown table cell: on one line, pipes inert."""
    return Markup(" ".join(page_text(value).split()).replace("|", "\\|"))


def code_span(value: object) -> Markup:
    """A value as inline code, shown literally (code spans take no escapes, so a backtick needs HTML)."""
    text = " ".join(str(value).split())
    if "`" in text:
        return Markup("<code>") + Markup(markdown_literal(text)) + Markup("</code>")
    return Markup(f"`{text}`")


def page_title(value: object) -> Markup:
    """A page title for YAML front matter, HTML-escaped.

    MkDocs takes a page's title from its first heading with HTML entities decoded, and Material
    writes it into ``<title>`` through ``striptags`` (which decodes them again) without escaping:
    a record named ``</title><script>…`` would run. Given in front matter, the title is printed
    as written, so it is written escaped; navigation and search show it decoded.
    """
    return Markup(json.dumps(html.escape(" ".join(str(value).split())), ensure_ascii=False))


def source_anchor(document: str) -> Markup:
    """Anchor of a source document on the sources page (document names are pattern-checked)."""
    return Markup("doc-" + page_text(document).removesuffix(".txt"))


def one_line(value: object) -> str:
    """Plain text on one line (RIS fields; a newline would start a new tag)."""
    return " ".join(str(value).split())


@jinja2.pass_eval_context
def _finalize(context: EvalContext, value: object) -> object:
    """Every ``{{ … }}`` of a Markdown template passes here: nothing reaches a page unescaped."""
    return page_text(value) if context.autoescape else value


@jinja2.pass_eval_context
def _join(context: EvalContext, values: Iterable[object], separator: str = "") -> str:
    """Jinja's ``join``, with each item made page-safe (its built-in one escapes HTML only)."""
    if not context.autoescape:
        return separator.join(str(value) for value in values)
    return Markup(separator).join(page_text(value) for value in values)


def make_environment(templates_dir: Path) -> jinja2.Environment:
    if not templates_dir.is_dir():
        raise ConfigError(f"templates folder not found: {templates_dir}")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        undefined=jinja2.StrictUndefined,
        # Markdown pages are autoescaped, with record text rendered by its own rule (generator.text);
        # BibTeX and RIS files are plain text, escaped by their own filters.
        autoescape=jinja2.select_autoescape(enabled_extensions=("md.j2",), default_for_string=False, default=False),
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        stated=lambda number, v: stated_form(number, v.as_reported, v.quote),
        cell=md_cell,
        join=_join,
        oneline=one_line,
        code=code_span,
        page_title=page_title,
        doi_url=lambda doi: Markup(doi_url(str(doi))),
        setting_label=lambda s: SETTING_LABELS[Setting(s)],
        study_type_label=lambda t: STUDY_TYPE_LABELS[StudyType(t)],
        drug_class_label=lambda c: DRUG_CLASS_LABELS[DrugClass(c)],
        measure_label=lambda m: MEASURE_LABELS[Measure(m)],
    )
    env.filters.update(
        percent=format_computed_percent,
        bibtex=bibtex_escape,
        bibtex_group=lambda text: "{" + str(text) + "}",  # an entity name, kept whole by BibTeX
        bibtex_authors=_bibtex_authors,
        ris_authors=_ris_authors,
    )
    env.globals.update(
        ARM_MEASURES=views.ARM_MEASURES,
        MEASURE_LABELS=MEASURE_LABELS,
        # The generator's own descriptions, written in Markdown (not record text).
        MEASURE_DESCRIPTIONS={measure: Markup(text) for measure, text in MEASURE_DESCRIPTIONS.items()},
        SETTING_LABELS=SETTING_LABELS,
        Setting=Setting,
        Measure=Measure,
        headline=headline,
        views=views,
        evidence_level=views.evidence_level,
        exact_interval=views.exact_interval,
        FOREST_PATH=plots.FOREST_PATH,
        ORR_PATH=plots.ORR_PATH,
        EVIDENCE_MAP_PATH=plots.EVIDENCE_MAP_PATH,
        source_anchor=source_anchor,
    )
    return env


_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "$": r"\$", "#": r"\#", "_": r"\_",
                   "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def bibtex_escape(text: object) -> str:
    """Field text safe inside a braced BibTeX value; Unicode letters are kept (biber and BibTeX 0.99+ read UTF-8)."""
    return "".join(_BIBTEX_SPECIAL.get(char, char) for char in " ".join(str(text).split()))


def split_authors(authors: str) -> list[str]:
    """'Finn RS, Qin S, et al.' → ['Finn, RS', 'Qin, S', 'others']: Vancouver-style lists as the sources give them."""
    names = []
    for part in (p.strip() for p in authors.replace(";", ",").replace(" and ", ", ").split(",")):
        if not part:
            continue
        if part.rstrip(".").lower() == "et al":
            names.append("others")
            continue
        family, _, initials = part.rpartition(" ")
        # a trailing all-capitals token is the initials ("Finn RS"); otherwise keep the name whole
        names.append(f"{family}, {initials}" if family and initials.isupper() and initials.isalpha() else part)
    return names


def _bibtex_authors(authors: str) -> str:
    return " and ".join(bibtex_escape(name) for name in split_authors(authors))


def _ris_authors(authors: str) -> list[str]:
    return [name for name in split_authors(authors) if name != "others"]


@dataclass(frozen=True)
class Page:
    path: str
    template: str
    context: dict[str, Any]


CONTEXT_ROWS_LIMIT = 30  # other arms shown on a study page beside its own; beyond this, links to the comparisons


def plan_pages(corpus: Corpus, derived: Derived, citation: ReviewCitation | None = None, updated: dict[str, str] | None = None,
               figures: list[Figure] | None = None) -> list[Page]:
    """Every page of the generated tree and what its template receives.

    ``updated`` maps "kind/id" to the date the record's file last changed; pages drawn from many
    records show the latest of them.
    """
    updated = updated or {}
    figures = figures or []
    by_path = {figure.path: figure for figure in figures}
    common = {"corpus": corpus, "derived": derived, "review": citation, "updated": updated,
              "latest_update": max(updated.values(), default=None), "figures": figures,
              "evidence_map": by_path.get(plots.EVIDENCE_MAP_PATH)}
    comparisons = views.comparison_views(corpus)
    all_rows = views.arm_rows(corpus)
    pages = [
        Page("index.md", "home.md.j2", {**common, "comparisons": comparisons}),
        Page("studies/index.md", "studies_index.md.j2", common),
        Page("regimens/index.md", "regimens_index.md.j2", common),
        Page("cases/index.md", "cases_index.md.j2", common),
        Page("compare/index.md", "compare_index.md.j2", {**common, "comparisons": comparisons}),
        Page("compare/cases.md", "compare_cases.md.j2", {**common, "summaries": views.case_summaries(corpus)}),
        Page("notes.md", "notes.md.j2", common),
        Page("sources.md", "sources.md.j2", common),
        Page("glossary.md", "glossary.md.j2", common),
        Page("compare/figures.md", "figures.md.j2", common),
        Page("data.md", "data.md.j2", {**common, "columns": OUTCOME_COLUMNS}),
    ]
    pages += [Page(f"compare/{view.slug}.md", "compare_arms.md.j2", {**common, "view": view}) for view in comparisons]
    # Indexes built once: looking rows up per study would cost the square of the review's size.
    rows_by_study: dict[str, list[views.ArmRow]] = {}
    rows_by_setting: dict[Setting, list[views.ArmRow]] = {}
    for row in all_rows:
        rows_by_study.setdefault(row.study.id, []).append(row)
        rows_by_setting.setdefault(row.setting, []).append(row)
    views_by_study: dict[str, list[views.ComparisonView]] = {}
    for view in comparisons:
        for study_id in dict.fromkeys(row.study.id for row in view.rows):
            views_by_study.setdefault(study_id, []).append(view)
    position = {id(row): index for index, row in enumerate(all_rows)}
    for study in corpus.studies.values():
        own = rows_by_study.get(study.id, [])
        settings = dict.fromkeys(row.setting for row in own)
        others = [row for setting in settings for row in rows_by_setting[setting] if row.study.id != study.id]
        # A large review links to the comparison pages instead (context None): every study page holding every
        # other arm of its setting would make the site grow with the square of its size.
        context = sorted(others, key=lambda row: position[id(row)]) if len(others) <= CONTEXT_ROWS_LIMIT else None
        elsewhere = views_by_study.get(study.id, []) if context is None else []
        pages.append(Page(page_path("studies", study.id), "study.md.j2", {**common, "study": study, "own_rows": own, "context_rows": context,
                                                                         "context_pages": elsewhere}))
        pages += _citation_files("studies", study, common)
    for regimen in corpus.regimens.values():
        rows = [row for row in all_rows if row.regimen.id == regimen.id]
        pages.append(Page(page_path("regimens", regimen.id), "regimen.md.j2", {**common, "regimen": regimen, "links": corpus.regimen_links[regimen.id], "rows": rows}))
    for case in corpus.cases.values():
        pages.append(Page(page_path("cases", case.id), "case.md.j2", {**common, "case": case, "summary": views.summarise_case(corpus, case),
                                                                     "timeline_figure": by_path.get(plots.case_figure_path(case.id))}))
        pages += _citation_files("cases", case, common)
    return pages


def _citation_files(kind: str, record: StudyRecord | CaseRecord, common: dict[str, Any]) -> list[Page]:
    """BibTeX and RIS downloads beside a record's page: the page itself, and the original publication where the sources cite it."""
    stem = page_path(kind, record.id).removesuffix(".md")
    context = {**common, "record": record, "kind": kind, "page": page_path(kind, record.id)}
    return [Page(f"{stem}.bib", "cite.bib.j2", context), Page(f"{stem}.ris", "cite.ris.j2", context)]


ASSETS_FOLDER = "assets"  # inside the templates folder; copied as-is
ASSETS_TARGET = "assets/litreview"  # where they land in the generated tree (mkdocs.yml's extra_css/extra_javascript)


def asset_files(templates_dir: Path) -> dict[str, bytes]:
    """The review's static assets (styles, scripts), copied byte for byte into the generated tree."""
    folder = templates_dir / ASSETS_FOLDER
    if not folder.is_dir():
        return {}
    return {f"{ASSETS_TARGET}/{path.relative_to(folder).as_posix()}": path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file() and not path.name.startswith(".")}


def _resolve(record: object, loc: tuple[str | int, ...]) -> object:
    for part in loc:
        record = record[part] if isinstance(part, int) else getattr(record, part)  # type: ignore[index]
    return record


def flag_numbers(corpus: Corpus, flags: list[ConsistencyFlag]) -> dict[int, list[tuple[int, ConsistencyFlag]]]:
    """Each flagged value object (by identity) → its flags, numbered as the notes page lists them."""
    records: dict[str, dict[str, Any]] = {"studies": corpus.studies, "cases": corpus.cases, "regimens": corpus.regimens}
    found: dict[int, list[tuple[int, ConsistencyFlag]]] = {}
    for number, flag in enumerate(flags, start=1):
        value = _resolve(records[flag.kind][flag.record_id], flag.loc)
        found.setdefault(id(value), []).append((number, flag))
    return found


@lru_cache(maxsize=262144)
def relative_path(target: str, here: str) -> str:
    """``target`` (a path in the generated tree) as seen from the folder ``here`` ("" for the top).

    The same result as ``posixpath.relpath``, without its trips through ``abspath``: both paths are
    relative and normalised, and pages ask for the same links hundreds of thousands of times.
    """
    target_parts = target.split("/")
    here_parts = here.split("/") if here else []
    common = 0
    while common < min(len(here_parts), len(target_parts)) and here_parts[common] == target_parts[common]:
        common += 1
    return "/".join([".."] * (len(here_parts) - common) + target_parts[common:]) or "."


def render_pages(env: jinja2.Environment, pages: list[Page], flags: dict[int, list[tuple[int, ConsistencyFlag]]] | None = None,
                 progress: Progress | None = None) -> dict[str, str]:
    """Render each planned page; links are made relative to the page being rendered."""
    rendered: dict[str, str] = {}
    flags = flags or {}

    def flags_of(value: object) -> list[tuple[int, ConsistencyFlag]]:
        return flags.get(id(value), [])

    rendering = stage(progress, "pages rendered", len(pages))
    for page in pages:
        rendering.advance()
        here = posixpath.dirname(page.path)

        # Paths are built from record ids (lower-case words and hyphens) and the generator's own names.
        def url(target: str, here: str = here) -> Markup:
            return Markup(relative_path(target, here))

        def link(record: StudyRecord | RegimenRecord | CaseRecord, here: str = here) -> Markup:
            kind = {StudyRecord: "studies", RegimenRecord: "regimens", CaseRecord: "cases"}[type(record)]
            return Markup(relative_path(page_path(kind, record.id), here))

        footnotes = Footnotes()
        template = env.get_template(page.template)
        rendered[page.path] = template.render(
            **page.context, page_path=page.path, url=url, link=link, cite=footnotes.cite, footnotes=footnotes, flags_of=flags_of
        )
    rendering.close()
    return rendered
