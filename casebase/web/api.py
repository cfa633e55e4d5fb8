"""The JSON API of the cases (docs/contract.md section 6): flask-smorest views over the service.

Views stay thin: flask-smorest parses the arguments with the schema that also describes them
in /api/openapi.json, the view calls one service method, and the response schema dumps what it
answers. Errors of every kind are answered by web/errors.py in one shape; writes need an
admin's token, checked before anything else (web/auth.py). Decisions where the contract is
silent are in docs/decisions.md (API).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from flask import current_app, g, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import BadRequest

from .. import get_service, vocabularies
from ..engine import SearchParams
from ..schemas.search import SearchArgsSchema, SearchResponseSchema, SimilarResponseSchema
from . import auth
from .apischemas import (
    AUTH_ERRORS,
    BEARER,
    ETAG_HEADER,
    IF_MATCH,
    IF_MATCH_PATTERN,
    IF_NONE_MATCH,
    LINK_HEADER,
    LOCATION_HEADER,
    NOT_FOUND,
    RECORD_BODY,
    RECORD_ERRORS,
    REF_PARAMETER,
    STALE,
    CaseSchema,
    SimilarArgsSchema,
    VocabulariesSchema,
    documented_errors,
)
from .searchstate import link_header, page_links

# The order of GET /api/vocabularies, as the contract lists them.
VOCABULARY_ORDER = ("collaboration_form", "actor", "theme", "status", "region", "municipality")


def _json_body() -> Any:
    """The request body as JSON (any content type); 400 when it is not JSON."""
    try:
        return json.loads(request.get_data(), parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        raise BadRequest(
            f"The body must be a case record as a JSON object; it is not valid JSON ({error})."
        ) from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def etag(record: dict[str, Any]) -> dict[str, str]:
    return {"ETag": f'"{record["version"]}"'}


def expected_version() -> int | None:
    """The version an If-Match header names: "3", 3 or W/"3"; None for no header or *."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    match = re.fullmatch(IF_MATCH_PATTERN, header)
    if match is None:
        raise BadRequest(
            f'If-Match must name one version of the case as its ETag, such as "3", not {header!r}.'
        )
    return None if match.group(1) is None else int(match.group(1))


cases = Blueprint(
    "cases",
    __name__,
    url_prefix="/api/cases",
    description="Search, read and (administrators) change cases.",
)
auth.guard_writes(cases)


@cases.route("")
class Cases(MethodView):
    @cases.arguments(SearchArgsSchema, location="query", error_status_code=400)
    @cases.response(200, SearchResponseSchema, headers=LINK_HEADER)
    @documented_errors(
        cases,
        {
            400: "An unknown parameter, vocabulary key or sort, a page below 1, a "
            "per_page outside 1-100, a year that is not a whole number."
        },
    )
    def get(self, params: SearchParams) -> Any:
        """Search the cases

        Danish full-text search (stemmed; aa = å) with filters and disjunctive facet counts;
        `links` and the Link header lead to the other pages.
        """
        found = get_service(current_app).search(params)
        address = url_for("cases.Cases", _external=True)
        links = page_links(address, request.args, found.page, found.per_page, found.total)
        return replace(found, links=links), 200, {"Link": link_header(links)}

    @cases.doc(requestBody=RECORD_BODY, security=[BEARER])
    @cases.response(201, CaseSchema, headers=LOCATION_HEADER | ETAG_HEADER)
    @documented_errors(
        cases,
        {
            400: "The body is not JSON.",
            **AUTH_ERRORS,
            409: "A case with this ref exists already.",
            **RECORD_ERRORS,
        },
    )
    def post(self) -> Any:
        """Create a case"""
        record = get_service(current_app).create_case(_json_body(), g.user, source="api")
        location = {"Location": url_for("cases.Case", ref=record["ref"])}
        return record, 201, etag(record) | location


@cases.route("/<ref>", parameters=[REF_PARAMETER])
class Case(MethodView):
    @cases.doc(parameters=[IF_NONE_MATCH])
    @cases.response(200, CaseSchema, headers=ETAG_HEADER)
    @cases.alt_response(
        304,
        description="The version in If-None-Match is still current.",
        headers=ETAG_HEADER,
        success=True,
    )
    @documented_errors(cases, NOT_FOUND)
    def get(self, ref: str) -> Any:
        """Read a case

        The whole record with its regions, status, version, times and the labels of its keys.
        """
        record = get_service(current_app).get_case(ref)
        if request.if_none_match.contains_weak(str(record["version"])):
            return current_app.response_class(status=304, headers=etag(record))
        return record, 200, etag(record)

    @cases.doc(requestBody=RECORD_BODY, security=[BEARER], parameters=[IF_MATCH])
    @cases.response(200, CaseSchema, headers=ETAG_HEADER)
    @documented_errors(
        cases,
        {
            400: "The body is not JSON, or If-Match names no version.",
            **AUTH_ERRORS,
            **NOT_FOUND,
            **STALE,
            **RECORD_ERRORS,
        },
    )
    def put(self, ref: str) -> Any:
        """Replace a case

        A full replace: fields left out are emptied. The body's ref, when given, must be the
        ref in the address.
        """
        expected = expected_version()
        record = get_service(current_app).replace_case(
            ref, _json_body(), g.user, source="api", expected_version=expected
        )
        return record, 200, etag(record)

    @cases.doc(security=[BEARER], parameters=[IF_MATCH])
    @cases.response(204, description="Deleted.")
    @documented_errors(
        cases, {400: "If-Match names no version.", **AUTH_ERRORS, **NOT_FOUND, **STALE}
    )
    def delete(self, ref: str) -> Any:
        """Delete a case"""
        expected = expected_version()
        get_service(current_app).delete_case(ref, g.user, source="api", expected_version=expected)
        return None


@cases.route("/<ref>/similar", parameters=[REF_PARAMETER])
class Similar(MethodView):
    @cases.arguments(SimilarArgsSchema, location="query", error_status_code=400)
    @cases.response(200, SimilarResponseSchema)
    @documented_errors(cases, {400: "limit is not a whole number from 1 to 50.", **NOT_FOUND})
    def get(self, args: dict[str, int], ref: str) -> Any:
        """Cases like this one

        At most `limit` cases, most alike first, in the shape of search results; never the
        case itself.
        """
        return {"results": get_service(current_app).similar(ref, args["limit"])}


vocabulary = Blueprint(
    "vocabularies",
    __name__,
    url_prefix="/api/vocabularies",
    description="The controlled vocabularies (docs/contract.md section 3).",
)


def _terms(name: str) -> list[dict[str, Any]]:
    terms = []
    for term in vocabularies.VOCABULARIES[name]:
        item: dict[str, Any] = {"value": term.key, "label_da": term.da, "label_en": term.en}
        if name == "municipality":
            item |= {"region": term.region, "code": term.code, "lat": term.lat, "lon": term.lon}
        if name == "collaboration_form":
            definition = vocabularies.form_definitions()[term.key]
            item |= {key: definition[key] for key in ("description_da", "description_en", "source")}
        terms.append(item)
    return terms


@vocabulary.route("")
class Vocabularies(MethodView):
    @vocabulary.response(200, VocabulariesSchema)
    def get(self) -> Any:
        """The vocabularies

        Every value's key (used in URLs, the API and exports) with its Danish and English
        labels; municipalities add their region, official code and centre (lat, lon).
        """
        return {name: _terms(name) for name in VOCABULARY_ORDER}


BLUEPRINTS = (cases, vocabulary)
