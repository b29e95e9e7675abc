"""Hostile input, round two (issue 21): each output escaped for its own syntax, faults said in one clean line.

Every case runs the real command line on a copy of the fixture review, as a curator or an attacker would meet it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import markdown
import pytest
import yaml

from generator.records.schema import Glossary
from tests.conftest import run_cli

SOURCE = "900_0000000000000abc.txt"


def _no_traceback(*outputs: str) -> None:
    for text in outputs:
        assert "Traceback" not in text, text


def _edit_yaml(path: Path, change: dict[str, object]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(change)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


# --------------------------------------------------------------------------- the terminal


def test_a_file_name_cannot_forge_a_problem_line_or_move_the_cursor(project: Path) -> None:
    forged = project / "seeds" / "studies" / "x\nforged.yaml:1: id: forged\x1b[2J\x1b[H.yaml"
    forged.write_text("id: x\n", encoding="utf-8")
    done = run_cli("validate", cwd=project)
    assert done.returncode == 1
    _no_traceback(done.stdout, done.stderr)
    assert "\x1b" not in done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert not any(line.startswith("forged.yaml") for line in lines), lines  # no forged line
    assert any("\\x1b[2J" in line and "\\n" in line for line in lines), lines  # the name, escaped, on one line


# --------------------------------------------------------------------------- the sources folder


def test_a_symbolic_link_among_the_sources_is_not_a_source(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    shutil.copy(project / "sources" / SOURCE, outside)  # holds every quote: only the link's nature is wrong
    (project / "sources" / SOURCE).unlink()
    (project / "sources" / SOURCE).symlink_to(outside)
    done = run_cli("validate", cwd=project)
    assert done.returncode == 1
    _no_traceback(done.stdout, done.stderr)
    said = [line for line in done.stderr.splitlines() if "symbolic link" in line]
    assert len(said) == 2, done.stderr  # once among the records' quotes, once for seeds/sources.yaml


def test_a_source_that_is_not_utf8_is_said_once_not_a_traceback(project: Path) -> None:
    path = project / "sources" / SOURCE
    path.write_bytes(path.read_bytes() + b"\n\xff\xfe broken\n")
    done = run_cli("validate", cwd=project)
    assert done.returncode == 1
    _no_traceback(done.stdout, done.stderr)
    said = [line for line in done.stderr.splitlines() if "is not UTF-8" in line]
    assert len(said) == 2 and "byte 0xff" in said[0], done.stderr  # records, then seeds/sources.yaml


# --------------------------------------------------------------------------- writing the tree


def test_a_tree_that_cannot_be_written_is_one_clean_line(project: Path) -> None:
    """A folder of the generated tree taken by a file (as a full disk or a read-only folder would fail a write)."""
    (project / "docs").mkdir(exist_ok=True)
    (project / "docs" / "studies").write_text("not a folder\n", encoding="utf-8")
    done = run_cli("generate", cwd=project)
    assert done.returncode != 0
    _no_traceback(done.stdout, done.stderr)
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("error:") and "cannot write" in errors[0], done.stderr
    assert (project / "docs" / "studies").read_text(encoding="utf-8") == "not a folder\n"


# --------------------------------------------------------------------------- RIS and BibTeX


def test_newlines_and_braces_cannot_forge_ris_or_bibtex(project: Path) -> None:
    _edit_yaml(project / "CITATION.cff", {"version": "1.0\nUR  - javascript:alert(1)\nER  - \nTY  - JOUR", "url": "https://example.org/review"})
    study = project / "seeds" / "studies" / "fixture-trial.yaml"
    _edit_yaml(study, {"citation": {"title": "A trial", "year": 2020, "volume": "12\nER  - \nTY  - ELEC", "pages": "1-2}, title = {forged",
                                    "source": SOURCE}})
    done = run_cli("generate", cwd=project)
    assert done.returncode == 0, done.stderr
    ris = (project / "docs" / "studies" / "fixture-trial.ris").read_text(encoding="utf-8").splitlines()
    assert all(re.match(r"^[A-Z][A-Z0-9]  - ", line) for line in ris if line), ris  # every line a tag
    assert [line[:2] for line in ris if line[:2] in {"TY", "ER"}] == ["TY", "ER", "TY", "ER"]  # two records, no more
    assert not any(line.startswith("UR  - javascript") for line in ris)
    bib = (project / "docs" / "studies" / "fixture-trial.bib").read_text(encoding="utf-8")
    entries = _bibtex_fields(bib)
    assert [kind for kind, _ in entries] == ["misc", "article"]  # no forged entry
    assert entries[1][1] == ["title", "year", "volume", "pages"]  # no forged field: "title = {forged" stays in pages


def _bibtex_fields(bib: str) -> list[tuple[str, list[str]]]:
    """Each entry's type and field names as BibTeX reads them: every brace counts, a backslash before it or not."""
    entries: list[tuple[str, list[str]]] = []
    depth, text = 0, ""
    for char in bib:
        if char == "@" and depth == 0:
            text = ""
        if char == "{":
            depth += 1
            if depth == 1:
                entries.append((text.strip().lstrip("@"), []))
                text = ""
                continue
        elif char == "}":
            depth -= 1
            assert depth >= 0, bib
        if (depth == 1 and char in ",}") or (depth == 0 and char == "}"):
            name = text.split("=", 1)[0].strip()
            if "=" in text and entries:
                entries[-1][1].append(name)
            text = ""
            continue
        if depth <= 1:
            text += char
    assert depth == 0, bib
    return entries


def test_the_reviews_url_is_a_web_address(project: Path) -> None:
    _edit_yaml(project / "CITATION.cff", {"url": "https://example.org/} , title = {forged"})
    done = run_cli("validate", cwd=project)
    assert done.returncode == 1 and "CITATION.cff" in done.stderr and "url" in done.stderr, done.stderr
    _edit_yaml(project / "CITATION.cff", {"url": "javascript:alert(1)"})
    assert run_cli("validate", cwd=project).returncode == 1


# --------------------------------------------------------------------------- Markdown blocks in record text


def _html(markdown_text: str) -> str:
    return markdown.markdown(markdown_text, extensions=["admonition", "attr_list", "md_in_html", "footnotes", "tables", "abbr"])


def test_plain_text_and_prose_never_forge_the_reviews_boxes(project: Path) -> None:
    _edit_yaml(project / "CITATION.cff", {"abstract": "!!! danger \"Retracted\"\n\n    This review is retracted."})
    study = project / "seeds" / "studies" / "fixture-trial.yaml"
    data = yaml.safe_load(study.read_text(encoding="utf-8"))
    data["summary"] = "!!! danger \"Forged\"\n\n    Inside a forged box.\n\n??? note \"Also forged\""
    data["notes"][0]["text"] = "First paragraph of the note.\n\nSecond paragraph, which must stay inside the note's box."
    study.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    done = run_cli("generate", cwd=project)
    assert done.returncode == 0, done.stderr
    home = _html((project / "docs" / "index.md").read_text(encoding="utf-8"))
    assert "admonition danger" not in home and "Retracted" in home
    page = _html((project / "docs" / "studies" / "fixture-trial.md").read_text(encoding="utf-8"))
    assert "admonition danger" not in page and "Forged" in page and "Also forged" in page
    note = re.search(r'<div class="admonition warning">(.*?)</div>', page, re.S)
    assert note and "Second paragraph, which must stay inside" in note.group(1), page


# --------------------------------------------------------------------------- Python-Markdown's own words


@pytest.mark.parametrize("term", ["klzzwxh", "wzxhzdk", "hzzhzkh", "0001", "wzxhzdk:0", "WZXHZDK:"])
def test_a_glossary_term_cannot_be_a_word_python_markdown_writes_into_pages(term: str) -> None:
    with pytest.raises(ValueError, match="Python-Markdown writes inside pages"):
        Glossary.model_validate({"terms": [{"term": term, "expansion": "anything"}]})


def test_a_number_too_large_for_any_source_is_refused_by_validation_not_a_crash_of_the_build(project: Path) -> None:
    """1e19 passed validation and then crashed the figures with a traceback."""
    study = project / "seeds" / "studies" / "fixture-trial.yaml"
    text = study.read_text(encoding="utf-8")
    study.write_text(text.replace("        value: 10.5\n", "        value: 10000000000000000000\n", 1), encoding="utf-8")
    done = run_cli("validate", cwd=project)
    assert done.returncode == 1 and "larger than any number a source states" in done.stderr, done.stderr
    _no_traceback(done.stdout, done.stderr)


@pytest.mark.parametrize("name", ["seeds/glossary.yaml", "seeds/sources.yaml", "CITATION.cff"])
def test_an_optional_file_that_is_a_folder_is_said_not_skipped(project: Path, name: str) -> None:
    path = project / name
    path.unlink()
    path.mkdir()
    done = run_cli("validate", cwd=project)
    assert done.returncode == 1 and "is not a regular file" in done.stderr, done.stderr
    _no_traceback(done.stdout, done.stderr)


def test_a_number_as_an_author_or_a_rule_as_an_abstract_is_text(project: Path) -> None:
    """The red team's 'authors: [{name: "1"}]' made the citation a numbered list, and 'abstract: ---' a rule."""
    _edit_yaml(project / "CITATION.cff", {"authors": [{"name": "1"}], "abstract": "---"})
    done = run_cli("generate", cwd=project)
    assert done.returncode == 0, done.stderr
    home = _html((project / "docs" / "index.md").read_text(encoding="utf-8"))
    assert "<ol>" not in home and "<hr" not in home, home
    assert "<p>&#49;. <em>Fixture review</em>" in home and "<p>--&#45;</p>" in home  # both shown as typed


def test_a_sources_folder_that_is_a_file_is_refused_not_left_unchecked(project: Path) -> None:
    shutil.rmtree(project / "sources")
    (project / "sources").write_text("not a folder\n", encoding="utf-8")
    done = run_cli("validate", cwd=project)
    assert done.returncode != 0 and "is not a folder" in done.stderr, done.stdout + done.stderr
    _no_traceback(done.stdout, done.stderr)
