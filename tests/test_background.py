"""Figures drawn in worker processes: written into the tree, and a failure reported, never swallowed."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from generator.background import BackgroundDrawing
from generator.errors import ReviewError
from generator.figure_cache import DeferredFigure


def _svg(text: str) -> bytes:
    return f"<svg><desc>{text}</desc></svg>".encode()


def _broken() -> bytes:
    raise ValueError("no such arm")


def test_deferred_figures_are_written_into_the_tree_and_the_cache(tmp_path: Path) -> None:
    docs, cache = tmp_path / "docs", tmp_path / "cache"
    (docs / "figures").mkdir(parents=True)
    (docs / "figures" / "same.svg").write_bytes(_svg("same"))
    figures = [DeferredFigure("figures/a.svg", functools.partial(_svg, "a"), cache / "a.svg"),
               DeferredFigure("figures/same.svg", functools.partial(_svg, "same"), None)]
    drawing = BackgroundDrawing(figures, docs, workers=2)
    assert drawing.paths == ["figures/a.svg", "figures/same.svg"]
    assert drawing.wait() == ["figures/a.svg"]  # a file that already holds the bytes is left as it is
    assert (docs / "figures" / "a.svg").read_bytes() == _svg("a")
    assert (cache / "a.svg").read_bytes().startswith(_svg("a"))


def test_a_figure_that_fails_fails_the_build_with_its_reason(tmp_path: Path) -> None:
    figures = [DeferredFigure("figures/broken.svg", _broken, None)]
    drawing = BackgroundDrawing(figures, tmp_path, workers=1)
    with pytest.raises(ReviewError, match="drawing a figure failed: ValueError: no such arm"):
        drawing.wait()
    assert not (tmp_path / "figures" / "broken.svg").exists()
    with pytest.raises(ReviewError, match="cancelled"):
        drawing.wait()  # the pool is gone: a second wait cannot hang
