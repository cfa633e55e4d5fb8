"""API authentication: bearer tokens for every write, and a limit on failed attempts.

Failed authentications (401 answers to writes that presented credentials: a wrong, revoked or
malformed token) are counted per client address by flask-limiter; once AUTH_FAILURE_LIMIT is
used up, every write from that address that presents credentials gets 429 until the window
passes, a right token included, so a token cannot be guessed by trying. A write without any
Authorization header is simply 401: it guesses nothing, so it is neither counted nor limited.
The counts live in memory (RATELIMIT_STORAGE_URI may name a shared store): each gunicorn
worker keeps its own, so the effective limit is at most workers x the limit.
"""

from __future__ import annotations

import time

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from .. import get_service
from ..errors import Forbidden, Unauthorized
from .errors import error_response

AUTH_FAILURE_LIMIT = "10 per minute"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_PREFIX = "/api/"
LIMITER_KEY = "casebase.auth_limiter"


def _bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def require_admin() -> str:
    """The name of the admin whose token came with this request; raise 401/403 otherwise."""
    token = _bearer_token()
    if token is None:
        raise Unauthorized(
            "This needs an API token: send 'Authorization: Bearer <token>' "
            "(`casebase token create NAME` makes one)."
        )
    found = get_service(current_app).user_for_token(token)
    if found is None:
        raise Unauthorized("The API token is wrong or revoked.")
    name, is_admin = found
    if not is_admin:
        raise Forbidden(f"The user '{name}' may not change cases: that needs an admin's token.")
    return name


def _not_limited() -> bool:
    """Only API writes that present credentials are limited."""
    is_write = request.path.startswith(API_PREFIX) and request.method in WRITE_METHODS
    return not (is_write and "Authorization" in request.headers)


def _failed_authentication(response: Response) -> bool:
    return response.status_code == 401 and "Authorization" in request.headers


def _too_many_failures(error: RateLimitExceeded) -> Response:
    limiter: Limiter = current_app.extensions[LIMITER_KEY]
    current = limiter.current_limit
    wait = int(current.reset_at - time.time()) if current else error.limit.limit.get_expiry()
    wait = max(wait, 1)
    response = error_response(
        429,
        f"Too many failed authentications from your address (at most {error.limit.limit})"
        f": try again in {wait} seconds.",
    )
    response.headers["Retry-After"] = str(wait)
    return response


def init_app(app: Flask) -> None:
    """One limiter per app: its counts never leak from one app (or test) to another."""
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=app.config.get("RATELIMIT_STORAGE_URI", "memory://"),
        application_limits=[app.config.get("AUTH_FAILURE_LIMIT", AUTH_FAILURE_LIMIT)],
        application_limits_exempt_when=_not_limited,
        application_limits_deduct_when=_failed_authentication,
    )
    app.extensions[LIMITER_KEY] = limiter
    app.register_error_handler(RateLimitExceeded, _too_many_failures)
