"""The fields sent with a document (docs/contract.md section 13): title, kind, year."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields, pre_load, validate

from ..documents import DEFAULT_KIND, KINDS
from .messages import Message
from .record import WholeNumber

MAX_TITLE_CHARS = 300
YEARS = (1800, 2200)  # a document's year, inclusive


class DocumentFieldsSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # the multipart form's other parts (the file, a CSRF token)

    title = fields.String(
        load_default=None,
        validate=validate.Length(max=MAX_TITLE_CHARS, error=Message("length.max")),
    )
    kind = fields.String(
        load_default=DEFAULT_KIND,
        validate=validate.OneOf(KINDS, error=Message("document.kind", {"kinds": ", ".join(KINDS)})),
        metadata={"description": " | ".join(KINDS)},
    )
    year = WholeNumber(
        load_default=None,
        validate=validate.Range(*YEARS, error=Message("range.between")),
    )

    @pre_load
    def _blanks(self, data: Any, **kwargs: Any) -> Any:
        """Empty form fields are left out."""
        if not isinstance(data, dict):
            return data
        return {
            k: v.strip() if isinstance(v, str) else v
            for k, v in data.items()
            if v not in ("", None)
        }


def load_document_fields(data: Any) -> dict[str, Any]:
    loaded: dict[str, Any] = DocumentFieldsSchema().load(data)
    return loaded
