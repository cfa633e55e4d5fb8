"""Import: files -> records -> the one record schema -> upserts in one transaction -> report."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from . import store
from .db import Database
from .readers import RawRecord, read_records
from .schemas import field_errors, load_record

ON_ERROR_CHOICES = ("abort", "skip")
# Records validated and written per database round trip; bounds memory on big files.
BATCH_SIZE = 500


@dataclass
class ImportReport:
    """SPEC section 7's report."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    dry_run: bool = False
    errors: list[dict[str, Any]] = field(default_factory=list)
    aborted: bool = False
    # Columns of a CSV/XLSX that name no field, per file: told to the user, not an error.
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "dry_run": self.dry_run,
            "errors": self.errors,
        }

    @property
    def written(self) -> int:
        return self.created + self.updated


@dataclass
class _Run:
    session: Session
    report: ImportReport
    write: bool
    source: str
    user: str | None
    seen: set[str] = field(default_factory=set)
    batch: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, raw: RawRecord, errors: dict[str, list[str]], file: str | None) -> None:
        self.report.rejected += 1
        ref = raw.data.get("ref")
        for name, messages in errors.items():
            for message in messages:
                # SPEC 7 fixes the error's keys: with several files, the file leads the message.
                where = f"{file}: " if file else ""
                self.report.errors.append(
                    {
                        "row": raw.row,
                        "ref": ref if isinstance(ref, str) else None,
                        "field": name,
                        "message": where + message,
                    }
                )

    def flush(self) -> None:
        existing = store.find_cases(self.session, (r["ref"] for r in self.batch))
        new = [r for r in self.batch if r["ref"] not in existing]
        self.report.created += len(new)
        if self.write:
            store.create_many(self.session, new, self.source, self.user)
        for record in self.batch:
            case = existing.get(record["ref"])
            if case is None:
                continue
            if store.same_content(case, record):
                self.report.unchanged += 1
                continue
            self.report.updated += 1
            if self.write:
                store.update(self.session, case, record, self.source, self.user)
        self.batch.clear()
        self.session.flush()
        self.session.expunge_all()


def _records(
    paths: Sequence[Path], fmt: str, report: ImportReport
) -> Iterator[tuple[str | None, RawRecord]]:
    several = len(paths) > 1
    for path in paths:
        with read_records(path, fmt) as reader:
            for raw in reader:
                yield (path.name if several else None), raw
            if reader.ignored_columns:
                report.ignored_columns[path.name] = list(reader.ignored_columns)


def import_files(
    db: Database,
    paths: Sequence[str | Path],
    fmt: str = "auto",
    dry_run: bool = False,
    on_error: str = "abort",
    source: str = "import",
    user: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate every record of some files and upsert them by ref, all in one transaction.

    UnreadableFile propagates (nothing is written). With on_error='abort' nothing is written
    when any record is rejected; with 'skip' the valid records are. The caller brings the
    index up to date after a write.
    """
    report = ImportReport(dry_run=dry_run)
    with db.write_session() if not dry_run else db.session() as session:
        run = _Run(session, report, write=not dry_run, source=source, user=user)
        for count, (file, raw) in enumerate(_records([Path(p) for p in paths], fmt, report), 1):
            _take(run, file, raw)
            if on_error == "abort" and report.rejected:
                run.write = False  # it will all be rolled back: stop writing, keep validating
            if len(run.batch) >= BATCH_SIZE:
                run.flush()
            if progress:
                progress(count)
        run.flush()
        if dry_run or (report.rejected and on_error == "abort"):
            session.rollback()
            if not dry_run:
                report.aborted = True
                report.created = report.updated = report.unchanged = 0
    return report


def _take(run: _Run, file: str | None, raw: RawRecord) -> None:
    try:
        record = load_record(raw.data)
    except ValidationError as error:
        run.reject(raw, field_errors(error), file)
        return
    if record["ref"] in run.seen:
        run.reject(raw, {"ref": [f"The ref '{record['ref']}' occurs twice in this import."]}, file)
        return
    run.seen.add(record["ref"])
    run.batch.append(record)
