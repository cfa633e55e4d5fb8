"""Citations of a case through the API (docs/contract.md section 10): BibTeX, RIS, CSL-JSON.

A whole search is cited by GET /api/export with a citation format (web/api_files.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from flask import Response, current_app, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from .. import citations, get_service
from . import auth
from .apischemas import (
    EXPORT_FILE,
    EXPORT_HEADERS,
    NOT_FOUND,
    REF_PARAMETER,
    CitationArgsSchema,
    documented_errors,
)

cite = Blueprint(
    "citations",
    __name__,
    url_prefix="/api/cases",
    description="Citations of a case for reference managers.",
)
auth.guard_writes(cite)


def case_links() -> Callable[[str], str]:
    """ref -> the case's permalink; made in a request, usable outside it (a streamed export)."""
    # The case page's route is /cases/<ref>; refs need no quoting (docs/contract.md section 2).
    prefix = url_for("pages.case", ref="0", _external=True)[:-1]
    return lambda ref: prefix + ref


def access_date() -> date:
    """The access date a citation states: today, in UTC."""
    return datetime.now(UTC).date()


# CSL-JSON is JSON (a list of items), and a client reads it as such.
CSL_JSON = {"type": "array", "items": {"type": "object"}}


def citation_formats(blueprint: Blueprint, formats: tuple[str, ...]) -> Any:
    """Document each citation format as a 200 answer of its content type."""

    def decorate(view: Any) -> Any:
        for fmt in formats:
            view = blueprint.alt_response(
                200,
                schema=CSL_JSON if fmt == "csl-json" else EXPORT_FILE,
                description=f"format={fmt}",
                success=True,
                content_type=citations.content_type(fmt),
                headers=EXPORT_HEADERS,
            )(view)
        return view

    return decorate


@cite.route("/<ref>/citation", parameters=[REF_PARAMETER])
class Citation(MethodView):
    @cite.arguments(CitationArgsSchema, location="query", error_status_code=400)
    @cite.response(
        200,
        EXPORT_FILE,
        description="format=bibtex",
        content_type=citations.content_type("bibtex"),
        headers=EXPORT_HEADERS,
    )
    @citation_formats(cite, citations.FORMATS[1:])
    @documented_errors(cite, {400: "No format, or an unknown one.", **NOT_FOUND})
    def get(self, args: dict[str, str], ref: str) -> Response:
        """Cite a case

        The case as a BibTeX entry, an RIS reference or a CSL-JSON item (in an array): its
        title, contact organisation as author, municipalities as place, years, permalink
        and access date, casebase as publisher, summary as abstract, and its themes and
        collaboration forms as keywords. UTF-8, Danish letters as themselves.
        """
        fmt = args["fmt"]
        body = get_service(current_app).citation(ref, fmt, case_links(), access_date())
        response = Response(body, content_type=citations.content_type(fmt))
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{citations.filename(ref, fmt)}"'
        )
        return response


BLUEPRINTS = (cite,)
