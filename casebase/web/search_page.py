"""The search page `/` (docs/contract.md sections 8 and 10): one function builds what it shows.

The page's whole state is its query string, parsed by the search's one schema and run by the
same service call as the API, so the page and the API cannot drift. With the header
FRAGMENT_HEADER the page answers only its changing parts (for static/js/search.js). The list
shows the cross-tabulation the state chooses (rows, cols); the map view (map_page.py) shows the
same search on a map.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from flask import Response, current_app, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from .. import catalogue, get_service, vocabularies
from ..engine import Bucket, Hit, SearchResult
from ..errors import InvalidSearch
from . import chart
from .crosstab_table import crosstab_table, dimension_options
from .i18n import current_language, format_number, format_years, t, translate_error, vocab_label
from .pages import bp
from .searchstate import (
    TABLE_PARAMETERS,
    export_url,
    feed_url,
    search_only,
    search_state,
    search_url,
)

FRAGMENT_HEADER = "X-Casebase-Fragment"
EXPORT_FORMATS = ("csv", "xlsx", "json")
PAGINATION_WINDOW = 2  # page numbers shown either side of the current one


# --- facets -------------------------------------------------------------------------------


def _buckets(facet: str, buckets: list[Bucket]) -> list[dict[str, Any]]:
    vocabulary = catalogue.BY_NAME[facet].vocabulary
    return [
        {
            "value": bucket.value,
            "count": bucket.count,
            "selected": bucket.selected,
            "label": vocab_label(vocabulary, str(bucket.value)),
            "id": f"f-{facet}-{bucket.value}",
        }
        for bucket in buckets
    ]


def _region_groups(facets: dict[str, list[Bucket]]) -> list[dict[str, Any]]:
    """Regions, each with the municipality buckets that lie in it."""
    regions = {b["value"]: b for b in _buckets("region", facets.get("region", []))}
    municipalities: dict[str, list[dict[str, Any]]] = {}
    for bucket in _buckets("municipality", facets.get("municipality", [])):
        if bucket["value"] in vocabularies.terms_by_key("municipality"):
            region_key = vocabularies.region_of(bucket["value"])
            municipalities.setdefault(region_key, []).append(bucket)
    order = list(regions) + [
        r.key for r in vocabularies.REGIONS if r.key in municipalities and r.key not in regions
    ]
    groups = []
    for key in order:
        region = regions.get(key) or {
            "value": key,
            "label": vocab_label("region", key),
            "count": 0,
            "selected": False,
            "id": f"f-region-{key}",
        }
        inside = municipalities.get(key, [])
        groups.append(
            {
                **region,
                "municipalities": inside,
                "open": region["selected"] or any(b["selected"] for b in inside),
            }
        )
    return groups


def _panels(facets: dict[str, list[Bucket]]) -> list[dict[str, Any]]:
    """The catalogue's panels in their order; municipalities inside their region."""
    lang = current_language()
    panels = []
    for facet in catalogue.PANELS:
        panel: dict[str, Any] = {"name": facet.name, "legend": facet.legend(lang)}
        if facet.name == "region":
            panel["groups"] = _region_groups(facets)
        else:
            panel["buckets"] = _buckets(facet.name, facets.get(facet.name, []))
        panels.append(panel)
    return panels


def _chips(state: MultiDict[str, str]) -> list[dict[str, str]]:
    lang = current_language()
    chips = []
    for name, value in state.items(multi=True):
        facet = catalogue.BY_NAME.get(name)
        if facet is not None:
            key = vocabularies.find_key(facet.vocabulary, value) or value
            label = f"{facet.label(lang)}: {vocab_label(facet.vocabulary, key)}"
        elif name in catalogue.YEAR_PARAMETERS:
            label = t(f"chip.{name}", year=value)
        else:
            continue
        chips.append({"label": label, "href": search_url(state, remove=(name, value))})
    return chips


def search_labels(state: MultiDict[str, str]) -> list[str]:
    """What a search's filters and years are, in words ("Tema: Klima", "Fra 2010")."""
    return [chip["label"] for chip in _chips(state)]


# --- results, paging, chart ---------------------------------------------------------------


def _pages(page: int, per_page: int, total: int) -> list[int | None]:
    """Page numbers to link, None for a gap: 1 … 4 5 [6] 7 8 … 20."""
    last = max(1, math.ceil(total / per_page))
    shown = {1, last, *range(page - PAGINATION_WINDOW, page + PAGINATION_WINDOW + 1)}
    numbers: list[int | None] = []
    for number in sorted(n for n in shown if 1 <= n <= last):
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def _pagination(state: MultiDict[str, str], found: SearchResult) -> dict[str, Any]:
    page, per_page, total = found.page, found.per_page, found.total
    last = max(1, math.ceil(total / per_page))

    def link(number: int) -> str:
        return search_url(state, page=str(number) if number > 1 else None)

    return {
        "page": page,
        "last": last,
        "previous": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < last else None,
        "numbers": [(n, link(n) if n else None) for n in _pages(page, per_page, total)],
    }


def _count_text(found: SearchResult) -> str:
    total = found.total
    if total == 0:
        return t("search.count.none")
    lang = current_language()
    many = t("search.count.many", count=format_number(total, lang))
    text = t("search.count.one") if total == 1 else many
    first = (found.page - 1) * found.per_page + 1
    last = first + len(found.results) - 1
    if total > found.per_page and last >= first:
        text += " · " + t("search.count.range", first=first, last=last)
    return text


def _chart(state: MultiDict[str, str], buckets: list[Bucket]) -> dict[str, Any]:
    years = chart.year_counts(buckets)
    if not years:
        return {"svg": None, "years": []}
    peak = max(years, key=lambda y: (y.count, -y.year))
    description = t(
        "chart.summary",
        total=format_number(sum(y.count for y in years), current_language()),
        first=years[0].year,
        last=years[-1].year,
        peak=peak.year,
        count=peak.count,
    )
    svg = chart.render_svg(
        years,
        t("chart.title"),
        description,
        bar_label=lambda y: t("chart.bar", year=y.year, count=y.count),
        bar_href=lambda y: search_url(
            state, remove=("year_from", None), year_to=str(y.year), year_from=str(y.year)
        ),
    )
    return {"svg": svg, "years": [y for y in years if y.count], "description": description}


def result_items(hits: Sequence[Hit]) -> list[dict[str, Any]]:
    """Hits as the pages list them: with their link, places, years and collaboration forms."""
    return [
        {
            **vars(hit),
            "href": url_for("pages.case", ref=hit.ref),
            "places": [vocab_label("municipality", m) for m in hit.municipalities],
            "years": format_years(hit.start_year, hit.end_year),
            "forms": [
                (key, vocab_label("collaboration_form", key)) for key in hit.collaboration_forms
            ],
        }
        for hit in hits
    ]


def _sort_options() -> list[tuple[str, str]]:
    lang = current_language()
    return [("", t("sort.auto"))] + [(s.key, s.label(lang)) for s in catalogue.SORTS]


# --- the table and the views ------------------------------------------------------------


def _crosstab(state: MultiDict[str, str]) -> dict[str, Any]:
    """The choice of rows and columns, and the table when both are chosen."""
    rows, cols = state.get("rows", ""), state.get("cols", "")
    table = None
    if rows and cols:
        service = get_service(current_app)
        asked = service.parse_crosstab(state.to_dict(flat=False))
        table = crosstab_table(state, service.crosstab(asked.search, asked.rows, asked.cols))
    return {
        "options": dimension_options(),
        "rows": rows,
        "cols": cols,
        "table": table,
        "incomplete": bool(rows) != bool(cols),
    }


def views(state: MultiDict[str, str]) -> list[tuple[str, str, bool]]:
    """The views of the search: (label, link, current), the list and the map."""
    search = search_only(state)
    return [
        (
            t("view.list"),
            search_url(search, view="pages.search"),
            request.endpoint == "pages.search",
        ),
        (t("view.map"), search_url(search, view="pages.map"), request.endpoint == "pages.map"),
    ]


# --- the page -----------------------------------------------------------------------------


def search_page(args: MultiDict[str, str], table: bool = True) -> dict[str, Any]:
    """Everything the search page shows, for a query string; InvalidSearch when it is wrong.

    Without `table` (the map view) the cross-tabulation's choice is not part of the state.
    """
    state = search_state(args)
    if not table:
        state = search_only(state)
    service = get_service(current_app)
    found = service.search(service.parse_search(search_only(state).to_dict(flat=False)))
    suggestion = found.suggestion
    kept = ("q", "sort", "per_page", *TABLE_PARAMETERS)
    return {
        "state": state,
        "body": found,
        "q": state.get("q", ""),
        "sort": state.get("sort", ""),
        "year_from": state.get("year_from", ""),
        "year_to": state.get("year_to", ""),
        "per_page": state.get("per_page"),
        "panels": _panels(found.facets),
        "chips": _chips(state),
        "clear_href": search_url(
            MultiDict([(n, v) for n, v in state.items(multi=True) if n in kept])
        ),
        "count_text": _count_text(found),
        "results": result_items(found.results),
        "pagination": _pagination(state, found),
        "suggestion": suggestion,
        "suggestion_href": search_url(state, q=suggestion) if suggestion else None,
        "expanded": found.expanded,
        "exact": bool(state.get("exact", "").lower() in ("true", "1", "yes", "on")),
        "exact_href": search_url(state, exact="true"),
        "widened_href": search_url(state, remove=("exact", None)),
        "chart": _chart(state, found.facets.get(catalogue.YEAR_FACET, [])),
        "exports": [(fmt, t(f"export.{fmt}"), export_url(state, fmt)) for fmt in EXPORT_FORMATS],
        "feed_url": feed_url(state, current_language()),
        "canonical": request.host_url.rstrip("/") + search_url(state, page=state.get("page")),
        "sort_options": _sort_options(),
        "crosstab": _crosstab(state) if table else None,
        "views": views(state),
    }


def invalid_search(error: InvalidSearch) -> dict[str, Any]:
    """What the page shows for a search it cannot run: the message and the search box."""
    return {
        "error": " ".join(translate_error(problem) for problem in error.problems),
        "state": search_state(request.args),
        "q": request.args.get("q", ""),
        "sort": "",
        "year_from": "",
        "year_to": "",
        "sort_options": _sort_options(),
    }


@bp.get("/")
def search() -> Response:
    fragment = bool(request.headers.get(FRAGMENT_HEADER))
    template = "search_fragment.html" if fragment else "search.html"
    try:
        data = search_page(request.args)
        status = 200
    except InvalidSearch as error:
        data = invalid_search(error)
        status = 400
    response = Response(render_template(template, **data), status=status)
    response.vary.add(FRAGMENT_HEADER)
    response.vary.add("Cookie")
    return response
