"""Import: files -> records -> the one record schema -> upserts in one transaction -> report."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from . import history, store
from .db import Database
from .errors import CasebaseError
from .readers import (
    ECHO_CHARS,
    MAX_ROWS,
    MAX_XLSX_BYTES,
    RawRecord,
    ReadLimits,
    echo,
    read_records,
)
from .schemas import field_errors, load_record

ON_ERROR_CHOICES = ("abort", "skip")
# Records validated and written per database round trip; bounds memory on big files.
BATCH_SIZE = 500
# Errors listed in a report (all of them are counted in errors_total).
MAX_ERRORS = 1000
# An error message, whatever values of the record it quotes (each of them cut to ECHO_CHARS).
MAX_MESSAGE_CHARS = 500
MB = 1024 * 1024


class ImportTimedOut(CasebaseError):
    """An import that ran past its time limit: it was rolled back, nothing was written."""


@dataclass(frozen=True)
class ImportLimits:
    """How much one import may take: errors listed, rows, a workbook's size, time in seconds."""

    max_errors: int = MAX_ERRORS
    max_rows: int = MAX_ROWS
    max_xlsx_bytes: int = MAX_XLSX_BYTES
    timeout_s: float | None = None  # None: no limit (the command line)

    @classmethod
    def from_config(cls, config: Mapping[str, Any], timed: bool) -> ImportLimits:
        """The limits of the IMPORT_* settings; `timed` for imports a web request waits for."""
        return cls(
            max_errors=config["IMPORT_MAX_ERRORS"],
            max_rows=config["IMPORT_MAX_ROWS"],
            max_xlsx_bytes=config["IMPORT_MAX_XLSX_MB"] * MB,
            timeout_s=config["IMPORT_TIMEOUT_S"] if timed else None,
        )


@dataclass
class ImportReport:
    """The import's report; `errors` lists the first errors found, `errors_total` counts all."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    dry_run: bool = False
    errors: list[dict[str, Any]] = field(default_factory=list)
    errors_total: int = 0
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
            "errors_total": self.errors_total,
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
    max_errors: int = MAX_ERRORS
    seen: set[str] = field(default_factory=set)
    batch: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, raw: RawRecord, errors: dict[str, list[str]], file: str | None) -> None:
        """Count the record's errors; list them while the report has room, quoting little."""
        self.report.rejected += 1
        ref = raw.data.get("ref")
        quoted = _long_texts(raw.data)
        for name, messages in errors.items():
            for message in messages:
                self.report.errors_total += 1
                if len(self.report.errors) >= self.max_errors:
                    continue
                # The report's error keys are fixed: with several files, the file leads the
                # message.
                where = f"{file}: " if file else ""
                self.report.errors.append(
                    {
                        "row": raw.row,
                        "ref": echo(ref) if isinstance(ref, str) else None,
                        "field": echo(name),
                        "message": where + _cut_quotes(message, quoted),
                    }
                )

    def flush(self) -> None:
        existing = store.find_cases(self.session, (r["ref"] for r in self.batch))
        new = [r for r in self.batch if r["ref"] not in existing]
        self.report.created += len(new)
        if self.write:
            store.create_many(self.session, new, self.source, self.user)
        versions: list[dict[str, Any]] = []  # the updates' history rows, added in bulk
        for record in self.batch:
            case = existing.get(record["ref"])
            if case is None:
                continue
            if store.same_content(case, record):
                self.report.unchanged += 1
                continue
            self.report.updated += 1
            if self.write:
                store.update(self.session, case, record, self.source, self.user, pending=versions)
        history.add(self.session, versions)
        self.batch.clear()
        self.session.flush()
        self.session.expunge_all()


def _long_texts(value: Any) -> list[str]:
    """The texts of a raw record too long to quote whole (and their stripped forms), longest first.

    Validation messages quote a value as given (e.g. an unknown municipality), or stripped.
    """
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and len(item) > ECHO_CHARS:
            found.update((item, item.strip()))
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return sorted(found, key=len, reverse=True)


def _cut_quotes(message: str, quoted: list[str]) -> str:
    """The message with each long text of the record it quotes cut short, and bounded itself."""
    for text in quoted:
        if len(text) > ECHO_CHARS and text in message:
            message = message.replace(text, echo(text))
    return echo(message, MAX_MESSAGE_CHARS)


def _records(
    paths: Sequence[Path],
    names: Sequence[str],
    fmt: str,
    report: ImportReport,
    limits: ReadLimits,
) -> Generator[tuple[str | None, RawRecord], None, None]:
    several = len(paths) > 1
    for path, name in zip(paths, names, strict=True):
        with read_records(path, fmt, limits=limits, name=name) as reader:
            for raw in reader:
                yield (Path(name).name if several else None), raw
            if reader.ignored_columns:
                report.ignored_columns[Path(name).name] = list(reader.ignored_columns)


def import_files(
    db: Database,
    paths: Sequence[str | Path],
    fmt: str = "auto",
    dry_run: bool = False,
    on_error: str = "abort",
    source: str = "import",
    user: str | None = None,
    progress: Callable[[int], None] | None = None,
    limits: ImportLimits | None = None,
    names: Sequence[str] | None = None,
) -> ImportReport:
    """Validate every record of some files and upsert them by ref, all in one transaction.

    `names` are how messages name the files (an upload's name as the client knows it);
    by default their paths.

    UnreadableFile propagates (nothing is written), and so does ImportTimedOut once the
    limits' time has passed (rolled back). With on_error='abort' nothing is written when any
    record is rejected; with 'skip' the valid records are. The caller brings the index up to
    date after a write.
    """
    limits = limits or ImportLimits()
    report = ImportReport(dry_run=dry_run)
    read_limits = ReadLimits(limits.max_rows, limits.max_xlsx_bytes, _deadline(limits.timeout_s))
    names = list(names) if names is not None else [str(p) for p in paths]
    records = _records([Path(p) for p in paths], names, fmt, report, read_limits)
    scope = db.write_session() if not dry_run else db.session()
    with scope as session, closing(records):
        run = _Run(session, report, not dry_run, source, user, limits.max_errors)
        for count, (file, raw) in enumerate(records, 1):
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


def _deadline(timeout_s: float | None) -> Callable[[], None] | None:
    """A check that raises ImportTimedOut once timeout_s seconds from now have passed."""
    if timeout_s is None:
        return None
    deadline = time.monotonic() + timeout_s

    def check_time() -> None:
        if time.monotonic() >= deadline:
            raise ImportTimedOut(
                f"The import took longer than {timeout_s:g} s and was stopped; nothing was "
                "written. Split the file into smaller ones, or import it with the casebase "
                "import command."
            )

    return check_time


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
