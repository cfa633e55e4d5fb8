"""Result order: one unique int64 key per document, so pages never repeat or drop a case."""

from __future__ import annotations

import numpy as np

from .columns import Columns


def sort_keys(cols: Columns, docs: np.ndarray, sort: str, scores: np.ndarray | None) -> np.ndarray:
    """A unique int64 key per doc: ascending key order is the result order."""
    if sort == "title":
        return cols.title_rank[docs]
    if sort in ("newest", "oldest"):
        return cols.newest_rank[docs] if sort == "newest" else cols.oldest_rank[docs]
    points = np.zeros(len(docs), np.int64)
    if scores is not None:
        points = np.rint(scores[docs] * 1000).astype(np.int64)
    return -points * (cols.size + 1) + cols.ref_rank[docs]


def ordered_docs(docs: np.ndarray, keys: np.ndarray, limit: int | None) -> np.ndarray:
    if limit is not None and limit < len(docs) // 2:
        if limit <= 0:
            return docs[:0]
        part = np.argpartition(keys, limit - 1)[:limit]
        return docs[part[np.argsort(keys[part])]]
    return docs[np.argsort(keys, kind="stable")][:limit]
