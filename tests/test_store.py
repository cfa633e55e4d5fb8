"""The case store on SQLite and PostgreSQL: migrations, constraints, upserts, the change log."""

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from casebase import store
from casebase.errors import Conflict, NotFound, StaleVersion, ValidationFailed
from casebase.models import Case
from casebase.schemas import load_record

RECORD = {
    "ref": "store-1",
    "title": "Projektpartnerskab i Skive",
    "summary": "Kort resumé.",
    "description": "Beskrivelse af et <b>partnerskab</b>.",
    "results": "Erfaringer.",
    "municipalities": ["Skive", "Viborg"],
    "start_year": 2015,
    "end_year": 2018,
    "collaboration_forms": ["projektpartnerskab", "borgerinddragelse"],
    "actors": ["kommune", "borgere"],
    "themes": ["landdistrikter"],
    "budget_dkk": 1250000,
    "funders": ["Realdania"],
    "contact_org": "Skive Kommune",
    "links": [{"title": "Kilde", "url": "https://example.dk/kilde"}],
    "latitude": 56.57,
    "longitude": 9.03,
}


def test_init_is_idempotent_and_creates_the_tables(service):
    service.init_db()
    service.init_db()
    tables = set(inspect(service.db.engine).get_table_names())
    assert {
        "cases",
        "case_terms",
        "case_funders",
        "case_links",
        "changes",
        "users",
        "api_tokens",
        "alembic_version",
    } <= tables


def test_round_trip_of_a_full_record(service):
    created = service.create_case(RECORD, user="tester")
    for name, value in RECORD.items():
        assert created[name] == value, name
    assert created["regions"] == ["midtjylland"]
    assert created["status"] == "afsluttet"
    assert created["version"] == 1
    assert created["created_at"].endswith("+00:00") and created["updated_at"].endswith("+00:00")
    assert created["labels"]["projektpartnerskab"] == "Projektpartnerskab"
    assert created["labels"]["midtjylland"] == "Region Midtjylland"


def test_upsert_counts_versions_and_logs_changes(service):
    record = load_record(RECORD)
    with service.db.session() as session:
        assert store.upsert(session, record, None, "import", None) == "created"
    with service.db.session() as session:
        case = store.get_case(session, "store-1")
        assert store.upsert(session, record, case, "import", None) == "unchanged"
    with service.db.session() as session:
        case = store.get_case(session, "store-1")
        changed = {**record, "title": "Nyt navn"}
        assert store.upsert(session, changed, case, "import", "ann") == "updated"
    with service.db.session() as session:
        assert store.get_case(session, "store-1").version == 2
        changes = store.recent_changes(session)
        assert [(c.action, c.version, c.user_name) for c in changes] == [
            ("updated", 2, "ann"),
            ("created", 1, None),
        ]
        assert store.latest_seq(session) == changes[0].seq


def test_unique_ref_is_a_database_constraint(service):
    service.create_case(RECORD, user=None)
    with pytest.raises(IntegrityError), service.db.session() as session:
        session.add(Case(ref="store-1", title="x", description="y", status="afsluttet"))
    with pytest.raises(IntegrityError), service.db.session() as session:
        session.execute(
            text(
                "INSERT INTO cases (ref, title, description, status, version, "
                "created_at, updated_at) VALUES ('n', NULL, 'd', 'afsluttet', 1, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )


def test_service_writes_and_their_errors(service):
    service.create_case(RECORD, user="a")
    with pytest.raises(Conflict):
        service.create_case(RECORD, user="a")
    with pytest.raises(ValidationFailed) as caught:
        service.create_case({**RECORD, "ref": "x2", "municipalities": ["Københaven"]}, user="a")
    assert "did you mean 'København'" in caught.value.errors["municipalities"][0]
    updated = service.replace_case(
        "store-1", {**RECORD, "title": "Ændret titel"}, user="b", expected_version=1
    )
    assert updated["version"] == 2 and updated["title"] == "Ændret titel"
    with pytest.raises(StaleVersion):
        service.replace_case("store-1", RECORD, user="b", expected_version=1)
    with pytest.raises(ValidationFailed):
        service.replace_case("store-1", {**RECORD, "ref": "other"}, user="b")
    service.delete_case("store-1", user="c")
    with pytest.raises(NotFound):
        service.get_case("store-1")
    with pytest.raises(NotFound):
        service.delete_case("store-1", user="c")


def test_deleting_a_case_removes_its_terms(service):
    service.create_case(RECORD, user=None)
    service.delete_case("store-1", user=None)
    with service.db.session() as session:
        assert session.scalar(text("SELECT count(*) FROM case_terms")) == 0
        assert session.scalar(text("SELECT count(*) FROM case_links")) == 0


def test_iter_records_streams_in_ref_order(service, monkeypatch):
    monkeypatch.setattr(store, "STREAM_BATCH", 3)
    for i in range(8):
        service.create_case({**RECORD, "ref": f"r-{i}"}, user=None)
    with service.db.session() as session:
        assert [r["ref"] for r in store.iter_records(session)] == [f"r-{i}" for i in range(8)]
        some = [r["ref"] for r in store.iter_records(session, {"r-7", "r-1", "r-4", "nope"})]
        assert some == ["r-1", "r-4", "r-7"]


def test_users_and_tokens(service):
    service.create_user("ann", "correct horse", admin=True)
    service.create_user("bob", "battery staple")
    ann = service.authenticate("ann", "correct horse")
    assert (ann.name, ann.is_admin) == ("ann", True)
    assert service.authenticate("ann", "wrong") is None
    assert service.authenticate("nobody", "correct horse") is None
    token = service.create_token("bob")
    assert service.user_for_token(token) == ("bob", False)
    with service.db.session() as session:
        stored = session.scalar(text("SELECT token_hash FROM api_tokens"))
    assert token not in stored
    assert service.revoke_token(token) == 1
    assert service.user_for_token(token) is None
    with pytest.raises(Conflict):
        service.create_user("ann", "whatever123")
    # Logout and a new password end every session: the generation moves on.
    service.end_sessions("ann")
    assert service.find_user("ann").session_generation == ann.session_generation + 1
    service.set_password("ann", "a new password")
    assert service.find_user("ann").session_generation == ann.session_generation + 2
    assert service.authenticate("ann", "correct horse") is None
    assert service.authenticate("ann", "a new password") is not None
