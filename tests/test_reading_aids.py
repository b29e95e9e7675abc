"""Comparisons, evidence levels, glossary, citations and "last changed" dates, on the real review and on fixtures."""

from __future__ import annotations

import os
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.pages import views
from generator.pages.render import split_authors
from generator.pipeline import Review
from generator.records.link import Corpus
from generator.records.schema import GroupBasis
from generator.releases.history import last_changed


@pytest.fixture(scope="module")
def corpus(real_review: Review) -> Corpus:
    return real_review.corpus


# --------------------------------------------------------------------------- comparisons


def _page_arms(view: views.ComparisonView) -> list[views.ArmRow]:
    """Every arm a comparison page shows, in any of its tables."""
    return [*view.all_rows, *view.other_outcomes, *view.no_values, *view.other_groups]


def test_each_setting_view_holds_every_arm_of_its_settings_and_no_other(corpus: Corpus) -> None:
    by_slug = {view.slug: view for view in views.comparison_views(corpus)}
    expected = {
        "after-sorafenib": {"after_sorafenib"},
        "after-lenvatinib": {"after_lenvatinib", "after_lenvatinib_pd1"},
        "first-line": {"first_line"},
    }
    assert by_slug["after-lenvatinib"].cases, "the review's evidence after lenvatinib is its case reports"
    for slug, settings in expected.items():
        shown = _page_arms(by_slug[slug])
        assert {row.setting for row in shown} <= settings
        # nothing left out: every arm of a study with results in those settings is on the page, once
        wanted = {(s.id, a.id) for s in corpus.studies.values() if views.evidence_level(corpus.review, s).pooled for a in s.arms
                  if (a.setting or s.setting) in settings}
        assert sorted((row.study.id, row.arm.id) for row in shown) == sorted(wanted)


def test_groups_defined_by_outcome_are_never_rows_of_a_treatment_comparison(corpus: Corpus) -> None:
    for view in views.comparison_views(corpus):
        assert all(row.group is GroupBasis.treatment for row in view.all_rows)
        assert all(row.group is not GroupBasis.treatment for row in view.other_groups)


def test_the_lenalidomide_view_gathers_every_arm_case_and_planned_trial_with_lenalidomide(corpus: Corpus) -> None:
    view = next(v for v in views.comparison_views(corpus) if v.slug == "lenalidomide")
    comparators = {id(row) for c in view.comparisons for row in (c.first, c.second) if not views.has_drug(row.regimen, "lenalidomide")}
    shown = [row for row in _page_arms(view) if id(row) not in comparators]  # an arm compared with a lenalidomide arm is shown beside it
    assert all(views.has_drug(row.regimen, "lenalidomide") for row in shown)
    assert any(c.study.id == "apatinib-lenalidomide" for c in view.comparisons)
    every = {(s.id, a.id) for s in corpus.studies.values() if views.evidence_level(corpus.review, s).pooled for a in s.arms
             if views.has_drug(corpus.regimens[a.regimen], "lenalidomide")}
    assert {(row.study.id, row.arm.id) for row in shown} == every
    assert ("apatinib-lenalidomide", "apatinib-lenalidomide") in every  # it reports no headline measure, yet it is listed
    assert {summary.case.id for summary in view.cases} == set(corpus.cases)  # both case reports used lenalidomide
    assert all(s.focus_line is not None for s in view.cases)
    assert any(study.study_type == "planned_trial" for study in view.without_results)


def test_the_after_lenvatinib_view_lists_the_planned_trial_for_that_setting(corpus: Corpus) -> None:
    view = next(v for v in views.comparison_views(corpus) if v.slug == "after-lenvatinib")
    assert "lenalidomide-after-lenvatinib-pd1-trial" in {study.id for study in view.without_results}


def test_case_summary_takes_its_figures_from_the_case(corpus: Corpus) -> None:
    summary = views.summarise_case(corpus, corpus.cases["zhang-2024-lenvatinib-resistant"], "lenalidomide")
    assert summary.focus_line is not None and summary.focus_line.regimen == "lenalidomide-lenvatinib"
    assert summary.partners == ["Lenvatinib"] or summary.partners == ["lenvatinib"]
    assert [line.regimen for line in summary.prior_systemic] == ["lenvatinib", "lenvatinib-sintilimab", "regorafenib-sintilimab"]
    assert summary.response_evidence is not None and "partial response" in summary.response_evidence.quote


def test_evidence_levels_rank_trials_above_case_reports_and_badges_begin_with_their_design(corpus: Corpus) -> None:
    levels = {sid: views.evidence_level(corpus.review, study) for sid, study in corpus.studies.items()}
    case = views.evidence_level(corpus.review, next(iter(corpus.cases.values())))
    assert case.label == "Case report" and not case.pooled
    phase3 = [lv for lv in levels.values() if lv.label.startswith("Randomised trial, phase III")]
    assert phase3 and all(lv.rank == min(x.rank for x in levels.values()) for lv in phase3)
    assert all(not lv.pooled for sid, lv in levels.items() if corpus.studies[sid].study_type in {"planned_trial", "review"})
    # the badge a table shows and the design its filter offers agree: filtering "Randomised trial" keeps the phase III trials
    assert all(level.label.startswith(level.design) for level in levels.values())
    assert levels["checkmate-040-nivolumab-ipilimumab"].label == "Design not stated, phase II"


def test_an_exact_interval_is_computed_only_from_a_stated_count_and_denominator(corpus: Corpus) -> None:
    rows = views.arm_rows(corpus)
    cells = [row.cells["response"] for row in rows if row.cells["response"].value is not None]
    with_counts = [c for c in cells if c.value and c.value.numerator is not None and c.value.denominator is not None]
    without = [c for c in cells if c.value and (c.value.numerator is None or c.value.denominator is None)]
    assert with_counts and without
    for cell in with_counts:
        interval, value = cell.interval, cell.value
        assert interval is not None and value is not None and value.numerator is not None and value.denominator is not None
        assert (interval.successes, interval.trials) == (value.numerator, value.denominator)
    assert all(cell.interval is None for cell in without)


def test_partial_responses_stand_in_the_response_column_marked_never_as_a_rate(corpus: Corpus) -> None:
    row = next(r for r in views.arm_rows(corpus) if r.study.id == "brown-lenalidomide-phase2")
    cell = row.cells["response"]
    assert cell.partial_only and cell.value is not None and cell.value.measure == "pr"
    assert any(tag.text == "partial responses only" for tag in cell.marks)
    assert cell.interval is not None and (cell.interval.successes, cell.interval.trials) == (6, 40)


# --------------------------------------------------------------------------- glossary


class _UndefinedAbbreviations(HTMLParser):
    """Upper-case abbreviations in a page's article text that no <abbr> explains.

    Skips footnotes and quoted passages (verbatim quotes), citations (author initials), code and the theme's chrome.
    """

    TOKEN = re.compile(r"(?<![\w-])[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*(?![\w-])")
    NOT_WORDS = re.compile(r"^(?:[IVX]+[AB]?|NCT[0-9]{8})$")  # Roman numerals (phase III, stage IIA) and registry ids
    SKIP_CLASSES = frozenset({"footnote", "lr-quote", "lr-cite", "lr-ref", "headerlink"})

    def __init__(self) -> None:
        super().__init__()
        self.found: set[str] = set()
        self._stack: list[bool] = []  # per open element: inside a skipped region?
        self._in_article = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"br", "img", "input", "meta", "link", "hr", "col", "source", "wbr"}:
            return
        classes = set((dict(attrs).get("class") or "").split())
        skipped = bool(self._stack and self._stack[-1]) or tag in {"abbr", "code", "pre", "script", "style", "svg"} or bool(classes & self.SKIP_CLASSES)
        self._stack.append(skipped)
        if tag == "article":
            self._in_article += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"br", "img", "input", "meta", "link", "hr", "col", "source", "wbr"}:
            return
        if self._stack:
            self._stack.pop()
        if tag == "article":
            self._in_article -= 1

    def handle_data(self, data: str) -> None:
        if self._in_article and not (self._stack and self._stack[-1]):
            self.found.update(t for t in self.TOKEN.findall(data) if not self.NOT_WORDS.match(t))


def test_every_abbreviation_on_the_site_is_in_the_glossary(review_site: Path, corpus: Corpus) -> None:
    allowed = {entry.term for entry in corpus.glossary.terms} | set(corpus.glossary.not_abbreviations)
    missing: dict[str, list[str]] = {}
    # the review's pages: the tool's manual (manual/, out of the reader's navigation) is not the review's, nor is its glossary
    pages = sorted(page for page in review_site.rglob("index.html") if page.relative_to(review_site).parts[0] != "manual")
    assert len(pages) > 50
    for page in pages:
        parser = _UndefinedAbbreviations()
        parser.feed(page.read_text(encoding="utf-8"))
        for token in sorted(parser.found - allowed):
            missing.setdefault(token, []).append(str(page.relative_to(review_site).parent))
    assert not missing, "abbreviations without a glossary entry (add them to seeds/glossary.yaml): " + \
        "; ".join(f"{t} on {', '.join(p[:3])}" for t, p in sorted(missing.items()))


def test_the_glossary_page_lists_every_term_and_pages_carry_tooltips(review_site: Path, corpus: Corpus) -> None:
    glossary = (review_site / "glossary" / "index.html").read_text(encoding="utf-8")
    for entry in corpus.glossary.terms:
        assert f">{entry.expansion}<" in glossary.replace("&ndash;", "–") or entry.expansion in glossary, entry.term
    study = (review_site / "studies" / "celestial-cabozantinib" / "index.html").read_text(encoding="utf-8")
    assert '<abbr title="overall survival">OS</abbr>' in study
    about = (review_site / "about" / "index.html").read_text(encoding="utf-8")  # hand-written: tooltips from the plugin
    assert "<abbr title=" in about


# --------------------------------------------------------------------------- citations


def test_authors_split_into_family_name_and_initials() -> None:
    assert split_authors("Finn RS, Qin S, Ikeda M, et al") == ["Finn, RS", "Qin, S", "Ikeda, M", "others"]
    assert split_authors("Bishop K and Espat NJ") == ["Bishop, K", "Espat, NJ"]
    assert split_authors("The IMbrave150 investigators") == ["The IMbrave150 investigators"]


def test_bibtex_and_ris_downloads_beside_each_study_and_case(review_site: Path, corpus: Corpus) -> None:
    study = corpus.studies["imbrave150-atezolizumab-bevacizumab"]
    assert study.citation is not None and study.citation.doi
    bib = (review_site / "studies" / f"{study.id}.bib").read_text(encoding="utf-8")
    assert bib.count("@") == 2 and "@misc{litreview-imbrave150" in bib and "@article{imbrave150" in bib
    assert "author = {Finn, RS and Qin, S and Ikeda, M and Galle, PR and Ducreux, M and Kim, TY and others}" in bib
    assert f"doi = {{{study.citation.doi}}}" in bib
    assert bib.count("{") == bib.count("}")
    ris = (review_site / "studies" / f"{study.id}.ris").read_text(encoding="utf-8")
    lines = [line for line in ris.splitlines() if line]
    assert all(re.match(r"^[A-Z][A-Z0-9]  - ", line) for line in lines), lines
    assert [line for line in lines if line.startswith("TY")] == ["TY  - ELEC", "TY  - JOUR"]
    assert sum(line.startswith("ER  - ") for line in lines) == 2
    assert f"DO  - {study.citation.doi}" in lines
    for case_id in corpus.cases:
        assert (review_site / "cases" / f"{case_id}.bib").is_file() and (review_site / "cases" / f"{case_id}.ris").is_file()
    page = (review_site / "studies" / study.id / "index.html").read_text(encoding="utf-8")
    assert f'href="https://doi.org/{study.citation.doi}"' in page
    assert f'href="../{study.id}.bib"' in page and 'download="' in page


# --------------------------------------------------------------------------- last changed


def _git(repo: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def test_last_changed_dates_come_from_commits_not_file_times(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    _git(tmp_path, "init", "-q")
    (seeds / "a.yaml").write_text("a: 1\n")
    (seeds / "b.yaml").write_text("b: 1\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "first", date="2024-01-02T10:00:00+00:00")
    (seeds / "b.yaml").write_text("b: 2\n")
    _git(tmp_path, "commit", "-qam", "second", date="2025-03-04T10:00:00+00:00")
    (seeds / "a.yaml").write_text("a: 3\n")  # changed on disk, not committed: the date stays the commit's
    assert last_changed(tmp_path, seeds) == {"seeds/a.yaml": "2024-01-02", "seeds/b.yaml": "2025-03-04"}


def test_no_history_means_no_dates(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    assert last_changed(tmp_path, tmp_path / "seeds") == {}


def test_one_of_a_thing_reads_in_the_singular() -> None:
    from generator.records.text import counted, unit_for

    assert counted(1, "study", "studies") == "1 study" and counted(2, "study", "studies") == "2 studies" and counted(0, "case") == "0 cases"
    assert unit_for(1, "patients") == "patient" and unit_for(1.0, "months") == "month"
    assert unit_for(2, "patients") == "patients" and unit_for(1, "mg") == "mg" and unit_for(1, "ng/ml") == "ng/ml"
