"""casebase: a searchable case database of Danish experimental urban-renewal projects."""

from __future__ import annotations

from typing import Any

from flask import Flask

from .config import load_config
from .services import Casebase


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The Flask application: configuration, then the service layer, then the web."""
    app = Flask(__name__)
    app.config.update(load_config(test_config))
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep docs/contract.md section 6's field order
    app.extensions["casebase"] = Casebase.from_config(app.config)

    from . import web

    web.init_app(app)
    return app


def get_service(app: Flask) -> Casebase:
    service: Casebase = app.extensions["casebase"]
    return service
