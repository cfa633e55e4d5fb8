"""Atom 1.0 feeds of searches (docs/contract.md section 11), written by feedgen.

One entry per case, newest (by created_at) first: its permalink as id and link, title,
summary, categories (its collaboration forms and themes: key, label, and as scheme the search
that the key completes), published (created_at) and updated (updated_at). The feed names the
search in its title, links itself, the search page and the licence, and carries the licence
as its rights.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from feedgen.feed import FeedGenerator

from .. import catalogue, vocabularies
from .site import Site, text_excerpt, xml_text

# The newest this many cases of a search (docs/contract.md section 11).
FEED_SIZE = 50
# An entry's summary when the case has none: the start of its description.
SUMMARY_CHARS = 300
# The facets whose values an entry lists as its categories.
CATEGORY_FACETS = ("collaboration_form", "theme")
ATOM = "application/atom+xml"


def atom_feed(
    site: Site,
    *,
    title: str,
    feed_url: str,
    search_url: str,
    records: Iterable[Mapping[str, Any]],
    updated: datetime,
    lang: str,
) -> bytes:
    """The Atom document (UTF-8) of some case records, in the order given."""
    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(xml_text(title))
    feed.updated(updated)
    feed.language(lang)
    feed.link(href=feed_url, rel="self", type=ATOM)
    feed.link(href=search_url, rel="alternate", type="text/html")
    feed.link(href=site.license.url, rel="license", type="text/html")
    feed.rights(f"{site.license.name} ({site.license.id}): {site.license.url}")
    feed.author(_author(site))
    feed.generator("casebase", uri=site.home)
    for record in records:
        _entry(feed.add_entry(order="append"), site, record, lang)
    document: bytes = feed.atom_str(pretty=True)
    return document


def _author(site: Site) -> dict[str, str]:
    author = {"name": xml_text(site.publisher), "uri": site.home}
    if site.contact_email:
        author["email"] = site.contact_email
    return author


def _entry(entry: Any, site: Site, record: Mapping[str, Any], lang: str) -> None:
    permalink = site.case_url(record["ref"])
    entry.id(permalink)
    entry.link(href=permalink, rel="alternate", type="text/html")
    entry.title(xml_text(record["title"]))
    summary = record.get("summary") or text_excerpt(record.get("description"), SUMMARY_CHARS)
    entry.summary(xml_text(summary))
    entry.published(datetime.fromisoformat(record["created_at"]))
    entry.updated(datetime.fromisoformat(record["updated_at"]))
    entry.author(_author(site))
    entry.category(list(_categories(site, record, lang)))


def _categories(site: Site, record: Mapping[str, Any], lang: str) -> Iterable[dict[str, str]]:
    for name in CATEGORY_FACETS:
        facet = catalogue.BY_NAME[name]
        for key in record.get(facet.field) or []:
            yield {
                "term": key,
                "scheme": site.url("/", [(name, "")]),
                "label": vocabularies.label(facet.vocabulary, key, lang),
            }
