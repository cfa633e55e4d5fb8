"""One log line per request, with its request id (docs/contract.md section 12).

WSGI middleware around the app: the request id is the client's (or the proxy's) X-Request-ID
when that is a sensible token, else a new one; it is sent back in the answer's X-Request-ID
header and carried by every record logged while the request is served (logs.REQUEST_ID). The
line is written when the answer's last byte is sent, so a streamed export counts in full:
method, path (without the query string, which may hold what a person searched for), status
and duration in milliseconds.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..logs import REQUEST_ID

REQUEST_ID_HEADER = "X-Request-ID"
# An id taken from the request: what proxies and tracing systems make (uuids, hex, base64).
GOOD_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+/=-]{1,128}")

log = logging.getLogger("casebase.request")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def request_id_of(environ: dict[str, Any]) -> str:
    given = environ.get("HTTP_X_REQUEST_ID", "")
    return given if GOOD_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


class RequestLog:
    """The app wrapped so that each request has an id and leaves one log line."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        started = time.monotonic()
        request_id = request_id_of(environ)
        environ["casebase.request_id"] = request_id
        status = ["500"]

        def start(status_line: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            status[0] = status_line.split(" ", 1)[0]
            headers = [(k, v) for k, v in headers if k.lower() != REQUEST_ID_HEADER.lower()]
            headers.append((REQUEST_ID_HEADER, request_id))
            return start_response(status_line, headers, *exc_info)

        def done() -> None:
            log.info(
                "%s %s %s",
                environ.get("REQUEST_METHOD", ""),
                environ.get("PATH_INFO", ""),
                status[0],
                extra={
                    "request_id": request_id,
                    "method": environ.get("REQUEST_METHOD", ""),
                    "path": environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
                    "status": int(status[0]) if status[0].isdigit() else status[0],
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )

        token = REQUEST_ID.set(request_id)
        try:
            body = self.app(environ, start)
        finally:
            REQUEST_ID.reset(token)
        return _Logged(body, done)


class _Logged:
    """A response body that writes the request's log line once it has been sent (or dropped)."""

    def __init__(self, body: Iterable[bytes], done: Callable[[], None]) -> None:
        self.body = body
        self.done = done

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.body)

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.done()
