"""Snippets: an HTML-safe excerpt of the best-matching field with its matched words marked.

A word found inside a compound marks the whole compound ("<mark>byfornyelsesloven</mark>"
for "fornyelse"); the compounds marked are collected, so the answer can say what else was
searched for.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from whoosh import query

from ..vocabularies import fold_aa
from .analysis import WORD_PATTERN, index_term
from .compounds import Splitter, splitter
from .query import positive_leaves
from .schema import PARTS_FIELD

SNIPPET_FIELDS = ("summary", "description", "results", "title")  # preference on ties
SNIPPET_CHARS = 240
SNIPPET_CONTEXT = 60  # characters shown before the first mark
SNIPPET_SCAN_CHARS = 20_000  # only the start of a very long text is searched for matches


@dataclass
class Marking:
    """How compounds are marked: the splitter that split the indexed texts, and the compounds
    marked so far, per part's term (for the answer's `expanded`)."""

    split: Splitter = field(default_factory=splitter)
    compounds: dict[str, list[str]] = field(default_factory=dict)


def data_snippet(data: dict[str, Any]) -> str:
    """The start of a case's summary (else description), for results without a q."""
    return plain_snippet(str(data.get("summary") or data.get("description") or ""))


def best_snippet(
    data: dict[str, Any],
    terms: dict[str, frozenset[str]],
    marking: Marking | None = None,
) -> str:
    """An escaped excerpt of the best-matching field, with its matched words in <mark>.

    `marking.compounds` collects, per part's term, the compounds marked for it.
    """
    marking = marking or Marking()
    best: tuple[int, str, list] | None = None
    parts = terms.get(PARTS_FIELD, frozenset())
    for name in SNIPPET_FIELDS:
        text = str(data.get(name) or "")
        spans = (
            matched_spans(text, terms.get(name, frozenset()), parts, marking.split) if text else []
        )
        distinct = len({t for _, _, t in spans})
        if spans and (best is None or distinct > best[0]):
            best = (distinct, text, spans)
    if best is None:
        return data_snippet(data)
    _collect(best[1], best[2], marking.compounds)
    return marked_snippet(best[1], best[2])


def _collect(text: str, spans: list[tuple[int, int, str]], out: dict[str, list[str]]) -> None:
    """The compounds among the marked words (a word marked for a part's term), by term."""
    for start, end, term in spans:
        word = text[start:end].lower()
        if index_term(word) != term and word not in out.setdefault(term, []):
            out[term].append(word)


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


def matched_spans(
    text: str,
    terms: frozenset[str],
    parts: frozenset[str] = frozenset(),
    split: Splitter | None = None,
) -> list[tuple[int, int, str]]:
    """(start, end, term) of each word of the text whose indexed term is one of `terms`, or
    that is a compound with a part whose term is one of `parts`."""
    text = text[:SNIPPET_SCAN_CHARS]
    whole = fold_aa(text.lower())  # holds each word's folded form: no word, no need to look
    if not any(term in whole for term in terms) and not any(part in whole for part in parts):
        return []
    found = []
    split = split or splitter()
    prefixes = tuple(terms)  # a word's term begins its folded form (analysis.term_spans)
    for match in WORD_PATTERN.finditer(text):
        word = match.group()
        folded = fold_aa(word.lower())
        if prefixes and folded.startswith(prefixes) and (term := index_term(word)) in terms:
            found.append((match.start(), match.end(), term))
        elif parts and any(part in folded for part in parts) and index_term(word) is not None:
            part = _part_of(folded, parts, split)
            if part is not None:
                found.append((match.start(), match.end(), part))
    return found


def _part_of(word: str, parts: frozenset[str], split: Splitter) -> str | None:
    """The first of `parts` that is the term of one of the word's compound parts."""
    if len(word) < 4 or not any(part in word for part in parts):
        return None  # a part's term (a stem) is written inside the word; else no split needed
    for span in split.spans(word):
        term = index_term(span)
        if term in parts:
            return term
    return None


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


DOCUMENTS_FIELD = "documents"
DOCUMENT_WINDOW = 2_000  # characters read around a candidate match in a document's text
DOCUMENT_TRIES = 20  # candidate places tried per document


def document_matches(
    data: dict[str, Any], terms: dict[str, frozenset[str]], marking: Marking | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """The case's documents holding a matched word ({"id", "title"}), and an escaped excerpt
    of the first of them with its matches marked (None when none holds one)."""
    wanted = terms.get(DOCUMENTS_FIELD, frozenset())
    documents = data.get(DOCUMENTS_FIELD) or []
    if not wanted or not documents:
        return [], None
    split = (marking or Marking()).split
    found: list[dict[str, Any]] = []
    snippet: str | None = None
    for document in documents:
        excerpt = _document_excerpt(str(document.get("text") or ""), wanted, split)
        if excerpt is not None:
            found.append({"id": document["id"], "title": document["title"]})
            snippet = snippet or excerpt
    return found, snippet


def _document_excerpt(text: str, terms: frozenset[str], split: Splitter) -> str | None:
    """A marked excerpt around the first place in a long text where a term's word is.

    A stem is (nearly always) written at the start of its words, so the text is searched for
    it as a string first and only a window around each candidate is analysed."""
    lower = text.lower()
    candidates = sorted(
        position
        for term in terms
        for position in _positions(lower, term.replace("å", "aa"), DOCUMENT_TRIES)
        + _positions(lower, term, DOCUMENT_TRIES)
    )[:DOCUMENT_TRIES]
    for position in candidates or [0]:
        start = max(0, text.rfind(" ", 0, max(position - SNIPPET_CONTEXT, 0)) + 1)
        window = text[start : position + DOCUMENT_WINDOW]
        spans = matched_spans(window, terms, frozenset(), split)
        if spans:
            excerpt = marked_snippet(window, spans)
            return excerpt if start == 0 or excerpt.startswith("…") else "… " + excerpt
    return None


def _positions(text: str, needle: str, limit: int) -> list[int]:
    found: list[int] = []
    position = text.find(needle)
    while position >= 0 and len(found) < limit:
        found.append(position)
        position = text.find(needle, position + 1)
    return found
