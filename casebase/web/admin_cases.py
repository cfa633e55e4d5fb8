"""The admin's case forms: create, edit and delete a case (docs/contract.md section 8).

The form's fields become a record in the import shape and go to the service, so the one
record schema decides what is valid; its messages are shown in the page's language by key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user  # type: ignore[import-untyped]  # no type hints

from .. import catalogue, vocabularies
from ..errors import Conflict, NotFound, StaleVersion, ValidationFailed
from ..numbers import parse_amount, parse_decimal, parse_whole_number
from ..vocabularies import AMOUNT_FIELDS, RECORD_FIELDS
from .admin import SOURCE, _service, admin_required, bp
from .i18n import t, translate_error

# Form layout: the fields of each kind.
TEXT_FIELDS = ("ref", "title", "summary", "description", "results", "contact_org")
NUMBER_FIELDS = ("start_year", "end_year", *AMOUNT_FIELDS, "latitude", "longitude")
VOCABULARY_FIELDS = tuple(f.field for f in catalogue.FACETS if f.multi and f.field != "regions")


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
    """The terms of each list field of the form (municipalities grouped by region)."""
    regions = [
        (region, [m for m in vocabularies.MUNICIPALITIES if m.region == region.key])
        for region in vocabularies.REGIONS
    ]
    choices: dict[str, Any] = {
        field: vocabularies.VOCABULARIES[catalogue.BY_FIELD[field].vocabulary]
        for field in VOCABULARY_FIELDS
        if field != "municipalities"
    }
    return {**choices, "regions": regions}


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
    data = _in_stored_order(form_to_record(request.form, request.form.getlist), ref)
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


def _in_stored_order(data: dict[str, Any], ref: str) -> dict[str, Any]:
    """The form lists ticked values in the vocabularies' order; the case keeps its own, so an
    edit changes only what was changed (its first municipality places it on the map): the
    values it had stay in its order, values ticked anew follow."""
    try:
        stored = _service().get_case(ref)
    except NotFound:
        return data  # replace_case answers for it
    for name in VOCABULARY_FIELDS:
        if name in data:
            had = [key for key in stored.get(name) or [] if key in data[name]]
            data[name] = had + [key for key in data[name] if key not in had]
    return data


def _version(text: str) -> int | None:
    return parse_whole_number(text)


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


@bp.post("/cases/<ref>/restore")
@admin_required
def restore_case(ref: str) -> ResponseReturnValue:
    """Restore a version from the case page's history (a deleted case: its last content)."""
    version = _version(request.form.get("version", ""))
    try:
        record = _service().restore_case(
            ref,
            version,
            current_user.name,
            source=SOURCE,
            expected_version=_version(request.form.get("current", "")),
        )
    except StaleVersion:
        flash(t("history.stale"), "error")
        return redirect(url_for("pages.case", ref=ref))
    except ValidationFailed as error:
        problems = [translate_error(m) for messages in error.errors.values() for m in messages]
        flash(t("history.invalid", problems=" ".join(problems)), "error")
        return redirect(url_for("pages.case", ref=ref))
    flash(t("history.restored", version=record["version"], title=record["title"]), "success")
    return redirect(url_for("pages.case", ref=ref) + "#history")
