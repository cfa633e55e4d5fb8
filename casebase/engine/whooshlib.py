"""Whoosh internals, behind one door: the only module that touches whoosh3's private members.

whoosh3 is pinned to an exact version (pyproject.toml), and tests/test_index.py compares what
these functions read with Whoosh's own public matchers, so an upgrade that changes the
internals fails loudly. What is read here:
- posting blocks whole (`W3LeafMatcher._read_data`, `_data`, `_next_block`, `_byteids`), instead of
  stepping document by document in Python (about 5 ms against 150 ms for a common word at
  100k cases);
- a segment's field lengths at once (`_perdoc._cached_reader`, `whoosh3._lenfield`);
- BM25F's per-field B parameter (`BM25F._field_B`);
- the segments of an index's newest commit (`FileIndex._segments`).
tests/test_architecture.py keeps every other module away from Whoosh's private members.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from whoosh.codec import whoosh3
from whoosh.matching import FilterMatcher, WrappingMatcher
from whoosh.util.numeric import byte_to_length


def bm25_b(weighting: Any, fieldname: str) -> float:
    """BM25F's B parameter for a field (Whoosh keeps the per-field ones privately)."""
    return float(weighting._field_B.get(fieldname, weighting.B))


def newest_segment_ids(ix: Any) -> set[str]:
    """The ids of the segments an index's newest commit (its newest TOC) holds."""
    return {segment.segment_id() for segment in ix._segments()}


def field_lengths(reader: Any, fieldname: str, size: int) -> np.ndarray:
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
    """(docnum, position) pairs of a term in one segment, for the docnums where the boolean
    mask `wanted` (over the segment's docnums) is true.

    Positions are CompactPositions values: a uint32 count, then uint32 positions.
    """
    docs, positions = [], []
    for block_ids, _, values in _blocks(matcher, wanted):
        chosen = np.flatnonzero(wanted[block_ids]).tolist()
        if not chosen:
            continue
        picked = [values[i] for i in chosen]
        counts = np.fromiter((len(v) for v in picked), dtype=np.int64, count=len(picked))
        docs.append(np.repeat(block_ids[chosen].astype(np.int64), counts // 4 - 1))
        positions.append(np.frombuffer(b"".join(v[4:] for v in picked), dtype="<u4"))
    if not docs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(docs), np.concatenate(positions).astype(np.int64)


def _blocks(
    matcher: Any, wanted: np.ndarray | None = None
) -> Iterator[tuple[np.ndarray, Any, Any]]:
    """(docnums, raw weights, raw values) per posting block (whoosh3 internals, pinned).

    With `wanted` (a mask over the segment's docnums), a block none of whose docnums can be
    wanted is skipped unread: its header holds its greatest docnum, and its smallest is past
    the block before. Decoding a block (zlib, then unpickling, positions included) is what
    reading postings costs; a phrase with a rare word wants a few cases of a long list."""
    while isinstance(matcher, (FilterMatcher, WrappingMatcher)):
        matcher = matcher.child
    if type(matcher) is not whoosh3.W3LeafMatcher or matcher._byteids:
        yield _step_postings(matcher)
        return
    low = 0
    while matcher.is_active():
        high = matcher._maxid
        if wanted is None or wanted[low : high + 1].any():
            matcher._read_data()
            raw_ids, raw_weights, raw_values = matcher._data
            ids = np.cumsum(np.asarray(raw_ids, dtype=np.int64)).astype(np.int32)
            yield ids, raw_weights, raw_values
        low = high + 1
        matcher._next_block()


def _step_postings(matcher: Any) -> tuple[np.ndarray, list[float], list[Any]]:
    """Any other matcher (e.g. inlined postings of a rare term), one posting at a time."""
    ids, weights, values = [], [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        values.append(matcher.value())
        matcher.next()
    return np.asarray(ids, dtype=np.int32), weights, values
