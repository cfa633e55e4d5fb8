"""Documents of cases: the content-addressed file store, the type read from the content, and
safe file names (docs/contract.md section 13; decisions in docs/decisions.md section 13).

A file is stored once per content, under its SHA-256 (`ab/cd/abcd...`), written to a
temporary file and moved into place, so a reader never sees half a file. Nothing here trusts
the client's file name: it is shown and sent back in Content-Disposition, never used as a path.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from charset_normalizer import from_bytes

from .errors import UnsupportedFile

KINDS = ("evaluering", "rapport", "plan", "publikation", "andet")
DEFAULT_KIND = "rapport"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
HTML = "text/html"
TEXT = "text/plain"
# Each accepted type: its name in messages and the extensions a file of it may have.
TYPES = {
    PDF: ("PDF", (".pdf",)),
    DOCX: ("Word (DOCX)", (".docx",)),
    ODT: ("OpenDocument (ODT)", (".odt",)),
    HTML: ("HTML", (".html", ".htm", ".xhtml")),
    TEXT: ("text", (".txt", ".text", ".md", ".csv")),
}
SUFFIX_TYPES = {suffix: kind for kind, (_, suffixes) in TYPES.items() for suffix in suffixes}
_SNIFF_BYTES = 64 * 1024
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S)
_UNSAFE_NAME = re.compile(r"[^\w.\-]+")
MAX_NAME_CHARS = 120


class DocumentStore:
    """Files by SHA-256 under one folder: put, open, path, exists, delete, iter_hashes."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def path(self, sha256: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.folder / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, data: bytes) -> str:
        """Store some bytes (once per content); their SHA-256."""
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.path(sha256)
        if target.is_file():
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return sha256

    def open(self, sha256: str) -> BinaryIO:
        return self.path(sha256).open("rb")

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def iter_hashes(self) -> Iterator[str]:
        """The SHA-256 of every stored file."""
        if not self.folder.is_dir():
            return
        for path in sorted(self.folder.glob("??/??/*")):
            if re.fullmatch(r"[0-9a-f]{64}", path.name):
                yield path.name


@dataclass(frozen=True)
class FileType:
    content_type: str
    text: str | None = None  # HTML and plain text, decoded


def sniff(data: bytes, filename: str) -> FileType:
    """The file's type read from its content; UnsupportedFile for any other content, or for a
    content that is not what the file's extension says."""
    found = _content_type(data)
    suffix = Path(filename).suffix.lower()
    named = SUFFIX_TYPES.get(suffix) if suffix else None
    if (
        named is not None
        and named != found.content_type
        and {named, found.content_type}
        != {
            HTML,
            TEXT,
        }
    ):
        raise UnsupportedFile(
            f"The file is called '{filename}' but holds {TYPES[found.content_type][0]}, not "
            f"{TYPES[named][0]}: send it with its right name."
        )
    return found


def _content_type(data: bytes) -> FileType:
    if data.startswith(b"%PDF-"):
        return FileType(PDF)
    if data.startswith(b"PK\x03\x04"):
        return FileType(_zip_type(data))
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        raise UnsupportedFile(_refusal("a binary file"))
    text = _decoded(data)
    if text is None:
        raise UnsupportedFile(_refusal("text in no encoding it could read"))
    if _HTML_START.match(head):
        return FileType(HTML, text)
    return FileType(TEXT, text)


def _zip_type(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return DOCX
            if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                return ODT
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError):
        raise UnsupportedFile(_refusal("a damaged zip archive")) from None
    raise UnsupportedFile(_refusal("a zip archive that is not DOCX or ODT"))


def _decoded(data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[: 4 * 1024 * 1024]).best()
    if best is None or best.encoding is None:
        return None
    try:
        text = data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return text if "\x00" not in text else None


def _refusal(what: str) -> str:
    return (
        f"The file is {what}. A document must be PDF, Word (DOCX), OpenDocument text (ODT), "
        "HTML or plain text."
    )


def safe_filename(name: str, content_type: str) -> str:
    """The client's file name made safe to show and to send back: no folders, no control or
    shell characters, Danish letters kept; the extension of its type when it has none."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    base = _UNSAFE_NAME.sub("_", base).strip(" ._")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"_+", "_", stem)[:MAX_NAME_CHARS].strip(" ._") or "dokument"
    extensions = TYPES[content_type][1]
    ext = "." + suffix.lower() if suffix else ""
    if ext not in extensions:
        ext = extensions[0]
    return stem + ext


def title_from(filename: str) -> str:
    """A title for a document sent without one: its file name without the extension."""
    stem = filename.rsplit(".", 1)[0]
    return stem.replace("_", " ").strip() or filename
