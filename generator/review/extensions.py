"""The supported extension point: what a review file cannot say, a review's own Python adds here, never by patching.

The review file names its extensions (``extensions: ["review_ext:register"]``), each a module of the review's own
folder (beside ``mkdocs.yml``) and a function in it. The pipeline calls each function with an :class:`Extensions`
object, in whichever process runs the pipeline (``litreview build`` and ``mkdocs build`` run it in a process of
their own: the review file travels with the configuration, so the extensions reach it), and the function registers:

- ``add_check(check)``: ``check(corpus) -> list[Problem]``, run with the other checks; a problem fails the build like any;
- ``add_filter(name, function)`` and ``add_global(name, value)``: for the review's own templates;
- ``add_file(path, make)``: ``make(corpus) -> bytes``, an extra file of the generated tree (a data file, or a
  Markdown page, which joins the navigation as a hand-written page would).

The module is executed anew at each build (an edit shows at the next rebuild under ``mkdocs serve``).

Nothing else of the package is an extension point: its private functions may change in any release.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from generator.errors import ConfigError

if TYPE_CHECKING:
    from generator.errors import Problem
    from generator.records.link import Corpus

Check = Callable[["Corpus"], list["Problem"]]
FileMaker = Callable[["Corpus"], bytes]


@dataclass
class Extensions:
    """What a review's extensions registered."""

    checks: list[Check] = field(default_factory=list)
    filters: dict[str, Callable[..., Any]] = field(default_factory=dict)
    globals: dict[str, Any] = field(default_factory=dict)
    files: dict[str, FileMaker] = field(default_factory=dict)

    def add_check(self, check: Check) -> None:
        self.checks.append(check)

    def add_filter(self, name: str, function: Callable[..., Any]) -> None:
        self.filters[name] = function

    def add_global(self, name: str, value: Any) -> None:
        self.globals[name] = value

    def add_file(self, path: str, make: FileMaker) -> None:
        if path.startswith("/") or ".." in Path(path).parts:
            raise ConfigError(f"an extension's file {path!r} must be a relative path inside the generated tree")
        self.files[path] = make


@contextmanager
def _importable_from(root: Path) -> Iterator[None]:
    sys.path.insert(0, str(root))  # so that an extension can import its own helper modules from the review's folder
    try:
        yield
    finally:
        sys.path.remove(str(root))


def _import_fresh(module_name: str, root: Path) -> ModuleType:
    """The module ``module_name`` of the review's folder, executed anew: under ``mkdocs serve`` an edit to it shows
    at the next rebuild, and two reviews built in one process never share a module of the same name."""
    path = root.joinpath(*module_name.split(".")).with_suffix(".py")
    if not path.is_file():
        raise ConfigError(f"no file {path.name} in {path.parent}")
    unique = f"litreview_extension_{hashlib.sha256(str(path).encode()).hexdigest()[:12]}_{module_name.replace('.', '_')}"
    spec = importlib.util.spec_from_file_location(unique, path)
    if spec is None or spec.loader is None:
        raise ConfigError(f"{path} cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[unique] = module  # dataclasses and pickling look a module up by its name
    spec.loader.exec_module(module)
    return module


def load_extensions(names: list[str], root: Path) -> Extensions:
    """Import and call each ``module:function`` the review file names, from the review's folder ``root``."""
    extensions = Extensions()
    for name in names:
        module_name, _, function_name = name.partition(":")
        if not module_name or not function_name:
            raise ConfigError(f"extension {name!r}: expected `module:function`")
        try:
            with _importable_from(root):
                module = _import_fresh(module_name, root)
        except ConfigError as error:
            raise ConfigError(f"extension {name!r}: {error}") from None
        except Exception as error:  # the review's own code: said in one line, like every other problem
            raise ConfigError(f"extension {name!r}: importing {module_name} failed: {error!r}") from None
        register = getattr(module, function_name, None)
        if not callable(register):
            raise ConfigError(f"extension {name!r}: {module_name} has no function {function_name!r}")
        try:
            register(extensions)
        except ConfigError:
            raise
        except Exception as error:
            raise ConfigError(f"extension {name!r}: {function_name}() failed: {error!r}") from None
    return extensions
