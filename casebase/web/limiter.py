"""One rate limiter for the whole app (flask-limiter): failed API tokens and failed logins.

Only failures count, and the keys are chosen so that a correct credential is not refused for
somebody else's failures:
- API tokens are long random strings, hopeless to guess, so a presented token is checked
  first and a valid one is never limited; wrong tokens count per client address, and past
  TOKEN_FAILURE_LIMIT the answer is 429 with Retry-After.
- Logins count wrong passwords per user name and browser. A browser that has logged in as a
  user before carries a signed device cookie and keeps a count of its own, so guessing from
  elsewhere cannot lock that user out of their own browser (the "device cookie" defence against
  online guessing that OWASP describes); any other browser counts per client address. Past
  LOGIN_FAILURE_LIMIT a login is refused (429) before its password is checked. A success
  clears only its own count: a non-admin's login gives nobody more guesses at an admin.
The counts live where RATELIMIT_STORAGE_URI (the CASEBASE_RATELIMIT_STORAGE_URI setting) says:
by default `casebase://`, a table of the casebase database shared by every worker and host
(casebase/ratelimits.py); `memory://` counts per process; redis:// and the others work as
flask-limiter documents them.
"""

from __future__ import annotations

import math
import secrets
import time
from typing import Any

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeSerializer
from limits import RateLimitItem, parse
from werkzeug.wrappers import Response

from .. import get_service
from ..errors import TooManyAttempts
from ..ratelimits import STORAGE_URI

TOKEN_FAILURE_LIMIT = "10 per minute"
LOGIN_FAILURE_LIMIT = "10 per 15 minutes"
EXTENSION_KEY = "casebase.limiter"
DEVICE_COOKIE = "casebase_device"
DEVICE_COOKIE_MAX_AGE = 180 * 24 * 3600
DEVICE_SALT = "casebase-device-cookie"


def init_app(app: Flask) -> None:
    """The app's one Limiter; its counts never leak from one app (or test) to another."""
    uri = app.config.get("RATELIMIT_STORAGE_URI") or STORAGE_URI
    options: dict[str, Any] = {}
    if uri.startswith(STORAGE_URI):
        options["engine"] = get_service(app).db.engine
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=uri,
        storage_options=options,  # type: ignore[arg-type]  # typed as str|int; ours holds an engine
        strategy="fixed-window",
        default_limits=[],
    )
    app.extensions[EXTENSION_KEY] = limiter


def _limiter() -> Limiter:
    limiter: Limiter = current_app.extensions[EXTENSION_KEY]
    return limiter


def _limit(name: str, default: str) -> RateLimitItem:
    return parse(current_app.config.get(name) or default)


def _refuse(item: RateLimitItem, key: str) -> TooManyAttempts:
    reset_at, _ = _limiter().limiter.get_window_stats(item, key)
    wait = max(1, math.ceil(reset_at - time.time()))
    message = f"Too many failed attempts (at most {item}): try again in {wait} s."
    return TooManyAttempts(message, wait)


def token_failed() -> None:
    """Count a wrong API token from this client; TooManyAttempts once the limit is used up."""
    item = _limit("TOKEN_FAILURE_LIMIT", TOKEN_FAILURE_LIMIT)
    key = f"token:{get_remote_address()}"
    if not _limiter().limiter.hit(item, key):
        raise _refuse(item, key)


# --- logins -----------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(str(current_app.secret_key), salt=DEVICE_SALT)


def _device(name: str) -> str | None:
    """The id of this browser's device cookie when it was set by a login as `name`."""
    try:
        data = _serializer().loads(request.cookies.get(DEVICE_COOKIE, ""))
    except BadSignature:
        return None
    if isinstance(data, dict) and data.get("name") == name and isinstance(data.get("id"), str):
        return str(data["id"])
    return None


def login_key(name: str) -> str:
    device = _device(name)
    where = f"device:{device}" if device else f"address:{get_remote_address()}"
    return f"login:{name.casefold()}:{where}"


def check_login_allowed(name: str) -> None:
    """TooManyAttempts when this user name has used up its failures from this browser."""
    item = _limit("LOGIN_FAILURE_LIMIT", LOGIN_FAILURE_LIMIT)
    key = login_key(name)
    if not _limiter().limiter.test(item, key):
        raise _refuse(item, key)


def login_failed(name: str) -> None:
    _limiter().limiter.hit(_limit("LOGIN_FAILURE_LIMIT", LOGIN_FAILURE_LIMIT), login_key(name))


def login_succeeded(name: str, response: Response) -> None:
    """Clear this browser's count for the user and give it (or renew) its device cookie."""
    item = _limit("LOGIN_FAILURE_LIMIT", LOGIN_FAILURE_LIMIT)
    _limiter().limiter.clear(item, login_key(name))
    device = _device(name) or secrets.token_urlsafe(16)
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer().dumps({"name": name, "id": device}),
        max_age=DEVICE_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
