"""Files shipped with the tool: the page templates (with their Material override) and the starter review.

In a wheel the templates are ``generator/templates/`` (pyproject.toml maps the package ``generator.templates``
onto the repository's top-level ``templates/`` folder with ``package-dir``); in a source checkout or an editable
install (``pip install -e``) they are that ``templates/`` folder itself, beside the package. Found by path, not
with :mod:`importlib.resources`: setuptools' editable finder cannot import a package that has no ``__init__.py``.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
STARTER_DIR = PACKAGE_DIR / "starter"  # the files `litreview init` writes
THEME_FOLDER = "theme"  # inside a templates folder: Material partials overridden (the theme's custom_dir)


def templates_dir() -> Path:
    """The page templates installed with the tool."""
    installed = PACKAGE_DIR / "templates"
    return installed if installed.is_dir() else PACKAGE_DIR.parent / "templates"
