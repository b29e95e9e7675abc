"""The whole pipeline in one call: gather and validate everything, then write.

Like MkDocs' own build, nothing is written until every record has loaded, linked and
passed its checks: an invalid corpus renders nothing and the published tree is untouched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from generator.derive import Derived, check_records, derive
from generator.emit import EmitReport, emit_tree
from generator.errors import ConfigError, InvalidCorpus
from generator.export import data_files
from generator.history import last_changed
from generator.link import Corpus, resolve_links
from generator.load import load_corpus, load_review_citation
from generator.progress import Progress
from generator.schema import ReviewCitation

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

    @classmethod
    def from_options(cls, root: Path, seeds: str, templates: str, docs: str, sources: str | None) -> ReviewConfig:
        root = root.resolve()
        return cls(root, root / seeds, root / templates, root / docs, (root / sources) if sources else None)


@dataclass(frozen=True)
class Review:
    corpus: Corpus
    derived: Derived
    citation: ReviewCitation | None = None
    updated: dict[str, str] = field(default_factory=dict)  # "kind/id" → date its seed file last changed in git


def validate_review(config: ReviewConfig, progress: Progress | None = None) -> Review:
    """Load, link and check every record; raise :class:`InvalidCorpus` listing every problem."""
    if not config.seeds_dir.is_dir():
        raise ConfigError(f"seeds folder not found: {config.seeds_dir}")
    loaded = load_corpus(config.seeds_dir, config.root, progress)
    citation, citation_problems = load_review_citation(config.root / CITATION_FILE, config.root)
    corpus, link_problems = resolve_links(loaded.records, loaded.glossary)
    problems = loaded.problems + citation_problems + link_problems + check_records(corpus, config.sources_dir)
    if problems:
        raise InvalidCorpus(problems)
    derived = derive(corpus, config.sources_dir)
    if not derived.sources_checked:
        log.info("source documents not found at %s: quotes were not checked against them", config.sources_dir)
    history = last_changed(config.root, config.seeds_dir)
    updated = {f"{kind}/{rid}": history[origin.file] for (kind, rid), origin in corpus.origins.items() if origin.file in history}
    return Review(corpus, derived, citation, updated)


def render_review(config: ReviewConfig, review: Review, progress: Progress | None = None) -> dict[str, bytes]:
    # Imported here: validating needs neither matplotlib nor SciPy (1.7 s of imports), rendering does.
    from generator.plots import build_figures
    from generator.render import asset_files, flag_numbers, make_environment, plan_pages, render_pages

    env = make_environment(config.templates_dir)
    flags = flag_numbers(review.corpus, review.derived.flags)
    figures = build_figures(review.corpus, progress=progress)
    pages = render_pages(env, plan_pages(review.corpus, review.derived, review.citation, review.updated, figures), flags, progress)
    return ({path: text.encode("utf-8") for path, text in pages.items()} | {figure.path: figure.svg for figure in figures}
            | data_files(review.corpus) | asset_files(config.templates_dir))


def generate(config: ReviewConfig, progress: Progress | None = None) -> EmitReport:
    """Validate, render everything in memory, then write the tree."""
    review = validate_review(config, progress)
    files = render_review(config, review, progress)
    report = emit_tree(files, config.docs_dir)
    if progress:
        progress.finish()
    log.info("generated %d pages (%d written, %d unchanged, %d removed)",
             len(files), len(report.written), report.unchanged, len(report.removed))
    return report
