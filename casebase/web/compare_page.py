"""The comparison page `/compare?ref=a&ref=b` (docs/contract.md section 10): 2 to 4 cases side
by side, field by field, with the values they share marked in words (not by colour alone)."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, render_template, request, url_for
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from .. import get_service, vocabularies
from ..schemas import field_errors
from ..schemas.research import COMPARE_MIN, load_compare
from .i18n import current_language, format_amount, t, translate_error, vocab_label
from .pages import bp

# The fields compared, in this order (the title heads each column; long texts are left to the
# case pages): each compared as a set of values.
COMPARED_FIELDS = (
    "summary",
    "collaboration_forms",
    "themes",
    "actors",
    "municipalities",
    "regions",
    "status",
    "start_year",
    "end_year",
    "budget_dkk",
    "public_funding_dkk",
    "private_funding_dkk",
    "funders",
    "contact_org",
)
# Values that are text to read rather than to match.
UNMARKED_FIELDS = frozenset({"summary"})
AMOUNT_FIELDS = frozenset({"budget_dkk", "public_funding_dkk", "private_funding_dkk"})


def _values(record: dict[str, Any], field: str) -> list[Any]:
    value = record.get(field)
    if value is None or value == "" or value == []:
        return []
    return list(value) if isinstance(value, list) else [value]


def _shown(field: str, value: Any) -> str:
    if field in vocabularies.FIELD_VOCABULARY:
        return vocab_label(vocabularies.FIELD_VOCABULARY[field], str(value))
    if field in AMOUNT_FIELDS:
        return format_amount(value, current_language())
    return str(value)


def _mark(shared: int, total: int) -> str | None:
    if shared < 2:
        return None
    if shared == total:
        return t("compare.shared_both" if total == 2 else "compare.shared_all")
    return t("compare.shared_some", shared=shared, total=total)


def comparison(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per field: its label and, per case, its values with how many cases hold each."""
    rows = []
    for field in COMPARED_FIELDS:
        values = [_values(record, field) for record in records]
        holders: Counter[Any] = Counter(v for held in values for v in set(held))
        marked = field not in UNMARKED_FIELDS
        cells = [
            [
                {
                    "text": _shown(field, value),
                    "shared": holders[value] if marked else 1,
                    "mark": _mark(holders[value], len(records)) if marked else None,
                }
                for value in held
            ]
            for held in values
        ]
        rows.append({"field": field, "label": _field_label(field), "cells": cells})
    return rows


def _field_label(field: str) -> str:
    term = next(term for term in vocabularies.FIELDS if term.key == field)
    return term.label(current_language())


def _columns(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    refs = [record["ref"] for record in records]
    columns = []
    for record in records:
        others = [ref for ref in refs if ref != record["ref"]]
        remove = None
        if len(others) >= COMPARE_MIN:
            remove = url_for("pages.compare") + "?" + urlencode([("ref", ref) for ref in others])
        columns.append(
            {
                "ref": record["ref"],
                "title": record["title"],
                "href": url_for("pages.case", ref=record["ref"]),
                "remove": remove,
            }
        )
    return columns


def _problem(message: str, status: int) -> tuple[Response, int]:
    html = render_template("compare.html", problem=message, status=status)
    return Response(html), status


@bp.get("/compare")
def compare() -> Any:
    try:
        refs = load_compare(MultiDict({"ref": request.args.getlist("ref")}))
    except ValidationError as error:
        problems = [m for messages in field_errors(error).values() for m in messages]
        return _problem(" ".join(translate_error(problem) for problem in problems), 400)
    found = get_service(current_app).find_cases(refs)
    unknown = [ref for ref in refs if ref not in found]
    if unknown:
        names = ", ".join(f"«{ref[:64]}»" for ref in unknown)
        return _problem(t("compare.unknown", refs=names, count=len(unknown)), 404)
    records = [found[ref] for ref in refs]
    return render_template(
        "compare.html", columns=_columns(records), rows=comparison(records), count=len(records)
    )
