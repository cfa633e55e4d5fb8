"""CSV files -> table rows: the encoding and delimiter (docs/contract.md section 7), rows
numbered as Excel does."""

from __future__ import annotations

import codecs
import csv
import itertools
from collections.abc import Iterator
from pathlib import Path

import charset_normalizer

from casebase.vocabularies import find_field

from .base import CHUNK_BYTES, RecordReader, Records, bom_encoding
from .table import table_records

# csv's own limit (131,072) is below what a long description makes; the bound is the upload's.
MAX_CSV_CELL_CHARS = 64 * 1024 * 1024
# Follows the file's last line, so that a quoted cell that never ends is seen (csv, not strict,
# would take everything up to the end of the file as that cell's text without a word).
_END_OF_CSV = "\x00casebase: end of file\x00"
SNIFF_LINES = 20
DELIMITERS = ",;\t"


def csv_records(reader: RecordReader) -> Records:
    """The records of a CSV file, read in the encoding and with the delimiter it seems to use."""
    encoding = _csv_encoding(reader)
    with reader.path.open(encoding=encoding, newline="") as file:
        try:
            sample = [line for line in (file.readline() for _ in range(SNIFF_LINES)) if line]
            file.seek(0)
            if csv.field_size_limit() < MAX_CSV_CELL_CHARS:  # a process-wide setting
                csv.field_size_limit(MAX_CSV_CELL_CHARS)
            lines = itertools.chain(file, [_END_OF_CSV])
            rows = csv.reader(lines, delimiter=_sniff_delimiter(sample))
            yield from table_records(reader, _numbered_csv_rows(reader, rows))
        except UnicodeDecodeError as err:  # only UTF-16 is not checked in full up front
            reader.fail(f"not valid {encoding.upper()} text ({err.reason})")


def _csv_encoding(reader: RecordReader) -> str:
    """UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252 -- if it is text at all."""
    bom = bom_encoding(reader.head)
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
