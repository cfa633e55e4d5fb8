"""The API's own schemas: its query parameters (parsed and described by the same schema), its
answers other than the search's, and the pieces of its OpenAPI description.

Request bodies are described by the one record schema (`casebase.schemas.RecordSchema`), and
the search by casebase/schemas/search.py, so the rules clients read are the rules applied.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from .. import citations, importer, readers, vocabularies
from ..history import MAX_VERSION
from ..schemas import REF_PATTERN, RecordSchema, VocabularyKey, VocabularyList, WholeNumber
from ..schemas.record import Coordinate
from ..schemas.search import QueryArgsSchema, SearchArgsRules, search_fields, search_params

VERSION_MESSAGE = f"version must be a whole number from 1 to {MAX_VERSION}."
SIMILAR_MAX = 50
SIMILAR_DEFAULT = 5
EXPORT_DEFAULT_FORMAT = "json"
# What export writes: the import formats, then the citation formats.
EXPORT_FORMATS = (*readers.FORMATS, *citations.FORMATS)
CITATION_FORMAT_MESSAGE = f"format is required: one of {', '.join(citations.FORMATS)}."


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
            "description": field.metadata.get("description")
            or f"Keys of the {field.item.vocabulary} vocabulary "
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
    deleted_at = fields.String(
        metadata={"description": "410 only: when the case was deleted (ISO 8601, UTC)."}
    )


class CaseSchema(RecordSchema):
    """A stored case: the record (import shape) plus what the system keeps."""

    latitude = Coordinate(required=True, allow_none=True)
    longitude = Coordinate(required=True, allow_none=True)

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


class FormTermSchema(TermSchema):
    description_da = fields.String(required=True, metadata={"description": "What it means."})
    description_en = fields.String(required=True)
    source = fields.Dict(
        required=True,
        metadata={"description": "The source of the definition: title, publisher, url."},
    )


class DocumentSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.String(
        required=True,
        validate=validate.OneOf(("evaluering", "rapport", "plan", "publikation", "andet")),
    )
    year = fields.Integer(required=True, allow_none=True)
    filename = fields.String(
        required=True, metadata={"description": "Made safe; the download's name."}
    )
    content_type = fields.String(required=True, metadata={"description": "Read from the content."})
    bytes = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    pages = fields.Integer(required=True, allow_none=True, metadata={"description": "PDF only."})
    has_text = fields.Boolean(required=True, metadata={"description": "false for a scan."})
    url = fields.String(required=True, metadata={"description": "Where to download it."})


class DocumentListSchema(Schema):
    documents = fields.List(fields.Nested(DocumentSchema), required=True)


class MunicipalityTermSchema(TermSchema):
    region = fields.String(required=True, validate=validate.OneOf(_keys("region")))
    code = fields.String(required=True, metadata={"description": "Official municipality code."})
    lat = fields.Float(
        required=True,
        metadata={
            "description": "Latitude of the centre (WGS84), where the map places cases "
            "without coordinates of their own."
        },
    )
    lon = fields.Float(required=True, metadata={"description": "Longitude of the centre."})


VocabulariesSchema = Schema.from_dict(
    {
        name: fields.List(
            fields.Nested(
                MunicipalityTermSchema
                if name == "municipality"
                else FormTermSchema
                if name == "collaboration_form"
                else TermSchema
            ),
            required=True,
        )
        for name in vocabularies.VOCABULARIES
    },
    name="Vocabularies",
)


class HealthSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["ok"]))


# --- query parameters: parsed and described by the same schemas ---------------------------


class Choice(fields.String):
    """One of some words, given in any case."""

    def __init__(self, choices: tuple[str, ...], **kwargs: Any) -> None:
        allowed = ", ".join(choices)
        error = f"Must be one of {allowed}."
        super().__init__(validate=validate.OneOf(choices, error=error), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return str(super()._deserialize(value, attr, data, **kwargs)).lower()


class _ExportRules(SearchArgsRules):
    @post_load
    def _params(self, data: dict[str, Any], **_: Any) -> Any:
        fmt = data.pop("format", EXPORT_DEFAULT_FORMAT)
        return {"format": fmt, "search": search_params(data)}


ExportArgsSchema: type[Schema] = type(
    "ExportArgsSchema",
    (_ExportRules,),
    {
        **search_fields(),
        "format": Choice(
            EXPORT_FORMATS,
            metadata={
                "default": EXPORT_DEFAULT_FORMAT,
                "description": "An import format (csv, json, jsonl, xlsx: what import reads "
                "back) or a citation format (bibtex, ris, csl-json).",
            },
        ),
    },
)


class SimilarArgsSchema(QueryArgsSchema):
    limit = WholeNumber(
        load_default=SIMILAR_DEFAULT,
        validate=validate.Range(
            1, SIMILAR_MAX, error=f"limit must be a whole number from 1 to {SIMILAR_MAX}."
        ),
        error_messages={"invalid": f"limit must be a whole number from 1 to {SIMILAR_MAX}."},
        metadata={"default": SIMILAR_DEFAULT},
    )


class CitationArgsSchema(QueryArgsSchema):
    fmt = Choice(
        citations.FORMATS,
        data_key="format",
        required=True,
        error_messages={"required": CITATION_FORMAT_MESSAGE},
        metadata={"description": "bibtex, ris or csl-json."},
    )


class RestoreArgsSchema(QueryArgsSchema):
    version = WholeNumber(
        validate=validate.Range(1, MAX_VERSION, error=VERSION_MESSAGE),
        error_messages={"invalid": VERSION_MESSAGE},
        metadata={
            "description": "The version to bring back (GET /api/cases/{ref}/history); of a "
            "deleted case, by default its last content."
        },
    )


class ImportArgsSchema(QueryArgsSchema):
    """An import's options, from the API's query string or the admin's form."""

    dry_run = Choice(
        ("true", "false"),
        load_default="false",
        metadata={"default": "false", "description": "true: validate and report, write nothing."},
    )
    on_error = Choice(
        importer.ON_ERROR_CHOICES,
        load_default="abort",
        metadata={
            "default": "abort",
            "description": "abort: write nothing when a record is rejected; skip: write the rest.",
        },
    )
    fmt = Choice(
        ("auto", *readers.FORMATS),
        data_key="format",
        load_default="auto",
        metadata={"default": "auto", "description": "auto: detected from content and file name."},
    )

    @post_load
    def _options(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {**data, "dry_run": data["dry_run"] == "true"}


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
    '(docs/contract.md section 2). Vocabulary fields take keys or labels; null and "" count '
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
                        "description": "CSV, JSON, JSON Lines or XLSX.",
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
LINK_HEADER = {
    "Link": {
        "description": "This page and its neighbours (RFC 8288): the same as `links`.",
        "schema": {"type": "string"},
    }
}
EXPORT_HEADERS = {
    "Content-Disposition": {
        "description": "attachment; filename=...",
        "schema": {"type": "string"},
    },
    "Link": {
        "description": 'The data\'s licence: <address>; rel="license" (RFC 8288).',
        "schema": {"type": "string"},
    },
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


def documented_errors(blueprint: Any, descriptions: dict[int, str]) -> Any:
    """Document an operation's error answers, all in the one error shape."""

    def decorate(view: Any) -> Any:
        for status, description in sorted(descriptions.items()):
            view = blueprint.alt_response(status, schema=ErrorSchema, description=description)(view)
        return view

    return decorate


# The error answers every write can get from authentication.
AUTH_ERRORS = {
    401: "No token, or a wrong or revoked one.",
    403: "The token is not an admin's.",
    429: "Too many failed authentications from this address; see Retry-After.",
}
NOT_FOUND = {404: "No case with this ref.", 410: "The case was deleted; `deleted_at` says when."}
RECORD_ERRORS = {422: "The record breaks the rules; `errors` says which field and how."}
STALE = {412: "The case has changed since the version in If-Match."}
