"""The field's thesaurus in the database: every import is a new version, the newest is used.

Administrators change it without a deploy (`casebase thesaurus import`, the admin page); a
search compares the version it compiled with the newest (one small query) and compiles the new
one when it changed, so a change takes effect for the next search in every process, with no
reindex (the thesaurus widens queries, not the index: engine/thesaurus.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .errors import UnreadableFile, ValidationFailed
from .models import ThesaurusVersion
from .schemas import field_errors
from .schemas.thesaurus import THESAURUS_SCHEMA

FILE_NAME = "thesaurus.json"  # the shipped one, in seed_data/


def validated(raw: Any) -> dict[str, Any]:
    """A thesaurus document checked in full; ValidationFailed names every problem."""
    try:
        document: dict[str, Any] = THESAURUS_SCHEMA.load(raw)
    except ValidationError as error:
        raise ValidationFailed(field_errors(error), "The thesaurus is invalid") from None
    return document


def read_file(path: str | Path) -> Any:
    """A thesaurus file's JSON; UnreadableFile when it is missing or not JSON."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UnreadableFile(f"{path}: cannot be read ({error})") from None
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise UnreadableFile(f"{path}: not valid JSON ({error})") from None


# The version in use as a column expression, for reading it with other values at once.
LATEST_VERSION = select(func.max(ThesaurusVersion.version)).scalar_subquery()


def latest_version(session: Session) -> int:
    """The version in use; 0 when there is none."""
    return session.scalar(select(LATEST_VERSION)) or 0


def current(session: Session) -> tuple[int, dict[str, Any]]:
    """(version, document) in use; (0, an empty thesaurus) when there is none."""
    row = session.scalar(
        select(ThesaurusVersion).order_by(ThesaurusVersion.version.desc()).limit(1)
    )
    if row is None:
        return 0, {"about": None, "groups": []}
    document: dict[str, Any] = json.loads(row.document)
    return row.version, document


def replace(session: Session, document: dict[str, Any], user: str | None) -> int:
    """Store a validated document as the newest version; its number."""
    row = ThesaurusVersion(document=json.dumps(document, ensure_ascii=False), changed_by=user)
    session.add(row)
    session.flush()
    return row.version


def groups(document: dict[str, Any]) -> list[list[str]]:
    return [list(group["terms"]) for group in document.get("groups") or []]
