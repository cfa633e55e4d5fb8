"""The admin pages: login, import with a dry-run preview, create/edit/delete cases, changes.

Every write goes through the service layer, so the one record schema (schemas.py) decides
what is valid; this module only turns form fields into a record dict and back.
"""

from __future__ import annotations

import re
import secrets
import shutil
import time
from collections.abc import Callable, Mapping
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import (  # type: ignore[import-untyped]  # flask-login has no type hints
    LoginManager,
    UserMixin,
    current_user,
    login_user,
    logout_user,
)
from werkzeug.utils import secure_filename

from .. import get_service, vocabularies
from ..config import instance_dir
from ..errors import (
    Conflict,
    NotFound,
    StaleVersion,
    TooManyAttempts,
    UnreadableFile,
    ValidationFailed,
)
from ..importer import ON_ERROR_CHOICES, ImportLimits, ImportReport, ImportTimedOut
from ..numbers import parse_amount, parse_decimal
from ..readers import FORMATS
from ..services import Casebase
from ..vocabularies import AMOUNT_FIELDS, RECORD_FIELDS
from . import limiter
from .i18n import t, translate_error
from .pages import error_page, register_error_pages

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
login_manager = LoginManager()

SOURCE = "admin"
SESSION_GENERATION = "generation"  # the user's session generation when this session logged in
# Uploaded import files waiting for confirmation live in instance/uploads/<token>/.
UPLOAD_SUBDIR = "uploads"
UPLOAD_MAX_AGE_S = 24 * 3600
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
IMPORT_FORMATS = ("auto", *FORMATS)
SESSION_IMPORT = "pending_import"
RECENT_CHANGES = 50
FIND_LIMIT = "50"
# Form layout: (section message key, field names).
TEXT_FIELDS = ("ref", "title", "summary", "description", "results", "contact_org")
NUMBER_FIELDS = ("start_year", "end_year", *AMOUNT_FIELDS, "latitude", "longitude")
VOCABULARY_FIELDS = ("collaboration_forms", "actors", "themes", "municipalities")
LINE_FIELDS = ("funders", "links")

View = TypeVar("View", bound=Callable[..., ResponseReturnValue])


class AdminUser(UserMixin):
    """A logged-in user: the name is the id kept in the session."""

    def __init__(self, name: str, is_admin: bool) -> None:
        self.id = name
        self.name = name
        self.is_admin = is_admin


@login_manager.user_loader
def _load_user(name: str) -> AdminUser | None:
    """The session's user, unless its sessions were ended (logout, password change) since."""
    found = get_service(current_app).find_user(name)
    if found is None or session.get(SESSION_GENERATION) != found.session_generation:
        return None
    return AdminUser(found.name, found.is_admin)


def admin_required(view: View) -> View:
    """Only a logged-in admin may go on; others are sent to the login or told they may not."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if not current_user.is_authenticated:
            flash(t("admin.login_required"), "info")
            return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
        if not current_user.is_admin:
            return error_page(403, t("admin.not_admin", name=current_user.name))
        return view(*args, **kwargs)

    return cast(View, wrapped)


def _service() -> Casebase:
    return get_service(current_app)


# --- login ---------------------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    """Only a path on this site, else the admin start page.

    Browsers drop tabs and newlines from URLs and read a backslash as a slash, so
    `/\t/evil.example` would leave the site: anything but printable characters is refused.
    """
    if not target or not target.isprintable() or any(c.isspace() for c in target):
        return url_for("admin.index")
    parts = urlsplit(target.replace("\\", "/"))
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return url_for("admin.index")
    if parts.path.startswith("//"):
        return url_for("admin.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated and current_user.is_admin and request.method == "GET":
        return redirect(url_for("admin.index"))
    if request.method == "GET":
        return render_template("admin/login.html", name="", next=request.args.get("next", ""))
    name = request.form.get("name", "").strip()
    target = request.form.get("next", "")
    try:
        limiter.check_login_allowed(name)
    except TooManyAttempts as error:
        page = render_template(
            "admin/login.html", name=name, next=target, error=t("admin.login_throttled")
        )
        return page, 429, {"Retry-After": str(error.retry_after)}
    found = _service().authenticate(name, request.form.get("password", ""))
    if found is None:
        limiter.login_failed(name)
        return render_template(
            "admin/login.html", name=name, next=target, error=t("admin.login_failed")
        ), 401
    if not found.is_admin:
        response = make_response(
            render_template(
                "admin/login.html", name=name, next=target, error=t("admin.not_admin", name=name)
            ),
            403,
        )
        limiter.login_succeeded(found.name, response)
        return response
    session.clear()  # a fresh session for the new login (no fixation)
    session[SESSION_GENERATION] = found.session_generation
    login_user(AdminUser(found.name, True))
    flash(t("admin.welcome", name=found.name), "success")
    redirected = redirect(_safe_next(target))
    limiter.login_succeeded(found.name, redirected)
    return redirected


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Log out, which ends every session of this user (a copied cookie stops working too)."""
    _discard_upload()
    if current_user.is_authenticated:
        _service().end_sessions(current_user.name)
    logout_user()
    session.clear()
    flash(t("admin.logged_out"), "info")
    return redirect(url_for("admin.login"))


# --- start page: tasks, finding a case, recent changes -------------------------------------


@bp.get("")
@admin_required
def index() -> ResponseReturnValue:
    q = request.args.get("q", "").strip()
    found = None
    if q:
        found = _service().search_args({"q": [q], "per_page": [FIND_LIMIT]})["results"]
    return render_template(
        "admin/index.html", q=q, found=found, changes=_service().recent_changes(RECENT_CHANGES)
    )


# --- the case form -------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _link(line: str) -> dict[str, str]:
    """'title | url' or just 'url'."""
    title, bar, url = line.rpartition("|")
    if not bar:
        return {"url": line.strip()}
    return {"title": title.strip(), "url": url.strip()}


def _number(name: str, text: str) -> Any:
    """Forgive what people type: 1.250.000 kr. and 56,15 (the schema still decides)."""
    text = text.strip()
    if name in ("latitude", "longitude"):
        return parse_decimal(text)
    return parse_amount(text)


def form_to_record(form: Mapping[str, Any], getlist: Callable[[str], list[str]]) -> dict:
    """The form's fields as a record in the import shape (blank fields left out)."""
    record: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        record[name] = str(form.get(name, ""))
    for name in NUMBER_FIELDS:
        record[name] = _number(name, str(form.get(name, "")))
    for name in VOCABULARY_FIELDS:
        record[name] = [value for value in getlist(name) if value]
    record["status"] = str(form.get("status", ""))
    record["funders"] = _lines(str(form.get("funders", "")))
    record["links"] = [_link(line) for line in _lines(str(form.get("links", "")))]
    return {name: value for name, value in record.items() if value not in ("", None)}


def record_to_form(record: Mapping[str, Any]) -> dict[str, Any]:
    """A stored record as the form's field values."""
    values: dict[str, Any] = {}
    for name in RECORD_FIELDS:
        value = record.get(name)
        if name in VOCABULARY_FIELDS:
            values[name] = list(value or [])
        elif name == "funders":
            values[name] = "\n".join(value or [])
        elif name == "links":
            values[name] = "\n".join(
                f"{link['title']} | {link['url']}"
                if link.get("title") and link["title"] != link["url"]
                else link["url"]
                for link in value or []
            )
        else:
            values[name] = "" if value is None else str(value)
    return values


def _submitted_values() -> dict[str, Any]:
    values: dict[str, Any] = {name: request.form.get(name, "") for name in RECORD_FIELDS}
    for name in VOCABULARY_FIELDS:
        values[name] = request.form.getlist(name)
    return values


def _render_form(
    values: Mapping[str, Any],
    ref: str | None = None,
    version: str = "",
    errors: Mapping[str, list[str]] | None = None,
    message: str | None = None,
    stale: bool = False,
    status: int = 200,
) -> ResponseReturnValue:
    translated = {
        field: [translate_error(m) for m in messages] for field, messages in (errors or {}).items()
    }
    return render_template(
        "admin/case_form.html",
        values=values,
        ref=ref,
        version=version,
        errors=translated,
        message=message,
        stale=stale,
        vocabularies=_form_vocabularies(),
        statuses=vocabularies.STATUSES,
    ), status


def _form_vocabularies() -> dict[str, Any]:
    regions = [
        (region, [m for m in vocabularies.MUNICIPALITIES if m.region == region.key])
        for region in vocabularies.REGIONS
    ]
    return {
        "collaboration_forms": vocabularies.COLLABORATION_FORMS,
        "actors": vocabularies.ACTORS,
        "themes": vocabularies.THEMES,
        "regions": regions,
    }


@bp.route("/cases/new", methods=["GET", "POST"])
@admin_required
def new_case() -> ResponseReturnValue:
    if request.method == "GET":
        return _render_form(record_to_form({}))
    data = form_to_record(request.form, request.form.getlist)
    try:
        record = _service().create_case(data, current_user.name, source=SOURCE)
    except ValidationFailed as error:
        return _render_form(
            _submitted_values(), errors=error.errors, message=t("form.errors"), status=422
        )
    except Conflict:
        return _render_form(
            _submitted_values(),
            errors={"ref": [t("form.conflict")]},
            message=t("form.errors"),
            status=409,
        )
    flash(t("form.created", title=record["title"]), "success")
    return redirect(url_for("pages.case", ref=record["ref"]))


@bp.route("/cases/<ref>/edit", methods=["GET", "POST"])
@admin_required
def edit_case(ref: str) -> ResponseReturnValue:
    if request.method == "GET":
        record = _service().get_case(ref)
        return _render_form(record_to_form(record), ref=ref, version=str(record["version"]))
    version = request.form.get("version", "")
    data = form_to_record(request.form, request.form.getlist)
    try:
        record = _service().replace_case(
            ref, data, current_user.name, source=SOURCE, expected_version=_version(version)
        )
    except ValidationFailed as error:
        return _render_form(
            {**_submitted_values(), "ref": ref},
            ref=ref,
            version=version,
            errors=error.errors,
            message=t("form.errors"),
            status=422,
        )
    except StaleVersion:
        current = _service().get_case(ref)["version"]
        return _render_form(
            {**_submitted_values(), "ref": ref},
            ref=ref,
            version=version,
            message=t("form.stale", version=current),
            stale=True,
            status=409,
        )
    flash(t("form.saved", title=record["title"]), "success")
    return redirect(url_for("pages.case", ref=ref))


def _version(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


@bp.route("/cases/<ref>/delete", methods=["GET", "POST"])
@admin_required
def delete_case(ref: str) -> ResponseReturnValue:
    record = _service().get_case(ref)
    if request.method == "GET":
        return render_template("admin/delete.html", case=record)
    try:
        _service().delete_case(
            ref,
            current_user.name,
            source=SOURCE,
            expected_version=_version(request.form.get("version", "")),
        )
    except StaleVersion:
        current = _service().get_case(ref)
        return render_template(
            "admin/delete.html", case=current, error=t("form.stale", version=current["version"])
        ), 409
    flash(t("delete.done", ref=ref), "success")
    return redirect(url_for("admin.index"))


# --- import: upload -> dry-run preview -> confirm or discard -------------------------------


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


def _discard_upload() -> None:
    pending = session.pop(SESSION_IMPORT, None)
    if isinstance(pending, dict) and TOKEN_PATTERN.match(str(pending.get("token", ""))):
        shutil.rmtree(upload_root() / str(pending["token"]), ignore_errors=True)


def _choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = request.form.get(name, default)
    return value if value in choices else default


def _report(report: Any) -> dict[str, Any]:
    body = report.as_dict()
    body["errors"] = [
        {
            **{k: v for k, v in error.items() if k != "file"},
            "message": translate_error(str(error.get("message", ""))),
        }
        for error in body["errors"]
    ]
    return body


def _import(path: Path, name: str, fmt: str, dry_run: bool, on_error: str) -> ImportReport:
    """Import an uploaded file within the web's limits; messages name it as it was uploaded."""
    limits = ImportLimits.from_config(current_app.config, timed=True)
    try:
        return _service().import_files(
            [path], fmt, dry_run, on_error, SOURCE, current_user.name, limits=limits
        )
    except UnreadableFile as error:
        raise UnreadableFile(error.message.replace(str(path), name)) from None


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
    formats = IMPORT_FORMATS
    if request.method == "GET":
        return render_template("admin/import.html", formats=formats)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("admin/import.html", formats=formats, error=t("import.no_file")), 400
    _discard_upload()
    root = upload_root()
    _remove_old_uploads(root)
    token = secrets.token_urlsafe(24)
    name = secure_filename(upload.filename) or "upload" + Path(upload.filename).suffix.lower()
    path = root / token / name
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = _choice("format", formats, "auto")
    on_error = _choice("on_error", ON_ERROR_CHOICES, "abort")
    try:
        upload.save(path)
        report = _import(path, upload.filename, fmt, dry_run=True, on_error=on_error)
    except Exception as error:
        shutil.rmtree(path.parent, ignore_errors=True)  # only a previewed file waits
        if isinstance(error, UnreadableFile | ImportTimedOut):
            return _import_failed(error)
        raise
    session[SESSION_IMPORT] = {"token": token, "name": upload.filename, "format": fmt}
    return render_template(
        "admin/import_preview.html",
        report=_report(report),
        token=token,
        name=upload.filename,
        on_error=on_error,
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
    on_error = _choice("on_error", ON_ERROR_CHOICES, "abort")
    try:
        name = info.get("name", path.name)
        report = _import(path, name, info.get("format", "auto"), dry_run=False, on_error=on_error)
    except (UnreadableFile, ImportTimedOut) as error:
        return _import_failed(error)
    finally:
        _discard_upload()
    return render_template(
        "admin/import_result.html",
        report=_report(report),
        aborted=report.aborted,
        name=info.get("name", path.name),
    )


@bp.post("/import/discard")
@admin_required
def import_discard() -> ResponseReturnValue:
    _discard_upload()
    flash(t("import.discarded"), "info")
    return redirect(url_for("admin.import_upload"))


register_error_pages(bp)


def _not_found(error: NotFound) -> ResponseReturnValue:
    return render_template(
        "not_found.html", ref=request.view_args.get("ref") if request.view_args else None
    ), 404


bp.register_error_handler(NotFound, _not_found)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.register_blueprint(bp)
