"""Sitemaps (sitemaps.org 0.9) and robots.txt (docs/contract.md section 11).

One sitemap holds at most SITEMAP_MAX_URLS addresses (the protocol's limit): a larger site's
/sitemap.xml is a sitemap index of numbered sitemaps, the first listing the search page.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from xml.sax.saxutils import escape

from .site import xml_text

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# The protocol's limit of addresses in one sitemap.
SITEMAP_MAX_URLS = 50_000
# Written line by line: ElementTree takes seconds for 50,000 addresses, this a fraction.
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="' + SITEMAP_NS + '">\n'


def _loc(address: str) -> str:
    return escape(xml_text(address))


def sitemap_xml(pages: Iterable[tuple[str, datetime | None]]) -> bytes:
    """A urlset of (address, last modified) pairs."""
    lines = [HEAD.format(root="urlset")]
    for address, modified in pages:
        lastmod = f"<lastmod>{modified.isoformat(timespec='seconds')}</lastmod>" if modified else ""
        lines.append(f"  <url><loc>{_loc(address)}</loc>{lastmod}</url>\n")
    lines.append("</urlset>\n")
    return "".join(lines).encode("utf-8")


def sitemap_index_xml(sitemaps: Iterable[str]) -> bytes:
    """A sitemap index of the addresses of sitemaps."""
    lines = [HEAD.format(root="sitemapindex")]
    lines += [f"  <sitemap><loc>{_loc(address)}</loc></sitemap>\n" for address in sitemaps]
    lines.append("</sitemapindex>\n")
    return "".join(lines).encode("utf-8")


def robots_txt(sitemap: str) -> str:
    """Crawlers may read the public pages, not the admin; the sitemap lists them."""
    return f"User-agent: *\nDisallow: /admin\nAllow: /\n\nSitemap: {sitemap}\n"
