"""Publishing the built site: all of it or none of it, and the same bytes for the same commit.

MkDocs writes the site in place, page by page; a failed or interrupted build would leave a mix
of old and new pages. Here the site is built into a staging folder beside its destination and
put in place only after the whole build, strict checks included, has succeeded:

- on Linux the two folders are swapped by one ``renameat2(RENAME_EXCHANGE)`` call, so at every
  instant the destination holds either the whole old site or the whole new one;
- elsewhere (or on a file system without it) by two renames, with SIGINT and SIGTERM held back
  between them so that an interruption cannot fall in the gap.

Each staging folder is locked (``flock`` on a file beside it) while its build runs; a build first removes
the staging folders no running build holds, i.e. those a killed build (``kill -9``, a power cut) left. The
published folder is readable by all (0755), as MkDocs' own would be: a web server may run as another user.

Reproducible output: MkDocs dates pages and the sitemap with the build date unless
``SOURCE_DATE_EPOCH`` is set; :func:`source_date_epoch` supplies the last commit's time.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from generator.releases.history import run_git

STAGING_PREFIX = ".building-"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_DEFERRED = {signal.SIGINT, signal.SIGTERM}
LOCK_SUFFIX = ".lock"
_UNLOCKED_GRACE = 60.0  # seconds: a staging folder a moment old may not have its lock yet (or be an older version's)
_locks: dict[Path, int] = {}  # staging folder → the descriptor holding its lock, for as long as its build runs


def staging_dir(site_dir: Path) -> Path:
    """A fresh, empty folder beside ``site_dir`` (same file system, so the final move is a rename), locked for this
    build; the staging folders killed builds left behind are removed first."""
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(site_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}{STAGING_PREFIX}", dir=site_dir.parent))
    staging.chmod(0o755)  # mkdtemp's 0700 would keep a web server running as another user out of the published site
    descriptor = os.open(_lock_path(staging), os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    _locks[staging] = descriptor
    return staging


def _lock_path(staging: Path) -> Path:
    return staging.with_name(staging.name + LOCK_SUFFIX)


def _release(staging: Path) -> None:
    descriptor = _locks.pop(staging, None)
    _lock_path(staging).unlink(missing_ok=True)
    if descriptor is not None:
        os.close(descriptor)


def remove_stale_staging(site_dir: Path) -> list[Path]:
    """Remove the staging folders of ``site_dir`` that no running build holds; the folders removed."""
    removed = []
    for staging in sorted(site_dir.parent.glob(f".{site_dir.name}{STAGING_PREFIX}*")):
        if staging.name.endswith(LOCK_SUFFIX) or staging in _locks or not staging.is_dir() or staging.is_symlink():
            continue
        lock = _lock_path(staging)
        try:
            descriptor = os.open(lock, os.O_RDWR)
        except FileNotFoundError:
            # no lock: an older version's folder, or one whose build is just starting
            with contextlib.suppress(OSError):
                if time.time() - staging.stat().st_mtime > _UNLOCKED_GRACE:
                    shutil.rmtree(staging, ignore_errors=True)
                    removed.append(staging)
            continue
        except OSError:
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)  # a build is running in it
            continue
        shutil.rmtree(staging, ignore_errors=True)
        lock.unlink(missing_ok=True)
        os.close(descriptor)
        removed.append(staging)
    return removed


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends (they are delivered then)."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _DEFERRED)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP}:
        return False
    raise OSError(code, os.strerror(code), str(second))


def replace_site(staging: Path, site_dir: Path) -> None:
    """Put the complete site in ``staging`` at ``site_dir``; the old site is removed afterwards."""
    with signals_deferred():
        if not site_dir.exists():
            staging.rename(site_dir)
            _release(staging)
            return
        if _exchange(staging, site_dir):
            old = staging
        else:
            old = site_dir.with_name(staging.name + "-old")
            site_dir.rename(old)
            staging.rename(site_dir)
    shutil.rmtree(old, ignore_errors=True)
    _release(staging)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
    _release(staging)


def source_date_epoch(root: Path) -> str | None:
    """The commit time of HEAD (seconds since the epoch), or None outside a git checkout."""
    stamp = (run_git(root, "log", "-1", "--format=%ct") or b"").decode().strip()
    return stamp if stamp.isdigit() else None
