"""Cases in the database: record dicts in and out, upserts, and the change log.

A case's status is stored only when it was given and differs from what the calendar says when
it is written; otherwise the column is NULL and the status is derived whenever the case is
read, so it follows the calendar (docs/decisions.md, section 2).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from . import clock, history, vocabularies
from .errors import NotFound
from .models import TERM_FIELDS, Case, CaseFunder, CaseLink, CaseTerm, Change, utcnow
from .schemas.record import derive_status
from .vocabularies import RECORD_FIELDS

SCALAR_FIELDS = tuple(f for f in RECORD_FIELDS if f not in (*TERM_FIELDS, "funders", "links"))
# Rows loaded per query when streaming all cases (export, reindex).
STREAM_BATCH = 500
# A new version's action in the change log (which the index follows).
LOGGED_AS = {"update": "updated", "restore": "restored"}
# Newest first (feeds): by created_at, ties by ref.
NEWEST_ORDER = (Case.created_at.desc(), Case.ref)
# newest_refs() asks for at most this many refs by name; among more it walks all cases.
FEW_REFS = 4 * STREAM_BATCH


def record_to_dict(case: Case, today: date | None = None) -> dict[str, Any]:
    """A stored case as a complete record dict: the import shape plus the system fields.

    A status that was not given is derived for `today` (default: clock.today()).
    """
    record: dict[str, Any] = {name: getattr(case, name) for name in SCALAR_FIELDS}
    if record["status"] is None:
        record["status"] = derive_status(case.end_year, today)
    for field in TERM_FIELDS:
        record[field] = [t.key for t in case.terms if t.field == field]
    record["funders"] = [f.name for f in case.funders]
    record["links"] = [{"title": link.title, "url": link.url} for link in case.links]
    record["regions"] = vocabularies.regions_for(record["municipalities"])
    record["version"] = case.version
    record["created_at"] = _utc(case.created_at).isoformat()
    record["updated_at"] = _utc(case.updated_at).isoformat()
    return {
        name: record[name]
        for name in (*RECORD_FIELDS, "regions", "version", "created_at", "updated_at")
    }


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes: they were written in UTC, so say so."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def same_content(case: Case, record: dict[str, Any]) -> bool:
    """Whether a loaded record would change nothing in a stored case."""
    stored = record_to_dict(case)
    return all(stored[name] == record[name] for name in RECORD_FIELDS)


def stored_status(record: dict[str, Any], today: date | None = None) -> str | None:
    """The status column of a record: None when its status is what the calendar gives now."""
    status = record["status"]
    return None if status == derive_status(record["end_year"], today) else status


def _columns(record: dict[str, Any]) -> dict[str, Any]:
    """The record's values of the cases table's own columns."""
    return {**{name: record[name] for name in SCALAR_FIELDS}, "status": stored_status(record)}


def _fill(case: Case, record: dict[str, Any]) -> None:
    for name, value in _columns(record).items():
        if name != "ref":
            setattr(case, name, value)
    case.terms = [
        CaseTerm(field=field, key=key, position=position)
        for field in TERM_FIELDS
        for position, key in enumerate(record[field])
    ]
    case.funders = [CaseFunder(position=i, name=name) for i, name in enumerate(record["funders"])]
    case.links = [
        CaseLink(position=i, title=link["title"], url=link["url"])
        for i, link in enumerate(record["links"])
    ]


def find_case(session: Session, ref: str) -> Case | None:
    return session.scalar(select(Case).where(Case.ref == ref))


def get_case(session: Session, ref: str) -> Case:
    """The stored case; Gone (410) for a deleted ref, NotFound for one never stored."""
    case = find_case(session, ref)
    if case is None:
        raise missing(session, ref)
    return case


def missing(session: Session, ref: str) -> NotFound:
    """The error for a ref not stored now: Gone when it was deleted, else NotFound."""
    deleted_at = history.deletion(session, ref)
    if deleted_at is not None:
        return history.gone(ref, deleted_at)
    return NotFound(f"No case with ref '{ref}'.")


def find_cases(session: Session, refs: Iterable[str]) -> dict[str, Case]:
    """The stored cases among some refs, by ref (one query)."""
    wanted = list(refs)
    if not wanted:
        return {}
    return {c.ref: c for c in session.scalars(select(Case).where(Case.ref.in_(wanted)))}


def existing_refs(session: Session, refs: Iterable[str]) -> set[str]:
    """The refs among some that are stored (queried in batches)."""
    wanted = sorted(refs)
    found: set[str] = set()
    for start in range(0, len(wanted), STREAM_BATCH):
        batch = wanted[start : start + STREAM_BATCH]
        found.update(session.scalars(select(Case.ref).where(Case.ref.in_(batch))))
    return found


def log_change(
    session: Session, ref: str, action: str, version: int | None, source: str, user: str | None
) -> None:
    session.add(Change(ref=ref, action=action, version=version, source=source, user_name=user))


def create(
    session: Session,
    record: dict[str, Any],
    source: str,
    user: str | None,
    created_at: datetime | None = None,
) -> Case:
    """A new case; a ref deleted before goes on counting its versions. With `created_at` (the
    creation time it had), a deleted case comes back: restored, in the log and the history."""
    now = utcnow()
    created = created_at or now
    action, kind = ("created", "create") if created_at is None else ("restored", "restore")
    version = history.next_version(session, record["ref"])
    case = Case(ref=record["ref"], version=version, created_at=created, updated_at=now)
    _fill(case, record)
    session.add(case)
    log_change(session, case.ref, action, version, source, user)
    kept = history.snapshot(record, version, created, now)
    history.add(session, [history.row(case.ref, version, kind, kept, now, user, source)])
    return case


def create_many(
    session: Session, records: list[dict[str, Any]], source: str, user: str | None
) -> None:
    """Insert new cases in bulk (Core inserts: the ORM's unit of work is ten times slower),
    with their change-log and history rows."""
    if not records:
        return
    now = utcnow()
    earlier = history.last_versions(session, (r["ref"] for r in records))
    versions = {r["ref"]: earlier.get(r["ref"], 0) + 1 for r in records}
    rows = [
        {
            **_columns(r),
            "version": versions[r["ref"]],
            "created_at": now,
            "updated_at": now,
        }
        for r in records
    ]
    ids = {
        ref: id_ for ref, id_ in session.execute(insert(Case).returning(Case.ref, Case.id), rows)
    }
    for model, values in _child_rows(records, ids):
        if values:
            session.execute(insert(model), values)
    changes = [
        {"ref": ref, "action": "created", "version": version, "at": now}
        | {"source": source, "user_name": user}
        for ref, version in versions.items()
    ]
    session.execute(insert(Change), changes)
    kept = []
    for r in records:
        version = versions[r["ref"]]
        snapshot = history.snapshot(r, version, now, now)
        kept.append(history.row(r["ref"], version, "create", snapshot, now, user, source))
    history.add(session, kept)


def _child_rows(records: list[dict[str, Any]], ids: dict[str, int]) -> list[tuple[Any, list]]:
    """The rows of the cases' terms, funders and links, by model."""
    terms = [
        {"case_id": ids[r["ref"]], "field": field, "key": key, "position": position}
        for r in records
        for field in TERM_FIELDS
        for position, key in enumerate(r[field])
    ]
    funders = [
        {"case_id": ids[r["ref"]], "position": i, "name": name}
        for r in records
        for i, name in enumerate(r["funders"])
    ]
    links = [
        {"case_id": ids[r["ref"]], "position": i, "title": link["title"], "url": link["url"]}
        for r in records
        for i, link in enumerate(r["links"])
    ]
    return [(CaseTerm, terms), (CaseFunder, funders), (CaseLink, links)]


def update(
    session: Session,
    case: Case,
    record: dict[str, Any],
    source: str,
    user: str | None,
    action: str = "update",
    pending: list[dict[str, Any]] | None = None,
) -> Case:
    """A new version of a case (action 'update' or 'restore'). Its history row is added now,
    or appended to `pending` for the caller to add in bulk (an import)."""
    # Delete the old rows before inserting the new ones: the unit of work would insert first
    # and trip the unique constraint on (case, field, key).
    case.terms.clear()
    case.funders.clear()
    case.links.clear()
    session.flush()
    _fill(case, record)
    case.version += 1
    now = case.updated_at = utcnow()
    log_change(session, case.ref, LOGGED_AS[action], case.version, source, user)
    kept = history.snapshot(record, case.version, case.created_at, now)
    version_row = history.row(case.ref, case.version, action, kept, now, user, source)
    if pending is None:
        history.add(session, [version_row])
    else:
        pending.append(version_row)
    return case


def delete(session: Session, case: Case, source: str, user: str | None) -> None:
    """Delete a case; its history keeps the deletion as a version of its own."""
    log_change(session, case.ref, "deleted", case.version, source, user)
    version_row = history.row(case.ref, case.version + 1, "delete", None, utcnow(), user, source)
    history.add(session, [version_row])
    session.delete(case)


def upsert(
    session: Session, record: dict[str, Any], existing: Case | None, source: str, user: str | None
) -> str:
    """Create, update or leave a case; returns 'created', 'updated' or 'unchanged'."""
    if existing is None:
        create(session, record, source, user)
        return "created"
    if same_content(existing, record):
        return "unchanged"
    update(session, existing, record, source, user)
    return "updated"


# The newest change's number as a column expression, for reading it with other values at once.
LATEST_SEQ = select(func.max(Change.seq)).scalar_subquery()


def latest_seq(session: Session) -> int:
    """The number of the newest change; 0 when nothing was ever written."""
    return session.scalar(select(LATEST_SEQ)) or 0


def changed_refs_since(session: Session, seq: int) -> set[str]:
    return set(session.scalars(select(Change.ref).where(Change.seq > seq).distinct()))


def recent_changes(session: Session, limit: int = 50) -> list[Change]:
    return list(session.scalars(select(Change).order_by(Change.seq.desc()).limit(limit)))


def count_cases(session: Session) -> int:
    return session.scalar(select(func.count(Case.id))) or 0


def refs_versions(session: Session) -> dict[str, int]:
    return {ref: version for ref, version in session.execute(select(Case.ref, Case.version))}


def refs_whose_status_turned(session: Session, year: int | None, new_year: int) -> set[str]:
    """The cases whose derived status differs between `year` and `new_year`.

    Those that follow the calendar and ended in between; with no `year` (an index that never
    recorded one), every case that follows the calendar and has an end year.
    """
    query = select(Case.ref).where(Case.status.is_(None), Case.end_year.is_not(None))
    if year is not None:
        low, high = sorted((year, new_year))
        query = query.where(Case.end_year >= low, Case.end_year < high)
    return set(session.scalars(query))


def iter_records(
    session: Session, refs: Iterable[str] | None = None, today: date | None = None
) -> Iterator[dict[str, Any]]:
    """Every stored case (or those among refs) as record dicts, in batches of STREAM_BATCH.

    Statuses are derived for `today` (default: clock.today()), for every record alike.
    """
    today = today or clock.today()
    if refs is not None:
        wanted = sorted(refs)
        for start in range(0, len(wanted), STREAM_BATCH):
            batch = wanted[start : start + STREAM_BATCH]
            query = select(Case).where(Case.ref.in_(batch)).order_by(Case.ref)
            yield from _records_of(session, query, today)
        return
    last: str | None = None
    while True:
        query = select(Case).order_by(Case.ref).limit(STREAM_BATCH)
        if last is not None:
            query = query.where(Case.ref > last)
        cases = list(session.scalars(query))
        if not cases:
            return
        last = cases[-1].ref
        yield from _records_of(session, cases, today)


def iter_texts(session: Session) -> Iterator[tuple[str | None, ...]]:
    """The searched texts of every case (title, summary, description, results), streamed."""
    query = select(Case.title, Case.summary, Case.description, Case.results)
    for row in session.execute(query.execution_options(yield_per=STREAM_BATCH)):
        yield tuple(row)


def _records_of(session: Session, cases: Any, today: date) -> Iterator[dict[str, Any]]:
    """Record dicts of some cases (a query or a list), then forget them to bound memory."""
    rows = list(session.scalars(cases)) if not isinstance(cases, list) else cases
    records = [record_to_dict(case, today) for case in rows]
    session.expunge_all()
    yield from records


# --- open data: the newest cases, the dates of every case, the dataset as a whole -------------


def newest_refs(
    session: Session, limit: int, among: Collection[str] | None = None, few: int = FEW_REFS
) -> list[str]:
    """The refs of the `limit` newest cases (by created_at, ties by ref), of all or `among`.

    Among a few refs the database is asked for them by name, a batch at a time; among many it
    is cheaper to walk every case newest first until `limit` of them are among them.
    """
    if among is None:
        return list(session.scalars(select(Case.ref).order_by(*NEWEST_ORDER).limit(limit)))
    wanted = set(among)
    if len(wanted) > few:
        return _first_wanted(session, wanted, limit)
    rows: list[Any] = []
    ordered = sorted(wanted)
    for start in range(0, len(ordered), STREAM_BATCH):
        batch = ordered[start : start + STREAM_BATCH]
        query = select(Case.created_at, Case.ref).where(Case.ref.in_(batch))
        rows += session.execute(query.order_by(*NEWEST_ORDER).limit(limit)).all()
    rows.sort(key=lambda row: row.ref)
    rows.sort(key=lambda row: _utc(row.created_at), reverse=True)  # stable: ties stay by ref
    return [row.ref for row in rows[:limit]]


def _first_wanted(session: Session, wanted: set[str], limit: int) -> list[str]:
    refs: list[str] = []
    result = session.execute(
        select(Case.ref).order_by(*NEWEST_ORDER).execution_options(yield_per=STREAM_BATCH)
    )
    try:
        for ref in result.scalars():
            if ref in wanted:
                refs.append(ref)
                if len(refs) == limit:
                    break
    finally:
        result.close()
    return refs


def records_in_order(session: Session, refs: list[str]) -> list[dict[str, Any]]:
    """The records of some refs, in the order given (refs not stored are left out)."""
    by_ref = {record["ref"]: record for record in iter_records(session, refs)}
    return [by_ref[ref] for ref in refs if ref in by_ref]


def case_dates(session: Session, offset: int, limit: int) -> list[tuple[str, datetime]]:
    """(ref, updated_at) of the cases in ref order, from `offset` on (sitemaps)."""
    query = select(Case.ref, Case.updated_at).order_by(Case.ref).offset(offset).limit(limit)
    return [(ref, _utc(updated)) for ref, updated in session.execute(query)]


@dataclass(frozen=True)
class DatasetFacts:
    """The dataset as a whole, for its description (docs/contract.md section 11)."""

    cases: int
    issued: datetime | None  # the oldest case's created_at
    modified: datetime | None  # the newest change of any case (deletions too)
    first_year: int | None  # the earliest start_year
    last_year: int | None  # the latest end_year (or start_year)


def dataset_facts(session: Session) -> DatasetFacts:
    count, issued, first, last_end, last_start = session.execute(
        select(
            func.count(Case.id),
            func.min(Case.created_at),
            func.min(Case.start_year),
            func.max(Case.end_year),
            func.max(Case.start_year),
        )
    ).one()
    modified = session.scalar(select(func.max(Change.at)))
    ends = [year for year in (last_end, last_start) if year is not None]
    return DatasetFacts(
        cases=count or 0,
        issued=_utc(issued) if issued else None,
        modified=_utc(modified) if modified else None,
        first_year=first,
        last_year=max(ends) if ends else None,
    )
