"""The web layer: JSON API, pages and admin; each part hooks itself in with init_app."""

from __future__ import annotations

from flask import Flask

from . import admin, api_documents, apidocs, errors, limiter, opendata, pages, security
from .requestlog import RequestLog


def init_app(app: Flask) -> None:
    app.wsgi_app = RequestLog(app.wsgi_app)  # type: ignore[method-assign]  # WSGI middleware
    errors.init_app(app)
    limiter.init_app(app)
    apidocs.init_app(app)
    app.register_blueprint(api_documents.downloads)
    pages.init_app(app)
    opendata.init_app(app)
    admin.init_app(app)
    security.init_app(app)
