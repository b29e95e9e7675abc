"""`litreview init`: a new review that validates and builds as written; the wheel that carries the tool to it."""

from __future__ import annotations

import html
import logging
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib.util import find_spec
from pathlib import Path

import pathspec
import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config

from generator import bundled
from generator.figures.cache import code_sources
from generator.publish.engines import SITE_CONFIG_FILE
from tests.conftest import ROOT, run_cli
from tests.test_reading_aids import _UndefinedAbbreviations

TITLE = 'Tenosynovitis treatments: a "living" review – test'
KINDS = ("studies", "regimens", "cases")
# the tool's theme override (templates/theme/main.html): the release at each page's foot, which stock Material has not
THEME_OVERRIDE = '<p class="lr-release"><em class="lr-updated">'
REVIEW_FILES = {"mkdocs.yml", "CITATION.cff", "README.md", ".gitignore", ".pre-commit-config.yaml", "docs/about.md", "seeds/glossary.yaml", "seeds/sources.yaml",
                "seeds/review.yaml", "schema/study.schema.json", "schema/regimen.schema.json", "schema/case.schema.json",
                "schema/sources.schema.json", "schema/review.schema.json"}
# Words of this repository's own review: the starter is a fictional review of its own and holds none of them.
REAL_REVIEW_WORDS = re.compile(r"sorafenib|lenvatinib|lenalidomide|hepatocellular|HCC|PD-1|Child-Pugh|BCLC", re.IGNORECASE)


def _records(review: Path) -> dict[str, list[str]]:
    return {kind: sorted(path.stem for path in (review / "seeds" / kind).glob("*.yaml")) for kind in KINDS}


def _tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def _visible(tree: dict[str, bytes]) -> dict[str, bytes]:
    """Without hidden files: neither the tool (assets, MkDocs' theme files) nor the wheel uses them."""
    return {path: data for path, data in tree.items() if not any(part.startswith(".") for part in path.split("/"))}


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def new_review(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """``litreview init`` into a new folder, then ``mkdocs build --strict`` in-process; (review folder, init's output)."""
    review = tmp_path_factory.mktemp("init") / "my-review"
    done = run_cli("init", str(review), "--title", TITLE, cwd=review.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    warnings = _Warnings()
    logging.getLogger("mkdocs").addHandler(warnings)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # what the plugin would set from git; kept out of other tests
            config = load_config(str(review / "mkdocs.yml"), strict=True)  # site_dir: the review's own site/
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)  # strict: a warning raises
            finally:
                config.plugins.on_shutdown()
    finally:
        logging.getLogger("mkdocs").removeHandler(warnings)
    assert warnings.messages == []
    # the tool's theme override, found without a custom_dir in the review's mkdocs.yml
    assert config.theme.dirs[0] == str(bundled.templates_dir() / "theme")
    return review, done.stdout


def test_init_writes_a_review_of_fictional_examples_with_the_bundled_templates(new_review: tuple[Path, str]) -> None:
    review, output = new_review
    written = {path for path in _tree(review)  # not the build's: its site, cache, pages and site configuration
               if (not path.startswith(("site/", ".cache/", "docs/")) or path == "docs/about.md") and path != SITE_CONFIG_FILE}
    records = _records(review)
    assert all(records[kind] for kind in KINDS)  # an example of each kind
    assert len(records["studies"]) == 1 and len(records["regimens"]) == 2 and len(records["cases"]) == 1
    sources = sorted(path.name for path in (review / "sources").iterdir())
    assert len(sources) == 1
    assert written == REVIEW_FILES | {f"seeds/{kind}/{rid}.yaml" for kind in KINDS for rid in records[kind]} | {f"sources/{sources[0]}"}
    assert "FICTIONAL" in output and f"cd {review}" in output

    config = yaml.safe_load((review / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["site_name"] == TITLE
    assert "custom_dir" not in config["theme"] and config["theme"]["name"] == "material"
    plugin = next(entry["litreview"] for entry in config["plugins"] if isinstance(entry, dict) and "litreview" in entry)
    assert plugin == {"seeds": "seeds", "sources": "sources", "cache": ".cache/litreview"}  # no templates: the bundled ones
    assert config["markdown_extensions"] == yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["markdown_extensions"]
    assert yaml.safe_load((review / "CITATION.cff").read_text(encoding="utf-8"))["title"] == TITLE
    assert not (review / "templates").exists()

    # every example record says it is an example, in the name a table shows, and the source document says it is invented
    for kind in KINDS:
        for rid in records[kind]:
            record = yaml.safe_load((review / "seeds" / kind / f"{rid}.yaml").read_text(encoding="utf-8"))
            shown = record.get("short_name") or record["name"]
            assert re.search(r"\((fictional|fictional drug|example record)\)", shown), (rid, shown)
            assert rid.startswith("example-")
    assert (review / "sources" / sources[0]).read_text(encoding="utf-8").startswith("EXAMPLE SOURCE DOCUMENT (FICTIONAL)")


def test_the_new_review_builds_a_page_for_each_record_and_validates(new_review: tuple[Path, str]) -> None:
    review, _ = new_review
    site = review / "site"
    for kind, ids in _records(review).items():
        for rid in ids:
            page = (site / kind / rid / "index.html").read_text(encoding="utf-8")
            assert "fictional" in page.lower() or "example record" in page.lower(), rid
    home = (site / "index.html").read_text(encoding="utf-8")
    assert THEME_OVERRIDE in home
    assert [html.unescape(title) for title in re.findall(r"<title>(.*?)</title>", home)] == [TITLE]
    assert (site / "about" / "index.html").is_file()
    assert (review / "docs" / "assets" / "litreview" / "tables.js").read_bytes() == (ROOT / "templates" / "assets" / "tables.js").read_bytes()

    done = run_cli("validate", cwd=review)
    assert done.returncode == 0, done.stderr
    assert "1 study, 2 regimens, 1 case" in done.stdout and "quotes checked against the sources" in done.stdout


def test_the_new_review_explains_its_abbreviations_and_ignores_what_the_build_writes(new_review: tuple[Path, str]) -> None:
    review, _ = new_review
    glossary = yaml.safe_load((review / "seeds" / "glossary.yaml").read_text(encoding="utf-8"))
    allowed = {entry["term"] for entry in glossary["terms"]} | set(glossary["not_abbreviations"])
    missing: dict[str, str] = {}
    # the pages the example records are shown on (not the tool's own documentation pages, whose vocabulary is its own)
    pages = [review / "site" / "index.html", *(page for folder in [*KINDS, "compare", "notes", "sources", "about"]
                                              for page in sorted((review / "site" / folder).rglob("index.html")))]
    assert len(pages) > 15
    for page in pages:
        parser = _UndefinedAbbreviations()
        parser.feed(page.read_text(encoding="utf-8"))
        missing |= {token: str(page.parent.relative_to(review / "site")) for token in parser.found - allowed}
    assert not missing, f"abbreviations the starter glossary does not explain: {missing}"

    ignored = pathspec.GitIgnoreSpec.from_lines((review / ".gitignore").read_text(encoding="utf-8").splitlines())
    written = set(_tree(review))
    generated = {path for path in written if (path.startswith(("site/", "docs/", ".cache/")) and path != "docs/about.md")
                 or path == SITE_CONFIG_FILE}
    assert len(generated) > 50
    assert {path for path in generated if not ignored.match_file(path)} == set()  # a clean `git status` after a build
    assert {path for path in written - generated if ignored.match_file(path)} == set()  # the review's own files are kept


def test_the_pre_commit_hook_validates_on_record_changes(new_review: tuple[Path, str]) -> None:
    review, _ = new_review
    config = yaml.safe_load((review / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    [repo] = config["repos"]
    [hook] = repo["hooks"]
    assert repo["repo"] == "local" and hook["entry"] == "litreview validate" and hook["language"] == "system"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert files.search("seeds/studies/example-trial.yaml") and files.search("seeds/glossary.yaml") and files.search("sources/x.txt")
    assert not files.search("docs/index.md") and not files.search("README.md")
    readme = (review / "README.md").read_text(encoding="utf-8")
    assert readme.startswith(f"# {TITLE}\n")
    for command in ("litreview build", "mkdocs serve", "litreview validate", "pre-commit install", "--with-templates"):
        assert command in readme, command


def test_init_refuses_a_folder_that_is_not_empty_and_writes_nothing(tmp_path: Path) -> None:
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("mine\n")
    done = run_cli("init", str(occupied), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == f"error: {occupied} is not empty: `litreview init` writes a new review only into a new or empty folder\n"
    assert "Traceback" not in done.stdout + done.stderr
    assert _tree(occupied) == {"notes.txt": b"mine\n"}

    done = run_cli("init", str(occupied / "notes.txt"), cwd=tmp_path)
    assert done.returncode == 2 and "exists and is not a folder" in done.stderr and "Traceback" not in done.stderr
    done = run_cli("init", str(tmp_path / "new"), "--title", "two\nlines", cwd=tmp_path)
    assert done.returncode == 2 and "one line of text" in done.stderr and not (tmp_path / "new").exists()


def test_init_with_templates_copies_them_and_the_review_renders_with_its_copy(tmp_path: Path) -> None:
    review = tmp_path / "custom"
    review.mkdir()  # an empty folder is fine
    done = run_cli("init", str(review), "--with-templates", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    templates = _visible(_tree(bundled.templates_dir()))
    assert _tree(review / "templates") == templates
    assert {"home.md.j2", "assets/tables.js", "theme/main.html"} <= set(templates)
    config = yaml.safe_load((review / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["theme"]["custom_dir"] == "templates/theme"
    assert next(entry["litreview"] for entry in config["plugins"] if isinstance(entry, dict))["templates"] == "templates"
    assert "templates/" in (review / "README.md").read_text(encoding="utf-8")

    home = review / "templates" / "home.md.j2"
    home.write_text(home.read_text(encoding="utf-8") + "\nRendered from this review's own templates.\n", encoding="utf-8")
    done = run_cli("generate", cwd=review)
    assert done.returncode == 0, done.stderr
    assert "Rendered from this review's own templates." in (review / "docs" / "index.md").read_text(encoding="utf-8")


def test_the_starter_holds_no_word_of_the_real_review() -> None:
    found = {path.relative_to(bundled.STARTER_DIR).as_posix(): sorted(set(REAL_REVIEW_WORDS.findall(path.read_text(encoding="utf-8"))))
             for path in sorted(bundled.STARTER_DIR.rglob("*")) if path.is_file()}
    assert {path: words for path, words in found.items() if words} == {}


def test_the_figure_cache_key_skips_data_folders_of_the_package() -> None:
    # an installed wheel has generator/templates/ and generator/starter/: folders of data that a docstring may name
    assert (bundled.STARTER_DIR / "mkdocs.yml.j2").is_file()
    assert code_sources(["starter"]) == {"starter": b""}


# --------------------------------------------------------------------------- the wheel


def _venv_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    return env | {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "NO_MKDOCS_2_WARNING": "1"}


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=_venv_env(), capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def source_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository, review content included (so that leaving it out is the build's doing).

    Built from a copy, not in place: setuptools writes build/ and *.egg-info/ into the tree it builds.
    """
    assert find_spec("setuptools") and find_spec("pip"), "the project's venv needs pip and setuptools (make installs both)"
    tree = tmp_path_factory.mktemp("wheel") / "source"
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(".git", ".venv", "site", "build", "dist", "*.egg-info", "__pycache__", ".*_cache",
                                                              ".cache", ".hypothesis", "node_modules", "test-artifacts", ".*.building-*"))
    return tree


@pytest.fixture(scope="module")
def wheel(source_tree: Path) -> Path:
    dist = source_tree.parent / "dist"
    done = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(source_tree)], cwd=source_tree.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    [built] = dist.glob("litreview-*.whl")
    return built


def test_the_wheel_holds_the_tool_and_its_templates_and_nothing_of_the_review(wheel: Path, source_tree: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    package = {name for name in names if not name.startswith("litreview-")}
    modules = {f"generator/{path.relative_to(source_tree / 'generator').as_posix()}" for path in (source_tree / "generator").glob("**/*.py")
               if path.relative_to(source_tree / "generator").parts[0] != "starter"}  # the package and its subpackages (figures/)
    templates = {f"generator/templates/{path}" for path in _visible(_tree(source_tree / "templates"))}
    starter = {f"generator/starter/{path}" for path in _visible(_tree(source_tree / "generator" / "starter"))}
    assert len(modules) > 20 and len(templates) > 20 and {"generator/templates/theme/main.html", "generator/templates/assets/tables.js"} <= templates
    assert "generator/starter/seeds/studies/example-trial.yaml" in starter and "generator/starter/dot-gitignore" in starter
    assert package == modules | templates | starter
    assert {name.split("/")[0] for name in names} == {"generator", wheel.name.split("-py3")[0] + ".dist-info"}
    assert not {name for name in names if name.rsplit("/", 1)[-1] in {"CITATION.cff", "mkdocs.yml"}}
    review_records = {path.name for path in (source_tree / "seeds").rglob("*.yaml")}
    assert review_records and not {name for name in names if name.rsplit("/", 1)[-1] in review_records - {"glossary.yaml", "sources.yaml", "review.yaml"}}
    entry_points = zipfile.ZipFile(wheel).read(next(name for name in names if name.endswith("/entry_points.txt"))).decode()
    assert "litreview = generator.cli:main" in entry_points and "litreview = generator.plugin:LitReviewPlugin" in entry_points


def _new_venv(folder: Path) -> tuple[Path, Path]:
    """A venv without pip whose dependencies come from the project's venv, after its own site-packages: (python, site-packages)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=120)
    python = folder / "bin" / "python"
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  check=True, capture_output=True, text=True, env=_venv_env()).stdout.strip())
    (purelib / "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python, purelib


def test_the_installed_wheel_starts_a_review_that_builds_strictly(wheel: Path, tmp_path: Path) -> None:
    python, purelib = _new_venv(tmp_path / "venv")
    done = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)], cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    done = _run([str(python), "-c", "import generator, generator.bundled as b; print(generator.__file__); print(b.templates_dir())"], cwd=outside)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [str(purelib / "generator" / "__init__.py"), str(purelib / "generator" / "templates")]

    done = _run([str(python.parent / "litreview"), "init", "review", "--title", "Installed"], cwd=outside)
    assert done.returncode == 0, done.stdout + done.stderr
    review = outside / "review"
    done = _run([str(python), "-m", "mkdocs", "build", "--strict"], cwd=review)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not re.search(r"^WARNING\s+-", done.stderr, re.MULTILINE), done.stderr
    site = review / "site"
    for kind, ids in _records(review).items():
        assert ids and all((site / kind / rid / "index.html").is_file() for rid in ids), kind
    assert THEME_OVERRIDE in (site / "index.html").read_text(encoding="utf-8")  # the theme override, from the wheel
    assert (review / "docs" / "assets" / "litreview" / "tables.js").read_bytes() == (ROOT / "templates" / "assets" / "tables.js").read_bytes()


def test_an_editable_install_uses_the_checkout_templates(source_tree: Path, tmp_path: Path) -> None:
    """What `make` does (pip install -e): the package and its top-level templates/ come from the checkout."""
    python, _ = _new_venv(tmp_path / "venv")
    done = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-build-isolation", "-e", str(source_tree)], cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    done = _run([str(python), "-c", "import generator, generator.bundled as b; print(generator.__file__); print(b.templates_dir())"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [str(source_tree / "generator" / "__init__.py"), str(source_tree / "templates")]
