"""Snippets: an HTML-safe excerpt of the best-matching field with its matched words marked."""

from __future__ import annotations

import html
from typing import Any

from whoosh import query

from .analysis import word_spans
from .query import positive_leaves

SNIPPET_FIELDS = ("summary", "description", "results", "title")  # preference on ties
SNIPPET_CHARS = 240
SNIPPET_CONTEXT = 60  # characters shown before the first mark
SNIPPET_SCAN_CHARS = 20_000  # only the start of a very long text is searched for matches


def data_snippet(data: dict[str, Any]) -> str:
    """The start of a case's summary (else description), for results without a q."""
    return plain_snippet(str(data.get("summary") or data.get("description") or ""))


def best_snippet(data: dict[str, Any], terms: dict[str, frozenset[str]]) -> str:
    """An escaped excerpt of the best-matching field, with its matched words in <mark>."""
    best: tuple[int, str, list] | None = None
    for name in SNIPPET_FIELDS:
        text = str(data.get(name) or "")
        spans = matched_spans(text, terms.get(name, frozenset())) if text else []
        distinct = len({t for _, _, t in spans})
        if spans and (best is None or distinct > best[0]):
            best = (distinct, text, spans)
    return data_snippet(data) if best is None else marked_snippet(best[1], best[2])


def terms_by_field(q: query.Query) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    leaf: Any
    for leaf in positive_leaves(q):
        words = leaf.words if isinstance(leaf, query.Phrase) else [leaf.text]
        found.setdefault(leaf.fieldname, set()).update(str(w) for w in words)
    return {name: frozenset(words) for name, words in found.items()}


def plain_snippet(text: str) -> str:
    """The escaped start of a text, cut at a word."""
    text = " ".join(text.split())
    if len(text) <= SNIPPET_CHARS:
        return html.escape(text)
    cut = text.rfind(" ", 0, SNIPPET_CHARS)
    return html.escape(text[: cut if cut > SNIPPET_CHARS // 2 else SNIPPET_CHARS]) + " …"


def matched_spans(text: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) of each word of the text whose indexed term is one of `terms`."""
    return [(s, e, t) for s, e, t in word_spans(text[:SNIPPET_SCAN_CHARS]) if t in terms]


def marked_snippet(text: str, spans: list[tuple[int, int, str]]) -> str:
    """The SNIPPET_CHARS-long stretch with the most distinct matches, escaped, matches marked."""
    best_start, best_count = spans[0][0], 0
    for start, _, _ in spans[:50]:
        inside = {t for s, e, t in spans if s >= start and e <= start + SNIPPET_CHARS}
        if len(inside) > best_count:
            best_start, best_count = start, len(inside)
    # Context before the first match, but no wasted room at the end of a short text.
    start = max(0, min(best_start - SNIPPET_CONTEXT, len(text) - SNIPPET_CHARS))
    if start > 0:
        space = text.find(" ", start, best_start)
        start = space + 1 if space >= 0 else best_start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", max(best_start + 1, start + SNIPPET_CHARS // 2), end)
        end = space if space > 0 else end
    pieces, position = [], start
    for s, e, _ in spans:
        if s >= position and e <= end:
            pieces += [html.escape(text[position:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
            position = e
    pieces.append(html.escape(text[position:end]))
    body = " ".join("".join(pieces).split())
    return ("… " if start > 0 else "") + body + (" …" if end < len(text) else "")
