"""Rate-limit counters in the casebase database, as a storage of the `limits` library.

flask-limiter keeps its counts in a `limits` storage. Its own ones are per process (memory://)
or need a server (redis://, memcached://). This one keeps fixed-window counters in the
`rate_limits` table, so every worker and every host behind one database share them: the
storage URI is `casebase://`, and the database's engine comes as the `engine` option. Each
count is one atomic upsert, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import time
from typing import Any

from limits.storage import Storage
from sqlalchemy import Engine, Table, case, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from .models import RateLimit

STORAGE_URI = "casebase://"


class DatabaseStorage(Storage):
    """Fixed-window counters in the casebase database (`casebase://`, option `engine`)."""

    STORAGE_SCHEME = ["casebase"]

    def __init__(
        self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any
    ) -> None:
        engine = options.get("engine")
        if not isinstance(engine, Engine):
            raise ValueError("casebase:// rate-limit storage needs the database's engine")
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.engine = engine
        self._insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add to a count, starting a new window when the old one is over; the new count."""
        now = time.time()
        table = RateLimit.__table__
        assert isinstance(table, Table)
        fresh = table.c.expires_at <= now
        upsert = self._insert(table).values(key=key, count=amount, expires_at=now + expiry)
        statement = upsert.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "count": case((fresh, amount), else_=table.c.count + amount),
                "expires_at": case((fresh, now + expiry), else_=table.c.expires_at),
            },
        ).returning(table.c.count)
        with self.engine.begin() as connection:
            return int(connection.execute(statement).scalar_one())

    def get(self, key: str) -> int:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(RateLimit.count).where(
                    RateLimit.key == key, RateLimit.expires_at > time.time()
                )
            ).first()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        with self.engine.connect() as connection:
            expires = connection.execute(
                select(RateLimit.expires_at).where(RateLimit.key == key)
            ).scalar()
        return float(expires) if expires is not None else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return int(connection.execute(delete(RateLimit)).rowcount)

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(RateLimit).where(RateLimit.key == key))
