"""The site's navigation in reading order: home, comparisons, studies, cases, regimens, then reference pages.

Left to itself an engine lists the folder tree alphabetically (a comparison page's title before the one the
review lists first, studies after 29 regimens). The generator knows the order readers need: the order its own index pages
list things. The result is MkDocs' ``nav`` setting (a list of ``{title: path or [entries]}``), which the plugin hands
to MkDocs and which engines without plugins read from ``mkdocs.yml``.
"""

from __future__ import annotations

from collections.abc import Sequence

NavEntry = str | dict[str, "str | list[NavEntry]"]

HOME = "index.md"
# Sections of records, in reading order; each lists its index page first, then its pages in the order given.
SECTIONS: tuple[tuple[str, str], ...] = (("compare", "Compare"), ("studies", "Studies"), ("cases", "Cases"), ("regimens", "Regimens"))
REFERENCE_TITLE = "About the review"
# Reference pages (generated or hand-written, whichever exist), in this order; others follow by name.
REFERENCE_ORDER: tuple[str, ...] = ("about.md", "sources.md", "notes.md", "glossary.md", "data.md", "changelog.md")
# The tool's own documentation (the curator's guide, the benchmarks, how the generator works) is written for curators
# and developers, not for the review's readers: its pages, generated or hand-written, stay out of the navigation.
MANUAL = "manual/"


def in_manual(path: str) -> bool:
    return path.startswith(MANUAL)


def site_navigation(listed: Sequence[str], hand_written: Sequence[str]) -> list[NavEntry]:
    """The navigation of ``listed`` generated pages (in the order their index pages list them) and hand-written pages.

    Paths are relative to the docs folder. A hand-written page in a section's folder joins that section after its
    generated pages; one in the manual's folder is left out; any other goes with the reference pages.
    """
    pages = [path for path in dict.fromkeys([*listed, *sorted(hand_written)]) if not in_manual(path)]
    nav: list[NavEntry] = [{"Home": HOME}] if HOME in pages else []
    placed = {HOME}
    for folder, title in SECTIONS:
        members = [path for path in pages if path.startswith(f"{folder}/")]
        index = f"{folder}/index.md"
        ordered = ([index] if index in members else []) + [path for path in members if path != index]
        if ordered:
            nav.append({title: list[NavEntry](ordered)})
            placed.update(ordered)
    rest = [path for path in pages if path not in placed]
    known = [path for path in REFERENCE_ORDER if path in rest]
    reference = known + sorted(path for path in rest if path not in known)
    if reference:
        nav.append({REFERENCE_TITLE: list[NavEntry](reference)})
    return nav
