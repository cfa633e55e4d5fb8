"""A search's match set: q, years and facet filters as masks over one index generation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh import query

from .columns import FACET_BASE, FACET_VALUES, Columns, unbits
from .evaluate import matches
from .params import SearchParams
from .snapshot import Snapshot


def _year_mask(cols: Columns, year_from: int | None, year_to: int | None) -> np.ndarray | None:
    if year_from is None and year_to is None:
        return None
    if year_from is not None and year_to is not None and year_from > year_to:
        year_from, year_to = year_to, year_from
    mask = cols.start > 0
    if year_to is not None:
        mask &= cols.start.astype(np.int64) <= year_to
    if year_from is not None:
        mask &= cols.end.astype(np.int64) >= year_from
    return mask


def facet_mask(cols: Columns, facet: str, keys: tuple[str, ...]) -> np.ndarray:
    base = FACET_BASE[facet]
    codes = [base + FACET_VALUES[facet].index(k) for k in keys if k in FACET_VALUES[facet]]
    if not codes:
        return np.zeros(cols.size, dtype=bool)
    return unbits(np.bitwise_or.reduce(cols.value_bits()[codes], axis=0), cols.size)


@dataclass
class Selection:
    """The match set of q, each filter's mask, and everything they combine into."""

    base: np.ndarray  # q and years (years always apply)
    filters: dict[str, np.ndarray]
    final: np.ndarray
    scores: np.ndarray | None


def select(snap: Snapshot, params: SearchParams, q: query.Query | None, scored: bool) -> Selection:
    cols = snap.columns
    base = cols.live.copy()
    scores = None
    if q is not None:
        base, scores = matches(snap, q, scored)
        base = base.copy()
    years = _year_mask(cols, params.year_from, params.year_to)
    if years is not None:
        base &= years
    filters = {
        f: facet_mask(cols, f, keys)
        for f, keys in params.filters.items()
        if f in FACET_VALUES and keys
    }
    final = base.copy()
    for mask in filters.values():
        final &= mask
    return Selection(base, filters, final, scores)
