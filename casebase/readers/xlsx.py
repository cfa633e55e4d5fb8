"""XLSX workbooks -> table rows, checked (size, zip bombs, long cells, rows) before openpyxl."""

from __future__ import annotations

import warnings
import zipfile
from typing import IO, Any
from xml.parsers import expat

import openpyxl

from casebase.errors import UnreadableFile

from .base import OLE_MAGIC, ZIP_MAGIC, RecordReader, Records, echo
from .table import table_records

MAX_CELL_CHARS = 32_767  # the text of one cell, as Excel itself allows
# A part of a workbook that unpacks to more than this many times its packed size is a zip
# bomb (real sheets pack 5-20 to 1); below ZIP_RATIO_FLOOR bytes a part may pack as it likes.
MAX_ZIP_RATIO = 100
ZIP_RATIO_FLOOR = 1024 * 1024
XML_CHUNK_BYTES = 64 * 1024


def xlsx_records(reader: RecordReader) -> Records:
    """The records of a workbook's first worksheet, once the workbook has passed its checks."""
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
            yield from table_records(reader, rows)
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
