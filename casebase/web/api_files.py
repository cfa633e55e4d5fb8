"""Files through the API: imports (uploads) and exports (downloads), docs/contract.md 6 and 7."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask import Response, current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import BadRequest

from .. import citations, exporter, get_service
from ..importer import ImportLimits
from ..schemas import RecordSchema
from ..uploads import save_upload
from . import auth
from .api_citations import access_date, case_links, citation_formats
from .apischemas import (
    AUTH_ERRORS,
    BEARER,
    EXPORT_FILE,
    EXPORT_HEADERS,
    UPLOAD_BODY,
    ExportArgsSchema,
    ImportArgsSchema,
    ImportReportSchema,
    documented_errors,
)
from .streaming import streamed

imports = Blueprint(
    "imports", __name__, url_prefix="/api/imports", description="Bulk import (administrators)."
)
auth.guard_writes(imports)


@imports.route("")
class Imports(MethodView):
    @imports.arguments(ImportArgsSchema, location="query", error_status_code=400)
    @imports.doc(requestBody=UPLOAD_BODY, security=[BEARER])
    @imports.response(
        200,
        ImportReportSchema,
        description=(
            "The import ran: the report (docs/contract.md section 7), also when records were "
            "rejected; with on_error=abort nothing was then written."
        ),
    )
    @documented_errors(
        imports,
        {
            400: (
                "No file, a bad parameter, a file that cannot be read in its format, or an "
                "import that ran past the server's time limit (IMPORT_TIMEOUT_S; nothing "
                "written)."
            ),
            **AUTH_ERRORS,
            413: "The file is larger than the server accepts (MAX_CONTENT_LENGTH).",
        },
    )
    def post(self, options: dict[str, Any]) -> Any:
        """Import a file of cases

        Upsert by ref, in one transaction: new refs are created, changed records updated,
        identical ones left unchanged.
        """
        sent = request.files.get("file")
        if sent is None or not sent.filename:
            raise BadRequest("Send the import file as the multipart/form-data file field 'file'.")
        limits = ImportLimits.from_config(current_app.config, timed=True)
        with tempfile.TemporaryDirectory(prefix="casebase-import-") as folder:
            upload = save_upload(sent.stream, sent.filename, Path(folder))
            report = get_service(current_app).import_upload(
                upload, source="api", user=g.user, limits=limits, **options
            )
        return report.as_dict()


export = Blueprint(
    "export",
    __name__,
    url_prefix="/api/export",
    description="The matching cases as a file, in an import format.",
)


def _file_formats(*formats: str) -> Any:
    """Document the other export formats as alternative 200 answers of the same view."""

    def decorate(view: Any) -> Any:
        for fmt in formats:
            view = export.alt_response(
                200,
                schema=EXPORT_FILE,
                description=f"format={fmt}",
                success=True,
                content_type=exporter.content_type(fmt),
                headers=EXPORT_HEADERS,
            )(view)
        return view

    return decorate


@export.route("")
class Export(MethodView):
    @export.arguments(ExportArgsSchema, location="query", error_status_code=400)
    @export.response(
        200,
        {"type": "array", "items": RecordSchema},
        description="format=json",
        content_type=exporter.content_type("json"),
        headers=EXPORT_HEADERS,
    )
    @_file_formats("jsonl", "csv", "xlsx")
    @citation_formats(export, citations.FORMATS)
    @documented_errors(export, {400: "An unknown format, or a parameter that search rejects."})
    def get(self, args: dict[str, Any]) -> Response:
        """Export cases

        The cases matching q and the filters in the search's order (all cases, by ref, when
        nothing narrows or orders them), as CSV, JSON, JSON Lines or XLSX (what
        POST /api/imports reads back unchanged), or cited as BibTeX, RIS or CSL-JSON. The
        Link header names the data's licence (an XLSX workbook's description does too).
        """
        fmt, params = args["format"], args["search"]
        service = get_service(current_app)
        licence = current_app.config["DATA_LICENSE"]
        if fmt in citations.FORMATS:
            links, accessed = case_links(), access_date()
            body = streamed(lambda out: service.export_citations(params, fmt, out, links, accessed))
            content_type = citations.content_type(fmt)
            name = citations.filename("casebase-export", fmt)
        else:
            body = streamed(lambda out: service.export(params, fmt, out, licence.notice))
            content_type, name = exporter.content_type(fmt), exporter.export_filename(fmt)
        response = Response(body, content_type=content_type)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        response.headers["Link"] = licence.link_header
        return response


BLUEPRINTS = (imports, export)
