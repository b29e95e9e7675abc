"""What changed in the records, release by release, from the git tags of the review's repository.

A release is a tag ``v<number>…`` (``v1.2.0``) of the repository holding the seed records, ordered by
version, then by date. Each release is compared with the one before it (the first: every record
added), and the working tree with the last release ("unreleased"). Records are compared as the raw
data of their YAML files, not as today's models: a record released years ago need not validate under
today's schema. A file that cannot be read as YAML at all is skipped, and the entry says so.

Reading is linear in the number of records: one ``git ls-tree`` per release gives every seed file's
blob id; files whose blob is the same as at the release before are not read at all; the others are
read by one ``git cat-file --batch`` process. The working tree's files are hashed as git would hash
them, and only those that differ from the last release are parsed.

Outside a git checkout, without git, or with no release tag, the changelog is empty: never an error.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from generator.errors import ConfigError
from generator.records.link import Corpus
from generator.records.load import MAX_RECORD_BYTES, parse_yaml
from generator.records.schema import RECORD_KINDS
from generator.releases.history import run_git

RELEASE_TAGS = "refs/tags/v[0-9]*"
RELEASE_VARIABLE = "LITREVIEW_RELEASE"  # set by CI: a version (`1.2.0`) or `dev`
_VERSION = re.compile(r"v?([0-9]+(?:\.[0-9]+)*)(.*)", re.DOTALL)
_RELEASE_VALUE = re.compile(r"v?[0-9][0-9A-Za-z.+-]*")  # what a release tag's name may hold after its v (no "_": anchors)
# The fields that tell one reported value of a record from another (beside where it sits).
IDENTIFYING_FIELDS = ("measure", "marker", "category", "statistic", "timepoint", "endpoint", "comparator", "subgroup", "date")
EVIDENCE_FIELDS = frozenset({"source", "quote"})  # where a value stands, not what it is


@dataclass(frozen=True)
class RecordRef:
    """A record as a release knew it: its kind (`studies` …), id, and short name when it had one."""

    kind: str
    id: str
    name: str | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.id}"


@dataclass(frozen=True)
class ValueKey:
    """Where a reported value sits in its record, in terms that survive edits around it.

    ``where`` is the path of field names to it (``arms.outcomes``, ``population_values``,
    ``patient.age`` …), ``arm`` the id of its arm; ``occurrence`` tells apart values alike in all of these.
    """

    where: str
    arm: str | None
    measure: str | None
    marker: str | None
    category: str | None
    statistic: str | None
    timepoint: str | None
    endpoint: str | None
    comparator: str | None
    subgroup: str | None
    date: str | None
    occurrence: int = 1


@dataclass(frozen=True)
class ValueText:
    """A reported value's content as written in the record."""

    as_reported: str
    value: str | None
    unit: str | None


@dataclass(frozen=True)
class ValueChange:
    """One reported value whose content changed; ``old`` is None for a new value, ``new`` for one removed."""

    record: RecordRef
    key: ValueKey
    old: ValueText | None
    new: ValueText | None

    @property
    def value_changed(self) -> bool:
        return self.old is not None and self.new is not None and (self.old.value, self.old.unit) != (self.new.value, self.new.unit)


@dataclass(frozen=True)
class Release:
    """One entry of the changelog: a release (``version`` set), or the unreleased changes of the working tree."""

    version: str | None
    tag: str | None = None
    commit: str | None = None  # the tagged commit (full id)
    date: str | None = None  # the tagged commit's date and time, ISO 8601 (RFC 3339)
    added: list[RecordRef] = field(default_factory=list)
    removed: list[RecordRef] = field(default_factory=list)
    changed: list[RecordRef] = field(default_factory=list)
    values: list[ValueChange] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # seed files (relative to the seeds folder) not compared

    @property
    def day(self) -> str | None:
        return self.date[:10] if self.date else None

    @property
    def anchor(self) -> str:
        """The entry's id on the changelog page (and fragment of its feed entry)."""
        return re.sub(r"[^A-Za-z0-9_-]", "-", self.tag) if self.tag else "unreleased"

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.values or self.unreadable)


@dataclass(frozen=True)
class Changelog:
    releases: list[Release] = field(default_factory=list)  # newest first
    unreleased: Release | None = None  # the working tree against the last release, when they differ
    head: str | None = None  # short id of the commit checked out
    tagged: str | None = None  # the version of the release tag on that commit (the highest, if several)

    @property
    def latest(self) -> Release | None:
        return self.releases[0] if self.releases else None

    @property
    def entries(self) -> list[Release]:
        """What the changelog page lists, newest first."""
        return ([self.unreleased] if self.unreleased else []) + self.releases


@dataclass(frozen=True)
class ReleaseInfo:
    """The release a build belongs to: ``version`` (and its date), or a development version after ``after``."""

    version: str | None = None
    date: str | None = None  # YYYY-MM-DD of the release, when known
    after: str | None = None  # development version: the last release before it
    commit: str | None = None  # development version: the short id of the commit built

    @property
    def development(self) -> bool:
        return self.version is None


def version_key(tag: str) -> tuple[tuple[int, ...], int, str]:
    """Sort key of a release tag: `v1.10.0` after `v1.9.0`, and a pre-release (`v2.0.0-rc1`) before its release."""
    match = _VERSION.fullmatch(tag)
    if match is None:
        return ((), 0, tag)
    suffix = match[2]
    return (tuple(int(part) for part in match[1].split(".")), 0 if suffix else 1, suffix)


def release_info(changelog: Changelog, environ: Mapping[str, str] | None = None) -> ReleaseInfo:
    """The release being built: ``LITREVIEW_RELEASE`` if set, else a release tag on the commit built (with
    the records as released), else the development version after the last release."""
    environ = os.environ if environ is None else environ
    latest = changelog.latest
    after = latest.version if latest else None
    stated = environ.get(RELEASE_VARIABLE, "").strip()
    if stated == "dev":
        return ReleaseInfo(after=after, commit=changelog.head)
    if stated:
        if not _RELEASE_VALUE.fullmatch(stated):
            raise ConfigError(f"{RELEASE_VARIABLE}={stated!r}: expected a version such as 1.2.0, or dev")
        return _released(changelog, stated.removeprefix("v"))
    if changelog.tagged is not None and changelog.unreleased is None:
        return _released(changelog, changelog.tagged)
    return ReleaseInfo(after=after, commit=changelog.head)


def _released(changelog: Changelog, version: str) -> ReleaseInfo:
    """Release ``version``, dated when the history has its tag."""
    return ReleaseInfo(version=version, date=next((release.day for release in changelog.releases if release.version == version), None))


# --------------------------------------------------------------------------- reading the history


def record_names(corpus: Corpus) -> dict[str, str]:
    """"kind/id" → the name tables give each record as loaded now (short name; a regimen's name)."""
    return ({f"studies/{study.id}": str(study.short_name) for study in corpus.studies.values()}
            | {f"regimens/{regimen.id}": str(regimen.name) for regimen in corpus.regimens.values()}
            | {f"cases/{case.id}": str(case.short_name) for case in corpus.cases.values()})


def read_changelog(seeds_dir: Path, names: Mapping[str, str] | None = None) -> Changelog:
    """Every release of the records under ``seeds_dir``, compared with the one before; empty outside git.

    ``names`` ("kind/id" → short name of the records as loaded now) spares reading the files of records added
    or removed whose bytes are the same today: only their names are shown.
    """
    names = names or {}
    git = _Git.find(seeds_dir)
    if git is None:
        return Changelog()
    tags = git.release_tags()
    head = git.head
    tagged = max((tag for tag, commit, _ in tags if commit == head), key=version_key, default=None)
    short_head = git.short_head
    if not tags:
        return Changelog(head=short_head)
    trees = [git.seed_files(commit) for _, commit, _ in tags]
    files = _working_tree(seeds_dir, git.object_format)
    working = {path: blob for path, (blob, _) in files.items()}
    known = {path: (blob, names[path.removesuffix(".yaml")]) for path, blob in working.items() if path.removesuffix(".yaml") in names}
    # The blobs the comparisons need, read by one process (the working tree's own from its files).
    wanted: set[str] = set()
    for old, new in zip([{}, *trees[:-1]], trees, strict=True):
        wanted.update(_needed(old, new, known))
    released = set(trees[-1].values())
    wanted.update(blob for blob in _needed(trees[-1], working, known) if blob in released)
    texts = git.read_blobs(sorted(wanted))
    on_disk = {blob: file for blob, file in files.values()}
    for blob in _needed(trees[-1], working, known):
        if blob not in texts:
            texts[blob] = _read_file(on_disk[blob]) if blob in on_disk else UNREADABLE
    releases = []
    previous: dict[str, str] = {}
    for (tag, commit, date), tree in zip(tags, trees, strict=True):
        release = Release(tag.removeprefix("v"), tag, commit, date)
        _compare(previous, tree, texts, known, release)
        releases.append(release)
        previous = tree
    unreleased = Release(None)
    _compare(previous, working, texts, known, unreleased)
    return Changelog(releases[::-1], unreleased if unreleased.has_changes else None, short_head,
                     tagged.removeprefix("v") if tagged else None)


def _needed(old: dict[str, str], new: dict[str, str], known: dict[str, tuple[str, str]]) -> Iterator[str]:
    """The blobs comparing ``old`` with ``new`` reads: both sides of a changed file; the one side of a file
    added or removed, unless it is a record as it is now, whose name is known."""
    for path in old.keys() | new.keys():
        before, after = old.get(path), new.get(path)
        if before == after:
            continue
        if before is not None and after is not None:
            yield from (before, after)
        elif (blob := before or after) is not None and known.get(path, ("",))[0] != blob:
            yield blob


@dataclass(frozen=True)
class _Git:
    """The git commands the changelog runs, in the folder of the seed records."""

    folder: Path
    object_format: str
    head: str | None
    short_head: str | None

    @classmethod
    def find(cls, folder: Path) -> _Git | None:
        if not folder.is_dir():
            return None
        found = run_git(folder, "rev-parse", "--show-object-format")
        if found is None:
            return None  # no git, or not a git checkout
        head = run_git(folder, "rev-parse", "--verify", "-q", "HEAD")
        short = run_git(folder, "rev-parse", "--verify", "-q", "--short", "HEAD") if head else None
        return cls(folder, found.decode().strip(), head.decode().strip() if head else None, short.decode().strip() if short else None)

    def _git(self, *args: str, stdin: bytes | None = None) -> bytes | None:
        return run_git(self.folder, *args, stdin=stdin)

    def release_tags(self) -> list[tuple[str, str, str]]:
        """(tag, commit, commit date) of every release tag that names a commit, oldest version first."""
        # An annotated tag is peeled (%(*…)) to its commit; a lightweight tag names the commit itself.
        listed = self._git("for-each-ref", "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)%00"
                           "%(committerdate:iso-strict)%00%(*committerdate:iso-strict)", RELEASE_TAGS)
        tags = []
        for line in (listed or b"").decode("utf-8", "replace").splitlines():
            tag, direct, peeled, direct_date, peeled_date = line.split("\0")
            commit, date = (peeled, peeled_date) if peeled else (direct, direct_date)
            # a tag of a tree or a blob has no commit date: not a release; nor is a tag whose name holds more than a
            # version (a `_`, a control character: it would break the changelog's anchors and lines)
            if date and _RELEASE_VALUE.fullmatch(tag[1:]):
                tags.append((tag, commit, date))
        return sorted(tags, key=lambda tag: (version_key(tag[0]), tag[2]))

    def seed_files(self, commit: str) -> dict[str, str]:
        """Record file (``studies/<id>.yaml``, relative to the seeds folder) → blob id, at ``commit``."""
        listed = self._git("ls-tree", "-r", "-z", commit)  # limited to the seeds folder (the working directory)
        files = {}
        for entry in (listed or b"").split(b"\0"):
            meta, _, name = entry.partition(b"\t")
            parts = meta.split(b" ")
            path = name.decode("utf-8", "replace")
            if len(parts) == 3 and parts[0] in (b"100644", b"100755") and _is_record_file(path):
                files[path] = parts[2].decode()
        return files

    def read_blobs(self, blobs: list[str]) -> dict[str, Any]:
        """Blob id → its parsed YAML data, or :data:`UNREADABLE`; one ``git cat-file --batch`` for all."""
        if not blobs:
            return {}
        output = self._git("cat-file", "--batch", stdin="".join(f"{blob}\n" for blob in blobs).encode()) or b""
        found: dict[str, Any] = {}
        position = 0
        while position < len(output):
            end = output.index(b"\n", position)
            header = output[position:end].split(b" ")
            position = end + 1
            if len(header) != 3:  # "<id> missing"
                continue
            size = int(header[2])
            found[header[0].decode()] = _parse(output[position:position + size])
            position += size + 1
        return found


def _is_record_file(path: str) -> bool:
    """The files the loader reads as records: ``<kind>/<id>.yaml``, directly in a kind's folder."""
    kind, slash, name = path.partition("/")
    return bool(slash) and kind in RECORD_KINDS and "/" not in name and name.endswith(".yaml") and not name.startswith(".")


def _working_tree(seeds_dir: Path, object_format: str) -> dict[str, tuple[str, Path]]:
    """Record file → (the blob id git would give its bytes, the file), for the records as they are now."""
    files = {}
    for kind in RECORD_KINDS:
        try:
            entries = list(os.scandir(seeds_dir / kind))
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith(".yaml") and not entry.name.startswith(".") and entry.is_file(follow_symlinks=False):
                with open(entry.path, "rb") as stream:
                    data = stream.read()
                digest = hashlib.new(object_format, b"blob %d\0" % len(data) + data).hexdigest()
                files[f"{kind}/{entry.name}"] = (digest, Path(entry.path))
    return files


class _Unreadable:
    """A seed file that is not a YAML mapping (or too large, or not UTF-8): not compared."""


UNREADABLE = _Unreadable()


def _read_file(path: Path) -> Any:
    try:
        return _parse(path.read_bytes())
    except OSError:
        return UNREADABLE


def _parse(raw: bytes) -> Any:
    """A record file's raw data (the loader's own safe YAML parser); :data:`UNREADABLE` if it is not a mapping."""
    if len(raw) > MAX_RECORD_BYTES:
        return UNREADABLE
    try:
        data, _ = parse_yaml(raw.decode("utf-8"), "")
    except Exception:  # whatever the reason (syntax, encoding, duplicate keys, aliases …): skipped, and said so
        return UNREADABLE
    return data if isinstance(data, dict) else UNREADABLE


# --------------------------------------------------------------------------- comparing two sets of records


def _compare(old: dict[str, str], new: dict[str, str], texts: dict[str, Any], known: dict[str, tuple[str, str]], release: Release) -> None:
    """Fill ``release`` with what changed from the files ``old`` to the files ``new`` (path → blob id)."""
    for path in sorted(old.keys() | new.keys()):
        before, after = old.get(path), new.get(path)
        if before == after:
            continue
        kind, _, name = path.partition("/")
        record_id = name.removesuffix(".yaml")
        if before is None or after is None:
            blob = before or after or ""
            known_blob, known_name = known.get(path, ("", None))
            data = None if known_blob == blob else texts.get(blob, UNREADABLE)
            if data is UNREADABLE:
                release.unreadable.append(path)
            record = RecordRef(kind, record_id, known_name if known_blob == blob else _name(data))
            (release.added if before is None else release.removed).append(record)
            continue
        old_data, new_data = texts.get(before, UNREADABLE), texts.get(after, UNREADABLE)
        if old_data is UNREADABLE or new_data is UNREADABLE:
            release.unreadable.append(path)
        elif isinstance(old_data, dict) and isinstance(new_data, dict) and old_data != new_data:
            record = RecordRef(kind, record_id, _name(new_data))
            release.changed.append(record)
            release.values.extend(_value_changes(record, old_data, new_data))


def _name(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    name = data.get("short_name", data.get("name"))
    return name if isinstance(name, str) else None


def _value_changes(record: RecordRef, old: dict[str, Any], new: dict[str, Any]) -> Iterator[ValueChange]:
    before, after = _reported_values(old), _reported_values(new)
    for key, value in after.items():
        previous = before.get(key)
        if previous is None or _content(previous) != _content(value):
            yield ValueChange(record, key, _text(previous) if previous is not None else None, _text(value))
    for key, value in before.items():
        if key not in after:
            yield ValueChange(record, key, _text(value), None)


def _reported_values(record: dict[str, Any]) -> dict[ValueKey, dict[str, Any]]:
    """Every reported value of a record (a mapping with ``as_reported``), by a key that survives edits around it."""
    found: dict[ValueKey, dict[str, Any]] = {}
    seen: dict[ValueKey, int] = {}
    for where, arm, value in _walk(record, (), None):
        words = {name: _words(value.get(name)) for name in IDENTIFYING_FIELDS}
        base = ValueKey(".".join(where), arm, measure=words["measure"], marker=words["marker"], category=words["category"],
                        statistic=words["statistic"], timepoint=words["timepoint"], endpoint=words["endpoint"],
                        comparator=words["comparator"], subgroup=words["subgroup"], date=words["date"])
        seen[base] = occurrence = seen.get(base, 0) + 1
        found[base if occurrence == 1 else replace(base, occurrence=occurrence)] = value
    return found


def _walk(node: Any, where: tuple[str, ...], arm: str | None) -> Iterator[tuple[tuple[str, ...], str | None, dict[str, Any]]]:
    if isinstance(node, dict):
        if "as_reported" in node:
            yield where, arm, node
            return
        for name, child in node.items():
            yield from _walk(child, (*where, str(name)), arm)
    elif isinstance(node, list):
        for item in node:
            in_arm = arm
            if where == ("arms",) and isinstance(item, dict) and isinstance(item.get("id"), str):
                in_arm = item["id"]
            yield from _walk(item, where, in_arm)


def _content(value: dict[str, Any]) -> dict[str, Any]:
    return {name: item for name, item in value.items() if name not in EVIDENCE_FIELDS}


def _words(value: Any) -> str | None:
    return None if value is None else str(value)


def _text(value: dict[str, Any]) -> ValueText:
    return ValueText(str(value.get("as_reported")), _words(value.get("value")), _words(value.get("unit")))
