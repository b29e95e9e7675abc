"""Exceptions that end in a clean message for the user, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the corpus, located as precisely as it can be."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


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
