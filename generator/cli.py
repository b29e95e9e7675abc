"""Command-line adapter for curators and CI: ``litreview validate | generate | build | schema | init``.

Options come from the ``litreview`` plugin entry of ``mkdocs.yml`` so that the CLI and
``mkdocs serve`` can never disagree; ``init`` writes a new review (:mod:`generator.scaffold`).
Exit status: 0 success, 1 invalid records or failed build, 2 configuration error. Problems are
printed one per line, without a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shlex
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from pydantic import BaseModel

from generator.errors import InvalidCorpus, ReviewError
from generator.pipeline import Review, ReviewConfig, generate, validate_review
from generator.publish.engines import DEFAULT_ENGINE, ENGINES, SITE_CONFIG_FILE, engine_named
from generator.publish.progress import Progress
from generator.publish.site import discard, replace_site, source_date_epoch, staging_dir
from generator.records.schema import RECORD_KINDS, SourceCatalogue
from generator.records.text import counted
from generator.review.file import ReviewFile

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

SCHEMA_FILES = {"studies": "study.schema.json", "regimens": "regimen.schema.json", "cases": "case.schema.json"}
SOURCES_SCHEMA_FILE = "sources.schema.json"  # seeds/sources.yaml
REVIEW_SCHEMA_FILE = "review.schema.json"  # seeds/review.yaml


def review_config(config_file: Path) -> ReviewConfig:
    """Read the plugin's options from mkdocs.yml, resolved the same way MkDocs resolves them."""
    return _read_config(config_file)[0]


def _read_config(config_file: Path) -> tuple[ReviewConfig, str, Path, MkDocsConfig]:
    """The pipeline's configuration, the engine the plugin's options name, the site folder and MkDocs' whole
    configuration, from mkdocs.yml."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError

    from generator.plugin import LitReviewPlugin

    try:
        config = load_config(str(config_file))
    except ConfigurationError as error:
        raise ReviewError(f"{config_file}: {error}") from None
    plugin = config.plugins.get("litreview")
    if not isinstance(plugin, LitReviewPlugin):
        raise ReviewError(f"{config_file}: the `litreview` plugin is not enabled under `plugins:`")
    return plugin.review_config(config), plugin.config.engine, Path(config.site_dir), config


def json_schemas() -> dict[str, str]:
    """The JSON Schema of each record kind, as files for editors (derived from the pydantic models)."""
    models: dict[str, type[BaseModel]] = {SCHEMA_FILES[kind]: model for kind, model in RECORD_KINDS.items()}
    models[SOURCES_SCHEMA_FILE] = SourceCatalogue
    models[REVIEW_SCHEMA_FILE] = ReviewFile
    return {name: json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False) + "\n" for name, model in models.items()}


def _summary(review: Review) -> str:
    corpus = review.corpus
    checked = "quotes checked against the sources" if review.derived.sources_checked else "sources not found: quotes NOT checked"
    return (f"{counted(len(corpus.studies), 'study', 'studies')}, {counted(len(corpus.regimens), 'regimen')}, "
            f"{counted(len(corpus.cases), 'case')}, {counted(len(review.derived.notes), 'curation note')}; {checked}")


def _serve_command() -> str:
    """How to start the live preview with the MkDocs this command runs on: its own script where it has one (a
    virtual environment's, shown relative to the current folder when inside it), else through this Python."""
    script = Path(sys.executable).parent / "mkdocs"
    if not script.is_file():
        return f"{shlex.quote(sys.executable)} -m mkdocs serve"
    with contextlib.suppress(ValueError):
        return f"{shlex.quote(str(script.relative_to(Path.cwd())))} serve"
    return "mkdocs serve" if shutil.which("mkdocs") == str(script) else f"{shlex.quote(str(script))} serve"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="litreview", description=__doc__.splitlines()[0])
    parser.add_argument("-f", "--config-file", type=Path, default=Path("mkdocs.yml"), help="MkDocs configuration (default: mkdocs.yml)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("validate", help="check every seed record; write nothing")
    commands.add_parser("generate", help="validate, then write the generated Markdown into the docs folder")
    build = commands.add_parser("build", help="generate, then build the site with the engine, strictly, and publish it all or nothing")
    build.add_argument("--site-dir", type=Path, default=None, help="where to put the site (default: mkdocs.yml's site_dir)")
    build.add_argument("--engine", choices=sorted(ENGINES), default=None,
                       help=f"what builds the HTML (default: the plugin's `engine` option in mkdocs.yml, else {DEFAULT_ENGINE})")
    schema = commands.add_parser("schema", help="write the JSON Schema of each record kind and of seeds/sources.yaml")
    schema.add_argument("--out", type=Path, default=Path("schema"), help="folder to write into (default: schema/)")
    init = commands.add_parser("init", help="write a new review that builds as it is (its records are fictional examples)")
    init.add_argument("dir", type=Path, help="folder to write it into (new or empty)")
    init.add_argument("--title", default="A living literature review", help="the review's title (site name and citation)")
    init.add_argument("--with-templates", action="store_true",
                      help="copy the page templates into DIR/templates and use them (to customise them); "
                           "default: the templates installed with litreview")
    args = parser.parse_args(argv)

    try:
        if args.command == "init":
            return _init(args.dir, args.title, args.with_templates)
        if args.command == "schema":
            args.out.mkdir(parents=True, exist_ok=True)
            schemas = json_schemas()
            for name, text in schemas.items():
                (args.out / name).write_text(text, encoding="utf-8")
            print(f"wrote {len(schemas)} JSON Schemas to {args.out}/")
            return 0
        config, engine, site_dir, mkdocs_config = _read_config(args.config_file)
        if args.command == "validate":
            print(f"valid: {_summary(validate_review(config))}")
            return 0
        if args.command == "generate":
            report = generate(config, Progress(sys.stdout)).emitted
            print(f"generated {counted(len(report.written) + report.unchanged, 'file')} in {config.docs_dir}: "
                  f"{len(report.written)} written, {report.unchanged} unchanged, {len(report.removed)} removed")
            return 0
        site = (args.site_dir or site_dir).resolve()
        if (args.engine or engine) == DEFAULT_ENGINE:
            return _build_with_mkdocs(mkdocs_config, config, site)
        return _build(args.config_file, config, args.engine or engine, site)
    except InvalidCorpus as error:
        print(error.report(), file=sys.stderr)
        return 1
    except ReviewError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _build_with_mkdocs(mkdocs_config: MkDocsConfig, config: ReviewConfig, site: Path) -> int:
    """The default engine, in this process: the records are validated once, here (invalid ones are reported as by
    ``litreview validate``, and nothing is built), and the plugin's process plans and writes the pages from that
    validated review while MkDocs converts them; the plugin publishes the site all or nothing."""
    from mkdocs.commands.build import build
    from mkdocs.exceptions import Abort, MkDocsException

    from generator.plugin import LitReviewPlugin, stop_at_next_event

    review = validate_review(config)
    print(f"valid: {_summary(review)}", flush=True)
    plugin = mkdocs_config.plugins["litreview"]
    assert isinstance(plugin, LitReviewPlugin)
    plugin.validated = review
    mkdocs_config["strict"] = True
    mkdocs_config["site_dir"] = str(site)
    _log_as_mkdocs_does()
    # Ctrl-C stops the build at MkDocs' next event (within a page), even where the shell started this command with
    # SIGINT ignored (`litreview build &`); SIGTERM does the same (the plugin's handler).
    signal.signal(signal.SIGINT, stop_at_next_event)
    mkdocs_config.plugins.on_startup(command="build", dirty=False)
    try:
        build(mkdocs_config)
    except (Abort, MkDocsException) as error:
        if not isinstance(error, Abort):
            print(f"error: {error}", file=sys.stderr)
        return _build_failed(DEFAULT_ENGINE)
    except (KeyboardInterrupt, SystemExit) as error:
        print("error: the build was interrupted; the previous site, if any, is unchanged", file=sys.stderr)
        return error.code if isinstance(error, SystemExit) and isinstance(error.code, int) else 130
    finally:
        mkdocs_config.plugins.on_shutdown()
    _say_built(DEFAULT_ENGINE, site)
    return 0


def _log_as_mkdocs_does() -> None:
    """MkDocs' messages on standard error, as its own command shows them (mkdocs.__main__), but never wrapped: a
    problem's file and line stay on one line, whatever the terminal's width."""
    from mkdocs.__main__ import ColorFormatter

    logger = logging.getLogger("mkdocs")
    logger.propagate = False
    formatter = ColorFormatter()
    formatter.text_wrapper = textwrap.TextWrapper(width=0)
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def _build_failed(engine: str) -> int:
    print(f"error: {engine} build --strict failed or was interrupted (see the messages above); the previous site, if any, "
          "is unchanged", file=sys.stderr)
    return 1


def _say_built(engine: str, site: Path) -> None:
    # Opened from disk (file://), folder links and the search break: the site wants a web server.
    print(f"site built with {ENGINES[engine].description} in {site}/: serve it (`python3 -m http.server -d {site}`) "
          f"or preview it with `{_serve_command()}`")


def _build(config_file: Path, config: ReviewConfig, engine_name: str, site: Path) -> int:
    """Another engine, in a process of its own, the records validated first (invalid ones reported as by
    ``litreview validate``). One that runs the litreview plugin (ProperDocs) generates the pages while it converts
    them, and publishes all or nothing; for one that runs none (Zensical) the tree and the site configuration are
    generated here, then built into a staging folder that replaces the site only once the whole build succeeded."""
    engine = engine_named(engine_name)
    review = validate_review(config)
    print(f"valid: {_summary(review)}", flush=True)
    if engine.runs_plugins:
        if _run_forwarding_signals(engine.command(config_file, site)) != 0:
            return _build_failed(engine.name)
        _say_built(engine.name, site)
        return 0
    report = generate(config, Progress(sys.stdout), validated=review).emitted
    print(f"generated {counted(len(report.written) + report.unchanged, 'file')} in {config.docs_dir}", flush=True)
    environment = dict(os.environ)
    stamp = source_date_epoch(config.root)
    if stamp and "SOURCE_DATE_EPOCH" not in environment:
        environment["SOURCE_DATE_EPOCH"] = stamp  # pages and sitemap dated by the commit: the same commit, the same bytes
    staging = staging_dir(site)
    # The engine takes its site folder from its configuration only: this build's, inheriting the site's.
    run_config = config_file.parent / f".{SITE_CONFIG_FILE}.{staging.name}.yml"
    try:
        run_config.write_text(f"INHERIT: {SITE_CONFIG_FILE}\nsite_dir: {os.path.relpath(staging, config_file.parent)}\n", encoding="utf-8")
        if _run_forwarding_signals(engine.command(run_config, None), environment) != 0:
            discard(staging)
            return _build_failed(engine.name)
        replace_site(staging, site)
    except BaseException:
        discard(staging)
        raise
    finally:
        run_config.unlink(missing_ok=True)
    _say_built(engine.name, site)
    return 0


def _init(target: Path, title: str, with_templates: bool) -> int:
    from generator.scaffold import init_review  # Jinja2: imported only for this command

    schemas = {f"schema/{name}": text.encode("utf-8") for name, text in json_schemas().items()}
    written = init_review(target, title, with_templates, schemas)
    print(f"wrote a new review to {target}/ ({len(written)} files{', with its own templates' if with_templates else ''}); "
          "its records are FICTIONAL examples: replace them (see its README.md). Next:")
    print(f"  cd {target}\n  litreview validate   # check the records\n  litreview build      # the site, into site/\n"
          "  mkdocs serve         # preview with live reload")
    return 0


FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _default_stop_signals() -> None:
    """In the child, before exec: SIGINT and SIGTERM as they are by default.

    A shell starts a background job (`litreview build &`, nohup) with SIGINT ignored, and exec keeps an ignored
    signal ignored: the child would never act on the SIGINT this process forwards to it.
    """
    for signum in FORWARDED_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)


def _run_forwarding_signals(command: list[str], environment: dict[str, str] | None = None) -> int:
    """Run a child process; SIGINT or SIGTERM sent to this process go to it, and it decides how to stop."""
    child = subprocess.Popen(command, env=environment, preexec_fn=_default_stop_signals)  # safe: this process runs no other thread

    def forward(signum: int, frame: FrameType | None) -> None:
        child.send_signal(signum)

    previous = {signum: signal.signal(signum, forward) for signum in FORWARDED_SIGNALS}
    try:
        return child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


if __name__ == "__main__":
    sys.exit(main())
