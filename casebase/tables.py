"""Tables out: a cross-tabulation as CSV, following the export's Danish Excel conventions
(docs/contract.md section 10): `;` between cells, UTF-8 with a BOM, and the formula guard of
casebase/spreadsheet.py on every text cell."""

from __future__ import annotations

import csv
import io

from . import catalogue
from .engine import CrossTab
from .exporter import CSV_DELIMITER
from .spreadsheet import guard_formula

CONTENT_TYPE = "text/csv; charset=utf-8"
FILENAME = "casebase-crosstab.csv"
TOTAL_DA = "I alt"


def crosstab_csv(tab: CrossTab) -> str:
    """The table with its labels (Danish, as the API's), row totals last and column totals below.

    The first cell names both dimensions, "Region \\ Samarbejdsform", as a spreadsheet's
    corner cell does.
    """
    text = io.StringIO()
    text.write("\ufeff")  # the BOM makes Excel read UTF-8
    writer = csv.writer(text, delimiter=CSV_DELIMITER)
    corner = f"{catalogue.dimension_label(tab.rows)} \\ {catalogue.dimension_label(tab.cols)}"
    writer.writerow(
        [guard_formula(corner), *(guard_formula(v.label) for v in tab.col_values), TOTAL_DA]
    )
    for value, cells, total in zip(tab.row_values, tab.cells, tab.row_totals, strict=True):
        writer.writerow([guard_formula(value.label), *cells, total])
    writer.writerow([TOTAL_DA, *tab.col_totals, tab.total])
    return text.getvalue()
