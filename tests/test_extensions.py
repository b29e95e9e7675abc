"""The supported extension point (generator/review/extensions.py): a review's own Python, named in its review file,
adds checks, template filters and globals, and files, in every process the build uses; a broken one is one clean line."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import yaml

from generator.pipeline import ReviewConfig, plan_review, validate_review
from tests.conftest import ROOT, build_site, run_cli

EXTENSION = '''
from generator.errors import Problem


def register(extensions):
    extensions.add_check(every_study_is_named_after_its_trial)
    extensions.add_filter("shout", lambda text: str(text).upper())
    extensions.add_global("REVIEW_TEAM", "the fixture team")
    extensions.add_file("team.md", team_page)
    extensions.add_file("data/study-ids.txt", lambda corpus: "\\n".join(sorted(corpus.studies)).encode())


def every_study_is_named_after_its_trial(corpus):
    return [Problem(f"seeds/studies/{study.id}.yaml", 1, "short_name", "{FORBIDDEN} is not allowed in a study's name")
            for study in corpus.studies.values() if "{FORBIDDEN}" in study.short_name]


def team_page(corpus):
    return f"# The team\\n\\nThis review of {len(corpus.studies)} study was curated by the fixture team.\\n".encode()
'''


def _with_extension(project: Path, forbidden: str = "nothing-forbidden", names: list[str] | None = None) -> Path:
    (project / "review_ext.py").write_text(EXTENSION.replace("{FORBIDDEN}", forbidden), encoding="utf-8")
    review_file = project / "seeds" / "review.yaml"
    data = yaml.safe_load(review_file.read_text(encoding="utf-8"))
    data["extensions"] = names if names is not None else ["review_ext:register"]
    review_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return project


def _config(project: Path) -> ReviewConfig:
    return ReviewConfig.from_options(project, "seeds", str(ROOT / "templates"), "docs", "sources")


def test_an_extension_adds_a_filter_a_global_and_files_to_the_build(project: Path) -> None:
    config = _config(_with_extension(project))
    planned = plan_review(config, validate_review(config))
    assert planned.env.filters["shout"]("ok") == "OK"
    assert planned.env.globals["REVIEW_TEAM"] == "the fixture team"
    files = dict(planned.files())
    assert files["team.md"].startswith(b"# The team")
    assert files["data/study-ids.txt"] == b"fixture-trial"
    assert "team.md" in str(planned.nav)  # a page it adds joins the navigation like a hand-written one


def test_an_extensions_check_fails_the_build_like_any_problem(project: Path) -> None:
    _with_extension(project, forbidden="Fixture")
    done = run_cli("validate", cwd=project)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "seeds/studies/fixture-trial.yaml:1: short_name: Fixture is not allowed in a study's name" in done.stderr
    assert "Traceback" not in done.stderr


def test_mkdocs_build_runs_the_extension_in_the_generators_own_process(project: Path) -> None:
    """`mkdocs build` runs the generator in a process of its own: the extension reaches it, and its page is built."""
    _with_extension(project)
    done = build_site(project, project / "site")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "curated by the fixture team" in (project / "site" / "team" / "index.html").read_text(encoding="utf-8")
    assert (project / "site" / "data" / "study-ids.txt").read_text(encoding="utf-8") == "fixture-trial"
    # and its check runs there too
    _with_extension(project, forbidden="Fixture")
    failed = build_site(project, project / "site")
    assert failed.returncode != 0 and "Fixture is not allowed in a study's name" in failed.stdout + failed.stderr


def test_an_edited_extension_is_run_anew_at_the_next_build(project: Path) -> None:
    config = _config(_with_extension(project))
    assert validate_review(config).extensions.globals["REVIEW_TEAM"] == "the fixture team"
    (project / "review_ext.py").write_text(EXTENSION.replace("the fixture team", "a new team"), encoding="utf-8")
    assert validate_review(config).extensions.globals["REVIEW_TEAM"] == "a new team"


def test_an_extension_not_named_module_colon_function_is_refused_with_its_line(project: Path) -> None:
    _with_extension(project, names=["review_ext"])
    done = run_cli("validate", cwd=project)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert re.search(r"^seeds/review\.yaml:\d+: extensions\[0\]: expected: string should match pattern", done.stderr, re.M), done.stderr


@pytest.mark.parametrize(("names", "said"), [
    (["missing_module:register"], "no file missing_module.py in"),
    (["review_ext:absent"], "review_ext has no function 'absent'"),
    (["broken_ext:register"], "importing broken_ext failed: ZeroDivisionError"),
])
def test_a_broken_extension_is_one_clean_line(project: Path, names: list[str], said: str) -> None:
    _with_extension(project, names=names)
    (project / "broken_ext.py").write_text(textwrap.dedent("""
        x = 1 / 0
        def register(extensions): pass
    """), encoding="utf-8")
    done = run_cli("validate", cwd=project)
    assert done.returncode == 2, done.stdout + done.stderr
    assert said in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
