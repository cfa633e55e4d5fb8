"""The JSON API (SPEC section 6)."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from .. import get_service

bp = Blueprint("api", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    get_service(current_app).healthy()
    return jsonify({"status": "ok"})


@bp.get("/api/cases")
def search_cases() -> Response:
    return jsonify(get_service(current_app).search_args(request.args.to_dict(flat=False)))


@bp.get("/api/cases/<ref>")
def get_case(ref: str) -> Response:
    return jsonify(get_service(current_app).get_case(ref))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
