"""The admin's thesaurus page: edit the groups of equivalent terms, or replace them by a file.

Every change replaces the whole thesaurus through the service, which checks it in full with
the thesaurus schema first: a problem is shown at its group, and nothing changes.
"""

from __future__ import annotations

import json
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user  # type: ignore[import-untyped]  # no type hints
from werkzeug.datastructures import MultiDict

from ..errors import StaleVersion, ValidationFailed
from ..numbers import parse_whole_number
from .admin import _service, admin_required, bp
from .i18n import t, translate_error

TERM_SEPARATOR = "|"
NEW_ROWS = 3  # empty groups offered for adding
MAX_FILE_BYTES = 5 * 1024 * 1024


def _rows(groups: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The groups as the form's rows (terms joined by |), and NEW_ROWS empty ones."""
    rows = [
        {
            "terms": f" {TERM_SEPARATOR} ".join(group.get("terms") or []),
            "note": group.get("note") or "",
            "source_title": (group.get("source") or {}).get("title") or "",
            "source_publisher": (group.get("source") or {}).get("publisher") or "",
            "source_url": (group.get("source") or {}).get("url") or "",
        }
        for group in groups
    ]
    return rows + [dict.fromkeys(rows[0] if rows else _EMPTY, "") for _ in range(NEW_ROWS)]


_EMPTY = {"terms": "", "note": "", "source_title": "", "source_publisher": "", "source_url": ""}


def form_to_document(form: MultiDict[str, str], about: str | None) -> dict[str, Any]:
    """The form's rows as a thesaurus document: empty and deleted rows left out."""
    groups = []
    for i in range(int(form.get("rows", "0") or 0)):

        def value(name: str, i: int = i) -> str:
            return form.get(f"group-{i}-{name}", "").strip()

        if form.get(f"group-{i}-delete") or not value("terms"):
            continue
        terms = [term.strip() for term in value("terms").split(TERM_SEPARATOR) if term.strip()]
        source = {
            "title": value("source_title"),
            "publisher": value("source_publisher") or None,
            "url": value("source_url") or None,
        }
        groups.append({"terms": terms, "note": value("note") or None, "source": source})
    return {"about": about, "groups": groups}


def _page(
    rows: list[dict[str, str]],
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
    based_on: str | None = None,
) -> ResponseReturnValue:
    """The page; `based_on` is the version the submitted rows were edited from."""
    current = _service().thesaurus()["version"]
    shown = [translate_error(m) for messages in (errors or {}).values() for m in messages]
    return render_template(
        "admin/thesaurus.html",
        rows=rows,
        errors=shown,
        version=current,
        based_on=based_on if based_on is not None else current,
    ), status


@bp.route("/thesaurus", methods=["GET", "POST"])
@admin_required
def thesaurus() -> ResponseReturnValue:
    if request.method == "GET":
        return _page(_rows(_service().thesaurus()["groups"]))
    document = form_to_document(request.form, _service().thesaurus().get("about"))
    based_on = request.form.get("version", "")
    return _replace(document, _submitted_rows(), based_on)


@bp.post("/thesaurus/upload")
@admin_required
def thesaurus_upload() -> ResponseReturnValue:
    sent = request.files.get("file")
    current = _rows(_service().thesaurus()["groups"])
    if sent is None or not sent.filename:
        return _page(current, {"file": [t("import.no_file")]}, 400)
    try:
        raw = json.loads(sent.stream.read(MAX_FILE_BYTES + 1)[:MAX_FILE_BYTES] or b"null")
    except (ValueError, RecursionError) as error:
        return _page(current, {"file": [t("thesaurus.not_json", problem=str(error))]}, 400)
    return _replace(raw, current)


def _replace(raw: Any, rows: list[dict[str, str]], based_on: str = "") -> ResponseReturnValue:
    """Replace the thesaurus; an edit of the rows fails when another saved first."""
    expected = parse_whole_number(based_on) if based_on else None
    try:
        version = _service().replace_thesaurus(raw, current_user.name, expected)
    except ValidationFailed as error:
        return _page(rows, error.errors, 422, based_on=based_on or None)
    except StaleVersion:
        stale = {"version": [t("thesaurus.stale")]}
        return _page(rows, stale, 409, based_on=based_on)
    flash(t("thesaurus.saved", version=version), "success")
    return redirect(url_for("admin.thesaurus"))


def _submitted_rows() -> list[dict[str, str]]:
    return [
        {name: request.form.get(f"group-{i}-{name}", "") for name in _EMPTY}
        for i in range(int(request.form.get("rows", "0") or 0))
    ]
