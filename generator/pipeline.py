"""The whole pipeline in one call: gather and validate everything, then write.

Like MkDocs' own build, nothing is written until every record has loaded, linked and
passed its checks: an invalid corpus renders nothing and the published tree is untouched.
"""

from __future__ import annotations

import functools
import itertools
import logging
import os
from collections.abc import Callable, Container, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

import jinja2

from generator import bundled
from generator.caches import clear_build_caches
from generator.derive.stage import Derived, check_records, derive
from generator.errors import ConfigError, InvalidCorpus, Problem, display_path
from generator.figures.cache import DeferredFigure, FigureCache
from generator.pages.export import data_file_makers
from generator.pages.navigation import NavEntry, in_manual, site_navigation
from generator.publish.emit import EmitReport, emit_tree, generated_before
from generator.publish.engines import SiteFacts, site_configuration, theme_extra, write_site_configuration
from generator.publish.forked import ForkedCall
from generator.publish.progress import Progress
from generator.records.link import Corpus, link_loaded
from generator.records.load import GLOSSARY_FILE, SOURCES_FILE, load_corpus, load_glossary, load_review_citation
from generator.records.schema import ReviewCitation
from generator.releases.changelog import ReleaseInfo, read_changelog, record_names, release_info
from generator.releases.history import last_changed
from generator.review.extensions import Check, Extensions, load_extensions

if TYPE_CHECKING:
    from generator.derive.consistency import ConsistencyFlag
    from generator.pages.render import Page

log = logging.getLogger("mkdocs.plugins.litreview")
CITATION_FILE = "CITATION.cff"  # the review's own citation, beside mkdocs.yml


@dataclass(frozen=True)
class ReviewConfig:
    """Where a review's parts live. Relative paths are resolved against ``root``."""

    root: Path
    seeds_dir: Path
    templates_dir: Path
    docs_dir: Path
    sources_dir: Path | None
    cache_dir: Path | None = None  # figures already drawn, by content (generator.figures.cache); None: no cache
    site_url: str | None = None  # where the site is published (mkdocs.yml's site_url): the feed's absolute links
    use_directory_urls: bool = True  # MkDocs' option: a page `x.md` is published as `x/` (else `x.html`)
    config_file: Path | None = None  # mkdocs.yml: the site configuration is written beside it (None: not written)

    @classmethod
    def from_options(cls, root: Path, seeds: str, templates: str | None, docs: str, sources: str | None, cache: str | None = None) -> ReviewConfig:
        """``templates`` None: the templates installed with the tool (:func:`generator.bundled.templates_dir`)."""
        root = root.resolve()
        templates_dir = (root / templates) if templates else bundled.templates_dir()
        return cls(root, root / seeds, templates_dir, root / docs, (root / sources) if sources else None, (root / cache) if cache else None)


@dataclass(frozen=True)
class Review:
    corpus: Corpus
    derived: Derived
    citation: ReviewCitation | None = None
    updated: dict[str, str] = field(default_factory=dict)  # "kind/id" → date its seed file last changed in git
    extensions: Extensions = field(default_factory=Extensions)  # what the review's own Python added (generator/review/extensions.py)


def validate_review(config: ReviewConfig, progress: Progress | None = None, fork: bool = False) -> Review:
    """Load, link and check every record; raise :class:`InvalidCorpus` listing every problem.

    ``fork``: use a forked copy of this process for half the parsing, and for the checks while this one
    derives (:mod:`generator.publish.forked`; only in a process that runs no other thread). Same result.
    """
    if not config.seeds_dir.is_dir():
        raise ConfigError(f"seeds folder not found: {config.seeds_dir}")
    if config.sources_dir is not None and os.path.lexists(config.sources_dir) and not config.sources_dir.is_dir():
        # a sources folder that is not one would pass every quote unchecked: refused, not "quotes NOT checked"
        raise ConfigError(f"the sources folder {config.sources_dir} is not a folder; point `sources:` in mkdocs.yml at the documents' folder")
    loaded = load_corpus(config.seeds_dir, config.root, progress, fork=fork)
    citation, citation_problems = load_review_citation(config.root / CITATION_FILE, config.root)
    unloaded = _regimens_with_problems(loaded.problems, PurePath(display_path(config.seeds_dir / "regimens", config.root)))
    if loaded.review is None:  # without the review file no record's vocabulary can be read: say what the load found
        raise InvalidCorpus(loaded.problems + citation_problems)
    corpus, link_problems = link_loaded(loaded, unloaded)
    # the review's own extensions load here, in whichever process validates: every process that builds has them
    extensions = load_extensions(loaded.review.extensions, config.root)
    link_problems += [problem for check in extensions.checks for problem in _run_check(check, corpus)]
    catalogue = display_path(config.seeds_dir / SOURCES_FILE, config.root)
    problems = loaded.problems + citation_problems + link_problems
    if not fork or problems:
        problems += check_records(corpus, config.sources_dir, catalogue)
        if problems:
            raise InvalidCorpus(problems)
        derived = derive(corpus, config.sources_dir)
    else:
        checks = ForkedCall(functools.partial(check_records, corpus, config.sources_dir, catalogue))
        try:
            # Deriving assumes records that pass the checks: its result counts only if they do.
            derived_or_error: Derived | Exception = derive(corpus, config.sources_dir)
        except Exception as error:
            derived_or_error = error
        problems += checks.result()
        if problems:
            raise InvalidCorpus(problems)
        if isinstance(derived_or_error, Exception):
            raise derived_or_error
        derived = derived_or_error
    if not derived.sources_checked:
        log.info("source documents not found at %s: quotes were not checked against them", config.sources_dir)
    history = last_changed(config.root, config.seeds_dir)
    updated = {f"{kind}/{rid}": history[origin.file] for (kind, rid), origin in corpus.origins.items() if origin.file in history}
    return Review(corpus, derived, citation, updated, extensions)


def write_site_config(config: ReviewConfig, nav: Sequence[NavEntry], unlisted: frozenset[str], release: str) -> None:
    """The site's configuration beside mkdocs.yml (generator/publish/engines.py), once the tree is written."""
    if config.config_file is None:
        return
    glossary, problems = load_glossary(config.seeds_dir / GLOSSARY_FILE, config.root)
    theme_dir = config.templates_dir / bundled.THEME_FOLDER
    facts = SiteFacts(nav, unlisted, theme_extra(release, config.use_directory_urls),
                      {str(term): str(expansion) for term, expansion in glossary.expansions().items()} if not problems else {},
                      theme_dir if theme_dir.is_dir() else None)
    write_site_configuration(config.config_file, site_configuration(config.config_file, config.docs_dir, facts))


def _run_check(check: Check, corpus: Corpus) -> list[Problem]:
    try:
        return check(corpus)
    except Exception as error:  # a review's own code: said in one line, like every other problem
        raise ConfigError(f"the review's extension check {getattr(check, '__qualname__', check)!r} failed: {error!r}") from None


class _EveryId:
    """Every id: the regimens folder itself could not be read, so none of its records is there to link to."""

    def __contains__(self, item: object) -> bool:
        return True


def _regimens_with_problems(problems: Sequence[Problem], folder: PurePath) -> Container[str]:
    """The regimen ids whose files the loader has already reported (a file that did not load, or loaded with a problem:
    invalid, a YAML error, misnamed, misplaced in a subfolder, not a `.yaml`, a symbolic link …): the records using
    them are not told again, one line per use, that the regimen is unknown. A file's id is its name."""
    files = [PurePath(problem.file) for problem in problems]
    if folder in files:
        return _EveryId()
    return frozenset(file.stem for file in files if folder in file.parents)


@dataclass(frozen=True)
class RenderedReview:
    files: dict[str, bytes]  # relative POSIX path in the generated tree → bytes
    unlisted: frozenset[str]  # generated pages left out of the navigation (continuation pages, records of a large review)
    release: str = ""  # the release every page belongs to, in words (the theme writes it at each page's foot)
    nav: list[NavEntry] = field(default_factory=list)  # the site's navigation in reading order (generator.pages.navigation)


@dataclass(frozen=True)
class PlannedReview:
    """Every file of the generated tree, named, and how to make it: pages are rendered only as they are asked for.

    What :mod:`generator.publish.process` needs to tell MkDocs every file of the site before writing any,
    then write them in the order MkDocs reads them.
    """

    env: jinja2.Environment
    pages: list[Page]
    flags: dict[int, list[tuple[int, ConsistencyFlag]]]
    other_files: dict[str, bytes | Callable[[], bytes]]  # figures already drawn, downloads, assets, the feed
    unlisted: frozenset[str]
    deferred: list[DeferredFigure] = field(default_factory=list)  # figures still to draw
    release: str = ""
    nav: list[NavEntry] = field(default_factory=list)

    def paths(self) -> list[str]:
        """Every file of the tree, the figures still to draw included."""
        return [page.path for page in self.pages] + list(self.other_files) + [figure.path for figure in self.deferred]

    def files(self, first: Sequence[str] = (), progress: Progress | None = None) -> Iterator[tuple[str, bytes]]:
        """Each file but the figures still to draw, as (path, bytes): the other files named in ``first`` (pages an
        extension adds), then the pages named in ``first`` in that order, then the other pages, then the other files."""
        from generator.pages.render import iter_rendered

        others = dict(self.other_files)
        for path in [path for path in first if path in others]:
            made = others.pop(path)
            yield path, made if isinstance(made, bytes) else made()
        by_path = {page.path: page for page in self.pages}
        ordered = [by_path.pop(path) for path in first if path in by_path]
        yield from iter_rendered(self.env, ordered + list(by_path.values()), self.flags, progress)
        for path, made in others.items():
            yield path, made if isinstance(made, bytes) else made()


@dataclass(frozen=True)
class GenerateReport:
    emitted: EmitReport
    unlisted: frozenset[str]
    release: str = ""
    nav: list[NavEntry] = field(default_factory=list)


def plan_review(config: ReviewConfig, review: Review, progress: Progress | None = None, defer_figures: bool = False,
                release: ReleaseInfo | None = None) -> PlannedReview:
    """Every generated file planned; with ``defer_figures``, figures not in the cache are queued instead of drawn.

    The changelog comes from the git history of the seed records; ``release`` (the release the pages belong to)
    from ``LITREVIEW_RELEASE`` or that history unless given (tests pass a fixed one).
    """
    # Imported here: validating needs neither matplotlib nor SciPy (1.7 s of imports), rendering does.
    from generator.figures import build_figures
    from generator.pages import views
    from generator.pages.export import pooled_file_makers
    from generator.pages.pooled import pooled_estimate, pooled_records
    from generator.pages.render import asset_files, flag_numbers, make_environment, page_figures, plan_pages, release_label
    from generator.releases.feed import FEED_PATH, render_feed

    env = make_environment(config.templates_dir, review.corpus.review, config.cache_dir / "templates" if config.cache_dir else None)
    env.filters.update(review.extensions.filters)
    env.globals.update(review.extensions.globals)
    flags = flag_numbers(review.corpus, review.derived.flags)
    cache = FigureCache(config.cache_dir / "figures" if config.cache_dir else None, defer=defer_figures)
    comparisons = views.comparison_views(review.corpus)
    pooled = {view.slug: estimate for view in comparisons if (estimate := pooled_estimate(view)) is not None}
    by_page = page_figures(review.corpus, comparisons, cache, progress, pooled)
    figures = build_figures(review.corpus, progress=progress, cache=cache, arm_figures=not by_page)
    changelog = read_changelog(config.seeds_dir, record_names(review.corpus))
    release = release or release_info(changelog)
    planned = plan_pages(review.corpus, review.derived, review.citation, review.updated, figures, by_page, comparisons, pooled,
                         release=release, changelog=changelog)
    pending = {figure.path for figure in cache.deferred}
    svgs: dict[str, bytes | Callable[[], bytes]] = {
        path: svg for figure in [*figures, *itertools.chain.from_iterable(by_page.values())]
        for path, svg in figure.files().items() if path not in pending}
    feed = {FEED_PATH: render_feed(config.templates_dir, review.corpus.review, changelog, review.citation, config.site_url, config.use_directory_urls)}
    extra = {path: functools.partial(make, review.corpus) for path, make in review.extensions.files.items()}
    downloads = data_file_makers(review.corpus) | pooled_file_makers(pooled_records(list(pooled.values())))
    other_files = svgs | downloads | asset_files(config.templates_dir) | feed | extra
    cache.prune_unused()  # every figure was asked for: entries no figure wants any more go
    log.info("figure files: %d from the cache, %d %s", cache.hits, cache.misses, "to draw after the other files" if defer_figures else "drawn")
    generated = {page.path for page in planned} | other_files.keys()
    hand_written = sorted(path.relative_to(config.docs_dir).as_posix() for path in config.docs_dir.rglob("*.md")) if config.docs_dir.is_dir() else []
    stale = generated_before(config.docs_dir) if config.docs_dir.is_dir() else set()  # removed when the tree is written
    own = [path for path in hand_written if path not in generated and path not in stale]
    pages_added = [path for path in review.extensions.files if path.endswith(".md")]  # an extension's pages: as hand-written ones
    nav = site_navigation([page.path for page in planned if page.listed and page.path.endswith(".md")], [*own, *pages_added])
    unlisted = frozenset(page.path for page in planned if not page.listed) | {path for path in own if in_manual(path)}
    return PlannedReview(env, planned, flags, other_files, unlisted, cache.deferred, release_label(env, release), nav)


def render_review(config: ReviewConfig, review: Review, progress: Progress | None = None, release: ReleaseInfo | None = None) -> RenderedReview:
    """Every generated file's bytes, every figure drawn."""
    planned = plan_review(config, review, progress, release=release)
    return RenderedReview(dict(planned.files(progress=progress)), planned.unlisted, planned.release, planned.nav)


def generate(config: ReviewConfig, progress: Progress | None = None, validated: Review | None = None) -> GenerateReport:
    """Validate, render everything in memory, then write the tree (``litreview generate``, ``mkdocs serve``).

    ``mkdocs build`` runs the same stages in a process of its own instead (:mod:`generator.publish.process`).
    """
    try:
        review = validated or validate_review(config, progress)
        rendered = render_review(config, review, progress)
    finally:
        clear_build_caches()  # the MkDocs build that follows in this process has no use for them
    report = emit_tree(rendered.files, config.docs_dir, unlisted=rendered.unlisted)
    write_site_config(config, rendered.nav, rendered.unlisted, rendered.release)
    if progress:
        progress.finish()
    log.info("generated %d files (%d written, %d unchanged, %d removed)", len(rendered.files), len(report.written), report.unchanged,
             len(report.removed))
    return GenerateReport(report, rendered.unlisted, rendered.release, rendered.nav)
