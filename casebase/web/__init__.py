"""The web layer: JSON API, pages and admin; each part hooks itself in with init_app."""

from __future__ import annotations

from flask import Flask

from . import admin, api_documents, apidocs, errors, limiter, pages, security


def init_app(app: Flask) -> None:
    errors.init_app(app)
    limiter.init_app(app)
    apidocs.init_app(app)
    app.register_blueprint(api_documents.downloads)
    pages.init_app(app)
    admin.init_app(app)
    security.init_app(app)
