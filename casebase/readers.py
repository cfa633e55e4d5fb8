"""Import files in (CSV, JSON, JSON Lines, XLSX) -> raw records, streamed and not yet validated."""

from __future__ import annotations

import codecs
import csv
import itertools
import json
import re
import sys
import warnings
import zipfile
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any, NoReturn
from xml.parsers import expat

import charset_normalizer
import openpyxl

from casebase.errors import UnreadableFile
from casebase.numbers import parse_amount, parse_decimal
from casebase.vocabularies import (
    AMOUNT_FIELDS,
    LIST_FIELDS,
    SYSTEM_FIELDS,
    YEAR_FIELDS,
    find_field,
)

FORMATS = ("csv", "json", "jsonl", "xlsx")

# Record fields by the shape a spreadsheet cell gives them.
INT_FIELDS = frozenset((*YEAR_FIELDS, *AMOUNT_FIELDS))
FLOAT_FIELDS = frozenset({"latitude", "longitude"})
# The column that pairs titles with the URLs of `links` in CSV and XLSX (not a record field).
LINK_TITLES_COLUMN = "link_titles"
LINK_TITLES_HEADERS = frozenset({"link titles", "linktitler", "link titler"})
# A leading ' before these is the export's guard against formula injection.
FORMULA_PREFIXES = ("=", "+", "-", "@")
# List cells (and links, link titles) separate values by `|`; a `|` inside a value is written
# `\|`, and a backslash before anything else is just a backslash. The one ambiguity: a cell
# `A\|B` meant as the two values `A\` and `B` reads as the one value `A|B` (write `A\ | B`;
# the export does so after a value that ends in a backslash).
LIST_SEPARATOR = "|"
ESCAPED_SEPARATOR = "\\|"
_SEPARATOR = re.compile(r"(?<!\\)\|")  # a `|` that is not escaped
_URL_SEPARATORS = re.compile(r"(?:\s|(?<!\\)\|)+")  # white space or an unescaped `|`

HEAD_BYTES = 64 * 1024  # what format detection, sniffing and the binary check look at
CHUNK_BYTES = 1024 * 1024
JSON_CHUNK_CHARS = 64 * 1024
MAX_JSON_RECORD_CHARS = 16 * 1024 * 1024  # a bound on memory when a JSON record never ends
# csv's own limit (131,072) is below what a long description makes; the bound is the upload's.
MAX_CSV_CELL_CHARS = 64 * 1024 * 1024
# Follows the file's last line, so that a quoted cell that never ends is seen (csv, not strict,
# would take everything up to the end of the file as that cell's text without a word).
_END_OF_CSV = "\x00casebase: end of file\x00"
SNIFF_LINES = 20
DELIMITERS = ",;\t"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
SUFFIX_FORMATS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".xlsx": "xlsx"}
SUFFIX_FORMATS |= {".xlsm": "xlsx", ".xls": "xlsx"}
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})

# Bounds on what one file can make the reader hold, read or say back (ReadLimits: the
# configurable ones).
MAX_CELL_CHARS = 32_767  # the text of one cell, as Excel itself allows
ECHO_CHARS = 200  # a value of the file quoted in a message is cut to this
MAX_PROBLEM_CHARS = 500  # a whole message about the file, whatever it quotes
MAX_ROWS = 1_048_576  # rows (records, lines) of one file: as many as an Excel sheet holds
# A workbook unpacked: 100,000 cases like the seed data's unpack to about 230 MB.
MAX_XLSX_BYTES = 1024 * 1024 * 1024
# A run of more than this many empty rows ends a table (rather than refusing the file):
# workbooks often carry thousands of formatted but empty rows below the data, or one empty
# row numbered 1,048,576 (openpyxl yields every row in between); reading them all takes long
# and means nothing, and a table that resumes after so many empty rows is not one people make.
MAX_EMPTY_ROWS = 10_000
# A part of a workbook that unpacks to more than this many times its packed size is a zip
# bomb (real sheets pack 5-20 to 1); below ZIP_RATIO_FLOOR bytes a part may pack as it likes.
MAX_ZIP_RATIO = 100
ZIP_RATIO_FLOOR = 1024 * 1024
XML_CHUNK_BYTES = 64 * 1024
MAX_JSON_DEPTH = 100  # arrays and objects inside one another, counted from the document's top


@dataclass(frozen=True)
class ReadLimits:
    """The configurable bounds on one file: rows (records, lines), a workbook's unpacked size.

    `check_time` is called now and then while reading (before each record, and as a workbook
    is checked): it raises to stop the reading, e.g. once a deadline has passed.
    """

    max_rows: int = MAX_ROWS
    max_xlsx_bytes: int = MAX_XLSX_BYTES
    check_time: Callable[[], None] | None = None

    def tick(self) -> None:
        if self.check_time is not None:
            self.check_time()


def echo(text: str, limit: int = ECHO_CHARS) -> str:
    """A value as a message quotes it: at most `limit` characters, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class RawRecord:
    """One record as read: its row (or record, or line) number and field name -> value."""

    row: int
    data: dict[str, Any]


def detect_format(path: str | Path, declared: str = "auto") -> str:
    """The format of a file: the declared one, else from its content, else from its extension."""
    if declared != "auto":
        if declared not in FORMATS:
            raise ValueError(f"unknown format {declared!r}; use one of {', '.join(FORMATS)}")
        return declared
    path = Path(path)
    head = _read_head(path, str(path))
    if head.startswith((ZIP_MAGIC, OLE_MAGIC)):
        return "xlsx"
    text = _head_text(head).lstrip()
    if text.startswith("["):
        return "json"
    if text.startswith("{"):
        if "\n" not in text and len(head) == HEAD_BYTES:  # the first line goes on past the head
            return _long_json_or_jsonl(path, head)
        first_line, _, rest = text.partition("\n")
        return _json_or_jsonl(first_line, more=bool(rest.strip()))
    return SUFFIX_FORMATS.get(path.suffix.lower(), "csv")


def read_records(
    path: str | Path,
    fmt: str = "auto",
    *,
    name: str | None = None,
    limits: ReadLimits | None = None,
) -> RecordReader:
    """Stream the records of an import file; UnreadableFile when it cannot be read."""
    return RecordReader(path, fmt, name=name, limits=limits)


class RecordReader:
    """An iterator of RawRecords that checks what it cheaply can (empty, binary, header) up front.

    `ignored_columns` lists the CSV/XLSX headers that name no field (or repeat one), cut short.
    `name` is how messages name the file (the path unless told, e.g. an upload's file name).
    """

    def __init__(
        self,
        path: str | Path,
        fmt: str = "auto",
        *,
        name: str | None = None,
        limits: ReadLimits | None = None,
    ) -> None:
        self.path = Path(path)
        self.name = name or str(path)
        self.limits = limits or ReadLimits()
        self.ignored_columns: list[str] = []
        self.head = _read_head(self.path, self.name)
        if _is_blank(self.path, self.head):
            self.fail("the file is empty")
        self.format = detect_format(self.path, fmt)
        self._records = _FORMAT_READERS[self.format](self)
        next(self._records)  # runs each reader's checks up to its first record

    def __iter__(self) -> RecordReader:
        return self

    def __next__(self) -> RawRecord:
        self.limits.tick()
        record = next(self._records)
        assert record is not None
        if record.row > self.limits.max_rows:
            unit = {"json": "records", "jsonl": "lines"}.get(self.format, "rows")
            self.fail(f"more than {self.limits.max_rows:,} {unit}; split it into smaller files")
        return record

    def close(self) -> None:
        self._records.close()

    def __enter__(self) -> RecordReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def fail(self, problem: str) -> NoReturn:
        raise UnreadableFile(f"{self.name}: {echo(problem, MAX_PROBLEM_CHARS)}")


# --- detection ---------------------------------------------------------------------------


def _read_head(path: Path, name: str) -> bytes:
    try:
        with path.open("rb") as file:
            return file.read(HEAD_BYTES)
    except FileNotFoundError:
        raise UnreadableFile(f"{name}: no such file") from None
    except IsADirectoryError:
        raise UnreadableFile(f"{name}: is a directory, not a file") from None
    except OSError as err:
        raise UnreadableFile(f"{name}: cannot be read ({err.strerror})") from None


def _bom_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _head_text(head: bytes) -> str:
    """The head decoded well enough to look at its first characters and lines."""
    return head.decode(_bom_encoding(head) or "utf-8", errors="replace").lstrip("\ufeff")


def _is_blank(path: Path, head: bytes) -> bool:
    """True for 0 bytes, or nothing but white space and a byte order mark."""
    if _head_text(head).strip():
        return False
    if len(head) < HEAD_BYTES:
        return True
    with path.open(encoding=_bom_encoding(head) or "utf-8", errors="replace") as file:
        return not any(
            chunk.lstrip("\ufeff").strip() for chunk in iter(lambda: file.read(CHUNK_BYTES), "")
        )


def _json_or_jsonl(first_line: str, more: bool) -> str:
    """A JSON document, or JSON Lines: one complete object on the first line, more may follow."""
    try:
        first = json.loads(first_line)
    except (ValueError, RecursionError):
        return "json"  # an object spread over lines (or a broken one: the JSON reader says so)
    if isinstance(first, dict) and isinstance(first.get("cases"), list) and not more:
        return "json"
    return "jsonl"


def _long_json_or_jsonl(path: Path, head: bytes) -> str:
    """As _json_or_jsonl, for a first line longer than the head: read on to its end.

    A first line longer than a record may be (a whole document on one line) is not read: the
    extension decides, JSON unless it says JSON Lines.
    """
    encoding = _bom_encoding(head) or "utf-8"
    with path.open(encoding=encoding, errors="replace", newline="\n") as file:
        line = file.readline(MAX_JSON_RECORD_CHARS + 1)
        while line and not line.strip():  # blank lines before the first object
            line = file.readline(MAX_JSON_RECORD_CHARS + 1)
        if len(line) > MAX_JSON_RECORD_CHARS and not line.endswith("\n"):
            return "jsonl" if path.suffix.lower() in JSONL_SUFFIXES else "json"
        more = any(chunk.strip() for chunk in iter(lambda: file.read(CHUNK_BYTES), ""))
    return _json_or_jsonl(line, more)


# --- CSV ---------------------------------------------------------------------------------


def _csv_records(reader: RecordReader) -> Generator[RawRecord | None, None, None]:
    encoding = _csv_encoding(reader)
    with reader.path.open(encoding=encoding, newline="") as file:
        try:
            sample = [line for line in (file.readline() for _ in range(SNIFF_LINES)) if line]
            file.seek(0)
            if csv.field_size_limit() < MAX_CSV_CELL_CHARS:  # a process-wide setting
                csv.field_size_limit(MAX_CSV_CELL_CHARS)
            lines = itertools.chain(file, [_END_OF_CSV])
            rows = csv.reader(lines, delimiter=_sniff_delimiter(sample))
            yield from _table_records(reader, _numbered_csv_rows(reader, rows))
        except UnicodeDecodeError as err:  # only UTF-16 is not checked in full up front
            reader.fail(f"not valid {encoding.upper()} text ({err.reason})")


def _csv_encoding(reader: RecordReader) -> str:
    """SPEC 7: UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252 -- if it is text."""
    bom = _bom_encoding(reader.head)
    if bom == "utf-16":
        if "\x00" in reader.head.decode("utf-16", errors="replace"):
            reader.fail("not a text file (binary content)")
        return bom
    # charset-normalizer judges whether the bytes are text at all; the encoding follows the
    # spec's rule, not its guess (it reads short Danish Windows-1252 text as e.g. cp1006).
    sample = reader.head[: reader.head.rfind(b"\n") + 1] or reader.head
    if b"\x00" in reader.head or charset_normalizer.is_binary(sample):
        reader.fail("not a text file (binary content)")
    bad = _decodes_as(reader.path, "utf-8")
    if bad is None:
        return bom or "utf-8"
    if bom:
        reader.fail(f"not UTF-8 text despite its UTF-8 byte order mark ({_byte_at(bad)})")
    bad = _decodes_as(reader.path, "cp1252")
    if bad is not None:
        reader.fail(f"neither UTF-8 nor Windows-1252 text ({_byte_at(bad)})")
    return "cp1252"


def _byte_at(bad: tuple[int, int]) -> str:
    return f"byte {bad[0]:#04x} at offset {bad[1]}"


def _decodes_as(path: Path, encoding: str) -> tuple[int, int] | None:
    """None when the whole file decodes, else the first bad byte and its offset."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(CHUNK_BYTES), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                return chunk[err.start], offset + err.start
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as err:
        return err.object[err.start], offset
    return None


def _sniff_delimiter(sample: list[str]) -> str:
    """`,`, `;` or TAB: the sniffer's choice unless the header row reads better with another."""
    try:
        sniffed: str | None = csv.Sniffer().sniff("".join(sample), delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    header = next((line for line in sample if line.strip()), "")

    def score(delimiter: str) -> tuple[int, int]:
        cells = next(csv.reader([header], delimiter=delimiter), [])
        return sum(find_field(cell) is not None for cell in cells), header.count(delimiter)

    best = max(DELIMITERS, key=score)
    if sniffed is not None and score(sniffed)[0] >= score(best)[0]:
        return sniffed
    return best


def _numbered_csv_rows(
    reader: RecordReader, rows: Iterator[list[str]]
) -> Iterator[tuple[int, list[str]]]:
    """Rows numbered as a spreadsheet shows them (a quoted cell's newlines stay in one row).

    The rows end with _END_OF_CSV's own row, or, after a quote that is never closed, with a
    cell that ends in it.
    """
    number = 0
    while True:
        number += 1
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as err:  # e.g. a field over the size limit: an unmatched quote
            reader.fail(f"row {number}: {err} (an unmatched quote?)")
        if row and row[-1].endswith(_END_OF_CSV):
            if row == [_END_OF_CSV]:
                return
            reader.fail(
                f"row {number}: a quoted cell runs to the end of the file (an unmatched quote?)"
            )
        yield number, row


# --- XLSX --------------------------------------------------------------------------------


def _xlsx_records(reader: RecordReader) -> Generator[RawRecord | None, None, None]:
    if reader.head.startswith(OLE_MAGIC):
        reader.fail("an old Excel .xls workbook; save it as .xlsx")
    if not reader.head.startswith(ZIP_MAGIC):
        reader.fail("not an Excel workbook (.xlsx)")
    _check_workbook(reader)
    with reader.path.open("rb") as file:
        workbook = _load_workbook(reader, file)
        try:
            if not workbook.worksheets:
                reader.fail("the workbook has no worksheet")
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # some writers record wrong dimensions; read all rows
            rows = enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
            yield from _table_records(reader, rows)
        except UnreadableFile:
            raise
        except Exception as err:  # openpyxl parses the sheet lazily: zip or XML damage shows here
            reader.fail(f"the first worksheet cannot be read: {err!r}")
        finally:
            workbook.close()


def _check_workbook(reader: RecordReader) -> None:
    """Refuse a workbook that would swamp openpyxl, which unpacks whole parts into memory.

    Only the zip's directory and a streaming pass over each part are read, so the check itself
    holds little: a workbook too large unpacked, a zip bomb, a cell's text over Excel's limit,
    or more rows than allowed (openpyxl parses a whole sheet that does not state its size).
    """
    try:
        with zipfile.ZipFile(reader.path) as archive:
            parts = archive.infolist()
            limit = reader.limits.max_xlsx_bytes
            if sum(part.file_size for part in parts) > limit:
                reader.fail(
                    f"the workbook unpacks to more than {limit / 1024 / 1024:g} MB; "
                    "split it into smaller files"
                )
            for part in parts:
                ratio = part.file_size / max(part.compress_size, 1)
                if part.file_size > ZIP_RATIO_FLOOR and ratio > MAX_ZIP_RATIO:
                    reader.fail(
                        f"{echo(part.filename)} unpacks to {ratio:,.0f} times its size, as no "
                        "workbook does (a zip bomb?)"
                    )
            for part in parts:
                _scan_part(reader, archive, part)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError) as err:
        # A damaged zip, an unknown compression or an encrypted part.
        reader.fail(f"not an Excel workbook (.xlsx): {err}")


class _PartTooBig(Exception):
    """What a part of a workbook holds too much of, said for the user."""


class _PartMeter:
    """Measures a part as expat hands it over (text in pieces); raises _PartTooBig past a limit.

    A text is what lies between two tags, or all the text of one shared or inline string
    (`si`, `is`: rich text comes in runs, and openpyxl joins them). Rows are `row` elements.
    """

    STRINGS = frozenset({"si", "is"})

    def __init__(self, max_rows: int) -> None:
        self.max_rows = max_rows
        self.text = self.string = self.strings_open = self.rows = 0

    def start(self, name: str, _attributes: Any) -> None:
        self.text = 0
        tag = name.rpartition(":")[2]
        if tag == "row":
            self.rows += 1
            if self.rows > self.max_rows:
                raise _PartTooBig(f"more than {self.max_rows:,} rows; split it into smaller files")
        elif tag in self.STRINGS:
            if not self.strings_open:
                self.string = 0
            self.strings_open += 1

    def end(self, name: str) -> None:
        self.text = 0
        if name.rpartition(":")[2] in self.STRINGS:
            self.strings_open -= 1

    def data(self, text: str) -> None:
        self.text += len(text)
        if self.strings_open:
            self.string += len(text)
        if self.text > MAX_CELL_CHARS or self.string > MAX_CELL_CHARS:
            raise _PartTooBig(
                f"a cell holds text longer than {MAX_CELL_CHARS:,} characters, more than Excel "
                "allows"
            )


def _scan_part(reader: RecordReader, archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    """Stream one part through expat and the meter; UnreadableFile when it holds too much.

    A part that is not XML (an image) or is damaged is left to openpyxl, which says so if it
    matters.
    """
    meter = _PartMeter(reader.limits.max_rows)
    parser = expat.ParserCreate()
    parser.StartElementHandler = meter.start
    parser.EndElementHandler = meter.end
    parser.CharacterDataHandler = meter.data
    with archive.open(part) as stream:
        try:
            for chunk in iter(lambda: stream.read(XML_CHUNK_BYTES), b""):
                reader.limits.tick()
                parser.Parse(chunk, False)
        except expat.ExpatError:
            return
        except _PartTooBig as too_big:
            reader.fail(f"{too_big} ({echo(part.filename)})")


def _load_workbook(reader: RecordReader, file: IO[bytes]) -> Any:
    # A file object, not the path: openpyxl refuses paths whose extension is not .xlsx
    # (uploads are saved under temporary names).
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it drops (data validation, extensions, missing
            # default style); they do not affect the values read.
            warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl\.")
            return openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception as err:  # zipfile, XML and openpyxl errors all mean the same to a user
        reader.fail(f"not an Excel workbook (.xlsx): {err}")


# --- CSV and XLSX: header and cells ------------------------------------------------------

Converter = Callable[[Any], Any]


def _table_records(
    reader: RecordReader, rows: Iterator[tuple[int, Any]]
) -> Generator[RawRecord | None, None, None]:
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
    text = value.strip().replace("\r\n", "\n")
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_PREFIXES):
        text = text[1:]
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


# --- JSON and JSON Lines -----------------------------------------------------------------


def _json_data(obj: dict[str, Any]) -> dict[str, Any]:
    """JSON values pass as given, but a single `municipality` is a list, system fields go."""
    data = {key: value for key, value in obj.items() if key not in SYSTEM_FIELDS}
    if "municipality" in data and "municipalities" not in data:
        single = data.pop("municipality")
        data["municipalities"] = [single] if isinstance(single, str) else single
    return data


def _open_json_text(reader: RecordReader) -> IO[str]:
    # JSON is UTF-8 (RFC 8259); a BOM, or UTF-16 with a BOM, is forgiven.
    encoding = _bom_encoding(reader.head) or "utf-8"
    return reader.path.open(encoding=encoding, newline="")


def _jsonl_records(reader: RecordReader) -> Generator[RawRecord | None, None, None]:
    if not _head_text(reader.head).lstrip().startswith("{"):
        reader.fail("not JSON Lines: the first line is not a JSON object")
    if _bom_encoding(reader.head) == "utf-16":
        with _open_json_text(reader) as text:
            yield None
            yield from _jsonl_lines(reader, enumerate(text, start=1))
        return
    # Bytes, decoded line by line, so that a line that is not UTF-8 is named exactly.
    with reader.path.open("rb") as file:
        yield None
        yield from _jsonl_lines(reader, enumerate(file, start=1))


def _jsonl_lines(reader: RecordReader, lines: Iterator[tuple[int, Any]]) -> Iterator[RawRecord]:
    for number, line in lines:
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                reader.fail(f"line {number} is not UTF-8 text")
        if line.strip():
            yield RawRecord(number, _jsonl_object(reader, number, line))


def _jsonl_object(reader: RecordReader, number: int, line: str) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as err:
        reader.fail(f"line {number} is not valid JSON: {err.msg} (column {err.pos + 1})")
    except ValueError:  # an integer too long to convert
        reader.fail(f"line {number} holds {TOO_LONG_NUMBER}")
    except RecursionError:  # json's parser recurses: far too deep
        reader.fail(f"line {number} is nested more than {MAX_JSON_DEPTH} levels deep")
    if _nested_deeper_than(value, MAX_JSON_DEPTH):
        reader.fail(f"line {number} is nested more than {MAX_JSON_DEPTH} levels deep")
    if not isinstance(value, dict):
        reader.fail(f"line {number} is not a JSON object")
    return _json_data(value)


def _json_records(reader: RecordReader) -> Generator[RawRecord | None, None, None]:
    """An array of records, or {"cases": [...]}, parsed one record at a time."""
    with _open_json_text(reader) as file:
        stream = _JsonStream(reader, file)
        try:
            first = stream.peek()
            if first not in ("[", "{"):
                stream.fail("expected '[' or '{'")
            yield None
            if first == "[":
                stream.pos += 1
                yield from _json_array(stream, depth=1)
            else:
                yield from _json_cases(stream)
            if stream.peek():
                stream.fail("unexpected data after the end of the JSON document")
        except UnicodeDecodeError:
            reader.fail("not UTF-8 text")


def _json_cases(stream: _JsonStream) -> Iterator[RawRecord]:
    """The members of the top-level object: stream "cases", skip the others."""
    stream.pos += 1
    found = False
    if stream.peek() != "}":
        while True:
            if stream.peek() != '"':
                problem = "expected a member name in double quotes"
                stream.fail(problem if stream.peek() else TRUNCATED)
            key = stream.value()
            stream.expect(":")
            if key == "cases" and not found and stream.peek() == "[":
                stream.pos += 1
                found = True
                yield from _json_array(stream, depth=2)
            else:
                stream.value(depth=1, what="a member of the top object")
            if stream.expect(",}") == "}":
                break
    else:
        stream.pos += 1
    if not found:
        stream.reader.fail('a JSON object must hold the records in a "cases" array')


def _json_array(stream: _JsonStream, depth: int) -> Iterator[RawRecord]:
    """The records of an array `depth` levels deep in the document."""
    if stream.peek() == "]":
        stream.pos += 1
        return
    number = 0
    while True:
        number += 1
        value = stream.value(depth, what=f"record {number}")
        if not isinstance(value, dict):
            line = stream.line(stream.start)
            stream.reader.fail(f"record {number} (line {line}) is not a JSON object")
        yield RawRecord(number, _json_data(value))
        if stream.expect(",]") == "]":
            return


_WHITESPACE = re.compile(r"[ \t\n\r]*")
TRUNCATED = "the file ends inside the JSON document (truncated?)"
TOO_LONG_NUMBER = f"a number too long to read (over {sys.get_int_max_str_digits():,} digits)"
_DECODER = json.JSONDecoder()


class _JsonStream:
    """A window on a JSON text for raw_decode: read in chunks, parsed text dropped."""

    def __init__(self, reader: RecordReader, file: IO[str]) -> None:
        self.reader = reader
        self.file = file
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.lines_dropped = 0
        self.columns_dropped = 0  # of the line that the dropped text ends in
        self.start = 0  # where the last value began

    def _more(self) -> bool:
        if self.eof:
            return False
        if len(self.buf) - self.pos > MAX_JSON_RECORD_CHARS:
            self.fail("a record that does not end (or is over 16 MB)")
        chunk = self.file.read(JSON_CHUNK_CHARS)
        if not chunk:
            self.eof = True
            return False
        if self.pos > JSON_CHUNK_CHARS:
            self.lines_dropped += self.buf.count("\n", 0, self.pos)
            last_newline = self.buf.rfind("\n", 0, self.pos)
            self.columns_dropped = (
                self.pos - last_newline - 1 + (self.columns_dropped if last_newline < 0 else 0)
            )
            self.start -= self.pos
            self.buf, self.pos = self.buf[self.pos :], 0
        self.buf += chunk
        return True

    def peek(self) -> str:
        """The next character that is not white space ('' at the end), not consumed."""
        while True:
            self.pos = _WHITESPACE.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                return ""

    def expect(self, allowed: str) -> str:
        char = self.peek()
        if not char:
            self.fail(TRUNCATED)
        if char not in allowed:
            self.fail(f"expected {' or '.join(repr(c) for c in allowed)}")
        self.pos += 1
        return char

    def value(self, depth: int = 0, what: str = "a value") -> Any:
        """The next JSON value, read whole (one record, or a member skipped).

        `depth` is how deep in the document the value sits: with it, the value may nest no
        deeper than MAX_JSON_DEPTH (json's own parser recurses, so is stopped short too).
        """
        self.peek()
        self.start = self.pos
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except RecursionError:
                self.too_deep(what)
            except json.JSONDecodeError as err:
                unterminated = err.msg.startswith("Unterminated")
                # An error near the end of the buffer may only mean "read more".
                if (unterminated or err.pos >= len(self.buf) - 6) and self._more():
                    continue
                if unterminated or err.pos >= len(self.buf):
                    self.fail(TRUNCATED, err.pos)
                self.fail(err.msg, err.pos)
            except ValueError:  # an integer too long to convert
                self.reader.fail(f"{what} (line {self.line(self.start)}) holds {TOO_LONG_NUMBER}")
            if end == len(self.buf) and self._more():
                continue  # a number may go on in the next chunk
            if _nested_deeper_than(value, MAX_JSON_DEPTH - depth):
                self.too_deep(what)
            self.pos = end
            return value

    def too_deep(self, what: str) -> NoReturn:
        line = self.line(self.start)
        self.reader.fail(f"{what} (line {line}) is nested more than {MAX_JSON_DEPTH} levels deep")

    def line(self, pos: int | None = None) -> int:
        return self.lines_dropped + self.buf.count("\n", 0, self.pos if pos is None else pos) + 1

    def fail(self, problem: str, pos: int | None = None) -> NoReturn:
        pos = self.pos if pos is None else pos
        last_newline = self.buf.rfind("\n", 0, pos)
        column = pos - last_newline + (self.columns_dropped if last_newline < 0 else 0)
        self.reader.fail(f"not valid JSON: {problem} at line {self.line(pos)}, column {column}")


def _nested_deeper_than(value: Any, levels: int) -> bool:
    """Whether a decoded JSON value holds arrays and objects more than `levels` deep."""
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            if level > levels:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return False


_FORMAT_READERS: dict[str, Callable[[RecordReader], Generator[RawRecord | None, None, None]]] = {
    "csv": _csv_records,
    "json": _json_records,
    "jsonl": _jsonl_records,
    "xlsx": _xlsx_records,
}
