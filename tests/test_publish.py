"""The published site is replaced whole or not at all, builds are reproducible, and need no network."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.publish import site as publish
from tests.conftest import ROOT, CliResult

STAGING_GLOB = f".site{publish.STAGING_PREFIX}*"


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` → sha256 of its bytes."""
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.rglob("*")) if path.is_file()}


def _built(project: Path, cli: Callable[..., CliResult]) -> dict[str, str]:
    done = cli("build", "--site-dir", "site", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    return snapshot(project / "site")


def _change_a_record(project: Path) -> None:
    seed = project / "seeds" / "regimens" / "drugamab.yaml"
    seed.write_text(seed.read_text().replace("A fictional drug", "A changed fictional drug"))


def test_a_successful_build_replaces_the_site_and_leaves_no_staging_folder(project: Path, cli: Callable[..., CliResult]) -> None:
    before = _built(project, cli)
    _change_a_record(project)
    after = _built(project, cli)
    assert before.keys() == after.keys() and before != after
    assert "changed fictional" in (project / "site" / "regimens" / "drugamab" / "index.html").read_text()
    assert not list(project.glob(STAGING_GLOB))


def test_a_build_failing_its_strict_checks_leaves_the_previous_site_untouched(project: Path, cli: Callable[..., CliResult]) -> None:
    before = _built(project, cli)
    _change_a_record(project)
    # the records are valid, so MkDocs writes every page; only its strict link check fails, at the end
    (project / "docs" / "about.md").write_text("# About\n\nSee [nowhere](missing.md).\n")
    done = cli("build", "--site-dir", "site", cwd=project)
    assert done.returncode == 1
    assert "strict" in done.stderr
    assert snapshot(project / "site") == before
    assert not list(project.glob(STAGING_GLOB))


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize(("signum", "started_ignoring_sigint"), [
    (signal.SIGINT, False), (signal.SIGTERM, False),
    # as a shell starts a background job (`litreview build &`): the CLI still stops MkDocs when told to
    (signal.SIGINT, True),
])
def test_an_interrupted_build_leaves_the_previous_site_untouched(project: Path, cli: Callable[..., CliResult], signum: int,
                                                                 started_ignoring_sigint: bool) -> None:
    before = _built(project, cli)
    _change_a_record(project)
    # A MkDocs hook that takes 0.2 s per page before the page is written: the fixture's 26 pages would otherwise be
    # written within milliseconds of the first, and on a busy machine the build could end before the signal lands.
    (project / "slow_pages.py").write_text("import time\n\n\ndef on_post_page(output, page, config):\n    time.sleep(0.2)\n    return output\n")
    with (project / "mkdocs.yml").open("a") as config:
        config.write("\nhooks:\n  - slow_pages.py\n")
    build = subprocess.Popen([sys.executable, "-m", "generator.cli", "build", "--site-dir", "site"], cwd=project,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             preexec_fn=_ignore_sigint if started_ignoring_sigint else None)
    # wait until MkDocs has written part of the new site into its staging folder, then interrupt
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and build.poll() is None:
        if any(path.suffix == ".html" for staging in project.glob(STAGING_GLOB) for path in staging.rglob("*")):
            break
        time.sleep(0.005)
    assert build.poll() is None, "the build finished before it could be interrupted"
    build.send_signal(signum)
    output, _ = build.communicate(timeout=60)
    assert build.returncode != 0, output
    assert "Traceback" not in output
    assert snapshot(project / "site") == before
    assert not list(project.glob(STAGING_GLOB))


def test_the_site_is_swapped_by_renames_where_an_atomic_exchange_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "old.html").write_text("old")
    staging = publish.staging_dir(site)
    (staging / "new.html").write_text("new")
    monkeypatch.setattr(publish, "_exchange", lambda first, second: False)
    publish.replace_site(staging, site)
    assert [path.name for path in site.iterdir()] == ["new.html"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["site"]


def test_the_atomic_exchange_swaps_two_folders(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "in-a").touch()
    (second / "in-b").touch()
    if not publish._exchange(first, second):
        pytest.fail("renameat2(RENAME_EXCHANGE) is not available on this machine; replace_site falls back to two renames")
    assert [p.name for p in first.iterdir()] == ["in-b"] and [p.name for p in second.iterdir()] == ["in-a"]


def _clone(target: Path) -> Path:
    done = subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(target)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return target


def test_two_builds_of_the_same_commit_are_byte_identical(tmp_path: Path) -> None:
    """Everything the build writes, figures and data included, from two clones of HEAD built in different conditions."""
    trees = []
    for run, (seed, zone) in enumerate([("1", "UTC"), ("2", "Asia/Tokyo")]):
        clone = _clone(tmp_path / f"clone{run}")
        env = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"} | {"PYTHONHASHSEED": seed, "TZ": zone}
        done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(clone / "mkdocs.yml")],
                              capture_output=True, text=True, env=env, timeout=600, check=False)
        assert done.returncode == 0, done.stderr
        trees.append(snapshot(clone / "site") | {f"docs/{name}": digest for name, digest in snapshot(clone / "docs").items()})
        if run == 0:
            time.sleep(1.1)  # a different second on the clock for the second build
    assert len(trees[0]) > 100
    assert trees[0].keys() == trees[1].keys()
    differing = sorted(name for name in trees[0] if trees[0][name] != trees[1][name])
    assert not differing


_SOCKET_GUARD = '''
import os, socket
_log = os.environ["LITREVIEW_NETWORK_LOG"]
_connect = socket.socket.connect
def _refuse(self, address):
    if self.family != socket.AF_UNIX:
        with open(_log, "a") as log:
            log.write(f"{address!r}\\n")
        raise OSError(101, "network is unreachable (test guard)")
    return _connect(self, address)
socket.socket.connect = _refuse
socket.socket.connect_ex = lambda self, address: _refuse(self, address) or 0
'''


def test_the_build_needs_no_network(project: Path, tmp_path: Path) -> None:
    """Built in a network namespace with no interfaces, and with every socket connection refused and logged."""
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(_SOCKET_GUARD)
    log = tmp_path / "connections.log"
    env = os.environ | {"PYTHONPATH": f"{guard}{os.pathsep}{ROOT}", "LITREVIEW_NETWORK_LOG": str(log)}
    command = [sys.executable, "-m", "generator.cli", "build", "--site-dir", "site"]
    unshare = shutil.which("unshare")
    isolated = unshare is not None and subprocess.run([unshare, "-rn", "true"], capture_output=True, check=False).returncode == 0
    if isolated:
        assert unshare is not None
        command = [unshare, "-rn", *command]
    done = subprocess.run(command, cwd=project, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (project / "site" / "index.html").is_file()
    assert not log.exists(), f"the build tried to connect to: {log.read_text()}"
    print(f"built with {'no network namespace' if not isolated else 'unshare -rn (no network interfaces)'} and a socket guard")


def _holder(site: Path) -> subprocess.Popen[str]:
    """Another process that has made a staging folder for ``site`` and holds it, as a running build does."""
    code = ("import sys, time; from pathlib import Path; from generator.publish import site as publish; "
            "print(publish.staging_dir(Path(sys.argv[1])), flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code, str(site)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert holder.stdout is not None
    holder.stdout.readline()
    return holder


def test_a_build_removes_the_staging_folders_that_killed_builds_left_but_not_a_running_builds(tmp_path: Path) -> None:
    site = tmp_path / "site"
    builds = [_holder(site) for _ in range(4)]  # running at once: none removes another's folder
    assert len([path for path in tmp_path.glob(STAGING_GLOB) if path.is_dir()]) == 4
    for process in builds[:3]:
        process.kill()  # kill -9: no clean-up of its own
        process.wait()
    try:
        staging = publish.staging_dir(site)
        left = sorted(path for path in tmp_path.glob(STAGING_GLOB) if path.is_dir())
        assert len(left) == 2 and staging in left  # its own, and the running build's
        publish.discard(staging)
    finally:
        builds[3].kill()
        builds[3].wait()
    assert len([path for path in tmp_path.glob(STAGING_GLOB) if path.is_dir()]) == 1  # killed last: the next build removes it


def test_the_published_site_is_readable_by_other_users(tmp_path: Path) -> None:
    site = tmp_path / "site"
    staging = publish.staging_dir(site)
    (staging / "index.html").write_text("new")
    publish.replace_site(staging, site)
    assert site.stat().st_mode & 0o777 == 0o755
    assert sorted(path.name for path in tmp_path.iterdir()) == ["site"]  # no lock file left
