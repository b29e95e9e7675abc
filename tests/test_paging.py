"""Long tables split into pages, and a navigation that stays small as the review grows."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mkdocs.commands.build import build
from mkdocs.config import load_config

from generator.pages import render, views
from generator.pages.paging import paged_path, paginate
from generator.pipeline import ReviewConfig, validate_review
from generator.records.link import Corpus
from generator.records.schema import RECORD_ID_PATTERN
from tests.benchmark.synthetic import write_review


def test_continuation_pages_sit_beside_the_first_and_never_take_a_record_path() -> None:
    assert paged_path("compare/outcomes.md", 1) == "compare/outcomes.md"
    assert paged_path("compare/outcomes.md", 3) == "compare/outcomes_3.md"
    assert paged_path("studies/index.md", 2) == "studies/page_2.md"
    assert paged_path("index.md", 2) == "page_2.md"
    assert paged_path("regimens/sorafenib.md", 2) == "regimens/sorafenib_2.md"
    # a record id is lower-case letters, digits and hyphens: no continuation page can be one
    assert not re.fullmatch(RECORD_ID_PATTERN, "outcomes_3")


@given(st.lists(st.integers(), max_size=60), st.integers(min_value=1, max_value=12))
def test_pages_partition_the_list_in_order(items: list[int], per_page: int) -> None:
    pages = paginate(items, per_page, "compare/x.md")
    assert [item for page in pages for item in page.items] == items
    assert all(0 < len(page.items) <= per_page for page in pages) or items == []
    assert len(pages) == max(1, -(-len(items) // per_page))
    for page in pages:
        assert page.path == paged_path("compare/x.md", page.number)
        assert items[page.first - 1:page.last] == list(page.items)
        numbers = page.numbers
        assert {1, page.count, page.number} <= set(numbers)
        shown = [n for n in numbers if n is not None]
        assert shown == sorted(set(shown))
        # a gap mark stands exactly where numbers are skipped
        for before, after in itertools.pairwise(numbers):
            if before is not None and after is not None:
                assert after == before + 1
        assert (page.previous is None) == (page.number == 1)
        assert (page.next is None) == (page.number == page.count)


def test_a_large_review_is_paged_and_its_records_leave_the_navigation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 40-study review with tiny page sizes, built in-process with --strict: every pager link resolves."""
    project = tmp_path / "review"
    write_review(project, 40)
    monkeypatch.setattr(render, "ARM_ROWS_PER_PAGE", 7)
    monkeypatch.setattr(render, "STUDY_ROWS_PER_PAGE", 9)
    monkeypatch.setattr(render, "DOCUMENTS_PER_PAGE", 11)
    monkeypatch.setattr(render, "NAV_RECORDS_LIMIT", 20)
    monkeypatch.setattr(render, "CONTEXT_ROWS_LIMIT", 3)
    monkeypatch.setattr(render, "CASE_ROWS_PER_PAGE", 1)
    # the limits are patched in this process: the generator must run in it too
    config_file = project / "mkdocs.yml"
    config_file.write_text(config_file.read_text().replace("- litreview:\n", "- litreview:\n    separate_process: false\n"))
    assert "separate_process" in config_file.read_text()
    config = load_config(str(config_file), site_dir=str(tmp_path / "site"), strict=True)
    config.plugins.on_startup(command="build", dirty=False)
    build(config)  # strict: a broken pager link or anchor raises
    config.plugins.on_shutdown()
    site, docs = tmp_path / "site", project / "docs"

    studies = sorted(path.stem for path in (project / "seeds" / "studies").glob("*.yaml"))
    listed = sorted(set(re.findall(r"\]\((?:\.\./)?([a-z0-9-]+)\.md\)", "".join(
        (docs / "studies" / name).read_text() for name in ["index.md", *(f"page_{n}.md" for n in range(2, 6))]))) - {"index", "changelog"})
    assert listed == studies  # the studies list, over its 5 pages (40 ÷ 9), names every study once
    assert not (docs / "studies" / "page_6.md").exists()

    outcome_pages = sorted(docs.joinpath("compare").glob("outcomes*.md"))
    assert len(outcome_pages) > 3
    rows = sum(len(re.findall(r"^\| \[", page.read_text(), re.MULTILINE)) for page in outcome_pages)
    assert rows == len(views.arm_rows(_corpus(project)))  # every arm once across the pages

    # a study page whose setting is too crowded to repeat links to every table page that holds its arms
    pointed = 0
    for study in studies:
        text = (docs / "studies" / f"{study}.md").read_text()
        if "Too many arms share" not in text:
            continue
        targets = set(re.findall(r"\]\(\.\./(compare/[a-z0-9_-]+\.md)\)", text.split("Too many arms share")[1].split("\n")[0]))
        holding = {f"compare/{page.name}" for page in docs.joinpath("compare").glob("*.md")
                   if not page.name.startswith(("figures", "cases", "index")) and "_others" not in page.name
                   and f"](../studies/{study}.md)" in page.read_text()}
        assert targets == holding, study
        pointed += 1
    assert pointed > 10

    # the case comparison, and each comparison's case reports, one case per page: every case once, in order
    cases = sorted(path.stem for path in (project / "seeds" / "cases").glob("*.yaml"))
    case_pages = [docs / "compare" / "cases.md", *(docs / "compare" / f"cases_{n}.md" for n in range(2, len(cases) + 1))]
    shown = [set(re.findall(r"\]\(\.\./cases/([a-z0-9-]+)\.md\)", page.read_text())) - {"index"} for page in case_pages]
    assert all(len(names) == 1 for names in shown) and sorted(set().union(*shown)) == cases
    assert not (docs / "compare" / f"cases_{len(cases) + 1}.md").exists()
    others = sorted(docs.joinpath("compare").glob("*_others*.md"))
    assert any(page.name.endswith("_others_2.md") for page in others)
    for page in others:
        assert len(set(re.findall(r"\]\(\.\./cases/([a-z0-9-]+)\.md\)", page.read_text()))) <= 1

    home = (site / "index.html").read_text()
    assert 'href="studies/"' in home  # the index of the studies is in the navigation …
    assert f'href="studies/{studies[0]}/"' not in home  # … its 40 pages are not
    assert 'href="compare/outcomes_2/"' not in home  # nor are continuation pages
    assert (site / "studies" / studies[0] / "index.html").is_file()  # yet all are built
    assert (site / "compare" / "outcomes_2" / "index.html").is_file()
    # continuation pages repeat what record pages hold: search leaves them out, and every table too
    indexed = json.loads((site / "search" / "search_index.json").read_text())["docs"]
    locations = {entry["location"].split("#")[0] for entry in indexed}
    assert "compare/outcomes/" in locations and f"studies/{studies[0]}/" in locations
    assert not any(re.match(r"(compare|studies|regimens)/.*_\d+/$", location) for location in locations)
    assert "sources_2/" in locations  # each document's entry is on one page only: those stay searchable
    assert not any("Regimen class" in entry["text"] for entry in indexed)  # a header of every arm table
    assert f'href="cases/{cases[0]}/"' in home  # 2 cases: under the limit, listed


def _corpus(project: Path) -> Corpus:
    config = ReviewConfig.from_options(project, "seeds", "templates", "docs", "sources")
    return validate_review(config).corpus
