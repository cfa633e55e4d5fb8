"""The thesaurus file (docs/contract.md section 9): groups of equivalent terms with a source.

`casebase thesaurus import`, the admin page and the shipped seed_data/thesaurus.json all load
through this schema, so a bad file is refused with a message per problem and changes nothing.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from .messages import Message
from .record import DESCRIBED_URL, Text, _length

MAX_GROUPS = 2000
MAX_TERMS = 12
MAX_TERM_CHARS = 100


class SourceSchema(Schema):
    class Meta:
        unknown = RAISE

    title = Text(required=True, words=1, validate=_length(1, 300))
    publisher = Text(load_default=None, validate=_length(high=300))
    url = Text(
        load_default=None,
        metadata={"pattern": DESCRIBED_URL},
        validate=[
            _length(high=2000),
            validate.URL(schemes={"http", "https"}, error=Message("url.http")),
        ],
    )


class GroupSchema(Schema):
    class Meta:
        unknown = RAISE

    terms = fields.List(
        Text(required=True, words=1, validate=_length(1, MAX_TERM_CHARS)),
        required=True,
        validate=validate.Length(2, MAX_TERMS, error=Message("thesaurus.terms")),
    )
    note = Text(load_default=None, validate=_length(high=1000))
    source = fields.Nested(SourceSchema, required=True)


class ThesaurusSchema(Schema):
    """A whole thesaurus: it replaces the one in use."""

    class Meta:
        unknown = RAISE

    about = Text(load_default=None, validate=_length(high=5000))
    groups = fields.List(
        fields.Nested(GroupSchema),
        required=True,
        validate=validate.Length(1, MAX_GROUPS, error=Message("thesaurus.groups")),
    )

    @validates_schema
    def _terms_once(self, data: dict[str, Any], **_: Any) -> None:
        """A term belongs to one group only (compared without case and extra spaces)."""
        seen: dict[str, int] = {}
        problems = []
        for number, group in enumerate(data.get("groups") or [], start=1):
            for term in group["terms"]:
                folded = " ".join(term.split()).casefold()
                if folded in seen and seen[folded] != number:
                    values = {"term": term, "first": seen[folded], "second": number}
                    problems.append(Message("thesaurus.twice", values))
                seen.setdefault(folded, number)
        if problems:
            raise ValidationError(problems, "groups")


THESAURUS_SCHEMA = ThesaurusSchema()
