"""History, old versions, restore and deleted refs (docs/contract.md section 10), through the
API on SQLite and PostgreSQL. Expected changes are computed here from the records the API
answered at each step, not by the code under test."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy
from alembic import command
from alembic.config import Config

from casebase.db import MIGRATIONS_DIR, Database
from casebase.services import Casebase

ADMIN = "admin"
# The record's fields (the import shape) without its ref: what a version's changes may name.
CONTENT_FIELDS = [
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
]
LIST_FIELDS = {"municipalities", "collaboration_forms", "actors", "themes", "funders", "links"}


def record(ref: str = "hist-1", **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "ref": ref,
        "title": "Gårdlav i Ølstykke med kvæggræsning",
        "summary": "Et forsøg med fælles gårdlav.",
        "description": "Beboere og kommune lavede et gårdlav sammen.",
        "municipalities": ["Egedal"],
        "start_year": 2019,
        "end_year": 2021,
        "collaboration_forms": ["projektpartnerskab"],
        "actors": ["kommune", "borgere"],
        "themes": ["byrum"],
        "funders": ["Realdania"],
        "links": [{"title": "Projektside", "url": "https://example.org/gaardlav"}],
    }
    data.update(changes)
    return data


def expected_changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, list]:
    """Each content field whose value differs, [old, new]; absent is null, or [] for a list."""

    def value(body: dict[str, Any] | None, name: str) -> Any:
        if body is None:
            return [] if name in LIST_FIELDS else None
        return body[name]

    return {
        name: [value(old, name), value(new, name)]
        for name in CONTENT_FIELDS
        if value(old, name) != value(new, name)
    }


def content(body: dict[str, Any]) -> dict[str, Any]:
    return {name: body[name] for name in ["ref", *CONTENT_FIELDS]}


def when(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None, text
    return moment


@pytest.fixture
def admin(service: Casebase) -> dict[str, str]:
    service.create_user(ADMIN, "admin-password", admin=True)
    return {"Authorization": f"Bearer {service.create_token(ADMIN)}"}


@pytest.fixture
def reader(service: Casebase) -> dict[str, str]:
    service.create_user("reader", "reader-password")
    return {"Authorization": f"Bearer {service.create_token('reader')}"}


def history(client, ref: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/cases/{ref}/history")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert list(body) == ["ref", "versions"] and body["ref"] == ref
    return body["versions"]


def test_every_write_is_kept_with_who_when_and_what(client, admin):
    started = datetime.now(UTC)
    created = client.post("/api/cases", json=record(), headers=admin).get_json()
    changed = client.put(
        "/api/cases/hist-1",
        json=record(title="Gårdlav i Ølstykke med får", themes=["byrum", "klima"], summary=None),
        headers=admin,
    ).get_json()
    assert client.delete("/api/cases/hist-1", headers=admin).status_code == 204
    restored = client.post("/api/cases/hist-1/restore?version=1", headers=admin)
    assert restored.status_code == 200, restored.get_json()
    restored_body = restored.get_json()
    finished = datetime.now(UTC)

    versions = history(client, "hist-1")
    assert [v["version"] for v in versions] == [4, 3, 2, 1]
    assert [v["action"] for v in versions] == ["restore", "delete", "update", "create"]
    assert {v["changed_by"] for v in versions} == {ADMIN}
    assert {v["source"] for v in versions} == {"api"}
    moments = [when(v["changed_at"]) for v in versions]
    assert started <= moments[-1] and moments[0] <= finished
    assert moments == sorted(moments, reverse=True)
    assert set(versions[0]) == {
        "version",
        "changed_at",
        "changed_by",
        "action",
        "source",
        "changes",
    }

    changes = [v["changes"] for v in reversed(versions)]
    assert changes[0] == expected_changes(None, created)
    assert changes[1] == expected_changes(created, changed)
    assert set(changes[1]) == {"title", "themes", "summary"}
    assert changes[1]["title"] == [
        "Gårdlav i Ølstykke med kvæggræsning",
        "Gårdlav i Ølstykke med får",
    ]
    assert changes[2] == expected_changes(changed, None)
    assert changes[3] == expected_changes(None, restored_body)
    assert content(restored_body) == content(created)
    assert restored_body["version"] == 4


def test_a_version_is_the_record_as_it_was(client, admin):
    created = client.post("/api/cases", json=record(), headers=admin).get_json()
    changed = client.put(
        "/api/cases/hist-1", json=record(start_year=2018, funders=[]), headers=admin
    ).get_json()
    for number, expected in ((1, created), (2, changed)):
        response = client.get(f"/api/cases/hist-1/versions/{number}")
        assert response.status_code == 200
        assert response.get_json() == expected  # the import shape, system fields and labels
    assert client.get("/api/cases/hist-1").get_json() == changed
    assert client.get("/api/cases/hist-1/versions/3").status_code == 404
    assert client.get("/api/cases/hist-1/versions/0").status_code == 404
    assert client.get("/api/cases/hist-1/versions/99999999999999999999").status_code == 404
    assert client.get("/api/cases/hist-1/versions/x").status_code == 404


def test_history_of_an_unknown_ref_is_404(client):
    for path in ("/api/cases/nobody/history", "/api/cases/nobody/versions/1"):
        response = client.get(path)
        assert response.status_code == 404
        assert "nobody" in response.get_json()["message"]


def test_a_deleted_ref_answers_410_with_the_time_of_deletion(client, admin):
    client.post("/api/cases", json=record(), headers=admin)
    assert client.delete("/api/cases/hist-1", headers=admin).status_code == 204
    deleted_at = history(client, "hist-1")[0]["changed_at"]
    for method, path in (
        ("get", "/api/cases/hist-1"),
        ("put", "/api/cases/hist-1"),
        ("delete", "/api/cases/hist-1"),
        ("get", "/api/cases/hist-1/similar"),
        ("get", "/api/cases/hist-1/citation?format=ris"),
        ("get", "/api/cases/hist-1/versions/2"),
    ):
        response = getattr(client, method)(path, json=record(), headers=admin)
        assert response.status_code == 410, (path, response.get_json())
        body = response.get_json()
        assert body["deleted_at"] == deleted_at
        assert "deleted" in body["message"] and "hist-1" in body["message"]
    # History and the versions with content stay readable.
    assert client.get("/api/cases/hist-1/versions/1").status_code == 200
    page = client.get("/cases/hist-1")
    assert page.status_code == 410
    html = page.get_data(as_text=True)
    assert "slettet" in html and "hist-1" in html
    assert f'datetime="{deleted_at}"' in html
    assert client.get("/cases/never-was").status_code == 404


def test_restore_of_an_old_version_is_a_new_version_with_the_old_content(client, admin):
    created = client.post("/api/cases", json=record(), headers=admin).get_json()
    client.put("/api/cases/hist-1", json=record(title="Ændret titel uden gårdlav"), headers=admin)
    response = client.post("/api/cases/hist-1/restore?version=1", headers=admin)
    assert response.status_code == 200
    assert response.headers["ETag"] == '"3"'
    body = response.get_json()
    assert content(body) == content(created)
    assert body["version"] == 3 and body["created_at"] == created["created_at"]
    assert client.get("/api/cases/hist-1").get_json() == body
    found = client.get("/api/cases?q=kvæggræsning").get_json()
    assert [hit["ref"] for hit in found["results"]] == ["hist-1"]
    top = history(client, "hist-1")[0]
    assert (top["version"], top["action"]) == (3, "restore")
    assert top["changes"] == {"title": ["Ændret titel uden gårdlav", created["title"]]}

    # Restoring the content the case already has changes nothing.
    again = client.post("/api/cases/hist-1/restore?version=3", headers=admin)
    assert again.status_code == 200 and again.get_json()["version"] == 3
    assert len(history(client, "hist-1")) == 3


def test_restore_of_a_deleted_case_brings_back_its_last_content(client, admin):
    created = client.post("/api/cases", json=record(), headers=admin).get_json()
    changed = client.put("/api/cases/hist-1", json=record(end_year=2022), headers=admin).get_json()
    client.delete("/api/cases/hist-1", headers=admin)
    assert client.get("/api/cases?q=kvæggræsning").get_json()["total"] == 0

    response = client.post("/api/cases/hist-1/restore", headers=admin)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert content(body) == content(changed)
    assert body["version"] == 4 and body["created_at"] == created["created_at"]
    assert client.get("/api/cases/hist-1").status_code == 200
    assert client.get("/api/cases?q=kvæggræsning").get_json()["total"] == 1
    assert [v["action"] for v in history(client, "hist-1")] == [
        "restore",
        "delete",
        "update",
        "create",
    ]


def test_restore_needs_an_admin(client, admin, reader):
    client.post("/api/cases", json=record(), headers=admin)
    assert client.post("/api/cases/hist-1/restore?version=1").status_code == 401
    assert client.post("/api/cases/hist-1/restore?version=1", headers=reader).status_code == 403


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("", 400, "version"),  # a live case: which version?
        ("?version=2", 400, "deletion"),  # version 2 deleted the case: it holds no record
        ("?version=9", 404, "version 9"),
        ("?version=abc", 400, "version"),
        ("?version=0", 400, "version"),
        ("?version=1&color=red", 400, "color"),
    ],
)
def test_restore_refuses_what_it_cannot_do(client, admin, query, status, words):
    client.post("/api/cases", json=record(), headers=admin)
    client.delete("/api/cases/hist-1", headers=admin)
    client.post("/api/cases/hist-1/restore?version=1", headers=admin)  # version 3, live again
    response = client.post(f"/api/cases/hist-1/restore{query}", headers=admin)
    assert response.status_code == status, response.get_json()
    assert words in response.get_json()["message"].lower()
    assert len(history(client, "hist-1")) == 3


def test_restore_of_an_unknown_ref_is_404_and_if_match_is_checked(client, admin):
    assert client.post("/api/cases/nobody/restore", headers=admin).status_code == 404
    client.post("/api/cases", json=record(), headers=admin)
    client.put("/api/cases/hist-1", json=record(title="Anden titel her"), headers=admin)
    stale = {**admin, "If-Match": '"1"'}
    assert client.post("/api/cases/hist-1/restore?version=1", headers=stale).status_code == 412
    fresh = {**admin, "If-Match": '"2"'}
    assert client.post("/api/cases/hist-1/restore?version=1", headers=fresh).status_code == 200


def test_a_ref_created_again_after_deletion_goes_on_counting(client, admin):
    client.post("/api/cases", json=record(), headers=admin)
    client.delete("/api/cases/hist-1", headers=admin)
    again = client.post("/api/cases", json=record(title="Ny sag med gammelt ref"), headers=admin)
    assert again.status_code == 201 and again.get_json()["version"] == 3
    assert [v["action"] for v in history(client, "hist-1")] == ["create", "delete", "create"]


def test_imports_record_history_in_the_same_transaction(service, client, tmp_path, admin):
    first = tmp_path / "first.json"
    first.write_text(json.dumps([record("imp-1"), record("imp-2"), record("imp-3")]), "utf-8")
    report = service.import_files([first], user="ann")
    assert report.created == 3
    second = tmp_path / "second.json"
    second.write_text(
        json.dumps([record("imp-1", title="Nyt navn til gårdlavet"), record("imp-2")]), "utf-8"
    )
    report = service.import_files([second], user="bo")
    assert (report.updated, report.unchanged) == (1, 1)

    one = history(client, "imp-1")
    assert [(v["version"], v["action"], v["changed_by"], v["source"]) for v in one] == [
        (2, "update", "bo", "import"),
        (1, "create", "ann", "import"),
    ]
    assert one[0]["changes"] == {"title": [record()["title"], "Nyt navn til gårdlavet"]}
    assert [v["version"] for v in history(client, "imp-2")] == [1]
    expected = client.get("/api/cases/imp-3").get_json()
    assert client.get("/api/cases/imp-3/versions/1").get_json() == expected

    # An import that is rolled back leaves no history behind.
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps([record("imp-1", title="Skal ikke gemmes"), {"ref": "imp-9"}]), "utf-8"
    )
    report = service.import_files([bad], user="bo")
    assert report.aborted
    assert len(history(client, "imp-1")) == 2
    assert client.get("/api/cases/imp-9/history").status_code == 404

    # A deleted ref imported again goes on counting.
    client.delete("/api/cases/imp-3", headers=admin)
    again = tmp_path / "again.json"
    again.write_text(json.dumps([record("imp-3")]), "utf-8")
    assert service.import_files([again]).created == 1
    assert [v["version"] for v in history(client, "imp-3")] == [3, 2, 1]
    assert client.get("/api/cases/imp-3").get_json()["version"] == 3


def test_the_command_line_import_names_who_ran_it(runner, client, tmp_path):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([record("cli-1")]), "utf-8")
    assert runner.invoke(["init"]).exit_code == 0
    assert runner.invoke(["import", str(path)]).exit_code == 0
    (entry,) = history(client, "cli-1")
    assert (entry["changed_by"], entry["source"]) == (getpass.getuser(), "import")


def test_a_failed_write_leaves_no_version(client, admin):
    client.post("/api/cases", json=record(), headers=admin)
    bad = client.put("/api/cases/hist-1", json=record(themes=["no-such-theme"]), headers=admin)
    assert bad.status_code == 422
    stale = client.put(
        "/api/cases/hist-1", json=record(title="Aldrig"), headers={**admin, "If-Match": '"7"'}
    )
    assert stale.status_code == 412
    assert [v["version"] for v in history(client, "hist-1")] == [1]


def test_cases_stored_before_history_was_kept_get_their_first_version(database_url, tmp_path):
    """The migration gives each existing case one version: its content as it stands."""
    database = Database(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    moment = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    with database.engine.begin() as connection:
        connection.execute(
            sqlalchemy.text(
                "INSERT INTO cases (id, ref, title, description, status, version, start_year,"
                " created_at, updated_at) VALUES (1, 'old-1', 'En gammel sag om åer',"
                " 'Tekst.', 'afsluttet', 3, 2001, :at, :at)"
            ),
            {"at": moment},
        )
        for field, key in (
            ("municipalities", "Aarhus"),
            ("themes", "klima"),
            ("collaboration_forms", "borgerinddragelse"),
        ):
            connection.execute(
                sqlalchemy.text(
                    "INSERT INTO case_terms (case_id, field, key, position)"
                    " VALUES (1, :field, :key, 0)"
                ),
                {"field": field, "key": key},
            )
        connection.execute(
            sqlalchemy.text(
                "INSERT INTO changes (ref, action, version, user_name, source, at)"
                " VALUES ('old-1', 'updated', 3, 'eva', 'admin', :at)"
            ),
            {"at": moment},
        )
    database.dispose()
    service = Casebase(database_url, tmp_path / "index")
    service.init_db()
    try:
        (entry,) = service.history("old-1")
        assert (entry.version, entry.action, entry.changed_by, entry.source) == (
            3,
            "update",
            "eva",
            "admin",
        )
        assert entry.changed_at == moment
        assert entry.changes == {}  # what came before was not kept
        old = service.case_version("old-1", 3)
        assert old == service.get_case("old-1")
        assert old["municipalities"] == ["Aarhus"] and old["regions"] == ["midtjylland"]
    finally:
        service.close()


def test_a_version_number_that_is_not_a_whole_number_is_404(client):
    assert client.get("/api/cases/x/versions/-1").status_code == 404
