"""Engine, sessions and schema migrations (alembic) for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from .errors import Busy

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# SQLite waits this long for another writer instead of failing at once.
SQLITE_BUSY_TIMEOUT_S = 30
# Execution option marking a connection whose transactions write (see _sqlite_begin).
WRITE_OPTION = "casebase_write"


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # The sqlite3 module would open a transaction only at the first INSERT/UPDATE/DELETE, so a
    # version read before it could change under the writer; _sqlite_begin opens it instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """BEGIN IMMEDIATE for writers: the write lock is taken before anything is read."""
    writes = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def alembic_config() -> Config:
    """alembic's configuration: our migrations, run on a connection handed over in
    `config.attributes["connection"]` (migrations/env.py)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def make_engine(url: str) -> Engine:
    """An engine for any SQLAlchemy URL, with SQLite set up for several processes."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Database:
    """The engine and a session factory; one per application."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.write_sessions = sessionmaker(
            self.engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """A session for a write: writers take turns for the whole transaction.

        What a writer reads (a case's version, whether a ref exists) cannot change before it
        commits, and change-log numbers commit in order. SQLite: BEGIN IMMEDIATE takes the
        database's write lock, and one held past SQLITE_BUSY_TIMEOUT_S (a long import) is Busy,
        which the API answers 503; PostgreSQL: a lock on the change log, waited for.
        """
        try:
            with self.write_sessions() as session, session.begin():
                if self.is_postgresql:
                    session.execute(text("LOCK TABLE changes IN SHARE ROW EXCLUSIVE MODE"))
                yield session
        except OperationalError as error:
            if "locked" not in str(error.orig).lower():
                raise
            raise Busy("The database is busy with another write; try again shortly.") from None

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def upgrade(self) -> None:
        """Create the database or bring it to the newest schema (idempotent)."""
        if self.url.startswith("sqlite:///"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        config = alembic_config()
        with self.engine.connect() as connection:
            # SQLite alters a table by copying it and dropping the old one; with foreign keys
            # on, that drop would delete every row that refers to it (a case's terms, say).
            # The pragma only takes effect outside a transaction, so it goes to the driver.
            raw = (
                connection.connection.dbapi_connection
                if self.engine.dialect.name == "sqlite"
                else None
            )
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=OFF")
            try:
                with connection.begin():
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
                    if raw is not None:
                        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                        if broken:
                            raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")
            finally:
                if raw is not None:
                    raw.execute("PRAGMA foreign_keys=ON")

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
