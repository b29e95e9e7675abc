"""A content-addressed cache of figure SVGs, so a build redraws only the figures whose inputs changed.

Drawing is the slow part of a build (about a minute for a review of 1,000 studies); most builds change
a record or two. Each figure's SVG is stored under a key that hashes everything its bytes can depend on:

- ``CACHE_FORMAT``, bumped whenever the way entries are keyed or stored changes;
- the source of the ``generator/figures/`` package and of every ``generator`` module it imports, directly or
  transitively (this module included): read once, when this module is imported, so it is the code
  this process runs even if a file is edited while ``mkdocs serve`` keeps running;
- the versions of Python, matplotlib, NumPy, SciPy and pydantic, and the bytes of the font files
  matplotlib resolves for the figures' text (a system DejaVu Sans can differ from the bundled one);
- the figure's path in the docs tree, and what the caller passes as ``inputs``: ``generator.figures``
  passes the figure's title and description (both written into the SVG), the records its drawing
  reads (whole pydantic records, not picked fields) and every URL it may link to, resolved. Its
  drawing functions are given nothing else, so they cannot read an input the key does not cover
  (see ``generator.figures.common.svg``).

Inputs are serialised canonically by :func:`canonical_json`: pydantic records by ``model_dump_json``
(every field, in declaration order, dicts in insertion order), dataclasses field by field, enums by
class and value; any other type is refused rather than turned into an ambiguous string.

An entry is ``<folder>/<key>.svg``: the SVG bytes followed by an XML comment holding their SHA-256, so
the file is still a viewable SVG and a damaged entry is detected (a miss, redrawn and rewritten, never an
error). Entries are written atomically (temporary file, then ``os.replace``), so a concurrent or
interrupted build never sees half a file; a folder that cannot be written only costs the speed-up.

Usage (the pipeline): one cache object per build, passed to every figure of that build::

    cache = FigureCache(root / ".cache" / "figures")   # or FigureCache(None): no caching
    figures = build_figures(corpus, cache=cache)
    figures += [times_figure(corpus, page, columns, path, cache=cache) for ...]   # figures of table pages
    cache.prune_unused()   # after a complete build only: removes the entries this object did not use

The folder is a cache: deleting it, or any file in it, costs only the time to redraw. Keep it out of
``docs/`` and out of version control. Builds may share it, even at the same time: writes are atomic,
and at worst one build's pruning costs another a redraw next time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import functools
import hashlib
import json
import logging
import os
import platform
import re
import tempfile
import time
from collections.abc import Callable, Iterable
from importlib.metadata import version
from pathlib import Path

from pydantic import BaseModel

log = logging.getLogger("mkdocs.plugins.litreview")

CACHE_FORMAT = 1
_PACKAGE = "generator"
_PACKAGE_DIR = Path(__file__).resolve().parent.parent
_ROOT_MODULES = ("figures",)  # the drawing code, this module included: its imports are followed
_KEY = re.compile(r"[0-9a-f]{64}")
_TEMP_SUFFIX = ".tmp"
_STALE_TEMP_SECONDS = 3600.0  # a temporary file this old was left by an interrupted write


# Any mention of a package module counts (a docstring's too: including one module too many only costs a
# cache miss, missing one would serve stale figures). Parsing with ast would be exact but takes 0.15 s.
_MODULE_MENTION = re.compile(rb"\b" + _PACKAGE.encode() + rb"\.([A-Za-z_]\w*)")
_FROM_PACKAGE = re.compile(rb"^[ \t]*from[ \t]+(?:" + _PACKAGE.encode() + rb"|\.)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)", re.MULTILINE)
_RELATIVE = re.compile(rb"^[ \t]*from[ \t]+\.+([A-Za-z_]\w*)", re.MULTILINE)
_NAME = re.compile(rb"[A-Za-z_]\w*")


def _imported_modules(source: bytes) -> set[str]:
    """Names of the package's modules that ``source`` imports or names, at any depth of the code."""
    found = {match.group(1) for match in _MODULE_MENTION.finditer(source)}
    found |= {match.group(1) for match in _RELATIVE.finditer(source)}
    for match in _FROM_PACKAGE.finditer(source):  # from generator import a, b
        found |= {name.group(0) for name in _NAME.finditer(match.group(1).split(b"#")[0])} - {b"as"}
    return {name.decode() for name in found}


def code_sources(roots: Iterable[str] = _ROOT_MODULES) -> dict[str, bytes]:
    """Module name → source, for ``roots`` and every module of the package they import, transitively."""
    sources: dict[str, bytes] = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in sources:
            continue
        if (_PACKAGE_DIR / name).is_dir():
            # A subpackage (the drawing code, generator/figures/) is one unit: all its modules, named by their paths. A folder
            # of data files (an installed wheel's templates/, the starter review) holds no code, and adds nothing.
            modules = sorted((_PACKAGE_DIR / name).rglob("*.py"))
            sources[name] = b"".join(f"# {path.relative_to(_PACKAGE_DIR).as_posix()}\n".encode() + path.read_bytes() for path in modules)
            pending += sorted(_imported_modules(sources[name]) - sources.keys())
            continue
        path = _PACKAGE_DIR / f"{name}.py"
        # A name that is not a module file (a name imported from the package, a word in a docstring) adds nothing.
        sources[name] = path.read_bytes() if path.is_file() else b""
        pending += sorted(_imported_modules(sources[name]) - sources.keys())
    return sources


def _code_digest(sources: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(sources):
        digest.update(f"{name}\0{len(sources[name])}\0".encode())
        digest.update(sources[name])
    return digest.hexdigest()


# Read at import, next to the import of the drawing code itself: the code this process runs.
CODE_DIGEST = _code_digest(code_sources())


ENVIRONMENT_FILE = "environment.json"  # in the cache folder: the last environment digest, and what it was made from
# What decides which font files matplotlib resolves, besides its version: where it keeps its font list.
_FONT_LIST_VARIABLES = ("MPLCONFIGDIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "HOME")


def _versions() -> list[str]:
    return [platform.python_version(), *(f"{dist} {version(dist)}" for dist in ("matplotlib", "numpy", "scipy", "pydantic"))]


def _stat(path: str) -> list[int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return [status.st_mtime_ns, status.st_size]


@functools.cache
def _environment_digest(folder: Path | None) -> str:
    """Versions and font files the drawing depends on beyond this package's code (computed once per process).

    Finding the fonts means importing matplotlib's font manager (0.2 s), which a build whose figures are all cached
    need not do: the digest is kept in ``folder`` with what it was made from (the versions, where matplotlib keeps
    its font list, and the size and date of that list and of each font file) and used again while all of them match.
    """
    versions = _versions()
    stamp = {"versions": versions, "variables": {name: os.environ.get(name) for name in _FONT_LIST_VARIABLES}}
    memo = folder / ENVIRONMENT_FILE if folder is not None else None
    if memo is not None:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError, AttributeError):
            kept = json.loads(memo.read_text(encoding="utf-8"))
            if kept["stamp"] == stamp and kept["files"] and all(_stat(path) == stat for path, stat in kept["files"].items()):
                return str(kept["digest"])
    # Imported here: this module is cheap to import for a pipeline that only validates.
    import matplotlib
    from matplotlib.font_manager import FontManager, FontProperties, findfont

    digest = hashlib.sha256()
    digest.update("\n".join(versions).encode())
    fonts = {findfont(FontProperties(family="DejaVu Sans", weight=weight, style=style), fallback_to_default=True)
             for weight in ("normal", "bold") for style in ("normal", "italic")}
    for font in sorted(fonts):
        digest.update(font.encode() + b"\0" + Path(font).read_bytes())
    if memo is not None:
        # matplotlib's font list, where its font_manager reads it (matplotlib rebuilds it when it is missing)
        font_list = os.path.join(matplotlib.get_cachedir(), f"fontlist-v{FontManager.__version__}.json")
        files = {path: _stat(path) for path in [*sorted(fonts), font_list]}
        if all(files.values()):
            _write_entry(memo, json.dumps({"stamp": stamp, "files": files, "digest": digest.hexdigest()}, indent=1).encode(), trailer=False)
    return digest.hexdigest()


def canonical_json(value: object, records: dict[int, tuple[BaseModel, str]] | None = None) -> str:
    """A canonical JSON text of ``value``: equal text for equal inputs, and different text for different ones.

    ``records`` memoises the serialisation of pydantic records by identity (they are frozen), so figures
    that share records serialise each once per build.
    """
    parts: list[str] = []
    _write(value, parts, records if records is not None else {})
    return "".join(parts)


def _write(value: object, parts: list[str], records: dict[int, tuple[BaseModel, str]]) -> None:
    if isinstance(value, BaseModel):
        known = records.get(id(value))
        if known is None or known[0] is not value:
            known = records[id(value)] = (value, f'{{"{type(value).__qualname__}":{value.model_dump_json()}}}')
        parts.append(known[1])
    elif isinstance(value, enum.Enum):  # before str: a StrEnum is both
        parts.append(json.dumps(f"{type(value).__qualname__}.{value.name}"))
    elif value is None or isinstance(value, (str, int, float)):  # bool is an int; floats by repr, exact
        parts.append(json.dumps(value, ensure_ascii=False, allow_nan=False))
    elif isinstance(value, (list, tuple)):
        parts.append("[")
        for index, item in enumerate(value):
            parts.append("," if index else "")
            _write(item, parts, records)
        parts.append("]")
    elif isinstance(value, dict):  # pairs in insertion order: drawing code may iterate a dict in that order
        _write([[key, item] for key, item in value.items()], parts, records)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
        _write({type(value).__qualname__: fields}, parts, records)
    else:
        raise TypeError(f"cannot key a figure on a {type(value).__qualname__}: give its data as records, dataclasses or plain values")


PENDING = b""  # the SVG of a figure whose drawing was deferred (FigureCache(defer=True)); never written


@dataclasses.dataclass(frozen=True)
class DeferredFigure:
    """A figure to draw later: ``draw`` pickles (module-level functions and data), so another process can run it."""

    path: str  # in the docs tree
    draw: Callable[[], bytes]
    entry: Path | None  # where the cache keeps it, if caching

    def run(self) -> bytes:
        svg = self.draw()
        if self.entry is not None:
            _write_entry(self.entry, svg)
        return svg


class FigureCache:
    """SVG bytes by content key in ``folder``; ``FigureCache(None)`` draws every figure and stores nothing.

    :meth:`svg` is the whole interface for drawing code; :meth:`prune_unused` is for the pipeline, after a
    complete build. ``hits`` and ``misses`` count lookups since the cache was made (for logs and tests).
    """

    def __init__(self, folder: Path | None, defer: bool = False) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0
        # With ``defer``, a miss is not drawn here: :meth:`svg` returns PENDING and the drawing is queued in
        # ``deferred``, drawn after the pages (generator.publish.process), while MkDocs converts them.
        self.defer = defer
        self.deferred: list[DeferredFigure] = []
        self._used: set[str] = set()
        self._records: dict[int, tuple[BaseModel, str]] = {}

    def key(self, path: str, inputs: object) -> str:
        """The key of the figure at ``path`` drawn from ``inputs`` by this code in this environment."""
        digest = hashlib.sha256()
        for part in (f"litreview-figure-cache {CACHE_FORMAT}", CODE_DIGEST, _environment_digest(self.folder), path):
            digest.update(part.encode() + b"\0")
        digest.update(canonical_json(inputs, self._records).encode())
        return digest.hexdigest()

    def svg(self, path: str, inputs: object, draw: Callable[[], bytes]) -> bytes:
        """The cached SVG of the figure at ``path`` for ``inputs``; else ``draw()``, stored for next time.

        ``inputs`` must hold everything ``draw`` reads (see the module docstring): the key covers it
        and nothing else of the caller's.
        """
        if self.folder is None and not self.defer:
            return draw()
        entry = None
        if self.folder is not None:
            key = self.key(path, inputs)
            self._used.add(key)
            entry = self.folder / f"{key}.svg"
            svg = _read_entry(entry)
            if svg is not None:
                self.hits += 1
                return svg
        self.misses += 1
        if self.defer:
            self.deferred.append(DeferredFigure(path, draw, entry))
            return PENDING
        svg = draw()
        if entry is not None:
            _write_entry(entry, svg)
        return svg

    def prune_unused(self) -> int:
        """Delete the entries this cache did not use (and stale temporary files); the number deleted.

        Call it only after a build that asked for every figure, or it deletes entries still wanted.
        """
        if self.folder is None or not self.folder.is_dir():
            return 0
        removed = 0
        now = time.time()
        for item in self.folder.iterdir():
            if item.suffix == ".svg" and _KEY.fullmatch(item.stem):
                unused = item.stem not in self._used
            elif item.name.startswith(".") and item.name.endswith(_TEMP_SUFFIX):
                unused = _age(item, now) > _STALE_TEMP_SECONDS  # younger: another build may be writing it now
            else:
                continue  # not ours: leave it
            if unused:
                try:
                    item.unlink()
                    removed += 1
                except FileNotFoundError:
                    pass  # another build pruned it first
        return removed


def _age(path: Path, now: float) -> float:
    try:
        return now - path.stat().st_mtime
    except OSError:
        return 0.0


def _trailer(svg: bytes) -> bytes:
    """What follows the SVG in its entry: a comment holding its SHA-256 (so the file is still an SVG)."""
    return f"\n<!-- sha256:{hashlib.sha256(svg).hexdigest()} -->\n".encode()


_TRAILER_LENGTH = len(_trailer(b""))


def _read_entry(entry: Path) -> bytes | None:
    """The SVG stored in ``entry``, or None when it is missing, unreadable or does not match its checksum."""
    try:
        data = entry.read_bytes()
    except OSError:
        return None
    svg, trailer = data[:-_TRAILER_LENGTH], data[-_TRAILER_LENGTH:]
    return svg if svg and trailer == _trailer(svg) else None


def _write_entry(entry: Path, svg: bytes, trailer: bool = True) -> None:
    """Store atomically; a failure is logged, not raised: the figure is drawn, only the next build's speed-up is lost."""
    data = svg + _trailer(svg) if trailer else svg
    temp: str | None = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=entry.parent, prefix=f".{entry.stem[:16]}.", suffix=_TEMP_SUFFIX)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temp, entry)
        temp = None
    except OSError as error:
        log.info("figure cache: could not store %s: %s", entry, error)  # info: a strict build must not fail for a cache
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
