"""The figure cache: a warm build gives the same bytes as drawing, and only changed inputs are redrawn."""

from __future__ import annotations

import ast
import dataclasses
import enum
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.figures import EVIDENCE_MAP_PATH, Figure, all_arms_figure_paths, build_figures, case_figure_path
from generator.figures import cache as figure_cache
from generator.figures.cache import ENVIRONMENT_FILE, FigureCache, _environment_digest, canonical_json, code_sources
from generator.pipeline import Review
from generator.records.link import Corpus
from generator.review.file import EvidenceMap
from tests.test_plots import PROPORTIONS_PATH, TIMES_PATH, site_url, synthetic_corpus


@pytest.fixture(scope="module")
def corpus(real_review: Review) -> Corpus:
    return real_review.corpus


@pytest.fixture(scope="module")
def drawn(corpus: Corpus) -> list[Figure]:
    return build_figures(corpus)


def entries(folder: Path) -> set[str]:
    """The figures the cache holds (not its record of the environment, ENVIRONMENT_FILE)."""
    return {item.name for item in folder.iterdir() if item.name != ENVIRONMENT_FILE}


def svgs(figures: list[Figure]) -> int:
    """The SVG files of ``figures``: one each, and one more for each phone layout."""
    return sum(len(figure.files()) for figure in figures)


def test_a_warm_build_gives_the_bytes_a_fresh_one_draws(corpus: Corpus, drawn: list[Figure], tmp_path: Path) -> None:
    cold = FigureCache(tmp_path)
    assert build_figures(corpus, cache=cold) == drawn
    assert (cold.hits, cold.misses) == (0, svgs(drawn))
    assert len(entries(tmp_path)) == svgs(drawn)
    warm = FigureCache(tmp_path)
    assert build_figures(corpus, cache=warm) == drawn  # every field, SVG bytes included
    assert (warm.hits, warm.misses) == (svgs(drawn), 0)
    assert warm.prune_unused() == 0 and len(entries(tmp_path)) == svgs(drawn)


def with_evidence_map(corpus: Corpus) -> Corpus:
    """The synthetic review with an evidence map (its own review file has none)."""
    return dataclasses.replace(corpus, review=corpus.review.model_copy(update={"evidence_map": EvidenceMap()}))


def test_only_the_figures_whose_inputs_changed_are_redrawn(tmp_path: Path) -> None:
    corpus = with_evidence_map(synthetic_corpus())
    build_figures(corpus, cache=FigureCache(tmp_path))
    case = corpus.cases["case-a"]
    changed = dataclasses.replace(corpus, cases={case.id: case.model_copy(update={"short_name": "Case A, renamed"})})
    cache = FigureCache(tmp_path)
    figures = {figure.path: figure for figure in build_figures(changed, cache=cache)}
    # The case's timeline is redrawn; the arm figures and the evidence map (which does not count this case) are not.
    assert EVIDENCE_MAP_PATH in figures
    timeline = len(figures[case_figure_path(case.id)].files())
    assert (cache.hits, cache.misses) == (svgs(list(figures.values())) - timeline, timeline)
    assert figures == {figure.path: figure for figure in build_figures(changed)}
    # A change deep inside a record (one quote of one marker reading) is a change too.
    reading = case.markers[0].model_copy(update={"quote": "AFP 1,200 ng/ml (as quoted again)"})
    deeper = dataclasses.replace(corpus, cases={case.id: case.model_copy(update={"markers": [reading, *case.markers[1:]]})})
    cache = FigureCache(tmp_path)
    build_figures(deeper, cache=cache)
    assert cache.misses == timeline  # the case's figure only: the evidence map does not read marker readings


def test_links_are_part_of_the_key(tmp_path: Path) -> None:
    corpus = synthetic_corpus()
    build_figures(corpus, cache=FigureCache(tmp_path))
    cache = FigureCache(tmp_path)
    figures = build_figures(corpus, url_for=site_url, cache=cache)
    assert cache.hits == 0 and figures == build_figures(corpus, url_for=site_url)


def test_code_and_format_are_part_of_the_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cache = FigureCache(tmp_path)
    key = cache.key(TIMES_PATH, {"a": 1})
    assert cache.key(TIMES_PATH, {"a": 1}) == key
    assert cache.key(PROPORTIONS_PATH, {"a": 1}) != key
    monkeypatch.setattr(figure_cache, "CODE_DIGEST", "edited")
    assert cache.key(TIMES_PATH, {"a": 1}) != key
    monkeypatch.undo()
    monkeypatch.setattr(figure_cache, "CACHE_FORMAT", figure_cache.CACHE_FORMAT + 1)
    assert cache.key(TIMES_PATH, {"a": 1}) != key


def test_the_code_digest_follows_every_module_the_drawing_code_imports() -> None:
    """Exact imports (by ast), transitively from the figures package (every module of it): each must be in the digest.

    The digest's units are the package's top-level modules and sub-packages (a sub-package is all its modules)."""
    package = Path(figure_cache.__file__).parent.parent
    found: set[str] = set()
    pending = ["figures"]
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found.add(name)
        files = sorted((package / name).glob("*.py")) if (package / name).is_dir() else [package / f"{name}.py"]
        for node in (node for path in files for node in ast.walk(ast.parse(path.read_bytes()))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("generator."):
                pending.append(node.module.split(".")[1])
            elif isinstance(node, ast.ImportFrom) and node.module == "generator":
                pending += [alias.name for alias in node.names if (package / f"{alias.name}.py").is_file() or (package / alias.name).is_dir()]
            elif isinstance(node, ast.Import):
                pending += [alias.name.split(".")[1] for alias in node.names if alias.name.startswith("generator.")]
    assert {"figures", "pages", "derive", "records", "review"} <= found
    sources = code_sources()
    assert found <= set(sources)
    # A change to any module of what the drawing code imports is a change of the digest's input.
    for name in found:
        for path in sorted((package / name).glob("*.py")) if (package / name).is_dir() else [package / f"{name}.py"]:
            assert path.read_bytes() in sources[name], path


def test_a_damaged_entry_is_a_miss_and_is_replaced(tmp_path: Path) -> None:
    corpus = synthetic_corpus()
    fresh = build_figures(corpus)
    build_figures(corpus, cache=FigureCache(tmp_path))
    names = sorted(entries(tmp_path))
    (tmp_path / names[0]).write_bytes((tmp_path / names[0]).read_bytes().replace(b"<svg ", b"<svG ", 1))  # checksum no longer matches
    (tmp_path / names[1]).write_bytes((tmp_path / names[1]).read_bytes()[:100])  # truncated
    (tmp_path / names[2]).unlink()
    (tmp_path / names[2]).mkdir()  # unreadable, and cannot be replaced: only logged
    cache = FigureCache(tmp_path)
    assert build_figures(corpus, cache=cache) == fresh
    assert (cache.hits, cache.misses) == (svgs(fresh) - 3, 3)
    again = FigureCache(tmp_path)
    assert build_figures(corpus, cache=again) == fresh
    assert again.misses == 1  # the directory is still in the way; the damaged entries were rewritten
    assert not [name for name in entries(tmp_path) if name.endswith(".tmp")]


def test_entries_are_viewable_svg_files(tmp_path: Path) -> None:
    build_figures(synthetic_corpus(), cache=FigureCache(tmp_path))
    assert entries(tmp_path)
    for item in tmp_path.iterdir():
        if item.name == ENVIRONMENT_FILE:
            continue  # the cache's record of versions and fonts (test_the_environment_digest_is_kept…)
        assert item.suffix == ".svg" and len(item.stem) == 64
        root = ET.fromstring(item.read_bytes())  # the checksum is an XML comment after the root element
        assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_prune_removes_only_entries_this_build_did_not_use(tmp_path: Path) -> None:
    corpus = synthetic_corpus()
    build_figures(corpus, url_for=site_url, cache=FigureCache(tmp_path))  # entries a later build no longer wants
    stale = entries(tmp_path)
    (tmp_path / "notes.txt").write_text("not ours")
    old_temp, new_temp = tmp_path / ".abc.tmp", tmp_path / ".def.tmp"
    old_temp.write_bytes(b"left by an interrupted write")
    new_temp.write_bytes(b"another build may be writing this")
    an_hour_ago = time.time() - 2 * 3600
    os.utime(old_temp, (an_hour_ago, an_hour_ago))
    cache = FigureCache(tmp_path)
    figures = build_figures(corpus, cache=cache)
    used = entries(tmp_path) - stale - {"notes.txt", ".abc.tmp", ".def.tmp"}
    assert len(used) == svgs(figures)
    assert cache.prune_unused() == len(stale) + 1
    assert entries(tmp_path) == used | {"notes.txt", ".def.tmp"}


def test_no_folder_means_no_caching(tmp_path: Path) -> None:
    cache = FigureCache(None)
    corpus = synthetic_corpus()
    assert build_figures(corpus, cache=cache) == build_figures(corpus)
    assert (cache.hits, cache.misses, cache.prune_unused()) == (0, 0, 0)
    assert not any(tmp_path.iterdir())


def test_canonical_json_tells_inputs_apart() -> None:
    class Colour(enum.Enum):
        red = "red"

    corpus = synthetic_corpus()
    study = corpus.studies["trial-a"]
    class Shade(enum.StrEnum):
        red = "red"

    distinct = [1, 1.0, True, "1", None, [1], (1, 2), {"1": 1}, {1: "1"}, Colour.red, "red", "Colour.red", Shade.red,
                study, study.arms[0], {"a": 1, "b": 2}, {"b": 2, "a": 1}, -0.0, 0.0]
    texts = [canonical_json(value) for value in distinct]
    assert len(set(texts)) == len(texts)
    assert canonical_json(study) == canonical_json(study.model_copy())
    assert canonical_json((1, 2)) == canonical_json([1, 2])  # a sequence is a sequence: the drawing reads them alike
    with pytest.raises(TypeError):
        canonical_json({1, 2})  # a set has no order to serialise
    with pytest.raises(TypeError):
        canonical_json(object())


def test_paths_of_every_figure_kind_are_cached(corpus: Corpus, drawn: list[Figure], tmp_path: Path) -> None:
    cache = FigureCache(tmp_path)
    build_figures(corpus, cache=cache)
    paths = {figure.path for figure in drawn}
    assert {*all_arms_figure_paths(corpus.review), EVIDENCE_MAP_PATH} <= paths and any(path == case_figure_path(cid) for cid in corpus.cases for path in paths)
    assert cache.misses == svgs(drawn)


def test_the_environment_digest_is_kept_and_made_again_when_a_font_changes(tmp_path: Path) -> None:
    """The digest of versions and fonts is kept in the cache folder (finding the fonts imports matplotlib) and used
    again only while the versions, matplotlib's font list and every font file are as they were."""
    compute = _environment_digest.__wrapped__
    fresh = compute(None)  # nothing kept: computed from the fonts
    assert compute(tmp_path) == fresh
    memo = tmp_path / ENVIRONMENT_FILE
    kept = json.loads(memo.read_text())
    assert any(path.endswith(".ttf") for path in kept["files"]) and any("fontlist" in path for path in kept["files"])
    kept["digest"] = "kept"
    memo.write_text(json.dumps(kept))
    assert compute(tmp_path) == "kept"  # what the folder holds, while everything matches
    font = next(path for path in kept["files"] if path.endswith(".ttf"))
    kept["files"][font] = [1, 1]  # as if the font file had been replaced since
    memo.write_text(json.dumps(kept))
    assert compute(tmp_path) == fresh
    kept = json.loads(memo.read_text())
    kept["stamp"]["versions"][1] = "matplotlib 0.0"
    kept["digest"] = "stale"
    memo.write_text(json.dumps(kept))
    assert compute(tmp_path) == fresh
    memo.write_text("{not json")
    assert compute(tmp_path) == fresh  # a damaged record is made again, never an error


def test_a_build_whose_figures_are_cached_imports_no_matplotlib_or_statsmodels(tmp_path: Path) -> None:
    """Drawing code imports matplotlib where it draws, and the effects and pooling code statsmodels where they compute:
    planning the real review with every figure in the cache needs neither (0.45 s and 0.8 s of imports)."""
    script = (
        "import dataclasses, sys\n"
        "from pathlib import Path\n"
        "from generator.cli import review_config\n"
        "from generator.pipeline import plan_review, validate_review\n"
        "config = review_config(Path('mkdocs.yml'))\n"
        f"config = dataclasses.replace(config, cache_dir=Path({str(tmp_path)!r}))\n"
        "review = validate_review(config)\n"
        "plan_review(config, review, defer_figures=sys.argv[1] == 'plan')\n"
        "print(sorted(name for name in ('matplotlib', 'statsmodels') if name in sys.modules))\n")
    root = Path(__file__).resolve().parents[1]
    first = subprocess.run([sys.executable, "-c", script, "draw"], cwd=root, capture_output=True, text=True, check=True)
    assert first.stdout.split("\n")[-2] == "['matplotlib']"  # an empty cache: the figures are drawn
    warm = subprocess.run([sys.executable, "-c", script, "plan"], cwd=root, capture_output=True, text=True, check=True)
    assert warm.stdout.split("\n")[-2] == "[]"
