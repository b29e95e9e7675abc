"""The changelog as an Atom feed (RFC 4287): one entry per release, from ``templates/feed.xml.j2``.

The feed is XML, not Markdown: it is rendered by an environment of its own, which escapes every value
for XML (Jinja's autoescaping) and replaces the few characters XML 1.0 cannot hold at all. Record text
reaches it as plain strings (the changelog reads the records' raw YAML), so no Markdown escaping applies.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from generator.records.schema import ReviewCitation
from generator.releases.changelog import Changelog, Release
from generator.review.file import ReviewFile

FEED_PATH = "feed.xml"  # in the generated tree, beside the changelog page; MkDocs copies it as it is
CHANGELOG_PAGE = "changelog.md"
FEED_TEMPLATE = "feed.xml.j2"
NO_DATE = "1970-01-01T00:00:00Z"  # a feed without any release still needs an <updated> (RFC 4287 4.2.15)
# Characters XML 1.0 cannot hold, even as references (C0 controls but tab and newlines, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class FeedEntry:
    release: Release
    id: str
    link: str


def page_url(path: str, directory_urls: bool) -> str:
    """A page's URL relative to the site's root, as MkDocs makes it (``changelog.md`` → ``changelog/``)."""
    stem = path.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return stem.removesuffix("index")
    return f"{stem}/" if directory_urls else f"{stem}.html"


def _xml_text(value: object) -> object:
    if isinstance(value, str) and not isinstance(value, Markup):
        return _NOT_XML.sub("\ufffd", value)
    return value


def make_feed_environment(templates_dir: Path, review: ReviewFile) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,  # every template this environment renders is XML
        undefined=jinja2.StrictUndefined,
        finalize=_xml_text,
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["MEASURE_LABELS"] = {measure.id: measure.label for measure in review.measures}
    return env


def render_feed(templates_dir: Path, review: ReviewFile, changelog: Changelog, citation: ReviewCitation | None, site_url: str | None,
                directory_urls: bool = True) -> bytes:
    """The feed's bytes. With ``site_url`` its links and ids are absolute; without one, links are relative to the
    feed (RFC 4287 allows relative references, resolved against the feed's own address) and ids are ``urn:uuid:``
    names derived from each release's tag and commit, since an Atom id must be absolute."""
    base = f"{site_url.rstrip('/')}/" if site_url else ""
    changelog_url = base + page_url(CHANGELOG_PAGE, directory_urls)
    title = str(citation.title) if citation else "Review"
    entries = [FeedEntry(release, f"{changelog_url}#{release.anchor}" if site_url else _urn(f"litreview-release:{release.tag}:{release.commit}"),
                         f"{changelog_url}#{release.anchor}") for release in changelog.releases]
    latest = changelog.latest
    template = make_feed_environment(templates_dir, review).get_template(FEED_TEMPLATE)
    return template.render(
        title=title,
        authors=[str(author.display) for author in citation.authors] if citation else [title],
        feed_id=base + FEED_PATH if site_url else _urn(f"litreview-feed:{title}"),
        feed_url=base + FEED_PATH,
        changelog_url=changelog_url,
        updated=latest.date if latest and latest.date else NO_DATE,
        entries=entries,
    ).encode("utf-8")


def _urn(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"
