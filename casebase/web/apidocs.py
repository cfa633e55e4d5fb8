"""The API as a whole: flask-smorest's Api (OpenAPI at /api/openapi.json), CORS for reads, and
the documentation page /api/docs: Swagger UI, vendored in static/apidocs/swagger-ui/ and served
by the app itself (no CDN), configured by a static script (no inline script) under a
Content-Security-Policy of its own, as strict as Swagger UI allows.
"""

from __future__ import annotations

from flask import Blueprint as FlaskBlueprint
from flask import Flask, Response, current_app, request, url_for
from flask_cors import CORS
from flask_smorest import Api
from markupsafe import escape

from ..schemas import RecordSchema
from ..schemas.record import COORDINATES_TOGETHER
from . import (
    api,
    api_citations,
    api_documents,
    api_files,
    api_history,
    api_research,
    api_thesaurus,
    health,
)
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
<link rel="icon" href="{icon}" type="image/svg+xml">
<link rel="stylesheet" href="{swagger_css}">
<link rel="stylesheet" href="{css}">
<script src="{swagger_js}" defer></script>
<script src="{js}" defer></script>
</head>
<body>
<header class="apidocs-header">
<h1>casebase API</h1>
<p>The description of the API is <a href="{spec}">{spec}</a> (OpenAPI 3). Reads need no
token; writes need an administrator's (Authorize, then Bearer). The data's licence:
<a href="{license_url}" rel="license">{license_name} ({license_id})</a>.</p>
<noscript><p>This page lets you try each call with JavaScript; without, read the file above.
</p></noscript>
</header>
<main id="swagger-ui" data-spec="{spec}"></main>
</body>
</html>
"""


@docs.get("/api/docs")
def api_docs() -> Response:
    licence = current_app.config["DATA_LICENSE"]
    page = DOCS_PAGE.format(
        swagger_css=url_for("apidocs.static", filename="swagger-ui/swagger-ui.css"),
        swagger_js=url_for("apidocs.static", filename="swagger-ui/swagger-ui-bundle.js"),
        css=url_for("apidocs.static", filename="apidocs.css"),
        js=url_for("apidocs.static", filename="apidocs.js"),
        spec=url_for("api-docs.openapi_json"),
        icon=url_for("pages.static", filename="favicon.svg"),
        license_url=escape(licence.url),
        license_name=escape(licence.name),
        license_id=escape(licence.id),
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
                "expose_headers": ["ETag", "Location", "Content-Disposition", "Link"],
            },
            # Open data (docs/contract.md section 11): anyone may read the feeds and the
            # catalogue, from a web validator or a portal's page too.
            r"/(feed\.atom|catalog\.jsonld)": {
                "origins": "*",
                "send_wildcard": True,
                "methods": list(READ_METHODS),
            },
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
    blueprints = (
        api,
        api_history,
        api_citations,
        api_files,
        api_research,
        api_thesaurus,
        api_documents,
        health,
    )
    for blueprint in (b for module in blueprints for b in module.BLUEPRINTS):
        smorest.register_blueprint(blueprint)
    return smorest


def init_app(app: Flask) -> None:
    # The API speaks UTF-8 JSON with keys in the order the service built them.
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    _init_cors(app)
    app.extensions["casebase.api"] = _init_api(app)
    app.register_blueprint(docs)
