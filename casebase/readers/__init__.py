"""Import files in (CSV, JSON, JSON Lines, XLSX) -> raw records, streamed and not yet validated.

- base: read_records and RecordReader, format detection, ReadLimits and the bounds on a file
- csvfile: CSV text (encoding, delimiter, numbered rows) -> table rows
- xlsx: workbooks checked (size, zip bombs, long cells, rows) before openpyxl -> table rows
- table: CSV and XLSX rows -> records (header row, columns, cell converters)
- jsonfile: JSON documents (a streaming parser) and JSON Lines -> records
The cells' separators and formula guard, shared with export, are in casebase.spreadsheet.
"""

from .base import (
    ECHO_CHARS,
    FORMATS,
    MAX_ROWS,
    MAX_XLSX_BYTES,
    SUFFIX_FORMATS,
    RawRecord,
    ReadLimits,
    RecordReader,
    detect_format,
    echo,
    read_records,
)
from .xlsx import MAX_CELL_CHARS

__all__ = [
    "ECHO_CHARS",
    "FORMATS",
    "MAX_CELL_CHARS",
    "MAX_ROWS",
    "MAX_XLSX_BYTES",
    "SUFFIX_FORMATS",
    "RawRecord",
    "ReadLimits",
    "RecordReader",
    "detect_format",
    "echo",
    "read_records",
]
