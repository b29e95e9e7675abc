"""Publishing the built site: all of it or none of it, and the same bytes for the same commit.

MkDocs writes the site in place, page by page; a failed or interrupted build would leave a mix
of old and new pages. Here the site is built into a staging folder beside its destination and
put in place only after the whole build, strict checks included, has succeeded:

- on Linux the two folders are swapped by one ``renameat2(RENAME_EXCHANGE)`` call, so at every
  instant the destination holds either the whole old site or the whole new one;
- elsewhere (or on a file system without it) by two renames, with SIGINT and SIGTERM held back
  between them so that an interruption cannot fall in the gap.

Reproducible output: MkDocs dates pages and the sitemap with the build date unless
``SOURCE_DATE_EPOCH`` is set; :func:`source_date_epoch` supplies the last commit's time.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

from generator.history import run_git

STAGING_PREFIX = ".building-"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_DEFERRED = {signal.SIGINT, signal.SIGTERM}


def staging_dir(site_dir: Path) -> Path:
    """A fresh, empty folder beside ``site_dir`` (same file system, so the final move is a rename)."""
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{site_dir.name}{STAGING_PREFIX}", dir=site_dir.parent))


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
            return
        if _exchange(staging, site_dir):
            old = staging
        else:
            old = site_dir.with_name(staging.name + "-old")
            site_dir.rename(old)
            staging.rename(site_dir)
    shutil.rmtree(old, ignore_errors=True)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


def source_date_epoch(root: Path) -> str | None:
    """The commit time of HEAD (seconds since the epoch), or None outside a git checkout."""
    stamp = (run_git(root, "log", "-1", "--format=%ct") or b"").decode().strip()
    return stamp if stamp.isdigit() else None
