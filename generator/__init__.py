"""litreview: a static literature-review site generator.

The folders are the pipeline, data flowing one way:

- ``review/``: the review file (``seeds/review.yaml``), the input that makes a review of any question, and the
  extension point for what it cannot say;
- ``records/``: **load** (YAML → typed records with their lines) and **link** (ids resolved against one another
  and against the review file's vocabularies, back-links derived);
- ``derive/``: checks and statistics (quotes against sources, consistency of stated figures, value definitions,
  intervals, effects, pooling);
- ``pages/`` and ``figures/``: **render** (Jinja2 templates → Markdown; one module per figure kind → SVG);
- ``publish/``: **emit** (write the tree safely) and publishing the built site all or nothing;
- ``releases/``: history, changelog and feed from the repository's tags.

``pipeline`` runs the stages in one call; ``cli`` and ``plugin`` (MkDocs) are the adapters at the edge.
"""

__version__ = "0.1.0"
