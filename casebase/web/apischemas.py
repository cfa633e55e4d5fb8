"""Marshmallow schemas that describe the JSON API in its OpenAPI document.

They document; they never load or dump. Request bodies are described by the one record schema
(`casebase.schemas.RecordSchema`), so the rules clients read are the rules the service applies.
Query parameters are described here and parsed by `SearchParams.from_args` and the views, so
that an unknown or bad parameter gets the service's own 400 message.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from .. import importer, readers, search, vocabularies
from ..schemas import REF_PATTERN, RecordSchema, VocabularyKey, VocabularyList, WholeNumber

# SearchParams reads whole numbers of at most 9 digits; the description says so.
WHOLE_NUMBER_RANGE = validate.Range(min=-999_999_999, max=999_999_999)
SIMILAR_MAX = 50
SIMILAR_DEFAULT = 5
EXPORT_DEFAULT_FORMAT = "json"


def _keys(vocabulary: str) -> list[str]:
    return [term.key for term in vocabularies.VOCABULARIES[vocabulary]]


def vocabulary_properties(
    self: Any, field: fields.Field, ret: dict[str, Any], **_: Any
) -> dict[str, Any]:
    """apispec attribute function: the record schema's vocabulary fields as enums of keys."""
    if isinstance(field, VocabularyList):
        # apispec reads Length(min=1) as a string's minLength; for a list it is minItems.
        min_items = ret.pop("minLength", None)
        items = {"type": "string", "enum": _keys(field.item.vocabulary)}
        described = {
            "type": "array",
            "items": items,
            "description": f"Keys of the {field.item.vocabulary} vocabulary "
            "(GET /api/vocabularies); labels are accepted on input.",
        }
        return described | ({"minItems": min_items} if min_items else {})
    if isinstance(field, VocabularyKey):
        keys: list[Any] = _keys(field.vocabulary)
        return {
            "type": "string",
            "enum": keys + [None] if field.allow_none else keys,
            "description": f"A key of the {field.vocabulary} vocabulary.",
        }
    return {}


def empty_means_absent(
    self: Any, field: fields.Field, ret: dict[str, Any], **_: Any
) -> dict[str, Any]:
    """apispec parameter attribute function: an empty query value counts as absent."""
    return {"allowEmptyValue": True} if ret.get("in") == "query" else {}


# Custom fields of the record schema -> OpenAPI type, for Api.register_field.
CUSTOM_FIELD_TYPES = ((WholeNumber, "integer", None),)


class ErrorSchema(Schema):
    """Every error answer, whatever its status."""

    message = fields.String(
        required=True,
        metadata={"description": "What went wrong.", "example": "No case with ref 'x'."},
    )
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "422 only: each rejected field -> its messages."},
    )


class CaseSchema(RecordSchema):
    """A stored case: the record (import shape) plus what the system keeps."""

    regions = fields.List(fields.String(validate=validate.OneOf(_keys("region"))), required=True)
    version = fields.Integer(required=True, metadata={"description": "Also the ETag."})
    created_at = fields.String(required=True, metadata={"description": "ISO 8601, UTC."})
    updated_at = fields.String(required=True, metadata={"description": "ISO 8601, UTC."})
    labels = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "Each vocabulary key the case uses -> its Danish label."},
    )


class SearchResultSchema(Schema):
    ref = fields.String(required=True, metadata={"example": "gellerup-helhedsplan"})
    title = fields.String(required=True, metadata={"example": "Helhedsplan for Gellerup"})
    summary = fields.String(required=True, allow_none=True)
    municipalities = fields.List(fields.String(), required=True)
    regions = fields.List(fields.String(), required=True)
    start_year = fields.Integer(required=True, allow_none=True)
    end_year = fields.Integer(required=True, allow_none=True)
    status = fields.String(required=True, allow_none=True)
    collaboration_forms = fields.List(fields.String(), required=True)
    actors = fields.List(fields.String(), required=True)
    themes = fields.List(fields.String(), required=True)
    snippet = fields.String(
        required=True,
        metadata={
            "description": "HTML-safe excerpt; matched words in <mark>.",
            "example": "... et strategisk <mark>partnerskab</mark> om ...",
        },
    )
    score = fields.Float(
        required=True, allow_none=True, metadata={"description": "Relevance; null without q."}
    )


class FacetBucketSchema(Schema):
    value = fields.String(
        required=True,
        metadata={"description": "A vocabulary key.", "example": "projektpartnerskab"},
    )
    label = fields.String(required=True, metadata={"example": "Projektpartnerskab"})
    count = fields.Integer(required=True)
    selected = fields.Boolean(required=True)


class YearBucketSchema(Schema):
    value = fields.Integer(
        required=True, metadata={"description": "A start year.", "example": 2014}
    )
    label = fields.String(required=True, metadata={"example": "2014"})
    count = fields.Integer(required=True)
    selected = fields.Boolean(required=True)


# Derived from the search's facet registry, so a new facet cannot be left undocumented.
FacetsSchema = Schema.from_dict(
    {
        facet: fields.List(
            fields.Nested(YearBucketSchema if facet == "start_year" else FacetBucketSchema),
            required=True,
        )
        for facet in search.FACET_KEYS
    },
    name="Facets",
)


class SearchResponseSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    q = fields.String(required=True, allow_none=True)
    suggestion = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "A corrected query that finds more, when q looks misspelt."},
    )
    results = fields.List(fields.Nested(SearchResultSchema), required=True)
    facets = fields.Nested(
        FacetsSchema,
        required=True,
        metadata={
            "description": "Disjunctive counts: each facet counted over q and the other filters."
        },
    )


class SimilarResponseSchema(Schema):
    results = fields.List(fields.Nested(SearchResultSchema), required=True)


class ImportErrorSchema(Schema):
    row = fields.Integer(required=True, allow_none=True)
    ref = fields.String(required=True, allow_none=True)
    field = fields.String(required=True)
    message = fields.String(required=True)


class ImportReportSchema(Schema):
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    dry_run = fields.Boolean(required=True)
    errors_total = fields.Integer(
        required=True,
        metadata={"description": "How many errors were found, listed in `errors` or not."},
    )
    errors = fields.List(
        fields.Nested(ImportErrorSchema),
        required=True,
        metadata={
            "description": (
                f"The first errors found, at most IMPORT_MAX_ERRORS of them "
                f"({importer.MAX_ERRORS:,} unless configured); a value of the file quoted in "
                f"one is cut to {readers.ECHO_CHARS} characters."
            )
        },
    )


class TermSchema(Schema):
    value = fields.String(required=True)
    label_da = fields.String(required=True)
    label_en = fields.String(required=True)


class MunicipalityTermSchema(TermSchema):
    region = fields.String(required=True, validate=validate.OneOf(_keys("region")))
    code = fields.String(required=True, metadata={"description": "Official municipality code."})


VocabulariesSchema = Schema.from_dict(
    {
        name: fields.List(
            fields.Nested(MunicipalityTermSchema if name == "municipality" else TermSchema),
            required=True,
        )
        for name in vocabularies.VOCABULARIES
    },
    name="Vocabularies",
)


class HealthSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["ok"]))


# --- query parameters (documentation only) -------------------------------------------------


def _filter_field(facet: str) -> fields.Field:
    return fields.List(
        fields.String(validate=validate.OneOf(_keys(facet))),
        metadata={
            "description": f"Repeatable; keys of the {facet} vocabulary. Values of one filter "
            "are OR-ed, different filters AND-ed."
        },
    )


class SearchFiltersSchema(Schema):
    q = fields.String(
        metadata={
            "description": "Danish full-text query: words (all must match),"
            ' "phrase", OR, NOT/-word, field:word, word*.'
        }
    )
    collaboration_form = _filter_field("collaboration_form")
    actor = _filter_field("actor")
    theme = _filter_field("theme")
    region = _filter_field("region")
    municipality = _filter_field("municipality")
    status = _filter_field("status")
    year_from = fields.Integer(
        validate=WHOLE_NUMBER_RANGE,
        metadata={"description": "Cases whose period overlaps [year_from, year_to]."},
    )
    year_to = fields.Integer(validate=WHOLE_NUMBER_RANGE)


class SearchArgsSchema(SearchFiltersSchema):
    sort = fields.String(
        validate=validate.OneOf(search.SORTS),
        metadata={"description": "Default: relevance with q, newest without."},
    )
    page = fields.Integer(
        validate=validate.Range(min=1, max=WHOLE_NUMBER_RANGE.max), metadata={"default": 1}
    )
    per_page = fields.Integer(
        validate=validate.Range(min=1, max=search.MAX_PER_PAGE),
        metadata={"default": search.DEFAULT_PER_PAGE},
    )


class ExportArgsSchema(SearchArgsSchema):
    format = fields.String(
        validate=validate.OneOf(readers.FORMATS), metadata={"default": EXPORT_DEFAULT_FORMAT}
    )


class SimilarArgsSchema(Schema):
    limit = fields.Integer(
        validate=validate.Range(min=1, max=SIMILAR_MAX), metadata={"default": SIMILAR_DEFAULT}
    )


class ImportArgsSchema(Schema):
    dry_run = fields.String(
        validate=validate.OneOf(["true", "false"]),
        metadata={"default": "false", "description": "true: validate and report, write nothing."},
    )
    on_error = fields.String(
        validate=validate.OneOf(importer.ON_ERROR_CHOICES),
        metadata={
            "default": "abort",
            "description": "abort: write nothing when a record is rejected; skip: write the rest.",
        },
    )
    format = fields.String(
        validate=validate.OneOf(["auto", *readers.FORMATS]),
        metadata={"default": "auto", "description": "auto: detected from content and file name."},
    )


REF_PARAMETER = {
    "in": "path",
    "name": "ref",
    "required": True,
    "description": "The case's stable public id.",
    "schema": {"type": "string", "pattern": REF_PATTERN.pattern, "minLength": 1, "maxLength": 64},
}


# --- operation documentation: bodies, headers, errors --------------------------------------

API_DESCRIPTION = (
    "Search and read Danish experimental urban-renewal cases; administrators change them. "
    "Writes need `Authorization: Bearer <token>` (an admin's token: `casebase token create "
    'NAME`). Every error is JSON: `{"message": ...}`, plus `errors` (field -> messages) '
    "for 422."
)
BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "An admin's API token (`casebase token create NAME`).",
}
BEARER: dict[str, list[str]] = {"bearerAuth": []}
RECORD_BODY = {
    "required": True,
    "description": "A case record in the import shape "
    '(SPEC section 2). Vocabulary fields take keys or labels; null and "" count '
    "as absent; `regions`, `version`, the times and `labels` are ignored.",
    "content": {"application/json": {"schema": RecordSchema}},
}
UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "CSV, JSON, JSON Lines or XLSX (SPEC section 7).",
                    }
                },
            }
        }
    },
}
ETAG_HEADER = {"ETag": {"description": "The case's version.", "schema": {"type": "string"}}}
LOCATION_HEADER = {
    "Location": {"description": "The new case's address.", "schema": {"type": "string"}}
}
EXPORT_HEADERS = {
    "Content-Disposition": {"description": "attachment; filename=...", "schema": {"type": "string"}}
}
EXPORT_FILE = {"type": "string", "format": "binary"}
IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "description": "A version (ETag) the client holds: 304 when still current.",
    "schema": {"type": "string"},
}
# If-Match: one version, quoted or not, weak or not; or * (group 1: the version).
IF_MATCH_PATTERN = r'\s*(?:\*|(?:W/)?"?([0-9]{1,9})"?)\s*'
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "description": 'The version (ETag) the change was based on: "3", 3 or W/"3" '
    "(or *); 412 when the case has changed since.",
    "schema": {"type": "string", "pattern": f"^{IF_MATCH_PATTERN}$"},
}
# The error answers every write can get from authentication.
AUTH_ERRORS = {
    401: "No token, or a wrong or revoked one.",
    403: "The token is not an admin's.",
    429: "Too many failed authentications from this address; see Retry-After.",
}
NOT_FOUND = {404: "No case with this ref."}
RECORD_ERRORS = {422: "The record breaks the rules; `errors` says which field and how."}
STALE = {412: "The case has changed since the version in If-Match."}
