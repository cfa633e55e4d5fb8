"""Open data for programs (docs/contract.md section 11): Atom feeds of searches, the DCAT-AP
catalogue, sitemaps and robots.txt; and what every page says about it (the licence in the
footer, the canonical address and its languages in the head).

The documents are built below the web layer (casebase/opendata/) from the service's data;
here a request becomes their parameters and their answer.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound

from .. import get_service, opendata
from ..errors import InvalidSearch
from ..opendata import Site
from ..services import Casebase
from .i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from .search_page import search_labels
from .searchstate import PAGE_ONLY, search_state

# At most this many addresses in one sitemap (the protocol's limit).
SITEMAP_MAX_URLS = opendata.SITEMAP_MAX_URLS
ATOM_TYPE = "application/atom+xml; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"
JSONLD_TYPE = "application/ld+json"
# The parameter that chooses a feed's language; the others are the search's.
LANGUAGE_PARAMETER = "lang"

bp = Blueprint("opendata", __name__)


def site() -> Site:
    """This site's addresses as this request names them, with its licence and publisher."""
    config = current_app.config
    return Site(
        base=request.url_root.rstrip("/"),
        license=config["DATA_LICENSE"],
        publisher=config["PUBLISHER"],
        contact_email=config.get("CONTACT_EMAIL"),
    )


def _service() -> Casebase:
    return get_service(current_app)


# --- feeds --------------------------------------------------------------------------------


def _feed_language(args: MultiDict[str, str]) -> str:
    """The feed's language: `lang` in its address (da or en), never a cookie."""
    asked = args.get(LANGUAGE_PARAMETER, "").strip() or DEFAULT_LANGUAGE
    if asked not in LANGUAGES:
        message = f"lang must be one of {', '.join(LANGUAGES)}, not {asked[:50]!r}."
        raise InvalidSearch(message, [message])
    return asked


def feed_title(state: MultiDict[str, str]) -> str:
    """casebase – nye sager: «q» · Tema: Klima · Fra 2010 (in the chosen language)."""
    parts = [t("feed.query", q=state["q"])] if state.get("q") else []
    parts += search_labels(state)
    return t("feed.title") + (": " + " · ".join(parts) if parts else "")


@bp.get("/feed.atom")
def feed() -> Response:
    lang = _feed_language(request.args)
    g.lang = lang  # the feed's words follow its address only
    args = MultiDict([(n, v) for n, v in request.args.items(multi=True) if n != LANGUAGE_PARAMETER])
    service = _service()
    params = service.parse_search(args.to_dict(flat=False))
    records = service.newest_cases(params, opendata.FEED_SIZE)
    kept = [(n, v) for n, v in request.args.items(multi=True) if n not in PAGE_ONLY and v.strip()]
    here = site()
    document = opendata.atom_feed(
        here,
        title=feed_title(search_state(args)),
        feed_url=here.url("/feed.atom", kept),
        search_url=here.url("/", kept),
        records=records,
        updated=service.dataset_facts().modified or datetime.now(UTC),
        lang=lang,
    )
    return Response(document, content_type=ATOM_TYPE)


# --- the catalogue, sitemaps, robots.txt --------------------------------------------------


@bp.get("/catalog.jsonld")
def catalog() -> Response:
    document = opendata.catalog_jsonld(site(), _service().dataset_facts())
    return Response(json.dumps(document, ensure_ascii=False, indent=1), content_type=JSONLD_TYPE)


def _sitemap_count(cases: int) -> int:
    """How many sitemaps the search page and the cases need."""
    return max(1, math.ceil((cases + 1) / SITEMAP_MAX_URLS))


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    count = _sitemap_count(_service().case_count())
    if count == 1:
        return _sitemap_part(1)
    here = site()
    addresses = [here.url(f"/sitemap-{number}.xml") for number in range(1, count + 1)]
    return Response(opendata.sitemap_index_xml(addresses), content_type=XML_TYPE)


@bp.get("/sitemap-<int:number>.xml")
def sitemap_part(number: int) -> Response:
    if not 1 <= number <= _sitemap_count(_service().case_count()):
        raise NotFound(f"No sitemap {number}: /sitemap.xml lists them.")
    return _sitemap_part(number)


def _sitemap_part(number: int) -> Response:
    """Sitemap `number`: the first starts with the search page, then the cases by ref."""
    here, service = site(), _service()
    pages: list[tuple[str, datetime | None]] = []
    offset = (number - 1) * SITEMAP_MAX_URLS - 1
    if number == 1:
        pages.append((here.home, service.dataset_facts().modified))
        offset = 0
    room = SITEMAP_MAX_URLS - len(pages)
    pages += [(here.case_url(ref), updated) for ref, updated in service.case_dates(offset, room)]
    return Response(opendata.sitemap_xml(pages), content_type=XML_TYPE)


@bp.get("/robots.txt")
def robots() -> Response:
    text = opendata.robots_txt(site().url("/sitemap.xml"))
    return Response(text, content_type="text/plain; charset=utf-8")


# --- what every page says -----------------------------------------------------------------


def language_versions(address: str) -> list[tuple[str, str]]:
    """(hreflang, address) of a page in each language, and x-default: the address as is."""
    joiner = "&" if "?" in address else "?"
    versions = [(lang, f"{address}{joiner}{LANGUAGE_PARAMETER}={lang}") for lang in LANGUAGES]
    return [*versions, ("x-default", address)]


def _template_globals() -> dict[str, Any]:
    return {
        "data_license": current_app.config["DATA_LICENSE"],
        "language_versions": language_versions,
    }


def init_app(app: Flask) -> None:
    app.context_processor(_template_globals)
    app.register_blueprint(bp)
