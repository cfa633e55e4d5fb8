"""The index follows the database: catch up with the change log, rebuild, compare."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from . import casedocs, clock, store
from .config import int_setting
from .db import Database
from .engine import Batch, CaseIndex

log = logging.getLogger(__name__)

# A rebuild of at least this many cases is written by CASEBASE_INDEX_PROCESSES processes (every
# core by default); a smaller one by this process alone (starting writers costs a second).
PARALLEL_MIN_CASES = 5000
# A catch-up of more changed cases than this share of the index (and than PARALLEL_MIN_CASES)
# rebuilds the index instead, in parallel: a big import is indexed as fast as a reindex.
REBUILD_SHARE = 0.25


def index_processes(cases: int) -> int:
    """How many processes write a rebuild of `cases` cases."""
    if cases < PARALLEL_MIN_CASES:
        return 1
    return int_setting("INDEX_PROCESSES", os.cpu_count() or 1)


def catch_up(db: Database, index: CaseIndex, wait: bool = True, latest: int | None = None) -> None:
    """Bring the index up to the newest change in the database's change log, and its derived
    statuses up to this year (docs/contract.md section 2: they follow the calendar).

    Runs before every search, so it first looks without a lock: the applied number is -1 when
    there is no index (or one that was never caught up), which a rebuild covers. Without
    `wait`, IndexBusy when another process is writing the index. `latest`: the newest change's
    number as the caller read it; read again when the index has gone past it since.
    """
    today = clock.today()
    applied = index.applied()
    if latest is None or latest < applied.seq:
        with db.session() as session:
            latest = store.latest_seq(session)
    if applied.seq == latest and applied.status_year == today.year:
        return
    if 0 <= applied.seq <= latest:
        size = index.doc_count()
        with index.writing(wait) as batch:
            if _apply_changes(db, batch, today, size):
                return
    # No index, one built from another database, or a catch-up bigger than a rebuild.
    log.info("building the search index from the database")
    _rebuild(db, index, today, wait)


def _rebuild(
    db: Database,
    index: CaseIndex,
    today: date,
    wait: bool = True,
    progress: Callable[[int], None] | None = None,
) -> int:
    with db.session() as session:
        latest, count = store.latest_seq(session), store.count_cases(session)
        records = casedocs.with_texts(session, store.iter_records(session, today=today))
        texts = store.iter_texts(session)
        if progress is not None:
            records = _counted(records, progress)
        procs = index_processes(count)
        index.rebuild(records, latest, wait, today.year, texts=texts, procs=procs)
        return count


def _apply_changes(db: Database, batch: Batch, today: date, size: int) -> bool:
    """Apply the changes since what the index holds (of `size` cases); False when it needs a
    rebuild instead.

    Called under the index's write lock, and reads in a transaction begun under it: what
    other processes indexed while this one waited is in `batch.held`, and every record read
    is at least as new as the change number it is filed under.
    """
    held = batch.held
    with db.session() as session:
        latest = store.latest_seq(session)
        if held.seq < 0 or held.seq > latest:
            return False
        if held.seq == latest and held.status_year == today.year:
            return True  # another process caught up meanwhile
        refs = store.changed_refs_since(session, held.seq)
        if held.status_year != today.year:
            turned = store.refs_whose_status_turned(session, held.status_year, today.year)
            log.info("%d derived statuses follow the calendar into %d", len(turned), today.year)
            refs |= turned
        if (
            len(refs) > max(PARALLEL_MIN_CASES, REBUILD_SHARE * size)
            and index_processes(len(refs)) > 1
        ):
            return False
        deleted = refs - store.existing_refs(session, refs)
        # Streamed: a catch-up after a 100k-row import must not hold every record at once.
        records = casedocs.with_texts(session, store.iter_records(session, refs, today))
        batch.apply(records, deleted, latest, today.year)
    return True


def out_of_step(db: Database, index: CaseIndex) -> str | None:
    """Why the index is not in step with the database (None when it is)."""
    applied = index.applied()
    with db.session() as session:
        latest = store.latest_seq(session)
    if applied.seq < 0:
        return "The search index is not built yet."
    if applied.seq != latest:
        behind = latest - applied.seq
        return f"The search index is {behind} change(s) behind the database."
    if applied.status_year != clock.today().year:
        return "The search index has not yet taken in this year's statuses."
    return None


def rebuild(db: Database, index: CaseIndex, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the index from the database in a new generation; returns the case count."""
    return _rebuild(db, index, clock.today(), progress=progress)


def _counted(records: Iterator[dict], progress: Callable[[int], None]) -> Iterator[dict]:
    for count, record in enumerate(records, 1):
        progress(count)
        yield record


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
