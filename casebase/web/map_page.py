"""The map view of the search `/map` (docs/contract.md section 10): the search page with a map.

The same search box, filters and state as the list (search_page.py builds them), a Leaflet map
whose points come from GET /api/cases.geojson (so they show without the tiles), and as its
accessible alternative the page of cases with where each is placed. Only this page may load
images from the tile server: its Content-Security-Policy adds that one origin.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, render_template, request

from .. import config, get_service
from ..errors import InvalidSearch
from . import security
from .i18n import t
from .pages import bp
from .search_page import FRAGMENT_HEADER, invalid_search, search_page
from .searchstate import geojson_url


def _map(data: dict[str, Any]) -> dict[str, Any]:
    """The map's settings, and where each case of the page is placed."""
    settings = current_app.config
    tiles = settings.get("TILE_URL", config.DEFAULT_TILE_URL)
    refs = [item["ref"] for item in data["results"]]
    places = {place.ref: place for place in get_service(current_app).places_of(refs)}
    for item in data["results"]:
        place = places.get(item["ref"])
        kind = "none" if place is None else "centre" if place.approximate else "own"
        item["place"] = t(f"map.place.{kind}")
        item["place_kind"] = kind
    return {
        "geojson": geojson_url(data["state"]),
        "tiles": tiles,
        "attribution": settings.get("TILE_ATTRIBUTION", config.DEFAULT_TILE_ATTRIBUTION),
        "attribution_url": config.OSM_COPYRIGHT if tiles == config.DEFAULT_TILE_URL else "",
    }


@bp.get("/map", endpoint="map")
def map_view() -> Response:
    fragment = bool(request.headers.get(FRAGMENT_HEADER))
    try:
        data = search_page(request.args, table=False)
        data["map"] = _map(data)
        status = 200
    except InvalidSearch as error:
        data = invalid_search(error)
        status = 400
    data["results_template"] = "_map_results.html"
    data["form_view"] = "pages.map"
    template = "search_fragment.html" if fragment else "map.html"
    response = Response(render_template(template, **data), status=status)
    tiles = current_app.config.get("TILE_URL", config.DEFAULT_TILE_URL)
    response.headers["Content-Security-Policy"] = security.policy_with_images_from(
        config.tile_origin(tiles)
    )
    response.vary.add(FRAGMENT_HEADER)
    response.vary.add("Cookie")
    return response
