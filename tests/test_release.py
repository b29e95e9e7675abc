"""The release workflow (.github/workflows/site.yml) and publishing with mike.

GitHub Actions cannot run here, so the workflow is checked three ways: it validates against the GitHub workflow schema (check-jsonschema); its test job
must run the README's commands; and its publishing steps are run as the runner would run them, on a small
synthetic review in a local git repository whose ``origin`` is a bare repository standing in for GitHub. The
gh-pages branch they push is then served on localhost and opened in Chromium, which must show Material's
version selector listing every published version.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import Browser, Page

from tests.benchmark.synthetic import write_review
from tests.conftest import ROOT
from tests.test_browser import _open, _serve
from tests.test_browser import browser as browser  # the browser tests' Chromium fixture

WORKFLOW = ROOT / ".github" / "workflows" / "site.yml"
BIN = Path(sys.executable).parent
CHECK_JSONSCHEMA = BIN / "check-jsonschema"  # installed by the dev extra
# The publishing steps this test runs, in the workflow's order; the steps before them set up the runner.
PUBLISH_STEPS = ("Name the release", "Switch on the version selector", "Publish with mike")
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def _workflow() -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1, which PyYAML reads, takes the key `on` for the boolean true
        data["on"] = data.pop(True)
    return data


def _steps(job: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = _workflow()["jobs"][job]["steps"]
    return steps


def _runs(job: str) -> list[str]:
    return [step["run"].strip() for step in _steps(job) if "run" in step]


# --------------------------------------------------------------------------- the workflow file


def test_the_workflow_is_valid_for_github_actions(tmp_path: Path) -> None:
    assert CHECK_JSONSCHEMA.is_file(), f"no check-jsonschema at {CHECK_JSONSCHEMA}: `make .venv/.installed-dev` installs it"
    # SchemaStore's schema of GitHub workflows, as vendored in check-jsonschema: no network needed
    command = [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows"]
    done = subprocess.run([*command, str(WORKFLOW)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{WORKFLOW.relative_to(ROOT)} is not a valid workflow:\n{done.stdout}{done.stderr}"
    # and it does check: a job without runs-on, and a step that neither runs nor uses anything, are refused
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  build:\n    steps:\n      - run: echo hi\n  other:\n    runs-on: ubuntu-latest\n    steps:\n      - name: nothing\n")
    refused = subprocess.run([*command, "--verbose", str(broken)], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "runs-on" in refused.stdout and "$.jobs.other.steps[0]" in refused.stdout, refused.stdout + refused.stderr


def test_every_push_and_pull_request_runs_the_readme_commands() -> None:
    workflow = _workflow()
    triggers = workflow["on"]
    assert set(triggers) == {"push", "pull_request"} and not triggers["push"], "every push (any branch or tag) and every pull request"
    runs = _runs("test")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert ci == "make test" and ci in runs, runs  # the command CI runs here, as GitHub runs it
    assert "make site" in runs, runs  # litreview build: mkdocs build --strict
    assert workflow["permissions"] == {"contents": "read"} and "permissions" not in workflow["jobs"]["test"]


def test_every_action_is_pinned_and_every_checkout_has_the_history() -> None:
    for job in ("test", "publish"):
        for step in _steps(job):
            if "uses" in step:
                assert PINNED.match(step["uses"]), f"{job}: {step['uses']} is not pinned to a full commit SHA"
                if step["uses"].startswith("actions/checkout@") and "repository" not in step.get("with", {}):
                    assert step["with"]["fetch-depth"] == 0, f"{job}: the generator dates records from git history"
    text = WORKFLOW.read_text(encoding="utf-8")
    assert all(re.search(r"@[0-9a-f]{40} # v\d", line) for line in text.splitlines() if re.search(r"uses: \S+@", line)), "a version comment"


def test_only_pushes_of_main_and_release_tags_publish_and_one_at_a_time() -> None:
    publish = _workflow()["jobs"]["publish"]
    assert publish["needs"] == "test"
    assert "refs/heads/main" in publish["if"] and "refs/tags/v" in publish["if"] and "github.event_name == 'push'" in publish["if"]
    assert publish["permissions"] == {"contents": "write"}
    assert publish["concurrency"]["group"] and publish["concurrency"]["cancel-in-progress"] is False
    names = [step.get("name") for step in _steps("publish")]
    assert [name for name in names if name in PUBLISH_STEPS] == list(PUBLISH_STEPS)
    script = next(step["run"] for step in _steps("publish") if step.get("name") == "Publish with mike")
    tag_branch = script.split("else")[0]
    assert re.search(r"mike deploy .*--push --update-aliases \S+ latest", tag_branch), script
    assert re.search(r"mike set-default .*--push latest", tag_branch), script
    assert re.search(r"mike deploy .*--push", script.split("else")[1]), script


# --------------------------------------------------------------------------- publishing, run for real


def _git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"git {' '.join(args)}:\n{done.stdout}{done.stderr}"
    return done.stdout


def _run_steps(names: tuple[str, ...], project: Path, env: dict[str, str], ref_type: str, ref_name: str) -> dict[str, str]:
    """Run steps of the publishing job as the runner would for a push of ``ref_name``; the environment they leave."""
    steps = {step.get("name"): step for step in _steps("publish")}
    github_env = project.parent / f"github-env-{ref_name}"
    github_env.write_text("")
    step_env = env | {"GITHUB_REF_TYPE": ref_type, "GITHUB_REF_NAME": ref_name, "GITHUB_ENV": str(github_env)}
    for name in names:
        step = steps[name]
        assert "if" not in step and "env" not in step, f"{name}: this test runs the step unconditionally and with no env of its own"
        # the runner's `shell: bash`
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=project, env=step_env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"step {name!r} for {ref_name}:\n{done.stdout}{done.stderr}"
        # as the runner does between steps: each NAME=value line written to $GITHUB_ENV sets a variable
        for line in github_env.read_text().splitlines():
            key, _, value = line.partition("=")
            step_env[key] = value
    return step_env


def _publish(project: Path, env: dict[str, str], ref_type: str, ref_name: str, release: str) -> None:
    published = _run_steps(PUBLISH_STEPS, project, env, ref_type, ref_name)
    assert published["LITREVIEW_RELEASE"] == release  # what the pages name their release from


def test_the_release_is_named_from_the_tag(tmp_path: Path) -> None:
    env = dict(os.environ)
    assert _run_steps(PUBLISH_STEPS[:1], tmp_path, env, "tag", "v1.2.0")["LITREVIEW_RELEASE"] == "1.2.0"
    assert _run_steps(PUBLISH_STEPS[:1], tmp_path, env, "branch", "main")["LITREVIEW_RELEASE"] == "dev"
    with pytest.raises(AssertionError, match=re.escape("release tags are named vX.Y.Z, not version-2")):
        _run_steps(PUBLISH_STEPS[:1], tmp_path, env, "tag", "version-2")


def test_releases_and_dev_published_with_mike_are_served_with_the_version_selector(tmp_path: Path, browser: Browser) -> None:
    project, origin, served = tmp_path / "review", tmp_path / "origin.git", tmp_path / "gh-pages"
    write_review(project, 5)
    env = {key: value for key, value in os.environ.items() if key not in {"SOURCE_DATE_EPOCH", "LITREVIEW_RELEASE", "MIKE_DOCS_VERSION"}}
    env |= {
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",  # mike runs `mkdocs`; the step runs `python` (with PyYAML)
        # a machine without a git identity, and none of the user's git settings (signing, hooks)
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
    }
    _git("init", "--quiet", "--bare", str(origin), cwd=tmp_path, env=env)
    _git("init", "--quiet", "--initial-branch=main", cwd=project, env=env)
    _git("add", "--all", cwd=project, env=env)
    _git("commit", "--quiet", "-m", "review", cwd=project, env=env)
    _git("remote", "add", "origin", str(origin), cwd=project, env=env)

    _publish(project, env, "tag", "v1.0", "1.0")
    _publish(project, env, "branch", "main", "dev")
    # a value changes between the releases: a study's short name
    study = sorted((project / "seeds" / "studies").glob("*.yaml"))[0]
    record = study.read_text(encoding="utf-8")
    short_name = re.search(r"^short_name: (.+)$", record, re.MULTILINE)
    assert short_name is not None
    study.write_text(record.replace(short_name.group(0), f"{short_name.group(0)}, amended"), encoding="utf-8")
    _git("commit", "--quiet", "--all", "-m", "amend a study", cwd=project, env=env)
    _publish(project, env, "tag", "v2.0", "2.0")

    # what GitHub Pages would serve: the gh-pages branch of the bare repository
    _git("clone", "--quiet", "--branch", "gh-pages", str(origin), str(served), cwd=tmp_path, env=env)
    versions = {entry["version"]: entry["aliases"] for entry in json.loads((served / "versions.json").read_text())}
    assert versions == {"2.0": ["latest"], "1.0": [], "dev": []}, versions
    assert (served / "latest").resolve() == (served / "2.0").resolve()
    assert "latest/" in (served / "index.html").read_text()  # the site's root leads to the latest release
    study_page = f"studies/{study.stem}/index.html"
    assert "amended" not in (served / "1.0" / study_page).read_text()
    assert "amended" not in (served / "dev" / study_page).read_text()  # published before the change
    assert "amended" in (served / "2.0" / study_page).read_text()

    # Each version's pages, opened in Chromium: no console error (a missing versions.json would be one), no other host
    with contextmanager(_serve)(served) as base, contextmanager(_open)(browser, base, viewport={"width": 1280, "height": 900}) as tab:
        page = tab.goto("")
        page.wait_for_url(f"{base}latest/")  # the root leads to the latest release
        assert _version_selector(page) == (("2.0", "latest"), {"2.0": f"{base}2.0/", "1.0": f"{base}1.0/", "dev": f"{base}dev/"})
        tab.shot("version-selector-latest")
        page = tab.goto("1.0/")
        assert _version_selector(page) == (("1.0", None), {"2.0": f"{base}2.0/", "1.0": f"{base}1.0/", "dev": f"{base}dev/"})


def _version_selector(page: Page) -> tuple[tuple[str, str | None], dict[str, str]]:
    """Material's version selector in the header: (version shown, its alias), and version -> address of each entry."""
    # Material draws it with its script, from ../versions.json, once the page has loaded
    page.locator(".md-header .md-version").wait_for(state="attached", timeout=15_000)
    current = page.eval_on_selector(".md-header .md-version__current",
                                    "button => [button.firstChild.textContent, button.querySelector('.md-version__alias')?.textContent ?? null]")
    entries = page.eval_on_selector_all(".md-header .md-version__link", "links => links.map(link => [link.firstChild.textContent, link.href])")
    return (current[0], current[1]), dict(entries)
