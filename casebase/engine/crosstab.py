"""Cross-tabulation: the cases of a search counted by two dimensions (docs/contract.md 10).

One more use of the per-generation facet columns, not a second counting path: the match set is
the search's (filters.select), a facet's values are its global codes in the (doc, code) pairs
of engine/columns.py, and the start year (or its decade) comes from the year column. The two
dimensions' (doc, value) pairs are joined on the document and counted with one bincount, as
facet counts are (engine/facets.py).

Which cases a table holds: those of the search that carry at least one value of each
dimension. A case with two values of a dimension counts in both rows (or columns); the totals
count cases, not cells. Values without cases are left out. docs/decisions.md (section 10) has
the order of the values and their labels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import catalogue, vocabularies
from .analysis import danish_sort_key
from .columns import FACET_VALUES, Columns
from .filters import select
from .generations import CaseIndex
from .params import SearchParams
from .search import query_for
from .thesaurus import Thesaurus


@dataclass(frozen=True)
class TabValue:
    """One row or column of a table: a vocabulary key (or a year, or a decade's first year)."""

    value: str | int
    label: str


@dataclass(frozen=True)
class CrossTab:
    """The counts of a search's cases by two dimensions, with their margins."""

    rows: str
    cols: str
    total: int
    row_values: list[TabValue]
    col_values: list[TabValue]
    cells: list[list[int]]
    row_totals: list[int]
    col_totals: list[int]


@dataclass
class _Pairs:
    """(document, value index) pairs of one dimension over a match set, sorted by document."""

    docs: np.ndarray
    index: np.ndarray
    values: list[str | int]  # what each value index stands for


def crosstab(
    index: CaseIndex,
    params: SearchParams,
    rows: str,
    cols: str,
    thesaurus: Thesaurus | None = None,
) -> CrossTab:
    """The cases matching `params` (as the search finds them, thesaurus included), counted by
    `rows` x `cols` (catalogue.DIMENSIONS)."""
    for name in (rows, cols):
        if name not in catalogue.DIMENSIONS:
            raise ValueError(f"not a dimension of a cross-tabulation: {name!r}")
    with index.snapshot() as snap:
        if snap is None:
            return CrossTab(rows, cols, 0, [], [], [], [], [])
        q, _ = query_for(snap, params, thesaurus)
        final = select(snap, params, q, scored=False).final
        return _tabulate(
            rows, _pairs(snap.columns, final, rows), cols, _pairs(snap.columns, final, cols)
        )


def _pairs(cols: Columns, mask: np.ndarray, dimension: str) -> _Pairs:
    if dimension in FACET_VALUES:
        docs, index = cols.facet_pairs(dimension)
        chosen = mask[docs]
        return _Pairs(docs[chosen], index[chosen], list(FACET_VALUES[dimension]))
    docs = np.flatnonzero(mask & (cols.start > 0))
    years = cols.start[docs]
    if dimension == catalogue.DECADE:
        years = years // 10 * 10
    values, index = np.unique(years, return_inverse=True)
    return _Pairs(docs, index.reshape(-1), [int(v) for v in values])


def _tabulate(rows: str, row: _Pairs, cols: str, col: _Pairs) -> CrossTab:
    size = int(max(row.docs.max(initial=-1), col.docs.max(initial=-1))) + 1
    # Each document's column values, as a slice of the (sorted) column pairs.
    col_count = np.bincount(col.docs, minlength=size)
    col_start = np.cumsum(col_count) - col_count
    # Every (row value, column value) of every document: row pairs repeated once per column
    # value of their document.
    repeat = col_count[row.docs]
    # The k-th combination of a row pair takes column pair col_start[doc] + k.
    shift = np.repeat(col_start[row.docs] - (np.cumsum(repeat) - repeat), repeat)
    column_pairs = np.arange(len(shift)) + shift
    width = len(col.values)
    cells = np.bincount(
        np.repeat(row.index, repeat) * width + col.index[column_pairs],
        minlength=len(row.values) * width,
    ).reshape(len(row.values), width)
    both = (np.bincount(row.docs, minlength=size) > 0) & (col_count > 0)
    row_totals = np.bincount(row.index[both[row.docs]], minlength=len(row.values))
    col_totals = np.bincount(col.index[both[col.docs]], minlength=width)
    row_order = _order(rows, row.values, row_totals)
    col_order = _order(cols, col.values, col_totals)
    return CrossTab(
        rows=rows,
        cols=cols,
        total=int(both.sum()),
        row_values=[_tab_value(rows, row.values[i]) for i in row_order],
        col_values=[_tab_value(cols, col.values[j]) for j in col_order],
        cells=cells[np.ix_(row_order, col_order)].tolist() if row_order and col_order else [],
        row_totals=[int(row_totals[i]) for i in row_order],
        col_totals=[int(col_totals[j]) for j in col_order],
    )


def _order(dimension: str, values: list[str | int], totals: np.ndarray) -> list[int]:
    """The indexes of the values with cases: years in order, facet values as facets are."""
    present = [i for i in range(len(values)) if totals[i] > 0]
    if dimension not in FACET_VALUES:
        return present  # np.unique gave the years in ascending order
    return sorted(
        present, key=lambda i: (-int(totals[i]), danish_sort_key(_label(dimension, values[i])))
    )


def _tab_value(dimension: str, value: str | int) -> TabValue:
    return TabValue(value, _label(dimension, value))


def _label(dimension: str, value: str | int) -> str:
    """Danish, as the API's facet labels are; a decade as its years."""
    if dimension == catalogue.DECADE:
        return f"{value}–{int(value) + 9}"
    if dimension == catalogue.YEAR_FACET:
        return str(value)
    return LABELS[dimension].get(str(value), str(value))


# Each facet's keys -> their Danish labels.
LABELS = {
    facet.name: {term.key: term.da for term in vocabularies.VOCABULARIES[facet.vocabulary]}
    for facet in catalogue.FACETS
}
