"""Work done in a forked copy of the generator's process gives exactly what it gives in one process."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from generator.errors import InvalidCorpus, ReviewError
from generator.pipeline import ReviewConfig, validate_review
from generator.publish.forked import ForkedCall
from generator.records.load import load_corpus

STUDY = "seeds/studies/fixture-trial.yaml"


def _config(project: Path) -> ReviewConfig:
    return ReviewConfig.from_options(project, "seeds", "templates", "docs", "sources")


def test_a_forked_call_returns_its_value_or_raises_its_error(caplog: pytest.LogCaptureFixture) -> None:
    parent = os.getpid()
    assert ForkedCall(lambda: (os.getpid() != parent, list(range(100_000)))).result() == (True, list(range(100_000)))

    def fails() -> None:
        raise ValueError("no such value")

    with pytest.raises(ValueError, match="no such value"):
        ForkedCall(fails).result()
    with pytest.raises(ReviewError, match="ended unexpectedly"):
        ForkedCall(lambda: os._exit(3)).result()

    def logs() -> int:
        logging.getLogger("mkdocs.plugins.litreview").warning("from the copy, pid %d", os.getpid())
        return os.getpid()

    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.litreview"):
        pid = ForkedCall(logs).result()  # logged in this process, not by the copy's handlers
    assert [record.getMessage() for record in caplog.records] == [f"from the copy, pid {pid}"] and pid != parent


def test_loading_in_two_processes_gives_the_same_records_and_problems(project: Path) -> None:
    (project / "seeds/regimens/broken.yaml").write_text("id: broken\nname: [\n")
    (project / "seeds/cases/empty.yaml").write_text("")
    (project / "seeds/studies/listed.yaml").write_text("- a\n- b\n")
    (project / "seeds/regimens/notes.yml").write_text("id: notes\n")
    for number in range(12):  # enough files that both halves hold records
        (project / f"seeds/regimens/extra-{number:02}.yaml").write_text((project / "seeds/regimens/placebo.yaml").read_text()
                                                                       .replace("id: placebo", f"id: extra-{number:02}"))
    alone = load_corpus(project / "seeds", project)
    forked = load_corpus(project / "seeds", project, fork=True)
    assert len(alone.records) == 16 and len(alone.problems) == 4
    assert [(item.kind, item.file, item.record, item.lines) for item in forked.records] == \
        [(item.kind, item.file, item.record, item.lines) for item in alone.records]
    assert forked.problems == alone.problems


def test_checks_in_a_forked_process_fail_the_review_as_they_do_in_one(project: Path) -> None:
    assert validate_review(_config(project), fork=True).derived == validate_review(_config(project)).derived
    path = project / STUDY
    path.write_text(path.read_text().replace("value: 10.5", "value: 10.6", 1))
    with pytest.raises(InvalidCorpus) as alone:
        validate_review(_config(project))
    with pytest.raises(InvalidCorpus) as forked:
        validate_review(_config(project), fork=True)
    assert forked.value.problems == alone.value.problems
    assert any("10.6" in problem.message for problem in alone.value.problems)
