"""The HTTP server of `casebase serve`: gunicorn runs the processes, waitress serves in each.

gunicorn forks the worker processes, replaces one that dies and stops them gracefully on
SIGTERM. Inside each worker, waitress reads every request, header and body, in its
asynchronous loop and hands only complete requests to its threads: a client that sends slowly
holds a socket, never a thread, and one that falls silent is dropped after CHANNEL_TIMEOUT_S.
(gunicorn's own sync and gthread workers block on a half-sent header.)

This is the one module that imports gunicorn and waitress, and the only one that touches their
internals: gunicorn's worker protocol (`Worker.run`, `notify`, `alive`, `sockets`, `wsgi`,
`log.access`) and waitress's socket map and loop (`wasyncore`), its servers' `channel_class`
and `active_channels`, and its `ErrorTask`.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any, NoReturn

from gunicorn.workers.base import Worker
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask

from .config import int_setting

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
APP = "casebase:create_app()"

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class Settings:
    """The server's settings: the constants above unless CASEBASE_* variables say otherwise."""

    threads: int
    channel_timeout_s: int
    connection_limit: int
    graceful_timeout_s: int


def settings() -> Settings:
    """Read the server's settings; CasebaseError names a bad CASEBASE_* value."""
    return Settings(
        threads=int_setting("SERVER_THREADS", THREADS),
        channel_timeout_s=int_setting("CHANNEL_TIMEOUT_S", CHANNEL_TIMEOUT_S),
        connection_limit=int_setting("CONNECTION_LIMIT", CONNECTION_LIMIT),
        graceful_timeout_s=int_setting("GRACEFUL_TIMEOUT_S", GRACEFUL_TIMEOUT_S),
    )


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
        "--access-logfile",
        "-",
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
            AccessLog(self.wsgi, self.log),
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


class AccessLog:
    """WSGI middleware: one line per request in gunicorn's access log (waitress writes none)."""

    def __init__(self, app: WSGIApp, log: Any) -> None:
        self.app = app
        self.log = log

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        started = time.monotonic()
        answer = SimpleNamespace(status="500", headers=[], sent=0)

        def start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            answer.status, answer.headers = status, headers
            return start_response(status, headers, *exc_info)

        def done(sent: int) -> None:
            answer.sent = sent
            request_headers = [
                (name[5:].replace("_", "-"), value)
                for name, value in environ.items()
                if name.startswith("HTTP_")
            ]
            environ.setdefault("RAW_URI", environ.get("REQUEST_URI", ""))
            took = timedelta(seconds=time.monotonic() - started)
            self.log.access(answer, request_headers, environ, took)

        return _Counted(self.app(environ, start), done)


class _Counted:
    """A response body that counts the bytes sent and reports them when closed."""

    def __init__(self, body: Iterable[bytes], done: Callable[[int], None]) -> None:
        self.body = body
        self.done = done
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.body:
            self.sent += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.done(self.sent)
