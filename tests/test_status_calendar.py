"""A derived status follows the calendar (docs/contract.md section 2): a case whose status was
not given and whose end year has passed is `afsluttet` from the first day of the next year,
without anyone touching it: in the record, the search results, the status facet and filter,
and exports. The date comes from the CASEBASE_TODAY setting (clock.py)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from conftest import search_body

from casebase.db import MIGRATIONS_DIR, Database
from casebase.services import Casebase

NEW_YEARS_EVE = "2025-12-31"
NEW_YEAR = "2026-01-01"


def case(ref: str, **fields: object) -> dict[str, object]:
    return {
        "ref": ref,
        "title": f"Kalenderprøve {ref}",
        "description": "En sag hvis status følger kalenderen.",
        "municipalities": ["Aarhus"],
        "collaboration_forms": ["borgerinddragelse"],
        "themes": ["byrum"],
        "start_year": 2020,
        **fields,
    }


@pytest.fixture
def calendar(service: Casebase, monkeypatch: pytest.MonkeyPatch) -> Casebase:
    """Four cases written on New Year's Eve 2025."""
    monkeypatch.setenv("CASEBASE_TODAY", NEW_YEARS_EVE)
    service.create_case(case("ends-2025", end_year=2025), "test")
    service.create_case(case("ends-2026", end_year=2026), "test")
    service.create_case(case("open-ended"), "test")
    # Given: the status the writer chose stays, whatever the calendar says.
    service.create_case(case("kept-open", end_year=2024, status="igangvaerende"), "test")
    return service


def statuses(service: Casebase, **args: list[str]) -> dict[str, str]:
    body = search_body(service, {"per_page": ["100"], **args})
    return {hit["ref"]: hit["status"] for hit in body["results"]}


def status_facet(service: Casebase) -> dict[str, int]:
    body = search_body(service, {})
    return {bucket["value"]: bucket["count"] for bucket in body["facets"]["status"]}


def exported(service: Casebase) -> dict[str, str]:
    out = io.BytesIO()
    service.export(None, "json", out)
    return {record["ref"]: record["status"] for record in json.loads(out.getvalue())}


BEFORE = {
    "ends-2025": "igangvaerende",
    "ends-2026": "igangvaerende",
    "open-ended": "igangvaerende",
    "kept-open": "igangvaerende",
}
AFTER = {**BEFORE, "ends-2025": "afsluttet"}


def test_on_new_years_eve_the_case_is_still_ongoing(calendar: Casebase) -> None:
    assert statuses(calendar) == BEFORE
    assert status_facet(calendar) == {"igangvaerende": 4}
    assert calendar.get_case("ends-2025")["status"] == "igangvaerende"


def test_on_new_years_day_the_ended_case_is_completed_everywhere(
    calendar: Casebase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEBASE_TODAY", NEW_YEAR)
    assert calendar.get_case("ends-2025")["status"] == "afsluttet"
    assert statuses(calendar) == AFTER
    assert status_facet(calendar) == {"igangvaerende": 3, "afsluttet": 1}
    assert statuses(calendar, status=["afsluttet"]) == {"ends-2025": "afsluttet"}
    assert exported(calendar) == AFTER
    assert calendar.check().agrees
    # Nobody touched the case: its version is the one it was written with.
    assert calendar.get_case("ends-2025")["version"] == 1


def test_every_server_of_one_database_turns_the_year_with_its_own_index(
    calendar: Casebase, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    other = Casebase(calendar.db.url, tmp_path / "other-index")
    try:
        assert statuses(other) == BEFORE
        monkeypatch.setenv("CASEBASE_TODAY", NEW_YEAR)
        assert statuses(other) == AFTER
        assert statuses(calendar) == AFTER
    finally:
        other.close()


def test_the_year_turns_through_the_api(
    calendar: Casebase, client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEBASE_TODAY", NEW_YEAR)
    assert client.get("/api/cases/ends-2025").get_json()["status"] == "afsluttet"
    found = client.get("/api/cases?status=afsluttet").get_json()
    assert [hit["ref"] for hit in found["results"]] == ["ends-2025"]


def test_an_export_read_back_after_the_year_turned_changes_nothing(
    calendar: Casebase, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("CASEBASE_TODAY", NEW_YEAR)
    path = tmp_path / "export.json"
    with open(path, "wb") as out:
        calendar.export(None, "json", out)
    report = calendar.import_files([path])
    assert (report.unchanged, report.updated) == (4, 0)
    # Still derived: it follows the calendar on (backwards, here, for the test's sake).
    monkeypatch.setenv("CASEBASE_TODAY", NEW_YEARS_EVE)
    assert statuses(calendar) == BEFORE


def test_a_status_sent_back_as_read_keeps_following_the_calendar(
    calendar: Casebase, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = calendar.get_case("ends-2026")  # igangvaerende, as the calendar says in 2025
    calendar.replace_case("ends-2026", {**record, "title": "Kalenderprøve, rettet"}, "test")
    monkeypatch.setenv("CASEBASE_TODAY", "2027-01-01")
    assert calendar.get_case("ends-2026")["status"] == "afsluttet"


def test_a_given_status_that_differs_from_the_calendar_is_kept(
    calendar: Casebase, monkeypatch: pytest.MonkeyPatch
) -> None:
    calendar.replace_case("ends-2026", case("ends-2026", end_year=2026, status="planlagt"), "t")
    monkeypatch.setenv("CASEBASE_TODAY", "2030-06-01")
    assert calendar.get_case("ends-2026")["status"] == "planlagt"
    assert calendar.get_case("kept-open")["status"] == "igangvaerende"
    assert statuses(calendar)["kept-open"] == "igangvaerende"


def test_the_migration_tells_derived_statuses_from_given_ones(database_url: str) -> None:
    """Rows written before statuses followed the calendar: a status that equals what the
    calendar gave when the row was written counts as derived."""
    db = Database(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0002")
        written = datetime(2024, 5, 1, tzinfo=UTC)
        rows = [
            ("derived-open", 2024, "igangvaerende"),  # ongoing in 2024: derived
            ("derived-done", 2023, "afsluttet"),  # ended before 2024: derived
            ("given-open", 2020, "igangvaerende"),  # ended, yet ongoing: given
            ("given-planned", None, "planlagt"),  # never derived
        ]
        with db.engine.begin() as connection:
            for ref, end_year, status in rows:
                connection.execute(
                    sa.text(
                        "INSERT INTO cases (ref, title, description, end_year, status, version,"
                        " created_at, updated_at) VALUES (:ref, 'Titel', 'Tekst', :end, :status,"
                        " 1, :at, :at)"
                    ),
                    {"ref": ref, "end": end_year, "status": status, "at": written},
                )
        db.upgrade()
        with db.engine.connect() as connection:
            stored = dict(connection.execute(sa.text("SELECT ref, status FROM cases")).all())
        assert stored == {
            "derived-open": None,
            "derived-done": None,
            "given-open": "igangvaerende",
            "given-planned": "planlagt",
        }
    finally:
        db.dispose()
