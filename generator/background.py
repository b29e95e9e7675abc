"""Figures drawn in other processes while MkDocs renders the pages.

A cold build of a large review spends most of the generator's time in matplotlib. Pages need only
each figure's path, title and description, which are cheap; MkDocs needs the SVG bytes only when it
copies static files, after it has rendered the Markdown of every page. So ``mkdocs build`` queues
the drawing (``FigureCache(defer=True)``), starts it here in worker processes, and waits for it just
before MkDocs copies the files: MkDocs renders on one core while the figures use the others.

Workers are spawned, not forked: the builder may hold threads and locks a fork would copy half-taken.
Each writes its figure into the docs tree (and the cache) itself, the way the emitter writes files.
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path

from generator.emit import emit_file
from generator.errors import ReviewError
from generator.figure_cache import DeferredFigure


def _draw_into(out_dir: Path, figure: DeferredFigure) -> tuple[str, bool]:
    return figure.path, emit_file(out_dir, figure.path, figure.run())


class BackgroundDrawing:
    """Deferred figures being drawn into ``out_dir``; :meth:`wait` before anything reads them."""

    def __init__(self, figures: list[DeferredFigure], out_dir: Path, workers: int | None = None) -> None:
        self.paths = [figure.path for figure in figures]
        count = workers or max(1, min(len(figures), (os.cpu_count() or 2) - 1))  # one core stays with MkDocs
        self._pool: Pool | None = multiprocessing.get_context("spawn").Pool(count)
        self._result: AsyncResult[list[tuple[str, bool]]] = self._pool.starmap_async(
            _draw_into, [(out_dir, figure) for figure in figures], chunksize=1)

    def wait(self) -> list[str]:
        """Block until every figure is written; the paths whose bytes changed. Raises ReviewError if one failed."""
        if self._pool is None:
            raise ReviewError("the background drawing was cancelled")
        try:
            done = self._result.get()
        except Exception as error:  # a worker's exception, re-raised here: report it, stop the others
            self.cancel()
            raise ReviewError(f"drawing a figure failed: {type(error).__name__}: {error}") from None
        self._pool.close()
        self._pool.join()
        self._pool = None
        return [path for path, written in done if written]

    def cancel(self) -> None:
        """Stop the workers (a failed or interrupted build); figures not yet written stay unwritten."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
