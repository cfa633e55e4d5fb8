"""The case index on disk: generations, writers, rebuilds, and the current snapshot.

Layout of `index_dir`: one Whoosh index per generation in a `gen-*` sub-folder, and a
`CURRENT` file naming the live one (replaced atomically by `rebuild`). The change-log sequence
number lives inside the index as a meta document, so it is committed atomically with the
changes it stands for. A `Snapshot` (a searcher plus numpy columns of every document's facet
values, years, ref and title order) is built once per index generation and shared by all
searches until the index changes; per-segment arrays are reused across generations so a small
update does not re-read the whole index.

Thread safety: a CaseIndex may be shared by threads; searches on one snapshot take turns
(`Snapshot.in_use`), snapshot swaps happen under a lock, and an old searcher is closed when its
last search ends. Processes coordinate through Whoosh's write lock and the atomic CURRENT file.
"""

from __future__ import annotations

import os
import secrets
import shutil
import threading
import time
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError

from ..errors import Busy
from .building import COMPOUND_SEGMENTS, fill
from .columns import CODES_FINGERPRINT, Columns, SegmentArrays, live_mask
from .compounds import SPLIT_FINGERPRINT, Splitter
from .corpus import corpus_of_index, corpus_of_texts, label_terms
from .document import META_REF, case_document
from .postings import PostingsCache
from .schema import SCHEMA
from .snapshot import NOT_APPLIED, Applied, Snapshot, open_lazy_files
from .whooshlib import newest_segment_ids

CURRENT_FILE = "CURRENT"
GENERATION_PREFIX = "gen-"
# Bumped whenever the schema or the document layout changes: a generation of another format
# is not used (exists() is False), so the service rebuilds. The facet codes the documents
# store follow the catalogue, so its fingerprint is part of the format, and so are the
# compound splitter's rules and lexicon.
INDEX_FORMAT = f"v8{CODES_FINGERPRINT}{SPLIT_FINGERPRINT}"
WRITER_TIMEOUT = 30.0  # seconds to wait for another process's writer (docs/whoosh.md)
WRITER_ATTEMPTS = 4
OPEN_ATTEMPTS = 5
SNAPSHOT_ATTEMPTS = 8  # loads of a snapshot whose files a commit elsewhere removed meanwhile
SPLITTER_GROWTH = 1.25  # the splitter for writes learns the corpus again when it grew this much
REBUILD_LOCK = "REBUILD.lock"  # one rebuild at a time across processes


class IndexBusy(Busy):
    """Another process held the index's write lock for too long."""


def _applied(meta: dict[str, Any] | None) -> Applied:
    """What the meta document says: the change number (-1: none) and the status year."""
    if not meta or meta.get("seq") is None:
        return NOT_APPLIED
    year = (meta.get("data") or {}).get("status_year")
    return Applied(int(meta["seq"]), int(year) if year is not None else None)


def _common(meta: dict[str, Any] | None) -> frozenset[str]:
    """The generation's common words (engine/corpus.py), as its meta document keeps them."""
    return frozenset(((meta or {}).get("data") or {}).get("common") or ())


def _meta_document(seq: int, status_year: int | None, common: frozenset[str]) -> dict[str, Any]:
    data = {"status_year": status_year, "common": sorted(common)}
    return {"ref": META_REF, "seq": int(seq), "data": data}


class Batch:
    """Changes to the index under its write lock (CaseIndex.writing)."""

    def __init__(self, writer: Any, created: bool, splitter: Splitter) -> None:
        self.writer = writer
        self.splitter = splitter
        self.created = created  # the index was absent: this batch's writer created it
        meta = writer.searcher().document(ref=META_REF)
        self.held = NOT_APPLIED if created else _applied(meta)
        self.common = _common(meta)  # the pairs this generation indexes (schema.WordPairs)
        self.applied = False

    def apply(
        self,
        records: Iterable[dict],
        deleted_refs: Iterable[str],
        seq: int,
        status_year: int | None = None,
    ) -> None:
        """Upsert records by ref, delete refs, remember seq (never moving it backwards)."""
        for record in records:
            self.writer.update_document(**case_document(record, self.splitter, self.common))
        for ref in deleted_refs:
            self.writer.delete_by_term("ref", str(ref))
        old = self.held
        new_seq = old.seq if self.created else max(old.seq, int(seq))
        year = old.status_year if self.created or status_year is None else status_year
        self.writer.update_document(**_meta_document(new_seq, year, self.common))
        self.applied = True


# --- the index ----------------------------------------------------------------------------


def _retire_boxed(box: list[Snapshot | None]) -> None:
    snap, box[0] = box[0], None
    if snap is not None:
        snap.retire()


class CaseIndex:
    """The search index of the cases in one folder, kept in step by the service layer."""

    def __init__(self, index_dir: str | os.PathLike) -> None:
        self.path = Path(index_dir)
        self._lock = threading.Lock()
        # The current snapshot lives in a box that a finalizer can reach without this object:
        # a CaseIndex dropped without close() still closes its files (no ResourceWarning).
        self._box: list[Snapshot | None] = [None]
        weakref.finalize(self, _retire_boxed, self._box)
        self._segments: dict[str, SegmentArrays] = {}
        self._opened: tuple[str, Any] | None = None
        self._postings = PostingsCache()
        # The splitter for writes: (generation, its case count when made, the splitter).
        self._splitter: tuple[str | None, int, Splitter] | None = None

    # -- generations

    def _current_name(self) -> str | None:
        try:
            name = (self.path / CURRENT_FILE).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        if not name.startswith(f"{GENERATION_PREFIX}{INDEX_FORMAT}-"):
            return None
        if not (self.path / name).is_dir():
            return None
        return name

    def _open(self, name: str) -> Any:
        with self._lock:
            if self._opened is not None and self._opened[0] == name:
                return self._opened[1]
        ix = index.open_dir(str(self.path / name), schema=SCHEMA)
        with self._lock:
            self._opened = (name, ix)
        return ix

    def _new_generation(self) -> str:
        """A fresh, empty generation folder (made with the umask, unlike mkdtemp's 0700)."""
        self.path.mkdir(parents=True, exist_ok=True)
        unique = f"{time.time_ns()}-{os.getpid()}-{secrets.token_hex(4)}"
        name = f"{GENERATION_PREFIX}{INDEX_FORMAT}-{unique}"
        (self.path / name).mkdir()
        return name

    def _switch_to(self, name: str) -> None:
        pointer = self.path / CURRENT_FILE
        temporary = self.path / f".{CURRENT_FILE}.{os.getpid()}.{threading.get_ident()}"
        temporary.write_text(name + "\n", encoding="ascii")
        os.replace(temporary, pointer)

    def _live_generation(self) -> tuple[str, Any, int] | None:
        """(folder name, Whoosh index, TOC generation) of the current index; None when absent.

        A commit in another process may delete the TOC file we are about to read: such errors
        are retried, never taken for an absent index (update() would build a new one).
        """
        for attempt in range(OPEN_ATTEMPTS):
            name = self._current_name()
            if name is None:
                return None
            try:
                ix = self._open(name)
                toc = ix.latest_generation()
            except index.EmptyIndexError:
                return None
            except (OSError, index.IndexError) as error:
                if attempt < OPEN_ATTEMPTS - 1:
                    time.sleep(0.02 * (attempt + 1))
                    continue
                if isinstance(error, OSError):
                    raise IndexBusy("The search index could not be opened; try again") from None
                return None  # unreadable (another Whoosh version?): the service rebuilds it
            return (name, ix, toc) if toc >= 0 else None
        return None

    def exists(self) -> bool:
        return self._live_generation() is not None

    # -- reading

    @contextmanager
    def snapshot(self) -> Iterator[Snapshot | None]:
        """The current generation, for the length of one search (None when there is no index)."""
        snap = self._current_snapshot()
        if snap is None:
            yield None
            return
        try:
            with snap.in_use:
                yield snap
        finally:
            snap._leave()

    def _current_snapshot(self) -> Snapshot | None:
        for attempt in range(SNAPSHOT_ATTEMPTS):
            live = self._live_generation()
            if live is None:
                self._replace_snapshot(None)
                return None
            name, ix, toc = live
            try:
                with self._lock:
                    snap = self._box[0]
                    if snap is None or snap.key != (name, toc):
                        snap = self._load(name, ix)
                        self._replace_snapshot(snap, locked=True)
                    snap._enter()
                    return snap
            except (OSError, index.IndexError):
                if attempt == SNAPSHOT_ATTEMPTS - 1:
                    raise
                # A rebuild removed the generation, or a merge some segments, as we opened it.
                time.sleep(0.02 * (attempt + 1))
        return None

    def _replace_snapshot(self, snap: Snapshot | None, locked: bool = False) -> None:
        if not locked:
            with self._lock:
                self._replace_snapshot(snap, locked=True)
            return
        old, self._box[0] = self._box[0], snap
        if old is not None and old is not snap:
            old.retire()

    def _load(self, name: str, ix: Any) -> Snapshot:
        searcher = ix.searcher()
        try:
            reader = searcher.reader()
            parts, cache = [], {}
            for leaf, offset in reader.leaf_readers():
                open_lazy_files(leaf)
                segment_id = f"{name}/{leaf.segment().segment_id()}"
                arrays = self._segments.get(segment_id) or SegmentArrays.read(leaf)
                cache[segment_id] = arrays
                parts.append((arrays, offset, live_mask(leaf, leaf.doc_count_all())))
            # Files opened now stay readable; a segment merged away meanwhile may have lost
            # some before they were opened.
            opened = {leaf.segment().segment_id() for leaf, _ in reader.leaf_readers()}
            if not opened <= newest_segment_ids(ix):
                raise FileNotFoundError("segments were merged away while the snapshot opened")
            self._segments = cache
            columns = Columns.build(parts)
            meta = searcher.document(ref=META_REF)
            return Snapshot(
                (name, reader.generation()),
                searcher,
                columns,
                (_applied(meta), _common(meta)),
                list(cache),
                self._postings,
            )
        except BaseException:
            searcher.close()
            raise

    def applied_seq(self) -> int:
        return self.applied().seq

    def applied(self) -> Applied:
        """The change number the index holds and the year its derived statuses are for."""
        with self.snapshot() as snap:
            return NOT_APPLIED if snap is None else snap.applied

    def doc_count(self) -> int:
        with self.snapshot() as snap:
            return 0 if snap is None else int(snap.columns.live.sum())

    def refs_versions(self) -> dict[str, int]:
        with self.snapshot() as snap:
            if snap is None:
                return {}
            cols = snap.columns
            return {ref: int(cols.version[doc]) for ref, doc in cols.doc_of_ref.items()}

    def close(self) -> None:
        """Close the cached searcher (searches in progress finish first)."""
        self._replace_snapshot(None)

    def clear_caches(self) -> None:
        """Forget decoded postings and recent match sets (for cold-cache benchmarks)."""
        self._postings.clear()
        with self._lock:
            if self._box[0] is not None:
                self._box[0].query_cache.clear()

    # -- writing

    def splitter(self) -> Splitter:
        """The compound splitter for documents written now: the lexicon, and the words of the
        corpus as the current generation has them (engine/corpus.py). Made again when the
        generation changes or has grown by SPLITTER_GROWTH since."""
        with self.snapshot() as snap:
            name = None if snap is None else snap.key[0]
            count = 0 if snap is None else int(snap.searcher.doc_count())
            made = self._splitter
            if made is None or made[0] != name or count > made[1] * SPLITTER_GROWTH + 10:
                corpus = None if snap is None else corpus_of_index(snap)
                made = self._splitter = (name, count, Splitter(corpus=corpus))
            return made[2]

    def common(self) -> frozenset[str]:
        """The common words of the current generation (empty without one)."""
        with self.snapshot() as snap:
            return frozenset() if snap is None else snap.common

    def update(
        self,
        records: Iterable[dict],
        deleted_refs: Iterable[str],
        seq: int,
        wait: bool = True,
        status_year: int | None = None,
    ) -> None:
        """Upsert records by ref, delete refs, then remember seq (never moving it backwards).

        On an absent index this creates one holding just these records; its seq stays -1, as
        it does not reflect the changes before `seq` (a catch-up or rebuild fills it). Without
        `wait`, IndexBusy at once when another process holds the index's write lock. A
        `status_year` says that every derived status in the index is now that year's.
        """
        with self.writing(wait) as batch:
            batch.apply(records, deleted_refs, seq, status_year)

    @contextmanager
    def writing(self, wait: bool = True) -> Iterator[Batch]:
        """The index's write lock for one batch of changes, committed when the block ends.

        `batch.held` is what the index has applied, read under the lock: a catch-up that reads
        the database only now cannot write an older version of a case over a newer one that
        another process indexed while this one waited for the lock. A batch to which nothing
        was applied is cancelled, as is one whose block raises.
        """
        splitter = self.splitter()
        writer, created = self._writer(wait)
        batch = Batch(writer, created, splitter)
        try:
            yield batch
        except BaseException:
            writer.cancel()
            raise
        if batch.applied:
            writer.commit()
        else:
            writer.cancel()

    def _writer(self, wait: bool = True) -> tuple[Any, bool]:
        """A writer on the current generation, waiting for other writers; creates the index.

        Returns the writer and whether the index had to be created for it.
        """
        created = False
        for _attempt in range(WRITER_ATTEMPTS):
            live = self._live_generation()
            if live is None:
                self.rebuild([], -1, wait=wait)
                created = True
                continue
            name, ix, _ = live
            try:
                writer = ix.writer(
                    timeout=WRITER_TIMEOUT if wait else 0, delay=0.05, compound=COMPOUND_SEGMENTS
                )
            except LockError:
                if not wait:
                    raise IndexBusy("Another process is writing the search index") from None
                continue
            except (OSError, index.EmptyIndexError):
                continue  # a rebuild removed this generation meanwhile
            if self._current_name() == name:
                return writer, created
            writer.cancel()  # a rebuild switched generations while we waited
        raise IndexBusy("The search index is busy; try again in a moment")

    def rebuild(
        self,
        records: Iterable[dict],
        seq: int,
        wait: bool = True,
        status_year: int | None = None,
        texts: Iterable[Sequence[str | None]] | None = None,
        procs: int = 1,
    ) -> None:
        """Index all records into a new generation, switch to it, then drop the old ones.

        `texts`, the same cases' texts (title, summary, description, results), are counted
        first for the corpus's own words (engine/corpus.py); without them the current
        generation's words are used. `procs` processes write the index (engine/building.py).
        """
        self.path.mkdir(parents=True, exist_ok=True)
        lock = FileStorage(str(self.path)).lock(REBUILD_LOCK)
        if not lock.acquire(blocking=wait):
            raise IndexBusy("Another rebuild of the search index is running")
        try:
            if texts is None:
                splitter, common = self.splitter(), self.common()
            else:
                corpus, common = corpus_of_texts(texts)
                splitter = Splitter(corpus=corpus)
            common |= label_terms()  # the same words for the documents and the meta document
            name = self._new_generation()
            try:
                meta = _meta_document(seq, status_year, common)
                count = fill(self.path / name, records, meta, (splitter, common), procs)
            except BaseException:
                shutil.rmtree(self.path / name, ignore_errors=True)
                raise
            self._switch_to(name)
            self._splitter = (name, count, splitter)
            self._remove_generations(keep=name)
        finally:
            lock.release()

    def _remove_generations(self, keep: str) -> None:
        """Delete old generations; wait for a writer still finishing in one (its work is moot)."""
        for folder in self.path.glob(f"{GENERATION_PREFIX}*"):
            if folder.name == keep or not folder.is_dir():
                continue
            try:
                writer = index.open_dir(str(folder), schema=SCHEMA).writer(timeout=WRITER_TIMEOUT)
                writer.cancel()
            except Exception:
                pass  # a broken or half-built folder goes all the same
            shutil.rmtree(folder, ignore_errors=True)
