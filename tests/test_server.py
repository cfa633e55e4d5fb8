"""`casebase serve` as a real process: slow clients cannot starve it, over-long requests get
the one error shape, SIGTERM lets a request in flight finish, and every request is logged."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import free_port, run_cli, wait_for_port
from test_architecture import imported, modules

from casebase.server import MAX_REQUEST_HEADER_BYTES
from casebase.services import Casebase
from casebase.web.errors import MAX_HEADER_BYTES, MAX_URL_CHARS

# A client timeout that only says "the server answered at all": generous for a loaded machine.
ANSWER_TIMEOUT_S = 10
# How long a test waits for the server to close a stalled connection (set to 1 s below).
CLOSE_WAIT_S = 20
STOP_WAIT_S = 60
SLOW_HEADERS = 12
SLOW_BODIES = 6
HALF_HEADER = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow"
PART_BODY = (
    b"POST /api/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b'Content-Length: 100000\r\n\r\n{"ref": "'
)


@dataclass
class Server:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path


@contextmanager
def running_server(env: dict[str, str], log: Path, **settings: str) -> Iterator[Server]:
    """`casebase serve --workers 2` as a real process; its stdout and stderr go to `log`."""
    port = free_port()
    executable = Path(sys.executable).with_name("casebase")
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(executable), "serve", "--port", str(port), "--workers", "2"],
            env={**os.environ, **env, **settings},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process)
        yield Server(f"http://127.0.0.1:{port}", port, process, log)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_WAIT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The HTTP server does not depend on the kind of database: SQLite is enough here."""
    return f"sqlite:///{tmp_path / 'casebase.db'}"


@pytest.fixture
def server(seeded: Casebase, env: dict[str, str], tmp_path: Path) -> Iterator[Server]:
    with running_server(env, tmp_path / "server.log") as running:
        yield running


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        assert self.headers["content-type"].startswith("application/json"), self.headers
        return json.loads(self.body)


def call(
    server: Server,
    path: str,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request on a new connection; fails when no answer comes within ANSWER_TIMEOUT_S."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=ANSWER_TIMEOUT_S)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return Answer(response.status, headers, response.read())
    finally:
        connection.close()


def stalled(server: Server, start: bytes) -> socket.socket:
    """A connection that sends the start of a request and then nothing more."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=ANSWER_TIMEOUT_S)
    sock.sendall(start)
    return sock


def read_until_closed(sock: socket.socket, timeout: float) -> bytes:
    """Everything the server sends until it closes the connection."""
    sock.settimeout(timeout)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def test_slow_clients_do_not_starve_the_server(server: Server) -> None:
    with ExitStack() as stack:
        for start in [HALF_HEADER] * SLOW_HEADERS + [PART_BODY] * SLOW_BODIES:
            stack.enter_context(closing(stalled(server, start)))
        for _ in range(4):  # new connections, so both workers answer some
            assert call(server, "/healthz").status == 200
            found = call(server, "/api/cases?q=partnerskab")
            assert found.status == 200
            assert found.json()["total"] > 0


@pytest.mark.parametrize("start", [HALF_HEADER, PART_BODY], ids=["half header", "part body"])
def test_the_server_closes_a_stalled_connection(
    seeded: Casebase, env: dict[str, str], tmp_path: Path, start: bytes
) -> None:
    with running_server(env, tmp_path / "server.log", CASEBASE_CHANNEL_TIMEOUT_S="1") as server:
        with closing(stalled(server, start)) as sock:
            try:
                read_until_closed(sock, CLOSE_WAIT_S)
            except TimeoutError:
                pytest.fail(f"the server kept a stalled connection open for {CLOSE_WAIT_S} s")
        assert call(server, "/healthz").status == 200


def test_addresses_up_to_the_limit_are_served(server: Server) -> None:
    path = "/healthz?pad="
    assert call(server, path + "a" * (MAX_URL_CHARS - len(path))).status == 200


@pytest.mark.parametrize("prefix", ["/api/cases?q=", "/healthz?pad="])
def test_a_longer_address_is_414_in_the_json_error_shape(server: Server, prefix: str) -> None:
    answer = call(server, prefix + "a" * (MAX_URL_CHARS + 1 - len(prefix)))
    assert answer.status == 414
    assert str(MAX_URL_CHARS) in answer.json()["message"]


def test_a_longer_page_address_is_414_as_an_html_page(server: Server) -> None:
    answer = call(server, "/?q=" + "a" * MAX_URL_CHARS)
    assert answer.status == 414
    assert answer.headers["content-type"].startswith("text/html")
    assert b"<html" in answer.body


@pytest.mark.parametrize(
    "size",
    [MAX_HEADER_BYTES + 1, MAX_REQUEST_HEADER_BYTES + 1],
    ids=["above the app's limit", "above the HTTP server's limit"],
)
def test_huge_headers_are_431_in_the_json_error_shape(server: Server, size: int) -> None:
    answer = call(server, "/api/cases", headers={"X-Padding": "a" * size})
    assert answer.status == 431
    assert answer.json()["message"]


def test_headers_below_the_limit_are_served(server: Server) -> None:
    padding = {f"X-Padding-{n}": "a" * 7000 for n in range(4)}  # 28 KB: more than one 8 KB field
    assert call(server, "/api/cases", headers=padding).status == 200


def test_a_body_above_the_upload_limit_is_413_in_the_json_error_shape(server: Server) -> None:
    with closing(socket.create_connection(("127.0.0.1", server.port), timeout=30)) as sock:
        sock.sendall(
            b"POST /api/imports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10000000000\r\n\r\n"
        )
        head, _, body = read_until_closed(sock, ANSWER_TIMEOUT_S).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ")
    assert b"content-type: application/json" in head.lower()
    assert "too large" in json.loads(body)["message"]


def test_sigterm_lets_a_request_in_flight_finish_and_exits_0_despite_slow_clients(
    seeded: Casebase, env: dict[str, str], tmp_path: Path
) -> None:
    made = run_cli(["user", "create", "boss", "--admin", "--password-stdin"], env, "pw-12345\n")
    assert made.returncode == 0, made.stderr
    token = run_cli(["token", "create", "boss"], env).stdout.strip()
    record = {
        "ref": "sigterm-case",
        "title": "Svaler i Slagelse",
        "description": "Skrevet mens serveren stoppede.",
        "municipalities": ["Slagelse"],
        "collaboration_forms": ["borgerinddragelse"],
        "themes": ["byrum"],
    }
    body = json.dumps(record).encode()
    head = (
        "POST /api/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    # Longer than STOP_WAIT_S: a stop held up by a half-sent header would fail the test.
    patient = {"CASEBASE_GRACEFUL_TIMEOUT_S": "300", "CASEBASE_CHANNEL_TIMEOUT_S": "300"}
    with running_server(env, tmp_path / "server.log", **patient) as server:
        with ExitStack() as stack:
            sock = stack.enter_context(closing(stalled(server, head + body[:10])))
            for _ in range(SLOW_HEADERS):
                stack.enter_context(closing(stalled(server, HALF_HEADER)))
            time.sleep(1)  # not a measurement: lets the server read the first part
            server.process.send_signal(signal.SIGTERM)
            time.sleep(1)  # the workers have the signal before the rest of the body arrives
            sock.sendall(body[10:])
            answer = read_until_closed(sock, STOP_WAIT_S)
            assert answer.startswith(b"HTTP/1.1 201 "), answer[:200]
            assert server.process.wait(timeout=STOP_WAIT_S) == 0


def test_every_request_is_logged(server: Server) -> None:
    """One JSON line per request (the log is no terminal), a refusal by waitress too."""
    call(server, "/healthz?logged=yes", headers={"X-Request-ID": "logged-1"})
    call(server, "/api/cases", headers={"X-Padding": "a" * (MAX_REQUEST_HEADER_BYTES + 1)})
    server.process.terminate()
    server.process.wait(timeout=STOP_WAIT_S)
    lines = [json.loads(line) for line in server.log.read_text(encoding="utf-8").splitlines()]
    requests = [line for line in lines if line["logger"] == "casebase.request"]
    assert [
        (line.get("request_id"), line.get("method"), line.get("path"), line["status"])
        for line in requests
    ] == [("logged-1", "GET", "/healthz", 200), (None, None, None, 431)]


def test_a_bad_server_setting_is_one_line_and_exit_2(env: dict[str, str]) -> None:
    refused = run_cli(
        ["serve", "--port", str(free_port())], env | {"CASEBASE_CONNECTION_LIMIT": "x"}
    )
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "casebase: CASEBASE_CONNECTION_LIMIT must be a whole number of at least 1, not 'x'"
    ]


def test_only_the_server_module_imports_the_http_servers() -> None:
    users = {p.name for p in modules() if imported(p) & {"gunicorn", "waitress"}}
    assert users == {"server.py"}
