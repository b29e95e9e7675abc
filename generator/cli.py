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
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType

from pydantic import BaseModel

from generator.errors import InvalidCorpus, ReviewError
from generator.pipeline import ReviewConfig, generate, validate_review
from generator.publish.progress import Progress
from generator.records.schema import RECORD_KINDS, SourceCatalogue
from generator.records.text import counted
from generator.review.file import ReviewFile

SCHEMA_FILES = {"studies": "study.schema.json", "regimens": "regimen.schema.json", "cases": "case.schema.json"}
SOURCES_SCHEMA_FILE = "sources.schema.json"  # seeds/sources.yaml
REVIEW_SCHEMA_FILE = "review.schema.json"  # seeds/review.yaml


def review_config(config_file: Path) -> ReviewConfig:
    """Read the plugin's options from mkdocs.yml, resolved the same way MkDocs resolves them."""
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
    return plugin.review_config(config)


def json_schemas() -> dict[str, str]:
    """The JSON Schema of each record kind, as files for editors (derived from the pydantic models)."""
    models: dict[str, type[BaseModel]] = {SCHEMA_FILES[kind]: model for kind, model in RECORD_KINDS.items()}
    models[SOURCES_SCHEMA_FILE] = SourceCatalogue
    models[REVIEW_SCHEMA_FILE] = ReviewFile
    return {name: json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False) + "\n" for name, model in models.items()}


def _summary(config: ReviewConfig) -> str:
    review = validate_review(config)
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
    build = commands.add_parser("build", help="validate, then build the site with `mkdocs build --strict`")
    build.add_argument("--site-dir", type=Path, default=None, help="where to put the site (default: mkdocs.yml's site_dir)")
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
        config = review_config(args.config_file)
        if args.command == "validate":
            print(f"valid: {_summary(config)}")
            return 0
        if args.command == "generate":
            report = generate(config, Progress(sys.stdout)).emitted
            print(f"generated {counted(len(report.written) + report.unchanged, 'file')} in {config.docs_dir}: "
                  f"{len(report.written)} written, {report.unchanged} unchanged, {len(report.removed)} removed")
            return 0
        print(f"valid: {_summary(config)}")
        command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(args.config_file)]
        if args.site_dir:
            command += ["--site-dir", str(args.site_dir)]
        returncode = _run_forwarding_signals(command)
        if returncode != 0:
            print("error: mkdocs build --strict failed or was interrupted (see the messages above); "
                  "the previous site, if any, is unchanged", file=sys.stderr)
            return 1
        site = (args.site_dir or _site_dir(args.config_file)).resolve()
        # Opened from disk (file://), folder links and the search break: the site wants a web server.
        print(f"site built in {site}/: serve it (`python3 -m http.server -d {site}`) or preview it with `{_serve_command()}`")
        return 0
    except InvalidCorpus as error:
        print(error.report(), file=sys.stderr)
        return 1
    except ReviewError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


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


def _run_forwarding_signals(command: list[str]) -> int:
    """Run a child process; SIGINT or SIGTERM sent to this process go to it, and it decides how to stop."""
    child = subprocess.Popen(command, preexec_fn=_default_stop_signals)  # safe: this process runs no other thread

    def forward(signum: int, frame: FrameType | None) -> None:
        child.send_signal(signum)

    previous = {signum: signal.signal(signum, forward) for signum in FORWARDED_SIGNALS}
    try:
        return child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _site_dir(config_file: Path) -> Path:
    from mkdocs.config import load_config

    return Path(load_config(str(config_file)).site_dir)


if __name__ == "__main__":
    sys.exit(main())
