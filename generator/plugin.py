"""MkDocs adapter: run the generator before each build and watch seeds and templates.

Enabled in ``mkdocs.yml`` as ``plugins: [search, litreview]``. The plugin only wires
MkDocs events to :mod:`generator.pipeline` and :mod:`generator.publish.site`; it holds no logic
of its own. For ``mkdocs build`` and ``gh-deploy`` it also makes the build all-or-nothing:
MkDocs writes into a staging folder that replaces ``site_dir`` only once the whole build
(strict checks included) has succeeded, and SIGTERM ends the build like Ctrl-C does, so the
staging folder is removed. There the generator also runs in a process of its own, writing the pages
while MkDocs converts those already written, and a second one draws the figures not in the cache
(:mod:`generator.publish.process`). ``mkdocs serve``
generates within MkDocs' process, then builds as usual.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel, file_sort_key, set_exclusions

from generator.bundled import THEME_FOLDER
from generator.errors import ReviewError, failure_message
from generator.pages.navigation import NavEntry
from generator.pipeline import Review, ReviewConfig, generate
from generator.publish.emit import MANIFEST_NAME
from generator.publish.engines import DEFAULT_ENGINE, ENGINES, PLUGIN_NAME, theme_extra
from generator.publish.process import GeneratorProcess
from generator.publish.progress import Progress
from generator.publish.site import discard, replace_site, source_date_epoch, staging_dir
from generator.records.load import GLOSSARY_FILE, load_glossary

log = logging.getLogger("mkdocs.plugins.litreview")


class LitReviewOptions(base.Config):
    seeds = c.Type(str, default="seeds")
    """Folder of seed records (`studies/`, `regimens/`, `cases/`), relative to `mkdocs.yml`."""

    templates = c.Optional(c.Type(str))
    """Folder of the Jinja2 page templates, relative to `mkdocs.yml`. Unset: the templates installed with the tool
    (`generator/templates/` of the package; the repository's `templates/` in a checkout), so a review that does not
    customise them needs no copy (`litreview init --with-templates` writes one and sets this option).

    The folder's `theme/` holds the tool's theme overrides (the release line at each page's foot, the feed link): when
    the review sets no `theme.custom_dir`, the plugin puts that folder first in the theme's search path, so the
    overrides apply to an installed tool too. A review that sets `custom_dir` (the repository's mkdocs.yml sets
    `templates/theme`) owns its overrides."""

    sources = c.Optional(c.Type(str))
    """Folder of the source documents; when present, every quote is checked against it."""

    cache = c.Optional(c.Type(str))
    """Folder where drawn figures are kept by content, so a build redraws only figures whose inputs changed
    (e.g. `.cache/litreview`; keep it out of `docs/` and out of git). Unset: every build draws every figure."""


    engine = c.Choice(tuple(ENGINES), default=DEFAULT_ENGINE)
    """What `litreview build` (and `make site`) builds the site with: `mkdocs` (MkDocs 1.6 and Material, the default),
    `properdocs` (ProperDocs and Material) or `zensical` (Zensical, which runs no plugins: it builds the generated
    site configuration, `mkdocs.generated.yml`). `litreview build --engine NAME` overrides it for one build."""

    separate_process = c.Type(bool, default=True)
    """`mkdocs build` and `gh-deploy` generate in a process of their own, which writes the pages while MkDocs
    converts those already written: a shorter build on more than one core, and a lower peak of memory. `false`:
    generate within MkDocs' process before it reads any page, as `mkdocs serve` and `--dirty` builds do (MkDocs
    compares the dates of pages it has not read yet) and as a debugger wants."""


ALL_OR_NOTHING_COMMANDS = {"build", "gh-deploy"}


def _add_theme_override(config: MkDocsConfig, folder: Path) -> None:
    """The templates' overrides of Material (``folder``) come first, unless the review sets its own custom_dir.

    What ``theme.custom_dir`` would do: MkDocs looks a theme template up in ``theme.dirs`` in order, the custom
    folder first, and builds the theme's Jinja environment from that list after ``on_config``. Idempotent.
    """
    theme = config.theme
    if theme.name == "material" and theme.custom_dir is None and folder.is_dir() and str(folder) not in theme.dirs:
        theme.dirs.insert(0, str(folder))


_terminated: list[int] = []  # SIGTERM received during a build: the build stops at its next event


def stop_at_next_event(signum: int, frame: FrameType | None) -> None:
    """Note SIGTERM (or, for `litreview build`, SIGINT); the plugin's next event ends the build (its staging folder removed).

    Raising here would raise wherever the signal lands, inside a weak reference's callback or an object's finaliser
    too, where Python prints the exception and carries on; MkDocs reaches a plugin event at every page."""
    _terminated.append(signum)


def _stop_if_terminated() -> None:
    if _terminated:
        raise SystemExit(128 + _terminated[0])


def _watch_hand_written_pages_only(server: Any, docs_dir: Path) -> None:
    """Under `mkdocs serve`, a change in the docs folder starts a rebuild only if it is not the generator's own write.

    MkDocs watches the whole docs folder; the generator writes its changed pages there during each rebuild, and those
    writes would start a second rebuild of everything (two per edit, seen at 4.8 s to screen on the real review). The
    folder is watched here instead, skipping the files the generator's manifest lists and its bookkeeping files.
    This uses MkDocs 1.6's server (frozen, as is ProperDocs' copy of it): its observer and its rebuild condition;
    where they are not there, MkDocs' own watch stays.
    """
    observer, condition = getattr(server, "observer", None), getattr(server, "_rebuild_cond", None)
    path = os.path.abspath(docs_dir)
    if observer is None or condition is None or path not in getattr(server, "_watched_paths", {}):
        return
    import watchdog.events

    def rebuild_unless_generated(event: watchdog.events.FileSystemEvent) -> None:
        if event.is_directory:
            return
        names = [os.fsdecode(name) for name in (event.src_path, getattr(event, "dest_path", "")) if name]
        for name in names:
            relative = Path(name).relative_to(path).as_posix() if Path(name).is_relative_to(path) else name
            # the generator's files, its manifest and journal, and the temporary files it renames into place
            if Path(relative).name.startswith(".") or relative in _claimed(docs_dir):
                continue
            with condition:
                server._want_rebuild = True
                condition.notify_all()
            return

    server.unwatch(path)
    handler = watchdog.events.FileSystemEventHandler()
    handler.on_any_event = rebuild_unless_generated  # type: ignore[method-assign]
    observer.schedule(handler, path, recursive=True)


_claims: dict[Path, tuple[int, set[str]]] = {}  # docs folder → (the manifest's mtime, the files it names)


def _claimed(docs_dir: Path) -> set[str]:
    """Every file the manifest names, written yet or not (the generator claims its files before it writes them);
    read again only when the manifest changes."""
    manifest = docs_dir / MANIFEST_NAME
    try:
        stamp = manifest.stat().st_mtime_ns
        if docs_dir not in _claims or _claims[docs_dir][0] != stamp:
            _claims[docs_dir] = (stamp, set(json.loads(manifest.read_text(encoding="utf-8"))["files"]))
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return _claims[docs_dir][1]


class LitReviewPlugin(BasePlugin[LitReviewOptions]):
    def __init__(self) -> None:
        self.review: ReviewConfig | None = None
        self.command: str | None = None
        self.dirty = False  # `--dirty`: MkDocs compares each page's date with its output's, so pages must be on disk first
        self.site_dir: Path | None = None  # where the site goes; MkDocs writes into `staging` meanwhile
        self.staging: Path | None = None
        self.built = False
        self.mkdocs_config: MkDocsConfig | None = None
        self.previous_sigterm: Any = None
        self.unlisted: frozenset[str] = frozenset()
        self.process: GeneratorProcess | None = None  # `mkdocs build`: the generator, working beside MkDocs
        self.generated: list[str] = []  # every file the generator's process is writing
        self.drawn_last: list[str] = []  # the figures it draws last, while MkDocs builds the HTML pages
        self.held: list[File] = []  # those figures, held back from MkDocs' copying of static files
        self.release = ""  # the release every page belongs to, in words (the theme writes it at each page's foot)
        self.nav: list[NavEntry] = []  # the generator's navigation, used where mkdocs.yml sets none
        self.nav_from_config: bool | None = None  # whether mkdocs.yml sets `nav` (read once: this plugin then sets it)
        self.validated: Review | None = None  # `litreview build`: the review as its process validated it, before the build

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command
        self.dirty = dirty
        if command in ALL_OR_NOTHING_COMMANDS:
            _terminated.clear()
            try:
                self.previous_sigterm = signal.signal(signal.SIGTERM, stop_at_next_event)
            except ValueError:  # not the main thread: keep the default
                self.previous_sigterm = None

    def review_config(self, config: MkDocsConfig) -> ReviewConfig:
        """The pipeline's configuration: the plugin's options, relative to mkdocs.yml."""
        root = Path(config.config_file_path).parent
        review = ReviewConfig.from_options(root, self.config.seeds, self.config.templates, config.docs_dir, self.config.sources, self.config.cache)
        # The changelog's feed links to the published site when mkdocs.yml says where that is.
        return replace(review, site_url=config.site_url or None, use_directory_urls=bool(config.use_directory_urls),
                       config_file=Path(config.config_file_path) if config.config_file_path else None)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.review = self.review_config(config)
        _add_theme_override(config, self.review.templates_dir / THEME_FOLDER)
        if "SOURCE_DATE_EPOCH" not in os.environ:
            # MkDocs dates pages and the sitemap with this, else with today: the same commit, the same bytes.
            stamp = source_date_epoch(self.review.root)
            if stamp:
                os.environ["SOURCE_DATE_EPOCH"] = stamp
        if self.command in ALL_OR_NOTHING_COMMANDS and self.staging is None:
            self.site_dir = Path(config.site_dir)
            self.staging = staging_dir(self.site_dir)
            self.mkdocs_config = config
            config.site_dir = str(self.staging)
        # Hand-written pages get the glossary's tooltips too (generated pages carry their own
        # abbreviation lines). A broken glossary is reported by on_pre_build with everything else.
        glossary, problems = load_glossary(self.review.seeds_dir / GLOSSARY_FILE, self.review.root)
        if not problems and glossary.terms and "abbr" in config.markdown_extensions:
            config.mdx_configs.setdefault("abbr", {})["glossary"] = glossary.expansions()
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        assert self.review is not None
        self._stop_generator()
        self.held = []
        try:
            if self.command in ALL_OR_NOTHING_COMMANDS and self.config.separate_process and not self.dirty:
                # A build generates in a process of its own, which writes the pages while MkDocs converts them
                # (generator.publish.process); MkDocs waits only for the plan, in on_files (it lists the docs folder
                # and the theme's files meanwhile). Progress goes to standard output (MkDocs logs on standard error):
                # a bar on a terminal, lines in CI.
                self.process = GeneratorProcess(self.review, validated=self.validated)
            else:
                # `serve` generates at once, within its own process: its rebuilds are small, and its server holds threads.
                # Progress is shown for a build (not for serve's rebuilds).
                report = generate(self.review, Progress(sys.stdout) if self.command in ALL_OR_NOTHING_COMMANDS else None)
                self.generated, self.unlisted, self.release, self.drawn_last = [], report.unlisted, report.release, []
                self.nav = report.nav
        except Exception as error:
            self._stop_generator()
            message = failure_message(error)
            if message is None:
                raise
            raise PluginError(message) from None

    def _receive_plan(self, process: GeneratorProcess) -> None:
        try:
            plan = process.plan()
        except ReviewError as error:
            self._stop_generator()
            raise PluginError(str(error)) from None
        self.generated, self.unlisted, self.release, self.drawn_last = plan.paths, plan.unlisted, plan.release, plan.drawn_last
        self.nav = plan.nav

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        _stop_if_terminated()
        if self.process is not None:
            self._receive_plan(self.process)
        # The generator's process may not have written its files yet: they are files of the site already.
        # Given MkDocs' own exclusions and put where MkDocs would have listed them, they are what listing
        # the finished tree gives.
        missing = [File(path, config.docs_dir, config.site_dir, config.use_directory_urls)
                   for path in self.generated if files.get_file_from_path(path) is None]
        if missing:
            set_exclusions(missing, config)
            files = Files(sorted([*files, *missing], key=file_sort_key))
        # Pages the generator keeps out of the navigation get MkDocs' own "not in nav" level (what the
        # `not_in_nav` option sets): still built and linked, absent from the navigation MkDocs makes.
        for file in files:
            if file.src_uri in self.unlisted and file.inclusion == InclusionLevel.INCLUDED:
                file.inclusion = InclusionLevel.NOT_IN_NAV
        # The navigation in reading order (generator.pages.navigation) unless mkdocs.yml gives its own; MkDocs builds it
        # from config.nav after this event.
        if self.nav_from_config is None:
            self.nav_from_config = config.nav is not None
        if not self.nav_from_config and self.nav:
            config.nav = self.nav
        # What the theme override writes at every page's foot: the release (the site configuration holds the same).
        config.extra[PLUGIN_NAME] = theme_extra(self.release, bool(config.use_directory_urls))
        if self.process is not None:
            generated = set(self.generated)
            self.process.read_in_order([file.src_uri for file in files.documentation_pages() if file.src_uri in generated])
        return files

    def on_page_read_source(self, /, *, page: Any, config: MkDocsConfig) -> str | None:
        _stop_if_terminated()
        # A generated page is read once the generator's process has written it; MkDocs then reads it as usual.
        if self.process is not None and page.file.src_uri in self.process.pages:
            try:
                self.process.wait_for(page.file.src_uri)
            except ReviewError as error:
                self._stop_generator()
                raise PluginError(str(error)) from None
        return None

    def on_env(self, env: Any, /, *, config: MkDocsConfig, files: Files) -> Any:
        _stop_if_terminated()
        # The last event before MkDocs copies static files: every generated file must be written by now, but
        # the figures the generator draws last, which are held back from that copy and copied once drawn.
        if self.process is not None:
            try:
                self.process.wait_for_files()
            except ReviewError as error:
                self._stop_generator()
                raise PluginError(str(error)) from None
            self.held = [file for path in self.drawn_last if (file := files.get_file_from_path(path)) is not None]
            for file in self.held:
                files.remove(file)
        return env

    def on_post_page(self, output: str, /, *, page: Any, config: MkDocsConfig) -> str:
        _stop_if_terminated()
        return output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        _stop_if_terminated()
        if self.process is not None:
            process, self.process = self.process, None
            try:
                process.wait()
            except ReviewError as error:
                raise PluginError(str(error)) from None
            for file in self.held:
                file.copy_file()
            log.info("MkDocs waited for the generator %s", process.waits)
        self.built = True

    def on_build_error(self, *, error: Exception) -> None:
        self.built = False  # strict mode fails after on_post_build
        self._stop_generator()

    def _stop_generator(self) -> None:
        if self.process is not None:
            self.process.cancel()
            self.process = None

    def on_shutdown(self) -> None:
        self._stop_generator()
        if self.staging is not None and self.site_dir is not None:
            if self.built:
                replace_site(self.staging, self.site_dir)
                log.info("site published to %s", self.site_dir)
            else:
                discard(self.staging)
                log.info("build did not complete: %s left as it was", self.site_dir)
            if self.mkdocs_config is not None:
                self.mkdocs_config.site_dir = str(self.site_dir)  # gh-deploy reads it after the build
            self.staging = None
        if self.previous_sigterm is not None:
            signal.signal(signal.SIGTERM, self.previous_sigterm)
            self.previous_sigterm = None

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Any) -> Any:
        assert self.review is not None
        for folder in (self.review.seeds_dir, self.review.templates_dir):
            server.watch(str(folder))
        _watch_hand_written_pages_only(server, Path(config.docs_dir))
        return server
