"""Cases in the database: record dicts in and out, upserts, and the change log."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from . import vocabularies
from .errors import NotFound
from .models import TERM_FIELDS, Case, CaseFunder, CaseLink, CaseTerm, Change, utcnow
from .vocabularies import RECORD_FIELDS

SCALAR_FIELDS = tuple(f for f in RECORD_FIELDS if f not in (*TERM_FIELDS, "funders", "links"))
# Rows loaded per query when streaming all cases (export, reindex).
STREAM_BATCH = 500
# Newest first (feeds): by created_at, ties by ref.
NEWEST_ORDER = (Case.created_at.desc(), Case.ref)
# newest_refs() asks for at most this many refs by name; among more it walks all cases.
FEW_REFS = 4 * STREAM_BATCH


def record_to_dict(case: Case) -> dict[str, Any]:
    """A stored case as a complete record dict: the import shape plus the system fields."""
    record: dict[str, Any] = {name: getattr(case, name) for name in SCALAR_FIELDS}
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


def _fill(case: Case, record: dict[str, Any]) -> None:
    for name in SCALAR_FIELDS:
        if name != "ref":
            setattr(case, name, record[name])
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
    case = find_case(session, ref)
    if case is None:
        raise NotFound(f"No case with ref '{ref}'.")
    return case


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


def create(session: Session, record: dict[str, Any], source: str, user: str | None) -> Case:
    case = Case(ref=record["ref"], version=1)
    _fill(case, record)
    session.add(case)
    log_change(session, case.ref, "created", 1, source, user)
    return case


def create_many(
    session: Session, records: list[dict[str, Any]], source: str, user: str | None
) -> None:
    """Insert new cases in bulk (Core inserts: the ORM's unit of work is ten times slower)."""
    if not records:
        return
    now = utcnow()
    rows = [
        {
            **{name: r[name] for name in SCALAR_FIELDS},
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for r in records
    ]
    ids = {
        ref: id_ for ref, id_ in session.execute(insert(Case).returning(Case.ref, Case.id), rows)
    }
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
    for model, values in ((CaseTerm, terms), (CaseFunder, funders), (CaseLink, links)):
        if values:
            session.execute(insert(model), values)
    session.execute(
        insert(Change),
        [
            {
                "ref": r["ref"],
                "action": "created",
                "version": 1,
                "source": source,
                "user_name": user,
                "at": now,
            }
            for r in records
        ],
    )


def update(
    session: Session, case: Case, record: dict[str, Any], source: str, user: str | None
) -> Case:
    # Delete the old rows before inserting the new ones: the unit of work would insert first
    # and trip the unique constraint on (case, field, key).
    case.terms.clear()
    case.funders.clear()
    case.links.clear()
    session.flush()
    _fill(case, record)
    case.version += 1
    case.updated_at = utcnow()
    log_change(session, case.ref, "updated", case.version, source, user)
    return case


def delete(session: Session, case: Case, source: str, user: str | None) -> None:
    log_change(session, case.ref, "deleted", case.version, source, user)
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


def latest_seq(session: Session) -> int:
    """The number of the newest change; 0 when nothing was ever written."""
    return session.scalar(select(func.max(Change.seq))) or 0


def changed_refs_since(session: Session, seq: int) -> set[str]:
    return set(session.scalars(select(Change.ref).where(Change.seq > seq).distinct()))


def recent_changes(session: Session, limit: int = 50) -> list[Change]:
    return list(session.scalars(select(Change).order_by(Change.seq.desc()).limit(limit)))


def count_cases(session: Session) -> int:
    return session.scalar(select(func.count(Case.id))) or 0


def refs_versions(session: Session) -> dict[str, int]:
    return {ref: version for ref, version in session.execute(select(Case.ref, Case.version))}


def iter_records(session: Session, refs: Iterable[str] | None = None) -> Iterator[dict[str, Any]]:
    """Every stored case (or those among refs) as record dicts, in batches of STREAM_BATCH."""
    if refs is not None:
        wanted = sorted(refs)
        for start in range(0, len(wanted), STREAM_BATCH):
            batch = wanted[start : start + STREAM_BATCH]
            query = select(Case).where(Case.ref.in_(batch)).order_by(Case.ref)
            yield from _records_of(session, query)
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
        yield from _records_of(session, cases)


def _records_of(session: Session, cases: Any) -> Iterator[dict[str, Any]]:
    """Record dicts of some cases (a query or a list), then forget them to bound memory."""
    rows = list(session.scalars(cases)) if not isinstance(cases, list) else cases
    records = [record_to_dict(case) for case in rows]
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
