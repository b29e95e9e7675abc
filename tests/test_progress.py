"""Progress of long builds: a redrawn bar on a terminal, periodic plain lines elsewhere, the total at the end."""

from __future__ import annotations

import io
from pathlib import Path

from generator.progress import Progress
from tests.conftest import run_cli


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_log_gets_a_line_at_start_every_interval_and_at_the_end() -> None:
    out, clock = io.StringIO(), Clock()
    progress = Progress(out, interactive=False, interval=5.0, clock=clock)
    with progress.stage("pages rendered", 100) as stage:
        for _ in range(100):
            clock.now += 0.25  # 25 s in all: a line at 5, 10, 15, 20 and 25 s
            stage.advance()
    progress.finish()
    lines = out.getvalue().splitlines()
    assert lines[0] == "pages rendered: 100 to do"
    assert lines[1:6] == [f"pages rendered: {n}/100 ({n}%), {n / 4:.1f} s" for n in (20, 40, 60, 80, 100)]
    assert lines[6:] == ["pages rendered: 100 in 25.0 s", "generator: done in 25.0 s"]
    assert "\r" not in out.getvalue()


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
    for stage in ("records loaded", "figures drawn", "pages rendered"):
        assert f"{stage}: " in done.stdout
    assert "generator: done in" in done.stdout
