"""Long lists split into pages of a bounded size.

A table of every arm of a 1,000-study review would be megabytes of HTML: slow to load and
impossible to read. Tables longer than their limit are cut, in their reading order, into
pages of at most that many rows; page 1 keeps the list's own path and later pages sit beside
it. A review small enough to fit keeps exactly one page with no pager.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Item = TypeVar("Item")

# Rows per page, by table. Sized so that a page's HTML (table, footnotes with source quotes,
# navigation) stays under 200 KB; a small review never reaches them.
ARM_ROWS_PER_PAGE = 50
STUDY_ROWS_PER_PAGE = 200
DOCUMENTS_PER_PAGE = 100
CASE_ROWS_PER_PAGE = 50

PAGER_NEIGHBOURS = 2  # page numbers linked on each side of the current one, besides the first and last


def paged_path(path: str, number: int) -> str:
    """Path of page ``number`` of the list whose first page is ``path``.

    ``studies/index.md`` → ``studies/page_2.md``; ``compare/outcomes.md`` → ``compare/outcomes_2.md``.
    The underscore cannot occur in a record id (lower-case letters, digits and hyphens), so a
    continuation page never takes the path of a record's page.
    """
    if number == 1:
        return path
    stem = path.removesuffix(".md")
    stem = stem.removesuffix("index") + "page" if stem == "index" or stem.endswith("/index") else stem
    return f"{stem}_{number}.md"


@dataclass(frozen=True)
class Paging(Generic[Item]):
    """One page of a list: its items and where it sits among the list's pages."""

    items: Sequence[Item]
    number: int  # 1-based
    count: int  # pages in the list
    first: int  # 1-based position of the first item in the whole list
    total: int  # items in the whole list
    per_page: int
    base_path: str  # path of page 1

    @property
    def path(self) -> str:
        return paged_path(self.base_path, self.number)

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1

    @property
    def is_split(self) -> bool:
        return self.count > 1

    def page(self, number: int) -> str:
        return paged_path(self.base_path, number)

    @property
    def previous(self) -> str | None:
        return self.page(self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.page(self.number + 1) if self.number < self.count else None

    @property
    def numbers(self) -> list[int | None]:
        """Page numbers the pager links: first, last and the current one's neighbours; None marks a gap."""
        shown = {1, self.count, *range(self.number - PAGER_NEIGHBOURS, self.number + PAGER_NEIGHBOURS + 1)}
        numbers: list[int | None] = []
        previous = 0
        for number in sorted(n for n in shown if 1 <= n <= self.count):
            if previous and number - previous > 1:
                numbers.append(None)
            numbers.append(number)
            previous = number
        return numbers


def paginate(items: Sequence[Item], per_page: int, base_path: str) -> list[Paging[Item]]:
    """``items`` cut into pages of at most ``per_page``, in order; an empty list is one empty page."""
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    count = max(1, -(-len(items) // per_page))
    return [Paging(items[(n - 1) * per_page:n * per_page], n, count, (n - 1) * per_page + 1, len(items), per_page, base_path)
            for n in range(1, count + 1)]
