"""`casebase backup` and `casebase restore` (docs/contract.md section 12, docs/backup.md) on
SQLite and PostgreSQL: a consistent snapshot while the database is written, a documented
format, and a restored instance that answers every search as the original did, with the same
history and the same users."""

from __future__ import annotations

import base64
import json
import threading
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import SEED_DIR, run_cli, search_body

from casebase.db import Database
from casebase.errors import UnreadableFile
from casebase.services import Casebase

SEARCHES: list[dict[str, list[str]]] = [
    {},
    {"q": ["partnerskab"]},
    {"q": ["borgerinddragelse"], "region": ["midtjylland"]},
    {"q": ["byfornyelse"], "sort": ["title"], "per_page": ["50"]},
    {"collaboration_form": ["projektpartnerskab"], "year_from": ["2010"]},
    {"q": ['"gode eksempler"']},
    {"theme": ["klima", "byrum"], "status": ["afsluttet"], "page": ["2"], "per_page": ["5"]},
]
RECORD = {
    "ref": "backup-1",
    "title": "Sikkerhedskopi af Ærøskøbing",
    "description": "En sag der ændres og slettes, så historikken har noget at vise.",
    "municipalities": ["Ærø"],
    "collaboration_forms": ["borgerinddragelse"],
    "themes": ["kulturarv"],
}


def table_rows(db: Database) -> dict[str, list[tuple]]:
    """Every row of every table of a database, in order: whatever tables exist."""
    metadata = sa.MetaData()
    with db.engine.connect() as connection:
        metadata.reflect(bind=connection)
        return {
            table.name: [
                tuple(_comparable(value) for value in row)
                for row in connection.execute(sa.select(table).order_by(*table.primary_key))
            ]
            for table in metadata.sorted_tables
            if table.name != "alembic_version"
        }


def _comparable(value: Any) -> Any:
    """SQLite keeps times without their zone (they are UTC); PostgreSQL with it."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


@pytest.fixture
def original(seeded: Casebase) -> tuple[Casebase, str]:
    """The seed data, an admin with a token, and a case that was created, changed and deleted."""
    seeded.create_user("boss", "secret-password-1", admin=True)
    token = seeded.create_token("boss")
    seeded.create_case(RECORD, "boss")
    seeded.replace_case("backup-1", {**RECORD, "title": "Sikkerhedskopi, rettet"}, "boss")
    seeded.delete_case("backup-1", "boss")
    seeded.create_case({**RECORD, "ref": "backup-2"}, "boss")
    return seeded, token


def fresh(url: str, tmp_path: Path, name: str) -> Casebase:
    return Casebase(url, tmp_path / name)


def restore_into(url: str, backup: Path, env: dict[str, str], index: Path) -> Any:
    return run_cli(
        ["restore", str(backup)],
        env | {"CASEBASE_DATABASE_URL": url, "CASEBASE_INDEX_DIR": str(index)},
    )


def empty_database(database_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Another empty database of the same kind as this test's."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored.db'}"
    return request.getfixturevalue("pg_cluster").fresh_database("restored")


def test_a_restored_instance_answers_as_the_original(
    original: tuple[Casebase, str],
    env: dict[str, str],
    database_url: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    service, token = original
    backup = tmp_path / "casebase-backup.zip"
    service.backup(backup)
    target = empty_database(database_url, request, tmp_path)
    restored = restore_into(target, backup, env, tmp_path / "restored-index")
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith(f"restored from {backup}: 91 cases, ")
    copy = fresh(target, tmp_path, "restored-index")
    try:
        assert table_rows(copy.db) == table_rows(service.db)  # history, users, tokens, all
        for args in SEARCHES:
            mine, theirs = search_body(copy, args), search_body(service, args)
            assert (mine["total"], mine["facets"]) == (theirs["total"], theirs["facets"]), args
        # An index updated in place counts deleted documents in its word statistics until
        # its segments merge; built afresh from the same data, the two answer alike.
        service.reindex()
        for args in SEARCHES:
            assert search_body(copy, args) == search_body(service, args), args
        assert copy.get_case("backup-2") == service.get_case("backup-2")
        assert copy.authenticate("boss", "secret-password-1") is not None
        assert copy.user_for_token(token) == ("boss", True)
        assert copy.check().agrees
        # New rows continue after the restored ones (PostgreSQL's sequences moved on).
        copy.create_case({**RECORD, "ref": "after-restore"}, "boss")
        assert copy.recent_changes(1)[0].ref == "after-restore"
        copy.create_token("boss")
    finally:
        copy.close()


@pytest.mark.postgres
def test_a_backup_restores_into_the_other_kind_of_database(
    original: tuple[Casebase, str], database_url: str, tmp_path: Path, pg_cluster: Any
) -> None:
    """SQLite to PostgreSQL (a site outgrowing its file) and back."""
    service, token = original
    backup = tmp_path / "moving.zip"
    service.backup(backup)
    if database_url.startswith("sqlite"):
        other = pg_cluster.fresh_database("moved")
    else:
        other = f"sqlite:///{tmp_path / 'moved.db'}"
    target = fresh(other, tmp_path, "moved-index")
    try:
        target.restore(backup)
        assert table_rows(target.db) == table_rows(service.db)
        service.reindex()
        for args in SEARCHES[:3]:
            assert search_body(target, args) == search_body(service, args), args
        assert target.user_for_token(token) == ("boss", True)
    finally:
        target.close()


def test_the_format_is_a_zip_of_a_manifest_and_json_lines(
    original: tuple[Casebase, str], tmp_path: Path
) -> None:
    service, _ = original
    backup = tmp_path / "backup.zip"
    service.backup(backup)
    with zipfile.ZipFile(backup) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["format"] == "casebase-backup"
        assert manifest["format_version"] == 1
        assert manifest["casebase_version"] == version("casebase")
        with service.db.engine.connect() as connection:
            head = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        assert manifest["schema_revision"] == head
        tables = {table["name"]: table for table in manifest["tables"]}
        assert set(tables) == set(table_rows(service.db))
        for table in tables.values():
            lines = archive.read(table["file"]).decode("utf-8").splitlines()
            assert len(lines) == table["rows"]
            assert all(
                set(json.loads(line)) == {c["name"] for c in table["columns"]} for line in lines
            )
        assert tables["cases"]["rows"] == 91
        assert {"name": "created_at", "encoding": "datetime"} in tables["cases"]["columns"]
        case = json.loads(archive.read(tables["cases"]["file"]).decode().splitlines()[0])
        assert datetime.fromisoformat(case["created_at"]).tzinfo == UTC


def probe_table(metadata: sa.MetaData) -> sa.Table:
    """A table casebase knows nothing of, with a value of every kind the format writes."""
    return sa.Table(
        "probe",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("blob", sa.LargeBinary),
        sa.Column("at", sa.DateTime(timezone=True)),
        sa.Column("day", sa.Date),
        sa.Column("amount", sa.Numeric(12, 2)),
        sa.Column("ratio", sa.Float),
        sa.Column("flag", sa.Boolean),
        sa.Column("text", sa.Text),
    )


def test_tables_it_does_not_know_and_binary_data_are_backed_up(
    service: Casebase, database_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Backup reads the tables the database has (a table added later needs no change), and
    writes binary data as base64."""
    metadata = sa.MetaData()
    probe = probe_table(metadata)
    row = {
        "id": 7,
        "blob": bytes(range(256)),
        "at": datetime(2024, 2, 29, 23, 59, 58, tzinfo=UTC),
        "day": date(1999, 12, 31),
        "amount": Decimal("1250000.50"),
        "ratio": 0.125,
        "flag": True,
        "text": "Æblehaven i Ærøskøbing ☃",
    }
    metadata.create_all(service.db.engine)
    with service.db.engine.begin() as connection:
        connection.execute(probe.insert(), row)
        connection.execute(probe.insert(), {"id": 8})
    backup = tmp_path / "probe.zip"
    service.backup(backup)
    with zipfile.ZipFile(backup) as archive:
        (described,) = [
            t for t in json.loads(archive.read("manifest.json"))["tables"] if t["name"] == "probe"
        ]
        first = json.loads(archive.read(described["file"]).decode().splitlines()[0])
    assert {"name": "blob", "encoding": "base64"} in described["columns"]
    assert base64.b64decode(first["blob"]) == bytes(range(256))
    target = fresh(empty_database(service.db.url, request, tmp_path), tmp_path, "probe-index")
    try:
        metadata.create_all(target.db.engine)  # the migration that made it, in real life
        target.restore(backup)
        assert table_rows(target.db)["probe"] == table_rows(service.db)["probe"]
    finally:
        target.close()


def test_restore_refuses_a_database_that_is_not_empty(
    original: tuple[Casebase, str], env: dict[str, str], tmp_path: Path
) -> None:
    service, _ = original
    backup = tmp_path / "backup.zip"
    made = run_cli(["backup", str(backup)], env)
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(f"backup written to {backup}: 91 cases, ")
    before = table_rows(service.db)
    refused = run_cli(["restore", str(backup)], env)
    assert refused.returncode == 1
    assert refused.stderr.startswith("casebase: the database is not empty: ")
    assert len(refused.stderr.splitlines()) == 1
    assert table_rows(service.db) == before


def damaged(backup: Path, tmp_path: Path, change: str) -> Path:
    """A copy of a backup with one thing wrong."""
    with zipfile.ZipFile(backup) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members["manifest.json"])
    cases = "tables/cases.jsonl"
    if change == "no manifest":
        del members["manifest.json"]
    elif change == "other version":
        manifest["format_version"] = 99
    elif change == "unknown revision":
        manifest["schema_revision"] = "9999_from_the_future"
    elif change == "truncated line":
        members[cases] = members[cases][:-40]
    elif change == "row count":
        next(t for t in manifest["tables"] if t["name"] == "cases")["rows"] += 1
    elif change == "duplicate row":
        lines = members[cases].splitlines(keepends=True)
        members[cases] = b"".join([*lines, lines[0]])
        next(t for t in manifest["tables"] if t["name"] == "cases")["rows"] += 1
    elif change == "bad value":
        line = json.loads(members[cases].splitlines()[0])
        members[cases] = json.dumps({**line, "created_at": "yesterday"}).encode() + b"\n"
        next(t for t in manifest["tables"] if t["name"] == "cases")["rows"] = 1
    if change != "no manifest":
        members["manifest.json"] = json.dumps(manifest).encode()
    path = tmp_path / f"{change.replace(' ', '-')}.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.fixture(scope="module")
def good_backup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of the seed data (taken from SQLite once for the tests that damage it)."""
    folder = tmp_path_factory.mktemp("good-backup")
    source = Casebase(f"sqlite:///{folder / 'source.db'}", folder / "index")
    try:
        source.init_db()
        source.import_files(sorted(SEED_DIR.glob("cases*.json")))
        source.backup(folder / "backup.zip")
    finally:
        source.close()
    return folder / "backup.zip"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("no manifest", "not a casebase backup (no manifest.json)"),
        ("other version", "backup format version 99; this casebase reads version 1"),
        ("unknown revision", "made with schema revision '9999_from_the_future'"),
        ("truncated line", "tables/cases.jsonl is damaged or not JSON Lines"),
        ("row count", "tables/cases.jsonl holds 90 rows, the manifest says 91"),
        ("duplicate row", "the database refused rows of table cases"),
        ("bad value", "tables/cases.jsonl, line 1: not a row of table cases"),
    ],
)
def test_a_damaged_backup_is_refused_and_restores_nothing(
    good_backup: Path, database_url: str, tmp_path: Path, change: str, message: str
) -> None:
    bad = damaged(good_backup, tmp_path, change)
    target = fresh(database_url, tmp_path, "index")
    try:
        with pytest.raises(UnreadableFile) as refused:
            target.restore(bad)
        assert refused.value.message.startswith(f"{bad}: ")
        assert message in refused.value.message
        # Nothing was written: the same database takes the good backup afterwards.
        assert target.restore(good_backup).rows["cases"] == 90
    finally:
        target.close()


def test_an_unreadable_backup_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "not-a-zip.zip"
    bad.write_bytes(b"PK\x03\x04 but not really")
    settings = {
        "CASEBASE_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
        "CASEBASE_INDEX_DIR": str(tmp_path / "index"),
        "CASEBASE_INSTANCE_DIR": str(tmp_path / "instance"),
    }
    refused = run_cli(["restore", str(bad)], settings)
    assert (refused.returncode, refused.stderr) == (
        2,
        f"casebase: {bad}: not a casebase backup (not a zip file)\n",
    )


def test_backup_of_a_database_never_set_up_is_one_line(env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli(["backup", str(tmp_path / "b.zip")], env)
    assert result.returncode == 2
    assert result.stderr == (
        "casebase: the database has no casebase schema: run `casebase init` first\n"
    )
    assert not (tmp_path / "b.zip").exists()


def replayed(rows: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """The cases (ref -> version) that a backup's change log says exist."""
    alive: dict[str, int] = {}
    for change in sorted(rows["changes"], key=lambda c: c["seq"]):
        if change["action"] == "deleted":
            alive.pop(change["ref"], None)
        else:
            alive[change["ref"]] = change["version"]
    return alive


def backup_rows(backup: Path) -> dict[str, list[dict[str, Any]]]:
    with zipfile.ZipFile(backup) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        return {
            t["name"]: [json.loads(line) for line in archive.read(t["file"]).splitlines()]
            for t in manifest["tables"]
        }


def test_a_backup_taken_while_writers_write_is_one_moment(
    service: Casebase, env: dict[str, str], tmp_path: Path
) -> None:
    """Tables read at different moments would disagree: cases without their terms, a change
    log that does not match the cases."""
    service.import_files(sorted(SEED_DIR.glob("cases*.json")))
    writer = Casebase(env["CASEBASE_DATABASE_URL"], tmp_path / "writer-index")
    stop = threading.Event()
    written = [0]

    def write() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            ref = f"during-{n}"
            writer.create_case({**RECORD, "ref": ref}, "writer")
            writer.replace_case(ref, {**RECORD, "ref": ref, "title": f"Ændret {n} gange"}, "w")
            if n % 2:
                writer.delete_case(ref, "writer")
            written[0] = n

    thread = threading.Thread(target=write)
    thread.start()
    try:
        for attempt in range(5):
            before = written[0]
            backup = tmp_path / f"during-{attempt}.zip"
            service.backup(backup)
            if written[0] > before:  # writes happened while it ran
                break
    finally:
        stop.set()
        thread.join(timeout=60)
        writer.close()
    assert written[0] > before, "no write happened during a backup"
    rows = backup_rows(backup)
    cases = {case["id"]: case for case in rows["cases"]}
    assert {c["ref"]: c["version"] for c in cases.values()} == replayed(rows)
    assert {term["case_id"] for term in rows["case_terms"]} == set(cases)


def test_documents_travel_with_a_backup(
    service: Casebase, database_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The documents' rows and their files: restored into another database and another
    document folder, the file downloads as it was and its text is found."""
    from documentfiles import make_pdf

    pdf = make_pdf(["Evaluering", "Kvistlamperne i opgangen blev skiftet."])
    service.create_case({**RECORD, "ref": "with-doc"}, "boss")
    added = service.documents.add("with-doc", pdf, "rapport.pdf", {"kind": "evaluering"}, None)
    backup = tmp_path / "with-documents.zip"
    service.backup(backup)
    assert f"documents/{added['sha256']}" in zipfile.ZipFile(backup).namelist()
    target = empty_database(database_url, request, tmp_path)
    copy = Casebase(target, tmp_path / "copy-index", document_dir=tmp_path / "copy-documents")
    try:
        copy.restore(backup)
        listed = copy.documents.list("with-doc")
        assert [d["sha256"] for d in listed] == [added["sha256"]]
        _, path = copy.documents.file(listed[0]["id"], listed[0]["filename"])
        assert path.read_bytes() == pdf and str(path).startswith(str(tmp_path / "copy-documents"))
        found = copy.search(copy.parse_search({"q": ["kvistlamperne"]}))
        assert [hit.ref for hit in found.results] == ["with-doc"]
    finally:
        copy.close()
