"""The public pages: the search page `/` and the case page `/cases/<ref>` (SPEC section 8).

The search page's whole state is its query string, which is passed to the same search as
the API (service.search_args), so the page and the API cannot drift. With the header
FRAGMENT_HEADER the page answers only its changing parts (for static/js/search.js).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for
from flask_wtf.csrf import CSRFError  # type: ignore[import-untyped]  # no type hints
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from .. import get_service, vocabularies
from ..errors import CasebaseError, InvalidSearch, NotFound
from ..search import FACETS, SINGLE_PARAMETERS
from . import chart, i18n
from .errors import status_for
from .i18n import current_language, format_date, format_years, t, vocab_label

log = logging.getLogger(__name__)

bp = Blueprint(
    "pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)

FRAGMENT_HEADER = "X-Casebase-Fragment"
# Query-string names that belong to the page, not to the search.
SEARCH_PARAMETERS = frozenset((*SINGLE_PARAMETERS, *FACETS))
# Facet panels in the order shown; municipalities are nested under their region.
FACET_PANELS = ("collaboration_form", "theme", "actor", "region", "status")
EXPORT_FORMATS = ("csv", "xlsx", "json")
EXPORT_ARGS = ("q", *vocabularies.VOCABULARIES, "year_from", "year_to")
SORT_OPTIONS = ("relevance", "newest", "oldest", "title")
PAGINATION_WINDOW = 2  # page numbers shown either side of the current one
SIMILAR_LIMIT = 5
# Record field -> the facet (search parameter) its values link to on the case page.
CASE_FACET_LINKS = {
    "collaboration_forms": "collaboration_form",
    "themes": "theme",
    "actors": "actor",
    "municipalities": "municipality",
    "regions": "region",
    "status": "status",
}


# --- the search's state: the query string -------------------------------------------------


def search_state(args: MultiDict[str, str]) -> MultiDict[str, str]:
    """The search's own parameters with a value, in their original order.

    Names the search does not know (lang, and what links pick up on the way: fbclid,
    utm_source, ...) are left out, so a shared link still opens; the API refuses them.
    """
    return MultiDict(
        [
            (name, value)
            for name, value in args.items(multi=True)
            if name in SEARCH_PARAMETERS and value.strip()
        ]
    )


def search_url(
    state: MultiDict[str, str], remove: tuple[str, str | None] | None = None, **replace: str | None
) -> str:
    """The search page's URL for a state, minus one value (or name), with names replaced.

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
    return url_for("pages.search") + (f"?{query}" if query else "")


def export_url(state: MultiDict[str, str], fmt: str) -> str:
    pairs = [(n, v) for n, v in state.items(multi=True) if n in EXPORT_ARGS]
    return "/api/export?" + urlencode([("format", fmt), *pairs])


# --- building the search page's data ------------------------------------------------------


def _buckets(facet: str, buckets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            **bucket,
            "label": vocab_label(facet, str(bucket["value"])),
            "id": f"f-{facet}-{bucket['value']}",
        }
        for bucket in buckets
    ]


def _region_groups(facets: Mapping[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
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


def _panels(facets: Mapping[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    panels = []
    for facet in FACET_PANELS:
        panel: dict[str, Any] = {"name": facet, "legend": t(f"facet.{facet}")}
        if facet == "region":
            panel["groups"] = _region_groups(facets)
        else:
            panel["buckets"] = _buckets(facet, facets.get(facet, []))
        panels.append(panel)
    return panels


def _chips(state: MultiDict[str, str]) -> list[dict[str, str]]:
    chips = []
    for name, value in state.items(multi=True):
        if name in vocabularies.VOCABULARIES:
            key = vocabularies.find_key(name, value) or value
            label = f"{t('chip.' + name)}: {vocab_label(name, key)}"
        elif name in ("year_from", "year_to"):
            label = t(f"chip.{name}", year=value)
        else:
            continue
        chips.append({"label": label, "href": search_url(state, remove=(name, value))})
    return chips


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


def _pagination(state: MultiDict[str, str], body: Mapping[str, Any]) -> dict[str, Any]:
    page, per_page, total = body["page"], body["per_page"], body["total"]
    last = max(1, math.ceil(total / per_page))
    link = lambda n: search_url(state, page=str(n) if n > 1 else None)  # noqa: E731
    return {
        "page": page,
        "last": last,
        "previous": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < last else None,
        "numbers": [(n, link(n) if n else None) for n in _pages(page, per_page, total)],
    }


def _count_text(body: Mapping[str, Any]) -> str:
    total = body["total"]
    if total == 0:
        return t("search.count.none")
    text = t("search.count.one") if total == 1 else t("search.count.many", count=_number(total))
    first = (body["page"] - 1) * body["per_page"] + 1
    last = first + len(body["results"]) - 1
    if total > body["per_page"] and last >= first:
        text += " · " + t("search.count.range", first=first, last=last)
    return text


def _number(value: int) -> str:
    grouped = f"{value:,}"
    return grouped.replace(",", ".") if current_language() == "da" else grouped


def _chart(state: MultiDict[str, str], buckets: list[dict[str, Any]]) -> dict[str, Any]:
    years = chart.year_counts(buckets)
    if not years:
        return {"svg": None, "years": []}
    peak = max(years, key=lambda y: (y.count, -y.year))
    description = t(
        "chart.summary",
        total=_number(sum(y.count for y in years)),
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


def _results(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            **result,
            "href": url_for("pages.case", ref=result["ref"]),
            "places": [vocab_label("municipality", m) for m in result["municipalities"]],
            "years": format_years(result["start_year"], result["end_year"]),
            "forms": [
                (key, vocab_label("collaboration_form", key))
                for key in result["collaboration_forms"]
            ],
        }
        for result in body["results"]
    ]


def search_page(args: MultiDict[str, str]) -> dict[str, Any]:
    """Everything the search page shows, for a query string; InvalidSearch when it is wrong."""
    state = search_state(args)
    body = get_service(current_app).search_args(state.to_dict(flat=False))
    suggestion = body.get("suggestion")
    return {
        "state": state,
        "body": body,
        "q": state.get("q", ""),
        "sort": state.get("sort", ""),
        "year_from": state.get("year_from", ""),
        "year_to": state.get("year_to", ""),
        "per_page": state.get("per_page"),
        "panels": _panels(body["facets"]),
        "chips": _chips(state),
        "clear_href": search_url(
            MultiDict(
                [(n, v) for n, v in state.items(multi=True) if n in ("q", "sort", "per_page")]
            )
        ),
        "count_text": _count_text(body),
        "results": _results(body),
        "pagination": _pagination(state, body),
        "suggestion": suggestion,
        "suggestion_href": search_url(state, q=suggestion) if suggestion else None,
        "chart": _chart(state, body["facets"].get("start_year", [])),
        "exports": [(fmt, t(f"export.{fmt}"), export_url(state, fmt)) for fmt in EXPORT_FORMATS],
        "sort_options": _sort_options(),
    }


def _sort_options() -> list[tuple[str, str]]:
    return [("", t("sort.auto"))] + [(s, t(f"sort.{s}")) for s in SORT_OPTIONS]


@bp.get("/")
def search() -> tuple[str, int] | Response:
    fragment = bool(request.headers.get(FRAGMENT_HEADER))
    template = "search_fragment.html" if fragment else "search.html"
    try:
        data = search_page(request.args)
        status = 200
    except InvalidSearch as error:
        data = {
            "error": error.message,
            "state": search_state(request.args),
            "q": request.args.get("q", ""),
            "sort": "",
            "year_from": "",
            "year_to": "",
            "sort_options": _sort_options(),
        }
        status = 400
    response = Response(render_template(template, **data), status=status)
    response.vary.add(FRAGMENT_HEADER)
    response.vary.add("Cookie")
    return response


# --- the case page ------------------------------------------------------------------------


def citation(record: Mapping[str, Any], permalink: str, today: date, lang: str) -> str:
    """Titel. Kommune(r), start–slut. casebase, <permalink>, hentet <dato>."""
    places = ", ".join(record.get("municipalities") or []) or (
        "Landsdækkende" if lang == "da" else "Nationwide"
    )
    years = format_years(record.get("start_year"), record.get("end_year"))
    title = str(record["title"]).rstrip(".")
    retrieved = ("hentet " if lang == "da" else "retrieved ") + format_date(today, lang)
    where = f"{places}, {years}" if years else places
    return f"{title}. {where}. casebase, {permalink}, {retrieved}."


def _facet_links(record: Mapping[str, Any]) -> dict[str, list[tuple[str, str]]]:
    links: dict[str, list[tuple[str, str]]] = {}
    for field, facet in CASE_FACET_LINKS.items():
        values = record.get(field) or []
        keys = [values] if isinstance(values, str) else list(values)
        links[field] = [
            (vocab_label(facet, key), url_for("pages.search") + "?" + urlencode({facet: key}))
            for key in keys
        ]
    return links


def _similar(ref: str) -> list[dict[str, Any]]:
    try:
        found = get_service(current_app).similar(ref, SIMILAR_LIMIT)
    except NotFound:  # the index has not caught up yet: show the case without them
        return []
    return _results({"results": found})


@bp.get("/cases/<ref>")
def case(ref: str) -> tuple[str, int] | str:
    try:
        record = get_service(current_app).get_case(ref)
    except NotFound:
        return render_template("not_found.html", ref=ref), 404
    permalink = url_for("pages.case", ref=ref, _external=True)
    safe_links = [
        link
        for link in record.get("links") or []
        if str(link.get("url", "")).startswith(("http://", "https://"))
    ]
    return render_template(
        "case.html",
        case=record,
        facet_links=_facet_links(record),
        links=safe_links,
        similar=_similar(ref),
        permalink=permalink,
        json_url=f"/api/cases/{quote(ref)}",
        citation=citation(record, permalink, date.today(), current_language()),
        years=format_years(record.get("start_year"), record.get("end_year")),
        back_url=_back_to_search(),
    )


def _back_to_search() -> str:
    """The search the reader came from, when they came from one here; else a new search."""
    came_from = urlsplit(request.referrer or "")
    here = url_for("pages.search")
    if came_from.netloc == request.host and came_from.path == here:
        return here + (f"?{came_from.query}" if came_from.query else "")
    return here


@bp.app_template_filter("paragraphs")
def paragraphs(text: str | None) -> list[str]:
    """A text's paragraphs (split at blank lines), for <p> elements."""
    return [part.strip() for part in re.split(r"\n\s*\n", text or "") if part.strip()]


# --- errors on the pages are pages too (the API answers JSON: see web/errors.py) ----------


def error_page(status: int, message: str) -> tuple[str, int]:
    return render_template("error.html", status=status, message=message), status


def _handle_domain(error: CasebaseError) -> tuple[str, int]:
    return error_page(status_for(error), error.message)


def _handle_http(error: HTTPException) -> tuple[str, int] | HTTPException:
    if error.code is None or error.code < 400:
        return error
    if isinstance(error, CSRFError):
        return error_page(400, t("error.csrf"))
    if error.code == 404:
        return render_template("not_found.html", ref=None), 404
    return error_page(error.code, error.description or error.name)


def _handle_unexpected(error: Exception) -> tuple[str, int]:
    log.exception("unexpected error on a page", exc_info=error)
    return error_page(500, t("error.help"))


def register_error_pages(blueprint: Blueprint) -> None:
    """HTML error pages for a blueprint's views (used by the pages and the admin)."""
    blueprint.register_error_handler(CasebaseError, _handle_domain)
    blueprint.register_error_handler(HTTPException, _handle_http)
    blueprint.register_error_handler(Exception, _handle_unexpected)


register_error_pages(bp)


def init_app(app: Flask) -> None:
    i18n.init_app(app)
    app.register_blueprint(bp)
    # Unknown addresses outside the API get the same friendly pages as the pages' own errors.
    app.extensions["casebase_error_page"] = _handle_http
