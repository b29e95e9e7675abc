"""Engines benchmark: ``litreview build`` with each engine against that engine alone on the same Markdown.

    .venv/bin/python -m tests.benchmark.engines [--sizes real,100,1000] [--engines mkdocs,properdocs,zensical] [--repeat 3]

For the real review (``real``: a copy of this repository's, 26 studies) and synthetic reviews of N studies
(tests/benchmark/synthetic.py), each engine is timed in fresh processes, in alternation, ``--repeat`` times:

1. **build**: ``litreview build --engine E`` from an empty generated tree and an empty site, the figure cache kept
   from the previous run (a curator's rebuild, a CI that keeps ``.cache/``);
2. **build, cold**: the same with the figure cache emptied too (every figure drawn);
3. **engine alone**: the engine on the tree the build generated, from the site configuration it wrote
   (``mkdocs.generated.yml``: mkdocs.yml without the litreview plugin, plus the navigation), no generator at all.

The ratios are the build's median wall time over the engine's alone, and the peak memory of the build's largest
process over the engine alone's (each process's own peak, VmHWM, sampled every 20 ms). ``where_time_goes``
measures, in a fresh process, what a small build spends before MkDocs can read its first page: the interpreter,
importing the plugin, validating, and planning.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from generator.publish.engines import ENGINES, SITE_CONFIG_FILE
from tests.benchmark.run import SAMPLE_INTERVAL, clear_generated, measured_commit, run_measured
from tests.benchmark.synthetic import write_review

ROOT = Path(__file__).resolve().parents[2]
SHARED_SOURCES = ROOT.parent / "shared" / "sources"


@dataclass
class Timed:
    seconds: list[float] = field(default_factory=list)
    largest_mb: list[float] = field(default_factory=list)

    def add(self, seconds: float, largest_mb: float) -> None:
        self.seconds.append(round(seconds, 3))
        self.largest_mb.append(round(largest_mb, 1))

    @property
    def median_seconds(self) -> float:
        return statistics.median(self.seconds)

    @property
    def median_mb(self) -> float:
        return statistics.median(self.largest_mb)


def run_timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall time and the largest process's own peak resident memory (MB) of a command run to completion."""
    sample = run_measured(command, cwd)
    return sample.seconds, sample.largest_mb


def real_review(target: Path) -> Path:
    """A copy of this repository's review (no generated pages), its quotes checked against ../shared/sources."""
    from tests.conftest import copy_real_review

    shutil.rmtree(target, ignore_errors=True)
    return copy_real_review(target)


def review_at(size: str, workdir: Path) -> tuple[Path, int]:
    if size == "real":
        project = real_review(workdir / "review-real")
    else:
        project = workdir / f"review-{size}"
        write_review(project, int(size), force=True)
    return project, len(list((project / "seeds" / "studies").glob("*.yaml")))


def alone_command(engine: str, project: Path) -> list[str]:
    """The engine alone on the generated tree, from the site configuration the build wrote (Zensical builds into the
    configuration's site folder, the others into site-alone/)."""
    command = ENGINES[engine].command(project / SITE_CONFIG_FILE, None)
    return command + (["--site-dir", "site-alone"] if ENGINES[engine].runs_plugins else [])


def benchmark_engines(size: str, engines: list[str], repeat: int, workdir: Path, say: bool = True) -> dict[str, Any]:
    project, studies = review_at(size, workdir)
    python = sys.executable
    results: dict[str, dict[str, Timed]] = {engine: {"build": Timed(), "build, cold": Timed(), "engine alone": Timed()} for engine in engines}
    # a first build fills the figure cache (and the OS's file cache) for the runs that keep it
    subprocess.run([python, "-m", "generator.cli", "build"], cwd=project, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for run in range(repeat):
        for engine in engines:
            timed = results[engine]
            for name, keep_figures in (("build", True), ("build, cold", False)):
                clear_generated(project, keep_figures=keep_figures)
                shutil.rmtree(project / "site", ignore_errors=True)
                timed[name].add(*run_timed([python, "-m", "generator.cli", "build", "--engine", engine], project))
            shutil.rmtree(project / "site-alone", ignore_errors=True)
            timed["engine alone"].add(*run_timed(alone_command(engine, project), project))
            if say:
                print(f"  {size} ({studies} studies), run {run + 1}/{repeat}, {engine}: "
                      + ", ".join(f"{name} {t.seconds[-1]:.2f} s {t.largest_mb[-1]:.0f} MB" for name, t in timed.items()), flush=True)
    shutil.rmtree(project / "site-alone", ignore_errors=True)
    summary: dict[str, Any] = {}
    for engine, timed in results.items():
        alone = timed["engine alone"]
        summary[engine] = {
            **{name: asdict(t) | {"median_seconds": t.median_seconds, "median_largest_mb": t.median_mb} for name, t in timed.items()},
            "build_over_alone": round(timed["build"].median_seconds / alone.median_seconds, 3),
            "cold_over_alone": round(timed["build, cold"].median_seconds / alone.median_seconds, 3),
            "largest_over_alone": round(timed["build"].median_mb / alone.median_mb, 3),
            "cold_largest_over_alone": round(timed["build, cold"].median_mb / alone.median_mb, 3),
        }
    return {"size": size, "studies": studies, "commit": measured_commit(), "runs": repeat, "sample_ms": round(SAMPLE_INTERVAL * 1000), "engines": summary,
            "where_time_goes": where_time_goes(project) if size == "real" else None}


_STAGES = r"""
import json, sys, time
from pathlib import Path
def mb():  # this process's own peak (VmHWM): ru_maxrss would start at the peak of the process that started it
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")) / 1024
marks = {"interpreter": [time.perf_counter(), mb()]}
import mkdocs.config, mkdocs.commands.build, material  # what MkDocs' process imports anyway
marks["MkDocs and Material imported"] = [time.perf_counter(), mb()]
import generator.plugin
marks["the plugin imported"] = [time.perf_counter(), mb()]
from generator.cli import review_config
from generator.pipeline import plan_review, validate_review
config = review_config(Path("mkdocs.yml"))
marks["configuration read"] = [time.perf_counter(), mb()]
review = validate_review(config)
marks["records loaded and checked"] = [time.perf_counter(), mb()]
planned = plan_review(config, review, defer_figures=True)
marks["planned (every file named)"] = [time.perf_counter(), mb()]
files = dict(planned.files())
marks["rendered"] = [time.perf_counter(), mb()]
print(json.dumps({name: [round(t - marks["interpreter"][0], 3), round(m, 1)] for name, (t, m) in marks.items()}))
"""


def where_time_goes(project: Path, repeat: int = 3) -> dict[str, list[float]]:
    """Seconds since the interpreter began its script and peak memory after each step of a small build's critical
    path, in a fresh process (the median of ``repeat``); the interpreter's own start is timed on its own."""
    runs = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-c", _STAGES], cwd=project, capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout.splitlines()[-1]))
    start = [run_timed([sys.executable, "-c", "pass"], project)[0] for _ in range(repeat)]
    steps = {name: [statistics.median(run[name][0] for run in runs), statistics.median(run[name][1] for run in runs)] for name in runs[0]}
    return {"python started": [round(statistics.median(start), 3), 0.0], **steps}


def report(results: list[dict[str, Any]]) -> str:
    lines = [f"{'review':>8} {'engine':<11} | {'build':>7} {'cold':>7} {'alone':>7} | {'build/alone':>11} {'cold/alone':>10} | "
             f"{'largest MB: build':>17} {'cold':>6} {'alone':>6} {'build/alone':>11}"]
    for result in results:
        for engine, e in result["engines"].items():
            lines.append(f"{result['size'] + ' (' + str(result['studies']) + ')':>8} {engine:<11} | {e['build']['median_seconds']:>6.2f}s "
                         f"{e['build, cold']['median_seconds']:>6.2f}s {e['engine alone']['median_seconds']:>6.2f}s | {e['build_over_alone']:>11.2f} "
                         f"{e['cold_over_alone']:>10.2f} | {e['build']['median_largest_mb']:>17.0f} {e['build, cold']['median_largest_mb']:>6.0f} "
                         f"{e['engine alone']['median_largest_mb']:>6.0f} {e['largest_over_alone']:>11.2f}")
        if result.get("where_time_goes"):
            lines.append("  a small build's critical path (seconds since start, peak MB):")
            lines += [f"    {name:<32} {t:>6.2f} s {m:>6.0f} MB" for name, (t, m) in result["where_time_goes"].items()]
    return "\n".join(lines)


SECTION_START, SECTION_END = "<!-- engines:", "<!-- /engines -->"


def write_section(page: Path, engines: dict[str, Any], previews: list[dict[str, Any]]) -> None:
    """Put the engines and edit-to-screen sections (engines_section.md.j2, which run.py's page includes too) into the
    benchmarks page, in place of the ones it has, or before its live-preview section."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    section = env.get_template("engines_section.md.j2").render(engines=engines, previews=previews)
    text = page.read_text(encoding="utf-8")
    if SECTION_START in text:
        text = text[:text.index(SECTION_START)] + section + text[text.index(SECTION_END) + len(SECTION_END) + 1:]
    else:
        anchor = text.index("## Live preview") if "## Live preview" in text else len(text)
        text = text[:anchor] + section + "\n" + text[anchor:]
    page.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="real,100,1000", help="`real` and numbers of studies, comma-separated")
    parser.add_argument("--engines", default=",".join(ENGINES), help="engines, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--large-repeat", type=int, default=None, help="runs at 1,000 studies and more (default: --repeat)")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--page", type=Path, default=None,
                        help="the benchmarks page (docs/manual/benchmarks/index.md) to put these results in")
    parser.add_argument("--previews", type=Path, nargs="*", default=[], help="results of tests.benchmark.preview (--json) for the page")
    parser.add_argument("--from-json", type=Path, default=None, help="results of an earlier run (--json) instead of measuring")
    args = parser.parse_args(argv)
    results = json.loads(args.from_json.read_text())["results"] if args.from_json else []
    with tempfile.TemporaryDirectory(prefix="litreview-engines-") as temporary:
        for size in [] if args.from_json else args.sizes.split(","):
            repeat = args.large_repeat if args.large_repeat and size != "real" and int(size) >= 1000 else args.repeat
            print(f"{size}: …", flush=True)
            results.append(benchmark_engines(size, args.engines.split(","), repeat, args.workdir or Path(temporary)))
            if args.json:  # after each size: a long run stopped part way keeps what it measured
                args.json.write_text(json.dumps({"results": results}, indent=1) + "\n")
    print(report(results))
    if args.page:
        write_section(args.page, {"results": results}, [json.loads(path.read_text()) for path in args.previews])
        print(f"engines and edit-to-screen sections written to {args.page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
