"""Traceability checks: does a value's number stand in its quote, does a quote stand in its source.

Pure functions over text; the derive stage runs them over every record.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

from generator.caches import build_cache

# A number in digits, not a continuation of one: "1,532" (grouped) or "7.63". Both lookaheads only say
# which character every match starts with; they make the search three times faster (re can skip ahead).
_NUMBER = re.compile(r"(?=[0-9])(?<![0-9.])(?:[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)")
_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_FIRST_LETTERS = "".join(sorted({word[0] for word in (*_UNITS, *_TENS)}))  # a lookahead for them speeds the search as for _NUMBER
_WORD_NUMBER = re.compile(
    r"(?=[" + _FIRST_LETTERS + r"])\b(?:(" + "|".join(_TENS) + r")(?:[- ](" + "|".join(k for k in _UNITS if _UNITS[k] < 10) + r"))?|("
    + "|".join(_UNITS) + r"))\b",
    re.IGNORECASE,
)


def normalise_space(text: str) -> str:
    """Collapse every run of whitespace to one space, so line breaks never decide a match."""
    return " ".join(text.split())


def numbers_in(text: str) -> set[float]:
    """Every number written in the text, in digits ("1,532", "7.63") or in words ("Forty-eight")."""
    return set(_numbers_written_in(text))


@build_cache(maxsize=4096)
def _numbers_written_in(text: str) -> frozenset[float]:
    # cached: a value checks several numbers against one quote, and neighbouring values often share a quote
    found = {float(match.replace(",", "")) for match in _NUMBER.findall(text)}
    for tens, unit, single in _WORD_NUMBER.findall(text):
        if single:
            found.add(float(_UNITS[single.lower()]))
        else:
            found.add(float(_TENS[tens.lower()] + (_UNITS[unit.lower()] if unit else 0)))
    return frozenset(found)


def stated_form(number: float, *texts: str) -> str:
    """The number as the source writes it ("7.0", "1,532"), taken from the first text that has it.

    Parsing "7.0" gives 7.0 == 7; showing it again must not drop the digit the source wrote.
    """
    for text in texts:
        for token in _NUMBER.findall(text):
            if abs(float(token.replace(",", "")) - number) < 1e-9:
                return str(token)
    return format_number(number)


def format_number(number: float) -> str:
    """A number without a source text to take its form from: 15.0 → '15', 7.63 → '7.63' (never rounded)."""
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def number_stands_in(number: float, text: str) -> bool:
    found = _numbers_written_in(text)
    return number in found or any(abs(number - candidate) < 1e-9 for candidate in found)


MAX_SOURCE_BYTES = 50_000_000  # the largest of the review's documents is about 60 KB; a book is a few MB


class SourceLibrary:
    """The source documents, read once and whitespace-normalised, looked up by file name.

    Each document is read, and the folder and each name looked up, at most once: every quote of a
    review is checked against an already normalised text.
    """

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._texts: dict[str, str | None] = {}  # None: no such document
        self.unusable: dict[str, str] = {}  # a document that is there but cannot count → why

    @cached_property
    def available(self) -> bool:
        return self.directory is not None and self.directory.is_dir()

    def text(self, name: str) -> str | None:
        if not self.available:
            return None
        if name not in self._texts:
            assert self.directory is not None
            path = self.directory / name
            self._texts[name] = None
            # Only regular files inside the folder count: a symbolic link could make a quote "stand" in any file.
            if path.is_symlink():
                self.unusable[name] = "is a symbolic link; source documents must be regular files inside the sources folder"
            elif path.is_file() and path.stat().st_size > MAX_SOURCE_BYTES:
                self.unusable[name] = f"is {path.stat().st_size:,} bytes; a source document may be at most {MAX_SOURCE_BYTES:,}"
            elif path.is_file():
                try:
                    self._texts[name] = normalise_space(path.read_bytes().decode("utf-8"))
                except UnicodeDecodeError as error:
                    self.unusable[name] = (f"is not UTF-8 text (byte 0x{error.object[error.start]:02x} at offset {error.start}); "
                                           "save it as UTF-8")
                except OSError as error:
                    self.unusable[name] = f"cannot be read ({error.strerror or error})"
        return self._texts[name]

    def why_missing(self, name: str) -> str:
        """Why :meth:`text` gave no text for ``name``."""
        return self.unusable.get(name, f"no source document named {name!r} in {self.directory}")

    def has_document(self, name: str) -> bool:
        return self.text(name) is not None

    def quote_stands(self, name: str, quote: str) -> bool:
        text = self.text(name)
        return text is not None and normalise_space(quote) in text
