"""The engines that make HTML of the generated tree, and the site's configuration that every one of them reads.

After ``litreview generate`` (or any build) the site is plain files: the pages in the docs folder, and beside
``mkdocs.yml`` the site's configuration, :data:`SITE_CONFIG_FILE`. That file inherits everything from
``mkdocs.yml`` (MkDocs' and Zensical's ``INHERIT``) and adds what the generator knows and an engine without the
litreview plugin could not: the navigation in reading order, the pages kept out of it (``not_in_nav``, for engines
that have it), the glossary's abbreviations for hand-written pages, the release every page belongs to (the theme
override writes it at each page's foot), the tool's theme overrides when ``mkdocs.yml`` names none, and
``mkdocs.yml``'s plugins without this one. The plugin does the same in MkDocs' own process, from the same values.

Engines (``litreview build --engine``, or the plugin's ``engine`` option):

- ``mkdocs``, the default: MkDocs 1.6 with Material, from ``mkdocs.yml``; the plugin generates the pages while
  MkDocs converts them (the fastest build), and publishes the site all or nothing.
- ``properdocs``: ProperDocs, the drop-in fork of MkDocs that runs its plugins and Material, the same way.
- ``zensical``: Zensical, the Material team's successor, which runs no MkDocs plugins: the tree is generated
  first, then Zensical builds the site configuration; ``litreview build`` publishes the result all or nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.errors import ConfigError
from generator.publish.emit import digest

SITE_CONFIG_FILE = "mkdocs.generated.yml"
_HEADER = ("# The site's whole configuration, written by litreview at every build: mkdocs.yml (inherited) plus what the\n"
           "# generator knows. Do not edit it (it is rewritten): edit mkdocs.yml. Built by an engine without the litreview plugin,\n"
           "# e.g. `zensical build -f {name}` after `litreview generate` (generator/publish/engines.py).\n")
PLUGIN_NAME = "litreview"


@dataclass(frozen=True)
class Engine:
    name: str
    module: str  # run as `python -m <module>`
    runs_plugins: bool  # builds mkdocs.yml with the litreview plugin; else the site configuration, after generating
    description: str

    def command(self, config_file: Path, site_dir: Path | None) -> list[str]:
        """The build command: strict (a warning fails the build); ``site_dir`` where the engine takes it as an option."""
        command = [sys.executable, "-m", self.module, "build", "--strict", "-f", str(config_file)]
        if site_dir is not None and self.runs_plugins:
            command += ["--site-dir", str(site_dir)]
        return command


ENGINES: dict[str, Engine] = {engine.name: engine for engine in (
    Engine("mkdocs", "mkdocs", True, "MkDocs 1.6 with Material for MkDocs"),
    Engine("properdocs", "properdocs", True, "ProperDocs (the drop-in fork of MkDocs) with Material for MkDocs"),
    Engine("zensical", "zensical", False, "Zensical (runs no MkDocs plugins: builds the generated site configuration)"),
)}
DEFAULT_ENGINE = "mkdocs"


def engine_named(name: str) -> Engine:
    try:
        return ENGINES[name]
    except KeyError:
        raise ConfigError(f"unknown engine {name!r}: expected one of {', '.join(ENGINES)}") from None


# --------------------------------------------------------------------------- mkdocs.yml as written

class _Tagged:
    """A YAML value with a tag MkDocs resolves itself (``!ENV``, ``!relative``, ``!!python/name:…``): kept as written."""

    def __init__(self, node: yaml.Node) -> None:
        self.node = node


class _WrittenLoader(yaml.SafeLoader):
    pass


class _WrittenDumper(yaml.SafeDumper):
    pass


def _keep_tagged(loader: _WrittenLoader, suffix: str, node: yaml.Node) -> _Tagged:
    return _Tagged(node)


def _write_tagged(dumper: _WrittenDumper, value: _Tagged) -> yaml.Node:
    return value.node


for _prefix in ("!", "tag:yaml.org,2002:python/"):
    _WrittenLoader.add_multi_constructor(_prefix, _keep_tagged)
_WrittenDumper.add_representer(_Tagged, _write_tagged)


def read_written_config(config_file: Path) -> dict[str, Any]:
    """``mkdocs.yml`` as written, its tags kept for the engine to resolve (one mapping; ConfigError otherwise)."""
    try:
        written = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_WrittenLoader)  # a SafeLoader
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"{config_file}: cannot be read ({error})") from None
    if not isinstance(written, dict):
        raise ConfigError(f"{config_file}: expected a mapping of MkDocs settings")
    return written


def _entry_name(entry: object) -> str | None:
    """The name of a `plugins` or `markdown_extensions` entry: `name` or `{name: options}`."""
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict) and len(entry) == 1:
        return str(next(iter(entry)))
    return None


# --------------------------------------------------------------------------- the site configuration

def not_in_nav_patterns(docs_dir: Path, unlisted: Collection[str]) -> str:
    """MkDocs ``not_in_nav`` (gitignore patterns) for exactly the ``unlisted`` pages, compactly.

    One pattern per page would make MkDocs match every file against thousands of patterns; a folder whose
    pages are mostly unlisted becomes ``/folder/*.md`` with a ``!`` pattern for each page it lists.
    """
    by_folder: dict[str, set[str]] = {}
    for page in unlisted:
        by_folder.setdefault(page.rpartition("/")[0], set()).add(page)
    patterns = []
    for folder, pages in sorted(by_folder.items()):
        every = {path.relative_to(docs_dir).as_posix() for path in (docs_dir / folder).glob("*.md")}
        listed = sorted(every - pages)
        if len(listed) < len(pages):
            patterns += [f"/{folder}/*.md" if folder else "/*.md", *(f"!/{page}" for page in listed)]
        else:
            patterns += [f"/{page}" for page in sorted(pages)]
    return "\n".join(patterns)


@dataclass(frozen=True)
class SiteFacts:
    """What the generator adds to mkdocs.yml for an engine that runs without the plugin (the plugin sets the same)."""

    nav: Sequence[Any]
    unlisted: Collection[str]
    extra: dict[str, str]  # extra.litreview: what the theme override reads (theme_extra)
    glossary: dict[str, str]  # abbreviation → expansion, for hand-written pages
    theme_dir: Path | None  # the tool's theme overrides, used when mkdocs.yml names no custom_dir


def theme_extra(release: str, use_directory_urls: bool) -> dict[str, str]:
    """``extra.litreview``, what the theme override (templates/theme/main.html) writes at every page's foot: the
    release in words, and the changelog's URL from the site's root, for the theme's `url` filter. The site
    configuration holds it; the plugin sets the same in MkDocs' process."""
    return {"release": release, "changelog": "changelog/" if use_directory_urls else "changelog.html"}


def site_configuration(config_file: Path, docs_dir: Path, facts: SiteFacts) -> str:
    """The text of the site configuration for ``config_file`` (see the module)."""
    written = read_written_config(config_file)
    settings: dict[str, Any] = {"INHERIT": config_file.name}
    plugins = written.get("plugins")
    if isinstance(plugins, list):
        settings["plugins"] = [entry for entry in plugins if _entry_name(entry) != PLUGIN_NAME]
    elif isinstance(plugins, dict):  # the mapping form of `plugins`
        settings["plugins"] = {name: options for name, options in plugins.items() if name != PLUGIN_NAME}
    if written.get("nav") is None and facts.nav:
        settings["nav"] = list(facts.nav)
    patterns = not_in_nav_patterns(docs_dir, facts.unlisted)
    own = written.get("not_in_nav")
    if patterns or own:
        settings["not_in_nav"] = "\n".join(part for part in (own if isinstance(own, str) else "", patterns) if part) + "\n"
    extensions = written.get("markdown_extensions")
    if facts.glossary and isinstance(extensions, list) and "abbr" in map(_entry_name, extensions):
        settings["markdown_extensions"] = [_with_glossary(entry, facts.glossary) if _entry_name(entry) == "abbr" else entry
                                           for entry in extensions]
    theme = written.get("theme")
    theme_name = theme.get("name") if isinstance(theme, dict) else theme
    if facts.theme_dir is not None and theme_name == "material" and not (isinstance(theme, dict) and theme.get("custom_dir")):
        settings["theme"] = {"custom_dir": os.path.relpath(facts.theme_dir, config_file.parent)}
    settings["extra"] = {PLUGIN_NAME: facts.extra}
    body = yaml.dump(settings, Dumper=_WrittenDumper, sort_keys=False, allow_unicode=True, width=120)
    return _HEADER.format(name=SITE_CONFIG_FILE) + body


def _with_glossary(entry: object, glossary: dict[str, str]) -> dict[str, Any]:
    options = dict(entry["abbr"] or {}) if isinstance(entry, dict) and isinstance(entry.get("abbr"), dict | None) else {}
    return {"abbr": {**options, "glossary": {**glossary, **dict(options.get("glossary") or {})}}}


def write_site_configuration(config_file: Path, text: str) -> Path:
    """Write the site configuration beside ``config_file`` (atomically; only over a file litreview wrote)."""
    path = config_file.parent / SITE_CONFIG_FILE
    data = text.encode("utf-8")
    if path.is_symlink() or (path.exists() and not path.read_bytes().startswith(_HEADER.splitlines()[0].encode())):
        raise ConfigError(f"refusing to overwrite {path}: litreview did not write it (its site configuration goes there; "
                          "move the file away)")
    if path.is_file() and digest(path.read_bytes()) == digest(data):
        return path
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return path
