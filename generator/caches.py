"""Memo caches that live for one build.

Rendering asks for the same escaped cells, intervals and relative links thousands of times, so
those functions are memoised. Their entries (hundreds of thousands of strings in a large review)
are of no use once the tree is written, yet would stay alive while MkDocs renders the site in the
same process: more memory, and more objects for every full garbage collection to scan. Functions
memoised with :func:`build_cache` are emptied together by :func:`clear_build_caches` at the end of
each generation.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, Protocol, TypeVar

Function = TypeVar("Function", bound=Callable[..., Any])


class _Clearable(Protocol):
    def cache_clear(self) -> None: ...


_REGISTERED: list[_Clearable] = []


def build_cache(maxsize: int) -> Callable[[Function], Function]:
    """``functools.lru_cache(maxsize)``, registered to be emptied after each build."""

    def decorate(function: Function) -> Function:
        cached = lru_cache(maxsize=maxsize)(function)
        _REGISTERED.append(cached)
        return cached  # type: ignore[return-value]  # same call signature, plus cache_info/cache_clear

    return decorate


def clear_build_caches() -> None:
    for cached in _REGISTERED:
        cached.cache_clear()
