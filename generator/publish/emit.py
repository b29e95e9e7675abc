"""Stage 5, emit: write the generated tree into the docs folder, safely.

The emitter owns exactly the files it recorded, in its manifest, as written by itself. It
- writes a file only when its bytes change (so `mkdocs serve` sees only real changes
  and rebuilds settle),
- writes each file through a temporary file and an atomic rename (no half-written page),
- records the files it is about to write before writing them, and the SHA-256 of each file's
  bytes before it renames the file into place (in a journal beside the manifest), so that an
  interrupted run is finished by the next one,
- removes files it generated before that are no longer produced, but only a file inside the docs
  folder, recorded with its hash, and still holding the bytes it wrote: a manifest naming a path
  outside the folder is refused, and a file changed since (or never recorded as written) is left
  in place and reported,
- can write the tree as it is made (:class:`TreeWriter`), file by file, with the same guarantees,
- refuses to overwrite a file it did not generate (a hand-written page is never lost), and never
  writes through a symbolic link or outside the docs folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from generator.errors import EmitError, printable

MANIFEST_NAME = ".litreview-generated.json"
JOURNAL_NAME = ".litreview-generated.journal"  # "<sha256> <path>" per file, appended just before the file is renamed into place
MANIFEST_VERSION = 2
_NAME_MAX = 1024
log = logging.getLogger("mkdocs.plugins.litreview")


@dataclass(frozen=True)
class EmitReport:
    written: list[str]
    unchanged: int
    removed: list[str]
    kept: list[str] = field(default_factory=list)  # no longer produced, but not deleted: changed since written, or never recorded as written


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def safe_name(name: object) -> bool:
    """Whether ``name`` is a relative POSIX path that stays inside the folder: no ``..``, no absolute path, no
    backslash or control character, and not the emitter's own bookkeeping files."""
    if not isinstance(name, str) or not name or len(name) > _NAME_MAX or "\\" in name or name.startswith("/"):
        return False
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        return False
    parts = name.split("/")
    return all(part not in ("", ".", "..") for part in parts) and PurePosixPath(name).name not in (MANIFEST_NAME, JOURNAL_NAME)


def _inside(out_dir: Path, name: str, seen: dict[Path, bool] | None = None) -> bool:
    """Whether the folder that would hold ``name`` is inside ``out_dir`` once symbolic links are followed
    (``seen``: folders already asked about in this run, since a tree has thousands of files in a few folders)."""
    parent = (out_dir / name).parent
    if seen is not None and parent in seen:
        return seen[parent]
    try:
        resolved, root = parent.resolve(), out_dir.resolve()
        inside = resolved == root or root in resolved.parents
    except OSError:
        inside = False
    if seen is not None:
        seen[parent] = inside
    return inside


def _read_manifest(out_dir: Path) -> dict[str, str | None]:
    """Each recorded file → the SHA-256 of the bytes the emitter wrote to it (None: claimed, not yet recorded as written).

    The journal's records (files written by a run that did not finish) are folded in. A manifest that is not one
    this emitter writes, or that names a path outside the folder, is refused before anything is touched.
    """
    path = out_dir / MANIFEST_NAME
    recorded: dict[str, str | None] = {}
    if path.is_file() and not path.is_symlink():
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            files = manifest["files"]
            if isinstance(files, list):  # written by an earlier version: names only, nothing known of their bytes
                recorded = dict.fromkeys(files)
            elif isinstance(files, dict) and all(value is None or isinstance(value, str) for value in files.values()):
                recorded = dict(files)
            else:
                raise TypeError("'files' is neither a list nor an object of hashes")
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
            raise EmitError(f"{path} is damaged ({error}); delete it and the generated folders, then build again") from None
    elif path.is_symlink():
        raise EmitError(f"{path} is a symbolic link; the generator's manifest must be a regular file it wrote: delete it and build again")
    for name, sha in _read_journal(out_dir):
        recorded[name] = sha
    unsafe = sorted(repr(name) for name in recorded if not safe_name(name))
    if unsafe:
        raise EmitError(f"{path} lists {', '.join(unsafe[:5])}{' …' if len(unsafe) > 5 else ''}, outside {out_dir}: it was not written by "
                        "this generator, so nothing was deleted; delete it and the generated folders, then build again")
    return recorded


def _manifest_hashes(out_dir: Path) -> dict[str, str | None]:
    """The manifest's own record of each file (without the journal), for telling a file the generator wrote from
    one put in its place; nothing when it has none (a damaged manifest was refused by _read_manifest already)."""
    path = out_dir / MANIFEST_NAME
    if not path.is_file() or path.is_symlink():
        return {}
    files = json.loads(path.read_text(encoding="utf-8")).get("files")
    return dict(files) if isinstance(files, dict) else {}


def generated_before(out_dir: Path) -> set[str]:
    """Files an earlier run wrote that still hold its bytes: the generator's, whether or not this run produces them
    again (one it no longer produces is removed when the tree is written, so it is no hand-written page)."""
    return {name for name, sha in _read_manifest(out_dir).items() if _still_ours(out_dir / name, sha)}


def _read_journal(out_dir: Path) -> list[tuple[str, str]]:
    path = out_dir / JOURNAL_NAME
    if not path.is_file() or path.is_symlink():
        return []
    entries = []
    for line in path.read_bytes().decode("utf-8", "replace").splitlines():
        sha, _, name = line.partition(" ")
        if len(sha) == 64 and name:  # a line cut short by an interruption is ignored: its file was not renamed into place
            entries.append((name, sha))
    return entries


@contextlib.contextmanager
def _os_errors_said(out_dir: Path) -> Iterator[None]:
    """A failed write (a read-only folder, a full disk) ends in one clean line, not a traceback; what was there before
    stays (files are replaced atomically)."""
    try:
        yield
    except OSError as error:
        where = error.filename or out_dir
        raise EmitError(f"cannot write {where}: {error.strerror or error} (check that {out_dir} is writable and its disk has room; "
                        "the files already there are unchanged)") from None


def _journal(out_dir: Path, name: str, sha: str) -> None:
    with open(out_dir / JOURNAL_NAME, "a", encoding="utf-8") as stream:
        stream.write(f"{sha} {name}\n")


def _write_atomic(path: Path, data: bytes, before_rename: Callable[[], None] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would keep a web server running as another user out
        if before_rename:
            before_rename()
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _still_ours(path: Path, sha: str | None) -> bool:
    """Whether ``path`` is a regular file holding exactly the bytes the emitter recorded writing."""
    if sha is None or path.is_symlink() or not path.is_file():
        return False
    return digest(path.read_bytes()) == sha


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
        with _os_errors_said(out_dir):
            self._claim(out_dir, names, unlisted)

    def _claim(self, out_dir: Path, names: Collection[str], unlisted: Collection[str]) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        previous = _read_manifest(out_dir)
        names = set(names)
        # Bytes each recorded file may hold and still be the generator's: the manifest's, and the journal's (a run cut
        # off between its journal line and its rename left the manifest's bytes in place).
        known: dict[str, set[str]] = {}
        for name, sha in [*_manifest_hashes(out_dir).items(), *_read_journal(out_dir)]:
            if sha is not None:
                known.setdefault(name, set()).add(sha)
        hashes = _manifest_hashes(out_dir)
        # A name claimed but never recorded as written (null) whose file exists was put there by someone else: a claim
        # is made only where no file is. (A manifest of an earlier version records no hashes: its files are taken as ours.)
        changed = sorted(name for name in names & set(previous) if os.path.lexists(out_dir / name)
                         and (name in known or name in hashes)
                         and not any(_still_ours(out_dir / name, sha) for sha in known.get(name, ())))
        if changed:
            raise EmitError(
                "refusing to overwrite files that changed since the generator wrote them (someone's edits, or files put in their "
                "place): " + ", ".join(str(out_dir / name) for name in changed[:10]) + (" …" if len(changed) > 10 else "")
                + "; move them out of the way (or delete them if they are stale), then build again")
        folders: dict[Path, bool] = {}
        bad = sorted(name for name in names if not safe_name(name) or not _inside(out_dir, name, folders))
        if bad:
            raise EmitError(f"refusing to write outside {out_dir}: {', '.join(map(repr, bad[:5]))}")
        clashes = sorted(name for name in names if name not in previous and os.path.lexists(out_dir / name))
        if clashes:
            raise EmitError(
                "refusing to overwrite files that the generator did not write: "
                + ", ".join(str(out_dir / name) for name in clashes)
                + " (rename the hand-written page, or delete it if it is a stale generated copy)"
            )
        self.recorded: dict[str, str | None] = {name: previous.get(name) for name in names}
        # Claim the new files before writing any: if this run is interrupted, the next one knows they are
        # its own (and does not mistake them for hand-written pages).
        _write_manifest(out_dir, {**previous, **self.recorded})
        (out_dir / JOURNAL_NAME).unlink(missing_ok=True)  # folded into the manifest just written
        self.removed: list[str] = []
        self.kept: list[str] = []
        for name in sorted(set(previous) - names):
            path = out_dir / name
            if not os.path.lexists(path):
                continue
            if _inside(out_dir, name, folders) and _still_ours(path, previous[name]):
                path.unlink()
                _prune_empty_dirs(path.parent, out_dir)
                self.removed.append(name)
            else:
                self.kept.append(name)  # changed since written, or never recorded as written: no longer the generator's
        if self.kept:
            log.warning("%d file(s) the generator no longer produces were left in %s, because they changed since it wrote them (or it "
                        "never recorded writing them): %s. They are now treated as hand-written pages; delete them if they are stale.",
                        len(self.kept), out_dir, printable(", ".join(self.kept[:10])) + (" …" if len(self.kept) > 10 else ""))
        self.out_dir, self.unlisted = out_dir, unlisted
        self.written: list[str] = []
        self.unchanged = 0
        # The manifest now drops what was removed or given up: only the tree's own files stay claimed.
        _write_manifest(out_dir, self.recorded)

    def write(self, name: str, data: bytes) -> bool:
        """Write one file of the tree (unless it holds ``data`` already); whether it was written."""
        claimed = name in self.recorded  # its name was checked when the tree was claimed
        self.recorded[name] = digest(data)
        if emit_file(self.out_dir, name, data, checked=claimed):  # OSError said as EmitError there
            self.written.append(name)
            return True
        self.unchanged += 1
        return False

    def finish(self) -> EmitReport:
        """Record the tree (the manifest now lists exactly its files, with their hashes); what was written, kept and removed."""
        with _os_errors_said(self.out_dir):
            _write_manifest(self.out_dir, self.recorded, self.unlisted)
            (self.out_dir / JOURNAL_NAME).unlink(missing_ok=True)
        return EmitReport(self.written, self.unchanged, self.removed, self.kept)


def emit_file(out_dir: Path, name: str, data: bytes, checked: bool = False) -> bool:
    """Write one file of the tree unless it already holds ``data`` (its date then stays, for ``serve --dirty``).

    The file's hash goes into the journal before the file is renamed into place: a later run then knows the
    file as its own even if this one is interrupted before recording the tree. ``checked``: the name is one a
    :class:`TreeWriter` has already found safe.
    """
    if not checked and (not safe_name(name) or not _inside(out_dir, name)):
        raise EmitError(f"refusing to write outside {out_dir}: {name!r}")
    path = out_dir / name
    if path.is_symlink():
        raise EmitError(f"refusing to write through a symbolic link: {path}")
    with _os_errors_said(out_dir):
        if path.is_file() and path.read_bytes() == data:
            return False
        sha = digest(data)
        _write_atomic(path, data, before_rename=lambda: _journal(out_dir, name, sha))
    return True


def _write_manifest(out_dir: Path, recorded: dict[str, str | None], unlisted: Iterable[str] = ()) -> None:
    manifest = json.dumps({"version": MANIFEST_VERSION, "files": dict(sorted(recorded.items())), "not_in_nav": sorted(unlisted)},
                          indent=1).encode() + b"\n"
    path = out_dir / MANIFEST_NAME
    if path.is_symlink() or not path.is_file() or path.read_bytes() != manifest:
        _write_atomic(path, manifest)


def _prune_empty_dirs(directory: Path, stop: Path) -> None:
    while directory != stop and directory.is_dir() and not directory.is_symlink() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent
