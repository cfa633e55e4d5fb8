"""Facet counts: disjunctive over the search, one bincount of the facet codes per facet."""

from __future__ import annotations

import numpy as np

from .. import catalogue, vocabularies
from .analysis import danish_sort_key
from .columns import FACET_BASE, FACET_VALUES, Columns, bits
from .filters import Selection
from .params import SearchParams
from .results import Bucket


def _value_counts(cols: Columns, mask: np.ndarray) -> np.ndarray:
    """Matching documents per facet value code: a popcount of each value's bitset AND mask."""
    return np.bitwise_count(cols.value_bits() & bits(mask)).sum(axis=1)


def facet_counts(cols: Columns, sel: Selection, params: SearchParams) -> dict[str, list[Bucket]]:
    """Disjunctive counts: facet F counts over q, years and every filter except F's own."""
    shared = _value_counts(cols, sel.final)
    facets: dict[str, list[Bucket]] = {}
    for facet in catalogue.FACET_NAMES:
        counts = shared
        if facet in sel.filters:
            mask = sel.base.copy()
            for other, other_mask in sel.filters.items():
                if other != facet:
                    mask &= other_mask
            counts = _value_counts(cols, mask)
        base = FACET_BASE[facet]
        selected = params.filters.get(facet, ())
        vocabulary = catalogue.BY_NAME[facet].vocabulary
        buckets = [
            Bucket(key, vocabularies.label(vocabulary, key), int(counts[base + i]), key in selected)
            for i, key in enumerate(FACET_VALUES[facet])
            if counts[base + i] > 0 or key in selected
        ]
        buckets += [Bucket(k, k, 0, True) for k in selected if k not in FACET_VALUES[facet]]
        facets[facet] = ordered(buckets)
    facets[catalogue.YEAR_FACET] = _year_buckets(cols, sel.final, params)
    return facets


def empty_facets(params: SearchParams) -> dict[str, list[Bucket]]:
    """The facets of a search that found nothing: only the selected values, counted 0."""
    facets = {
        facet.name: ordered(
            [
                Bucket(k, vocabularies.label(facet.vocabulary, k), 0, True)
                for k in params.filters.get(facet.name, ())
            ]
        )
        for facet in catalogue.FACETS
    }
    chosen = _chosen_year(params)
    facets[catalogue.YEAR_FACET] = [] if chosen is None else [Bucket(chosen, str(chosen), 0, True)]
    return facets


def ordered(buckets: list[Bucket]) -> list[Bucket]:
    """Count descending, then label in Danish order."""
    return sorted(buckets, key=lambda b: (-b.count, danish_sort_key(b.label)))


def _chosen_year(params: SearchParams) -> int | None:
    return params.year_from if params.year_from == params.year_to else None


def _year_buckets(cols: Columns, mask: np.ndarray, params: SearchParams) -> list[Bucket]:
    counted = np.bincount(cols.start[mask & (cols.start > 0)])
    years = np.flatnonzero(counted)
    counts = counted[years]
    chosen = _chosen_year(params)
    buckets = [
        Bucket(int(y), str(int(y)), int(c), int(y) == chosen)
        for y, c in zip(years, counts, strict=True)
    ]
    if chosen is not None and chosen not in set(years.tolist()):
        buckets.append(Bucket(chosen, str(chosen), 0, True))
    return ordered(buckets)
