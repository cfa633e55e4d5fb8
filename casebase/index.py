"""The Whoosh index of the cases: schema, case -> document, generations, cached snapshots.

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

Whoosh internals used (whoosh3 is pinned exactly): posting blocks are read whole
(`read_postings`) and field lengths per segment at once (`_field_lengths`); tests compare both
with Whoosh's own matchers.
"""

from __future__ import annotations

import os
import secrets
import shutil
import struct
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import fields, formats, index
from whoosh.codec import whoosh3
from whoosh.columns import FixedBytesColumn, VarBytesColumn
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.matching import FilterMatcher, WrappingMatcher
from whoosh.util.numeric import byte_to_length

from casebase import vocabularies
from casebase.analysis import danish_analyzer, danish_sort_key_uncached
from casebase.errors import Busy

CURRENT_FILE = "CURRENT"
GENERATION_PREFIX = "gen-"
# Bumped whenever the schema or the document layout changes: a generation of another format
# is not used (exists() is False), so the service rebuilds.
INDEX_FORMAT = "v2"
META_REF = "~meta"  # cannot clash: refs are [A-Za-z0-9._-]
WRITER_TIMEOUT = 30.0  # seconds to wait for another process's writer (WHOOSH.md)
WRITER_ATTEMPTS = 4
OPEN_ATTEMPTS = 5
REBUILD_LIMIT_MB = 256
REBUILD_LOCK = "REBUILD.lock"  # one rebuild at a time across processes
# Whoosh reads a compound segment by copying each of its parts into memory (about 100 MB per
# searcher at 20k cases); separate files are read in place.
COMPOUND_SEGMENTS = False
POSTINGS_CACHE_SIZE = 4_000_000  # decoded postings kept per process (about 32 MB)
QUERY_CACHE_SIZE = 16  # match sets kept per index generation (paging, facet clicks)

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
_CODE = {(facet, key): 0 for facet, keys in FACET_VALUES.items() for key in keys}
_CODE = {pair: code for code, pair in enumerate(_CODE)}
FACET_BASE = {facet: _CODE[(facet, keys[0])] for facet, keys in FACET_VALUES.items()}
VALUE_COUNT = len(_CODE)

_NUMS = struct.Struct("<hhi")  # start_year, end_year (0 = none), version
NUMS_DTYPE = np.dtype([("start", "<i2"), ("end", "<i2"), ("version", "<i4")])
CODE_DTYPE = np.dtype("<u2")


class IndexBusy(Busy):
    """Another process held the index's write lock for too long."""


class CompactPositions(formats.Positions):
    """Whoosh's Positions format with positions as packed uint32 instead of a pickled list.

    Phrase matching reads positions in bulk with numpy (`read_positions`), and indexing does
    not pickle a list per posting.
    """

    def encode(self, poslist: Any) -> bytes:
        return struct.pack(f"<I{len(poslist)}I", len(poslist), *poslist)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        count = (len(valuestring) - 4) // 4
        return list(struct.unpack_from(f"<{count}I", valuestring, 4))

    def decode_frequency(self, valuestring: bytes) -> int:
        return int(struct.unpack_from("<I", valuestring)[0])


def _text_field(analyzer: Any) -> fields.TEXT:
    field = fields.TEXT(analyzer=analyzer)
    field.format = CompactPositions()
    return field


def build_schema() -> fields.Schema:
    text = danish_analyzer()
    return fields.Schema(
        ref=fields.ID(stored=True, unique=True),
        title=_text_field(text),
        summary=_text_field(text),
        description=_text_field(text),
        results=_text_field(text),
        labels=_text_field(text),
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
    texts = {
        name: str(record.get(name) or "") for name in ("title", "summary", "description", "results")
    }
    codes = [
        _CODE[(facet, key)]
        for facet, name in FACET_FIELDS.items()
        for key in _keys(record, name)
        if (facet, key) in _CODE
    ]
    ref = str(record["ref"])
    data: dict[str, Any] = {
        "ref": ref,
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
        "ref": ref,
        **texts,
        "labels": labels,
        "data": data,
        "c_ref": ref.encode(),
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
    lengths: dict[str, np.ndarray]  # text field -> its length (in tokens) per document

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
        field_lengths = {name: _field_lengths(reader, name, size) for name in TEXT_FIELDS}
        return cls(refs, title_keys, nums, code_docs, code_values, field_lengths)


def _field_lengths(reader: Any, fieldname: str, size: int) -> np.ndarray:
    """Whoosh's stored length of a field for every document of a segment, as BM25 sees it."""
    try:  # fast: the segment's length column at once (whoosh3 internals, version pinned)
        column = reader._perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
        codes = np.zeros(size, np.int64) if column is None else np.asarray(column.load())
        return _BYTE_TO_LENGTH[codes].astype(np.float64)
    except (AttributeError, TypeError, IndexError):
        return np.array(
            [reader.doc_field_length(d, fieldname, 0) or 0 for d in range(size)], dtype=np.float64
        )


_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.int64)


def read_postings(matcher: Any) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, term weights) of a term's postings in one segment, as numpy arrays.

    Reads whole posting blocks of whoosh3's leaf matcher instead of stepping document by
    document in Python (the difference between ~5 ms and ~150 ms for a common word at 100k).
    Deletions are not filtered here: callers mask with `Columns.live`.
    """
    ids, weights = [], []
    for block_ids, raw_weights, _ in _blocks(matcher):
        ids.append(block_ids)
        if raw_weights is None or isinstance(raw_weights, float):
            value = 1.0 if raw_weights is None else raw_weights
            weights.append(np.full(len(block_ids), value, dtype=np.float32))
        else:
            weights.append(np.asarray(raw_weights, dtype=np.float32))
    if not ids:
        return np.zeros(0, np.int32), np.zeros(0, np.float32)
    return np.concatenate(ids), np.concatenate(weights)


def read_positions(matcher: Any, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(docnum, position) pairs of a term in one segment, for the docnums `wanted` (sorted).

    Positions are CompactPositions values: a uint32 count, then uint32 positions.
    """
    docs, positions = [], []
    for block_ids, _, values in _blocks(matcher):
        chosen = np.flatnonzero(np.isin(block_ids, wanted, assume_unique=True)).tolist()
        if not chosen:
            continue
        picked = [values[i] for i in chosen]
        counts = np.fromiter((len(v) for v in picked), dtype=np.int64, count=len(picked))
        docs.append(np.repeat(block_ids[chosen].astype(np.int64), counts // 4 - 1))
        positions.append(np.frombuffer(b"".join(v[4:] for v in picked), dtype="<u4"))
    if not docs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(docs), np.concatenate(positions).astype(np.int64)


def _blocks(matcher: Any) -> Iterator[tuple[np.ndarray, Any, Any]]:
    """(docnums, raw weights, raw values) per posting block (whoosh3 internals, pinned)."""
    while isinstance(matcher, (FilterMatcher, WrappingMatcher)):
        matcher = matcher.child
    if type(matcher) is not whoosh3.W3LeafMatcher or matcher._byteids:
        yield _step_postings(matcher)
        return
    while matcher.is_active():
        matcher._read_data()
        raw_ids, raw_weights, raw_values = matcher._data
        ids = np.cumsum(np.asarray(raw_ids, dtype=np.int64)).astype(np.int32)
        yield ids, raw_weights, raw_values
        matcher._next_block()


def _leaf_postings(leaf: Any, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    return read_postings(leaf.postings(fieldname, text))


def _step_postings(matcher: Any) -> tuple[np.ndarray, list[float], list[Any]]:
    """Any other matcher (e.g. inlined postings of a rare term), one posting at a time."""
    ids, weights, values = [], [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        values.append(matcher.value())
        matcher.next()
    return np.asarray(ids, dtype=np.int32), weights, values


class PostingsCache:
    """Decoded postings per (segment, field, term), least recently used out first.

    Segments never change, so entries outlive index generations; decoding Whoosh's pickled
    posting blocks is the main cost of a query on a big index.
    """

    def __init__(self, max_postings: int = POSTINGS_CACHE_SIZE) -> None:
        self.max_postings = max_postings
        self._entries: OrderedDict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]]
        self._entries = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(
        self, key: tuple[str, str, str], read: Callable[[], tuple[np.ndarray, np.ndarray]]
    ) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        found = read()
        with self._lock:
            if key not in self._entries and len(found[0]) <= self.max_postings:
                self._entries[key] = found
                self._size += len(found[0])
                while self._size > self.max_postings:
                    _, (old_ids, _) = self._entries.popitem(last=False)
                    self._size -= len(old_ids)
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0


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
    lengths: dict[str, np.ndarray]  # text field -> field length per docnum
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
        lengths = {
            name: np.concatenate([p.lengths[name] for p, _, _ in parts] or [np.zeros(0)])
            for name in TEXT_FIELDS
        }
        doc_of_ref = {refs[d]: int(d) for d in np.flatnonzero(live)}
        return cls(
            live,
            refs,
            start,
            end,
            nums["version"].astype(np.int64),
            docs[keep],
            values[keep],
            ref_rank,
            title_rank,
            newest_rank,
            oldest_rank,
            lengths,
            doc_of_ref,
        )


def _ranks(order: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(len(order))
    return ranks


def _open_lazy_files(reader: Any) -> None:
    """Open the files Whoosh opens on first use (stored fields, lengths) while they exist: a
    merge or rebuild in another process may delete them, and open files stay readable."""
    if reader.doc_count_all():
        reader.stored_fields(0)
        for name in TEXT_FIELDS:
            reader.doc_field_length(0, name)


def _live_mask(reader: Any, size: int) -> np.ndarray:
    if not reader.has_deletions():
        return np.ones(size, dtype=bool)
    mask = np.zeros(size, dtype=bool)
    mask[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
    return mask


class Snapshot:
    """One generation of the index as searches see it: a searcher plus its numpy columns."""

    def __init__(
        self,
        key: tuple[str, int],
        searcher: Any,
        columns: Columns,
        seq: int,
        segment_keys: list[str],
        postings_cache: PostingsCache,
    ) -> None:
        self.key = key
        self.searcher = searcher
        self.columns = columns
        self.seq = seq
        self._leaves = list(zip(searcher.reader().leaf_readers(), segment_keys, strict=True))
        self._postings_cache = postings_cache
        # Match sets of recent queries: paging and facet clicks repeat the same q.
        self.query_cache: OrderedDict[Any, Any] = OrderedDict()
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

    def postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, weights) of one term over the whole generation."""
        ids, weights = [], []
        for (leaf, offset), segment_key in self._leaves:
            if (fieldname, text) not in leaf:
                continue
            leaf_ids, leaf_weights = self._postings_cache.get(
                (segment_key, fieldname, text), partial(_leaf_postings, leaf, fieldname, text)
            )
            ids.append(leaf_ids.astype(np.int64) + offset)
            weights.append(leaf_weights)
        if not ids:
            return np.zeros(0, np.int64), np.zeros(0)
        return np.concatenate(ids), np.concatenate(weights).astype(np.float64)

    def positions(
        self, fieldname: str, text: str, docs: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(docnum, position) pairs of one term, for the (sorted) docnums `docs` only."""
        found_docs, found_positions = [], []
        for (leaf, offset), _ in self._leaves:
            size = leaf.doc_count_all()
            local = docs[(docs >= offset) & (docs < offset + size)] - offset
            if not len(local) or (fieldname, text) not in leaf:
                continue
            leaf_docs, leaf_positions = read_positions(leaf.postings(fieldname, text), local)
            found_docs.append(leaf_docs + offset)
            found_positions.append(leaf_positions)
        if not found_docs:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(found_docs), np.concatenate(found_positions)

    def retire(self) -> None:
        """Close the searcher once the last search using it is done."""
        with self._lock:
            self._retired = True
            close = self._users == 0
        if close:
            self.searcher.close()


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
        self._segments: dict[str, _SegmentArrays] = {}
        self._opened: tuple[str, Any] | None = None
        self._postings = PostingsCache()

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
        for attempt in range(3):
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
                if attempt == 2:
                    raise
                time.sleep(0.05)  # a rebuild removed the generation as we opened it
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
                _open_lazy_files(leaf)
                segment_id = f"{name}/{leaf.segment().segment_id()}"
                arrays = self._segments.get(segment_id) or _SegmentArrays.read(leaf)
                cache[segment_id] = arrays
                parts.append((arrays, offset, _live_mask(leaf, leaf.doc_count_all())))
            self._segments = cache
            columns = Columns.build(parts)
            meta = searcher.document(ref=META_REF)
            seq = int(meta["seq"]) if meta and meta.get("seq") is not None else -1
            return Snapshot(
                (name, reader.generation()), searcher, columns, seq, list(cache), self._postings
            )
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

    def clear_caches(self) -> None:
        """Forget decoded postings and recent match sets (for cold-cache benchmarks)."""
        self._postings.clear()
        with self._lock:
            if self._box[0] is not None:
                self._box[0].query_cache.clear()

    # -- writing

    def update(
        self, records: Iterable[dict], deleted_refs: Iterable[str], seq: int, wait: bool = True
    ) -> None:
        """Upsert records by ref, delete refs, then remember seq (never moving it backwards).

        On an absent index this creates one holding just these records; its seq stays -1, as
        it does not reflect the changes before `seq` (a catch-up or rebuild fills it). Without
        `wait`, IndexBusy at once when another process holds the index's write lock.
        """
        writer, created = self._writer(wait)
        try:
            for record in records:
                writer.update_document(**case_document(record))
            for ref in deleted_refs:
                writer.delete_by_term("ref", str(ref))
            meta = writer.searcher().document(ref=META_REF)
            old_seq = int(meta["seq"]) if meta and meta.get("seq") is not None else -1
            new_seq = old_seq if created else max(old_seq, int(seq))
            writer.update_document(ref=META_REF, seq=new_seq)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

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

    def rebuild(self, records: Iterable[dict], seq: int, wait: bool = True) -> None:
        """Index all records into a new generation, switch to it, then drop the old ones."""
        self.path.mkdir(parents=True, exist_ok=True)
        lock = FileStorage(str(self.path)).lock(REBUILD_LOCK)
        if not lock.acquire(blocking=wait):
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
        writer = ix.writer(limitmb=REBUILD_LIMIT_MB, compound=COMPOUND_SEGMENTS)
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
