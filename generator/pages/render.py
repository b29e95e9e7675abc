"""Stage 4, render: records and derived views → Markdown text, through Jinja2 templates.

Python decides *which* pages exist and what each is given; the templates in
``templates/`` decide how they read. Each page gets its own footnote registry so that
every value can carry its source quote as a footnote (plain Markdown, shown as a
tooltip by Material and as a numbered note by any other renderer).
"""

from __future__ import annotations

import contextlib
import gc
import html
import itertools
import json
import posixpath
import re
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from markupsafe import Markup

from generator import bundled
from generator import figures as plots
from generator.caches import build_cache
from generator.derive import definitions, note_subjects
from generator.derive.consistency import ConsistencyFlag
from generator.derive.evidence import stated_form
from generator.derive.intervals import format_computed_percent
from generator.derive.stage import Derived, headline, quote_anchor
from generator.errors import ConfigError, TemplateFailure
from generator.figures import Figure
from generator.figures.cache import FigureCache
from generator.pages import views
from generator.pages.export import OUTCOME_COLUMNS
from generator.pages.guide import curator_guide
from generator.pages.paging import ARM_ROWS_PER_PAGE, CASE_ROWS_PER_PAGE, DOCUMENTS_PER_PAGE, STUDY_ROWS_PER_PAGE, Paging, paginate
from generator.pages.pooled import PooledEstimate, heterogeneity_words, pooled_estimate, pooled_forest
from generator.publish.progress import Progress, stage
from generator.records.link import Corpus
from generator.records.schema import (
    GROUP_BASIS_DESCRIPTIONS,
    GROUP_BASIS_LABELS,
    STATISTIC_LABELS,
    CaseRecord,
    Evidence,
    RegimenRecord,
    ReviewCitation,
    StudyRecord,
)
from generator.records.text import Identifier, PlainText, Prose, counted, doi_url, markdown_literal, unit_for
from generator.releases.changelog import Changelog, ReleaseInfo
from generator.review.file import FigureSpec, ReviewFile


def measure_labels(review: ReviewFile) -> dict[str, str]:
    """Every measure's label (table rows, notes, the changelog)."""
    return {measure.id: measure.label for measure in review.measures}


def endpoint_labels(review: ReviewFile) -> dict[str, str]:
    """A measure named as the endpoint of a comparison: the hazard ratio of OS, not of "median OS"."""
    return {measure.id: measure.endpoint_label or measure.label for measure in review.measures}


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
        number = self._index.get(key)
        if number is None:
            self.entries.append(evidence)
            number = self._index[key] = len(self.entries)
        return _footnote_mark(number)


@build_cache(maxsize=65536)  # a page numbers its notes from 1: the same few thousand marks on every page
def _footnote_mark(number: int) -> Markup:
    return Markup(f"[^{number}]")


def page_text(value: object) -> Markup:
    """Any value as it may appear in a Markdown page.

    Values that know how to (record text, see :mod:`generator.records.text`; template output, already
    ``Markup``) render themselves; any other string, built in Python from record fields or not,
    is shown literally.
    """
    # Pages ask this hundreds of thousands of times: the commonest types first (exact types: no lookups).
    if type(value) is Markup:
        return value
    if type(value) is str:
        return Markup(markdown_literal(value))
    if hasattr(value, "__html__"):
        return Markup(value.__html__())
    return Markup(markdown_literal(str(value)))


def md_cell(value: object) -> Markup:
    """A value made safe for one Markdown table cell: on one line, pipes inert."""
    return Markup(_one_cell(page_text(value)))


@build_cache(maxsize=65536)  # cells repeat (names, labels, quotes on every page that cites them)
def _one_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def code_span(value: object) -> Markup:
    """A value as inline code, shown literally (code spans take no escapes, so a backtick needs HTML, and so does a
    pipe: in a table cell, Python-Markdown would show the backslash of ``\\|`` in a code span)."""
    text = " ".join(str(value).split())
    if "`" in text or "|" in text:
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


SOURCES_FOLDER = "sources"  # a page per source document, beside the sources list (sources.md)


def document_page(document: str) -> str:
    """The page of a source document (document names are pattern-checked: a safe file name)."""
    return f"{SOURCES_FOLDER}/{str(document).removesuffix('.txt')}.md"


def source_anchor(document: str) -> Markup:
    """Anchor of a source document on the sources page (document names are pattern-checked)."""
    return Markup("doc-" + page_text(document).removesuffix(".txt"))


def boxed(value: object) -> Markup:
    """Text for the body of a box (an admonition): every line of it indented, so that no paragraph of a curator's
    prose ends the box and runs on as page text."""
    return Markup(str(page_text(value)).replace("\n", "\n    "))


def line_start(value: object) -> Markup:
    """Text that begins a line a template goes on with ". ": a number there ("1", "2020") would start a numbered list."""
    text = str(page_text(value))
    return Markup(f"&#{ord(text[0])};{text[1:]}" if re.match(r"[0-9]+(?:$|[.)])", text) else text)


def one_line(value: object) -> str:
    """Plain text on one line (RIS fields; a newline would start a new tag)."""
    return " ".join(str(value).split())


@jinja2.pass_eval_context
def _finalize(context: EvalContext, value: object) -> object:
    """Every ``{{ … }}`` of a Markdown template passes here: nothing reaches a page unescaped."""
    if not context.autoescape:
        return value
    # Jinja escapes what this returns (markupsafe's ``escape``), which asks these for ``__html__``, as
    # ``page_text`` would: template output stays as it is, record text is rendered by its own rule.
    if type(value) in _RENDERS_ITSELF:
        return value
    return page_text(value)


_RENDERS_ITSELF = frozenset({Markup, PlainText, Identifier, Prose})


@jinja2.pass_eval_context
def _join(context: EvalContext, values: Iterable[object], separator: str = "") -> str:
    """Jinja's ``join``, with each item made page-safe (its built-in one escapes HTML only)."""
    if not context.autoescape:
        return separator.join(str(value) for value in values)
    # Joined as Markup's own join would, without escaping each (already page-safe) item a second time.
    return Markup(str.join(Markup(separator), [page_text(value) for value in values]))


def make_environment(templates_dir: Path, review: ReviewFile, compiled_dir: Path | None = None) -> jinja2.Environment:
    """The templates' environment: the tool's filters, and the review file's words (labels of every vocabulary).

    ``compiled_dir``: where Jinja keeps the templates compiled, by their source (compiling the macros takes 0.1 s
    of every build otherwise, before MkDocs can read a page).
    """
    if not templates_dir.is_dir():
        raise ConfigError(f"templates folder not found: {templates_dir}")
    if compiled_dir is not None:
        with contextlib.suppress(OSError):  # a folder that cannot be made only costs the compiling
            compiled_dir.mkdir(parents=True, exist_ok=True)
    env = jinja2.Environment(
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled_dir)) if compiled_dir is not None and compiled_dir.is_dir() else None,
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        undefined=jinja2.StrictUndefined,
        # Markdown pages are autoescaped, with record text rendered by its own rule (generator.records.text);
        # BibTeX and RIS files are plain text, escaped by their own filters.
        autoescape=jinja2.select_autoescape(enabled_extensions=("md.j2",), default_for_string=False, default=False),
        finalize=_finalize,
        # One environment per build (generator.pipeline): templates cannot change while it renders.
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        stated=lambda number, v: stated_form(number, v.as_reported, v.quote),
        cell=md_cell,
        join=_join,
        once=_once,
        once_each=_once_each,
        oneline=one_line,
        boxed=boxed,
        line_start=line_start,
        plain=lambda value: PlainText(str(value)),  # text of unknown origin (a macro of plain-text pieces): shown literally
        code=code_span,
        page_title=page_title,
        doi_url=lambda doi: Markup(doi_url(str(doi))),
        setting_label=lambda s: review.label("settings", s),
        study_type_label=lambda t: review.label("designs", t),
        drug_class_label=lambda c: review.label("intervention_classes", c),
        route_label=lambda r: review.label("routes", r),
        measure_label=lambda m: review.label("measures", m),
        unit_for=lambda unit, number: unit_for(number, unit),
        counted=counted,
        heterogeneity=heterogeneity_words,
        weight=lambda percent: f"{percent:.1f}%",
    )
    env.filters.update(
        percent=format_computed_percent,
        bibtex=bibtex_escape,
        bibtex_group=lambda text: "{" + str(text) + "}",  # an entity name, kept whole by BibTeX
        bibtex_authors=_bibtex_authors,
        ris_authors=_ris_authors,
    )
    env.globals.update(
        REVIEW=review,
        effect_label=lambda effect: views.effect_label(review, effect),
        MEASURE_LABELS=measure_labels(review),
        ENDPOINT_LABELS=endpoint_labels(review),
        STATISTIC_LABELS=STATISTIC_LABELS,
        # the review file's descriptions, written in Markdown (the review's own text, not record text)
        TIME_ORIGIN_DESCRIPTIONS={origin.id: Markup(origin.description or origin.label) for origin in review.time_origins},
        GROUP_BASIS_DESCRIPTIONS={basis: Markup(text) for basis, text in GROUP_BASIS_DESCRIPTIONS.items()},
        tags_of=lambda value, arm: definitions.tags_of(review, value, arm),
        note_subject=lambda record, note: note_subjects.describe(record, note.field, lambda m: review.label("measures", m)).words,
        field_subject=lambda record, path: note_subjects.describe(record, path, lambda m: review.label("measures", m)).words,
        group_tag=definitions.group_tag,
        inferred_tag=definitions.inferred_tag,
        relative_tag=definitions.relative_tag,
        BR=Markup("<br>"),  # a line break inside a table cell
        DEFAULT_ARM_COLUMNS=[(column.id, column) for column in review.columns],
        GROUP_BASIS_LABELS=GROUP_BASIS_LABELS,
        # The generator's own descriptions, written in Markdown (not record text).
        MEASURE_DESCRIPTIONS={measure.id: measure.description or measure.label for measure in review.measures},
        SETTING_LABELS=review.labels("settings"),
        headline=headline,
        views=views,
        evidence_level=lambda record: views.evidence_level(review, record),
        exact_interval=views.exact_interval,
        placed_step=views.placed_step,
        placed_follow_up=views.placed_follow_up,
        ALL_ARMS_FIGURE_PATHS=plots.all_arms_figure_paths(review),
        EVIDENCE_MAP_PATH=plots.EVIDENCE_MAP_PATH,
        source_anchor=source_anchor,
        document_page=document_page,
        quote_anchor=quote_anchor,
    )
    return env


# BibTeX (and biber) count every brace of a field, escaped or not: a brace of record text is written as a command, so
# that no text can close its field and open another (`}, note = {forged`).
_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}", "%": r"\%", "&": r"\&", "$": r"\$", "#": r"\#", "_": r"\_",
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
    listed: bool = True  # shown in the site's navigation; unlisted pages are reached through links only


@dataclass(frozen=True)
class PageLink:
    title: str
    path: str


EVIDENCE_LIST_LIMIT = 300  # records listed under the evidence map; beyond it each cell's list has a page of its own
CONTEXT_ROWS_LIMIT = 30  # other arms shown on a study page beside its own; beyond this, links to the comparisons
# Record pages of a kind are listed in the navigation up to this many; beyond it only the kind's index page is
# (a navigation of thousands of entries would be repeated in every page's HTML and could not be read).
NAV_RECORDS_LIMIT = 50


def comparison_pages(view: views.ComparisonView) -> list[Paging[views.ArmRow | views.ComparisonRow]]:
    return paginate(view.entries, ARM_ROWS_PER_PAGE, f"compare/{view.slug}.md")


def entry_arms(entries: Iterable[views.ArmRow | views.ComparisonRow]) -> list[views.ArmRow]:
    """The arms of a page's entries, in order, each once: a comparison's two arms where it stands."""
    arms: dict[tuple[str, str], views.ArmRow] = {}  # an arm in two comparisons is drawn once
    for entry in entries:
        for row in ([entry.first, entry.second] if isinstance(entry, views.ComparisonRow) else [entry]):
            arms.setdefault((row.study.id, row.arm.id), row)
    return list(arms.values())


def page_figures(corpus: Corpus, comparisons: list[views.ComparisonView], cache: FigureCache | None = None,
                 progress: Progress | None = None, pooled: dict[str, PooledEstimate] | None = None) -> dict[str, list[Figure]]:
    """The figures each comparison declares (the review file's `figures`), of the entries on each of its pages, by page path.

    The page of every arm carries them only when it is split over several pages (a figure of thousands of rows
    could be neither drawn quickly nor read); while it fits one page, the figures page has the review's figures.
    """
    planned = [(view, paging) for view in comparisons for paging in comparison_pages(view)
               if view.spec.figures and (not view.spec.all_arms or paging.is_split)]
    drawing = stage(progress, "figures of comparison pages", len(planned), "pages planned" if cache is not None and cache.defer else "pages ready")
    found = {}
    for view, paging in planned:
        drawing.advance()
        suffix = f"-{paging.number}" if paging.is_split else ""
        found[paging.path] = [figure for spec in view.spec.figures
                              if (figure := comparison_figure(corpus, view, spec, paging.items, f"figures/{view.slug}/{spec.file_stem}{suffix}.svg",
                                                              cache, None if paging.is_split else (pooled or {}).get(view.slug))) is not None]
    drawing.close()
    return found


def comparison_figure(corpus: Corpus, view: views.ComparisonView, spec: FigureSpec, entries: Sequence[views.ArmRow | views.ComparisonRow],
                      path: str, cache: FigureCache | None, pooled: PooledEstimate | None = None) -> Figure | None:
    """One declared figure of a comparison page's entries (None where nothing on the page can be drawn); a forest
    draws the page's pooled estimate under its rows where the page has one and fits one page."""
    if spec.kind == "times":
        return plots.times_figure(corpus, entry_arms(entries), spec.columns, path, cache=cache)
    if spec.kind == "proportions":
        return plots.proportions_figure(corpus, entry_arms(entries), spec.columns[0], path, cache=cache)
    if view.spec.effect is None:  # the review file's validation: a forest without an effect draws a pooled proportion
        forest = pooled_forest(pooled) if pooled is not None else None
        if pooled is None or forest is None:
            return None  # no estimate (or a page of a split table): the pooled section says why
        arms = [(item.row, item.effect, item.why_not) for item in pooled.rows if isinstance(item.row, views.ArmRow)]
        return plots.proportion_forest_figure(corpus, arms, pooled.label, path, forest, cache=cache)
    rows = [entry for entry in entries if isinstance(entry, views.ComparisonRow) and entry.computed is not None]
    return plots.effect_forest_figure(corpus, rows, view.spec.effect, path, cache=cache,
                                      pooled=pooled_forest(pooled) if pooled is not None else None)


def plan_pages(corpus: Corpus, derived: Derived, citation: ReviewCitation | None = None, updated: dict[str, str] | None = None,
               figures: list[Figure] | None = None, figures_by_page: dict[str, list[Figure]] | None = None,
               comparisons: list[views.ComparisonView] | None = None, pooled: dict[str, PooledEstimate] | None = None,
               release: ReleaseInfo | None = None, changelog: Changelog | None = None) -> list[Page]:
    """Every page of the generated tree and what its template receives.

    ``updated`` maps "kind/id" to the date the record's file last changed; pages drawn from many
    records show the latest of them. ``figures_by_page``: figures of table pages (:func:`page_figures`);
    ``comparisons``: ``views.comparison_views(corpus)``, if the caller has them already. ``release``: the release
    every page names (default: a development version); ``changelog``: what the changelog page lists.
    """
    updated = updated or {}
    figures = figures or []
    figures_by_page = figures_by_page or {}
    by_path = {figure.path: figure for figure in figures}
    common = {"corpus": corpus, "derived": derived, "review": citation, "updated": updated,
              "latest_update": max(updated.values(), default=None), "figures": figures,
              "evidence_map": by_path.get(plots.EVIDENCE_MAP_PATH), "release": release or ReleaseInfo()}
    comparisons = comparisons if comparisons is not None else views.comparison_views(corpus)
    if pooled is None:
        pooled = {view.slug: estimate for view in comparisons if (estimate := pooled_estimate(view)) is not None}
    everything = views.all_arms(comparisons)
    # the very row objects of the comparisons, each rendered once; a review without a page of every arm has its own rows
    all_rows = everything.all_rows if everything is not None else views.arm_rows(corpus)
    has_cases = corpus.review.has_cases
    # The records of each evidence-map cell are listed under the map, or, in a large review, each on a page of its own.
    evidence_map = by_path.get(plots.EVIDENCE_MAP_PATH)
    cell_rows = [row for row in evidence_map.rows if row.records] if evidence_map else []
    cell_pages = ({row.anchor: f"compare/evidence-map/{row.anchor}.md" for row in cell_rows}
                  if sum(len(row.records) for row in cell_rows) > EVIDENCE_LIST_LIMIT else {})
    source_listings = paginate(list(derived.documents.items()), DOCUMENTS_PER_PAGE, "sources.md")
    common["source_pages"] = {document: listing.path for listing in source_listings for document, _ in listing.items}
    pages = [
        Page("index.md", "home.md.j2", {**common, "comparisons": comparisons}),
        Page("regimens/index.md", "regimens_index.md.j2", common),
        Page("compare/index.md", "compare_index.md.j2", {**common, "comparisons": comparisons}),
        Page("notes.md", "notes.md.j2", common),
        Page("glossary.md", "glossary.md.j2", common),
        Page("manual/guide.md", "guide.md.j2", {**common, "guide": curator_guide(corpus.review)}, listed=False),  # the tool's manual
        Page("data.md", "data.md.j2", {**common, "columns": OUTCOME_COLUMNS, "pooled": list(pooled.values())}),
        Page("changelog.md", "changelog.md.j2", {**common, "changelog": changelog or Changelog(),
                                                 "current": {f"{kind}/{record_id}" for kind, record_id in corpus.origins}}),
    ]
    if has_cases:
        pages.insert(2, Page("cases/index.md", "cases_index.md.j2", common))
    case_focus = views.case_focus(corpus.review)
    pages += [Page(cell_pages[row.anchor], "evidence_cell.md.j2", {**common, "row": row}, listed=False)
              for row in cell_rows if row.anchor in cell_pages]
    pages += [Page(listing.path, "sources.md.j2", {**common, "documents": listing.items, "paging": listing}, listed=listing.number == 1)
              for listing in source_listings]
    # Each document's own page: what it is, the records drawing on it, every passage quoted from it in its order
    # (footnotes link to the passage). Reached from the sources list and the footnotes, not the navigation.
    pages += [Page(document_page(document), "source.md.j2", {**common, "document": document, "uses": uses,
                                                             "quotes": derived.quotes.get(document, [])}, listed=False)
              for document, uses in derived.documents.items()]
    setting_order = {setting.id: index for index, setting in enumerate(corpus.review.settings.values)}
    # the order the table always had: settings as labelled, then names regardless of case (Jinja's sort)
    in_order = sorted(corpus.studies.values(), key=lambda s: (setting_order[s.setting], s.short_name.lower()))
    setting_listing: dict[str, str] = {}  # the page of the studies list where each setting's group starts
    for listing in paginate(in_order, STUDY_ROWS_PER_PAGE, "studies/index.md"):
        groups = [(setting, list(group)) for setting, group in itertools.groupby(listing.items, key=lambda s: s.setting)]
        for setting, _ in groups:
            setting_listing.setdefault(setting, listing.path)
        pages.append(Page(listing.path, "studies_index.md.j2", {**common, "groups": groups, "paging": listing}, listed=listing.number == 1))
    # Long tables are split into pages (generator.pages.paging); a study links to the page that holds its arms.
    pages_by_study: dict[str, list[PageLink]] = {}
    for view in comparisons:
        table_pages = comparison_pages(view)
        # A table split over pages keeps its case reports and result-less trials on pages of their own,
        # as does one with more case reports than a page holds.
        split = table_pages[0].is_split or len(view.cases) > CASE_ROWS_PER_PAGE
        case_listings = paginate(view.cases, CASE_ROWS_PER_PAGE, f"compare/{view.slug}_others.md")
        has_others = bool(view.cases or view.without_results or view.other_groups or view.other_outcomes or view.no_values)
        others_page = case_listings[0].path if split and has_others else None
        part = "arms" if split else "all"
        for paging in table_pages:
            title = view.title if not paging.is_split else f"{view.title} (page {paging.number} of {paging.count})"
            pages.append(Page(paging.path, "compare_arms.md.j2", {**common, "view": view, "rows": paging.items, "paging": paging, "part": part,
                                                                  "others_page": others_page, "page_figures": figures_by_page.get(paging.path, []),
                                                                  "pooled": pooled.get(view.slug) if paging.number == 1 else None},
                              listed=paging.number == 1))
            for study_id in dict.fromkeys(entry.study.id for entry in paging.items):
                pages_by_study.setdefault(study_id, []).append(PageLink(title, paging.path))
        if others_page:
            pages += [Page(listing.path, "compare_arms.md.j2", {**common, "view": view, "rows": [], "paging": table_pages[0], "part": "others",
                                                                "case_paging": listing, "others_page": None, "page_figures": []}, listed=False)
                      for listing in case_listings]
    # After the comparisons, in the order the comparisons index lists them (the navigation follows this order).
    if has_cases:
        pages += [Page(listing.path, "compare_cases.md.j2", {**common, "summaries": listing.items, "paging": listing}, listed=listing.number == 1)
                  for listing in paginate(views.case_summaries(corpus, drug=case_focus), CASE_ROWS_PER_PAGE, "compare/cases.md")]
    pages.append(Page("compare/figures.md", "figures.md.j2", {**common, "cell_pages": cell_pages, "figure_pages": [
        PageLink(f"page {paging.number}", paging.path) for paging in (comparison_pages(everything) if everything is not None else [])
        if paging.path in figures_by_page]}))
    # Indexes built once: looking rows up per study would cost the square of the review's size.
    rows_by_study: dict[str, list[views.ArmRow]] = {}
    rows_by_setting: dict[str, list[views.ArmRow]] = {}
    rows_by_regimen: dict[str, list[views.ArmRow]] = {}
    for row in all_rows:
        rows_by_study.setdefault(row.study.id, []).append(row)
        rows_by_setting.setdefault(row.setting, []).append(row)
        rows_by_regimen.setdefault(row.regimen.id, []).append(row)
    position = {id(row): index for index, row in enumerate(all_rows)}
    by_setting = views.studies_by_setting(corpus)
    for study in in_order:  # the studies list's order, which the navigation follows
        # The other studies of its setting, linked by name; a large review links to the studies list instead.
        # Counted before listed: listing every other study or arm of a crowded setting for each of its studies
        # would cost the square of the review's size, only to be dropped for links.
        same_setting_count = len(by_setting[study.setting]) - 1
        same_setting = ([other for other in by_setting[study.setting] if other is not study]
                        if same_setting_count <= CONTEXT_ROWS_LIMIT else None)
        setting_context = {"same_setting": same_setting, "same_setting_count": same_setting_count,
                           "setting_listing": setting_listing[study.setting]}
        own = rows_by_study.get(study.id, [])
        settings = dict.fromkeys(row.setting for row in own)
        # A large review links to the comparison pages instead (context None): every study page holding every
        # other arm of its setting would make the site grow with the square of its size.
        others_count = sum(len(rows_by_setting[setting]) for setting in settings) - len(own)
        context = (sorted((row for setting in settings for row in rows_by_setting[setting] if row.study.id != study.id),
                          key=lambda row: position[id(row)]) if others_count <= CONTEXT_ROWS_LIMIT else None)
        elsewhere = pages_by_study.get(study.id, []) if context is None else []
        pages.append(Page(page_path("studies", study.id), "study.md.j2", {**common, "study": study, "own_rows": own, "context_rows": context,
                                                                         "context_pages": elsewhere, **setting_context},
                          listed=len(corpus.studies) <= NAV_RECORDS_LIMIT))
        pages += _citation_files("studies", study, common)
    by_drug = views.regimens_by_drug(corpus)
    for regimen in sorted(corpus.regimens.values(), key=lambda r: r.name.lower()):  # as the regimens list orders them
        rows = rows_by_regimen.get(regimen.id, [])
        # the other regimens that give one of its drugs (a drug alone links its combinations …)
        sharing = [(drug.name, [other for other in by_drug[drug.name.lower()] if other is not regimen]) for drug in regimen.drugs]
        with_outcomes = {id(row.arm) for row in rows}
        links = corpus.regimen_links[regimen.id]
        bare = [use for use in links.arms if id(use.arm) not in with_outcomes]
        first, *more = paginate(rows, ARM_ROWS_PER_PAGE, page_path("regimens", regimen.id))
        pages.append(Page(first.path, "regimen.md.j2", {**common, "regimen": regimen, "links": links, "rows": first.items, "paging": first,
                                                         "bare": bare, "sharing": [(name, others) for name, others in sharing if others]},
                            listed=len(corpus.regimens) <= NAV_RECORDS_LIMIT))
        pages += [Page(paging.path, "regimen_arms.md.j2", {**common, "regimen": regimen, "rows": paging.items, "paging": paging}, listed=False)
                  for paging in more]
    for case in sorted(corpus.cases.values(), key=lambda c: c.short_name.lower()):  # as the cases list orders them
        pages.append(Page(page_path("cases", case.id), "case.md.j2", {**common, "case": case, "summary": views.summarise_case(corpus, case, case_focus),
                                                                     "dates": plots.case_dates(case),
                                                                     "timeline_figure": by_path.get(plots.case_figure_path(case.id))},
                          listed=len(corpus.cases) <= NAV_RECORDS_LIMIT))
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


@build_cache(maxsize=262144)
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


MACROS_TEMPLATE = "_macros.md.j2"


class Fragments:
    """Pieces of pages rendered once per build and reused on every page that shows them.

    A study arm is a row of every comparison, regimen and study page that lists it, and a value reads
    the same wherever it appears. Templates ask for such a piece with ``{{ value|once("macro") }}``:
    the macro of ``_macros.md.j2`` runs the first time for that argument, and its output is reused for
    the rest of the build. It runs in a module given only the variables every page is given alike (the
    corpus, the review …); with ``links=True``, also the page's ``url`` and ``link``, which depend only
    on the page's folder, and the piece is kept per folder. A macro that asked for anything else of a
    page (``cite``, ``footnotes``, ``flags_of``, the page's record) would fail instead of repeating one
    page's output on another. Arguments are records, rows and values, which do not change during a
    build; text and numbers are looked up by value.
    """

    def __init__(self, env: jinja2.Environment, shared: dict[str, Any]) -> None:
        self._macros = env.get_template(MACROS_TEMPLATE)
        self._shared = shared
        self._modules: dict[str | None, Any] = {}
        self._pieces: dict[tuple[str, str | None], dict[object, Markup]] = {}  # (macro, folder) → argument → output
        self._arguments: list[object] = []  # held, so that no other object takes an argument's id

    def render(self, context: Context, values: Iterable[object], macro: str, links: bool) -> list[Markup]:
        folder: str | None = context["page_folder"] if links else None
        pieces = self._pieces.get((macro, folder))
        if pieces is None:
            pieces = self._pieces[(macro, folder)] = {}
        found = []
        for value in values:
            # Text and numbers by value (and type, which picks the escaping rule), anything else by identity.
            by_value = value is None or isinstance(value, (str, int))
            key = (type(value), value) if by_value else id(value)
            piece = pieces.get(key)
            if piece is None:
                piece = pieces[key] = page_text(getattr(self._module(context, folder), macro)(value))
                if not by_value:
                    self._arguments.append(value)
            found.append(piece)
        return found

    def _module(self, context: Context, folder: str | None) -> Any:
        module = self._modules.get(folder)
        if module is None:
            page = {"url": context["url"], "link": context["link"]} if folder is not None else {}
            module = self._modules[folder] = self._macros.make_module({**self._shared, **page, "page_folder": folder, "fragments": self})
        return module


def _shared_context(pages: list[Page]) -> dict[str, Any]:
    """The template variables every page is given, the very same object on each (the corpus, the review …)."""
    shared = dict(pages[0].context) if pages else {}
    for page in pages[1:]:
        for name in [name for name, value in shared.items() if page.context.get(name, _ABSENT) is not value]:
            del shared[name]
    return shared


_ABSENT = object()


@jinja2.pass_context
def _once(context: Context, value: object, macro: str, links: bool = False) -> Markup:
    """``value|once("macro")``: the macro's output for this value, rendered once (see ``Fragments``)."""
    fragments: Fragments = context["fragments"]
    return fragments.render(context, (value,), macro, links)[0]


@jinja2.pass_context
def _once_each(context: Context, values: Iterable[object], macro: str, links: bool = False) -> list[Markup]:
    """``values|once_each("macro")``: ``once`` for every item, without a template loop per item."""
    fragments: Fragments = context["fragments"]
    return fragments.render(context, values, macro, links)


_LINK_KINDS: dict[type, str] = {StudyRecord: "studies", RegimenRecord: "regimens", CaseRecord: "cases"}


def release_label(env: jinja2.Environment, release: ReleaseInfo) -> str:
    """The release every page belongs to, in words (the theme writes it at each page's foot, linking the changelog)."""
    label = getattr(env.get_template("_macros.md.j2").module, "release_label", None)  # a macro of the template: not an attribute mypy knows
    if label is None:  # a review's own copy of the templates, older than the tool
        raise ConfigError(f"the templates' _macros.md.j2 has no macro `release_label` (the theme writes the release at each page's "
                          f"foot from it): copy it from the tool's templates ({bundled.templates_dir() / '_macros.md.j2'})")
    return str(Markup(label(release)).unescape())


def render_pages(env: jinja2.Environment, pages: list[Page], flags: dict[int, list[tuple[int, ConsistencyFlag]]] | None = None,
                 progress: Progress | None = None) -> dict[str, bytes]:
    """Render each planned page, as UTF-8; links are made relative to the page being rendered."""
    return dict(iter_rendered(env, pages, flags, progress))


def iter_rendered(env: jinja2.Environment, pages: list[Page], flags: dict[int, list[tuple[int, ConsistencyFlag]]] | None = None,
                  progress: Progress | None = None) -> Iterator[tuple[str, bytes]]:
    """Each planned page rendered in the order given, as (path, UTF-8 bytes), so that each can be written as it comes."""
    # Rendering allocates millions of short-lived objects, while the corpus and everything loaded before it
    # live on: frozen, those are left out of the full collections the allocations trigger. Not when the
    # host process froze objects of its own: unfreezing would release those too.
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        fragments = Fragments(env, _shared_context(pages))
        page_flags = flags or {}

        def flags_of(value: object) -> Sequence[tuple[int, ConsistencyFlag]]:
            return page_flags.get(id(value), ())

        rendering = stage(progress, "templates rendered", len(pages), "files")
        for page in pages:
            rendering.advance()
            # encoded at once: a large review's text would otherwise be held twice, as str and as bytes
            try:
                text = _render_page(env, page, flags_of, fragments)
            except jinja2.TemplateError as error:
                raise TemplateFailure(f"{_template_position(error)}: {error.message or type(error).__name__} "
                                      f"(rendering {page.path})") from None
            yield page.path, text.encode("utf-8")
        rendering.close()
    finally:
        if freeze:
            gc.unfreeze()


def _template_position(error: jinja2.TemplateError) -> str:
    """``file:line`` of the template where ``error`` arose: a syntax error knows it, a runtime one is found in
    its traceback (Jinja2 maps the frames of its compiled templates back to the template's file and line)."""
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        return f"{error.filename}:{error.lineno}"
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename.endswith(".j2")]
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "a template"


def _render_page(env: jinja2.Environment, page: Page, flags_of: Callable[[object], Sequence[tuple[int, ConsistencyFlag]]],
                 fragments: Fragments) -> str:
    here = posixpath.dirname(page.path)

    # Paths are built from record ids (lower-case words and hyphens) and the generator's own names.
    def url(target: str) -> Markup:
        return Markup(relative_path(target, here))

    def link(record: StudyRecord | RegimenRecord | CaseRecord) -> Markup:
        return Markup(relative_path(page_path(_LINK_KINDS[type(record)], record.id), here))

    footnotes = Footnotes()
    return env.get_template(page.template).render(
        **page.context, page_path=page.path, page_folder=here, url=url, link=link, cite=footnotes.cite, footnotes=footnotes,
        flags_of=flags_of, fragments=fragments,
    )
