"""litreview: a static literature-review site generator.

Pipeline, data flowing one way: ``load`` (YAML → typed records with positions) →
``link`` (resolve ids, derive back-links) → ``derive`` (checks, tables) → ``render``
(Jinja2 → Markdown) → ``emit`` (write the tree). ``cli`` and ``plugin`` are adapters.
"""

__version__ = "0.1.0"
