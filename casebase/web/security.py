"""Security headers on every response, session cookie settings and CSRF protection.

CSRF: every POST/PUT/PATCH/DELETE outside /api is checked by flask-wtf. The JSON API under
/api authenticates with bearer tokens (no cookies), so CSRF does not apply there; it is
exempted by path rather than by blueprint name so that however the API registers its
blueprints, none of them is checked and no page form escapes the check.
"""

from __future__ import annotations

import os

from flask import Flask, Response, current_app, request
from flask_wtf.csrf import CSRFProtect  # type: ignore[import-untyped]  # no type hints

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
# The policy's image sources; the map's page adds its tile server's origin (and only there).
IMAGE_SOURCES = "img-src 'self' data:"
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# Secure cookies need https; `make run` serves plain http on 127.0.0.1, so they are opt-in.
SECURE_COOKIES_ENV = "CASEBASE_SECURE_COOKIES"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_EXEMPT_PREFIX = "/api/"

csrf = CSRFProtect()


def _truthy(text: str | None) -> bool:
    return (text or "").strip().lower() in {"1", "true", "yes", "on"}


def policy_with_images_from(origin: str) -> str:
    """The Content-Security-Policy of a page that may also show images from `origin` (the
    map's tiles, docs/contract.md section 10): everything else stays as strict."""
    return CONTENT_SECURITY_POLICY.replace(IMAGE_SOURCES, f"{IMAGE_SOURCES} {origin}")


def _add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _check_csrf() -> None:
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if request.routing_exception is not None:
        return  # no such page or method: answer 404/405, not a CSRF complaint
    if request.method in UNSAFE_METHODS and not request.path.startswith(CSRF_EXEMPT_PREFIX):
        csrf.protect()


def init_app(app: Flask) -> None:
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if SECURE_COOKIES_ENV in os.environ:
        app.config["SESSION_COOKIE_SECURE"] = _truthy(os.environ[SECURE_COOKIES_ENV])
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    app.config["REMEMBER_COOKIE_SECURE"] = app.config.get("SESSION_COOKIE_SECURE", False)
    # The check runs in _check_csrf, for every path outside /api.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    # A token lives as long as the login session, so a long edit is not lost at saving time.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
    app.before_request(_check_csrf)
    app.after_request(_add_headers)
