"""Progress of a long build: a bar on a terminal, plain periodic lines in a log (CI), the total at the end.

The pipeline reports what it does in stages (records loaded, figures, templates rendered); each stage
knows its total. On a terminal one line is redrawn in place at most ten times a second; anywhere else one
line says what a stage did when it ends, and a stage that runs longer than ``interval`` seconds adds a line
every ``interval`` seconds meanwhile, so a CI log shows that a long build is alive without filling up.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

BAR_WIDTH = 24


class Progress:
    def __init__(self, stream: TextIO | None = None, *, interactive: bool | None = None, interval: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.interactive = self.stream.isatty() if interactive is None else interactive
        self.interval = interval
        self.clock = clock
        self.started = clock()

    def stage(self, name: str, total: int, done: str = "") -> Stage:
        return Stage(self, name, total, done)

    def finish(self, what: str = "generator") -> None:
        self.stream.write(f"{what}: done in {self.clock() - self.started:.1f} s\n")
        self.stream.flush()


class QuietStage:
    """What a stage is when nobody watches: every call does nothing."""

    def advance(self, count: int = 1) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> QuietStage:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def stage(progress: Progress | None, name: str, total: int, done: str = "") -> Stage | QuietStage:
    """A stage of ``progress``, or a quiet one when there is no progress to report (tests, serve). ``done``: what its
    closing line says of the items (``"files"``, ``"planned"``): "name: 12 files in 0.3 s"."""
    return progress.stage(name, total, done) if progress else QuietStage()


class Stage:
    """One stage of known size; call :meth:`advance` per item and :meth:`close` at the end."""

    def __init__(self, progress: Progress, name: str, total: int, done: str = "") -> None:
        self.progress, self.name, self.total, self.done_word = progress, name, total, done
        self.done = 0
        self.started = self.last_shown = progress.clock()

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = self.progress.clock()
        wait = 0.1 if self.progress.interactive else self.progress.interval
        if now - self.last_shown >= wait:
            self.last_shown = now
            self._show(now)

    def close(self) -> None:
        seconds = self.progress.clock() - self.started
        if self.progress.interactive:
            self.progress.stream.write("\r\x1b[K")
        self._line(f"{self.name}: {self.done:,}{' ' + self.done_word if self.done_word else ''} in {seconds:.1f} s")

    def __enter__(self) -> Stage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _show(self, now: float) -> None:
        share = self.done / self.total if self.total else 1.0
        elapsed = now - self.started
        if self.progress.interactive:
            filled = round(BAR_WIDTH * share)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.progress.stream.write(f"\r{self.name:<16} [{bar}] {self.done:,}/{self.total:,}  {elapsed:.1f} s\x1b[K")
            self.progress.stream.flush()
        else:
            self._line(f"{self.name}: {self.done:,}/{self.total:,} ({100 * share:.0f}%), {elapsed:.1f} s")

    def _line(self, text: str) -> None:
        self.progress.stream.write(text + "\n")
        self.progress.stream.flush()
