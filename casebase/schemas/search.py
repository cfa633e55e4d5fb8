"""The search's contract as marshmallow schemas: its parameters (loaded into SearchParams) and
its answer (dumped from the engine's SearchResult).

One schema both parses a request and describes it: the API passes it to flask-smorest's
`arguments`, which also writes it into /api/openapi.json; the pages and the CLI load their
parameters with it too. Every facet and sort comes from the catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_dump,
    post_load,
    pre_load,
    validate,
)

from .. import catalogue
from ..engine.params import SearchParams
from .messages import Message
from .record import VocabularyList, WholeNumber

# Whole numbers in a query string are read up to nine digits.
LARGEST_NUMBER = 999_999_999


def _facet_field(facet: catalogue.Facet) -> fields.Field:
    return VocabularyList(
        facet.vocabulary,
        metadata={
            "description": f"Repeatable; keys of the {facet.vocabulary} vocabulary (labels "
            "are accepted too). Values of one filter are OR-ed, different filters AND-ed."
        },
    )


def _number(name: str, low: int, high: int, default: int | None = None) -> WholeNumber:
    key = "search.number_from" if high == LARGEST_NUMBER else "search.number"
    message = Message(key, {"name": name, "low": low, "high": high})
    return WholeNumber(
        validate=validate.Range(low, high, error=message),
        error_messages={"invalid": message},
        metadata={"default": default} if default is not None else {},
    )


def _year(name: str, description: str | None = None) -> WholeNumber:
    message = Message("search.year", {"name": name})
    return WholeNumber(
        validate=validate.Range(-LARGEST_NUMBER, LARGEST_NUMBER, error=message),
        error_messages={"invalid": message},
        metadata={"description": description} if description else {},
    )


class QueryArgsSchema(Schema):
    """Parameters from a query string: names checked, empty values dropped, one value for a
    single parameter (the first), every value for a repeatable one (a list field)."""

    class Meta:
        unknown = RAISE

    @pre_load
    def _from_query_string(self, data: Any, **_: Any) -> dict[str, Any]:
        by_name = {field.data_key or name: field for name, field in self.fields.items()}
        lists = _lists(data)
        unknown = sorted(name for name in lists if name not in by_name)
        if unknown:
            values = {"name": unknown[0], "allowed": ", ".join(by_name)}
            raise ValidationError(Message("search.unknown_parameter", values), unknown[0])
        loaded: dict[str, Any] = {}
        for name, given in lists.items():
            stripped = [v.strip() if isinstance(v, str) else v for v in given]
            present = [v for v in stripped if v not in ("", None)]
            if present:
                repeatable = isinstance(by_name[name], VocabularyList | fields.List)
                loaded[name] = present if repeatable else present[0]
        return loaded


class SearchArgsRules(QueryArgsSchema):
    """How a query string becomes SearchParams (the fields are declared below)."""

    @post_load
    def _params(self, data: dict[str, Any], **_: Any) -> Any:
        return search_params(data)


def search_params(data: dict[str, Any]) -> SearchParams:
    """SearchParams from a search schema's loaded values."""
    filters = {
        name: tuple(dict.fromkeys(data[name])) for name in catalogue.FACET_NAMES if data.get(name)
    }
    return SearchParams(
        q=data.get("q", ""),
        exact=bool(data.get("exact", False)),
        filters=filters,
        year_from=data.get("year_from"),
        year_to=data.get("year_to"),
        sort=data.get("sort"),
        page=data.get("page", 1),
        per_page=data.get("per_page", catalogue.DEFAULT_PER_PAGE),
    )


def search_fields() -> dict[str, fields.Field]:
    """q, one filter per facet of the catalogue, the years, the sort and the page."""
    sorts = ", ".join(catalogue.SORT_KEYS)
    return {
        "q": fields.String(
            metadata={
                "description": "Danish full-text query: words (all must match), "
                '"phrase", OR, NOT/-word, field:word, word*.'
            }
        ),
        "exact": fields.Boolean(
            metadata={
                "description": "true: the words as written only: no parts of compounds, no "
                "synonyms from the thesaurus (default false)."
            }
        ),
        **{facet.name: _facet_field(facet) for facet in catalogue.FACETS},
        "year_from": _year("year_from", "Cases whose period overlaps [year_from, year_to]."),
        "year_to": _year("year_to"),
        "sort": fields.String(
            validate=validate.OneOf(
                catalogue.SORT_KEYS, error=Message("search.sort", {"allowed": sorts})
            ),
            metadata={
                "description": f"{sorts}. Default: {catalogue.DEFAULT_SORT_WITH_QUERY} with q, "
                f"{catalogue.DEFAULT_SORT_WITHOUT_QUERY} without."
            },
        ),
        "page": _number("page", 1, LARGEST_NUMBER, default=1),
        "per_page": _number(
            "per_page", 1, catalogue.MAX_PER_PAGE, default=catalogue.DEFAULT_PER_PAGE
        ),
    }


# A search's parameters as a query string gives them; load() gives SearchParams. Empty values
# count as absent; a parameter of one value given twice uses the first.
SearchArgsSchema: type[Schema] = type("SearchArgsSchema", (SearchArgsRules,), search_fields())


def _lists(data: Any) -> dict[str, list[Any]]:
    """name -> values, from a query string's multi-dict (or webargs' proxy of one) or a dict."""
    source = getattr(data, "data", data)  # webargs wraps the request's MultiDict
    if hasattr(source, "getlist"):
        return {name: list(source.getlist(name)) for name in source}
    if not isinstance(source, Mapping):
        raise ValidationError(Message("wrong_type"))
    return {
        name: list(value) if isinstance(value, (list, tuple)) else [value]
        for name, value in source.items()
    }


SEARCH_ARGS = SearchArgsSchema()


def load_search(args: Any) -> SearchParams:
    """SearchParams from a query string's values; ValidationError says what is wrong."""
    params: SearchParams = SEARCH_ARGS.load(args)
    return params


# --- the answer ---------------------------------------------------------------------------


class FoundDocumentSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)


class HitSchema(Schema):
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
    found_in_documents = fields.List(
        fields.Nested(FoundDocumentSchema),
        required=True,
        metadata={"description": "The case's documents holding a word of q (contract 13)."},
    )
    document_snippet = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "HTML-safe excerpt of the first document holding a word of q; "
            "when the case's own fields hold none, `snippet` is this excerpt too."
        },
    )


class BucketSchema(Schema):
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


class Buckets(fields.List):
    """A facet's buckets: documented as a list of its bucket schema, written straight from the
    engine's buckets with that schema's field names (an answer holds about 140 buckets, and
    dumping each through the nested schema was half the time of the answer's dump)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        names = tuple(self.inner.schema.fields)  # type: ignore[attr-defined]
        return [{name: getattr(bucket, name) for name in names} for bucket in value]


FacetsSchema = Schema.from_dict(
    {
        name: Buckets(
            fields.Nested(YearBucketSchema if name == catalogue.YEAR_FACET else BucketSchema),
            required=True,
        )
        for name in catalogue.COUNTED
    },
    name="Facets",
)


class ExpansionSchema(Schema):
    term = fields.String(required=True, metadata={"example": "OPP"})
    with_ = fields.List(
        fields.String(),
        required=True,
        data_key="with",
        metadata={"example": ["offentlig-privat partnerskab"]},
    )


def _page_link(rel: str, required: bool = False) -> fields.Url:
    return fields.Url(
        required=required,
        metadata={"description": f"The {rel} page: an absolute address with the same parameters."},
    )


class PageLinksSchema(Schema):
    """Links to the pages of a search (docs/contract.md section 11), as in the Link header."""

    self = _page_link("this", required=True)
    first = _page_link("first", required=True)
    prev = _page_link("previous (absent on the first page)")
    next = _page_link("next (absent on the last page)")
    last = _page_link("last", required=True)


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
    expanded = fields.List(
        fields.Nested(ExpansionSchema),
        required=True,
        metadata={
            "description": "What the search also looked for: a term's synonyms from the "
            "thesaurus, and compounds a word was found in (empty with exact=true)."
        },
    )
    results = fields.List(fields.Nested(HitSchema), required=True)
    facets = fields.Nested(
        FacetsSchema,
        required=True,
        metadata={
            "description": "Disjunctive counts: each facet counted over q and the other filters."
        },
    )
    links = fields.Nested(
        PageLinksSchema,
        metadata={"description": "This page and its neighbours; the same as the Link header."},
    )

    @post_dump(pass_original=True)
    def _without_absent_links(self, data: dict[str, Any], result: Any, **_: Any) -> Any:
        """Links are the API's (it knows its address): `casebase search --json` has none."""
        if getattr(result, "links", None) is None:
            data.pop("links", None)
        return data


class WhySchema(Schema):
    collaboration_forms = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "The collaboration forms (keys) both cases have."},
    )
    themes = fields.List(
        fields.String(), required=True, metadata={"description": "The themes both have."}
    )
    municipalities = fields.List(
        fields.String(), required=True, metadata={"description": "The municipalities both have."}
    )
    words = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "The case's telling words that the similar case's text holds too "
            "(in any inflection), as the case writes them; the word adding most first.",
            "example": ["landsby", "forsamlingshus"],
        },
    )


class SimilarHitSchema(HitSchema):
    why = fields.Nested(
        WhySchema,
        required=True,
        metadata={"description": "What this case shares with the one it is similar to."},
    )


class SimilarResponseSchema(Schema):
    results = fields.List(fields.Nested(SimilarHitSchema), required=True)
