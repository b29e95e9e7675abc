"""Benchmark: the generator's cost next to MkDocs' own, on synthetic reviews of N studies.

    .venv/bin/python -m tests.benchmark.run [--sizes 100,1000,5000,10000] [--repeat 3] [--json FILE]

For each N a synthetic review (tests/benchmark/synthetic.py, fixed seed) is written once, then,
each in a fresh process and ``--repeat`` times (the median is reported):

1. the generator alone: ``litreview generate`` into an empty generated tree (load, validate,
   link, derive, render, write);
2. the full site build: ``mkdocs build --strict`` with the litreview plugin, from an empty
   generated tree and an empty site, once with an empty figure cache and once with the figures the
   previous build drew in it (a curator's rebuild; a CI that keeps ``.cache/``);
3. MkDocs alone on the very same Markdown, already written: the same configuration without the
   litreview plugin. This is the floor the project cannot go below.

Wall time and the peak resident memory of the measured process and its children are recorded, with
how long MkDocs waited for the generator's process (the plugin logs it), and the ratios the targets
name are printed: full ÷ MkDocs alone, generator(10,000) ÷ generator(1,000), and peak memory of the
full build ÷ MkDocs alone.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.publish.engines import not_in_nav_patterns
from tests.benchmark.synthetic import write_review

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ".litreview-generated.json"


@dataclass
class Sample:
    seconds: float
    peak_mb: float
    waits: dict[str, float] | None = None  # full build: how long MkDocs waited for the generator (the plugin's log)
    largest_mb: float = 0.0  # the largest single process's own peak (VmHWM)


# the plugin's last word on the generator's process (generator.publish.process.Waits)
WAITS_LINE = re.compile(r"MkDocs waited for the generator ([\d.]+) s for its plan, ([\d.]+) s for pages not yet written, "
                        r"([\d.]+) s for other files, ([\d.]+) s for figures")


def measured_commit() -> str | None:
    """The commit of the code being measured (None outside a git checkout): results name it on the page."""
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip() or None


def generator_waits(stderr: str) -> dict[str, float] | None:
    match = WAITS_LINE.search(stderr)
    return dict(zip(("plan", "pages", "files", "figures"), map(float, match.groups()), strict=True)) if match else None


@dataclass
class Measurement:
    stage: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(sample.seconds for sample in self.samples)

    @property
    def peak_mb(self) -> float:
        return statistics.median(sample.peak_mb for sample in self.samples)

    @property
    def waits(self) -> dict[str, float] | None:
        """Each wait's median over the runs that logged it (None when none did)."""
        logged = [sample.waits for sample in self.samples if sample.waits]
        return {key: round(statistics.median(w[key] for w in logged), 2) for key in logged[0]} if logged else None


PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
SAMPLE_INTERVAL = 0.02  # seconds between samples of the process tree's memory


def descendants(root: int) -> list[int]:
    """A process and all its descendants, now (Linux /proc; only ``root`` elsewhere)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack += children.get(pid, [])
    return found


def tree_rss(pids: list[int]) -> int:
    """Resident bytes of these processes together, now."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):  # the process may have ended meanwhile
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
    return total


def own_peak(pid: int) -> int:
    """A process's own peak resident bytes (VmHWM), which exec resets; ``ru_maxrss`` keeps the peak of the process
    that forked it (this benchmark's own), so it cannot tell a small process's size."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def run_measured(command: list[str], cwd: Path) -> Sample:
    """Run a command to completion; its wall time, the peak resident memory of the process and its children, and
    the largest single process's own peak.

    ``wait4`` gives the largest single process's peak; a build that works in two processes at once
    (figures drawn beside MkDocs) needs their sum, so the tree is also sampled every 20 ms and the
    larger of the two figures is kept. Each process's own peak (VmHWM) is read at every sample too.
    """
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    peak = largest = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, largest
        while not done.wait(SAMPLE_INTERVAL):
            pids = descendants(process.pid)
            peak = max(peak, tree_rss(pids))
            largest = max([largest, *map(own_peak, pids)])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"benchmark command failed ({process.returncode}): {' '.join(command)}\n{stderr.decode(errors='replace')[-3000:]}")
    # ru_maxrss is in KiB on Linux
    return Sample(seconds, max(usage.ru_maxrss * 1024, peak) / 2**20, generator_waits(stderr.decode(errors="replace")), largest / 2**20)


def clear_generated(project: Path, keep_figures: bool = False) -> None:
    """Remove everything the generator wrote, and its figure cache unless ``keep_figures``, so that a run writes
    the whole tree (and draws every figure)."""
    if not keep_figures:
        shutil.rmtree(project / ".cache", ignore_errors=True)
    docs = project / "docs"
    manifest = docs / MANIFEST
    if manifest.is_file():
        for name in json.loads(manifest.read_text())["files"]:
            (docs / name).unlink(missing_ok=True)
        manifest.unlink()


def mkdocs_alone_config(project: Path) -> Path:
    """The project's mkdocs.yml without the litreview plugin: MkDocs on the Markdown as it is.

    The plugin keeps some pages out of the navigation; MkDocs alone gets the same navigation through its own
    ``not_in_nav`` option, from the list the generator leaves in its manifest, so both build the same site.
    """
    config = yaml.safe_load((project / "mkdocs.yml").read_text())
    plugins = [p for p in config["plugins"] if not (p == "litreview" or (isinstance(p, dict) and "litreview" in p))]
    if len(plugins) == len(config["plugins"]):
        sys.exit("the litreview plugin is not in mkdocs.yml")
    unlisted = json.loads((project / "docs" / MANIFEST).read_text()).get("not_in_nav", [])
    path = project / "mkdocs-alone.yml"
    path.write_text(yaml.safe_dump({**config, "plugins": plugins, "not_in_nav": not_in_nav_patterns(project / "docs", unlisted)},
                                   sort_keys=False))
    return path


def count_pages(project: Path) -> int:
    return sum(1 for _ in (project / "docs").rglob("*.md"))


SEARCH_BASELINE_MAX = 1000  # the extra build that measures an untuned search index is made up to this N
_EXCLUDED_PAGE = re.compile(r"\A(---\n(?:(?!---\n).*\n)*?)search:\n  exclude: true\n")  # in a page's front matter


def untuned_search_index(project: Path, config: Path) -> int:
    """Bytes of the search index MkDocs builds for the same pages with none of the generator's search exclusions.

    The generator keeps repeated tables (comparison pages after the first, arm and case tables that repeat
    record pages) out of the search index; this copy of the Markdown, built by MkDocs alone, has them back.
    """
    copy = project / "docs-untuned"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(project / "docs", copy)
    for page in copy.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        untuned = _EXCLUDED_PAGE.sub(r"\1", text).replace(" data-search-exclude", "")
        if untuned != text:
            page.write_text(untuned, encoding="utf-8")
    site = project / "site-untuned"
    shutil.rmtree(site, ignore_errors=True)
    untuned_config = project / "mkdocs-untuned.yml"
    untuned_config.write_text(yaml.safe_dump({**yaml.safe_load(config.read_text()), "docs_dir": copy.name}, sort_keys=False))
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", untuned_config.name, "-d", site.name], cwd=project, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    size = (site / "search" / "search_index.json").stat().st_size
    shutil.rmtree(site)
    shutil.rmtree(copy)
    untuned_config.unlink()
    return size


def benchmark_size(studies: int, repeat: int, workdir: Path, progress: bool) -> dict[str, object]:
    project = workdir / f"review-{studies}"
    started = time.perf_counter()
    write_review(project, studies, force=True)
    write_seconds = time.perf_counter() - started
    python = sys.executable
    generator = Measurement("generator alone")
    full = Measurement("full build")
    cached = Measurement("full build, figures cached")
    alone = Measurement("MkDocs alone")
    for run in range(repeat):
        clear_generated(project)
        generator.samples.append(run_measured([python, "-m", "generator.cli", "generate"], project))
        _say(progress, f"  N={studies:,} run {run + 1}/{repeat}: generator {generator.samples[-1].seconds:.1f} s")
        clear_generated(project)
        shutil.rmtree(project / "site", ignore_errors=True)
        full.samples.append(run_measured([python, "-m", "mkdocs", "build", "--strict", "-f", "mkdocs.yml", "-d", "site"], project))
        _say(progress, f"  N={studies:,} run {run + 1}/{repeat}: full build {full.samples[-1].seconds:.1f} s")
        # the Markdown the full build just generated, built again without the plugin
        alone_config = mkdocs_alone_config(project)
        shutil.rmtree(project / "site-alone", ignore_errors=True)
        alone.samples.append(run_measured([python, "-m", "mkdocs", "build", "-f", alone_config.name, "-d", "site-alone"], project))
        _say(progress, f"  N={studies:,} run {run + 1}/{repeat}: MkDocs alone {alone.samples[-1].seconds:.1f} s")
        # the same full build with the figures the previous one drew in the cache (a curator's rebuild, a CI
        # that keeps .cache/): everything else from scratch
        clear_generated(project, keep_figures=True)
        shutil.rmtree(project / "site", ignore_errors=True)
        cached.samples.append(run_measured([python, "-m", "mkdocs", "build", "--strict", "-f", "mkdocs.yml", "-d", "site"], project))
        _say(progress, f"  N={studies:,} run {run + 1}/{repeat}: full build, figures cached {cached.samples[-1].seconds:.1f} s")
    site = project / "site"
    html_sizes = sorted((path.stat().st_size, str(path.relative_to(site))) for path in site.rglob("*.html"))
    search_index = site / "search" / "search_index.json"
    result: dict[str, object] = {
        "studies": studies,
        "commit": measured_commit(),
        "runs": repeat,
        "regimens": len(list((project / "seeds" / "regimens").glob("*.yaml"))),
        "cases": len(list((project / "seeds" / "cases").glob("*.yaml"))),
        "pages": count_pages(project),
        "corpus_written_seconds": round(write_seconds, 2),
        "measurements": {m.stage: {"seconds": round(m.seconds, 3), "peak_mb": round(m.peak_mb, 1),
                                   "samples": [asdict(s) for s in m.samples]} for m in (generator, full, cached, alone)},
        "generator_waits": full.waits,
        "generator_waits_figures_cached": cached.waits,
        "full_over_mkdocs_alone": round(full.seconds / alone.seconds, 3),
        "cached_over_mkdocs_alone": round(cached.seconds / alone.seconds, 3),
        "full_peak_over_mkdocs_alone_peak": round(full.peak_mb / alone.peak_mb, 3),
        "largest_html": {"bytes": html_sizes[-1][0], "page": html_sizes[-1][1]} if html_sizes else None,
        "search_index_bytes": search_index.stat().st_size if search_index.is_file() else None,
        "untuned_search_index_bytes": untuned_search_index(project, alone_config) if studies <= SEARCH_BASELINE_MAX else None,
    }
    shutil.rmtree(project / "site-alone", ignore_errors=True)
    return result


def machine() -> dict[str, str]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        match = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        cpu = match.group(1).strip() if match else cpu
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        match = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.MULTILINE)
        memory = f"{int(match.group(1)) / 1024 / 1024:.1f} GiB" if match else memory
    from importlib.metadata import version

    return {"cpu": cpu, "cores": str(os.cpu_count()), "memory": memory, "system": platform.platform(),
            "python": platform.python_version(), "mkdocs": version("mkdocs"), "mkdocs-material": version("mkdocs-material")}


def _say(enabled: bool, text: str) -> None:
    if enabled:
        print(text, flush=True)


def report(results: list[dict[str, object]], host: dict[str, str]) -> str:
    lines = [f"machine: {host['cpu']}, {host['cores']} cores, {host['memory']}; Python {host['python']}, "
             f"MkDocs {host['mkdocs']}, Material {host['mkdocs-material']}", ""]
    lines.append(f"{'N':>7} {'pages':>7} | {'generator':>10} {'full build':>11} {'(cached)':>9} {'MkDocs alone':>13} | {'full/alone':>10} "
                 f"{'(cached)':>9} | "
                 f"{'peak MB gen':>11} {'full':>7} {'alone':>7} {'full/alone':>10} | {'largest page':>12} {'search index':>12}")
    for result in results:
        m = result["measurements"]
        assert isinstance(m, dict)
        largest = result["largest_html"]
        largest_kb = f"{largest['bytes'] / 1024:.0f} KB" if isinstance(largest, dict) else "–"
        index = result["search_index_bytes"]
        untuned = result.get("untuned_search_index_bytes")
        index_kb = f"{index / 1024:.0f} KB" if isinstance(index, int) else "–"
        if isinstance(index, int) and isinstance(untuned, int):
            index_kb += f" (untuned {untuned / 1024:.0f} KB)"
        lines.append(
            f"{result['studies']:>7,} {result['pages']:>7,} | {m['generator alone']['seconds']:>9.1f}s {m['full build']['seconds']:>10.1f}s "
            f"{m['full build, figures cached']['seconds']:>8.1f}s {m['MkDocs alone']['seconds']:>12.1f}s | {result['full_over_mkdocs_alone']:>10.3f} "
            f"{result['cached_over_mkdocs_alone']:>9.3f} | "
            f"{m['generator alone']['peak_mb']:>11.0f} {m['full build']['peak_mb']:>7.0f} {m['MkDocs alone']['peak_mb']:>7.0f} "
            f"{result['full_peak_over_mkdocs_alone_peak']:>10.3f} | {largest_kb:>12} {index_kb:>12}")
    by_size = {int(str(r["studies"])): r for r in results}
    if 1000 in by_size and 10000 in by_size:
        ratio = by_size[10000]["measurements"]["generator alone"]["seconds"] / by_size[1000]["measurements"]["generator alone"]["seconds"]  # type: ignore[index]
        lines.append(f"\ngenerator(10,000) / generator(1,000) = {ratio:.2f}  (target <= 11)")
    return "\n".join(lines)


def plot_times(results: list[dict[str, Any]], path: Path) -> None:
    """Time against N for the three measurements, on log–log axes, as a deterministic SVG."""
    import matplotlib as mpl
    from matplotlib.figure import Figure

    sizes = [int(r["studies"]) for r in results]
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "litreview-benchmark", "font.size": 9}):
        figure = Figure(figsize=(6.4, 3.8))
        axes = figure.subplots()
        for stage, style in (("generator alone", "o-"), ("full build", "s-"), ("MkDocs alone", "^--")):
            axes.plot(sizes, [r["measurements"][stage]["seconds"] for r in results], style, label=stage)
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlabel("studies in the review (N)")
        axes.set_ylabel("wall time (s)")
        axes.grid(True, which="major", linewidth=0.4)
        axes.legend()
        figure.tight_layout()
        figure.savefig(path, format="svg", metadata={"Date": None, "Creator": None})


def write_page(results: list[dict[str, Any]], host: dict[str, str], repeat: int, folder: Path, preview: dict[str, Any] | None = None,
               engines: dict[str, Any] | None = None, previews: list[dict[str, Any]] | None = None) -> None:
    """The benchmarks page of the site: the machine, the table, the plot (``folder``/index.md and time.svg)."""
    import jinja2

    folder.mkdir(parents=True, exist_ok=True)
    plot_times(results, folder / "time.svg")
    by_size = {int(r["studies"]): r for r in results}
    growth = None
    if 1000 in by_size and 10000 in by_size:
        growth = by_size[10000]["measurements"]["generator alone"]["seconds"] / by_size[1000]["measurements"]["generator alone"]["seconds"]
    template = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent), undefined=jinja2.StrictUndefined,
                                  keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True).get_template("page.md.j2")
    large_repeat = max((int(r["runs"]) for r in results if int(r["studies"]) > 1000), default=repeat)
    # the largest run-to-run difference of any measurement made more than once
    spreads = [(max(times) / min(times), f"{stage} at {int(r['studies']):,} studies", min(times), max(times))
               for r in results for stage, m in r["measurements"].items()
               if len(times := [sample["seconds"] for sample in m["samples"]]) > 1]
    spread = None
    if spreads:
        ratio, what, low, high = max(spreads)
        spread = {"ratio": ratio, "what": what, "low": f"{low:.1f}", "high": f"{high:.1f}"}
    (folder / "index.md").write_text(template.render(results=results, host=host, repeat=repeat, large_repeat=large_repeat, growth=growth, preview=preview, spread=spread,
                                                     search_baseline_max=SEARCH_BASELINE_MAX, engines=engines, previews=previews or []),
                                     encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,5000,10000", help="numbers of studies, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument("--large-repeat", type=int, default=None,
                        help="runs per measurement above 1,000 studies (default: --repeat); one full build of 10,000 takes about 10 min on 2 cores")
    parser.add_argument("--json", type=Path, default=None, help="also write the results to this JSON file")
    parser.add_argument("--page", type=Path, default=None, help="also write the site's benchmarks page into this folder (index.md, time.svg)")
    parser.add_argument("--preview", type=Path, default=None, help="results of tests.benchmark.preview (--json) to put on the page")
    parser.add_argument("--previews", type=Path, nargs="*", default=[],
                        help="results of tests.benchmark.preview (--json), each a table of the edit-to-screen section")
    parser.add_argument("--engines", type=Path, default=None, help="results of tests.benchmark.engines (--json) to put on the page")
    parser.add_argument("--keep", type=Path, default=None,
                        help="with --sizes '': the results of an earlier run (--json) instead of measuring again")
    parser.add_argument("--workdir", type=Path, default=None, help="where to write the synthetic reviews (default: a temporary folder)")
    args = parser.parse_args(argv)
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size]
    progress = True
    host = machine()
    results: list[dict[str, Any]] = []
    if not sizes and args.keep:
        kept = json.loads(args.keep.read_text())
        results, host, args.repeat = kept["results"], kept["machine"], kept["repeat"]
    with tempfile.TemporaryDirectory(prefix="litreview-bench-") as temporary:
        workdir = args.workdir or Path(temporary)
        for size in sizes:
            _say(progress, f"N={size:,}: writing the synthetic review …")
            repeat = args.large_repeat if args.large_repeat and size > 1000 else args.repeat
            results.append(benchmark_size(size, repeat, workdir, progress))
    if sizes:  # (kept results were printed when they were measured)
        print(report(results, host))
    if args.json:
        args.json.write_text(json.dumps({"machine": host, "repeat": args.repeat, "results": results}, indent=1) + "\n")
        print(f"results written to {args.json}")
    if args.page:
        write_page(results, host, args.repeat, args.page, json.loads(args.preview.read_text()) if args.preview else None,
                   json.loads(args.engines.read_text()) if args.engines else None, [json.loads(path.read_text()) for path in args.previews])
        print(f"benchmarks page written to {args.page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
