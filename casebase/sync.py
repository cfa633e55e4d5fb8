"""The index follows the database: catch up with the change log, rebuild, compare."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from . import casedocs, store
from .db import Database
from .engine import CaseIndex

log = logging.getLogger(__name__)


def catch_up(db: Database, index: CaseIndex, wait: bool = True) -> None:
    """Bring the index up to the newest change in the database's change log.

    Runs before every search, so it looks at the index once: applied_seq() is -1 when there
    is no index (or one that was never caught up), which the rebuild below covers. Without
    `wait`, IndexBusy when another process is writing the index.
    """
    applied = index.applied_seq()
    with db.session() as session:
        latest = store.latest_seq(session)
        if applied == latest:
            return
        if applied < 0 or applied > latest:
            # No index, or one built from another database: start afresh.
            log.info("building the search index from the database")
            records = casedocs.with_texts(session, store.iter_records(session))
            texts = store.iter_texts(session)
            index.rebuild(records, latest, wait=wait, texts=texts)
            return
        refs = store.changed_refs_since(session, applied)
        deleted = refs - store.existing_refs(session, refs)
        # Streamed: a catch-up after a 100k-row import must not hold every record at once.
        records = casedocs.with_texts(session, store.iter_records(session, refs))
        index.update(records, deleted, latest, wait=wait)


def rebuild(db: Database, index: CaseIndex) -> int:
    """Rebuild the index from the database in a new generation; returns the case count."""
    with db.session() as session:
        latest = store.latest_seq(session)
        records = casedocs.with_texts(session, store.iter_records(session))
        index.rebuild(records, latest, texts=store.iter_texts(session))
        return store.count_cases(session)


@dataclass
class Comparison:
    """What differs between the database and the index."""

    database_count: int
    index_count: int
    missing: list[str] = field(default_factory=list)  # in the database, not in the index
    extra: list[str] = field(default_factory=list)  # in the index, not in the database
    stale: list[str] = field(default_factory=list)  # in both, with different versions

    @property
    def agrees(self) -> bool:
        return not (self.missing or self.extra or self.stale)

    def lines(self) -> list[str]:
        lines = [f"database: {self.database_count} cases; index: {self.index_count} documents"]
        for label, refs in (
            ("missing from the index", self.missing),
            ("in the index but not the database", self.extra),
            ("with another version in the index", self.stale),
        ):
            if refs:
                shown = ", ".join(refs[:10]) + (" ..." if len(refs) > 10 else "")
                lines.append(f"{len(refs)} {label}: {shown}")
        return lines


def compare(db: Database, index: CaseIndex) -> Comparison:
    with db.session() as session:
        stored = store.refs_versions(session)
    indexed = index.refs_versions() if index.exists() else {}
    return Comparison(
        database_count=len(stored),
        index_count=len(indexed),
        missing=sorted(stored.keys() - indexed.keys()),
        extra=sorted(indexed.keys() - stored.keys()),
        stale=sorted(r for r in stored.keys() & indexed.keys() if stored[r] != indexed[r]),
    )
