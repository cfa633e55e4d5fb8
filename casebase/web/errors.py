"""One table maps domain errors to HTTP status codes; one JSON error shape for the API.

Under /api and /healthz every error, whatever raised it (a domain error, werkzeug, flask-smorest,
flask-limiter or a bug), is answered as {"message": ...} (+ `errors` for 422), never with a
stack trace or an HTML page; elsewhere HTTP errors keep their HTML pages.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

from .. import errors

log = logging.getLogger(__name__)

STATUS_FOR_ERROR: dict[type[errors.CasebaseError], int] = {
    errors.InvalidSearch: 400,
    errors.UnreadableFile: 400,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.StaleVersion: 412,
    errors.ValidationFailed: 422,
    errors.TooManyAttempts: 429,
    errors.Busy: 503,
    errors.CasebaseError: 400,
}
# Sent with every 401: the API's one scheme (RFC 6750).
WWW_AUTHENTICATE = 'Bearer realm="casebase"'
# Paths whose errors are JSON; the pages answer HTML.
JSON_PREFIXES = ("/api/", "/healthz")


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


def _handle_domain(error: errors.CasebaseError) -> Response:
    extra = {"errors": error.errors} if isinstance(error, errors.ValidationFailed) else {}
    response = error_response(status_for(error), error.message, **extra)
    if isinstance(error, errors.TooManyAttempts):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def _http_message(error: HTTPException) -> str:
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


def _error_page(error: HTTPException) -> Any:
    """The pages' HTML error page (web/pages.py registers it), else Werkzeug's own."""
    render = current_app.extensions.get("casebase_error_page")
    return render(error) if render else error


def _handle_http(error: HTTPException) -> Any:
    if not wants_json():
        return _error_page(error)
    response = error_response(error.code or 500, _http_message(error))
    if error.code == 405 and _allowed(error):
        response.headers["Allow"] = ", ".join(_allowed(error))
    return response


def _handle_unexpected(error: Exception) -> Any:
    log.exception("unexpected error", exc_info=error)
    if not wants_json():
        return _error_page(InternalServerError())
    return error_response(500, "Internal error: the server could not answer this request.")


def init_app(app: Flask) -> None:
    app.register_error_handler(errors.CasebaseError, _handle_domain)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(Exception, _handle_unexpected)
