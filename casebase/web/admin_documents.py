"""The admin's page of a case's documents: the list with delete buttons, and the upload form
(docs/contract.md section 13). The same service calls as the API; CSRF on every form."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user  # type: ignore[import-untyped]  # no type hints

from ..documents import KINDS
from ..errors import FileTooLarge, NotFound, UnsupportedFile, ValidationFailed
from .admin import _service, admin_required, bp
from .i18n import t, translate_error


@bp.route("/cases/<ref>/documents", methods=["GET", "POST"])
@admin_required
def case_documents(ref: str) -> ResponseReturnValue:
    service = _service()
    record = service.get_case(ref)
    if request.method == "POST":
        problem = _upload(ref)
        if problem is None:
            return redirect(url_for("admin.case_documents", ref=ref))
        flash(problem, "error")
    return render_template(
        "admin/documents.html",
        case=record,
        documents=service.documents.list(ref),
        kinds=KINDS,
        max_mb=service.documents.settings.max_bytes // (1024 * 1024),
    ), (200 if request.method == "GET" else 422)


def _upload(ref: str) -> str | None:
    """Add the form's document; the problem to show, or None when it was added."""
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        return t("documents.no_file")
    documents = _service().documents
    data = sent.stream.read(documents.settings.max_bytes + 1)
    fields = {name: request.form.get(name) for name in ("title", "kind", "year")}
    try:
        added = documents.add(ref, data, sent.filename, fields, current_user.name)
    except ValidationFailed as error:
        return " ".join(
            f"{name}: {translate_error(m)}" for name, ms in error.errors.items() for m in ms
        )
    except (UnsupportedFile, FileTooLarge) as error:
        return t("documents.refused", reason=str(error))
    flash(t("documents.added", title=added["title"]), "success")
    return None


@bp.route("/cases/<ref>/documents/<int:document_id>/delete", methods=["POST"])
@admin_required
def delete_document(ref: str, document_id: int) -> ResponseReturnValue:
    try:
        _service().documents.delete(ref, document_id, current_user.name)
    except NotFound:
        flash(t("documents.gone"), "error")
    else:
        flash(t("documents.deleted"), "success")
    return redirect(url_for("admin.case_documents", ref=ref))
