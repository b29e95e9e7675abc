"""One call run in a forked copy of this process, on the machine's other core, its result sent back pickled.

For the generator's own process (:mod:`generator.publish.process`) only: while it loads and checks the
records, MkDocs' process waits for its plan and leaves a core idle. A fork shares everything loaded so far
for free; the result comes back through a pipe. Forking is safe there because that process runs no other
thread; a host with threads (``mkdocs serve``'s server) must not use this.

Exceptions raised by the call are raised again by :meth:`ForkedCall.result`, and what the call logs is logged
there too: the copy must not write to the parent's pipe to MkDocs, whose messages it would garble.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import sys
from collections.abc import Callable
from typing import Generic, TypeVar

from generator.errors import ReviewError

T = TypeVar("T")
log = logging.getLogger("mkdocs.plugins.litreview")


class _Kept(logging.Handler):
    """The copy's log records, as (level, message), sent back with its result."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.levelno, record.getMessage()))


def _end_with_parent() -> None:
    """Linux: the kernel ends this process if the one that forked it ends (a build stopped mid-plan)."""
    with contextlib.suppress(Exception):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


class ForkedCall(Generic[T]):
    """``function()`` running in a forked process from construction; :meth:`result` waits for its value."""

    def __init__(self, function: Callable[[], T]) -> None:
        reading, writing = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # the copy: run, send, and end without running the parent's clean-up code
            code = 0
            try:
                os.close(reading)
                _end_with_parent()
                kept = _Kept()
                log.handlers[:] = [kept]
                log.propagate = False
                try:
                    outcome: tuple[bool, object] = (True, function())
                except BaseException as error:  # the parent raises it again
                    outcome = (False, error)
                with os.fdopen(writing, "wb") as stream:
                    pickle.dump((*outcome, kept.records), stream, protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:  # nothing to report to: the parent sees the pipe end early
                code = 1
            finally:
                sys.stdout.flush()
                os._exit(code)
        os.close(writing)
        self._reading = reading

    def result(self) -> T:
        """The call's return value; raises what the call raised, or ReviewError if the copy ended early."""
        try:
            with os.fdopen(self._reading, "rb") as stream:
                succeeded, value, records = pickle.load(stream)
        except (EOFError, pickle.UnpicklingError) as error:
            _, status = os.waitpid(self._pid, 0)
            raise ReviewError(f"a helper process of the generator ended unexpectedly (exit status {status})") from error
        os.waitpid(self._pid, 0)
        for level, message in records:
            log.log(level, message)
        if not succeeded:
            raise value
        return value  # type: ignore[no-any-return]
