"""The research tools' parameters and answers (docs/contract.md section 10): cross-tabulation,
the map's GeoJSON and the comparison of cases.

As for the search, one schema both parses a request and describes it (flask-smorest's
`arguments`); the cross-tabulation and the map take the search's own parameters, built from the
catalogue by search_fields().
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from .. import catalogue
from ..engine.params import SearchParams
from .messages import Message
from .search import QueryArgsSchema, SearchArgsRules, search_fields, search_params

CROSSTAB_FORMATS = ("json", "csv")
# How many cases /compare shows side by side.
COMPARE_MIN, COMPARE_MAX = 2, 4


class Keyword(fields.String):
    """One of some words, given in any case."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return str(super()._deserialize(value, attr, data, **kwargs)).lower()


def _dimension(name: str, description: str) -> fields.String:
    allowed = ", ".join(catalogue.DIMENSIONS)
    return fields.String(
        required=True,
        validate=validate.OneOf(
            catalogue.DIMENSIONS,
            error=Message("crosstab.dimension", {"name": name, "allowed": allowed}),
        ),
        error_messages={
            "required": Message("crosstab.required", {"name": name, "allowed": allowed})
        },
        metadata={"description": description},
    )


@dataclass(frozen=True)
class CrosstabRequest:
    """A cross-tabulation asked for: the search, its two dimensions and the answer's format."""

    search: SearchParams
    rows: str
    cols: str
    format: str = "json"


class _CrosstabRules(SearchArgsRules):
    @validates_schema
    def _different(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("rows") is not None and data.get("rows") == data.get("cols"):
            raise ValidationError(Message("crosstab.same", {"name": data["rows"]}), "cols")

    @post_load
    def _params(self, data: dict[str, Any], **_: Any) -> Any:
        rows, cols = data.pop("rows"), data.pop("cols")
        fmt = data.pop("format", CROSSTAB_FORMATS[0])
        return CrosstabRequest(search_params(data), rows, cols, fmt)


# The search's parameters (page, per_page and sort accepted and ignored, as the export does)
# and the table's: rows, cols and format.
CrosstabArgsSchema: type[Schema] = type(
    "CrosstabArgsSchema",
    (_CrosstabRules,),
    {
        **search_fields(),
        "rows": _dimension("rows", "What the rows count: a facet, start_year or decade."),
        "cols": _dimension("cols", "What the columns count; not the same as rows."),
        "format": Keyword(
            validate=validate.OneOf(
                CROSSTAB_FORMATS,
                error=Message("crosstab.format", {"allowed": ", ".join(CROSSTAB_FORMATS)}),
            ),
            metadata={
                "default": CROSSTAB_FORMATS[0],
                "description": "json, or csv: the same table for Danish Excel (as the export).",
            },
        ),
    },
)
CROSSTAB_ARGS = CrosstabArgsSchema()


def load_crosstab(args: Any) -> CrosstabRequest:
    """A cross-tabulation's parameters from a query string's values; ValidationError if wrong."""
    request: CrosstabRequest = CROSSTAB_ARGS.load(args)
    return request


class TabValueSchema(Schema):
    value = fields.Raw(
        required=True,
        metadata={
            "description": "A vocabulary key; for start_year a year, for decade its first "
            "year (2010 for 2010-2019).",
            "example": "projektpartnerskab",
        },
    )
    label = fields.String(required=True, metadata={"example": "Projektpartnerskab"})


class CrosstabSchema(Schema):
    rows = fields.String(required=True, metadata={"example": "region"})
    cols = fields.String(required=True, metadata={"example": "collaboration_form"})
    total = fields.Integer(
        required=True,
        metadata={"description": "The cases counted: those of the search with a value of both."},
    )
    row_values = fields.List(fields.Nested(TabValueSchema), required=True)
    col_values = fields.List(fields.Nested(TabValueSchema), required=True)
    cells = fields.List(
        fields.List(fields.Integer()),
        required=True,
        metadata={"description": "cells[i][j]: the cases with row value i and column value j."},
    )
    row_totals = fields.List(
        fields.Integer(), required=True, metadata={"description": "Cases, not sums of cells."}
    )
    col_totals = fields.List(
        fields.Integer(), required=True, metadata={"description": "Cases, not sums of cells."}
    )


# --- the map -------------------------------------------------------------------------------


class _MapRules(SearchArgsRules):
    """The search's parameters; page and per_page are accepted and ignored (every match)."""


MapArgsSchema: type[Schema] = type("MapArgsSchema", (_MapRules,), search_fields())


class PointSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(["Point"]))
    coordinates = fields.List(
        fields.Float(),
        required=True,
        validate=validate.Length(equal=2),
        metadata={"description": "[longitude, latitude] (WGS84), as GeoJSON orders them."},
    )


class PlacePropertiesSchema(Schema):
    ref = fields.String(required=True)
    title = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "The case's page."})
    approximate = fields.Boolean(
        required=True,
        metadata={"description": "true: placed at the centre of its first municipality."},
    )


class FeatureSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(["Feature"]))
    geometry = fields.Nested(PointSchema, required=True)
    properties = fields.Nested(PlacePropertiesSchema, required=True)


class FeatureCollectionSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(["FeatureCollection"]))
    features = fields.List(
        fields.Nested(FeatureSchema),
        required=True,
        metadata={"description": "One Point per matching case that has a place."},
    )


# --- comparing cases -----------------------------------------------------------------------


class CompareArgsSchema(QueryArgsSchema):
    """The refs of /compare: 2 to 4 different ones (a ref given twice counts once)."""

    ref = fields.List(
        fields.String(),
        required=True,
        error_messages={
            "required": Message("compare.count", {"low": COMPARE_MIN, "high": COMPARE_MAX})
        },
    )

    @post_load
    def _refs(self, data: dict[str, Any], **_: Any) -> list[str]:
        refs = list(dict.fromkeys(data["ref"]))
        if not COMPARE_MIN <= len(refs) <= COMPARE_MAX:
            values = {"low": COMPARE_MIN, "high": COMPARE_MAX, "count": len(refs)}
            raise ValidationError(Message("compare.count", values), "ref")
        return refs


COMPARE_ARGS = CompareArgsSchema()


def load_compare(args: Any) -> list[str]:
    """The refs to compare from a query string's values; ValidationError says what is wrong."""
    refs: list[str] = COMPARE_ARGS.load(args)
    return refs
