"""Progress of long builds: a redrawn bar on a terminal, periodic plain lines elsewhere, the total at the end."""

from __future__ import annotations

import io
from pathlib import Path

from generator.publish.progress import Progress
from tests.conftest import run_cli


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_log_gets_a_line_every_interval_and_one_at_the_end() -> None:
    out, clock = io.StringIO(), Clock()
    progress = Progress(out, interactive=False, interval=5.0, clock=clock)
    with progress.stage("templates rendered", 100, "files") as stage:
        for _ in range(100):
            clock.now += 0.25  # 25 s in all: a line at 5, 10, 15, 20 and 25 s
            stage.advance()
    progress.finish()
    lines = out.getvalue().splitlines()
    assert lines[:5] == [f"templates rendered: {n}/100 ({n}%), {n / 4:.1f} s" for n in (20, 40, 60, 80, 100)]
    assert lines[5:] == ["templates rendered: 100 files in 25.0 s", "generator: done in 25.0 s"]
    assert "\r" not in out.getvalue()


def test_a_short_stage_is_one_line() -> None:
    """A stage quicker than the interval says what it did once, when it ends: no 'to do' line that the next contradicts."""
    out, clock = io.StringIO(), Clock()
    progress = Progress(out, interactive=False, interval=5.0, clock=clock)
    with progress.stage("figures of the other pages", 3, "planned") as stage:
        for _ in range(3):
            clock.now += 0.1
            stage.advance()
    assert out.getvalue().splitlines() == ["figures of the other pages: 3 planned in 0.3 s"]


def test_a_terminal_gets_one_line_redrawn_in_place() -> None:
    out, clock = io.StringIO(), Clock()
    progress = Progress(out, interactive=True, clock=clock)
    with progress.stage("records loaded", 10) as stage:
        for _ in range(10):
            clock.now += 0.5
            stage.advance()
    text = out.getvalue()
    assert text.count("\n") == 1  # only the closing summary ends a line
    assert text.count("\r") == 11  # ten redraws and the clearing before the summary
    assert "[" + "#" * 24 + "] 10/10" in text
    assert text.endswith("records loaded: 10 in 5.0 s\n")


def test_generate_reports_each_stage_and_the_total(project: Path) -> None:
    done = run_cli("generate", cwd=project)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    for stage in ("records loaded", "figures of comparison pages", "figures of the other pages", "templates rendered"):
        assert sum(line.startswith(f"{stage}: ") for line in lines) == 1, (stage, lines)
    assert "figures of the other pages: 2 ready in" in done.stdout  # the evidence map and the case; generate draws them (or takes them from the cache)
    assert "generator: done in" in done.stdout
    # its count of files is the tree's: the templates' files and the others (figures, data, assets, feed)
    rendered = int(next(line for line in lines if line.startswith("templates rendered: ")).split()[2])
    total = int(next(line for line in lines if line.startswith("generated ")).split()[1])
    assert total > rendered
