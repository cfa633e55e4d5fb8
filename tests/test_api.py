"""The JSON API through the Flask test client, on SQLite and PostgreSQL (contract section 6)."""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import schemathesis
import sqlalchemy
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from casebase import create_app, get_service
from casebase.services import Casebase
from casebase.web import streaming

SEED_COUNT = 90
VOCABULARY_COUNTS = {
    "collaboration_form": 9,
    "actor": 10,
    "theme": 14,
    "status": 3,
    "region": 5,
    "municipality": 98,
}
SEARCH_KEYS = [
    "total",
    "page",
    "per_page",
    "q",
    "suggestion",
    "expanded",
    "results",
    "facets",
    "links",
]
RESULT_KEYS = [
    "ref",
    "title",
    "summary",
    "municipalities",
    "regions",
    "start_year",
    "end_year",
    "status",
    "collaboration_forms",
    "actors",
    "themes",
    "snippet",
    "score",
    "found_in_documents",
    "document_snippet",
]
FACET_KEYS = [
    "collaboration_form",
    "actor",
    "theme",
    "region",
    "municipality",
    "status",
    "start_year",
]
CASE_KEYS = [
    "ref",
    "title",
    "summary",
    "description",
    "results",
    "municipalities",
    "start_year",
    "end_year",
    "status",
    "collaboration_forms",
    "actors",
    "themes",
    "budget_dkk",
    "public_funding_dkk",
    "private_funding_dkk",
    "funders",
    "contact_org",
    "links",
    "latitude",
    "longitude",
    "regions",
    "version",
    "created_at",
    "updated_at",
    "labels",
]
API_PATHS = [
    "/api/cases",
    "/api/cases/{ref}",
    "/api/cases/{ref}/similar",
    "/api/cases/{ref}/history",
    "/api/cases/{ref}/versions/{version}",
    "/api/cases/{ref}/restore",
    "/api/cases/{ref}/citation",
    "/api/imports",
    "/api/export",
    "/api/vocabularies",
    "/api/thesaurus",
    "/api/crosstab",
    "/api/cases.geojson",
    "/api/cases/{ref}/documents",
    "/api/cases/{ref}/documents/{document_id}",
    "/healthz",
    "/readyz",
]


def record(ref: str = "api-test", **changes: Any) -> dict[str, Any]:
    """A valid case record; the title holds a word no seed case uses."""
    data: dict[str, Any] = {
        "ref": ref,
        "title": "Kvarterløft med zebrafinker i Ølstykke",
        "summary": "Et forsøg med fuglekasser.",
        "description": "Beboere og kommune byggede fuglekasser sammen.",
        "municipalities": ["Egedal"],
        "start_year": 2019,
        "end_year": 2021,
        "collaboration_forms": ["projektpartnerskab"],
        "actors": ["kommune", "borgere"],
        "themes": ["byrum"],
        "funders": ["Realdania"],
        "links": [{"title": "Projektside", "url": "https://example.org/zebra"}],
    }
    data.update(changes)
    return data


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def admin_token(service: Casebase) -> str:
    service.create_user("admin", "admin-password", admin=True)
    return service.create_token("admin")


@pytest.fixture
def reader_token(service: Casebase) -> str:
    service.create_user("reader", "reader-password")
    return service.create_token("reader")


@pytest.fixture
def admin(admin_token: str) -> dict[str, str]:
    return bearer(admin_token)


@pytest.fixture
def make_app(service: Casebase, env: dict[str, str]) -> Iterator[Callable[..., Flask]]:
    """Build another app over this test's database with some settings changed."""
    apps: list[Flask] = []

    def make(**config: Any) -> Flask:
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": env["CASEBASE_DATABASE_URL"],
                "INDEX_DIR": env["CASEBASE_INDEX_DIR"],
                "SECRET_KEY": "test-secret",
                **config,
            }
        )
        apps.append(app)
        return app

    yield make
    for app in apps:
        get_service(app).db.dispose()


def create(client: FlaskClient, headers: dict[str, str], **changes: Any) -> dict[str, Any]:
    response = client.post("/api/cases", json=record(**changes), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def assert_error(response: Any, status: int) -> dict[str, Any]:
    """The one error shape: JSON with a message (and nothing of a stack trace)."""
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert isinstance(body["message"], str) and body["message"]
    assert set(body) <= {"message", "errors", "deleted_at"}
    assert ("deleted_at" in body) == (status == 410)
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "<html" not in text.lower()
    return body


# --- search ---------------------------------------------------------------------------------


def test_search_answers_the_shape_of_the_spec(seeded: Casebase, client: FlaskClient) -> None:
    response = client.get(
        "/api/cases?q=partnerskab&per_page=3&collaboration_form=projektpartnerskab"
    )
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == SEARCH_KEYS
    assert (body["page"], body["per_page"], body["q"]) == (1, 3, "partnerskab")
    assert 0 < len(body["results"]) <= 3 <= body["total"]
    for result in body["results"]:
        assert list(result) == RESULT_KEYS
        assert "projektpartnerskab" in result["collaboration_forms"]
    assert list(body["facets"]) == FACET_KEYS
    selected = [b for b in body["facets"]["collaboration_form"] if b["selected"]]
    assert [b["value"] for b in selected] == ["projektpartnerskab"]
    assert set(selected[0]) == {"value", "label", "count", "selected"}


def test_search_without_parameters_finds_every_case(seeded: Casebase, client: FlaskClient) -> None:
    body = client.get("/api/cases").get_json()
    assert (body["total"], body["q"], len(body["results"])) == (SEED_COUNT, None, 20)


@pytest.mark.parametrize(
    ("query", "mentioned"),
    [
        ("colour=red", "colour"),
        ("theme=nope", "theme"),
        ("page=0", "page"),
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
        ("year_from=2010.5", "year_from"),
        ("sort=popular", "sort"),
    ],
)
def test_search_rejects_bad_parameters_with_a_helpful_message(
    client: FlaskClient, query: str, mentioned: str
) -> None:
    body = assert_error(client.get(f"/api/cases?{query}"), 400)
    assert mentioned in body["message"]


# --- reading a case -------------------------------------------------------------------------


def test_case_is_the_full_record_with_labels_and_an_etag(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    create(client, admin)
    response = client.get("/api/cases/api-test")
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == CASE_KEYS
    assert body["regions"] == ["hovedstaden"]
    assert body["status"] == "afsluttet"
    assert body["version"] == 1
    assert body["labels"]["projektpartnerskab"] == "Projektpartnerskab"
    assert body["labels"]["hovedstaden"] == "Region Hovedstaden"
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("if_none_match", "status"),
    [
        ('"1"', 304),
        ('W/"1"', 304),
        ("1", 304),
        ("*", 304),
        ('"7", "1"', 304),
        ('"2"', 200),
        ('"abc"', 200),
    ],
)
def test_if_none_match_answers_304_while_the_version_is_current(
    client: FlaskClient, admin: dict[str, str], if_none_match: str, status: int
) -> None:
    create(client, admin)
    response = client.get("/api/cases/api-test", headers={"If-None-Match": if_none_match})
    assert response.status_code == status
    assert response.headers["ETag"] == '"1"'
    if status == 304:
        assert response.data == b""


def test_unknown_case_is_404(client: FlaskClient) -> None:
    body = assert_error(client.get("/api/cases/no-such-case"), 404)
    assert "no-such-case" in body["message"]


def test_similar_cases_never_include_the_case_itself(seeded: Casebase, client: FlaskClient) -> None:
    ref = client.get("/api/cases?per_page=1").get_json()["results"][0]["ref"]
    body = client.get(f"/api/cases/{ref}/similar?limit=3").get_json()
    assert list(body) == ["results"]
    assert 0 < len(body["results"]) <= 3
    assert ref not in [r["ref"] for r in body["results"]]
    assert all(list(r) == [*RESULT_KEYS, "why"] for r in body["results"])
    default = client.get(f"/api/cases/{ref}/similar").get_json()
    assert len(default["results"]) == 5


@pytest.mark.parametrize("limit", ["0", "51", "abc", "2.5", "-1"])
def test_similar_limit_is_1_to_50(seeded: Casebase, client: FlaskClient, limit: str) -> None:
    ref = client.get("/api/cases?per_page=1").get_json()["results"][0]["ref"]
    body = assert_error(client.get(f"/api/cases/{ref}/similar?limit={limit}"), 400)
    assert "limit" in body["message"]


def test_similar_of_an_unknown_case_is_404(client: FlaskClient) -> None:
    assert_error(client.get("/api/cases/no-such-case/similar"), 404)


# --- writing --------------------------------------------------------------------------------


def test_create_answers_201_with_location_and_is_searchable_at_once(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    response = client.post("/api/cases", json=record(), headers=admin)
    assert response.status_code == 201
    assert response.headers["Location"] == "/api/cases/api-test"
    assert response.headers["ETag"] == '"1"'
    body = response.get_json()
    assert list(body) == CASE_KEYS
    assert body["municipalities"] == ["Egedal"]
    found = client.get("/api/cases?q=zebrafinker").get_json()
    assert [r["ref"] for r in found["results"]] == ["api-test"]
    assert client.get(response.headers["Location"]).get_json() == body


def test_create_accepts_labels_and_stores_keys(client: FlaskClient, admin: dict[str, str]) -> None:
    body = create(
        client,
        admin,
        municipalities=["Egedal Kommune"],
        collaboration_forms=["Projektpartnerskab"],
        themes=["Byrum og friarealer"],
    )
    assert (body["municipalities"], body["collaboration_forms"], body["themes"]) == (
        ["Egedal"],
        ["projektpartnerskab"],
        ["byrum"],
    )


def test_create_of_an_existing_ref_is_409(client: FlaskClient, admin: dict[str, str]) -> None:
    create(client, admin)
    body = assert_error(
        client.post("/api/cases", json=record(title="Another title"), headers=admin), 409
    )
    assert "api-test" in body["message"]
    assert client.get("/api/cases/api-test").get_json()["title"] == record()["title"]


def test_invalid_record_is_422_with_messages_per_field(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    bad = record(
        ref="bad ref!",
        title="ab",
        start_year=2020,
        end_year=2010,
        themes=["klimaa"],
        collaboration_forms=[],
    )
    body = assert_error(client.post("/api/cases", json=bad, headers=admin), 422)
    errors = body["errors"]
    assert set(errors) == {"ref", "title", "themes", "collaboration_forms"} | (
        {"end_year"} & set(errors)
    )
    assert all(isinstance(m, list) and all(isinstance(x, str) for x in m) for m in errors.values())
    assert "klima" in " ".join(errors["themes"])  # the nearest valid key is suggested
    assert client.get("/api/cases/bad ref!").status_code == 404


@pytest.mark.parametrize("body", [b"{not json", b"", b'{"ref": NaN}', b"[" * 100_000])
def test_a_body_that_is_not_json_is_400(
    client: FlaskClient, admin: dict[str, str], body: bytes
) -> None:
    response = client.post("/api/cases", data=body, headers=admin, content_type="application/json")
    assert "JSON" in assert_error(response, 400)["message"]


@pytest.mark.parametrize("body", [[record()], "a case", 42, None])
def test_json_that_is_not_an_object_is_422(
    client: FlaskClient, admin: dict[str, str], body: Any
) -> None:
    response = client.post(
        "/api/cases", data=json.dumps(body), headers=admin, content_type="application/json"
    )
    assert "_record" in assert_error(response, 422)["errors"]


@pytest.mark.parametrize("if_match", [None, '"1"', "1", 'W/"1"', "*"])
def test_replace_answers_200_with_the_new_version(
    client: FlaskClient, admin: dict[str, str], if_match: str | None
) -> None:
    create(client, admin)
    headers = admin | ({"If-Match": if_match} if if_match else {})
    changed = record(title="Kvarterløft med zebrafinker, anden udgave")
    changed.pop("ref")  # the ref of the address is taken
    response = client.put("/api/cases/api-test", json=changed, headers=headers)
    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'
    assert response.get_json()["version"] == 2
    assert response.get_json()["title"].endswith("anden udgave")
    found = client.get("/api/cases?q=udgave").get_json()
    assert [r["ref"] for r in found["results"]] == ["api-test"]


def test_replace_with_a_stale_version_is_412(client: FlaskClient, admin: dict[str, str]) -> None:
    create(client, admin)
    client.put("/api/cases/api-test", json=record(title="Second version"), headers=admin)
    response = client.put(
        "/api/cases/api-test", json=record(title="Lost update"), headers=admin | {"If-Match": '"1"'}
    )
    assert "version 2" in assert_error(response, 412)["message"]
    assert client.get("/api/cases/api-test").get_json()["title"] == "Second version"


def test_replace_of_a_missing_case_is_404(client: FlaskClient, admin: dict[str, str]) -> None:
    assert_error(client.put("/api/cases/api-test", json=record(), headers=admin), 404)


def test_replace_with_another_ref_in_the_body_is_422(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    create(client, admin)
    response = client.put("/api/cases/api-test", json=record(ref="other"), headers=admin)
    assert "ref" in assert_error(response, 422)["errors"]


@pytest.mark.parametrize("if_match", ["abc", '"1", "2"', ""])
def test_an_if_match_that_names_no_version_is_400(
    client: FlaskClient, admin: dict[str, str], if_match: str
) -> None:
    create(client, admin)
    response = client.put(
        "/api/cases/api-test", json=record(), headers=admin | {"If-Match": if_match}
    )
    assert "If-Match" in assert_error(response, 400)["message"]


def test_delete_answers_204_and_the_case_is_gone(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    create(client, admin)
    response = client.delete("/api/cases/api-test", headers=admin | {"If-Match": '"1"'})
    assert (response.status_code, response.data) == (204, b"")
    assert client.get("/api/cases/api-test").status_code == 410  # deleted (contract section 10)
    assert client.get("/api/cases?q=zebrafinker").get_json()["total"] == 0
    assert_error(client.delete("/api/cases/api-test", headers=admin), 410)


def test_delete_with_a_stale_version_is_412(client: FlaskClient, admin: dict[str, str]) -> None:
    create(client, admin)
    client.put("/api/cases/api-test", json=record(title="Second version"), headers=admin)
    assert_error(client.delete("/api/cases/api-test", headers=admin | {"If-Match": "1"}), 412)
    assert client.get("/api/cases/api-test").status_code == 200


# --- authentication -------------------------------------------------------------------------

WRITES = [
    ("post", "/api/cases"),
    ("put", "/api/cases/api-test"),
    ("delete", "/api/cases/api-test"),
    ("post", "/api/imports"),
]


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_writes_without_a_valid_token_are_401(
    client: FlaskClient, admin: dict[str, str], method: str, path: str
) -> None:
    create(client, admin)
    for authorization in (None, "Bearer", "Bearer cb_wrong", "Basic YTpi", "cb_wrong"):
        headers = {"Authorization": authorization} if authorization else {}
        response = getattr(client, method)(path, json=record(), headers=headers)
        assert_error(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/cases/api-test").get_json()["version"] == 1


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_writes_with_a_non_admin_token_are_403(
    client: FlaskClient, admin: dict[str, str], reader_token: str, method: str, path: str
) -> None:
    create(client, admin)
    response = getattr(client, method)(path, json=record(), headers=bearer(reader_token))
    assert "admin" in assert_error(response, 403)["message"]


def test_a_revoked_token_is_401(
    client: FlaskClient, service: Casebase, admin_token: str, admin: dict[str, str]
) -> None:
    create(client, admin)
    service.revoke_token(admin_token)
    assert_error(client.delete("/api/cases/api-test", headers=admin), 401)


def test_failed_authentications_are_rate_limited(
    make_app: Callable[..., Flask], admin: dict[str, str]
) -> None:
    client = make_app(TOKEN_FAILURE_LIMIT="3 per minute").test_client()
    for _ in range(3):
        assert_error(client.post("/api/cases", json=record(), headers=bearer("cb_guess")), 401)
    response = client.post("/api/cases", json=record(), headers=bearer("cb_guess"))
    body = assert_error(response, 429)
    assert "3 per 1 minute" in body["message"]
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    # Wrong tokens stay refused, a right token is never refused; reads go on.
    assert_error(client.post("/api/cases", json=record(), headers=bearer("cb_other")), 429)
    assert client.post("/api/cases", json=record(), headers=admin).status_code == 201
    assert client.get("/api/cases").status_code == 200


def test_failed_tokens_count_across_workers(
    make_app: Callable[..., Flask], admin: dict[str, str]
) -> None:
    """Two apps over one database stand for two server processes: they share the counts."""
    workers = [make_app(TOKEN_FAILURE_LIMIT="3 per minute").test_client() for _ in range(2)]
    for attempt in range(3):
        answer = workers[attempt % 2].post("/api/cases", json=record(), headers=bearer("cb_x"))
        assert_error(answer, 401)
    for worker in workers:
        assert_error(worker.post("/api/cases", json=record(), headers=bearer("cb_x")), 429)


def test_writes_without_a_token_are_401_and_never_limited(
    make_app: Callable[..., Flask], admin: dict[str, str]
) -> None:
    client = make_app(TOKEN_FAILURE_LIMIT="3 per minute").test_client()
    for _ in range(6):
        assert_error(client.post("/api/cases", json=record()), 401)
    assert client.post("/api/cases", json=record(), headers=admin).status_code == 201
    for _ in range(3):
        assert_error(client.delete("/api/cases/api-test", headers=bearer("cb_guess")), 401)
    assert_error(client.delete("/api/cases/api-test", headers=bearer("cb_guess")), 429)
    assert_error(client.post("/api/cases", json=record()), 401)


def test_successful_and_forbidden_writes_do_not_count_as_failures(
    make_app: Callable[..., Flask], admin: dict[str, str], reader_token: str
) -> None:
    client = make_app(TOKEN_FAILURE_LIMIT="2 per minute").test_client()
    for _ in range(3):
        assert_error(client.post("/api/cases", json=record(), headers=bearer(reader_token)), 403)
    assert client.post("/api/cases", json=record(), headers=admin).status_code == 201
    for _ in range(3):
        assert client.get("/api/cases/api-test", headers=admin).status_code == 200
    assert_error(client.post("/api/cases", json=record(), headers=admin), 409)


# --- CORS -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/cases",
        "/api/vocabularies",
        "/api/cases/nope",
        "/api/openapi.json",
        "/api/export?format=jsonl",
    ],
)
def test_reads_are_open_to_every_origin(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Origin": "https://elsewhere.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_writes_are_not_open_to_other_origins(
    client: FlaskClient, admin: dict[str, str], method: str, path: str
) -> None:
    origin = {"Origin": "https://elsewhere.example"}
    for headers in (origin, origin | admin):
        response = getattr(client, method)(path, json=record(), headers=headers)
        assert "Access-Control-Allow-Origin" not in response.headers
    preflight = client.options(
        path,
        headers=origin
        | {
            "Access-Control-Request-Method": method.upper(),
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert "Access-Control-Allow-Methods" not in preflight.headers
    assert "Access-Control-Allow-Headers" not in preflight.headers


# --- one error shape for every status ---------------------------------------------------------


Send = Callable[[FlaskClient, dict[str, dict[str, str]]], Any]


def _upload_of(size: int) -> Send:
    def send(client: FlaskClient, tokens: dict[str, dict[str, str]]) -> Any:
        data = {"file": (io.BytesIO(b"[" + b" " * size + b"]"), "big.json")}
        return client.post(
            "/api/imports", data=data, headers=tokens["admin"], content_type="multipart/form-data"
        )

    return send


def _guess_tokens(client: FlaskClient, _tokens: dict[str, dict[str, str]]) -> Any:
    for _ in range(3):
        client.delete("/api/cases/api-test", headers=bearer("cb_guess"))
    return client.delete("/api/cases/api-test", headers=bearer("cb_guess"))


# A request that gets each status from an app with MAX_CONTENT_LENGTH=1024 and
# TOKEN_FAILURE_LIMIT="3 per minute", where the case api-test exists (500: get_case is broken).
ERROR_REQUESTS: dict[int, Send] = {
    400: lambda c, t: c.get("/api/cases?page=nul"),
    401: lambda c, t: c.post("/api/cases", json=record()),
    403: lambda c, t: c.post("/api/cases", json=record(), headers=t["reader"]),
    404: lambda c, t: c.get("/api/cases/missing"),
    405: lambda c, t: c.patch("/api/cases/api-test", json={}),
    409: lambda c, t: c.post("/api/cases", json=record(), headers=t["admin"]),
    412: lambda c, t: c.put(
        "/api/cases/api-test", json=record(), headers=t["admin"] | {"If-Match": "9"}
    ),
    413: _upload_of(4096),
    422: lambda c, t: c.post("/api/cases", json=record(title="ab"), headers=t["admin"]),
    429: _guess_tokens,
    500: lambda c, t: c.get("/api/cases/api-test"),
}


@pytest.mark.parametrize("status", sorted(ERROR_REQUESTS))
def test_every_error_has_the_one_json_shape(
    make_app: Callable[..., Flask],
    admin: dict[str, str],
    reader_token: str,
    monkeypatch: pytest.MonkeyPatch,
    status: int,
) -> None:
    app = make_app(MAX_CONTENT_LENGTH=1024, TOKEN_FAILURE_LIMIT="3 per minute")
    client = app.test_client()
    create(client, admin)
    if status == 500:

        def broken(*_: Any, **__: Any) -> None:
            raise RuntimeError("secret detail: the disk is on fire")

        monkeypatch.setattr(get_service(app), "get_case", broken)
    response = ERROR_REQUESTS[status](client, {"admin": admin, "reader": bearer(reader_token)})
    body = assert_error(response, status)
    if status == 422:
        assert body["errors"] == {"title": ["Length must be between 3 and 300."]}
    if status == 405:
        assert response.headers["Allow"] == "DELETE, GET, HEAD, OPTIONS, PUT"
    if status == 413:
        assert "too large" in body["message"]
    if status == 429:
        assert int(response.headers["Retry-After"]) >= 1
    if status == 500:
        assert "fire" not in body["message"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("patch", "/api/cases", "GET, HEAD, OPTIONS, POST"),
        ("put", "/api/vocabularies", "GET, HEAD, OPTIONS"),
        ("delete", "/api/export", "GET, HEAD, OPTIONS"),
        ("get", "/api/imports", "OPTIONS, POST"),
        ("post", "/api/openapi.json", "GET, HEAD, OPTIONS"),
        ("put", "/healthz", "GET, HEAD, OPTIONS"),
    ],
)
def test_a_wrong_method_is_405_with_allow(
    client: FlaskClient, method: str, path: str, allowed: str
) -> None:
    response = getattr(client, method)(path)
    assert_error(response, 405)
    assert response.headers["Allow"] == allowed


@pytest.mark.parametrize(
    "changes",
    [
        {"budget_dkk": 10**30},
        {"title": "Lone \ud800 surrogate"},
        {"start_year": 10**30},
        {"latitude": 10**400},
        {"links": [{"url": "https://x.example/" + "a" * 5000}]},
    ],
)
def test_no_record_makes_a_500(
    client: FlaskClient, admin: dict[str, str], changes: dict[str, Any]
) -> None:
    response = client.post(
        "/api/cases",
        data=json.dumps(record(**changes)),
        headers=admin,
        content_type="application/json",
    )
    assert set(changes) <= set(assert_error(response, 422)["errors"])


def test_a_nul_character_makes_no_500(
    client: FlaskClient, admin: dict[str, str], database_url: str
) -> None:
    response = client.post("/api/cases", json=record(title="Nul\x00tegn i titlen"), headers=admin)
    assert assert_error(response, 422)["errors"] == {
        "title": ["Contains a NUL character or invalid Unicode."]
    }


def test_an_unknown_api_address_is_a_json_404(client: FlaskClient) -> None:
    assert "/api/nothing" in assert_error(client.get("/api/nothing"), 404)["message"]


# --- vocabularies, OpenAPI, docs, health ------------------------------------------------------


def test_vocabularies_have_the_shape_of_the_spec(client: FlaskClient) -> None:
    body = client.get("/api/vocabularies").get_json()
    assert {name: len(terms) for name, terms in body.items()} == VOCABULARY_COUNTS
    assert list(body) == list(VOCABULARY_COUNTS)[:3] + ["status", "region", "municipality"]
    form = body["collaboration_form"][0]
    assert {k: form[k] for k in ("value", "label_da", "label_en")} == {
        "value": "strategisk-partnerskab",
        "label_da": "Strategisk partnerskab",
        "label_en": "Strategic partnership",
    }
    # What each form means, with its source (contract section 13).
    for term in body["collaboration_form"]:
        assert term["description_da"] and term["description_en"], term["value"]
        assert term["source"]["url"].startswith("http"), term["value"]
    assert "uden at der er indgået en kontrakt" in form["description_da"]
    assert "without signing a contract" in form["description_en"]
    for name, terms in body.items():
        extra = {"region", "code", "lat", "lon"} if name == "municipality" else set()
        if name == "collaboration_form":
            extra = {"description_da", "description_en", "source"}
        assert all(set(t) == {"value", "label_da", "label_en"} | extra for t in terms)
    copenhagen = next(t for t in body["municipality"] if t["value"] == "København")
    assert (copenhagen["region"], copenhagen["code"]) == ("hovedstaden", "0101")


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_openapi_is_valid_and_describes_every_endpoint(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    schemathesis.openapi.from_dict(spec).validate()  # the OpenAPI 3.0 JSON Schema
    assert spec["openapi"].startswith("3.")
    assert sorted(spec["paths"]) == sorted(API_PATHS)
    operations = {
        (path, method)
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "delete"}
    }
    assert operations == {
        ("/api/cases", "get"),
        ("/api/cases", "post"),
        ("/api/cases/{ref}", "get"),
        ("/api/cases/{ref}", "put"),
        ("/api/cases/{ref}", "delete"),
        ("/api/cases/{ref}/similar", "get"),
        ("/api/cases/{ref}/history", "get"),
        ("/api/cases/{ref}/versions/{version}", "get"),
        ("/api/cases/{ref}/restore", "post"),
        ("/api/cases/{ref}/citation", "get"),
        ("/api/imports", "post"),
        ("/api/export", "get"),
        ("/api/vocabularies", "get"),
        ("/api/thesaurus", "get"),
        ("/api/crosstab", "get"),
        ("/api/cases.geojson", "get"),
        ("/api/cases/{ref}/documents", "get"),
        ("/api/cases/{ref}/documents", "post"),
        ("/api/cases/{ref}/documents/{document_id}", "delete"),
        ("/healthz", "get"),
        ("/readyz", "get"),
    }
    for ref in set(_refs(spec)):
        node: Any = spec
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
    writes = [
        op
        for item in spec["paths"].values()
        for method, op in item.items()
        if method in {"post", "put", "delete"}
    ]
    assert all(op["security"] == [{"bearerAuth": []}] for op in writes)
    report_schema = spec["components"]["schemas"]["ImportReport"]
    assert "errors_total" in report_schema["required"]
    assert report_schema["properties"]["errors_total"]["type"] == "integer"
    search = spec["paths"]["/api/cases"]["get"]
    assert {p["name"] for p in search["parameters"]} == {
        "q",
        *FACET_KEYS[:-1],
        "year_from",
        "year_to",
        "sort",
        "page",
        "per_page",
        "exact",
    }
    assert "422" in spec["paths"]["/api/cases"]["post"]["responses"]
    record_schema = spec["components"]["schemas"]["Record"]
    assert record_schema["properties"]["start_year"]["minimum"] == 1970


def test_docs_page_is_swagger_ui_served_by_the_app(client: FlaskClient) -> None:
    """Swagger UI from the project itself under a strict CSP; that the browser asks no other
    host for anything and can try a call is tested in test_browser.py."""
    response = client.get("/api/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert {
        "/api/docs/assets/swagger-ui/swagger-ui-bundle.js",
        "/api/docs/assets/swagger-ui/swagger-ui.css",
        "/api/docs/assets/apidocs.js",
        "/api/openapi.json",
    } <= set(assets)
    assert [a for a in assets if a.startswith("/")] == [
        a for a in assets if not a.startswith("https://creativecommons.org/")
    ]
    assert "<script>" not in page and "style=" not in page  # no inline script or style
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "'unsafe-" not in csp
    assert "connect-src 'self';" in csp
    for asset in assets:
        if asset.startswith("/"):
            with client.get(asset) as served:  # static files are streamed: close them
                assert served.status_code == 200
    with client.get("/api/docs/assets/apidocs.js") as served:
        assert "validatorUrl: null" in served.get_data(as_text=True)  # no online validator
    with client.get("/api/docs/assets/swagger-ui/LICENSE") as served:
        assert "Apache License" in served.get_data(as_text=True)
    # Every other page keeps the site's own policy.
    assert client.get("/").headers["Content-Security-Policy"] != csp


def test_healthz_says_ok(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


# /readyz, and /healthz without a database: tests/test_health_logs.py


# --- import -----------------------------------------------------------------------------------


def upload(client: FlaskClient, headers: dict[str, str], path: Path, query: str = "") -> Any:
    # The body is encoded in memory: werkzeug's test client would spool a big one to a
    # temporary file that it never closes (a ResourceWarning).
    with path.open("rb") as file:
        boundary, body = encode_multipart({"file": FileStorage(file, filename=path.name)})
    return client.post(
        f"/api/imports{query}",
        data=body,
        headers=headers,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def write_json(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def test_import_dry_run_reports_and_writes_nothing(
    client: FlaskClient, admin: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(uploads))
    path = write_json(tmp_path / "new.json", [record("imp-1"), record("imp-2")])
    response = upload(client, admin, path, "?dry_run=true")
    assert response.status_code == 200
    assert response.get_json() == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "dry_run": True,
        "errors_total": 0,
        "errors": [],
    }
    assert client.get("/api/cases/imp-1").status_code == 404
    assert list(uploads.iterdir()) == []  # the saved upload is deleted


def test_import_writes_and_is_searchable_at_once(
    client: FlaskClient, admin: dict[str, str], tmp_path: Path
) -> None:
    create(client, admin, ref="imp-1")
    path = write_json(
        tmp_path / "cases.json", [record("imp-1", title="Opdateret titel her"), record("imp-2")]
    )
    response = upload(client, admin, path, "?dry_run=false&on_error=abort")
    assert response.get_json() == {
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "rejected": 0,
        "dry_run": False,
        "errors_total": 0,
        "errors": [],
    }
    assert client.get("/api/cases/imp-1").get_json()["version"] == 2
    found = client.get("/api/cases?q=zebrafinker").get_json()
    assert [r["ref"] for r in found["results"]] == ["imp-2"]
    again = upload(client, admin, path).get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


@pytest.mark.parametrize(("on_error", "written"), [("abort", []), ("skip", ["imp-ok"])])
def test_import_with_rejected_records_answers_200_with_the_report(
    client: FlaskClient, admin: dict[str, str], tmp_path: Path, on_error: str, written: list[str]
) -> None:
    path = write_json(
        tmp_path / "mixed.json", [record("imp-ok"), record("imp-bad", themes=["klimaa"])]
    )
    response = upload(client, admin, path, f"?on_error={on_error}")
    assert response.status_code == 200
    report = response.get_json()
    assert report["rejected"] == 1 and report["created"] == len(written)
    assert report["errors_total"] == 1
    assert report["errors"] == [
        {"row": 2, "ref": "imp-bad", "field": "themes", "message": report["errors"][0]["message"]}
    ]
    assert "klima" in report["errors"][0]["message"]
    refs = [r["ref"] for r in client.get("/api/cases?q=zebrafinker").get_json()["results"]]
    assert refs == written


def test_import_detects_the_format_from_the_file_name(
    client: FlaskClient, admin: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(
        "ref;title;description;municipalities;collaboration_forms;themes\n"
        "imp-csv;Zebrafinker i CSV;Beskrivelse;Egedal|Furesø;projektpartnerskab;"
        "byrum\n",
        encoding="utf-8",
    )
    report = upload(client, admin, path).get_json()
    assert (report["created"], report["rejected"]) == (1, 0)
    case = client.get("/api/cases/imp-csv").get_json()
    assert case["municipalities"] == ["Egedal", "Furesø"]


@pytest.mark.parametrize(
    ("content", "name", "mentioned"),
    [
        (b'[{"ref": "x", "title": ', "broken.json", "broken.json"),
        (b"", "empty.csv", "empty.csv"),
        (b"\x00\x01\x02 binary noise \xff\xfe" * 10, "noise.csv", "noise.csv"),
    ],
)
def test_an_unreadable_import_file_is_400_and_named(
    client: FlaskClient,
    admin: dict[str, str],
    tmp_path: Path,
    content: bytes,
    name: str,
    mentioned: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    body = assert_error(upload(client, admin, path), 400)
    assert mentioned in body["message"]
    assert "casebase-import-" not in body["message"]  # no server-side temporary path


@pytest.mark.parametrize(
    "query", ["?dry_run=maybe", "?on_error=ignore", "?format=pdf", "?dryrun=true"]
)
def test_import_rejects_bad_parameters(
    client: FlaskClient, admin: dict[str, str], tmp_path: Path, query: str
) -> None:
    path = write_json(tmp_path / "one.json", [record("imp-1")])
    assert_error(upload(client, admin, path, query), 400)
    assert client.get("/api/cases/imp-1").status_code == 404


def test_import_without_a_file_is_400(client: FlaskClient, admin: dict[str, str]) -> None:
    response = client.post(
        "/api/imports", data={"other": "x"}, headers=admin, content_type="multipart/form-data"
    )
    assert "'file'" in assert_error(response, 400)["message"]


def test_an_upload_over_the_limit_is_413(
    make_app: Callable[..., Flask], admin: dict[str, str], tmp_path: Path
) -> None:
    client = make_app(MAX_CONTENT_LENGTH=10_000).test_client()
    path = write_json(tmp_path / "big.json", [record(f"imp-{i}") for i in range(50)])
    body = assert_error(upload(client, admin, path), 413)
    assert "at most 10000 bytes" in body["message"]
    assert client.get("/api/cases/imp-1").status_code == 404


def test_import_report_lists_at_most_the_configured_errors_and_counts_all(
    app: Flask, client: FlaskClient, admin: dict[str, str], tmp_path: Path
) -> None:
    app.config["IMPORT_MAX_ERRORS"] = 3
    bad = [record(f"imp-{i}", themes=["klimaa"], municipalities=["Atlantis"]) for i in range(4)]
    report = upload(client, admin, write_json(tmp_path / "bad.json", bad)).get_json()
    assert (report["rejected"], report["errors_total"], len(report["errors"])) == (4, 8, 3)


def test_an_import_error_echoes_a_huge_value_cut(
    client: FlaskClient, admin: dict[str, str], tmp_path: Path
) -> None:
    path = write_json(tmp_path / "huge.json", [record("x" * 1_000_000, themes=["y" * 1_000_000])])
    response = upload(client, admin, path)
    assert len(response.get_data()) < 3_000
    errors = response.get_json()["errors"]
    assert {e["field"] for e in errors} == {"ref", "themes"}
    assert all(e["ref"] == "x" * 199 + "…" for e in errors)


def test_json_nested_a_million_deep_is_400_in_one_line(
    client: FlaskClient, admin: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 1_000_000 + "]" * 1_000_000, encoding="utf-8")
    body = assert_error(upload(client, admin, path), 400)
    assert body["message"] == "deep.json: record 1 (line 1) is nested more than 100 levels deep"


def test_an_import_past_its_deadline_is_refused_and_writes_nothing(
    app: Flask, client: FlaskClient, admin: dict[str, str], tmp_path: Path
) -> None:
    app.config["IMPORT_TIMEOUT_S"] = 0
    path = write_json(tmp_path / "slow.json", [record("imp-slow")])
    body = assert_error(upload(client, admin, path), 400)
    assert "took longer than 0 s" in body["message"] and "nothing was written" in body["message"]
    assert client.get("/api/cases/imp-slow").status_code == 404


def _break_the_database(service: Casebase) -> None:
    """Rename the cases table away: the import then fails in a way no one planned for."""
    with service.db.engine.begin() as connection:
        connection.execute(sqlalchemy.text("ALTER TABLE cases RENAME TO cases_gone"))


@pytest.mark.parametrize("failure", ["unreadable", "rejected", "deadline", "broken database"])
def test_an_uploads_temporary_folder_is_removed_on_every_path(
    app: Flask,
    service: Casebase,
    client: FlaskClient,
    admin: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(uploads))
    path = write_json(tmp_path / "cases.json", [record("imp-1"), record("imp-2", themes=[])])
    expected = {"unreadable": 400, "rejected": 200, "deadline": 400, "broken database": 500}
    if failure == "unreadable":
        path.write_text("[" * 1_000_000, encoding="utf-8")
    elif failure == "deadline":
        app.config["IMPORT_TIMEOUT_S"] = 0
    elif failure == "broken database":
        _break_the_database(service)
    response = upload(client, admin, path)
    assert response.status_code == expected[failure]
    assert list(uploads.iterdir()) == []


# --- export -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("json", "application/json"),
        ("jsonl", "application/x-ndjson"),
        ("csv", "text/csv; charset=utf-8"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_export_is_an_attachment_in_the_format(
    seeded: Casebase, client: FlaskClient, fmt: str, content_type: str
) -> None:
    response = client.get(f"/api/export?format={fmt}&theme=klima")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="casebase-export.{fmt}"'
    )
    expected = client.get("/api/cases?theme=klima").get_json()["total"]
    data = response.get_data()
    if fmt == "json":
        rows = json.loads(data)
    elif fmt == "jsonl":
        rows = [json.loads(line) for line in data.splitlines()]
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))[1:]
    else:
        rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows())[1:]
    assert 0 < len(rows) == expected


def test_export_reads_back_unchanged(
    seeded: Casebase, client: FlaskClient, admin: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "all.json"
    path.write_bytes(client.get("/api/export").get_data())
    report = upload(client, admin, path, "?dry_run=true").get_json()
    assert (report["unchanged"], report["created"], report["updated"]) == (SEED_COUNT, 0, 0)


@pytest.mark.parametrize("query", ["format=pdf", "theme=nope", "page=0", "colour=red"])
def test_export_rejects_bad_parameters(client: FlaskClient, query: str) -> None:
    assert_error(client.get(f"/api/export?{query}"), 400)


def _export_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "casebase-export"]


def _wait_for_no_export_thread() -> None:
    deadline = time.monotonic() + 10
    while _export_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _export_threads() == []


def test_an_abandoned_export_stops_writing(
    seeded: Casebase, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small chunks and a queue of one: the export would wait for the client for ever.
    monkeypatch.setattr(streaming, "CHUNK_BYTES", 512)
    monkeypatch.setattr(streaming, "QUEUE_CHUNKS", 1)
    head = client.head("/api/export?format=jsonl")
    assert (head.status_code, head.data) == (200, b"")
    head.close()
    _wait_for_no_export_thread()
    response = client.get("/api/export?format=jsonl", buffered=False)
    try:
        assert next(iter(response.response)).startswith(b'{"ref": ')
    finally:
        response.close()
    _wait_for_no_export_thread()
    whole = client.get("/api/export?format=jsonl")
    assert len(whole.get_data().splitlines()) == SEED_COUNT


def test_an_export_that_fails_at_once_is_a_500(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any) -> None:
        raise RuntimeError("index on fire")

    monkeypatch.setattr(get_service(app), "iter_matching", broken)
    assert "fire" not in assert_error(client.get("/api/export?format=csv"), 500)["message"]
    _wait_for_no_export_thread()


# --- refs that would leave their URL, texts no spreadsheet cell holds ---------------------


@pytest.mark.parametrize("ref", [".", "..", "-start", "_start", ".hidden"])
def test_refs_start_with_a_letter_or_digit(
    client: FlaskClient, admin: dict[str, str], ref: str
) -> None:
    body = assert_error(client.post("/api/cases", json=record(ref=ref), headers=admin), 422)
    assert "letter or digit" in body["errors"]["ref"][0]


@pytest.mark.parametrize("field", ["description", "results"])
def test_a_text_longer_than_a_spreadsheet_cell_is_422(
    client: FlaskClient, admin: dict[str, str], field: str
) -> None:
    too_long = record(**{field: "ord " * 8192 + "x"})
    body = assert_error(client.post("/api/cases", json=too_long, headers=admin), 422)
    assert "32767" in body["errors"][field][0]
    fits = record(**{field: "x" * 32_767})
    assert client.post("/api/cases", json=fits, headers=admin).status_code == 201
    export = client.get("/api/export?format=xlsx")
    assert export.status_code == 200 and export.data.startswith(b"PK")
