"""Documents of cases through the API and their downloads (docs/contract.md section 13).

`GET|POST /api/cases/<ref>/documents`, `DELETE /api/cases/<ref>/documents/<id>` (writes need
an admin's token, web/auth.py) and `GET /documents/<id>/<filename>`: the bytes exactly as
uploaded, always as an attachment, never rendered (HTML is sent as octet-stream).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint as FlaskBlueprint
from flask import Response, current_app, g, request, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import BadRequest

from .. import get_service
from ..documents import KINDS
from ..schemas.documents import MAX_TITLE_CHARS, YEARS, DocumentFieldsSchema
from . import auth
from .apischemas import (
    AUTH_ERRORS,
    BEARER,
    NOT_FOUND,
    REF_PARAMETER,
    DocumentListSchema,
    DocumentSchema,
    documented_errors,
)

DOCUMENT_BODY = {
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
                        "description": "PDF, DOCX, ODT, HTML or plain text (checked by content).",
                    },
                    "title": {"type": "string", "maxLength": MAX_TITLE_CHARS},
                    "kind": {"type": "string", "enum": list(KINDS)},
                    "year": {"type": "integer", "minimum": YEARS[0], "maximum": YEARS[1]},
                },
            }
        }
    },
}
ID_PARAMETER = {
    "in": "path",
    "name": "document_id",
    "required": True,
    "schema": {"type": "integer"},
}
# Never rendered by a browser: HTML goes out as bytes to save.
DOWNLOAD_TYPES = {"text/html": "application/octet-stream"}

documents = Blueprint(
    "documents",
    __name__,
    url_prefix="/api/cases",
    description="The documents of a case: reports, plans, publications (contract section 13).",
)
auth.guard_writes(documents)


def read_upload(limit: int) -> tuple[bytes, str]:
    """The multipart `file`'s bytes (at most limit + 1 of them) and its name."""
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        raise BadRequest("Send the document as the multipart/form-data file field 'file'.")
    return sent.stream.read(limit + 1), sent.filename


@documents.route("/<ref>/documents", parameters=[REF_PARAMETER])
class CaseDocuments(MethodView):
    @documents.response(200, DocumentListSchema)
    @documented_errors(documents, NOT_FOUND)
    def get(self, ref: str) -> Any:
        """The documents of a case"""
        return {"documents": get_service(current_app).documents.list(ref)}

    @documents.doc(requestBody=DOCUMENT_BODY, security=[BEARER])
    @documents.response(201, DocumentSchema)
    @documented_errors(
        documents,
        {
            400: "No file.",
            **AUTH_ERRORS,
            **NOT_FOUND,
            413: "The file is larger than CASEBASE_MAX_DOCUMENT_MB.",
            415: "The content is not PDF, DOCX, ODT, HTML or text, not what its name says, "
            "or its text could not be read within the limits.",
            422: "title, kind or year breaks the rules.",
        },
    )
    def post(self, ref: str) -> Any:
        """Add a document to a case"""
        service = get_service(current_app)
        data, filename = read_upload(service.documents.settings.max_bytes)
        fields = {name: request.form.get(name) for name in DocumentFieldsSchema().fields}
        return service.documents.add(ref, data, filename, fields, g.user), 201


@documents.route("/<ref>/documents/<int:document_id>", parameters=[REF_PARAMETER, ID_PARAMETER])
class CaseDocument(MethodView):
    @documents.doc(security=[BEARER])
    @documents.response(204, description="Deleted.")
    @documented_errors(documents, {**AUTH_ERRORS, 404: "No such case, or no such document of it."})
    def delete(self, ref: str, document_id: int) -> Any:
        """Delete a document of a case"""
        get_service(current_app).documents.delete(ref, document_id, g.user)
        return None


BLUEPRINTS = (documents,)

downloads = FlaskBlueprint("downloads", __name__)


@downloads.get("/documents/<int:document_id>/<filename>")
def download(document_id: int, filename: str) -> Response:
    listed, path = get_service(current_app).documents.file(document_id, filename)
    content_type = listed["content_type"]
    response = send_file(
        path,
        mimetype=DOWNLOAD_TYPES.get(content_type, content_type),
        as_attachment=True,
        download_name=listed["filename"],
        etag=listed["sha256"],
        max_age=3600,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
