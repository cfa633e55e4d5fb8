"""The JSON API (SPEC section 6): flask-smorest blueprints over the service layer.

Views stay thin: parse, call one service method, answer. They return finished responses, so
the bodies are exactly what the service built; the schemas in apischemas.py only describe them
in /api/openapi.json. Errors of every kind are answered by web/errors.py in one shape.

Decisions where SPEC section 6 is silent:
- A body that is not JSON is 400; JSON that is not an object is 422 (the record schema's
  `_record` error), like any other record that breaks the rules.
- POST /api/imports answers 200 with the report whenever the import ran, also when records were
  rejected (with on_error=abort nothing was then written): the report is the answer. A file
  that cannot be read is 400.
- GET /api/export streams while the export is written; an error after the first chunk can only
  cut the download short (it is logged).
- Empty query values count as absent everywhere, as search does (`allowEmptyValue`).
- If-Match takes one version, as `"3"`, `3` or `W/"3"`; `*` matches any; anything else is 400.
"""

from __future__ import annotations

import io
import json
import logging
import queue
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from flask import Blueprint as FlaskBlueprint
from flask import Flask, Response, current_app, jsonify, request, url_for
from flask.views import MethodView
from flask_cors import CORS
from flask_smorest import Api, Blueprint
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import BadRequest

from .. import exporter, get_service, readers, vocabularies
from ..errors import UnreadableFile
from ..importer import ON_ERROR_CHOICES, ImportLimits
from ..schemas import RecordSchema
from ..search import SearchParams
from . import auth
from .apischemas import (
    API_DESCRIPTION,
    AUTH_ERRORS,
    BEARER,
    BEARER_SCHEME,
    CUSTOM_FIELD_TYPES,
    ETAG_HEADER,
    EXPORT_DEFAULT_FORMAT,
    EXPORT_FILE,
    EXPORT_HEADERS,
    IF_MATCH,
    IF_MATCH_PATTERN,
    IF_NONE_MATCH,
    LOCATION_HEADER,
    NOT_FOUND,
    RECORD_BODY,
    RECORD_ERRORS,
    REF_PARAMETER,
    SIMILAR_DEFAULT,
    SIMILAR_MAX,
    STALE,
    UPLOAD_BODY,
    CaseSchema,
    ErrorSchema,
    ExportArgsSchema,
    HealthSchema,
    ImportArgsSchema,
    ImportReportSchema,
    SearchArgsSchema,
    SearchResponseSchema,
    SimilarArgsSchema,
    SimilarResponseSchema,
    VocabulariesSchema,
    empty_means_absent,
    vocabulary_properties,
)
from .errors import error_response

log = logging.getLogger(__name__)

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
VOCABULARY_ORDER = ("collaboration_form", "actor", "theme", "status", "region", "municipality")
EXPORT_CHUNK_BYTES = 64 * 1024
EXPORT_QUEUE_CHUNKS = 16  # chunks written ahead of a slow client, at most
UPLOAD_SUFFIXES = frozenset({".csv", ".tsv", ".txt", *readers.SUFFIX_FORMATS})
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class CasebaseApi(Api):
    """flask-smorest's Api, with errors left to web/errors.py and described by ErrorSchema."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        """Nothing: flask-smorest's handler would answer {"code", "status"}, not our shape."""


def _errors(blueprint: Blueprint, descriptions: dict[int, str]) -> Callable[[Any], Any]:
    """Document an operation's error answers, all in the one error shape."""

    def decorate(view: Any) -> Any:
        for status, description in sorted(descriptions.items()):
            view = blueprint.alt_response(status, schema=ErrorSchema, description=description)(view)
        return view

    return decorate


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


def _case_response(record: dict[str, Any], status: int = 200) -> Response:
    response = jsonify(record)
    response.status_code = status
    response.set_etag(str(record["version"]))
    return response


def _expected_version() -> int | None:
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


@cases.route("")
class Cases(MethodView):
    @cases.doc(parameters=[{"in": "query", "schema": SearchArgsSchema}])
    @cases.response(200, SearchResponseSchema)
    @_errors(
        cases,
        {
            400: "An unknown parameter, vocabulary key or sort, a page below 1, a "
            "per_page outside 1-100, a year that is not a whole number."
        },
    )
    def get(self) -> Response:
        """Search the cases

        Danish full-text search (stemmed; aa = å) with filters and disjunctive facet counts.
        """
        args = request.args.to_dict(flat=False)
        return jsonify(get_service(current_app).search_args(args))

    @cases.doc(requestBody=RECORD_BODY, security=[BEARER])
    @cases.response(201, CaseSchema, headers=LOCATION_HEADER | ETAG_HEADER)
    @_errors(
        cases,
        {
            400: "The body is not JSON.",
            **AUTH_ERRORS,
            409: "A case with this ref exists already.",
            **RECORD_ERRORS,
        },
    )
    def post(self) -> Response:
        """Create a case"""
        user = auth.require_admin()
        record = get_service(current_app).create_case(_json_body(), user, source="api")
        response = _case_response(record, 201)
        response.headers["Location"] = url_for("cases.Case", ref=record["ref"])
        return response


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
    @_errors(cases, NOT_FOUND)
    def get(self, ref: str) -> Response:
        """Read a case

        The whole record with its regions, status, version, times and the labels of its keys.
        """
        record = get_service(current_app).get_case(ref)
        if request.if_none_match.contains_weak(str(record["version"])):
            response = Response(status=304)
            response.set_etag(str(record["version"]))
            return response
        return _case_response(record)

    @cases.doc(requestBody=RECORD_BODY, security=[BEARER], parameters=[IF_MATCH])
    @cases.response(200, CaseSchema, headers=ETAG_HEADER)
    @_errors(
        cases,
        {
            400: "The body is not JSON, or If-Match names no version.",
            **AUTH_ERRORS,
            **NOT_FOUND,
            **STALE,
            **RECORD_ERRORS,
        },
    )
    def put(self, ref: str) -> Response:
        """Replace a case

        A full replace: fields left out are emptied. The body's ref, when given, must be the
        ref in the address.
        """
        user = auth.require_admin()
        expected = _expected_version()
        record = get_service(current_app).replace_case(
            ref, _json_body(), user, source="api", expected_version=expected
        )
        return _case_response(record)

    @cases.doc(security=[BEARER], parameters=[IF_MATCH])
    @cases.response(204, description="Deleted.")
    @_errors(cases, {400: "If-Match names no version.", **AUTH_ERRORS, **NOT_FOUND, **STALE})
    def delete(self, ref: str) -> Response:
        """Delete a case"""
        user = auth.require_admin()
        get_service(current_app).delete_case(
            ref, user, source="api", expected_version=_expected_version()
        )
        return Response(status=204)


def _similar_limit() -> int:
    text = request.args.get("limit", "").strip() or str(SIMILAR_DEFAULT)
    if not re.fullmatch(r"[+]?\d{1,9}", text) or not 1 <= int(text) <= SIMILAR_MAX:
        raise BadRequest(f"limit must be a whole number from 1 to {SIMILAR_MAX}, not {text!r}.")
    return int(text)


@cases.route("/<ref>/similar", parameters=[REF_PARAMETER])
class Similar(MethodView):
    @cases.doc(parameters=[{"in": "query", "schema": SimilarArgsSchema}])
    @cases.response(200, SimilarResponseSchema)
    @_errors(cases, {400: f"limit is not a whole number from 1 to {SIMILAR_MAX}.", **NOT_FOUND})
    def get(self, ref: str) -> Response:
        """Cases like this one

        At most `limit` cases, most alike first, in the shape of search results; never the
        case itself.
        """
        limit = _similar_limit()
        return jsonify({"results": get_service(current_app).similar(ref, limit)})


imports = Blueprint(
    "imports", __name__, url_prefix="/api/imports", description="Bulk import (administrators)."
)


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = request.args.get(name, "").strip().lower() or default
    if value not in allowed:
        raise BadRequest(f"{name} must be one of {', '.join(allowed)}, not {request.args[name]!r}.")
    return value


def _import_options() -> tuple[str, bool, str]:
    allowed = ("dry_run", "on_error", "format")
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        raise BadRequest(
            f"Unknown parameter '{unknown[0]}'. Allowed parameters: {', '.join(allowed)}."
        )
    fmt = _choice("format", ("auto", *readers.FORMATS), "auto")
    dry_run = _choice("dry_run", ("true", "false"), "false") == "true"
    return fmt, dry_run, _choice("on_error", ON_ERROR_CHOICES, "abort")


def _upload() -> FileStorage:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise BadRequest("Send the import file as the multipart/form-data file field 'file'.")
    return upload


@imports.route("")
class Imports(MethodView):
    @imports.doc(
        requestBody=UPLOAD_BODY,
        security=[BEARER],
        parameters=[{"in": "query", "schema": ImportArgsSchema}],
    )
    @imports.response(
        200,
        ImportReportSchema,
        description=(
            "The import ran: the report (SPEC section 7), also when records were rejected; with "
            "on_error=abort nothing was then written."
        ),
    )
    @_errors(
        imports,
        {
            400: (
                "No file, a bad parameter, a file that cannot be read in its format, or an "
                "import that ran past the server's time limit (IMPORT_TIMEOUT_S; nothing "
                "written)."
            ),
            **AUTH_ERRORS,
            413: "The file is larger than the server accepts (MAX_CONTENT_LENGTH).",
        },
    )
    def post(self) -> Response:
        """Import a file of cases

        Upsert by ref, in one transaction: new refs are created, changed records updated,
        identical ones left unchanged.
        """
        user = auth.require_admin()
        fmt, dry_run, on_error = _import_options()
        upload = _upload()
        report = _run_import(upload, fmt, dry_run, on_error, user)
        return jsonify(report)


def _run_import(
    upload: FileStorage, fmt: str, dry_run: bool, on_error: str, user: str
) -> dict[str, Any]:
    """Save the upload under its own extension (format detection reads it), import, delete.

    The temporary folder goes whatever happens; the import stops at the configured deadline.
    """
    name = upload.filename or "upload"
    suffix = Path(name).suffix.lower()
    limits = ImportLimits.from_config(current_app.config, timed=True)
    with tempfile.TemporaryDirectory(prefix="casebase-import-") as folder:
        path = Path(folder) / ("upload" + (suffix if suffix in UPLOAD_SUFFIXES else ""))
        upload.save(path)
        try:
            report = get_service(current_app).import_files(
                [path],
                fmt,
                dry_run=dry_run,
                on_error=on_error,
                source="api",
                user=user,
                limits=limits,
            )
        except UnreadableFile as error:
            # The message names the temporary file; the client knows its file by its name.
            raise UnreadableFile(error.message.replace(str(path), name)) from None
    return report.as_dict()


export = Blueprint(
    "export",
    __name__,
    url_prefix="/api/export",
    description="The matching cases as a file, in an import format.",
)


def _export_format(values: list[str]) -> str:
    fmt = next((v.strip().lower() for v in values if v.strip()), EXPORT_DEFAULT_FORMAT)
    if fmt not in readers.FORMATS:
        raise BadRequest(f"Unknown format '{fmt}'. Allowed formats: {', '.join(readers.FORMATS)}.")
    return fmt


def _file_formats(*formats: str) -> Callable[[Any], Any]:
    """Document the other export formats as alternative 200 answers of the same view."""

    def decorate(view: Any) -> Any:
        for fmt in formats:
            view = export.alt_response(
                200,
                schema=EXPORT_FILE,
                description=f"format={fmt}",
                success=True,
                content_type=exporter.content_type(fmt),
                headers=EXPORT_HEADERS,
            )(view)
        return view

    return decorate


@export.route("")
class Export(MethodView):
    @export.doc(parameters=[{"in": "query", "schema": ExportArgsSchema}])
    @export.response(
        200,
        {"type": "array", "items": RecordSchema},
        description="format=json",
        content_type=exporter.content_type("json"),
        headers=EXPORT_HEADERS,
    )
    @_file_formats("jsonl", "csv", "xlsx")
    @_errors(export, {400: "An unknown format, or a parameter that search rejects."})
    def get(self) -> Response:
        """Export cases

        The cases matching q and the filters (all cases without them), in the search's order,
        as CSV, JSON, JSON Lines or XLSX: what POST /api/imports reads back unchanged.
        """
        args = request.args.to_dict(flat=False)
        fmt = _export_format(args.pop("format", []))
        params = SearchParams.from_args(args)
        service = get_service(current_app)
        body = _streamed(lambda out: service.export(params, fmt, out))
        response = Response(body, content_type=exporter.content_type(fmt))
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{exporter.export_filename(fmt)}"'
        )
        return response


class _QueueWriter(io.RawIOBase):
    """A file the export writes to, read chunk by chunk from a queue by the response."""

    def __init__(self, chunks: queue.Queue[Any], stop: threading.Event) -> None:
        self.chunks = chunks
        self.stop = stop
        self.discard = False  # after a failure: the rest of a broken file is not sent

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        if not self.discard:
            _put(self.chunks, self.stop, chunk)
        return len(chunk)


class _Cancelled(Exception):
    """The client went away: the export stops writing."""


_DONE = object()


def _put(chunks: queue.Queue[Any], stop: threading.Event, item: Any) -> None:
    while not stop.is_set():
        try:
            chunks.put(item, timeout=0.5)
            return
        except queue.Full:
            continue
    raise _Cancelled


def _streamed(write: Callable[[BinaryIO], None]) -> _Stream:
    """Run a writer in a thread and yield what it writes, with a bounded queue between.

    The first chunk is awaited before the response starts, so an error early in the export
    (most are) still becomes an error response; a later one cuts the download short.
    """
    chunks: queue.Queue[Any] = queue.Queue(maxsize=EXPORT_QUEUE_CHUNKS)
    stop = threading.Event()

    def run() -> None:
        raw = _QueueWriter(chunks, stop)
        out = io.BufferedWriter(raw, EXPORT_CHUNK_BYTES)
        outcome: Any = _DONE
        try:
            write(out)
            out.flush()
        except _Cancelled:
            return
        except Exception as error:  # handed to the response, which raises or logs it
            outcome = error
        finally:
            raw.discard = outcome is not _DONE or stop.is_set()
            out.close()
        try:
            _put(chunks, stop, outcome)
        except _Cancelled:
            return

    threading.Thread(target=run, name="casebase-export", daemon=True).start()
    first = chunks.get()
    if isinstance(first, Exception):
        raise first
    return _Stream(first, chunks, stop)


class _Stream:
    """The response body: the export's chunks; closing it (the server does) stops the export."""

    def __init__(self, first: Any, chunks: queue.Queue[Any], stop: threading.Event) -> None:
        self.first = first
        self.chunks = chunks
        self.stop = stop

    def __iter__(self) -> Iterator[bytes]:
        item = self.first
        while item is not _DONE and not self.stop.is_set():
            if isinstance(item, Exception):
                log.error("export failed after the download started", exc_info=item)
                return
            yield item
            item = self.chunks.get()

    def close(self) -> None:
        self.stop.set()


vocabulary = Blueprint(
    "vocabularies",
    __name__,
    url_prefix="/api/vocabularies",
    description="The controlled vocabularies (SPEC section 3).",
)


def _terms(name: str) -> list[dict[str, Any]]:
    terms = []
    for term in vocabularies.VOCABULARIES[name]:
        item: dict[str, Any] = {"value": term.key, "label_da": term.da, "label_en": term.en}
        if name == "municipality":
            item |= {"region": term.region, "code": term.code}
        terms.append(item)
    return terms


@vocabulary.route("")
class Vocabularies(MethodView):
    @vocabulary.response(200, VocabulariesSchema)
    def get(self) -> Response:
        """The vocabularies

        Every value's key (used in URLs, the API and exports) with its Danish and English
        labels; municipalities add their region and official code.
        """
        return jsonify({name: _terms(name) for name in VOCABULARY_ORDER})


health = Blueprint("health", __name__, description="Is the service up?")


@health.route("/healthz")
class Health(MethodView):
    @health.response(200, HealthSchema)
    @_errors(health, {503: "The database or the search index does not answer."})
    def get(self) -> Response:
        """Health check"""
        try:
            get_service(current_app).healthy()
        except Exception:  # any failure means unhealthy; the log says which
            log.exception("health check failed")
            return error_response(503, "The database or the search index does not answer.")
        return jsonify({"status": "ok"})


# --- the documentation page: served by the app, no CDN, no inline script -----------------

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
    api = CasebaseApi(app)
    for field, *openapi_type in CUSTOM_FIELD_TYPES:
        api.register_field(field, *openapi_type)
    api.ma_plugin.converter.add_attribute_function(vocabulary_properties)
    api.ma_plugin.converter.add_parameter_attribute_function(empty_means_absent)
    api.spec.components.security_scheme("bearerAuth", BEARER_SCHEME)
    for blueprint in (cases, imports, export, vocabulary, health):
        api.register_blueprint(blueprint)
    return api


def init_app(app: Flask) -> None:
    # The API speaks UTF-8 JSON with keys in the order the service built them.
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    _init_cors(app)
    app.extensions["casebase.api"] = _init_api(app)
    app.register_blueprint(docs)
