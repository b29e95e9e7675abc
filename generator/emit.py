"""Stage 5, emit: write the generated tree into the docs folder, safely.

The emitter owns exactly the files it listed in its manifest last time. It
- writes a file only when its bytes change (so `mkdocs serve` sees only real changes
  and rebuilds settle),
- writes each file through a temporary file and an atomic rename (no half-written page),
- records the files it is about to write before writing them, so that an interrupted run is
  finished by the next one,
- removes files it generated before that are no longer produced,
- can write the tree as it is made (:class:`TreeWriter`), file by file, with the same guarantees,
- refuses to overwrite a file it did not generate (a hand-written page is never lost).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.errors import EmitError

MANIFEST_NAME = ".litreview-generated.json"


@dataclass(frozen=True)
class EmitReport:
    written: list[str]
    unchanged: int
    removed: list[str]


def _read_manifest(out_dir: Path) -> set[str]:
    path = out_dir / MANIFEST_NAME
    if not path.is_file():
        return set()
    try:
        return set(json.loads(path.read_text(encoding="utf-8"))["files"])
    except (ValueError, KeyError, TypeError) as error:
        raise EmitError(f"{path} is damaged ({error}); delete it and the generated folders, then build again") from None


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def emit_tree(files: dict[str, bytes], out_dir: Path, unlisted: Collection[str] = ()) -> EmitReport:
    """Make ``out_dir`` hold ``files`` (relative POSIX paths → bytes) beside any hand-written files.

    ``unlisted`` (pages kept out of the navigation) is recorded in the manifest, for tools that build the
    tree without the plugin (the benchmark's MkDocs-alone build turns it into ``not_in_nav``).
    """
    writer = TreeWriter(out_dir, files.keys(), unlisted)
    for name in sorted(files):
        writer.write(name, files[name])
    return writer.finish()


class TreeWriter:
    """The generated tree written one file at a time, as files are made, with :func:`emit_tree`'s guarantees.

    Made with every name the tree will hold: it refuses clashes with hand-written files, claims the new
    names and removes the files no longer produced at once, before anything is written (MkDocs may then
    list the docs folder while the files are still being written). :meth:`finish` records the tree.
    """

    def __init__(self, out_dir: Path, names: Collection[str], unlisted: Collection[str] = ()) -> None:
        previous = _read_manifest(out_dir)
        names = set(names)
        clashes = sorted(name for name in names if name not in previous and (out_dir / name).exists())
        if clashes:
            raise EmitError(
                "refusing to overwrite files that the generator did not write: "
                + ", ".join(str(out_dir / name) for name in clashes)
                + " (rename the hand-written page, or delete it if it is a stale generated copy)"
            )
        # Claim the new files before writing any: if this run is interrupted, the next one knows they are
        # its own (and does not mistake them for hand-written pages).
        _write_manifest(out_dir, previous | names)
        self.removed = sorted(previous - names)
        for name in self.removed:
            (out_dir / name).unlink(missing_ok=True)
            _prune_empty_dirs((out_dir / name).parent, out_dir)
        self.out_dir, self.names, self.unlisted = out_dir, names, unlisted
        self.written: list[str] = []
        self.unchanged = 0

    def write(self, name: str, data: bytes) -> bool:
        """Write one file of the tree (unless it holds ``data`` already); whether it was written."""
        if emit_file(self.out_dir, name, data):
            self.written.append(name)
            return True
        self.unchanged += 1
        return False

    def finish(self) -> EmitReport:
        """Record the tree (the manifest now lists exactly its files); what was written, kept and removed."""
        _write_manifest(self.out_dir, self.names, self.unlisted)
        return EmitReport(self.written, self.unchanged, self.removed)


def emit_file(out_dir: Path, name: str, data: bytes) -> bool:
    """Write one file of the tree unless it already holds ``data`` (its date then stays, for ``serve --dirty``)."""
    path = out_dir / name
    if path.is_file() and path.read_bytes() == data:
        return False
    _write_atomic(path, data)
    return True


def _write_manifest(out_dir: Path, names: Iterable[str], unlisted: Iterable[str] = ()) -> None:
    manifest = json.dumps({"files": sorted(names), "not_in_nav": sorted(unlisted)}, indent=1).encode() + b"\n"
    path = out_dir / MANIFEST_NAME
    if not path.is_file() or path.read_bytes() != manifest:
        _write_atomic(path, manifest)


def _prune_empty_dirs(directory: Path, stop: Path) -> None:
    while directory != stop and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent
