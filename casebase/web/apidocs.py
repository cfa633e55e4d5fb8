"""The API as a whole: flask-smorest's Api (OpenAPI at /api/openapi.json), CORS for reads, and
the documentation page /api/docs, served by the app itself (no CDN, no inline script).
"""

from __future__ import annotations

from flask import Blueprint as FlaskBlueprint
from flask import Flask, Response, request, url_for
from flask_cors import CORS
from flask_smorest import Api

from ..schemas import RecordSchema
from ..schemas.record import COORDINATES_TOGETHER
from . import api, api_documents, api_files, api_thesaurus
from .apischemas import (
    API_DESCRIPTION,
    BEARER_SCHEME,
    CUSTOM_FIELD_TYPES,
    ErrorSchema,
    empty_means_absent,
    vocabulary_properties,
)

API_CONFIG = {
    "API_TITLE": "casebase",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
}
READ_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_HEADERS = (
    "Access-Control-Allow-Origin",
    "Access-Control-Expose-Headers",
    "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Private-Network",
)
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class CasebaseApi(Api):
    """flask-smorest's Api, with errors left to web/errors.py and described by ErrorSchema."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        """Nothing: flask-smorest's handler would answer {"code", "status"}, not our shape."""


docs = FlaskBlueprint(
    "apidocs", __name__, static_folder="static/apidocs", static_url_path="/api/docs/assets"
)

DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>casebase API</title>
<link rel="stylesheet" href="{css}">
<script src="{js}" defer></script>
</head>
<body>
<main id="apidocs" data-spec="{spec}">
<h1>casebase API</h1>
<p>The description of the API is <a href="{spec}">{spec}</a> (OpenAPI 3).</p>
<noscript><p>This page shows it readably with JavaScript; without, read the file above.</p>
</noscript>
</main>
</body>
</html>
"""


@docs.get("/api/docs")
def api_docs() -> Response:
    page = DOCS_PAGE.format(
        css=url_for("apidocs.static", filename="apidocs.css"),
        js=url_for("apidocs.static", filename="apidocs.js"),
        spec=url_for("api-docs.openapi_json"),
    )
    response = Response(page, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response


# --- wiring ------------------------------------------------------------------------------


def _no_cors_for_writes(response: Response) -> Response:
    """flask-cors answers by path only; writes must not be readable cross-origin."""
    if request.method not in READ_METHODS:
        for name in CORS_HEADERS:
            response.headers.pop(name, None)
    return response


def _init_cors(app: Flask) -> None:
    # Flask runs after_request functions last-registered first: registered before CORS(),
    # _no_cors_for_writes sees the headers flask-cors added.
    app.after_request(_no_cors_for_writes)
    CORS(
        app,
        resources={
            r"/api/.*": {
                "origins": "*",
                "send_wildcard": True,
                "methods": list(READ_METHODS),
                "expose_headers": ["ETag", "Location", "Content-Disposition"],
            }
        },
    )


def _init_api(app: Flask) -> CasebaseApi:
    for key, value in API_CONFIG.items():
        app.config.setdefault(key, value)
    app.config.setdefault("API_SPEC_OPTIONS", {"info": {"description": API_DESCRIPTION}})
    smorest = CasebaseApi(app)
    for field, *openapi_type in CUSTOM_FIELD_TYPES:
        smorest.register_field(field, *openapi_type)
    smorest.ma_plugin.converter.add_attribute_function(vocabulary_properties)
    smorest.ma_plugin.converter.add_parameter_attribute_function(empty_means_absent)
    smorest.spec.components.security_scheme("bearerAuth", BEARER_SCHEME)
    # Registered first, so the record schema's component carries its cross-field rule too.
    smorest.spec.components.schema("Record", COORDINATES_TOGETHER, schema=RecordSchema)
    for blueprint in (
        *api.BLUEPRINTS,
        *api_files.BLUEPRINTS,
        *api_thesaurus.BLUEPRINTS,
        *api_documents.BLUEPRINTS,
    ):
        smorest.register_blueprint(blueprint)
    return smorest


def init_app(app: Flask) -> None:
    # The API speaks UTF-8 JSON with keys in the order the service built them.
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    _init_cors(app)
    app.extensions["casebase.api"] = _init_api(app)
    app.register_blueprint(docs)
