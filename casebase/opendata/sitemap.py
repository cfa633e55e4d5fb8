"""Sitemaps (sitemaps.org 0.9) and robots.txt (docs/contract.md section 11).

One sitemap holds at most SITEMAP_MAX_URLS addresses (the protocol's limit): a larger site's
/sitemap.xml is a sitemap index of numbered sitemaps, the first listing the search page.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from xml.etree import ElementTree

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# The protocol's limit of addresses in one sitemap.
SITEMAP_MAX_URLS = 50_000


def _lastmod(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _document(root: ElementTree.Element) -> bytes:
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def sitemap_xml(pages: Iterable[tuple[str, datetime | None]]) -> bytes:
    """A urlset of (address, last modified) pairs."""
    root = ElementTree.Element("urlset", xmlns=SITEMAP_NS)
    for address, modified in pages:
        url = ElementTree.SubElement(root, "url")
        ElementTree.SubElement(url, "loc").text = address
        if modified is not None:
            ElementTree.SubElement(url, "lastmod").text = _lastmod(modified)
    return _document(root)


def sitemap_index_xml(sitemaps: Iterable[str]) -> bytes:
    """A sitemap index of the addresses of sitemaps."""
    root = ElementTree.Element("sitemapindex", xmlns=SITEMAP_NS)
    for address in sitemaps:
        ElementTree.SubElement(ElementTree.SubElement(root, "sitemap"), "loc").text = address
    return _document(root)


def robots_txt(sitemap: str) -> str:
    """Crawlers may read the public pages, not the admin; the sitemap lists them."""
    return f"User-agent: *\nDisallow: /admin\nAllow: /\n\nSitemap: {sitemap}\n"
