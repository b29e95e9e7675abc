"""When each seed record last changed, from the repository's history (not file modification times).

Dates come from commits, so two builds of the same commit show the same dates. Outside a git
checkout (an unpacked release, say) there is no history and pages simply show no date.
:func:`run_git` is the one way the generator runs git (here, in the changelog and for build dates).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

GIT_TIMEOUT = 120


def run_git(folder: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    """A git command's standard output, run in ``folder``; None without git, outside a repository, or on failure."""
    executable = shutil.which("git")
    if executable is None:
        return None
    try:
        done = subprocess.run([executable, "-C", str(folder), *args], input=stdin, capture_output=True, timeout=GIT_TIMEOUT, check=False,
                              env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def last_changed(root: Path, folder: Path) -> dict[str, str]:
    """Path (relative to ``root``, POSIX) → ISO date of the last commit that touched it, for files under ``folder``."""
    listed = run_git(root, "log", "--no-renames", "--format=%x00%cs", "--name-only", "--", str(folder))
    if listed is None:
        return {}
    # git log names files from the repository's top; ``root`` may be a sub-folder of it
    prefix = (run_git(root, "rev-parse", "--show-prefix") or b"").decode("utf-8", "replace").strip()
    dates: dict[str, str] = {}
    date = ""
    for line in listed.decode("utf-8", "replace").splitlines():
        if line.startswith("\0"):
            date = line[1:]
        elif line and date:
            # newest commit first: the first date seen for a file is its last change
            dates.setdefault(line.removeprefix(prefix), date)
    return dates
