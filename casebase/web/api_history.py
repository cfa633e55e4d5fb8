"""A case's history through the API (docs/contract.md section 10): its versions, the record
as each version left it, and restore (administrators)."""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint

from .. import get_service
from ..history import MAX_VERSION
from ..schemas.history import HistorySchema
from . import auth
from .api import etag, expected_version
from .apischemas import (
    AUTH_ERRORS,
    BEARER,
    ETAG_HEADER,
    IF_MATCH,
    RECORD_ERRORS,
    REF_PARAMETER,
    STALE,
    VERSION_MESSAGE,
    CaseSchema,
    RestoreArgsSchema,
    documented_errors,
)

history = Blueprint(
    "history",
    __name__,
    url_prefix="/api/cases",
    description="What changed in a case, and when; restoring an old version (administrators).",
)
auth.guard_writes(history)


@history.route("/<ref>/history", parameters=[REF_PARAMETER])
class History(MethodView):
    @history.response(200, HistorySchema)
    @documented_errors(history, {404: "No case with this ref has ever been stored."})
    def get(self, ref: str) -> Any:
        """The history of a case

        Every create, update, delete and restore, newest first: who, when, and each field
        it changed with its old and new value. A deleted case keeps its history.
        """
        return {"ref": ref, "versions": get_service(current_app).history(ref)}


@history.route(
    f"/<ref>/versions/<int(min=1, max={MAX_VERSION}):version>", parameters=[REF_PARAMETER]
)
class Version(MethodView):
    @history.response(200, CaseSchema, headers=ETAG_HEADER)
    @documented_errors(
        history,
        {
            404: "No case with this ref has ever been stored, or it has no such version.",
            410: "This version is the case's deletion; `deleted_at` says when.",
        },
    )
    def get(self, ref: str, version: int) -> Any:
        """A case as it was

        The record as version n left it: the import shape plus regions, status, version,
        times and labels, as GET /api/cases/{ref} answered then.
        """
        record = get_service(current_app).case_version(ref, version)
        return record, 200, etag(record)


@history.route("/<ref>/restore", parameters=[REF_PARAMETER])
class Restore(MethodView):
    @history.arguments(RestoreArgsSchema, location="query", error_status_code=400)
    @history.doc(security=[BEARER], parameters=[IF_MATCH])
    @history.response(200, CaseSchema, headers=ETAG_HEADER)
    @documented_errors(
        history,
        {
            400: f"No version named for a case that is not deleted, a version that is the "
            f"case's deletion, or a bad parameter ({VERSION_MESSAGE}).",
            **AUTH_ERRORS,
            404: "No case with this ref has ever been stored, or it has no such version.",
            **STALE,
            **RECORD_ERRORS,
        },
    )
    def post(self, args: dict[str, int], ref: str) -> Any:
        """Restore a version

        Makes a new version whose content equals version n's (a deleted case comes back,
        by default with its last content). When the case already holds that content, nothing
        changes. The old record must pass today's rules (422 otherwise).
        """
        record = get_service(current_app).restore_case(
            ref,
            args.get("version"),
            g.user,
            source="api",
            expected_version=expected_version(),
        )
        return record, 200, etag(record)


BLUEPRINTS = (history,)
