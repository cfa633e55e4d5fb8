"""A search's state is its query string: reading it from a page's URL and writing links to it.

The names come from the search's one schema (casebase/schemas/search.py), so the page's links,
its export links and the API take exactly the same parameters.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from urllib.parse import urlencode

from flask import request, url_for
from werkzeug.datastructures import MultiDict

from ..schemas.search import SEARCH_ARGS

# Query-string names that belong to the search (others, like lang, belong to the page).
SEARCH_PARAMETERS = frozenset(SEARCH_ARGS.fields)
# The cross-tabulation's choice: part of the search page's state, not of the search.
TABLE_PARAMETERS = frozenset({"rows", "cols"})
# What an export or a feed of the search leaves out: the page it shows.
PAGE_ONLY = frozenset({"page", "per_page"})
# The views of a search: the list (with its table) and the map.
SEARCH_VIEWS = ("pages.search", "pages.map")


def search_state(args: MultiDict[str, str]) -> MultiDict[str, str]:
    """The search's own parameters with a value, in their original order, and the table's.

    Names the search does not know (lang, and what links pick up on the way: fbclid,
    utm_source, ...) are left out, so a shared link still opens; the API refuses them.
    """
    return MultiDict(
        [
            (name, value)
            for name, value in args.items(multi=True)
            if (name in SEARCH_PARAMETERS or name in TABLE_PARAMETERS) and value.strip()
        ]
    )


def search_only(state: MultiDict[str, str]) -> MultiDict[str, str]:
    """The state without the table's choice: what the search itself is given."""
    return MultiDict([(n, v) for n, v in state.items(multi=True) if n not in TABLE_PARAMETERS])


def search_url(
    state: MultiDict[str, str],
    remove: tuple[str, str | None] | None = None,
    view: str | None = None,
    **replace: str | None,
) -> str:
    """The URL of a view of the search (this request's by default) for a state, minus one value
    (or name), with names replaced.

    Any change but a page change starts again at page 1.
    """
    pairs = list(state.items(multi=True))
    if remove is not None:
        name, value = remove
        pairs = [(n, v) for n, v in pairs if not (n == name and value in (None, v))]
    if "page" not in replace:
        replace["page"] = None
    for name, value in replace.items():
        pairs = [(n, v) for n, v in pairs if n != name]
        if value is not None:
            pairs.append((name, value))
    query = urlencode(pairs)
    if view is None:
        view = request.endpoint if request.endpoint in SEARCH_VIEWS else SEARCH_VIEWS[0]
    return url_for(view) + (f"?{query}" if query else "")


def without_page(state: MultiDict[str, str]) -> list[tuple[str, str]]:
    """The search's parameters but the page shown (for exports, feeds, maps of the search)."""
    return [
        (n, v)
        for n, v in state.items(multi=True)
        if n not in PAGE_ONLY and n not in TABLE_PARAMETERS
    ]


def export_url(state: MultiDict[str, str], fmt: str) -> str:
    """The API's export of the whole search, in its order (sort included)."""
    return "/api/export?" + urlencode([("format", fmt), *without_page(state)])


def geojson_url(state: MultiDict[str, str]) -> str:
    """The API's GeoJSON of every case the search finds."""
    return "/api/cases.geojson?" + urlencode(without_page(state))


def crosstab_url(state: MultiDict[str, str], fmt: str) -> str:
    """The API's cross-tabulation of the search, as the page shows it."""
    table = [(n, v) for n, v in state.items(multi=True) if n in TABLE_PARAMETERS]
    pairs = [*without_page(state), *table]
    return "/api/crosstab?" + urlencode(pairs + ([("format", fmt)] if fmt != "json" else []))


def feed_url(state: MultiDict[str, str], lang: str) -> str:
    """The Atom feed of the search (its newest cases), in the page's language."""
    pairs = without_page(state) + ([("lang", lang)] if lang != "da" else [])
    query = urlencode(pairs)
    return url_for("opendata.feed") + (f"?{query}" if query else "")


def page_links(
    address: str, args: MultiDict[str, str], page: int, per_page: int, total: int
) -> dict[str, str]:
    """self, first, prev, next, last: `address` with the request's parameters (empty ones
    left out) and each page's number last; prev and next only where there is such a page."""
    pairs = [(n, v) for n, v in args.items(multi=True) if n != "page" and v.strip()]
    last = max(1, math.ceil(total / per_page))

    def at(number: int) -> str:
        return address + "?" + urlencode([*pairs, ("page", str(number))])

    links = {"self": at(page), "first": at(1)}
    if page > 1:
        links["prev"] = at(min(page - 1, last))
    if page < last:
        links["next"] = at(page + 1)
    links["last"] = at(last)
    return links


def link_header(links: Mapping[str, str]) -> str:
    """Links as a Link header (RFC 8288): <address>; rel="name", ..."""
    return ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
