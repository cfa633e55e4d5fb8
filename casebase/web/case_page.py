"""The case page `/cases/<ref>`: the whole case, its facets as searches, similar cases with
why, citation and its downloads; for admins its history. A deleted case answers 410."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from flask import current_app, render_template, request, url_for

from .. import catalogue, citations, get_service
from ..engine import SimilarHit
from ..errors import Gone, NotFound
from ..opendata import case_jsonld, text_excerpt
from .errors import gone_page, not_found_page
from .history_page import history_items, is_admin
from .i18n import current_language, field_label, format_date, format_years, t, vocab_label
from .opendata import site
from .pages import bp
from .search_page import result_items

SIMILAR_LIMIT = 5
CITATION_LABELS = {"bibtex": "BibTeX", "ris": "RIS", "csl-json": "CSL-JSON"}


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


def _citation_links(ref: str) -> list[dict[str, str]]:
    """The case's citation in each format, as downloads."""
    return [
        {
            "href": f"/api/cases/{quote(ref)}/citation?format={fmt}",
            "label": CITATION_LABELS[fmt],
            "type": citations.content_type(fmt).split(";")[0],
        }
        for fmt in citations.FORMATS
    ]


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


def _why_items(hit: SimilarHit) -> list[tuple[str, str]]:
    """What a similar case shares, as (heading, values) pairs, only those it has."""
    items = []
    for facet in catalogue.FACETS:
        keys = getattr(hit.why, facet.field, None)
        if keys:
            labels = ", ".join(vocab_label(facet.vocabulary, key) for key in keys)
            items.append((field_label(facet.field), labels))
    if hit.why.words:
        items.append((t("similar.words"), ", ".join(hit.why.words)))
    return items


def _similar(ref: str) -> list[dict[str, Any]]:
    try:
        found = get_service(current_app).similar(ref, SIMILAR_LIMIT)
    except NotFound:  # the index has not caught up yet: show the case without them
        return []
    return [
        {**item, "why": _why_items(hit)}
        for item, hit in zip(result_items(found), found, strict=True)
    ]


def _back_to_search() -> str:
    """The search the reader came from, when they came from one here; else a new search."""
    came_from = urlsplit(request.referrer or "")
    here = url_for("pages.search")
    if came_from.netloc == request.host and came_from.path == here:
        return here + (f"?{came_from.query}" if came_from.query else "")
    return here


def _deleted(ref: str, gone: Gone) -> Any:
    """A deleted case's page: when it was deleted; for admins its history and restore."""
    history = None
    if is_admin():
        history = history_items(get_service(current_app).history(ref), current=None)
    return gone_page(ref, gone.deleted_at, history=history)


@bp.get("/cases/<ref>")
def case(ref: str) -> Any:
    service = get_service(current_app)
    try:
        record = service.get_case(ref)
    except Gone as gone:
        return _deleted(ref, gone)
    except NotFound:
        return not_found_page(ref)
    permalink = url_for("pages.case", ref=ref, _external=True)
    safe_links = [
        link
        for link in record.get("links") or []
        if str(link.get("url", "")).startswith(("http://", "https://"))
    ]
    history = None
    if is_admin():
        history = history_items(service.history(ref), current=record["version"])
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
        citation_links=_citation_links(ref),
        years=format_years(record.get("start_year"), record.get("end_year")),
        back_url=_back_to_search(),
        history=history,
        canonical=permalink,
        meta_description=text_excerpt(record.get("summary") or record["description"], 160),
        jsonld=case_jsonld(site(), record, current_language()),
    )
