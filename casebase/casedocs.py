"""The use cases of case documents (docs/contract.md section 13): add, list, read, delete,
and their texts for the index. Called through `Casebase.documents`; no Flask here.

A document belongs to its case by ref. Adding or deleting one writes a change to the change
log for its case (action "document"), so the index reads that case again with its documents'
texts; the case's own version does not change. Decisions in docs/decisions.md section 13.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import store
from .documents import DocumentStore, safe_filename, sniff, title_from
from .errors import FileTooLarge, NotFound, UnsupportedFile, ValidationFailed
from .extract import ExtractLimits, extract
from .models import Document
from .schemas import field_errors
from .schemas.documents import load_document_fields

if TYPE_CHECKING:
    from .services import Casebase

MB = 1024 * 1024
LISTED = ("id", "title", "kind", "year", "filename", "content_type", "bytes", "sha256", "pages")


@dataclass(frozen=True)
class DocumentSettings:
    """The bounds on one document: its size, and the time and memory to read its text."""

    max_bytes: int = 50 * MB
    extract: ExtractLimits = ExtractLimits()

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> DocumentSettings:
        return cls(
            config["MAX_DOCUMENT_MB"] * MB,
            ExtractLimits(config["EXTRACT_SECONDS"], config["EXTRACT_MEMORY_MB"]),
        )


def as_dict(document: Document) -> dict[str, Any]:
    """A document as the API lists it."""
    return {
        **{name: getattr(document, name) for name in LISTED},
        "has_text": document.has_text,
        "url": f"/documents/{document.id}/{document.filename}",
    }


class CaseDocuments:
    """The documents of the cases: their files in a DocumentStore, their rows in the database."""

    def __init__(self, service: Casebase, folder: str | Path) -> None:
        self.service = service
        self.files = DocumentStore(folder)
        self.settings = DocumentSettings()

    def add(
        self, ref: str, data: bytes, filename: str, fields: dict[str, Any], user: str | None
    ) -> dict[str, Any]:
        """Check, read and store a document for a case; its listing. Nothing is kept when
        the file is refused (too large, not an accepted type, its text unreadable)."""
        if len(data) > self.settings.max_bytes:
            raise FileTooLarge(
                f"The document is {len(data) / MB:.1f} MB; a document may be at most "
                f"{self.settings.max_bytes // MB} MB (CASEBASE_MAX_DOCUMENT_MB)."
            )
        try:
            values = load_document_fields(fields)
        except ValidationError as error:
            raise ValidationFailed(field_errors(error)) from error
        with self.service.db.session() as session:
            store.get_case(session, ref)
        kind = sniff(data, filename or "")
        name = safe_filename(filename or "", kind.content_type)
        extracted = extract(data, kind.content_type, self.settings.extract, kind.text)
        if extracted.error is not None:
            raise UnsupportedFile(f"The document was not kept: {extracted.error}.")
        sha256 = self.files.put(data)
        with self.service.db.write_session() as session:
            case = store.get_case(session, ref)
            document = Document(
                case_ref=ref,
                title=values.get("title") or title_from(name),
                kind=values["kind"],
                year=values.get("year"),
                filename=name,
                content_type=kind.content_type,
                bytes=len(data),
                sha256=sha256,
                pages=extracted.pages,
                has_text=extracted.has_text,
                text=extracted.text,
                created_by=user,
            )
            session.add(document)
            store.log_change(session, ref, "document", case.version, "documents", user)
            session.flush()
            listed = as_dict(document)
        self.service.sync()
        return listed

    def list(self, ref: str) -> list[dict[str, Any]]:
        with self.service.db.session() as session:
            store.get_case(session, ref)
            return [as_dict(d) for d in _of_case(session, ref)]

    def file(self, document_id: int, filename: str) -> tuple[dict[str, Any], Path]:
        """A document's listing and the path of its file, when its case exists and the name
        is its name; NotFound otherwise."""
        with self.service.db.session() as session:
            document = session.get(Document, document_id)
            if (
                document is None
                or document.filename != filename
                or store.find_case(session, document.case_ref) is None
                or not self.files.exists(document.sha256)
            ):
                raise NotFound(f"No document {document_id} named '{filename}'.")
            return as_dict(document), self.files.path(document.sha256)

    def delete(self, ref: str, document_id: int, user: str | None) -> None:
        with self.service.db.write_session() as session:
            case = store.get_case(session, ref)
            document = session.get(Document, document_id)
            if document is None or document.case_ref != ref:
                raise NotFound(f"The case '{ref}' has no document {document_id}.")
            sha256 = document.sha256
            session.delete(document)
            store.log_change(session, ref, "document", case.version, "documents", user)
            session.flush()
            still_used = session.scalar(select(Document.id).where(Document.sha256 == sha256))
        if still_used is None:
            self.files.delete(sha256)  # after the commit: a failed commit keeps the file
        self.service.sync()


def _of_case(session: Session, ref: str) -> list[Document]:
    query = select(Document).where(Document.case_ref == ref).order_by(Document.id)
    return list(session.scalars(query))


def listings(session: Session, refs: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """The documents of some cases as listed, by ref (for exports)."""
    found: dict[str, list[dict[str, Any]]] = {}
    query = select(Document).where(Document.case_ref.in_(list(refs))).order_by(Document.id)
    for document in session.scalars(query):
        found.setdefault(document.case_ref, []).append(as_dict(document))
    return found


def with_texts(session: Session, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Records with their documents' texts as `documents` ({"id", "title", "text"}), read a
    batch of records at a time, for the index."""
    batch: list[dict[str, Any]] = []
    for record in records:
        batch.append(record)
        if len(batch) >= store.STREAM_BATCH:
            yield from _attach(session, batch)
            batch = []
    yield from _attach(session, batch)


def _attach(session: Session, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not batch:
        return batch
    texts: dict[str, list[dict[str, Any]]] = {}
    query = (
        select(Document.case_ref, Document.id, Document.title, Document.text)
        .where(Document.case_ref.in_([r["ref"] for r in batch]), Document.has_text)
        .order_by(Document.id)
    )
    for ref, id_, title, text in session.execute(query):
        texts.setdefault(ref, []).append({"id": id_, "title": title, "text": text})
    return [{**r, "documents": texts.get(r["ref"], [])} for r in batch]
