"""The HTTP server of `casebase serve`: gunicorn runs the processes, waitress serves in each.

gunicorn forks the worker processes, replaces one that dies and stops them gracefully on
SIGTERM. Inside each worker, waitress reads every request, header and body, in its
asynchronous loop and hands only complete requests to its threads: a client that sends slowly
holds a socket, never a thread, and one that falls silent is dropped after CHANNEL_TIMEOUT_S.
(gunicorn's own sync and gthread workers block on a half-sent header.)

Logging is the app's (casebase/logs.py): gunicorn's logger class here sends gunicorn's records
to the same handler, and the app itself writes one line per request (web/requestlog.py), so
neither gunicorn nor waitress keeps an access log of its own.

This is the one module that imports gunicorn and waitress, and the only one that touches their
internals: gunicorn's worker protocol (`Worker.run`, `notify`, `alive`, `sockets`, `wsgi`) and
its `Logger.setup`, and waitress's socket map and loop (`wasyncore`), its servers'
`channel_class` and `active_channels`, and its `ErrorTask`.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import resource
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, NoReturn

from gunicorn.glogging import Logger
from gunicorn.workers.base import Worker
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask

from . import get_service, logs
from .config import ENV_PREFIX, int_setting, text_setting
from .errors import CasebaseError

# Threads per worker process that run the app (CASEBASE_SERVER_THREADS, or `--threads`).
THREADS = 4
# Seconds a connection may stay silent, in a request's header or body or between requests,
# before the server closes it (CASEBASE_CHANNEL_TIMEOUT_S).
CHANNEL_TIMEOUT_S = 30
# Open connections per worker process; further ones wait in the listen backlog
# (CASEBASE_CONNECTION_LIMIT).
CONNECTION_LIMIT = 500
# Seconds a stopping server gives the requests it has received to finish
# (CASEBASE_GRACEFUL_TIMEOUT_S).
GRACEFUL_TIMEOUT_S = 30
# Request line plus headers. Far above the app's own limits (web/errors.py: 414 and 431 in
# the app's error shape), which therefore answer first; beyond this waitress answers 431.
MAX_REQUEST_HEADER_BYTES = 256 * 1024
# Seconds between the loop's looks at the heartbeat, the signals and silent connections.
TICK_S = 1
# Files one connection may hold open: its socket, a spooled request body, a spooled answer.
FILES_PER_CONNECTION = 3
IDENT = "casebase"  # the Server header
WORKER_CLASS = "casebase.server.WaitressWorker"
LOGGER_CLASS = "casebase.server.GunicornLogger"
APP = "casebase:create_app()"
# The headers a trusted reverse proxy sets (CASEBASE_TRUSTED_PROXY); one proxy in front.
PROXY_HEADERS = {"x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port"}

# Refusals waitress answers before the app sees the request (see JsonErrorTask).
log = logging.getLogger("casebase.request")


@dataclass(frozen=True)
class Settings:
    """The server's settings: the constants above unless CASEBASE_* variables say otherwise."""

    threads: int
    channel_timeout_s: int
    connection_limit: int
    graceful_timeout_s: int
    trusted_proxy: str | None


def settings() -> Settings:
    """Read the server's settings; CasebaseError names a bad CASEBASE_* value."""
    return Settings(
        threads=int_setting("SERVER_THREADS", THREADS),
        channel_timeout_s=int_setting("CHANNEL_TIMEOUT_S", CHANNEL_TIMEOUT_S),
        connection_limit=int_setting("CONNECTION_LIMIT", CONNECTION_LIMIT),
        graceful_timeout_s=int_setting("GRACEFUL_TIMEOUT_S", GRACEFUL_TIMEOUT_S),
        trusted_proxy=_trusted_proxy(),
    )


def _trusted_proxy() -> str | None:
    """The proxy whose X-Forwarded-* headers are believed: an IP address, `*`, or None."""
    text = text_setting("TRUSTED_PROXY")
    if text is None or text == "*":
        return text
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise CasebaseError(
            f"{ENV_PREFIX}TRUSTED_PROXY must be the proxy's IP address or *, not {text!r}"
        ) from None


def exec_gunicorn(host: str, port: int, workers: int, threads: int) -> NoReturn:
    """Become gunicorn's master process, running `workers` WaitressWorker processes."""
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        WORKER_CLASS,
        "--graceful-timeout",
        str(settings().graceful_timeout_s),
        "--logger-class",
        LOGGER_CLASS,
        "--no-control-socket",  # several servers may run on one machine
        APP,
    ]
    os.execv(sys.executable, argv)


class WaitressWorker(Worker):
    """A gunicorn worker process that serves the app with waitress on gunicorn's sockets."""

    def run(self) -> None:
        """Serve until gunicorn says stop (or the master dies), then let requests finish."""
        socket_map: dict[int, Any] = {}
        servers = self._listen(socket_map)
        threading.Thread(target=_warm_up, args=(self.wsgi,), name="warm-up", daemon=True).start()
        try:
            while self.alive:
                if self.ppid != os.getppid():
                    self.log.info("Parent changed, shutting down: %s", self)
                    break
                self._tick(socket_map)
            self._finish(servers, socket_map)
        finally:
            for dispatcher in {server.task_dispatcher for server in servers}:
                dispatcher.shutdown(timeout=TICK_S)
            wasyncore.close_all(socket_map)

    def _listen(self, socket_map: dict[int, Any]) -> list[BaseWSGIServer]:
        """waitress servers on the listening sockets this process inherited from gunicorn."""
        config = settings()
        _allow_open_files(config.connection_limit * FILES_PER_CONNECTION + 64)
        create_server(
            self.wsgi,
            map=socket_map,
            sockets=[listener.sock for listener in self.sockets],
            threads=self.cfg.threads,
            backlog=self.cfg.backlog,
            channel_timeout=config.channel_timeout_s,
            cleanup_interval=TICK_S,
            connection_limit=config.connection_limit,
            max_request_header_size=MAX_REQUEST_HEADER_BYTES,
            max_request_body_size=_body_limit(self.wsgi),
            asyncore_loop_timeout=TICK_S,
            asyncore_use_poll=True,  # select() fails beyond 1,024 open files
            ident=IDENT,
            clear_untrusted_proxy_headers=True,  # clients' X-Forwarded-* are removed
            **_proxy(config.trusted_proxy),
        )
        servers = [item for item in socket_map.values() if isinstance(item, BaseWSGIServer)]
        for server in servers:
            server.channel_class = JsonErrorChannel
        return servers

    def _tick(self, socket_map: dict[int, Any]) -> None:
        """Beat the heartbeat gunicorn's master watches, then wait for the sockets once."""
        self.notify()
        wasyncore.loop(timeout=TICK_S, map=socket_map, use_poll=True, count=1)

    def _finish(self, servers: list[BaseWSGIServer], socket_map: dict[int, Any]) -> None:
        """Accept no more; finish the requests begun, within the graceful timeout."""
        for server in servers:
            server.accepting = False
        deadline = time.monotonic() + self.cfg.graceful_timeout
        while _close_idle(servers) and time.monotonic() < deadline:
            self._tick(socket_map)


def _warm_up(app: Any) -> None:
    """Load the search index in the background while the worker already serves (a request
    that comes first waits for the same loading, as it would without this)."""
    get_service(app).warm_up()


def _close_idle(servers: list[BaseWSGIServer]) -> bool:
    """Close the connections with no request begun; whether any connection is still open.

    A request has begun once its header is in: its body may still be arriving. A client that
    has not finished its header yet (perhaps never will) does not hold up the stop.
    """
    channels = [channel for server in servers for channel in server.active_channels.values()]
    for channel in channels:
        begun = channel.request is not None and channel.request.headers_finished
        if not (begun or channel.requests or channel.total_outbufs_len):
            channel.will_close = True  # closed by the loop's next turn
    return bool(channels)


def _proxy(trusted: str | None) -> dict[str, Any]:
    """waitress's settings for a reverse proxy whose X-Forwarded-* headers are believed."""
    if trusted is None:
        return {}
    return {
        "trusted_proxy": trusted,
        "trusted_proxy_count": 1,
        "trusted_proxy_headers": PROXY_HEADERS,
    }


def _body_limit(app: Any) -> int:
    """waitress refuses a body the app would refuse, before reading it."""
    limit = getattr(app, "config", {}).get("MAX_CONTENT_LENGTH")
    # waitress refuses a body of max_request_body_size bytes or more
    return int(limit) + 1 if limit else 1024**3


def _allow_open_files(wanted: int) -> None:
    """Raise this process's limit of open files towards `wanted`, as far as allowed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return
    ceiling = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, ceiling), hard))


class JsonErrorTask(ErrorTask):
    """waitress's own refusals (too large, malformed) in the app's JSON error shape."""

    def execute(self) -> None:
        error = self.request.error
        # Its method and path may not have been read (a header too large): only the status.
        log.info("request refused before the app: %s", error.code, extra={"status": error.code})
        body = json.dumps({"message": _message(error, self.channel.adj)}).encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/json"))
        self.response_headers.append(("X-Content-Type-Options", "nosniff"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class JsonErrorChannel(HTTPChannel):
    error_task_class = JsonErrorTask


def _message(error: Any, adjustments: Any) -> str:
    if error.code == 413:
        limit = _size(adjustments.max_request_body_size - 1)
        return f"The request is too large (at most {limit}): send less, e.g. split an import file."
    if error.code == 431:
        limit = _size(adjustments.max_request_header_size)
        return f"The request's header is too large (at most {limit})."
    return f"{error.reason}: {str(error.body).rstrip('.')}."


def _size(limit: int) -> str:
    return f"{limit / 1024 / 1024:g} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


class GunicornLogger(Logger):
    """gunicorn's logger, without handlers of its own: its records go where the app's go."""

    def setup(self, cfg: Any) -> None:
        self.cfg = cfg
        self._access_log_enabled = False  # the app logs each request (web/requestlog.py)
        logs.configure(default_level="INFO")
