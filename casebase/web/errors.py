"""Every error handler of the app, for the API and the pages: one table, two shapes.

One table maps domain errors to HTTP status codes. Under /api, /healthz and /readyz every error,
whatever raised it (a domain error, werkzeug, flask-smorest's argument parsing, or a bug), is
answered as {"message": ...} (+ `errors` for 422), never with a stack trace or an HTML page;
everywhere else the same errors are HTML pages in the chosen language.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError  # type: ignore[import-untyped]  # no type hints
from werkzeug.exceptions import (
    HTTPException,
    RequestHeaderFieldsTooLarge,
    RequestURITooLarge,
)

from .. import errors
from .i18n import t, translate_error

log = logging.getLogger(__name__)

STATUS_FOR_ERROR: dict[type[errors.CasebaseError], int] = {
    errors.InvalidSearch: 400,
    errors.UnreadableFile: 400,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Gone: 410,
    errors.InvalidVersion: 400,
    errors.Conflict: 409,
    errors.StaleVersion: 412,
    errors.ValidationFailed: 422,
    errors.UnsupportedFile: 415,
    errors.FileTooLarge: 413,
    errors.TooManyAttempts: 429,
    errors.Busy: 503,
    errors.NotReady: 503,
    errors.CasebaseError: 400,
}
# Sent with every 401: the API's one scheme (RFC 6750).
WWW_AUTHENTICATE = 'Bearer realm="casebase"'
# Paths whose errors are JSON (the API, and the documents programs read: feeds, the DCAT-AP
# catalogue, sitemaps); the pages answer HTML.
JSON_PREFIXES = ("/api/", "/healthz", "/readyz", "/feed.atom", "/catalog.jsonld", "/sitemap")
# The longest request target (path and query) answered; the pages' long search URLs fit.
MAX_URL_CHARS = 8190
# All request headers together, names and values; browsers send a few KB.
MAX_HEADER_BYTES = 32 * 1024


def status_for(error: errors.CasebaseError) -> int:
    """The status of a domain error: that of its nearest class in the table."""
    for kind in type(error).__mro__:
        if kind in STATUS_FOR_ERROR:
            return STATUS_FOR_ERROR[kind]
    return 400


def error_response(status: int, message: str, **extra: Any) -> Response:
    """The one error shape: {"message": ...}, plus `errors` for 422."""
    response = jsonify({"message": message, **extra})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = WWW_AUTHENTICATE
    return response


def wants_json() -> bool:
    """Whether this request's errors are answered in JSON (the API's paths)."""
    return request.path.startswith(JSON_PREFIXES) or request.path == "/api"


def error_page(status: int, message: str) -> tuple[str, int]:
    """The pages' error page, in the chosen language."""
    return render_template("error.html", status=status, message=message), status


def not_found_page(ref: str | None = None) -> tuple[str, int]:
    return render_template("not_found.html", ref=ref), 404


def gone_page(ref: str | None, deleted_at: datetime, **context: Any) -> tuple[str, int]:
    """The page of a deleted case: when it was deleted (the case page adds its history)."""
    return render_template("gone.html", ref=ref, deleted_at=deleted_at, **context), 410


# --- domain errors ------------------------------------------------------------------------


def _handle_domain(error: errors.CasebaseError) -> Any:
    status = status_for(error)
    ref = request.view_args.get("ref") if request.view_args else None
    if not wants_json():
        if isinstance(error, errors.Gone):
            return gone_page(ref, error.deleted_at)
        if isinstance(error, errors.NotFound):
            return not_found_page(ref)
        return error_page(status, translate_error(error.message))
    extra: dict[str, Any] = {}
    if isinstance(error, errors.ValidationFailed):
        extra["errors"] = error.errors
    if isinstance(error, errors.Gone):
        extra["deleted_at"] = error.deleted_at.isoformat()
    response = error_response(status, error.message, **extra)
    if isinstance(error, errors.TooManyAttempts):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


# --- HTTP errors (werkzeug, flask-smorest's argument parsing) -----------------------------


def _leaves(messages: Any) -> Iterator[str]:
    if isinstance(messages, dict):
        for value in messages.values():
            yield from _leaves(value)
    elif isinstance(messages, list | tuple):
        for value in messages:
            yield from _leaves(value)
    else:
        yield str(messages)


def _http_message(error: HTTPException) -> str:
    parsed = getattr(error, "data", None)  # webargs: what the arguments' schema said
    if isinstance(parsed, dict) and parsed.get("messages"):
        return " ".join(_leaves(parsed["messages"]))
    if error.code == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        size = f" (at most {_size(limit)})" if limit else ""
        return f"The request is too large{size}: send less, e.g. split an import file."
    if error.code == 404 and request.path.startswith("/api/"):
        return f"No such API address: {request.path} (see /api/docs)."
    if error.code == 405:
        return f"{request.method} is not allowed here; allowed: {', '.join(_allowed(error))}."
    return error.description or error.name


def _allowed(error: HTTPException) -> list[str]:
    return sorted(getattr(error, "valid_methods", None) or [])


def _size(limit: int) -> str:
    return f"{limit / 1024 / 1024:g} MB" if limit >= 1024 * 1024 else f"{limit} bytes"


def _handle_http(error: HTTPException) -> Any:
    if error.code is None or error.code < 400:
        return error
    if not wants_json():
        if isinstance(error, CSRFError):
            return error_page(400, t("error.csrf"))
        if error.code == 404:
            return not_found_page()
        return error_page(error.code, _http_message(error))
    response = error_response(error.code, _http_message(error))
    if error.code == 405 and _allowed(error):
        response.headers["Allow"] = ", ".join(_allowed(error))
    return response


def _handle_unexpected(error: Exception) -> Any:
    log.exception("unexpected error", exc_info=error)
    if not wants_json():
        return error_page(500, t("error.help"))
    return error_response(500, "Internal error: the server could not answer this request.")


def _refuse_oversized() -> None:
    """414 for an over-long address, 431 for over-large headers, before any view runs."""
    environ = request.environ
    target = environ.get("REQUEST_URI") or environ.get("RAW_URI") or request.full_path
    if len(target) > MAX_URL_CHARS:
        raise RequestURITooLarge(
            f"The address is longer than {MAX_URL_CHARS} characters: search with fewer words."
        )
    headers = sum(len(name) + len(value) for name, value in request.headers.items())
    if headers > MAX_HEADER_BYTES:
        raise RequestHeaderFieldsTooLarge(
            f"The request's headers are larger than {MAX_HEADER_BYTES // 1024} KB."
        )


def init_app(app: Flask) -> None:
    app.before_request(_refuse_oversized)
    app.register_error_handler(errors.CasebaseError, _handle_domain)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(Exception, _handle_unexpected)
