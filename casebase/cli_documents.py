"""The command line's documents (docs/contract.md section 13): `casebase documents
add|list|delete`, and the seed documents `casebase seed` attaches (seed_data/documents/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .cli import _service, _user_errors, cli
from .services import Casebase

SEED_DOCUMENTS = "documents/documents.json"  # under the seed folder: which file, which case


@cli.group()
def documents() -> None:
    """Add, list and delete the documents of a case."""


@documents.command("add")
@click.argument("ref")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--title", help="The document's title (default: its file name).")
@click.option(
    "--kind",
    type=click.Choice(["evaluering", "rapport", "plan", "publikation", "andet"]),
    default="rapport",
    show_default=True,
)
@click.option("--year", type=int, help="The year it was published.")
def add(ref: str, file: Path, title: str | None, kind: str, year: int | None) -> None:
    """Add FILE (PDF, DOCX, ODT, HTML or text) to the case REF."""
    with _user_errors():
        fields = {"title": title, "kind": kind, "year": year}
        added = _service().documents.add(ref, file.read_bytes(), file.name, fields, None)
    click.echo(_line(added))


@documents.command("list")
@click.argument("ref")
def list_(ref: str) -> None:
    """List the documents of the case REF."""
    with _user_errors():
        for document in _service().documents.list(ref):
            click.echo(_line(document))


@documents.command("delete")
@click.argument("ref")
@click.argument("document_id", type=int)
def delete(ref: str, document_id: int) -> None:
    """Delete the document DOCUMENT_ID of the case REF."""
    with _user_errors():
        _service().documents.delete(ref, document_id, None)
    click.echo(f"deleted document {document_id} of {ref}", err=True)


def _line(document: dict[str, Any]) -> str:
    text = "text" if document["has_text"] else "no text"
    return f"{document['id']}\t{document['title']}\t{document['url']}\t{text}"


def attach_seed_documents(service: Casebase, seed_dir: Path) -> int:
    """Attach the seed documents listed in seed_data/documents/documents.json to their cases
    (those whose case exists); how many were attached."""
    listing = seed_dir / SEED_DOCUMENTS
    if not listing.is_file():
        return 0
    count = 0
    for item in json.loads(listing.read_text(encoding="utf-8")):
        path = listing.parent / item["file"]
        fields = {name: item.get(name) for name in ("title", "kind", "year")}
        service.documents.add(item["ref"], path.read_bytes(), path.name, fields, None)
        count += 1
    return count
