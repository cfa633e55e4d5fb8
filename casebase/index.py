"""The Whoosh index of the cases: schema, case -> document, generations, cached snapshots.

Layout of `index_dir`: one Whoosh index per generation in a `gen-*` sub-folder, and a
`CURRENT` file naming the live one (replaced atomically by `rebuild`). The change-log sequence
number lives inside the index as a meta document, so it is committed atomically with the
changes it stands for. A `Snapshot` (a searcher plus numpy columns of every document's facet
values, years, ref and title order) is built once per index generation and shared by all
searches until the index changes; per-segment arrays are reused across generations so a small
update does not re-read the whole index.
"""

from __future__ import annotations

import os
import shutil
import struct
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import fields, index
from whoosh.columns import FixedBytesColumn, VarBytesColumn
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError

from casebase import vocabularies
from casebase.analysis import danish_analyzer, danish_sort_key_uncached, spelling_analyzer
from casebase.errors import CasebaseError

CURRENT_FILE = "CURRENT"
GENERATION_PREFIX = "gen-"
META_REF = "~meta"  # cannot clash: refs are [A-Za-z0-9._-]
WRITER_TIMEOUT = 30.0  # seconds to wait for another process's writer (WHOOSH.md)
WRITER_ATTEMPTS = 4
REBUILD_LIMIT_MB = 256

# Searchable text fields, shared with search.py. `labels` holds the Danish and English labels
# of the case's vocabulary values.
TEXT_FIELDS = ("title", "summary", "description", "results", "labels")

# Facet name -> record field holding its keys (status is a single key).
FACET_FIELDS = {
    "collaboration_form": "collaboration_forms",
    "actor": "actors",
    "theme": "themes",
    "region": "regions",
    "municipality": "municipalities",
    "status": "status",
}
# Every facet value gets a global code; codes of one facet are contiguous.
FACET_VALUES: dict[str, tuple[str, ...]] = {
    facet: tuple(term.key for term in vocabularies.VOCABULARIES[facet]) for facet in FACET_FIELDS
}
_FACET_BASE: dict[str, int] = {}
_CODE: dict[tuple[str, str], int] = {}
for _facet, _keys in FACET_VALUES.items():
    _FACET_BASE[_facet] = len(_CODE)
    for _key in _keys:
        _CODE[(_facet, _key)] = len(_CODE)
VALUE_COUNT = len(_CODE)

_NUMS = struct.Struct("<hhi")  # start_year, end_year (0 = none), version
NUMS_DTYPE = np.dtype([("start", "<i2"), ("end", "<i2"), ("version", "<i4")])
CODE_DTYPE = np.dtype("<u2")


class IndexBusy(CasebaseError):
    """Another process held the index's write lock for too long."""


def build_schema() -> fields.Schema:
    text = danish_analyzer()
    return fields.Schema(
        ref=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=text),
        summary=fields.TEXT(analyzer=text),
        description=fields.TEXT(analyzer=text),
        results=fields.TEXT(analyzer=text),
        labels=fields.TEXT(analyzer=text),
        spell=fields.TEXT(analyzer=spelling_analyzer(), phrase=False),
        data=fields.STORED(),  # what a search result and its snippet need
        seq=fields.STORED(),  # meta document only
        c_ref=fields.COLUMN(VarBytesColumn()),
        c_title=fields.COLUMN(VarBytesColumn()),
        c_codes=fields.COLUMN(VarBytesColumn()),
        c_nums=fields.COLUMN(FixedBytesColumn(_NUMS.size)),
    )


SCHEMA = build_schema()


# --- case -> document -------------------------------------------------------------------


def _keys(record: dict, name: str) -> list[str]:
    value = record.get(name)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _year(value: Any) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 0 < year < 32768 else None


def _labels_text(record: dict) -> str:
    lines = []
    for facet, name in FACET_FIELDS.items():
        for key in _keys(record, name):
            term = vocabularies.terms_by_key(facet).get(key)
            lines.append(f"{term.da}. {term.en}." if term and term.en != term.da else key + ".")
    return "\n".join(lines)


def case_document(record: dict) -> dict[str, Any]:
    """The Whoosh document of one case record."""
    start, end = _year(record.get("start_year")), _year(record.get("end_year"))
    texts = {name: str(record.get(name) or "") for name in ("title", "summary", "description",
                                                              "results")}
    codes = [
        _CODE[(facet, key)]
        for facet, name in FACET_FIELDS.items()
        for key in _keys(record, name)
        if (facet, key) in _CODE
    ]
    data = {
        "ref": str(record["ref"]),
        "title": texts["title"],
        "summary": record.get("summary") or None,
        **{name: _keys(record, name) for name in FACET_FIELDS.values() if name != "status"},
        "start_year": start,
        "end_year": end,
        "status": record.get("status") or None,
        "description": texts["description"],
        "results": texts["results"],
    }
    labels = _labels_text(record)
    return {
        "ref": data["ref"],
        **texts,
        "labels": labels,
        "spell": "\n".join([*texts.values(), labels]),
        "data": data,
        "c_ref": data["ref"].encode(),
        "c_title": danish_sort_key_uncached(texts["title"]).encode(),
        "c_codes": np.asarray(codes, dtype=CODE_DTYPE).tobytes(),
        "c_nums": _NUMS.pack(start or 0, end or 0, int(record.get("version") or 0)),
    }


# --- numpy columns ----------------------------------------------------------------------


@dataclass
class _SegmentArrays:
    """The column values of one (immutable) segment, deleted documents included."""

    refs: list[str]
    title_keys: list[str]
    nums: np.ndarray
    code_docs: np.ndarray  # local docnum of each (doc, value) pair
    code_values: np.ndarray

    @classmethod
    def read(cls, reader: Any) -> _SegmentArrays:
        size = reader.doc_count_all()
        refs = [b.decode() for b in reader.column_reader("c_ref")]
        title_keys = [b.decode() for b in reader.column_reader("c_title")]
        nums = np.frombuffer(b"".join(reader.column_reader("c_nums")), dtype=NUMS_DTYPE)
        blobs = list(reader.column_reader("c_codes"))
        lengths = np.fromiter(map(len, blobs), dtype=np.int64, count=size) // CODE_DTYPE.itemsize
        code_values = np.frombuffer(b"".join(blobs), dtype=CODE_DTYPE).astype(np.int32)
        code_docs = np.repeat(np.arange(size, dtype=np.int32), lengths)
        return cls(refs, title_keys, nums, code_docs, code_values)


@dataclass
class Columns:
    """Per-document arrays over a searcher's docnums (one generation of the index)."""

    live: np.ndarray  # bool: a case document that is not deleted
    refs: np.ndarray  # object: ref per docnum ("" for the meta document)
    start: np.ndarray  # int32, 0 = no start_year
    end: np.ndarray  # int32, end_year or start_year, 0 = no start_year
    version: np.ndarray
    code_docs: np.ndarray  # (doc, value) pairs of the facet values of live documents
    code_values: np.ndarray
    ref_rank: np.ndarray  # position of each docnum in ref order
    title_rank: np.ndarray  # position in Danish title order, ties by ref
    newest_rank: np.ndarray  # start_year descending, none last, ties by ref
    oldest_rank: np.ndarray  # start_year ascending, none last, ties by ref
    doc_of_ref: dict[str, int] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.live)

    @classmethod
    def build(cls, parts: list[tuple[_SegmentArrays, int, np.ndarray]]) -> Columns:
        """Join segment arrays (with each segment's docnum offset and live mask)."""
        refs = np.array([r for part, _, _ in parts for r in part.refs] or [], dtype=object)
        live = np.concatenate([m for _, _, m in parts]) if parts else np.zeros(0, bool)
        live &= refs != ""
        nums = np.concatenate([p.nums for p, _, _ in parts]) if parts else np.zeros(0, NUMS_DTYPE)
        start = nums["start"].astype(np.int32)
        end = np.where(nums["end"] > 0, nums["end"], start).astype(np.int32)
        docs = np.concatenate([p.code_docs + off for p, off, _ in parts] or [np.zeros(0, np.int32)])
        values = np.concatenate([p.code_values for p, _, _ in parts] or [np.zeros(0, np.int32)])
        keep = live[docs]
        ref_order = np.argsort(refs.astype(str), kind="stable")
        ref_rank = _ranks(ref_order)
        titles = np.array([t for p, _, _ in parts for t in p.title_keys] or [], dtype=str)
        title_rank = _ranks(np.lexsort((ref_rank, titles)))
        undated = start <= 0
        newest_rank = _ranks(np.lexsort((ref_rank, -start, undated)))
        oldest_rank = _ranks(np.lexsort((ref_rank, start, undated)))
        doc_of_ref = {refs[d]: int(d) for d in np.flatnonzero(live)}
        return cls(live, refs, start, end, nums["version"].astype(np.int64), docs[keep],
                   values[keep], ref_rank, title_rank, newest_rank, oldest_rank, doc_of_ref)


def _ranks(order: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(len(order))
    return ranks


def _live_mask(reader: Any, size: int) -> np.ndarray:
    if not reader.has_deletions():
        return np.ones(size, dtype=bool)
    mask = np.zeros(size, dtype=bool)
    mask[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
    return mask


class Snapshot:
    """One generation of the index as searches see it: a searcher plus its numpy columns."""

    def __init__(self, key: tuple[str, int], searcher: Any, columns: Columns, seq: int) -> None:
        self.key = key
        self.searcher = searcher
        self.columns = columns
        self.seq = seq
        self._users = 0
        self._retired = False
        self._lock = threading.Lock()
        # Whoosh readers keep file positions: one search at a time per snapshot.
        self.in_use = threading.Lock()

    def _enter(self) -> None:
        with self._lock:
            self._users += 1

    def _leave(self) -> None:
        with self._lock:
            self._users -= 1
            close = self._retired and self._users == 0
        if close:
            self.searcher.close()

    def retire(self) -> None:
        """Close the searcher once the last search using it is done."""
        with self._lock:
            self._retired = True
            close = self._users == 0
        if close:
            self.searcher.close()


# --- the index ----------------------------------------------------------------------------


class CaseIndex:
    """The search index of the cases in one folder, kept in step by the service layer."""

    def __init__(self, index_dir: str | os.PathLike) -> None:
        self.path = Path(index_dir)
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._segments: dict[str, _SegmentArrays] = {}
        self._opened: tuple[str, Any] | None = None

    # -- generations

    def _current_name(self) -> str | None:
        try:
            name = (self.path / CURRENT_FILE).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        if not name.startswith(GENERATION_PREFIX) or not (self.path / name).is_dir():
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
        self.path.mkdir(parents=True, exist_ok=True)
        folder = tempfile.mkdtemp(prefix=f"{GENERATION_PREFIX}{time.time_ns()}-", dir=self.path)
        return os.path.basename(folder)

    def _switch_to(self, name: str) -> None:
        pointer = self.path / CURRENT_FILE
        temporary = self.path / f".{CURRENT_FILE}.{os.getpid()}.{threading.get_ident()}"
        temporary.write_text(name + "\n", encoding="ascii")
        os.replace(temporary, pointer)

    def _live_generation(self) -> tuple[str, Any, int] | None:
        """(folder name, Whoosh index, TOC generation) of the current index, if usable."""
        name = self._current_name()
        if name is None:
            return None
        try:
            ix = self._open(name)
            toc = ix.latest_generation()
        except (OSError, index.IndexError):
            return None
        return (name, ix, toc) if toc >= 0 else None

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
        live = self._live_generation()
        if live is None:
            self._replace_snapshot(None)
            return None
        name, ix, toc = live
        with self._lock:
            snap = self._snapshot
            if snap is None or snap.key != (name, toc):
                snap = self._load(name, ix)
                self._replace_snapshot(snap, locked=True)
            snap._enter()
            return snap

    def _replace_snapshot(self, snap: Snapshot | None, locked: bool = False) -> None:
        if not locked:
            with self._lock:
                self._replace_snapshot(snap, locked=True)
            return
        old, self._snapshot = self._snapshot, snap
        if old is not None and old is not snap:
            old.retire()

    def _load(self, name: str, ix: Any) -> Snapshot:
        searcher = ix.searcher()
        try:
            reader = searcher.reader()
            parts, cache = [], {}
            for leaf, offset in reader.leaf_readers():
                segment_id = f"{name}/{leaf.segment().segment_id()}"
                arrays = self._segments.get(segment_id) or _SegmentArrays.read(leaf)
                cache[segment_id] = arrays
                parts.append((arrays, offset, _live_mask(leaf, leaf.doc_count_all())))
            self._segments = cache
            columns = Columns.build(parts)
            meta = searcher.document(ref=META_REF)
            seq = int(meta["seq"]) if meta and meta.get("seq") is not None else -1
            return Snapshot((name, reader.generation()), searcher, columns, seq)
        except BaseException:
            searcher.close()
            raise

    def applied_seq(self) -> int:
        with self.snapshot() as snap:
            return -1 if snap is None else snap.seq

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

    # -- writing

    def update(self, records: Iterable[dict], deleted_refs: Iterable[str], seq: int) -> None:
        """Upsert records by ref, delete refs, then remember seq (never moving it backwards)."""
        writer = self._writer()
        try:
            for record in records:
                writer.update_document(**case_document(record))
            for ref in deleted_refs:
                writer.delete_by_term("ref", str(ref))
            meta = writer.searcher().document(ref=META_REF)
            old_seq = int(meta["seq"]) if meta and meta.get("seq") is not None else -1
            writer.update_document(ref=META_REF, seq=max(old_seq, int(seq)))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def _writer(self) -> Any:
        """A writer on the current generation, waiting for other writers; creates the index."""
        for _attempt in range(WRITER_ATTEMPTS):
            live = self._live_generation()
            if live is None:
                self.rebuild([], -1)
                continue
            name, ix, _ = live
            try:
                writer = ix.writer(timeout=WRITER_TIMEOUT, delay=0.05)
            except LockError:
                continue
            except (OSError, index.EmptyIndexError):
                continue  # a rebuild removed this generation meanwhile
            if self._current_name() == name:
                return writer
            writer.cancel()  # a rebuild switched generations while we waited
        raise IndexBusy("The search index is busy; try again in a moment")

    def rebuild(self, records: Iterable[dict], seq: int) -> None:
        """Index all records into a new generation, switch to it, then drop the old ones."""
        self.path.mkdir(parents=True, exist_ok=True)
        lock = FileStorage(str(self.path)).lock("REBUILD")
        if not lock.acquire(blocking=True):
            raise IndexBusy("Another rebuild of the search index is running")
        try:
            name = self._new_generation()
            try:
                self._fill(name, records, seq)
            except BaseException:
                shutil.rmtree(self.path / name, ignore_errors=True)
                raise
            self._switch_to(name)
            self._remove_generations(keep=name)
        finally:
            lock.release()

    def _fill(self, name: str, records: Iterable[dict], seq: int) -> None:
        ix = index.create_in(str(self.path / name), SCHEMA)
        writer = ix.writer(limitmb=REBUILD_LIMIT_MB)
        try:
            for record in records:
                writer.add_document(**case_document(record))
            writer.add_document(ref=META_REF, seq=int(seq))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

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
