"""Live preview benchmark: how long after one record changes does ``mkdocs serve`` show it?

    .venv/bin/python -m tests.benchmark.preview [--studies 1000 | --real] [--workdir DIR] [--json FILE]

On a synthetic review (tests/benchmark/synthetic.py), or a copy of the real one (``--real``), it starts ``mkdocs serve`` twice, once as
is and once with ``--dirty`` (MkDocs rebuilds only the pages whose Markdown file is newer than
its HTML). Each time it waits for the first build, edits one study record (a sentence that
appears on that study's page only), and polls the study's page over HTTP until the edit shows.
It prints, for each mode, the time from the edit to the changed page being served, and how many
files the generator rewrote (its log line "generated N files (W written, …)") and how many rebuilds the edit set
off (MkDocs' "Documentation built in" lines until 3 s after the page showed it), next to the time of a full
``mkdocs build`` of the same review after the same kind of edit.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from tests.benchmark.run import measured_commit
from tests.benchmark.synthetic import write_review

EDITED_SENTENCE = re.compile(r"^(  description: )(.+)$", re.MULTILINE)  # the study's design description
GENERATED = re.compile(r"generated (\d+) files \((\d+) written, (\d+) unchanged, (\d+) removed\)")
TIMEOUT = 1800.0  # seconds; a first build of 10,000 studies takes minutes
SETTLE = 3.0  # seconds after the edit shows, for a second rebuild to start if the first set one off


@dataclass
class PreviewResult:
    mode: str
    first_build_seconds: float
    edit_to_page_seconds: float
    files_generated: int
    files_rewritten: int
    rebuilds: int  # builds MkDocs started after the edit (one is the aim: the generator's own writes must not start another)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def edit_record(path: Path, marker: str) -> None:
    """Append ``marker`` to the study's design description (shown on its page, nowhere else)."""
    text = path.read_text(encoding="utf-8")
    edited, count = EDITED_SENTENCE.subn(lambda m: f"{m.group(1)}{m.group(2).rstrip('.')} ({marker}).", text, count=1)
    if count != 1:
        sys.exit(f"no design description to edit in {path}")
    path.write_text(edited, encoding="utf-8")


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return str(response.read().decode("utf-8", errors="replace"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.05) -> float:
    """Poll ``check()`` until it is true; the time it took."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if check():
            return time.perf_counter() - start
        time.sleep(interval)
    sys.exit(f"timed out after {timeout:.0f} s waiting for {what}")


def measure_serve(project: Path, study: Path, dirty: bool, run: int) -> PreviewResult:
    port = free_port()
    command = [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"] + (["--dirty", "--no-strict"] if dirty else [])
    server = subprocess.Popen(command, cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    assert server.stderr is not None
    reader = threading.Thread(target=lambda: lines.extend(server.stderr or []), daemon=True)
    reader.start()
    page = f"http://127.0.0.1:{port}/studies/{study.stem}/"
    try:
        started = time.perf_counter()
        wait_for(lambda: fetch(page) is not None or server.poll() is not None, TIMEOUT, "the first build")
        if server.poll() is not None:
            sys.exit("mkdocs serve stopped:\n" + "".join(lines[-30:]))
        first_build = time.perf_counter() - started
        seen = len(lines)
        marker = f"preview edit {run} {'dirty' if dirty else 'full'}"
        edit_record(study, marker)
        latency = wait_for(lambda: marker in (fetch(page) or ""), TIMEOUT, "the edit to be served")
        wait_for(lambda: any(GENERATED.search(line) for line in lines[seen:]), 60, "the generator's report")
        counts = next(GENERATED.search(line) for line in lines[seen:] if GENERATED.search(line))
        assert counts is not None
        time.sleep(SETTLE)
        rebuilds = sum("Documentation built in" in line for line in lines[seen:])
        return PreviewResult("mkdocs serve --dirty --no-strict" if dirty else "mkdocs serve", round(first_build, 2), round(latency, 2),
                             int(counts.group(1)), int(counts.group(2)), rebuilds)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def measure_full_build(project: Path, study: Path) -> float:
    edit_record(study, "full build edit")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", "site"], cwd=project, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=1000)
    parser.add_argument("--real", action="store_true", help="a copy of the real review instead of a synthetic one")
    parser.add_argument("--workdir", type=Path, default=None, help="where to write the synthetic review (default: a temporary folder)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="litreview-preview-") as temporary:
        if args.real:
            from tests.benchmark.engines import real_review

            project = real_review((args.workdir or Path(temporary)) / "review-real")
            args.studies = len(list((project / "seeds" / "studies").glob("*.yaml")))
        else:
            project = (args.workdir or Path(temporary)) / f"review-{args.studies}"
            write_review(project, args.studies, force=True)
        study = next(path for path in sorted((project / "seeds" / "studies").glob("*.yaml")) if EDITED_SENTENCE.search(path.read_text()))
        print(f"N={args.studies:,}: full build after an edit …", flush=True)
        full = measure_full_build(project, study)
        print(f"  full mkdocs build: {full:.1f} s", flush=True)
        results = []
        for run, dirty in enumerate((False, True), start=1):
            print(f"N={args.studies:,}: {'mkdocs serve --dirty --no-strict' if dirty else 'mkdocs serve'} …", flush=True)
            results.append(measure_serve(project, study, dirty, run))
            print(f"  {results[-1]}", flush=True)
    print(f"\nlive preview, {args.studies:,} studies: one study record edited")
    print(f"{'mode':<34} {'first build':>12} {'edit → page':>12} {'files rewritten':>16} {'rebuilds':>9}")
    for result in results:
        print(f"{result.mode:<34} {result.first_build_seconds:>11.1f}s {result.edit_to_page_seconds:>11.1f}s "
              f"{result.files_rewritten:>7,} of {result.files_generated:,} {result.rebuilds:>9}")
    print(f"{'full mkdocs build':<34} {'':>12} {full:>11.1f}s")
    if args.json:
        args.json.write_text(json.dumps({"studies": args.studies, "real": args.real, "commit": measured_commit(), "full_build_seconds": round(full, 2),
                                         "serve": [asdict(r) for r in results]}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
