"""A case's history as the API answers it (docs/contract.md section 10): dumped from the
service's `history.Version` entries."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..history import ACTIONS


class VersionSchema(Schema):
    version = fields.Integer(required=True, metadata={"example": 2})
    changed_at = fields.DateTime(
        required=True, format="iso", metadata={"description": "ISO 8601, UTC."}
    )
    changed_by = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "The user who made the change: the admin's name for the API and "
            "the admin pages, the system user who ran `casebase import`; null when unknown."
        },
    )
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    source = fields.String(
        required=True,
        metadata={"description": "Where the change came from: api, admin or import."},
    )
    changes = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Raw(allow_none=True), validate=validate.Length(equal=2)),
        required=True,
        metadata={
            "description": "Each field the version changed -> [old, new], values as in the "
            "record (an absent value is null, or [] for a list). A creation names every field "
            "it filled; a deletion every field it emptied. The first version kept of a case "
            "stored before history was kept names none.",
            "example": {"title": ["Gammel titel", "Ny titel"]},
        },
    )


class HistorySchema(Schema):
    ref = fields.String(required=True)
    versions = fields.List(
        fields.Nested(VersionSchema),
        required=True,
        metadata={"description": "Newest first."},
    )
