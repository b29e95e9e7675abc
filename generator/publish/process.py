"""The generator in a process of its own, running beside ``mkdocs build``.

MkDocs must know every file of the site before it reads the first page: the generator's stages up to the
plan (load, validate, link, derive, plan the pages) hold MkDocs up, and run first. Rendering, writing and
drawing do not need to: this process renders the pages in the order MkDocs reads them and writes each as it
is made, while MkDocs converts the pages already written on the other core. MkDocs waits only for a page not
yet written (the plugin's ``on_page_read_source``) and, before it copies static files, for the other files
(``on_env``: the downloads, the feed, the citation files). Figures not in the cache are drawn last, by a second,
small process started once the generator's ends, while MkDocs builds the HTML pages; the plugin holds them back
from MkDocs' copying of static files and copies them itself once they are drawn (``on_post_build``).

The corpus lives in the generator's process only, and only until the last file but the figures is written: that
process ends then, before MkDocs holds the HTML of every page (when MkDocs' own memory peaks); freeing the corpus
inside it would not do, as Python keeps the freed memory. The drawing process holds only what the figures draw.
While MkDocs waits for the plan, a forked copy of the generator's process (:mod:`generator.publish.forked`) parses
half the records, then runs the checks, on the core MkDocs leaves idle.
MkDocs reads the process's messages at every page it reads, so the process never waits on a full pipe.

MkDocs' process speaks with each over a pipe of its own, in this order::

    generator → MkDocs   Plan        every file of the tree, the pages kept out of the navigation, the release,
                                     the figures it will draw last
    MkDocs → generator   list[str]   the generated pages in the order MkDocs will read them
    generator → MkDocs   Written     how many of those pages are written, every few pages
    generator → MkDocs   Drawing     every file is written but the figures drawn last, which it holds
    generator → MkDocs   Done | Failed (the generator's process ends; MkDocs' starts the drawing process)
    drawing   → MkDocs   Done | Failed
    (and LogRecord-like Log messages at any time, logged by MkDocs' process as its own)

A failure in the generator reaches MkDocs as the message the in-process build would print (a clean error,
the build fails); an interrupted or failed build terminates the process at work.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from generator.caches import clear_build_caches
from generator.errors import ReviewError, failure_message
from generator.figures.cache import DeferredFigure
from generator.pages.navigation import NavEntry
from generator.pipeline import Review, ReviewConfig, plan_review, validate_review, write_site_config
from generator.publish.emit import TreeWriter, emit_file
from generator.publish.progress import Progress

log = logging.getLogger("mkdocs.plugins.litreview")

WRITTEN_EVERY = 0.05  # seconds between two Written messages: MkDocs never waits long for news of a page


@dataclass(frozen=True)
class Plan:
    paths: list[str]  # every file of the generated tree (docs-relative POSIX paths)
    unlisted: frozenset[str]  # pages kept out of the navigation
    release: str = ""  # the release every page belongs to, in words (the theme writes it at each page's foot)
    drawn_last: list[str] = field(default_factory=list)  # figures not in the cache: written after every other file
    nav: list[NavEntry] = field(default_factory=list)  # the site's navigation in reading order


@dataclass(frozen=True)
class Written:
    count: int  # the first ``count`` pages of the order MkDocs sent are written


@dataclass(frozen=True)
class Drawing:
    """Every file is written but the figures drawn last, which the drawing process will draw."""

    figures: bytes = b""  # the figures to draw: a pickled list of DeferredFigure (MkDocs' process passes it on unread)


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
    files: float = 0.0  # before copying static files, for the downloads, the feed, the citation files
    figures: float = 0.0  # at the end, for the figures drawn last

    def __str__(self) -> str:
        return (f"{self.plan:.1f} s for its plan, {self.pages:.1f} s for pages not yet written, "
                f"{self.files:.1f} s for other files, {self.figures:.1f} s for figures")


class _PipeHandler(logging.Handler):
    """The generator's log records, sent to MkDocs' process: they appear in its log (and count in --strict)."""

    def __init__(self, connection: Connection) -> None:
        super().__init__()
        self.connection = connection

    def emit(self, record: logging.LogRecord) -> None:
        self.connection.send(Log(record.levelno, record.getMessage()))


def _report_to(connection: Connection) -> None:
    """Set up a process of the build: Ctrl-C is left to MkDocs' process (it reaches the whole process group,
    and MkDocs' process ends this one), and log records go to MkDocs' process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    log.handlers[:] = [_PipeHandler(connection)]
    log.propagate = False
    log.setLevel(logging.INFO)


def _run(config: ReviewConfig, interactive: bool | None, validated: Review | None, connection: Connection) -> None:
    """The generator process's whole work (see the module's description)."""
    _report_to(connection)
    try:
        progress = Progress(sys.stdout, interactive=interactive)
        # Rendering's imports now, while the heap is small: the collector's passes over a loaded corpus would make
        # them slower (matplotlib and statsmodels are imported only where a figure is drawn or an effect computed).
        # Then, unless `litreview build` validated the review before forking this process, one core loads and checks,
        # helped by a forked copy on the other, which MkDocs' waiting process leaves idle.
        import generator.pages.render  # noqa: F401
        review = validated or validate_review(config, progress, fork=True)
        gc.freeze()  # the corpus lives as long as the process and holds no cycles: no collector pass over it again
        planned = plan_review(config, review, progress, defer_figures=True)
        paths, deferred = planned.paths(), planned.deferred
        writer = TreeWriter(config.docs_dir, paths, planned.unlisted)
        connection.send(Plan(paths, planned.unlisted, planned.release, [figure.path for figure in deferred], planned.nav))
        order: list[str] = connection.recv()
        pages, written = set(order), set()
        count, told = 0, time.monotonic()
        for path, data in planned.files(first=order, progress=progress):
            writer.write(path, data)
            if path in pages:
                written.add(path)
                while count < len(order) and order[count] in written:  # Written(n): the first n of the order are written
                    count += 1
                # A few messages a second: MkDocs reads them only as it reads pages, and a full pipe would stall this process.
                if count == len(order) or time.monotonic() - told >= WRITTEN_EVERY:
                    connection.send(Written(count))
                    told = time.monotonic()
        report = writer.finish()  # the manifest lists the figures still to draw: they are claimed already
        write_site_config(config, planned.nav, planned.unlisted, planned.release)
        progress.finish()
        log.info("generated %d files: %d from templates, %d others (%d written, %d unchanged, %d removed)%s", len(paths) - len(deferred),
                 len(planned.pages), len(paths) - len(deferred) - len(planned.pages), len(report.written), report.unchanged, len(report.removed),
                 f"; {len(deferred)} figure files to draw while MkDocs builds the pages" if deferred else "")
        # A fresh, small process draws them: this one, holding the corpus, ends before MkDocs' memory peaks.
        connection.send(Drawing(pickle.dumps(deferred, protocol=pickle.HIGHEST_PROTOCOL) if deferred else b""))
        connection.send(Done())
    except (EOFError, BrokenPipeError):
        pass  # MkDocs' process has gone: nobody to tell
    except Exception as error:  # every failure is reported to MkDocs' process, which fails the build
        with contextlib.suppress(OSError):  # unless that process has gone
            connection.send(Failed(failure_message(error) or "the generator failed:\n" + traceback.format_exc()))
    finally:
        clear_build_caches()


def _draw(docs_dir: Path, figures: bytes, connection: Connection) -> None:
    """The drawing process's whole work: draw each figure, write it into the tree (and the cache)."""
    _report_to(connection)
    try:
        with contextlib.suppress(OSError):
            os.nice(10)  # MkDocs is building the HTML pages meanwhile: it comes first
        deferred: list[DeferredFigure] = pickle.loads(figures)
        for figure in deferred:
            emit_file(docs_dir, figure.path, figure.run())
        log.info("%d figure files drawn while MkDocs built the pages", len(deferred))
        connection.send(Done())
    except (EOFError, BrokenPipeError):
        pass
    except Exception as error:
        with contextlib.suppress(OSError):
            connection.send(Failed(failure_message(error) or "drawing the figures failed:\n" + traceback.format_exc()))


def _forkable() -> bool:
    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


class GeneratorProcess:
    """MkDocs' side of the generator's process: start it, then ask for the plan, pages and the end, in that order."""

    def __init__(self, config: ReviewConfig, interactive: bool | None = None, validated: Review | None = None) -> None:
        """``validated``: the review as this process validated it already (``litreview build``), which a forked
        process inherits instead of validating it again; a spawned one validates it itself."""
        self._docs_dir = config.docs_dir
        self._process: BaseProcess | None
        self._connection, self._process = self._start(_run, "litreview-generator", config, interactive,
                                                      validated if _forkable() else None)
        self._order: dict[str, int] = {}
        self._written = 0
        self._files_written = False
        self._done = False
        self.waits = Waits()

    @staticmethod
    def _start(target: Callable[..., None], name: str, *args: object, fork: bool = True) -> tuple[Connection, BaseProcess]:
        # The generator's process is forked when this process runs a single thread (`mkdocs build` does): it starts at
        # once, with every module imported so far (spawning it took 1 s at 26 studies, importing them again), and MkDocs
        # waits for its plan. Spawned otherwise (a fork would copy other threads' locks half-taken), and always for the
        # drawing process, which starts once MkDocs holds every page and nothing waits for its start: forked then, it
        # would carry MkDocs' whole heap for nothing (at 1,000 studies the cold build took 103 s forked and 105 s
        # spawned: the same, within the spread).
        forked = fork and _forkable()
        context = multiprocessing.get_context("fork") if forked else multiprocessing.get_context("spawn")
        connection, child_end = context.Pipe()
        process = context.Process(target=target, args=(*args, child_end), daemon=True, name=name)
        process.start()
        child_end.close()  # only the child holds it now: the pipe ends when the child does
        return connection, process

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
        # What has arrived is read at every page, needed or not: the pipe is drained as fast as MkDocs reads pages.
        while not self._done and self._connection.poll():  # (after Done, the pipe's end polls as readable too)
            self._handle(self._receive())
        index = self._order[path]
        if self._written <= index:
            started = time.perf_counter()
            while self._written <= index:
                self._handle(self._receive())
            self.waits.pages += time.perf_counter() - started

    def wait_for_files(self) -> None:
        """Return once every file is written but the figures drawn last. Raises ReviewError."""
        started = time.perf_counter()
        while not self._files_written:
            self._handle(self._receive())
        self.waits.files += time.perf_counter() - started

    def wait(self) -> None:
        """Return once every file is written and the process has ended. Raises ReviewError."""
        started = time.perf_counter()
        while not self._done:
            self._handle(self._receive())
        if self._process is not None:
            self._process.join()
            self._process = None
        self.waits.figures += time.perf_counter() - started

    def _handle(self, message: Plan | Written | Drawing | Done) -> None:
        if isinstance(message, Written):
            self._written = message.count
        elif isinstance(message, Drawing):
            self._written = len(self._order)
            self._files_written = True
            while not isinstance(self._receive(), Done):  # the generator's last message follows at once
                pass
            if self._process is not None:
                self._process.join()
            self._connection.close()
            if message.figures:  # the drawing process takes the generator's place
                self._connection, self._process = self._start(_draw, "litreview-figures", self._docs_dir, message.figures, fork=False)
            else:
                self._process = None
                self._done = True
        elif isinstance(message, Done):  # the drawing process's
            self._done = True

    def cancel(self) -> None:
        """End the process (a failed or interrupted build); files it had not written stay unwritten."""
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._process = None
        self._connection.close()

    def _receive(self) -> Plan | Written | Drawing | Done:
        """The next message other than a log line (logged here); raises ReviewError for a failure or a lost process."""
        while True:
            try:
                message = self._connection.recv()
            except (EOFError, OSError):
                process = self._process
                if process is not None:
                    process.join(timeout=5)
                self.cancel()
                name, code = (process.name, process.exitcode) if process is not None else ("litreview", None)
                raise ReviewError(f"the build's process {name} ended unexpectedly (exit code {code})") from None
            if isinstance(message, Log):
                log.log(message.level, message.message)
            elif isinstance(message, Failed):
                self.cancel()
                raise ReviewError(message.message)
            else:
                return message  # type: ignore[no-any-return]

