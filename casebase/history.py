"""The history of the cases (docs/contract.md section 10): every write keeps a version.

A version row holds who, when, how (create, update, delete, restore) and the case as the
write left it, in the API's shape; a deletion holds no record. The store adds the rows in the
same transaction as the write it records (bulk inserts for an import), and a version's
changes are worked out when read, as the difference to the version before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from . import vocabularies
from .errors import Gone, InvalidVersion, NotFound
from .models import CaseVersion
from .vocabularies import RECORD_FIELDS

ACTIONS = ("create", "update", "delete", "restore")
# The fields a version's changes may name: the record's own, but its ref (which never changes).
CHANGE_FIELDS = tuple(name for name in RECORD_FIELDS if name != "ref")
# Fields whose absent value is an empty list, not null.
LIST_VALUED = (*vocabularies.LIST_FIELDS, "links")
# The largest version number a database integer holds: beyond it no version can exist.
MAX_VERSION = 2**31 - 1
# Refs asked about per query when an import looks up earlier versions.
LOOKUP_BATCH = 500


@dataclass(frozen=True)
class Version:
    """One entry of a case's history, with its changes worked out."""

    version: int
    changed_at: datetime
    changed_by: str | None
    action: str
    source: str
    changes: dict[str, list[Any]]
    first_known: bool = False  # the first kept of a case stored before history was kept


def snapshot(
    record: Mapping[str, Any], version: int, created_at: datetime, updated_at: datetime
) -> dict[str, Any]:
    """A record as a version keeps it: the import shape plus regions, version and times."""
    kept = {name: record[name] for name in RECORD_FIELDS}
    kept["regions"] = vocabularies.regions_for(list(record["municipalities"]))
    kept["version"] = version
    kept["created_at"] = _utc(created_at).isoformat()
    kept["updated_at"] = _utc(updated_at).isoformat()
    return kept


def row(
    ref: str,
    version: int,
    action: str,
    kept: dict[str, Any] | None,
    at: datetime,
    user: str | None,
    source: str,
) -> dict[str, Any]:
    """The values of one version row, for add()."""
    return {
        "ref": ref,
        "version": version,
        "action": action,
        "changed_at": at,
        "changed_by": user,
        "source": source,
        "record": kept,
    }


def add(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert version rows (one statement for all of them: an import's are many)."""
    if rows:
        session.execute(insert(CaseVersion), rows)


def last_versions(session: Session, refs: Iterable[str]) -> dict[str, int]:
    """The newest version number of each ref that has a history (deleted refs too)."""
    wanted = sorted(set(refs))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), LOOKUP_BATCH):
        batch = wanted[start : start + LOOKUP_BATCH]
        query = (
            select(CaseVersion.ref, func.max(CaseVersion.version))
            .where(CaseVersion.ref.in_(batch))
            .group_by(CaseVersion.ref)
        )
        found.update({ref: version for ref, version in session.execute(query)})
    return found


def next_version(session: Session, ref: str) -> int:
    """The number a new version of a ref gets: one more than any it had before."""
    return last_versions(session, [ref]).get(ref, 0) + 1


def _rows(session: Session, ref: str) -> list[CaseVersion]:
    query = select(CaseVersion).where(CaseVersion.ref == ref).order_by(CaseVersion.version)
    return list(session.scalars(query))


def versions(session: Session, ref: str) -> list[Version]:
    """A ref's history, newest first; NotFound when it never had one."""
    rows = _rows(session, ref)
    if not rows:
        raise NotFound(f"No case with ref '{ref}' has ever been stored.")
    entries, before = [], None
    for kept in rows:
        if kept.first_known:
            changes: dict[str, list[Any]] = {}  # what came before it was not kept
        else:
            changes = changes_between(before, kept.record)
        entries.append(
            Version(
                version=kept.version,
                changed_at=_utc(kept.changed_at),
                changed_by=kept.changed_by,
                action=kept.action,
                source=kept.source,
                changes=changes,
                first_known=kept.first_known,
            )
        )
        before = kept.record
    return entries[::-1]


def changes_between(
    old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
) -> dict[str, list[Any]]:
    """Each field whose value differs, as [old, new]; a missing record has empty fields."""
    changes = {}
    for name in CHANGE_FIELDS:
        before, after = _value(old, name), _value(new, name)
        if before != after:
            changes[name] = [before, after]
    return changes


def _value(record: Mapping[str, Any] | None, name: str) -> Any:
    empty: Any = [] if name in LIST_VALUED else None
    if record is None:
        return empty
    value = record.get(name)
    return empty if value is None else value


def record_of(session: Session, ref: str, version: int) -> dict[str, Any]:
    """The record as version n of a ref left it; NotFound for no such version, Gone when it
    is a deletion."""
    found = None
    if 1 <= version <= MAX_VERSION:
        found = session.scalar(
            select(CaseVersion).where(CaseVersion.ref == ref, CaseVersion.version == version)
        )
    if found is None:
        if not _rows_exist(session, ref):
            raise NotFound(f"No case with ref '{ref}' has ever been stored.")
        raise NotFound(f"The case '{ref}' has no version {version}.")
    if found.record is None:
        at = _utc(found.changed_at)
        raise Gone(
            f"Version {version} of the case '{ref}' is its deletion (deleted at "
            f"{at.isoformat()}); it holds no record.",
            at,
        )
    return dict(found.record)


def _rows_exist(session: Session, ref: str) -> bool:
    return session.scalar(select(CaseVersion.id).where(CaseVersion.ref == ref).limit(1)) is not None


def deletion(session: Session, ref: str) -> datetime | None:
    """When a ref was deleted, if its newest version is a deletion."""
    newest = session.scalar(
        select(CaseVersion)
        .where(CaseVersion.ref == ref)
        .order_by(CaseVersion.version.desc())
        .limit(1)
    )
    if newest is None or newest.action != "delete":
        return None
    return _utc(newest.changed_at)


def gone(ref: str, at: datetime) -> Gone:
    return Gone(f"The case '{ref}' was deleted at {at.isoformat()}.", at)


def restorable(session: Session, ref: str, version: int | None, live: bool) -> dict[str, Any]:
    """The record a restore brings back: version n's, or (a deleted case, no n) the last one."""
    if version is None:
        if live:
            raise InvalidVersion(
                f"Name the version to restore: ?version=n (see /api/cases/{ref}/history)."
            )
        kept = [r for r in _rows(session, ref) if r.record is not None]
        if not kept:
            raise NotFound(f"No case with ref '{ref}' has ever been stored.")
        return dict(kept[-1].record or {})
    try:
        return record_of(session, ref, version)
    except Gone:
        raise InvalidVersion(
            f"Version {version} of the case '{ref}' is its deletion: it holds no record to "
            "restore. Name a version before it."
        ) from None


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes: they were written in UTC, so say so."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
