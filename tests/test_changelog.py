"""The changelog, its feed and the release line, from a real git repository of the fixture review.

The repository is made by real git commands: v1.0.0 (a lightweight tag) holds the fixture review; v1.1.0
(an annotated tag) changes one reported value of the fixture study and adds a regimen whose name carries
the characters XML and Markdown act on. The site is built in-process by MkDocs with --strict.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from generator.errors import ConfigError
from generator.pipeline import ReviewConfig, render_review, validate_review
from generator.releases.changelog import Changelog, Release, ReleaseInfo, read_changelog, release_info, version_key
from tests.conftest import ROOT
from tests.hostile import INLINE_PAYLOAD

ATOM = "{http://www.w3.org/2005/Atom}"
SITE_URL = "https://example.org/review/"
ADVERSARIAL_NAME = 'Drugamab <b>&amp; "friends"</b> & co'
FIRST_DATE = "2026-01-15T10:00:00+00:00"
SECOND_DATE = "2026-11-22T09:30:00+00:00"
CR_BEFORE = """        as_reported: 30 of 200 patients (14%)
        value: 14
        unit: "%"
        numerator: 30
        denominator: 200
        source: 900_0000000000000abc.txt
        quote: Complete responses were seen in 30 of 200 patients (14%) on drugamab.
"""
# The same value, corrected: the count the source states, with a shorter quote (still verbatim in the source).
CR_AFTER = """        as_reported: 30 of 200 patients
        value: 30
        unit: patients
        numerator: 30
        denominator: 200
        source: 900_0000000000000abc.txt
        quote: Complete responses were seen in 30 of 200 patients
"""


def git(repo: Path, *args: str, date: str = FIRST_DATE) -> str:
    """A git command as a curator would run it, isolated from the machine's own git configuration."""
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Cora Curator",
           "GIT_AUTHOR_EMAIL": "cora@example.org", "GIT_COMMITTER_NAME": "Cora Curator", "GIT_COMMITTER_EMAIL": "cora@example.org",
           "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=True, timeout=60)
    return done.stdout.strip()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} not found once in {path}"
    path.write_text(text.replace(old, new))


@pytest.fixture
def released(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture review in a git repository with two releases; the builds take their release from git."""
    monkeypatch.delenv("LITREVIEW_RELEASE", raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the plugin would set it for the process otherwise
    # Material's overrides of the repository's templates, as the real review uses them (the feed's <link>).
    edit(project / "mkdocs.yml", "  name: material\n", f"  name: material\n  custom_dir: {ROOT / 'templates' / 'theme'}\n")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "First release")
    git(project, "tag", "v1.0.0")
    edit(project / "seeds" / "studies" / "fixture-trial.yaml", CR_BEFORE, CR_AFTER)
    (project / "seeds" / "regimens" / "adversarial.yaml").write_text(
        f"id: adversarial\nname: '{ADVERSARIAL_NAME}'\ndrugs:\n  - name: drugamab\n    drug_class: multikinase_inhibitor\n")
    git(project, "add", "-A", date=SECOND_DATE)
    git(project, "commit", "-q", "-m", "Correct the complete responses; add a regimen", date=SECOND_DATE)
    git(project, "tag", "-a", "v1.1.0", "-m", "Release 1.1.0", date=SECOND_DATE)
    return project


def build_in_process(project: Path, site: Path, site_url: str | None = None) -> None:
    """``mkdocs build --strict`` in this process (a broken link or anchor raises)."""
    options = {"site_url": site_url} if site_url else {}
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(site), strict=True, **options)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()


def sections(markdown: str) -> dict[str, str]:
    """The changelog page's entries, by heading id."""
    found = re.split(r"^## .*\{ #([\w-]+) \}$", markdown, flags=re.MULTILINE)
    return dict(zip(found[1::2], found[2::2], strict=True))


def test_the_changelog_feed_and_release_line_of_a_released_review(released: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build_in_process(released, site, SITE_URL)
    page = (released / "docs" / "changelog.md").read_text()
    entries = sections(page)
    assert list(entries) == ["v1-1-0", "v1-0-0"]  # newest first; nothing unreleased
    assert "## Release 1.1.0 (2026-11-22) { #v1-1-0 }" in page
    assert "## Release 1.0.0 (2026-01-15) { #v1-0-0 }" in page
    newest, first = entries["v1-1-0"], entries["v1-0-0"]
    assert "Records: 1 added, 1 changed, 0 removed. Reported values changed: 1." in newest
    assert "- **Added:** [Drugamab &lt;b&gt;&amp;amp; &quot;friends&quot;&lt;/b&gt; &amp; co](regimens/adversarial.md) (regimen)" in newest
    assert "- **Changed:** [Fixture trial](studies/fixture-trial.md) (study)" in newest
    assert ("| [Fixture trial](studies/fixture-trial.md) (study) | arm drugamab: CR | 30 of 200 patients (14%) (value 14, unit %) "
            "| 30 of 200 patients (value 30, unit patients) |") in newest
    assert newest.count("\n| [") == 1  # one changed value: the quote and the other values did not change in content
    assert "Records: 4 added, 0 changed, 0 removed." in first
    for link in ("studies/fixture-trial.md", "regimens/drugamab.md", "regimens/placebo.md", "cases/fixture-case.md"):
        assert f"]({link})" in first

    html = (site / "changelog" / "index.html").read_text()
    assert 'href="../studies/fixture-trial/"' in html
    assert "Drugamab &lt;b&gt;&amp;amp; &quot;friends&quot;&lt;/b&gt; &amp; co" in html  # the name as written, never markup
    assert 'href="../feed.xml"' in html
    # a table of its own (not swallowed by the list above it), and the release line a paragraph of its own
    assert re.search(r"<tr>\s*<td><a href=\"../studies/fixture-trial/\">Fixture trial</a> \(study\)</td>\s*<td>arm drugamab: CR</td>", html)
    assert re.search(r'<p class="lr-release"><em class="lr-updated"><a href="./">Release 1\.1\.0 \(2026-11-22\)</a></em></p>', html)
    study = (site / "studies" / "fixture-trial" / "index.html").read_text()  # every page, from the theme, linking the changelog
    assert re.search(r'<p class="lr-release"><em class="lr-updated"><a href="../../changelog/">Release 1\.1\.0 \(2026-11-22\)</a></em></p>', study)

    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.findtext(f"{ATOM}{required}"), required
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Curator Cora"
    assert feed.findtext(f"{ATOM}updated") == SECOND_DATE
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == f"{SITE_URL}feed.xml"  # type: ignore[union-attr]
    items = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in items] == ["Release 1.1.0 (2026-11-22)", "Release 1.0.0 (2026-01-15)"]
    assert [entry.findtext(f"{ATOM}id") for entry in items] == [f"{SITE_URL}changelog/#v1-1-0", f"{SITE_URL}changelog/#v1-0-0"]
    assert [entry.findtext(f"{ATOM}updated") for entry in items] == [SECOND_DATE, FIRST_DATE]
    content = items[0].findtext(f"{ATOM}content") or ""
    assert f"Added: {ADVERSARIAL_NAME} (regimen)." in content  # escaped for XML, read back exactly
    assert ("Fixture trial, arm drugamab: CR: 30 of 200 patients (14%) (value 14, unit %) → 30 of 200 patients (value 30, unit patients)"
            in content)
    assert "Records: 4 added" in (items[1].findtext(f"{ATOM}content") or "")

    home = (site / "index.html").read_text()
    assert re.search(r'<a href="changelog/">Release 1\.1\.0 \(2026-11-22\)</a>', home)
    assert '<link rel="alternate" type="application/atom+xml" title="Fixture review: releases" href="feed.xml">' in home
    study = (site / "studies" / "fixture-trial" / "index.html").read_text()
    assert "Record last reviewed: 2026-11-01." in study
    assert re.search(r'<a href="../../changelog/">Release 1\.1\.0 \(2026-11-22\)</a>', study)
    assert "Record last reviewed: not recorded." in (site / "cases" / "fixture-case" / "index.html").read_text()
    # a hand-written page ends with the release line too (the plugin appends it), and its docs file is untouched
    assert re.search(r'<a href="../changelog/">Release 1\.1\.0 \(2026-11-22\)</a>', (site / "about" / "index.html").read_text())
    assert "Release" not in (released / "docs" / "about.md").read_text()


def test_uncommitted_changes_are_unreleased_and_the_pages_a_development_version(released: Path) -> None:
    edit(released / "seeds" / "studies" / "fixture-trial.yaml", "        as_reported: 7.0 months\n", "        as_reported: vs 7.0 months\n")
    (released / "seeds" / "regimens" / "placebo.yaml").unlink()
    edit(released / "seeds" / "studies" / "fixture-trial.yaml", "    regimen: placebo\n", "    regimen: drugamab\n")
    config = ReviewConfig.from_options(released, "seeds", str(ROOT / "templates"), "docs", "sources")
    rendered = render_review(config, validate_review(config))
    files = rendered.files
    page = files["changelog.md"].decode()
    unreleased = sections(page)["unreleased"]
    assert "Changes in the records since release 1.1.0, not yet in a release." in unreleased
    assert "Records: 0 added, 1 changed, 1 removed. Reported values changed: 1." in unreleased
    assert "- **Removed:** Placebo (regimen)" in unreleased  # named, not linked: it has no page any more
    assert "| arm placebo: Median OS | 7.0 months | vs 7.0 months |" in unreleased
    head = git(released, "rev-parse", "--short", "HEAD")
    # the release every page belongs to, which the theme writes at each page's foot
    assert rendered.release == f"Development version after release 1.1.0 (commit {head})"
    # A removed record that a release had added stays named, unlinked, in that release's entry.
    assert "[Placebo](regimens/placebo.md)" not in page and "Placebo (regimen)" in sections(page)["v1-0-0"]


def test_outside_git_the_site_builds_and_says_no_release_has_been_made(released: Path, tmp_path: Path) -> None:
    copy = tmp_path / "unpacked"
    shutil.copytree(released, copy, ignore=shutil.ignore_patterns(".git"))
    site = tmp_path / "site"
    build_in_process(copy, site)
    assert "No release has been made yet." in (copy / "docs" / "changelog.md").read_text()
    assert '<a href="changelog/">Development version (no release yet)</a>' in (site / "index.html").read_text()
    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.findall(f"{ATOM}entry") == []
    assert (feed.findtext(f"{ATOM}id") or "").startswith("urn:uuid:")  # no site_url: an id must still be absolute
    assert feed.find(f"{ATOM}link[@rel='alternate']").get("href") == "changelog/"  # type: ignore[union-attr]


def test_the_feed_of_the_hostile_review_holds_its_text_as_written(hostile_site: Path) -> None:
    """The review's title carries markup, Jinja and entity payloads: the feed still parses, and reads it back exactly."""
    feed = ET.parse(hostile_site / "feed.xml").getroot()
    assert feed.findtext(f"{ATOM}title") == f"Fixture review {INLINE_PAYLOAD}: releases"


# --------------------------------------------------------------------------- reading the history directly


@pytest.fixture
def seeds_repo(tmp_path: Path) -> Path:
    """A bare-bones repository of seed files (not a valid review: the changelog compares raw data)."""
    repo = tmp_path / "repo"
    (repo / "review" / "seeds" / "studies").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    return repo / "review" / "seeds"


def _commit(repo: Path, message: str, date: str, tag: str | None = None) -> None:
    git(repo, "add", "-A", date=date)
    git(repo, "commit", "-q", "-m", message, date=date)
    if tag:
        git(repo, "tag", tag, date=date)


def test_releases_are_ordered_by_version_and_unreadable_files_are_named(seeds_repo: Path) -> None:
    repo = seeds_repo.parent.parent
    study = seeds_repo / "studies" / "a.yaml"
    study.write_text("id: a\nshort_name: A\narms:\n  - id: x\n    outcomes:\n      - {measure: orr, as_reported: 10%, value: 10}\n")
    (seeds_repo / "studies" / "notes.txt").write_text("not a record\n")
    _commit(repo, "one", "2026-03-01T00:00:00+00:00", "v1.9.0")
    (seeds_repo / "studies" / "broken.yaml").write_text("id: broken\nname: [unclosed\n")
    study.write_text("id: a\nshort_name: A\narms:\n  - id: x\n    outcomes:\n      - {measure: orr, as_reported: 11%, value: 11}\n"
                     "      - {measure: orr, as_reported: 12%, value: 12, subgroup: women}\n")
    # tagged earlier than v1.9.0 by date, later by version: the version decides
    _commit(repo, "two", "2026-02-01T00:00:00+00:00", "v1.10.0")
    git(repo, "tag", "not-a-release")
    git(repo, "tag", "v2_0__x")  # more than a version (an underscore breaks the changelog's anchors): not a release
    changelog = read_changelog(seeds_repo)
    assert [release.version for release in changelog.releases] == ["1.10.0", "1.9.0"]
    newest = changelog.releases[0]
    assert newest.unreadable == ["studies/broken.yaml"]
    assert [(r.key, r.name) for r in newest.added] == [("studies/broken", None)]
    changes = [(c.key.where, c.key.arm, c.key.measure, c.key.subgroup, c.old.as_reported if c.old else None, c.new.as_reported if c.new else None)
               for c in newest.values]
    assert changes == [("arms.outcomes", "x", "orr", None, "10%", "11%"), ("arms.outcomes", "x", "orr", "women", None, "12%")]
    assert newest.values[0].value_changed
    assert changelog.unreleased is None and changelog.tagged == "1.10.0"
    assert release_info(changelog, {}) == ReleaseInfo(version="1.10.0", date="2026-02-01")
    study.write_text(study.read_text() + "summary: changed\n")
    changelog = read_changelog(seeds_repo)
    assert changelog.unreleased is not None and [r.key for r in changelog.unreleased.changed] == ["studies/a"]
    assert changelog.unreleased.values == []  # no reported value changed
    assert release_info(changelog, {}) == ReleaseInfo(after="1.10.0", commit=changelog.head)


def test_release_info_from_the_environment() -> None:
    changelog = Changelog([Release("1.1.0", "v1.1.0", "f" * 40, SECOND_DATE), Release("1.0.0", "v1.0.0", "e" * 40, FIRST_DATE)], head="abc1234")
    assert release_info(changelog, {"LITREVIEW_RELEASE": "1.1.0"}) == ReleaseInfo(version="1.1.0", date="2026-11-22")
    assert release_info(changelog, {"LITREVIEW_RELEASE": "v1.0.0"}) == ReleaseInfo(version="1.0.0", date="2026-01-15")
    assert release_info(changelog, {"LITREVIEW_RELEASE": "1.2.0"}) == ReleaseInfo(version="1.2.0")  # not tagged yet: no date
    assert release_info(changelog, {"LITREVIEW_RELEASE": "dev"}) == ReleaseInfo(after="1.1.0", commit="abc1234")
    assert release_info(changelog, {}) == ReleaseInfo(after="1.1.0", commit="abc1234")  # HEAD carries no release tag
    assert release_info(Changelog(), {}) == ReleaseInfo()
    with pytest.raises(ConfigError, match="LITREVIEW_RELEASE"):
        release_info(changelog, {"LITREVIEW_RELEASE": "1.2.0<script>"})
    assert sorted(["v1.10.0", "v1.9.0", "v2.0.0-rc1", "v2.0.0"], key=version_key) == ["v1.9.0", "v1.10.0", "v2.0.0-rc1", "v2.0.0"]


def test_outside_a_repository_the_changelog_is_empty(tmp_path: Path) -> None:
    (tmp_path / "seeds" / "studies").mkdir(parents=True)
    assert read_changelog(tmp_path / "seeds") == Changelog()


def test_a_changed_value_shows_as_typed_in_the_changelog(released: Path) -> None:
    """Values changed since a release are record text: on the changelog page they read as typed, never as HTML
    (the red team's stored script, in a time point and a subgroup of a changed value)."""
    edit(released / "seeds" / "studies" / "fixture-trial.yaml", "        as_reported: 7.0 months\n",
         "        as_reported: 7.0 months\n        timepoint: 'month 6<script>__xss(\"timepoint\")</script>'\n")
    config = ReviewConfig.from_options(released, "seeds", str(ROOT / "templates"), "docs", "sources")
    page = render_review(config, validate_review(config)).files["changelog.md"].decode()
    unreleased = sections(page)["unreleased"]
    assert '<script>__xss("timepoint")' not in page  # not live HTML
    assert "month 6&lt;script&gt;&#95;&#95;xss(&quot;timepoint&quot;)&lt;/script&gt;" in unreleased, unreleased  # shown as typed
