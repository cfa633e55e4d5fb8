"""The cross-tabulation on the search page (docs/contract.md section 10): what its table shows.

Each cell is shaded by its count on a sequential palette (ColorBrewer's "Blues", which
colour-blind readers tell apart by lightness) and the count is written in it, so the colour
is never the only carrier. Each counting cell links to the search it counts. The shades and
their text colours are checked for contrast in tests/test_crosstab.py and repeated in
static/css/site.css as .shade-0 to .shade-6.
"""

from __future__ import annotations

import math
from typing import Any

from werkzeug.datastructures import MultiDict

from .. import catalogue
from ..engine import CrossTab, TabValue
from .i18n import current_language, format_number, t, vocab_label
from .searchstate import TABLE_PARAMETERS, crosstab_url, search_url

# (background, text) per level; level 0 is a cell that counts no case.
SHADES = (
    ("#ffffff", "#1a1a1a"),
    ("#deebf7", "#1a1a1a"),
    ("#c6dbef", "#1a1a1a"),
    ("#9ecae1", "#1a1a1a"),
    ("#6baed6", "#1a1a1a"),
    ("#2171b5", "#ffffff"),
    ("#08519c", "#ffffff"),
)


def shade(count: int, peak: int) -> int:
    """The shade of a count: 0 for none, then 1 to 6 in proportion to the table's largest."""
    if count <= 0 or peak <= 0:
        return 0
    return max(1, math.ceil(count / peak * (len(SHADES) - 1)))


def dimension_options() -> list[tuple[str, str]]:
    """The choices of rows and columns: none, then every dimension in the catalogue's order."""
    lang = current_language()
    return [("", t("crosstab.none"))] + [
        (name, catalogue.dimension_label(name, lang)) for name in catalogue.DIMENSIONS
    ]


def value_label(dimension: str, value: TabValue) -> str:
    """A row's or column's label in the chosen language."""
    if dimension in catalogue.BY_NAME:
        return vocab_label(catalogue.BY_NAME[dimension].vocabulary, str(value.value))
    return value.label


def _narrowed(dimension: str, value: str | int) -> dict[str, str]:
    """The search parameters that find the cases of one row or column."""
    if dimension == catalogue.YEAR_FACET:
        return {"year_from": str(value), "year_to": str(value)}
    if dimension == catalogue.DECADE:
        return {"year_from": str(value), "year_to": str(int(value) + 9)}
    return {dimension: str(value)}


def _cell_search(search: MultiDict[str, str], narrowed: dict[str, str]) -> str:
    """The search a cell counts: the table's search with its row and column values in place
    of any filter of theirs (docs/decisions.md, section 10)."""
    kept = [(n, v) for n, v in search.items(multi=True) if n not in narrowed]
    return search_url(MultiDict(kept + list(narrowed.items())), view="pages.search")


def crosstab_table(state: MultiDict[str, str], tab: CrossTab) -> dict[str, Any]:
    """Everything the table shows: caption, headings, shaded cells with their links, totals."""
    lang = current_language()
    search = MultiDict([(n, v) for n, v in state.items(multi=True) if n not in TABLE_PARAMETERS])
    rows_label = catalogue.dimension_label(tab.rows, lang)
    cols_label = catalogue.dimension_label(tab.cols, lang)
    columns = [value_label(tab.cols, value) for value in tab.col_values]
    peak = max((count for line in tab.cells for count in line), default=0)
    lines = []
    for row, counts, total in zip(tab.row_values, tab.cells, tab.row_totals, strict=True):
        label = value_label(tab.rows, row)
        cells = []
        for column, column_label, count in zip(tab.col_values, columns, counts, strict=True):
            href = None
            if count:
                narrowed = _narrowed(tab.rows, row.value) | _narrowed(tab.cols, column.value)
                href = _cell_search(search, narrowed)
            name = t("crosstab.cell", count=format_number(count, lang), row=label, col=column_label)
            cells.append({"count": count, "shade": shade(count, peak), "href": href, "name": name})
        lines.append({"label": label, "cells": cells, "total": total})
    return {
        "caption": t(
            "crosstab.caption",
            rows=rows_label,
            cols=cols_label,
            total=format_number(tab.total, lang),
        ),
        "corner": f"{rows_label} \\ {cols_label}",
        "columns": columns,
        "lines": lines,
        "col_totals": tab.col_totals,
        "total": tab.total,
        "downloads": [(fmt, crosstab_url(state, fmt)) for fmt in ("csv", "json")],
    }
