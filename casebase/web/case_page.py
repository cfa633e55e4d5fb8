"""The case page `/cases/<ref>`: the whole case, its facets as searches, similar cases, citation."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from flask import current_app, render_template, request, url_for

from .. import catalogue, get_service
from ..errors import NotFound
from .errors import not_found_page
from .i18n import current_language, format_date, format_years, vocab_label
from .pages import bp
from .search_page import result_items

SIMILAR_LIMIT = 5


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
    """Each of the case's facet values, as a link to the search for it."""
    links: dict[str, list[tuple[str, str]]] = {}
    for facet in catalogue.FACETS:
        values = record.get(facet.field) or []
        keys = [values] if isinstance(values, str) else list(values)
        links[facet.field] = [
            (
                vocab_label(facet.vocabulary, key),
                url_for("pages.search") + "?" + urlencode({facet.name: key}),
            )
            for key in keys
        ]
    return links


def _similar(ref: str) -> list[dict[str, Any]]:
    try:
        found = get_service(current_app).similar(ref, SIMILAR_LIMIT)
    except NotFound:  # the index has not caught up yet: show the case without them
        return []
    return result_items(found)


def _back_to_search() -> str:
    """The search the reader came from, when they came from one here; else a new search."""
    came_from = urlsplit(request.referrer or "")
    here = url_for("pages.search")
    if came_from.netloc == request.host and came_from.path == here:
        return here + (f"?{came_from.query}" if came_from.query else "")
    return here


@bp.get("/cases/<ref>")
def case(ref: str) -> Any:
    try:
        record = get_service(current_app).get_case(ref)
    except NotFound:
        return not_found_page(ref)
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
        documents=get_service(current_app).documents.list(ref),
        similar=_similar(ref),
        permalink=permalink,
        json_url=f"/api/cases/{quote(ref)}",
        citation=citation(record, permalink, date.today(), current_language()),
        years=format_years(record.get("start_year"), record.get("end_year")),
        back_url=_back_to_search(),
    )
