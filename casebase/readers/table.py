"""CSV and XLSX rows -> raw records: the header row names the columns, converters read the cells."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from typing import Any

from casebase.numbers import parse_amount, parse_decimal
from casebase.spreadsheet import (
    ESCAPED_SEPARATOR,
    LINK_TITLES_COLUMN,
    LIST_SEPARATOR,
    unguard_formula,
)
from casebase.vocabularies import (
    AMOUNT_FIELDS,
    LIST_FIELDS,
    SYSTEM_FIELDS,
    YEAR_FIELDS,
    find_field,
)

from .base import RawRecord, RecordReader, Records, echo

# Record fields by the shape a spreadsheet cell gives them.
INT_FIELDS = frozenset((*YEAR_FIELDS, *AMOUNT_FIELDS))
FLOAT_FIELDS = frozenset({"latitude", "longitude"})
# The headers that name LINK_TITLES_COLUMN (`_` read as a space, case and spacing ignored).
LINK_TITLES_HEADERS = frozenset({"link titles", "linktitler", "link titler"})
_SEPARATOR = re.compile(r"(?<!\\)\|")  # a `|` that is not escaped
_URL_SEPARATORS = re.compile(r"(?:\s|(?<!\\)\|)+")  # white space or an unescaped `|`
# A run of more than this many empty rows ends a table (rather than refusing the file):
# workbooks often carry thousands of formatted but empty rows below the data, or one empty
# row numbered 1,048,576 (openpyxl yields every row in between); reading them all takes long
# and means nothing, and a table that resumes after so many empty rows is not one people make.
MAX_EMPTY_ROWS = 10_000

# A cell's value (text stripped) -> the field's value, or None / [] for nothing.
Converter = Callable[[Any], Any]


def table_records(reader: RecordReader, rows: Iterator[tuple[int, Any]]) -> Records:
    """Header row (the first non-empty row), then one RawRecord per non-empty row."""
    rows = _non_empty_rows(rows)
    first = next(rows, None)
    if first is None:
        reader.fail(
            f"no header row (the table is empty, or starts with over {MAX_EMPTY_ROWS:,} empty rows)"
        )
    columns = _columns(reader, first[1])
    yield None  # the up-front checks are done
    for number, cells in rows:
        yield RawRecord(number, _row_data(columns, cells))


def _non_empty_rows(rows: Iterator[tuple[int, Any]]) -> Iterator[tuple[int, Any]]:
    """The rows that hold something, up to a run of more than MAX_EMPTY_ROWS empty ones."""
    empty = 0
    for number, cells in rows:
        if not _is_empty_row(cells):
            empty = 0
            yield number, cells
        elif (empty := empty + 1) > MAX_EMPTY_ROWS:
            return


def _is_empty_row(cells: Any) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _columns(reader: RecordReader, header: Any) -> list[tuple[int, str, Converter]]:
    """(cell index, field, converter) for each column that names a field, first one wins."""
    columns: list[tuple[int, str, Converter]] = []
    seen: set[str] = set()
    for index, cell in enumerate(header):
        text = "" if cell is None else str(cell).strip()
        if not text:
            continue
        field = _header_field(text)
        if field in SYSTEM_FIELDS:
            continue
        if field is None or field in seen:
            reader.ignored_columns.append(echo(text))
            continue
        seen.add(field)
        columns.append((index, field, _converter(field)))
    if not seen - {LINK_TITLES_COLUMN}:
        names = [str(cell).strip() for cell in header if cell is not None and str(cell).strip()]
        found = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        reader.fail(f"the header row names none of the record's fields (found: {echo(found)})")
    return columns


def _header_field(text: str) -> str | None:
    if " ".join(text.replace("_", " ").split()).casefold() in LINK_TITLES_HEADERS:
        return LINK_TITLES_COLUMN
    return find_field(text)


def _converter(field: str) -> Converter:
    if field in LIST_FIELDS:
        return _to_list
    if field in YEAR_FIELDS:
        return _to_year
    if field in INT_FIELDS:
        return parse_amount
    if field in FLOAT_FIELDS:
        return parse_decimal
    if field == "links":
        return _to_urls
    if field == LINK_TITLES_COLUMN:
        return _to_titles
    return _to_text


def _row_data(columns: list[tuple[int, str, Converter]], cells: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for index, field, convert in columns:
        cell = cells[index] if index < len(cells) else None
        value = None if cell is None or cell == "" else _cell(cell)
        if value is not None:
            converted = convert(value)
            if converted not in (None, []):
                data[field] = converted
    titles = data.pop(LINK_TITLES_COLUMN, [])
    if "links" in data:
        urls = data["links"]
        titles = (titles + [""] * len(urls))[: len(urls)]  # titles pair with URLs in order
        pairs = zip(urls, titles, strict=True)
        data["links"] = [{"title": title or url, "url": url} for url, title in pairs]
    return data


def _cell(value: Any) -> Any:
    """A cell's value: None when empty; text stripped, CRLF as LF, the formula guard undone."""
    if not isinstance(value, str):
        return value
    text = unguard_formula(value.strip().replace("\r\n", "\n"))
    return text or None


def _to_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number typed in a text column, e.g. a ref: 1234.0 -> "1234"
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _split(text: str, separator: re.Pattern[str]) -> list[str]:
    """The parts between unescaped separators, with `\\|` turned back into `|`."""
    return [part.replace(ESCAPED_SEPARATOR, LIST_SEPARATOR) for part in separator.split(text)]


def _to_list(value: Any) -> list[str]:
    return [part.strip() for part in _split(_to_text(value), _SEPARATOR) if part.strip()]


def _to_urls(value: Any) -> list[str]:
    return [part for part in _split(_to_text(value), _URL_SEPARATORS) if part]


def _to_titles(value: Any) -> list[str]:
    # Empty parts keep their place.
    return [part.strip() for part in _split(_to_text(value), _SEPARATOR)]


def _to_year(value: Any) -> Any:
    if isinstance(value, date):  # a year typed into a date-formatted cell
        return value.year
    return parse_amount(value)
