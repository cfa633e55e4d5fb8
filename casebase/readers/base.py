"""What all readers share: read_records, RecordReader, format detection, the bounds on a file."""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from casebase.errors import UnreadableFile

FORMATS = ("csv", "json", "jsonl", "xlsx")

HEAD_BYTES = 64 * 1024  # what format detection, sniffing and the binary check look at
CHUNK_BYTES = 1024 * 1024
MAX_JSON_RECORD_CHARS = 16 * 1024 * 1024  # a bound on memory when a JSON record never ends
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
SUFFIX_FORMATS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".xlsx": "xlsx"}
SUFFIX_FORMATS |= {".xlsm": "xlsx", ".xls": "xlsx"}
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})

# Bounds on what one file can make the reader hold, read or say back (ReadLimits: the
# configurable ones; the bounds of one format are at the top of its module).
ECHO_CHARS = 200  # a value of the file quoted in a message is cut to this
MAX_PROBLEM_CHARS = 500  # a whole message about the file, whatever it quotes
MAX_ROWS = 1_048_576  # rows (records, lines) of one file: as many as an Excel sheet holds
# A workbook unpacked: 100,000 cases like the seed data's unpack to about 230 MB.
MAX_XLSX_BYTES = 1024 * 1024 * 1024


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


# A format's reader: a generator that yields None once its up-front checks are done (RecordReader
# runs it that far at once), then the records.
Records = Generator[RawRecord | None, None, None]


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
    text = head_text(head).lstrip()
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
        self._records = _format_reader(self.format)(self)
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


def bom_encoding(head: bytes) -> str | None:
    """The encoding that a byte order mark at the head names, if there is one."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def head_text(head: bytes) -> str:
    """The head decoded well enough to look at its first characters and lines."""
    return head.decode(bom_encoding(head) or "utf-8", errors="replace").lstrip("\ufeff")


def _is_blank(path: Path, head: bytes) -> bool:
    """True for 0 bytes, or nothing but white space and a byte order mark."""
    if head_text(head).strip():
        return False
    if len(head) < HEAD_BYTES:
        return True
    with path.open(encoding=bom_encoding(head) or "utf-8", errors="replace") as file:
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
    encoding = bom_encoding(head) or "utf-8"
    with path.open(encoding=encoding, errors="replace", newline="\n") as file:
        line = file.readline(MAX_JSON_RECORD_CHARS + 1)
        while line and not line.strip():  # blank lines before the first object
            line = file.readline(MAX_JSON_RECORD_CHARS + 1)
        if len(line) > MAX_JSON_RECORD_CHARS and not line.endswith("\n"):
            return "jsonl" if path.suffix.lower() in JSONL_SUFFIXES else "json"
        more = any(chunk.strip() for chunk in iter(lambda: file.read(CHUNK_BYTES), ""))
    return _json_or_jsonl(line, more)


def _format_reader(fmt: str) -> Callable[[RecordReader], Records]:
    """The reader of a format, imported here: each format's module imports this one."""
    from .csvfile import csv_records
    from .jsonfile import json_records, jsonl_records
    from .xlsx import xlsx_records

    readers: dict[str, Callable[[RecordReader], Records]] = {
        "csv": csv_records,
        "json": json_records,
        "jsonl": jsonl_records,
        "xlsx": xlsx_records,
    }
    return readers[fmt]
