"""The API through a real gunicorn server with two workers: tokens, writes, and the rule that
a write is visible to the very next search, whichever worker answers it."""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from conftest import run_cli
from test_import_bounds import GOOD, HEADER, row_xml, sheet, write_xlsx

SEARCHES_PER_CHECK = 8  # new connections each: both workers answer some of them


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


def call(
    base: str, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> Answer:
    """One request on a fresh connection (so gunicorn may hand it to either worker)."""
    url = urlsplit(base)
    headers = dict(headers or {})
    if body is not None and not isinstance(body, bytes):
        body = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        connection.close()


def token_for(env: dict[str, str], name: str, admin: bool) -> str:
    created = run_cli(
        ["user", "create", name, "--password-stdin"] + (["--admin"] if admin else []),
        env,
        input="a-long-password\n",
    )
    assert created.returncode == 0, created.stderr
    made = run_cli(["token", "create", name], env)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token and "\n" not in token
    return token


@pytest.fixture
def boss(live_server: str, env: dict[str, str]) -> dict[str, str]:
    """Authorization of an admin made with the real `casebase` command."""
    return {"Authorization": f"Bearer {token_for(env, 'boss', admin=True)}"}


@pytest.fixture
def clerk(live_server: str, env: dict[str, str]) -> dict[str, str]:
    """Authorization of a user who is no admin."""
    return {"Authorization": f"Bearer {token_for(env, 'clerk', admin=False)}"}


def record(**changes: Any) -> dict[str, Any]:
    data = {
        "ref": "server-test",
        "title": "Zebrafinker i Ølstykke",
        "description": "Beboere byggede fuglekasser.",
        "municipalities": ["Egedal"],
        "start_year": 2020,
        "collaboration_forms": ["borgerinddragelse"],
        "themes": ["byrum"],
    }
    data.update(changes)
    return data


def found(base: str, query: str) -> list[list[str]]:
    """The refs each of several searches finds."""
    return [
        [r["ref"] for r in call(base, "GET", f"/api/cases?q={quote(query)}").json()["results"]]
        for _ in range(SEARCHES_PER_CHECK)
    ]


def test_writes_need_an_admin_token_and_are_found_by_the_next_search(
    live_server: str, boss: dict[str, str], clerk: dict[str, str]
) -> None:
    anonymous = call(live_server, "POST", "/api/cases", record())
    assert anonymous.status == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert "message" in anonymous.json()
    wrong = call(
        live_server, "POST", "/api/cases", record(), {"Authorization": "Bearer cb_not-a-token"}
    )
    assert wrong.status == 401
    assert call(live_server, "POST", "/api/cases", record(), clerk).status == 403

    created = call(live_server, "POST", "/api/cases", record(), boss)
    assert created.status == 201, created.body
    assert created.headers["location"] == "/api/cases/server-test"
    assert found(live_server, "zebrafinker") == [["server-test"]] * SEARCHES_PER_CHECK

    assert call(live_server, "DELETE", "/api/cases/server-test", headers=clerk).status == 403
    replaced = call(
        live_server,
        "PUT",
        "/api/cases/server-test",
        record(title="Stære i Ølstykke"),
        boss | {"If-Match": created.headers["etag"]},
    )
    assert replaced.status == 200, replaced.body
    assert replaced.json()["version"] == 2
    assert found(live_server, "stære") == [["server-test"]] * SEARCHES_PER_CHECK
    assert found(live_server, "zebrafinker") == [[]] * SEARCHES_PER_CHECK

    stale = call(live_server, "DELETE", "/api/cases/server-test", headers=boss | {"If-Match": "1"})
    assert stale.status == 412
    deleted = call(live_server, "DELETE", "/api/cases/server-test", headers=boss)
    assert (deleted.status, deleted.body) == (204, b"")
    assert found(live_server, "stære") == [[]] * SEARCHES_PER_CHECK
    assert call(live_server, "GET", "/api/cases/server-test").status == 410  # a deleted ref


def test_an_import_is_found_by_the_next_search_and_reads_work(
    live_server: str, boss: dict[str, str]
) -> None:
    boundary = "casebase-test-boundary"
    content = json.dumps([record(ref="server-import", title="Zebrafinker importeret")])
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="cases.json"\r\nContent-Type: application/json\r\n\r\n{content}\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    headers = boss | {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    answer = call(live_server, "POST", "/api/imports?on_error=abort", body, headers)
    assert answer.status == 200, answer.body
    assert answer.json() == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "dry_run": False,
        "errors_total": 0,
        "errors": [],
    }
    assert found(live_server, "importeret") == [["server-import"]] * SEARCHES_PER_CHECK
    assert call(live_server, "GET", "/healthz").json() == {"status": "ok"}
    assert call(live_server, "GET", "/api/cases").json()["total"] == 91
    spec = call(live_server, "GET", "/api/openapi.json").json()
    assert "/api/cases/{ref}" in spec["paths"]
    docs = call(live_server, "GET", "/api/docs")
    assert docs.status == 200 and b"apidocs.js" in docs.body


def test_a_workbook_of_millions_of_empty_rows_is_refused_and_the_site_stays_up(
    live_server: str, boss: dict[str, str], tmp_path: Path
) -> None:
    """Once, reading such a workbook held a worker until gunicorn killed it (an HTML 500)."""
    empty_rows = (f'<row r="{n}"/>' for n in range(3, 3_000_003))
    path = write_xlsx(
        tmp_path / "empty.xlsx", sheet(row_xml(1, HEADER), row_xml(2, GOOD), then=empty_rows)
    )
    boundary = "casebase-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            'filename="empty.xlsx"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + path.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = boss | {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    answer = call(live_server, "POST", "/api/imports", body, headers)
    assert answer.status == 400, answer.body[:300]
    assert answer.json() == {
        "message": "empty.xlsx: more than 1,048,576 rows; split it into smaller files "
        "(xl/worksheets/sheet1.xml)"
    }
    assert call(live_server, "GET", "/healthz").json() == {"status": "ok"}
    assert call(live_server, "GET", "/api/cases").json()["total"] == 90
