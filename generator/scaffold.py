"""``litreview init DIR``: a new review that validates and builds as it is written.

The files come from the starter review shipped in the package (``generator/starter/``), copied one by one:

- a name ending in ``.j2`` is rendered with Jinja2 (the review's title, whether it has its own templates) and
  loses the suffix: ``mkdocs.yml``, ``CITATION.cff``, ``README.md``;
- a name starting with ``dot-`` gets its dot back (``dot-gitignore`` → ``.gitignore``): stored without it, the
  starter's ``.gitignore`` cannot apply to the repository that holds the tool;
- every other file is copied byte for byte. Its records are fictional examples and say so in their names.

With ``--with-templates`` the page templates are copied too (``templates/``) and ``mkdocs.yml`` points at them;
otherwise the review uses the templates installed with the tool.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import jinja2

from generator import __version__, bundled
from generator.errors import ReviewError

RENDERED_SUFFIX = ".j2"
DOT_PREFIX = "dot-"
TEMPLATES_FOLDER = "templates"  # where --with-templates puts the copy, relative to the review
TITLE_MAX_LENGTH = 200


def check_title(title: str) -> str:
    """The title as given, if it can be a site name: one line of text, not blank."""
    if not title.strip():
        raise ReviewError("the title is empty: give --title a few words")
    if any(unicodedata.category(char) == "Cc" for char in title):
        raise ReviewError("the title must be one line of text, without control characters")
    if len(title) > TITLE_MAX_LENGTH:
        raise ReviewError(f"the title has {len(title)} characters; at most {TITLE_MAX_LENGTH} make a site name")
    return title


def _yaml_string(text: str) -> str:
    """A YAML double-quoted scalar: a JSON string is one (YAML 1.2 is a superset of JSON)."""
    return json.dumps(text, ensure_ascii=False)


def _visible_files(folder: Path) -> list[Path]:
    """Files under ``folder`` in a stable order, leaving out hidden ones (editor and system leftovers)."""
    return [path for path in sorted(folder.rglob("*"))
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)]


def review_files(title: str, with_templates: bool) -> dict[str, bytes]:
    """Every file of a new review: relative POSIX path → bytes."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(bundled.STARTER_DIR)), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, autoescape=False)
    env.filters["yaml_string"] = _yaml_string
    context = {"title": check_title(title), "with_templates": with_templates, "version": __version__}
    files: dict[str, bytes] = {}
    for path in _visible_files(bundled.STARTER_DIR):
        relative = path.relative_to(bundled.STARTER_DIR)
        name = relative.name
        if name.startswith(DOT_PREFIX):
            name = "." + name.removeprefix(DOT_PREFIX)
        if name.endswith(RENDERED_SUFFIX):
            content = env.get_template(relative.as_posix()).render(context).encode("utf-8")
            name = name.removesuffix(RENDERED_SUFFIX)
        else:
            content = path.read_bytes()
        files[(relative.parent / name).as_posix()] = content
    if with_templates:
        templates = bundled.templates_dir()
        for path in _visible_files(templates):
            files[f"{TEMPLATES_FOLDER}/{path.relative_to(templates).as_posix()}"] = path.read_bytes()
    return files


def init_review(target: Path, title: str, with_templates: bool = False, extra: Mapping[str, bytes] | None = None) -> list[str]:
    """Write a new review into ``target`` (absent or empty), plus ``extra`` files; return the paths written.

    Refuses a non-empty folder before writing anything, and never overwrites a file.
    """
    if target.exists() and not target.is_dir():
        raise ReviewError(f"{target} exists and is not a folder: give `litreview init` a new or empty folder")
    try:
        occupied = target.is_dir() and any(target.iterdir())
    except OSError as error:
        raise ReviewError(f"cannot read {target}: {error.strerror or error}") from None
    if occupied:
        raise ReviewError(f"{target} is not empty: `litreview init` writes a new review only into a new or empty folder")
    files = review_files(title, with_templates) | dict(extra or {})
    for relative, content in files.items():
        path = target / relative
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("xb") as file:
                file.write(content)
        except OSError as error:
            raise ReviewError(f"cannot write {path}: {error.strerror or error}") from None
    return sorted(files)
