"""`casebase backup` and `casebase restore`: the whole database as one file (docs/backup.md).

A backup is a zip holding `manifest.json` (the format and its version, the casebase version,
the alembic schema revision, each table's columns and row count) and one JSON Lines file per
table, `tables/<table>.jsonl`, one JSON object per row. It is generic: the tables are those of
the database itself (reflected), so a table that a migration adds is in the next backup without
a change here. All tables are read in one read transaction (REPEATABLE READ on PostgreSQL, one
transaction over SQLite's WAL), so the snapshot is consistent while servers write.

Restore loads a backup into an empty database in one transaction: the schema is brought to the
backup's revision, the rows are inserted, PostgreSQL's sequences are moved past them, and the
schema is upgraded to this casebase's newest; anything wrong and nothing is written.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError

from .db import WRITE_OPTION, Database, alembic_config
from .documents import DocumentStore
from .errors import CasebaseError, DatabaseNotEmpty, UnreadableFile

FORMAT = "casebase-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TABLES_FOLDER = "tables"
# The files of the case documents (docs/contract.md section 13), each named by its SHA-256.
DOCUMENTS_FOLDER = "documents"
# alembic's own bookkeeping: the manifest says the revision instead.
SKIPPED_TABLES = frozenset({"alembic_version"})
BATCH = 1000  # rows read or inserted at a time
# How a column's values are written in JSON, by its type (docs/backup.md).
ENCODINGS = ("plain", "datetime", "date", "time", "decimal", "base64")


@dataclass(frozen=True)
class Summary:
    """What a backup holds: the manifest's essentials."""

    schema_revision: str
    rows: dict[str, int]  # table -> rows

    def line(self) -> str:
        total = sum(self.rows.values())
        cases = self.rows.get("cases", 0)
        return f"{cases} cases, {total} rows in {len(self.rows)} tables"


# --- values in and out of JSON ---------------------------------------------------------------


def encoding_of(column_type: sa.types.TypeEngine[Any]) -> str:
    """How the values of a column of this type are written."""
    if isinstance(column_type, sa.DateTime):
        return "datetime"
    if isinstance(column_type, sa.Date):
        return "date"
    if isinstance(column_type, sa.Time):
        return "time"
    if isinstance(column_type, sa.LargeBinary):
        return "base64"
    if isinstance(column_type, sa.Numeric) and not isinstance(column_type, sa.Float):
        return "decimal"
    return "plain"


def _encode(value: Any, encoding: str) -> Any:
    if value is None:
        return None
    if encoding == "datetime":
        # casebase writes UTC; SQLite hands it back without a zone: say so.
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat()
    if encoding in ("date", "time"):
        return value.isoformat()
    if encoding == "base64":
        return base64.b64encode(bytes(value)).decode("ascii")
    if encoding == "decimal":
        return str(value)
    return value


def _decode(value: Any, encoding: str, column: sa.Column[Any]) -> Any:
    if value is None or encoding == "plain":
        return value
    if encoding == "datetime":
        moment = datetime.fromisoformat(value).astimezone(UTC)
        zoned = getattr(column.type, "timezone", False)
        return moment if zoned else moment.replace(tzinfo=None)
    if encoding == "date":
        return date.fromisoformat(value)
    if encoding == "time":
        return time.fromisoformat(value)
    if encoding == "base64":
        return base64.b64decode(value, validate=True)
    return Decimal(value)


# --- backup ----------------------------------------------------------------------------------


def _tables(connection: sa.Connection) -> list[sa.Table]:
    """The database's own tables, parents before children."""
    metadata = sa.MetaData()
    metadata.reflect(bind=connection)
    return [t for t in metadata.sorted_tables if t.name not in SKIPPED_TABLES]


def _revisions(connection: sa.Connection) -> set[str]:
    """The schema's alembic revisions; none when casebase never set it up."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return set()
    query = sa.text("SELECT version_num FROM alembic_version")
    found: list[Any] = list(connection.execute(query).scalars())
    return {str(value) for value in found}


@contextmanager
def _snapshot(db: Database) -> Iterator[sa.Connection]:
    """One read transaction that sees the database as it was when it began."""
    connection = db.engine.connect()
    if db.is_postgresql:
        connection = connection.execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
    try:
        with connection.begin():
            # SQLite's snapshot starts at the first read: make it now.
            connection.execute(sa.select(sa.literal(1))).scalar()
            yield connection
    finally:
        connection.close()


def write_backup(
    db: Database, path: str | os.PathLike[str], files: DocumentStore | None = None
) -> Summary:
    """Write the whole database to `path` (replaced atomically when complete), with the files
    of the documents it lists from `files`."""
    target = Path(path)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            with _snapshot(db) as connection:
                summary = _write_tables(connection, archive, db)
                if files is not None:
                    _write_documents(connection, archive, files)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return summary


def _write_tables(connection: sa.Connection, archive: zipfile.ZipFile, db: Database) -> Summary:
    revisions = _revisions(connection)
    if not revisions:
        raise CasebaseError("the database has no casebase schema: run `casebase init` first")
    revision = " ".join(sorted(revisions))
    described: list[dict[str, Any]] = []
    for table in _tables(connection):
        columns = [(c.name, encoding_of(c.type)) for c in table.columns]
        name = f"{TABLES_FOLDER}/{table.name}.jsonl"
        with archive.open(name, "w", force_zip64=True) as out:
            rows = _write_rows(connection, table, columns, out)
        described.append(
            {
                "name": table.name,
                "file": name,
                "rows": rows,
                "columns": [{"name": n, "encoding": e} for n, e in columns],
            }
        )
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "casebase_version": version("casebase"),
        "schema_revision": revision,
        "database": db.engine.dialect.name,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tables": described,
    }
    archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return Summary(revision, {t["name"]: t["rows"] for t in described})


def _write_documents(
    connection: sa.Connection, archive: zipfile.ZipFile, files: DocumentStore
) -> None:
    hashes: Iterable[str] = connection.execute(
        sa.text("SELECT DISTINCT sha256 FROM documents")
    ).scalars()
    for sha256 in sorted(hashes):
        with files.open(sha256) as source, archive.open(f"{DOCUMENTS_FOLDER}/{sha256}", "w") as out:
            shutil.copyfileobj(source, out)


def _restore_documents(archive: zipfile.ZipFile, files: DocumentStore, label: str) -> None:
    """Each document file back in the store, checked against its name (its SHA-256)."""
    for member in archive.namelist():
        if member.startswith(DOCUMENTS_FOLDER + "/"):
            expected = member.removeprefix(DOCUMENTS_FOLDER + "/")
            if files.put(archive.read(member)) != expected:
                raise UnreadableFile(f"{label}: {member} does not hold what its name says")


def _write_rows(
    connection: sa.Connection, table: sa.Table, columns: list[tuple[str, str]], out: Any
) -> int:
    order = list(table.primary_key.columns) or list(table.columns)
    result = connection.execution_options(stream_results=True, yield_per=BATCH).execute(
        sa.select(table).order_by(*order)
    )
    count = 0
    for row in result:
        values = row._mapping
        line = {name: _encode(values[name], encoding) for name, encoding in columns}
        out.write(json.dumps(line, ensure_ascii=False, allow_nan=False).encode("utf-8") + b"\n")
        count += 1
    return count


# --- restore ---------------------------------------------------------------------------------


def read_manifest(archive: zipfile.ZipFile, label: str) -> dict[str, Any]:
    """The manifest of a backup, checked; UnreadableFile saying what is wrong."""
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise UnreadableFile(f"{label}: not a casebase backup (no {MANIFEST})") from None
    except ValueError:
        raise UnreadableFile(f"{label}: {MANIFEST} is not valid JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise UnreadableFile(f"{label}: not a casebase backup ({MANIFEST} names another format)")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise UnreadableFile(
            f"{label}: backup format version {manifest.get('format_version')!r}; this casebase "
            f"reads version {FORMAT_VERSION}"
        )
    tables = manifest.get("tables")
    if not isinstance(tables, list) or not all(_described(t) for t in tables):
        raise UnreadableFile(f"{label}: {MANIFEST} does not describe its tables")
    if not isinstance(manifest.get("schema_revision"), str):
        raise UnreadableFile(f"{label}: {MANIFEST} names no schema revision")
    return manifest


def _described(table: Any) -> bool:
    return (
        isinstance(table, dict)
        and isinstance(table.get("name"), str)
        and isinstance(table.get("file"), str)
        and isinstance(table.get("rows"), int)
        and isinstance(table.get("columns"), list)
        and all(
            isinstance(c, dict)
            and isinstance(c.get("name"), str)
            and c.get("encoding") in ENCODINGS
            for c in table["columns"]
        )
    )


def restore_backup(
    db: Database, path: str | os.PathLike[str], files: DocumentStore | None = None
) -> Summary:
    """Load a backup into an empty database, in one transaction; its document files into
    `files` first (a store keeps one file per content, so files left by a failed restore
    are harmless)."""
    label = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise UnreadableFile(f"{label}: not a casebase backup (not a zip file)") from None
    with archive:
        manifest = read_manifest(archive, label)
        revisions = manifest["schema_revision"].split()
        _check_known(revisions, label)
        if files is not None:
            _restore_documents(archive, files, label)
        # One transaction, taking the write lock first (BEGIN IMMEDIATE on SQLite).
        with db.engine.execution_options(**{WRITE_OPTION: True}).begin() as connection:
            _refuse_unless_empty(connection)
            _migrate(connection, revisions)
            tables = {t.name: t for t in _tables(connection)}
            for described in manifest["tables"]:
                _load_table(connection, archive, described, tables, label)
            if db.is_postgresql:
                _move_sequences(connection, tables.values())
            _migrate(connection, ["heads"])
    rows = {t["name"]: t["rows"] for t in manifest["tables"]}
    return Summary(manifest["schema_revision"], rows)


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def _check_known(revisions: list[str], label: str) -> None:
    script = _script()
    for revision in revisions:
        try:
            known = script.get_revision(revision)
        except Exception:  # alembic raises several kinds for an unknown or malformed id
            known = None
        if known is None:
            raise UnreadableFile(
                f"{label}: made with schema revision {revision!r}, which this casebase does not "
                "know (a newer casebase made it?)"
            )


def _refuse_unless_empty(connection: sa.Connection) -> None:
    filled = []
    for table in _tables(connection):
        count = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        if count:
            filled.append(f"{table.name} ({count} rows)")
    if filled:
        raise DatabaseNotEmpty(
            "the database is not empty: "
            + ", ".join(filled[:5])
            + (" ..." if len(filled) > 5 else "")
            + "; restore needs an empty database (create a new one and point "
            "CASEBASE_DATABASE_URL at it)"
        )


def _migrate(connection: sa.Connection, revisions: list[str]) -> None:
    """Bring the (empty) schema to these revisions, up or down."""
    config = alembic_config()
    config.attributes["connection"] = connection
    if revisions == ["heads"]:
        command.upgrade(config, "heads")
        return
    script = _script()
    current = _revisions(connection)
    for revision in revisions:
        below = {r.revision for r in script.walk_revisions("base", revision)}
        if current and not current <= below:
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)


def _load_table(
    connection: sa.Connection,
    archive: zipfile.ZipFile,
    described: dict[str, Any],
    tables: dict[str, sa.Table],
    label: str,
) -> None:
    name = described["name"]
    table = tables.get(name)
    if table is None:
        raise UnreadableFile(f"{label}: table {name} is not in the database's schema")
    encodings = {c["name"]: c["encoding"] for c in described["columns"]}
    unknown = set(encodings) - set(table.columns.keys())
    if unknown:
        raise UnreadableFile(f"{label}: table {name} has no column {sorted(unknown)[0]}")
    count = 0
    batch: list[dict[str, Any]] = []
    for number, row in _rows(archive, described["file"], label):
        try:
            batch.append({k: _decode(row[k], e, table.columns[k]) for k, e in encodings.items()})
        except (KeyError, TypeError, ValueError, ArithmeticError):
            raise UnreadableFile(
                f"{label}: {described['file']}, line {number}: not a row of table {name}"
            ) from None
        count += 1
        if len(batch) == BATCH:
            _insert(connection, table, batch, label)
            batch = []
    if batch:
        _insert(connection, table, batch, label)
    if count != described["rows"]:
        raise UnreadableFile(
            f"{label}: {described['file']} holds {count} rows, the manifest says "
            f"{described['rows']}"
        )


def _rows(archive: zipfile.ZipFile, member: str, label: str) -> Iterator[tuple[int, dict]]:
    try:
        stream = archive.open(member)
    except KeyError:
        raise UnreadableFile(f"{label}: {member} is missing") from None
    with stream:
        try:
            for number, line in enumerate(stream, start=1):
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError("not an object")
                yield number, row
        except (ValueError, zipfile.BadZipFile, EOFError):
            raise UnreadableFile(f"{label}: {member} is damaged or not JSON Lines") from None


def _insert(
    connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]], label: str
) -> None:
    try:
        connection.execute(table.insert(), rows)
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise UnreadableFile(
            f"{label}: the database refused rows of table {table.name}: {reason}"
        ) from None


def _move_sequences(connection: sa.Connection, tables: Any) -> None:
    """PostgreSQL: each serial or identity column's sequence continues after its rows."""
    for table in tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, sa.Integer):
                continue
            sequence = connection.execute(
                sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": f'"{table.name}"', "column": column.name},
            ).scalar()
            if sequence is None:
                continue
            highest = connection.execute(sa.select(sa.func.max(column))).scalar()
            connection.execute(
                sa.text("SELECT setval(CAST(:sequence AS regclass), :value, :called)"),
                {"sequence": sequence, "value": highest or 1, "called": highest is not None},
            )
