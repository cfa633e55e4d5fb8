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

from casebase.errors import CasebaseError
from casebase.readers import FORMATS
from casebase.spreadsheet import (
    ESCAPED_SEPARATOR,
    LINK_TITLES_COLUMN,
    LIST_SEPARATOR,
    guard_formula,
)
from casebase.vocabularies import LIST_FIELDS, RECORD_FIELDS

# What an export holds: the record's importable fields (system fields would only be ignored).
EXPORT_FIELDS = RECORD_FIELDS
# Listed after them, ignored by import: the case's documents, title and download address.
DOCUMENTS_COLUMN = "documents"
# Spreadsheet columns: the field names, and the titles of the links beside the links.
COLUMNS = (
    *(
        name
        for field in EXPORT_FIELDS
        for name in ((field, LINK_TITLES_COLUMN) if field == "links" else (field,))
    ),
    DOCUMENTS_COLUMN,
)
CSV_DELIMITER = ";"  # what Danish Excel expects
LINK_SEPARATOR = " | "
SHEET_TITLE = "Cases"
# Excel's limit on the text of one cell (in UTF-16 code units); openpyxl cuts longer text.
XLSX_MAX_CELL_CHARS = 32_767
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "jsonl": "application/x-ndjson",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def write_export(
    records: Iterable[dict[str, Any]], fmt: str, out: BinaryIO, notice: str | None = None
) -> None:
    """Stream records to a binary file object in one of FORMATS.

    `notice` (the data's licence) is written where the format has room for it beside the
    records: an XLSX workbook's description. CSV, JSON and JSON Lines hold only records.
    """
    _check_format(fmt)
    if fmt == "xlsx":
        _write_xlsx(records, out, notice)
    else:
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
    """The record's import fields in their canonical order, absent values left out; then its
    documents (title and url), which import ignores."""
    data = {field: record[field] for field in EXPORT_FIELDS if _present(record.get(field))}
    if record.get(DOCUMENTS_COLUMN):
        data[DOCUMENTS_COLUMN] = [
            {"title": d["title"], "url": d["url"]} for d in record[DOCUMENTS_COLUMN]
        ]
    return data


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
    documents = data.get(DOCUMENTS_COLUMN, [])
    data[DOCUMENTS_COLUMN] = [f"{d['title']} ({d['url']})" for d in documents]
    cells: list[Any] = []
    for column in COLUMNS:
        value = data.get(column)
        if column in LIST_FIELDS:
            value = _join(value or [], LIST_SEPARATOR)
        elif column in ("links", LINK_TITLES_COLUMN, DOCUMENTS_COLUMN):
            value = _join(value or [], LINK_SEPARATOR)
        cells.append(value if _present(value) else None)
    return cells


def _join(values: list[Any], separator: str) -> str:
    """A list cell as the readers split it again: a `|` inside a value escaped as `\\|`."""
    parts = [str(value).replace(LIST_SEPARATOR, ESCAPED_SEPARATOR) for value in values]
    text = parts[0] if parts else ""
    for part in parts[1:]:
        if text.endswith("\\") and not separator[0].isspace():
            text += " "  # `A\` then `|B` would read as `A|B`; import strips the space
        text += separator + part
    return text


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
    return guard_formula(value) if isinstance(value, str) else value


def _write_xlsx(
    records: Iterable[dict[str, Any]], out: BinaryIO, notice: str | None = None
) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    if notice:
        workbook.properties.description = notice
    sheet = workbook.create_sheet(SHEET_TITLE)
    sheet.append(COLUMNS)
    try:
        for record in records:
            row = zip(COLUMNS, _row(record), strict=True)
            sheet.append([_xlsx_cell(sheet, record, column, cell) for column, cell in row])
    except BaseException:
        # Nothing is written to `out` before the save; the rows so far are in a temporary file.
        sheet.close()
        sheet._writer.cleanup()
        raise
    workbook.save(out)


def _xlsx_cell(sheet: Any, record: dict[str, Any], column: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    # XML cannot hold most control characters; openpyxl would refuse the cell.
    text = guard_formula(ILLEGAL_CHARACTERS_RE.sub("", value), typed_as_text=True)
    length = len(text.encode("utf-16-le")) // 2
    if length > XLSX_MAX_CELL_CHARS:  # openpyxl would cut it short without a word
        raise CasebaseError(
            f"case {record.get('ref')!r}: {column} is {length:,} characters long, but an XLSX "
            f"cell holds at most {XLSX_MAX_CELL_CHARS:,}; export as CSV or JSON instead"
        )
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
