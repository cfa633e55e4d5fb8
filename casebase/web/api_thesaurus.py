"""GET /api/thesaurus: the field's thesaurus in use (public, read-only; docs/contract.md 9)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from .. import get_service
from ..schemas.thesaurus import ThesaurusSchema

thesaurus = Blueprint(
    "thesaurus",
    __name__,
    url_prefix="/api/thesaurus",
    description="The field's thesaurus: groups of terms a search treats as equivalent.",
)


class ThesaurusAnswerSchema(ThesaurusSchema):
    version = fields.Integer(
        required=True, metadata={"description": "Grows with every change; 0: no thesaurus."}
    )


@thesaurus.route("")
class Thesaurus(MethodView):
    @thesaurus.response(200, ThesaurusAnswerSchema)
    def get(self) -> Any:
        """The thesaurus

        The groups of equivalent terms (abbreviations, former programme names, Danish and
        English terms) with their sources, in the file format `casebase thesaurus import`
        reads. A search also finds a term's group; `exact=true` turns that off.
        """
        return get_service(current_app).thesaurus()


BLUEPRINTS = (thesaurus,)
