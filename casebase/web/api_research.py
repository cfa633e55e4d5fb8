"""The research tools' API (docs/contract.md section 10): GET /api/crosstab and
GET /api/cases.geojson, thin views over the service like the rest of the API."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from .. import get_service, tables
from ..engine import SearchParams
from ..places import Place
from ..schemas.research import (
    CrosstabArgsSchema,
    CrosstabRequest,
    CrosstabSchema,
    FeatureCollectionSchema,
    MapArgsSchema,
)
from .apischemas import documented_errors

GEOJSON_TYPE = "application/geo+json"
CSV_FILE = {"type": "string", "format": "binary"}
SEARCH_ERRORS = "an unknown parameter or vocabulary key, a year that is not a whole number"

research = Blueprint(
    "research",
    __name__,
    url_prefix="/api",
    description="Tools for researchers: the search's cases counted by two dimensions, and "
    "where they are.",
)


@research.route("/crosstab")
class Crosstab(MethodView):
    @research.arguments(CrosstabArgsSchema, location="query", error_status_code=400)
    @research.response(200, CrosstabSchema, description="format=json")
    @research.alt_response(
        200,
        schema=CSV_FILE,
        description="format=csv: the same table (`;`, UTF-8 with BOM), totals last.",
        success=True,
        content_type="text/csv",
        headers={"Content-Disposition": {"schema": {"type": "string"}}},
    )
    @documented_errors(
        research,
        {400: f"rows or cols unknown, missing or equal, an unknown format, or {SEARCH_ERRORS}."},
    )
    def get(self, asked: CrosstabRequest) -> Any:
        """Cross-tabulate the search

        The cases matching q, the filters and the years, counted by rows x cols: any two
        different facets, start_year or decade. A case with two values of a dimension counts
        in both; the totals count cases. page, per_page and sort are accepted and ignored.
        """
        tab = get_service(current_app).crosstab(asked.search, asked.rows, asked.cols)
        if asked.format == "csv":
            response = Response(tables.crosstab_csv(tab), content_type=tables.CONTENT_TYPE)
            response.headers["Content-Disposition"] = f'attachment; filename="{tables.FILENAME}"'
            return response
        return tab


@research.route("/cases.geojson")
class CasesGeoJSON(MethodView):
    @research.arguments(MapArgsSchema, location="query", error_status_code=400)
    @research.response(200, FeatureCollectionSchema, content_type=GEOJSON_TYPE)
    @documented_errors(research, {400: f"Bad search parameters: {SEARCH_ERRORS}."})
    def get(self, params: SearchParams) -> Response:
        """The search's cases on a map

        A GeoJSON FeatureCollection with one Point per matching case (every match, not a
        page): its own coordinates, else the centre of its first municipality (then
        `approximate` is true). A nationwide case without coordinates has no place and is left
        out.
        """
        found = get_service(current_app).places(params)
        # Written here rather than dumped by the schema (which describes it, and which the
        # tests check it against): marshmallow takes 30 µs a feature, 3 s for 100,000 cases.
        body = json.dumps(feature_collection(found, request.url_root), ensure_ascii=False)
        return Response(body, content_type=GEOJSON_TYPE)


def feature_collection(places: Iterable[Place], url_root: str) -> dict[str, Any]:
    """GeoJSON of some places; each links to its case's page under url_root."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [place.longitude, place.latitude]},
                "properties": {
                    "ref": place.ref,
                    "title": place.title,
                    "url": f"{url_root}cases/{place.ref}",
                    "approximate": place.approximate,
                },
            }
            for place in places
        ],
    }


BLUEPRINTS = (research,)
