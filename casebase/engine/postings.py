"""Decoded postings, cached per process: decoding Whoosh's posting blocks is a query's main cost."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np
from whoosh.reading import TermNotFound

from .whooshlib import read_postings

POSTINGS_CACHE_SIZE = 4_000_000  # decoded postings kept per process (about 32 MB)


def leaf_postings(leaf: Any, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
    """A term's postings in one segment; None when the segment does not hold the term."""
    try:
        matcher = leaf.postings(fieldname, text)
    except TermNotFound:
        return None
    return read_postings(matcher)


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
        self,
        key: tuple[str, str, str],
        read: Callable[[], tuple[np.ndarray, np.ndarray] | None],
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """The cached postings of `key`, else what `read` returns (None, for a term the
        segment lacks, is not kept)."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        found = read()
        if found is None:
            return None
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
