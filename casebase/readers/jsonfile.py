"""JSON and JSON Lines -> raw records, streamed: a JSON document is parsed a record at a time."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from typing import IO, Any, NoReturn

from casebase.vocabularies import SYSTEM_FIELDS

from .base import (
    MAX_JSON_RECORD_CHARS,
    RawRecord,
    RecordReader,
    Records,
    bom_encoding,
    head_text,
)

JSON_CHUNK_CHARS = 64 * 1024
MAX_JSON_DEPTH = 100  # arrays and objects inside one another, counted from the document's top
_WHITESPACE = re.compile(r"[ \t\n\r]*")
TRUNCATED = "the file ends inside the JSON document (truncated?)"
TOO_LONG_NUMBER = f"a number too long to read (over {sys.get_int_max_str_digits():,} digits)"
_DECODER = json.JSONDecoder()


def _json_data(obj: dict[str, Any]) -> dict[str, Any]:
    """JSON values pass as given, but a single `municipality` is a list, system fields go."""
    data = {key: value for key, value in obj.items() if key not in SYSTEM_FIELDS}
    if "municipality" in data and "municipalities" not in data:
        single = data.pop("municipality")
        data["municipalities"] = [single] if isinstance(single, str) else single
    return data


def _open_json_text(reader: RecordReader) -> IO[str]:
    # JSON is UTF-8 (RFC 8259); a BOM, or UTF-16 with a BOM, is forgiven.
    encoding = bom_encoding(reader.head) or "utf-8"
    return reader.path.open(encoding=encoding, newline="")


def jsonl_records(reader: RecordReader) -> Records:
    """One record per line that is not blank, each line a JSON object."""
    if not head_text(reader.head).lstrip().startswith("{"):
        reader.fail("not JSON Lines: the first line is not a JSON object")
    if bom_encoding(reader.head) == "utf-16":
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


def json_records(reader: RecordReader) -> Records:
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
