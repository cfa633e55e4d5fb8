"""API authentication: bearer tokens for every write.

A request with a valid token is never limited; wrong tokens are counted per client address by
the app's one rate limiter (web/limiter.py), which answers 429 once they are used up. A write
without any Authorization header is simply 401: it guesses nothing, so it is not counted.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, request

from .. import get_service
from ..errors import Forbidden, Unauthorized
from . import limiter

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def guard_writes(blueprint: Blueprint) -> None:
    """Every write through the blueprint needs an admin's token, checked before anything else
    (its arguments included); the admin's name is `g.user` in the view."""

    @blueprint.before_request
    def _require_admin_for_writes() -> None:
        if request.method not in READ_METHODS:
            g.user = require_admin()


def _bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def require_admin() -> str:
    """The name of the admin whose token came with this request; raise 401/403/429 otherwise."""
    token = _bearer_token()
    if token is None:
        if "Authorization" in request.headers:
            limiter.token_failed()  # a malformed header is a failed attempt too
        raise Unauthorized(
            "This needs an API token: send 'Authorization: Bearer <token>' "
            "(`casebase token create NAME` makes one)."
        )
    found = get_service(current_app).user_for_token(token)
    if found is None:
        limiter.token_failed()
        raise Unauthorized("The API token is wrong or revoked.")
    name, is_admin = found
    if not is_admin:
        raise Forbidden(f"The user '{name}' may not change cases: that needs an admin's token.")
    return name
