"""The generator in a process of its own, running beside ``mkdocs build``.

MkDocs must know every file of the site before it reads the first page: the generator's stages up to the
plan (load, validate, link, derive, plan the pages) hold MkDocs up, and run first. Rendering, writing and
drawing do not need to: this process renders the pages in the order MkDocs reads them and writes each as it
is made, while MkDocs converts the pages already written on the other core. MkDocs waits only for a page not
yet written (the plugin's ``on_page_read_source``) and, before it copies static files, for the rest
(``on_env``): the downloads, the feed and the figures, drawn last.

The corpus lives in this process only. It ends before MkDocs holds the HTML of every page, which is when
MkDocs' own memory peaks, so the two peaks do not add up.

The two processes speak over one pipe, in this order::

    generator → MkDocs   Plan        every file of the tree, the pages kept out of the navigation, footers
    MkDocs → generator   list[str]   the generated pages in the order MkDocs will read them
    generator → MkDocs   Written     how many of those pages are written, every few pages
    generator → MkDocs   Done | Failed
    (and LogRecord-like Log messages at any time, logged by MkDocs' process as its own)

A failure in the generator reaches MkDocs as the message the in-process build would print (a clean error,
the build fails); an interrupted or failed build terminates the process.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import sys
import time
import traceback
from collections.abc import Collection
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from generator.caches import clear_build_caches
from generator.emit import TreeWriter
from generator.errors import ReviewError, failure_message
from generator.pipeline import ReviewConfig, plan_review, validate_review
from generator.progress import Progress

log = logging.getLogger("mkdocs.plugins.litreview")

WRITTEN_EVERY = 16  # pages written between two Written messages: few messages, and MkDocs never waits long


@dataclass(frozen=True)
class Plan:
    paths: list[str]  # every file of the generated tree (docs-relative POSIX paths)
    unlisted: frozenset[str]  # pages kept out of the navigation
    footers: dict[str, str] = field(default_factory=dict)  # hand-written page → its release line


@dataclass(frozen=True)
class Written:
    count: int  # the first ``count`` pages of the order MkDocs sent are written


@dataclass(frozen=True)
class Log:
    level: int
    message: str


@dataclass(frozen=True)
class Done:
    pass


@dataclass(frozen=True)
class Failed:
    message: str  # what the user reads: the same text the build prints when it generates in its own process


@dataclass
class Waits:
    """How long MkDocs waited for the generator, in seconds: the generator's cost to the build's wall time."""

    plan: float = 0.0  # for its plan: load, validate, link, derive, plan (MkDocs can do nothing meanwhile)
    pages: float = 0.0  # for pages not yet written when MkDocs came to read them
    end: float = 0.0  # before copying static files, for the downloads, the feed and the figures

    def __str__(self) -> str:
        return f"{self.plan:.1f} s for its plan, {self.pages:.1f} s for pages not yet written, {self.end:.1f} s for the rest"


class _PipeHandler(logging.Handler):
    """The generator's log records, sent to MkDocs' process: they appear in its log (and count in --strict)."""

    def __init__(self, connection: Connection) -> None:
        super().__init__()
        self.connection = connection

    def emit(self, record: logging.LogRecord) -> None:
        self.connection.send(Log(record.levelno, record.getMessage()))


def _run(config: ReviewConfig, connection: Connection, interactive: bool | None) -> None:
    """The process's whole work (see the module's description)."""
    # Ctrl-C reaches the whole process group; MkDocs' process reports it and ends this one.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    log.handlers[:] = [_PipeHandler(connection)]
    log.propagate = False
    log.setLevel(logging.INFO)
    try:
        progress = Progress(sys.stdout, interactive=interactive)
        review = validate_review(config, progress)
        planned = plan_review(config, review, progress, defer_figures=True)
        writer = TreeWriter(config.docs_dir, planned.paths(), planned.unlisted)
        connection.send(Plan(planned.paths(), planned.unlisted, planned.footers))
        order: list[str] = connection.recv()
        pages = set(order)
        count = 0
        for path, data in planned.files(first=order, progress=progress):
            writer.write(path, data)
            if path in pages:
                count += 1
                if count % WRITTEN_EVERY == 0 or count == len(order):
                    connection.send(Written(count))
        for figure in planned.deferred:
            writer.write(figure.path, figure.run())
        report = writer.finish()
        progress.finish()
        log.info("generated %d files (%d written, %d unchanged, %d removed); %d figures drawn while MkDocs built the pages",
                 len(planned.paths()), len(report.written), report.unchanged, len(report.removed), len(planned.deferred))
        connection.send(Done())
    except (EOFError, BrokenPipeError):
        pass  # MkDocs' process has gone: nobody to tell
    except Exception as error:  # every failure is reported to MkDocs' process, which fails the build
        connection.send(Failed(failure_message(error) or "the generator failed:\n" + traceback.format_exc()))
    finally:
        clear_build_caches()


class GeneratorProcess:
    """MkDocs' side of the generator's process: start it, then ask for the plan, pages and the end, in that order."""

    def __init__(self, config: ReviewConfig, interactive: bool | None = None) -> None:
        # Spawned, not forked: the builder may hold threads and locks a fork would copy half-taken.
        context = multiprocessing.get_context("spawn")
        self._connection, child_end = context.Pipe()
        self._process: BaseProcess | None = context.Process(target=_run, args=(config, child_end, interactive), daemon=True,
                                                            name="litreview-generator")
        self._process.start()
        child_end.close()  # only the child holds it now: the pipe ends when the child does
        self._order: dict[str, int] = {}
        self._written = 0
        self._done = False
        self.waits = Waits()

    def plan(self) -> Plan:
        """Every file the generator will write; waits for it to load, validate and plan. Raises ReviewError."""
        started = time.perf_counter()
        message = self._receive()
        self.waits.plan += time.perf_counter() - started
        if not isinstance(message, Plan):
            raise ReviewError(f"the generator's process sent {type(message).__name__} before its plan")
        return message

    @property
    def pages(self) -> Collection[str]:
        """The pages sent to :meth:`read_in_order`."""
        return self._order.keys()

    def read_in_order(self, pages: list[str]) -> None:
        """Tell the generator the order in which MkDocs will read its pages: it renders them in that order."""
        self._order = {path: index for index, path in enumerate(pages)}
        self._connection.send(pages)

    def wait_for(self, path: str) -> None:
        """Return once page ``path`` (one of the pages sent to :meth:`read_in_order`) is written. Raises ReviewError."""
        index = self._order[path]
        if self._written > index:
            return
        started = time.perf_counter()
        while self._written <= index:
            message = self._receive()
            if isinstance(message, Written):
                self._written = message.count
            elif isinstance(message, Done):
                self._done = True
                self._written = len(self._order)
        self.waits.pages += time.perf_counter() - started

    def wait(self) -> None:
        """Return once every file is written and the process has ended. Raises ReviewError."""
        started = time.perf_counter()
        while not self._done:
            self._done = isinstance(self._receive(), Done)
        if self._process is not None:
            self._process.join()
            self._process = None
        self.waits.end += time.perf_counter() - started

    def cancel(self) -> None:
        """End the process (a failed or interrupted build); files it had not written stay unwritten."""
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._process = None
        self._connection.close()

    def _receive(self) -> Plan | Written | Done:
        """The next message other than a log line (logged here); raises ReviewError for a failure or a lost process."""
        while True:
            try:
                message = self._connection.recv()
            except (EOFError, OSError):
                if self._process is not None:
                    self._process.join(timeout=5)
                code = self._process.exitcode if self._process is not None else None
                self.cancel()
                raise ReviewError(f"the generator's process ended unexpectedly (exit code {code})") from None
            if isinstance(message, Log):
                log.log(message.level, message.message)
            elif isinstance(message, Failed):
                self.cancel()
                raise ReviewError(message.message)
            else:
                return message  # type: ignore[no-any-return]

