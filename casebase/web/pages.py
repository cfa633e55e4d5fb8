"""The public pages (docs/contract.md section 8): the search page and the case page.

This module holds their blueprint; each page is a module of its own (search_page.py,
case_page.py), and their errors are pages too (web/errors.py).
"""

from __future__ import annotations

import re

from flask import Blueprint, Flask

from . import i18n

bp = Blueprint(
    "pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)


@bp.app_template_filter("paragraphs")
def paragraphs(text: str | None) -> list[str]:
    """A text's paragraphs (split at blank lines), for <p> elements."""
    return [part.strip() for part in re.split(r"\n\s*\n", text or "") if part.strip()]


def init_app(app: Flask) -> None:
    from . import (  # noqa: F401  # their views join the blueprint
        case_page,
        compare_page,
        forms_page,
        map_page,
        search_page,
    )

    forms_page.init_app(app)

    i18n.init_app(app)
    app.register_blueprint(bp)
