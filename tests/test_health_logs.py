"""Health, readiness, request ids, logs and the trusted proxy (docs/contract.md section 12).

/healthz says only that the process is alive; /readyz that the database answers and the
index is in step with its change log (503 with the reason when not). Logs are JSON lines on
stderr when it is not a terminal, readable text on a terminal, for the server and the command
line alike; each request leaves one line with its request id.
"""

from __future__ import annotations

import http.client
import json
import os
import pty
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import free_port, run_cli, wait_for_port
from flask import Flask
from flask.testing import FlaskClient
from test_api import assert_error

from casebase import create_app
from casebase.services import Casebase

RECORD = {
    "ref": "elsewhere-1",
    "title": "Skrevet gennem en anden server",
    "description": "Denne sag kom ind gennem en anden server med sit eget indeks.",
    "municipalities": ["Odense"],
    "collaboration_forms": ["projektpartnerskab"],
    "themes": ["byrum"],
}
HEX_ID = re.compile(r"[0-9a-f]{32}")
PROXY = "127.0.0.2"  # connections from here count as the reverse proxy's


def app_over(database_url: str, index_dir: Path) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "INDEX_DIR": str(index_dir),
            "SECRET_KEY": "test",
        }
    )


# --- /healthz and /readyz --------------------------------------------------------------------


def test_healthz_and_readyz_say_ok(client: FlaskClient) -> None:
    for path in ("/healthz", "/readyz"):
        answer = client.get(path)
        assert (answer.status_code, answer.get_json()) == (200, {"status": "ok"}), path
        assert answer.headers["Cache-Control"] == "no-store"


def test_without_a_database_healthz_is_ok_and_readyz_says_why(tmp_path: Path) -> None:
    app = app_over(f"sqlite:///{tmp_path / 'no-such-folder' / 'casebase.db'}", tmp_path / "ix")
    try:
        client = app.test_client()
        assert client.get("/healthz").get_json() == {"status": "ok"}
        body = assert_error(client.get("/readyz"), 503)
        assert body["message"] == "The database does not answer."
    finally:
        app.extensions["casebase"].close()


@pytest.mark.postgres
def test_without_a_postgresql_database_readyz_says_why(pg_cluster: Any, tmp_path: Path) -> None:
    url = pg_cluster.fresh_database("gone").rsplit("/", 1)[0] + "/no_such_database"
    app = app_over(url, tmp_path / "ix")
    try:
        assert app.test_client().get("/healthz").status_code == 200
        body = assert_error(app.test_client().get("/readyz"), 503)
        assert body["message"] == "The database does not answer."  # no host or port shown
    finally:
        app.extensions["casebase"].close()


def test_an_index_that_cannot_be_written_is_not_ready(
    service: Casebase, env: dict[str, str], tmp_path: Path
) -> None:
    not_a_folder = tmp_path / "index-is-a-file"
    not_a_folder.write_text("oops", encoding="utf-8")
    app = app_over(env["CASEBASE_DATABASE_URL"], not_a_folder)
    try:
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        body = assert_error(client.get("/readyz"), 503)
        assert body["message"] == "The search index cannot be read or written."
    finally:
        app.extensions["casebase"].close()


def test_readyz_catches_up_with_a_write_through_another_server(
    app: Flask, client: FlaskClient, env: dict[str, str], tmp_path: Path
) -> None:
    other = Casebase(env["CASEBASE_DATABASE_URL"], tmp_path / "other-index")
    try:
        other.create_case(RECORD, "test")
    finally:
        other.close()
    assert client.get("/readyz").get_json() == {"status": "ok"}


def test_readyz_is_503_while_the_index_cannot_catch_up(
    app: Flask, client: FlaskClient, env: dict[str, str], tmp_path: Path
) -> None:
    assert client.get("/readyz").status_code == 200
    service: Casebase = app.extensions["casebase"]
    other = Casebase(env["CASEBASE_DATABASE_URL"], tmp_path / "other-index")
    try:
        other.create_case(RECORD, "test")
    finally:
        other.close()
    _name, ix, _toc = service.index._live_generation()
    busy = ix.writer()  # another process's long catch-up holds the index's write lock
    try:
        body = assert_error(client.get("/readyz"), 503)
        assert body["message"] == "The search index is 1 change(s) behind the database."
        assert client.get("/healthz").status_code == 200
    finally:
        busy.cancel()
    assert client.get("/readyz").status_code == 200


# --- request ids -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("abc-123", True),
        ("0f3c9a5e-7d1b-4c1e-9a54-3e1f0c2b8d77", True),
        ("a b", False),
        ("x" * 129, False),
        ("<script>", False),
    ],
)
def test_the_request_id_is_taken_or_made_and_sent_back(
    client: FlaskClient, sent: str, kept: bool
) -> None:
    answer = client.get("/api/cases?per_page=1", headers={"X-Request-ID": sent})
    if kept:
        assert answer.headers["X-Request-ID"] == sent
    else:
        assert HEX_ID.fullmatch(answer.headers["X-Request-ID"])


def test_a_request_without_an_id_gets_a_new_one(client: FlaskClient) -> None:
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/nowhere").headers["X-Request-ID"]
    assert HEX_ID.fullmatch(first) and HEX_ID.fullmatch(second) and first != second


# --- the server's logs and the trusted proxy -------------------------------------------------


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Logs and proxies do not depend on the kind of database: SQLite is enough here."""
    return f"sqlite:///{tmp_path / 'casebase.db'}"


@pytest.fixture
def proxied_server(seeded: Casebase, env: dict[str, str], tmp_path: Path) -> Iterator[Any]:
    """`casebase serve` trusting PROXY, its stderr (not a terminal) kept in a file."""
    port = free_port()
    log = tmp_path / "server.err"
    executable = Path(sys.executable).with_name("casebase")
    with open(log, "wb") as err, open(tmp_path / "server.out", "wb") as out:
        process = subprocess.Popen(
            [str(executable), "serve", "--port", str(port), "--workers", "2"],
            env={**os.environ, **env, "CASEBASE_TRUSTED_PROXY": PROXY},
            stdout=out,
            stderr=err,
        )
    try:
        wait_for_port(port, process)
        yield port, process, log, tmp_path / "server.out"
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=60)


def get(port: int, path: str, headers: dict[str, str], source: str = "127.0.0.1") -> Any:
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=30, source_address=(source, 0)
    )
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


def test_the_server_trusts_its_proxy_and_logs_each_request_as_a_json_line(
    proxied_server: Any,
) -> None:
    port, process, log, out = proxied_server
    forwarded = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "casebase.example.dk",
        "X-Forwarded-For": "203.0.113.9",
        "X-Request-ID": "trace-42",
    }
    status, headers, page = get(port, "/cases/vores-bredgade-langaa", forwarded, source=PROXY)
    assert status == 200
    assert headers["X-Request-ID"] == "trace-42"
    assert "https://casebase.example.dk/cases/vores-bredgade-langaa" in page
    # A client that is not the proxy cannot say where the site lives.
    status, _, page = get(port, "/cases/vores-bredgade-langaa", forwarded | {"X-Request-ID": "b"})
    assert status == 200
    assert "casebase.example.dk" not in page
    assert f"http://127.0.0.1:{port}/cases/vores-bredgade-langaa" in page
    # Each worker loads the search index in the background as it starts (server.py).
    deadline = time.monotonic() + 60
    while log.read_text(encoding="utf-8").count("search warmed up in") < 2:
        assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
        time.sleep(0.2)

    process.terminate()
    assert process.wait(timeout=60) == 0
    assert out.read_bytes() == b""
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert {"timestamp", "level", "logger", "message"} <= set(lines[0])
    assert any(line["logger"] == "gunicorn.error" for line in lines)  # gunicorn's own, as JSON
    (logged,) = [line for line in lines if line.get("request_id") == "trace-42"]
    assert logged["logger"] == "casebase.request"
    assert (logged["method"], logged["path"], logged["status"]) == (
        "GET",
        "/cases/vores-bredgade-langaa",
        200,
    )
    assert isinstance(logged["duration_ms"], float) and logged["duration_ms"] >= 0
    assert logged["level"] == "INFO"


def test_a_bad_trusted_proxy_is_one_line_and_exit_2(env: dict[str, str]) -> None:
    refused = run_cli(["serve", "--port", str(free_port())], env | {"CASEBASE_TRUSTED_PROXY": "x"})
    assert (refused.returncode, refused.stderr) == (
        2,
        "casebase: CASEBASE_TRUSTED_PROXY must be the proxy's IP address or *, not 'x'\n",
    )


# --- the command line's logs -----------------------------------------------------------------


def on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run `casebase ARGS` with stderr on a pseudo-terminal; what it wrote there."""
    leader, follower = pty.openpty()
    executable = Path(sys.executable).with_name("casebase")
    process = subprocess.Popen(
        [str(executable), *args],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    written = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        written += chunk
    process.wait(timeout=60)
    os.close(leader)
    return written.decode("utf-8", errors="replace")


def test_the_command_line_logs_text_on_a_terminal_and_json_elsewhere(
    service: Casebase, env: dict[str, str]
) -> None:
    loud = env | {"CASEBASE_LOG_LEVEL": "info"}
    text = on_a_terminal(["search", "partnerskab"], loud)
    assert re.search(r"\d\d:\d\d:\d\d,\d+ INFO casebase.sync: building the search index", text)
    assert "{" not in text
    run_cli(["reindex"], env)
    piped = run_cli(
        ["search", "partnerskab"], loud | {"CASEBASE_INDEX_DIR": env["CASEBASE_INDEX_DIR"] + "2"}
    )
    (line,) = [json.loads(line) for line in piped.stderr.splitlines()]
    assert (line["level"], line["logger"]) == ("INFO", "casebase.sync")
    assert line["message"] == "building the search index from the database"


def test_the_command_line_is_quiet_by_default(service: Casebase, env: dict[str, str]) -> None:
    result = run_cli(["search", "partnerskab"], env)
    assert (result.returncode, result.stderr) == (0, "")
