"""Exceptions that end in a clean message for the user, never a traceback."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# Characters a terminal acts on (newlines, escape sequences, carriage returns, C1 controls) and the bidirectional
# overrides that reorder a line: a problem line shows them as escapes, so a file name or a value can neither forge
# another problem line nor move the cursor.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` on one line, every control character written as its escape (``\\n``, ``\\x1b``)."""
    return _UNPRINTABLE.sub(lambda found: found.group().encode("unicode_escape").decode("ascii"), text)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the corpus, located as precisely as it can be."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{printable(self.file)}:{self.line}" if self.line else printable(self.file)
        field = f" {printable(self.field)}:" if self.field else ""
        return f"{where}:{field} {printable(self.message)}"


class ReviewError(Exception):
    """Base of every error the generator reports to a user."""


class ConfigError(ReviewError):
    """The project's configuration is wrong (a missing folder, a bad option)."""


class InvalidCorpus(ReviewError):
    """The seed records have problems; nothing is rendered from them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__(f"{len(self.problems)} problem(s) in the seed records")

    def report(self) -> str:
        lines = [str(problem) for problem in self.problems]
        lines.append(f"{len(self.problems)} problem(s) found; nothing was rendered.")
        return "\n".join(lines)


class TemplateFailure(ReviewError):
    """A page template failed to render (a customised template's mistake): where, and what Jinja2 said."""


class EmitError(ReviewError):
    """The output tree could not be written safely."""


def display_path(path: Path, root: Path) -> str:
    """Path as the user knows it: relative to the project when it lies inside it."""
    # The file's own name is kept even when it is a symbolic link (only its folders are resolved).
    resolved = path.parent.resolve() / path.name
    for base in (root.resolve(), root.absolute()):
        try:
            return str(resolved.relative_to(base))
        except ValueError:
            continue
    return str(path)


def failure_message(error: BaseException) -> str | None:
    """What the user reads when a build fails with ``error``; None for an error that is a bug (a traceback helps)."""
    if isinstance(error, InvalidCorpus):
        return "the seed records are invalid:\n" + error.report()
    if isinstance(error, ReviewError):
        return str(error)
    return None
