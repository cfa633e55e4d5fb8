"""Records -> files out (CSV, JSON, JSON Lines, XLSX), in the shape that import reads back."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from casebase.readers import (
    FORMATS,
    FORMULA_PREFIXES,
    LINK_TITLES_COLUMN,
    LIST_FIELDS,
    SYSTEM_FIELDS,
)
from casebase.vocabularies import FIELDS

# What an export holds: the record's importable fields (system fields would only be ignored).
EXPORT_FIELDS = tuple(term.key for term in FIELDS if term.key not in SYSTEM_FIELDS)
# Spreadsheet columns: the field names, and the titles of the links beside the links.
COLUMNS = tuple(
    name
    for field in EXPORT_FIELDS
    for name in ((field, LINK_TITLES_COLUMN) if field == "links" else (field,))
)
CSV_DELIMITER = ";"  # what Danish Excel expects
LIST_SEPARATOR = "|"
LINK_SEPARATOR = " | "
# A `|` inside one value would split it in two on import; CSV and XLSX write this instead.
PIPE_STAND_IN = "¦"
SHEET_TITLE = "Cases"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "jsonl": "application/x-ndjson",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def write_export(records: Iterable[dict[str, Any]], fmt: str, out: BinaryIO) -> None:
    """Stream records to a binary file object in one of FORMATS."""
    _check_format(fmt)
    _WRITERS[fmt](records, out)


def export_filename(fmt: str) -> str:
    _check_format(fmt)
    return f"casebase-export.{fmt}"


def content_type(fmt: str) -> str:
    _check_format(fmt)
    return CONTENT_TYPES[fmt]


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _importable(record: dict[str, Any]) -> dict[str, Any]:
    """The record's import fields in their canonical order, absent values left out."""
    return {field: record[field] for field in EXPORT_FIELDS if _present(record.get(field))}


def _write_json(records: Iterable[dict[str, Any]], out: BinaryIO) -> None:
    separator = b"[\n"
    for record in records:
        out.write(separator)
        out.write(json.dumps(_importable(record), ensure_ascii=False).encode("utf-8"))
        separator = b",\n"
    out.write(b"[]\n" if separator == b"[\n" else b"\n]\n")


def _write_jsonl(records: Iterable[dict[str, Any]], out: BinaryIO) -> None:
    for record in records:
        out.write(json.dumps(_importable(record), ensure_ascii=False).encode("utf-8") + b"\n")


def _row(record: dict[str, Any]) -> list[Any]:
    """The record as spreadsheet cells in COLUMNS order: lists joined, None for absent."""
    data = _importable(record)
    links = data.get("links", [])
    data[LINK_TITLES_COLUMN] = [link.get("title") or link["url"] for link in links]
    data["links"] = [link["url"] for link in links]
    cells: list[Any] = []
    for column in COLUMNS:
        value = data.get(column)
        if column in LIST_FIELDS or column == LINK_TITLES_COLUMN:
            separator = LINK_SEPARATOR if column == LINK_TITLES_COLUMN else LIST_SEPARATOR
            value = separator.join(str(v).replace("|", PIPE_STAND_IN) for v in value or [])
        elif column == "links":
            value = LINK_SEPARATOR.join(value or [])
        cells.append(value if _present(value) else None)
    return cells


def _guard(text: str) -> str:
    """Formula injection: a leading = + - @ gets a ' (and so does an existing ' before one)."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_PREFIXES) else text


def _write_csv(records: Iterable[dict[str, Any]], out: BinaryIO) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        text.write("\ufeff")  # the BOM makes Excel read UTF-8
        writer = csv.writer(text, delimiter=CSV_DELIMITER)
        writer.writerow(COLUMNS)
        for record in records:
            writer.writerow([_csv_cell(cell) for cell in _row(record)])
    finally:
        text.detach()  # flushes, and leaves `out` open for the caller


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    return _guard(value) if isinstance(value, str) else value


def _write_xlsx(records: Iterable[dict[str, Any]], out: BinaryIO) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    sheet.append(COLUMNS)
    for record in records:
        sheet.append([_xlsx_cell(sheet, cell) for cell in _row(record)])
    workbook.save(out)


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    # XML cannot hold most control characters; openpyxl would refuse the cell.
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_PREFIXES):
        text = "'" + text  # import drops one ' before = + - @
    cell = WriteOnlyCell(sheet, value=text)
    # openpyxl stores a string starting with "=" as a formula (and "#N/A" as an error):
    # forced to a string cell, it is shown as text and never evaluated.
    cell.data_type = "s"
    return cell


_WRITERS: dict[str, Callable[[Iterable[dict[str, Any]], BinaryIO], None]] = {
    "csv": _write_csv,
    "json": _write_json,
    "jsonl": _write_jsonl,
    "xlsx": _write_xlsx,
}
