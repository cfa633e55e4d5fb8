"""The use cases, framework-free: the API, the pages and the CLI all call these."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from . import (
    casedocs,
    engine,
    exporter,
    history,
    importer,
    store,
    sync,
    thesaurus,
)
from .backup import Summary, restore_backup, write_backup
from .casedocs import CaseDocuments, DocumentSettings
from .config import SEED_DIR, instance_dir
from .db import Database
from .engine import (
    CaseIndex,
    IndexBusy,
    SearchParams,
    SearchResult,
    SimilarHit,
    Thesaurus,
)
from .errors import Conflict, InvalidSearch, NotFound, NotReady, StaleVersion, ValidationFailed
from .importer import ImportReport
from .models import Change
from .schemas import Message, field_errors, load_record
from .schemas.research import CrosstabRequest, load_crosstab
from .schemas.search import load_search
from .service_accounts import AccountService
from .service_research import ResearchService
from .sync import Comparison
from .uploads import Upload
from .vocabularies import case_labels

log = logging.getLogger(__name__)
WARM_UP_QUERY = "byfornyelse"  # a word every generation of the index is likely to hold


class Casebase(AccountService, ResearchService):
    """The store and its search index, kept in step: every write commits, then indexes."""

    def __init__(
        self,
        database_url: str,
        index_dir: str | Path,
        seed_dir: str | Path | None = None,
        document_dir: str | Path | None = None,
    ) -> None:
        self.db = Database(database_url)
        self.index = CaseIndex(index_dir)
        # The documents of the cases (CASEBASE_DOCUMENT_DIR, by default under instance/).
        self.documents = CaseDocuments(self, document_dir or instance_dir() / "documents")
        self.seed_dir = Path(seed_dir) if seed_dir else SEED_DIR
        # One catch-up at a time per process; other processes are serialised by the index lock.
        self._sync_lock = threading.Lock()
        # The thesaurus compiled for searching, with the version it was compiled from.
        self._thesaurus: tuple[int, Thesaurus | None] = (-1, None)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Casebase:
        """The service as the settings (casebase/config.py) describe it."""
        service = cls(
            config["DATABASE_URL"], config["INDEX_DIR"], document_dir=config.get("DOCUMENT_DIR")
        )
        if "MAX_DOCUMENT_MB" in config:
            service.documents.settings = DocumentSettings.from_config(dict(config))
        return service

    def close(self) -> None:
        """Release database connections and the open searcher."""
        self.index.close()
        self.db.dispose()

    # --- keeping the index in step -------------------------------------------------------
    def init_db(self) -> None:
        """Create or upgrade the database; the shipped thesaurus when it has none."""
        self.db.upgrade()
        shipped = self.seed_dir / thesaurus.FILE_NAME
        with self.db.write_session() as session:
            if thesaurus.latest_version(session) == 0 and shipped.is_file():
                document = thesaurus.validated(thesaurus.read_file(shipped))
                thesaurus.replace(session, document, None)

    def sync(self, wait: bool = True, latest: int | None = None) -> None:
        """Catch the index up with the database's change log (cheap when it is current).

        A write waits for it, so its answer comes after the index has it. A read does not wait
        behind a catch-up that another thread or process is running (after a big import, say):
        it searches the index as it is, which holds every write answered from this index folder
        (a write whose own catch-up failed answers 503 and is caught up by the next search).
        `latest`: the newest change's number, when the caller has just read it.
        """
        if not self._sync_lock.acquire(blocking=wait):
            return
        try:
            sync.catch_up(self.db, self.index, wait=wait, latest=latest)
        except IndexBusy:
            if wait:
                raise
        finally:
            self._sync_lock.release()

    def _refresh(self) -> Thesaurus | None:
        """Before a read: catch up unless that means waiting for another catch-up; the
        thesaurus for searching. One database round trip reads the newest change's number and
        the thesaurus's version, since a read asks both before every search."""
        with self.db.session() as session:
            row = session.execute(select(store.LATEST_SEQ, thesaurus.LATEST_VERSION)).one()
        self.sync(wait=False, latest=int(row[0] or 0))
        return self._compiled_thesaurus(int(row[1] or 0))

    def reindex(self, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild the index from the database; `progress` is told the records written."""
        with self._sync_lock:
            return sync.rebuild(self.db, self.index, progress)

    def check(self, repair: bool = False) -> Comparison:
        """Compare database and index after catching up; with repair, rebuild when they differ."""
        self.sync()
        comparison = sync.compare(self.db, self.index)
        if repair and not comparison.agrees:
            self.reindex()
            comparison = sync.compare(self.db, self.index)
        return comparison

    def ready(self) -> None:
        """NotReady, saying why, unless the database answers and the index is in step.

        Catches up first, without waiting for another process's catch-up. What went wrong in
        detail goes to the log, not to whoever asked (it may name hosts and paths).
        """
        try:
            self.db.ping()
        except SQLAlchemyError as error:
            log.warning("not ready: the database does not answer: %s", error)
            raise NotReady("The database does not answer.") from None
        try:
            self.sync(wait=False)
            reason = sync.out_of_step(self.db, self.index)
        except SQLAlchemyError as error:
            log.warning("not ready: the database does not answer: %s", error)
            raise NotReady("The database does not answer.") from None
        except OSError as error:
            log.warning("not ready: the search index: %s", error)
            raise NotReady("The search index cannot be read or written.") from None
        if reason is not None:
            raise NotReady(reason)

    # --- backup and restore ----------------------------------------------------------------
    def backup(self, path: str | Path) -> Summary:
        """Write a consistent snapshot of the whole database to `path` (docs/backup.md)."""
        return write_backup(self.db, path, self.documents.files)

    def restore(self, path: str | Path) -> Summary:
        """Load a backup into this (empty) database, then rebuild the index from it."""
        summary = restore_backup(self.db, path, self.documents.files)
        self.reindex()
        return summary

    # --- reading ---------------------------------------------------------------------------
    def warm_up(self) -> None:
        """Load what a first search needs (columns, compound splitter, lexicon, thesaurus) so
        that a new server process's first request does not wait for it; never raises. It does
        not catch up: a read skips a catch-up another thread is running, and would then miss
        what that catch-up was about to index."""
        began = time.monotonic()
        try:
            with self.db.session() as session:
                compiled = self._compiled_thesaurus(thesaurus.latest_version(session))
            found = engine.search(self.index, SearchParams(q=WARM_UP_QUERY, per_page=1), compiled)
        except Exception:  # a broken index or database is reported by the requests themselves
            log.warning("warming up the search failed", exc_info=True)
            return
        seconds = time.monotonic() - began
        log.info("search warmed up in %.1f s (%d cases found)", seconds, found.total)

    def search(self, params: SearchParams) -> SearchResult:
        return engine.search(self.index, params, self._refresh())

    # --- the thesaurus ---------------------------------------------------------------------
    def thesaurus(self) -> dict[str, Any]:
        """The thesaurus in use, as its file holds it, with its version."""
        with self.db.session() as session:
            version, document = thesaurus.current(session)
        return {**document, "version": version}

    def replace_thesaurus(
        self, raw: Any, user: str | None, expected_version: int | None = None
    ) -> int:
        """Replace the whole thesaurus (checked in full first); the new version's number.

        With `expected_version` (the version an editor started from), a thesaurus changed
        since is not overwritten: StaleVersion, and nothing changes.
        """
        if isinstance(raw, dict):  # as `thesaurus()` answers it: its version is not content
            raw = {name: value for name, value in raw.items() if name != "version"}
        document = thesaurus.validated(raw)
        with self.db.write_session() as session:
            latest = thesaurus.latest_version(session)
            if expected_version is not None and expected_version != latest:
                raise StaleVersion(f"The thesaurus is at version {latest} now")
            return thesaurus.replace(session, document, user)

    def _compiled_thesaurus(self, version: int) -> Thesaurus | None:
        """The thesaurus for searching, compiled again when `version` (the newest stored) is
        not the one compiled."""
        if version != self._thesaurus[0]:
            with self.db.session() as session:
                version, document = thesaurus.current(session)
            compiled = Thesaurus(thesaurus.groups(document)) if version else None
            self._thesaurus = (version, compiled)
        return self._thesaurus[1]

    @staticmethod
    def parse_search(args: Mapping[str, Any]) -> SearchParams:
        """A query string's values (name -> values) as SearchParams; InvalidSearch if wrong."""
        try:
            return load_search(args)
        except ValidationError as error:
            lines = [m for messages in field_errors(error).values() for m in messages]
            raise InvalidSearch(" ".join(lines), lines) from None

    @staticmethod
    def parse_crosstab(args: Mapping[str, Any]) -> CrosstabRequest:
        """A cross-tabulation's parameters (name -> values); InvalidSearch if wrong."""
        try:
            return load_crosstab(args)
        except ValidationError as error:
            lines = [m for messages in field_errors(error).values() for m in messages]
            raise InvalidSearch(" ".join(lines), lines) from None

    def similar(self, ref: str, limit: int = 5) -> list[SimilarHit]:
        self._refresh()
        try:
            return engine.similar(self.index, ref, limit)
        except NotFound:
            with self.db.session() as session:
                raise store.missing(session, ref) from None

    def get_case(self, ref: str) -> dict[str, Any]:
        """The full record with its system fields and the labels of its vocabulary keys."""
        with self.db.session() as session:
            record = store.record_to_dict(store.get_case(session, ref))
        record["labels"] = case_labels(record)
        return record

    def history(self, ref: str) -> list[history.Version]:
        """A case's versions, newest first (also of a deleted case); NotFound if never stored."""
        with self.db.session() as session:
            return history.versions(session, ref)

    def case_version(self, ref: str, version: int) -> dict[str, Any]:
        """The record as version n left it, in the shape of get_case."""
        with self.db.session() as session:
            record = history.record_of(session, ref, version)
        record["labels"] = case_labels(record)
        return record

    def recent_changes(self, limit: int = 50) -> list[Change]:
        with self.db.session() as session:
            return store.recent_changes(session, limit)

    def case_count(self) -> int:
        with self.db.session() as session:
            return store.count_cases(session)

    def export(
        self, params: SearchParams | None, fmt: str, out: BinaryIO, notice: str | None = None
    ) -> None:
        """Write the cases matching a search (all cases without one) in an import format, with
        the list of their documents; `notice` (the data's licence) goes into the file where
        the format has room for it."""
        records = self._with_documents(self.iter_matching(params))
        exporter.write_export(records, fmt, out, notice)

    def _with_documents(self, records: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Records with the list of their documents (title, url), a batch at a time."""
        batch: list[dict[str, Any]] = []
        for record in records:
            batch.append(record)
            if len(batch) == store.STREAM_BATCH:
                yield from self._listed(batch)
                batch = []
        yield from self._listed(batch)

    def _listed(self, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not batch:
            return batch
        with self.db.session() as session:
            found = casedocs.listings(session, [r["ref"] for r in batch])
        return [{**r, "documents": found.get(r["ref"], [])} for r in batch]

    def iter_matching(self, params: SearchParams | None) -> Iterator[dict[str, Any]]:
        """The records a search finds (every record, by ref, without one), in its order."""
        if params is None or (not params.narrows and params.sort is None):
            with self.db.session() as session:
                yield from store.iter_records(session)
            return
        refs = engine.matching_refs(self.index, params, self._refresh())
        # In the search's order, a batch at a time: a big export never holds every record.
        with self.db.session() as session:
            for start in range(0, len(refs), store.STREAM_BATCH):
                batch = refs[start : start + store.STREAM_BATCH]
                by_ref = {r["ref"]: r for r in store.iter_records(session, batch)}
                yield from (by_ref[ref] for ref in batch if ref in by_ref)

    # --- writing ---------------------------------------------------------------------------
    def _validated(self, data: Any) -> dict[str, Any]:
        try:
            return load_record(data)
        except ValidationError as error:
            raise ValidationFailed(field_errors(error)) from error

    def create_case(self, data: Any, user: str | None, source: str = "api") -> dict[str, Any]:
        record = self._validated(data)
        with self.db.write_session() as session:
            if store.find_case(session, record["ref"]):
                raise Conflict(f"A case with ref '{record['ref']}' exists already.")
            case = store.create(session, record, source, user)
            written = _written(session, case)
        self.sync()
        return written

    def replace_case(
        self,
        ref: str,
        data: Any,
        user: str | None,
        source: str = "api",
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        """Full replace of a case; the body's ref, when given, must be the same."""
        if isinstance(data, dict):
            data = {**data, "ref": data.get("ref", ref)}
        record = self._validated(data)
        if record["ref"] != ref:
            raise ValidationFailed({"ref": [Message("ref.address", {"ref": ref})]})
        with self.db.write_session() as session:
            case = store.get_case(session, ref)
            if expected_version is not None and case.version != expected_version:
                raise StaleVersion(
                    f"The case is at version {case.version}, "
                    f"not {expected_version}: reload it and edit again."
                )
            store.upsert(session, record, case, source, user)
            written = _written(session, case)
        self.sync()
        return written

    def delete_case(
        self, ref: str, user: str | None, source: str = "api", expected_version: int | None = None
    ) -> None:
        with self.db.write_session() as session:
            case = store.get_case(session, ref)
            if expected_version is not None and case.version != expected_version:
                raise StaleVersion(
                    f"The case is at version {case.version}, not {expected_version}."
                )
            store.delete(session, case, source, user)
        self.sync()

    def restore_case(
        self,
        ref: str,
        version: int | None,
        user: str | None,
        source: str = "api",
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        """Bring back version n of a case (of a deleted case, by default its last content) as a
        new version; the record must pass today's rules. Content equal to the case's as it is
        changes nothing."""
        with self.db.write_session() as session:
            case = store.find_case(session, ref)
            kept = history.restorable(session, ref, version, live=case is not None)
            record = self._validated(kept)
            current = None if case is None else case.version
            if expected_version is not None and current != expected_version:
                raise StaleVersion(
                    f"The case is at version {current}, not {expected_version}."
                    if current is not None
                    else f"The case is deleted, not at version {expected_version}."
                )
            if case is None:
                created = datetime.fromisoformat(kept["created_at"])
                case = store.create(session, record, source, user, created_at=created)
            elif not store.same_content(case, record):
                store.update(session, case, record, source, user, action="restore")
            written = _written(session, case)
        self.sync()
        return written

    def import_files(
        self,
        paths: Sequence[str | Path],
        fmt: str = "auto",
        dry_run: bool = False,
        on_error: str = "abort",
        source: str = "import",
        user: str | None = None,
        progress: Callable[[int], None] | None = None,
        limits: importer.ImportLimits | None = None,
        names: Sequence[str] | None = None,
    ) -> ImportReport:
        report = importer.import_files(
            self.db, paths, fmt, dry_run, on_error, source, user, progress, limits, names
        )
        if report.written and not dry_run and not report.aborted:
            self.sync()
        return report

    def import_upload(
        self,
        upload: Upload,
        fmt: str,
        dry_run: bool,
        on_error: str,
        source: str,
        user: str | None,
        limits: importer.ImportLimits,
    ) -> ImportReport:
        """An uploaded file through the import (the API and the admin pages): its messages
        name it as the client does, never by its path on the server."""
        return self.import_files(
            [upload.path], fmt, dry_run, on_error, source, user, limits=limits, names=[upload.name]
        )


def _written(session: Any, case: Any) -> dict[str, Any]:
    """The case as this write left it (read before commit: a later writer may follow at once)."""
    session.flush()
    record = store.record_to_dict(case)
    record["labels"] = case_labels(record)
    return record
