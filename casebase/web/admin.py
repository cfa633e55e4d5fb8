"""The admin pages (docs/contract.md section 8): login, the start page, and their blueprint.

The case forms (admin_cases.py) and the import with its dry-run preview (admin_import.py) are
modules of their own on the same blueprint. Every write goes through the service layer, so the
one record schema decides what is valid; errors are pages (web/errors.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
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

from .. import get_service
from ..engine import SearchParams
from ..errors import TooManyAttempts
from ..services import Casebase
from . import limiter
from .errors import error_page
from .i18n import t

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
login_manager = LoginManager()

SOURCE = "admin"
SESSION_GENERATION = "generation"  # the user's session generation when this session logged in
RECENT_CHANGES = 50
FIND_LIMIT = 50

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
    from .admin_import import discard_upload

    discard_upload()
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
        found = _service().search(SearchParams(q=q, per_page=FIND_LIMIT)).results
    return render_template(
        "admin/index.html", q=q, found=found, changes=_service().recent_changes(RECENT_CHANGES)
    )


def init_app(app: Flask) -> None:
    from . import admin_cases, admin_documents, admin_import, admin_thesaurus  # noqa: F401  # their views join

    login_manager.init_app(app)
    app.register_blueprint(bp)
