"""The admin's import: upload -> dry-run preview -> confirm or discard (docs/contract.md 8).

The uploaded file waits for the confirmation under instance/uploads/<token>/ (one per login
session, removed on confirmation, discard, logout or any failure; one left older than a day is
removed when the next upload starts).
"""

from __future__ import annotations

import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user  # type: ignore[import-untyped]  # no type hints
from marshmallow import ValidationError

from ..config import instance_dir
from ..errors import UnreadableFile
from ..importer import ImportLimits, ImportReport, ImportTimedOut
from ..readers import FORMATS
from ..uploads import Upload, save_upload
from .admin import SOURCE, _service, admin_required, bp
from .apischemas import ImportArgsSchema
from .i18n import t, translate_error

# Uploaded import files waiting for confirmation live in instance/uploads/<token>/.
UPLOAD_SUBDIR = "uploads"
UPLOAD_MAX_AGE_S = 24 * 3600
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
IMPORT_FORMATS = ("auto", *FORMATS)
SESSION_IMPORT = "pending_import"
IMPORT_OPTIONS = ImportArgsSchema()


def upload_root() -> Path:
    return Path(current_app.config.get("UPLOAD_DIR") or instance_dir() / UPLOAD_SUBDIR)


def _remove_old_uploads(root: Path) -> None:
    if not root.is_dir():
        return
    cutoff = time.time() - UPLOAD_MAX_AGE_S
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def _pending() -> tuple[str, Path, dict[str, str]] | None:
    """The upload waiting for confirmation in this session, if its file is still there."""
    pending = session.get(SESSION_IMPORT)
    if not isinstance(pending, dict):
        return None
    token = str(pending.get("token", ""))
    if not TOKEN_PATTERN.match(token):
        return None
    folder = upload_root() / token
    files = [p for p in folder.iterdir()] if folder.is_dir() else []
    return (token, files[0], pending) if files else None


def discard_upload() -> None:
    pending = session.pop(SESSION_IMPORT, None)
    if isinstance(pending, dict) and TOKEN_PATTERN.match(str(pending.get("token", ""))):
        shutil.rmtree(upload_root() / str(pending["token"]), ignore_errors=True)


def _options() -> dict[str, Any]:
    """The form's format and on_error, read as the API reads them (unknown values: defaults)."""
    chosen = {name: request.form.get(name, "") for name in ("format", "on_error")}
    try:
        return dict(IMPORT_OPTIONS.load(chosen))
    except ValidationError:
        return dict(IMPORT_OPTIONS.load({}))


def _report(report: ImportReport) -> dict[str, Any]:
    """The report with its messages in the page's language."""
    body = report.as_dict()
    body["errors"] = [
        {**error, "message": translate_error(error.get("message", ""))} for error in body["errors"]
    ]
    return body


def _import(upload: Upload, fmt: str, dry_run: bool, on_error: str) -> ImportReport:
    """An uploaded file through the import, within the web's limits."""
    limits = ImportLimits.from_config(current_app.config, timed=True)
    return _service().import_upload(
        upload, fmt, dry_run, on_error, SOURCE, current_user.name, limits
    )


def _import_failed(error: UnreadableFile | ImportTimedOut) -> ResponseReturnValue:
    """The upload form again, saying why the file was not imported."""
    if isinstance(error, ImportTimedOut):
        message = t("import.timed_out", seconds=f"{current_app.config['IMPORT_TIMEOUT_S']:g}")
    else:
        message = t("import.unreadable", message=error.message)
    return render_template("admin/import.html", formats=IMPORT_FORMATS, error=message), 400


@bp.route("/import", methods=["GET", "POST"])
@admin_required
def import_upload() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("admin/import.html", formats=IMPORT_FORMATS)
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        missing = t("import.no_file")
        return render_template("admin/import.html", formats=IMPORT_FORMATS, error=missing), 400
    discard_upload()
    root = upload_root()
    _remove_old_uploads(root)
    token = secrets.token_urlsafe(24)
    options = _options()
    try:
        upload = save_upload(sent.stream, sent.filename, root / token)
        report = _import(upload, options["fmt"], dry_run=True, on_error=options["on_error"])
    except Exception as error:
        shutil.rmtree(root / token, ignore_errors=True)  # only a previewed file waits
        if isinstance(error, UnreadableFile | ImportTimedOut):
            return _import_failed(error)
        raise
    session[SESSION_IMPORT] = {"token": token, "name": sent.filename, "format": options["fmt"]}
    return render_template(
        "admin/import_preview.html",
        report=_report(report),
        token=token,
        name=sent.filename,
        on_error=options["on_error"],
    )


def _pending_or_expired() -> tuple[str, Path, dict[str, str]] | None:
    pending = _pending()
    if pending is None or not secrets.compare_digest(pending[0], request.form.get("token", "")):
        return None
    return pending


@bp.post("/import/confirm")
@admin_required
def import_confirm() -> ResponseReturnValue:
    pending = _pending_or_expired()
    if pending is None:
        flash(t("import.expired"), "error")
        return redirect(url_for("admin.import_upload"))
    _, path, info = pending
    upload = Upload(path, info.get("name", path.name))
    try:
        fmt, on_error = info.get("format", "auto"), _options()["on_error"]
        report = _import(upload, fmt, dry_run=False, on_error=on_error)
    except (UnreadableFile, ImportTimedOut) as error:
        return _import_failed(error)
    finally:
        discard_upload()
    return render_template(
        "admin/import_result.html",
        report=_report(report),
        aborted=report.aborted,
        name=upload.name,
    )


@bp.post("/import/discard")
@admin_required
def import_discard() -> ResponseReturnValue:
    discard_upload()
    flash(t("import.discarded"), "info")
    return redirect(url_for("admin.import_upload"))
