"""One generation of the index as searches see it: a searcher plus its numpy columns."""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from .columns import Columns
from .postings import PostingsCache, leaf_postings
from .schema import SEARCH_FIELDS
from .whooshlib import read_positions


def open_lazy_files(reader: Any) -> None:
    """Open the files Whoosh opens on first use (stored fields, lengths) while they exist: a
    merge or rebuild in another process may delete them, and open files stay readable.

    FileNotFoundError when they are gone already (Whoosh itself fails with a TypeError on a
    missing stored-fields file, and reads a missing lengths file as lengths of 0: the caller
    checks that the segment is still in the index's newest commit).
    """
    if reader.doc_count_all():
        try:
            reader.stored_fields(0)
        except TypeError:
            raise FileNotFoundError("a merge elsewhere removed this segment's files") from None
        for name in SEARCH_FIELDS:
            reader.doc_field_length(0, name)


class Applied(NamedTuple):
    """What an index generation holds: the newest change number it applied (-1 when it holds
    none, or was never caught up), and the year its derived statuses are for (None: unknown)."""

    seq: int
    status_year: int | None


NOT_APPLIED = Applied(-1, None)


class Snapshot:
    """One generation of the index as searches see it: a searcher plus its numpy columns."""

    def __init__(
        self,
        key: tuple[str, int],
        searcher: Any,
        columns: Columns,
        meta: tuple[Applied, frozenset[str]],
        segment_keys: list[str],
        postings_cache: PostingsCache,
    ) -> None:
        self.key = key
        self.searcher = searcher
        self.columns = columns
        # What the generation applied, and its common words (engine/corpus.py): a phrase of
        # two of them is one term of the pairs field.
        self.applied, self.common = meta
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
            found = self._postings_cache.get(
                (segment_key, fieldname, text), partial(leaf_postings, leaf, fieldname, text)
            )
            if found is None:
                continue
            leaf_ids, leaf_weights = found
            ids.append(leaf_ids.astype(np.int64) + offset)
            weights.append(leaf_weights)
        if not ids:
            return np.zeros(0, np.int64), np.zeros(0)
        return np.concatenate(ids), np.concatenate(weights).astype(np.float64)

    def positions(
        self, fieldname: str, text: str, wanted: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(docnum, position) pairs of one term, in the docs where the mask `wanted` is true."""
        found_docs, found_positions = [], []
        for (leaf, offset), _ in self._leaves:
            local = wanted[offset : offset + leaf.doc_count_all()]
            if not local.any() or (fieldname, text) not in leaf:
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
