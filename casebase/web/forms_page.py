"""The page /samarbejdsformer: what each collaboration form means, with its source, its count
of cases and a link to its search (docs/contract.md section 13); `form_definition` for the
search page's facet."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, render_template, url_for

from .. import get_service, vocabularies
from .i18n import current_language, format_number, t
from .pages import bp


def form_definition(key: str) -> str | None:
    """A collaboration form's definition in the page's language."""
    definition = vocabularies.form_definitions().get(key)
    if definition is None:
        return None
    return str(definition["description_en" if current_language() == "en" else "description_da"])


@bp.route("/samarbejdsformer")
def collaboration_forms() -> str:
    service = get_service(current_app)
    result = service.search(service.parse_search({}))
    counts = {str(b.value): b.count for b in result.facets.get("collaboration_form", [])}
    lang = current_language()
    forms: list[dict[str, Any]] = []
    for term in vocabularies.COLLABORATION_FORMS:
        definition = vocabularies.form_definitions()[term.key]
        forms.append(
            {
                "key": term.key,
                "label": term.label(lang),
                "other_label": term.label("da" if lang == "en" else "en"),
                "description": form_definition(term.key),
                "source": definition["source"],
                "count": format_number(counts.get(term.key, 0), lang),
                "href": url_for("pages.search", collaboration_form=term.key),
                "search_text": t("forms.search", label=term.label(lang)),
            }
        )
    return render_template("collaboration_forms.html", forms=forms)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["form_definition"] = form_definition
