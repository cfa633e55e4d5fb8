"""Similar cases: shared telling words, plus a bonus for each shared facet value; each says why.

Each facet's bonus is its `similar_weight` in the catalogue. A similar case's `why` names the
keys it shares of those facets and the case's telling words it holds, as the case writes
them, the words adding most to its score first.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import numpy as np
from whoosh import query

from .. import catalogue
from ..errors import NotFound
from .analysis import word_spans
from .columns import FACET_BASE, FACET_VALUES, VALUE_COUNT, Columns
from .evaluate import Evaluator
from .generations import CaseIndex
from .query import FIELD_BOOSTS, QUERY_FIELDS
from .results import Hit, SimilarHit, Why
from .snapshot import Snapshot
from .snippets import data_snippet
from .sorting import ordered_docs, sort_keys

SIMILAR_TERMS = 15  # the case's most telling words that make its text query
TEXT_FIELDS = ("title", "summary", "description", "results")
# The facets whose shared values count, by their record field (Why names them so).
SIMILAR_FACETS = tuple(facet for facet in catalogue.FACETS if facet.similar_weight)


def similar(index: CaseIndex, ref: str, limit: int = 5) -> list[SimilarHit]:
    """The cases most like a case (never itself), in search-result shape, each with its why."""
    with index.snapshot() as snap:
        doc = None if snap is None else snap.columns.doc_of_ref.get(ref)
        if snap is None or doc is None:
            raise NotFound(f"No case with ref '{ref}'.")
        limit = max(0, min(int(limit), catalogue.MAX_PER_PAGE))
        cols = snap.columns
        data = snap.searcher.stored_fields(doc)["data"]
        key_terms = _key_terms(snap, data)
        scores = _text_similarity(snap, key_terms) + _facet_similarity(cols, doc)
        candidates = np.flatnonzero((scores > 0) & cols.live)
        candidates = candidates[candidates != doc]
        ordered = ordered_docs(candidates, sort_keys(cols, candidates, "relevance", scores), limit)
        words = _shared_words(snap, key_terms, ordered)
        written = _written_forms(data)
        hits = []
        for other in ordered:
            other_data = snap.searcher.stored_fields(int(other))["data"]
            hit = Hit.of(other_data, data_snippet(other_data), round(float(scores[other]), 3))
            why = _why(data, other_data, words[int(other)], written)
            hits.append(SimilarHit(**vars(hit), why=why))
        return hits


def _text(data: dict[str, Any]) -> str:
    return "\n".join(str(data.get(name) or "") for name in TEXT_FIELDS)


def _key_terms(snap: Snapshot, data: dict[str, Any]) -> list[tuple[str, float]]:
    """The case's most telling indexed words, with their weights (Whoosh's key terms)."""
    found = snap.searcher.key_terms_from_text("description", _text(data), numterms=SIMILAR_TERMS)
    return list(found)


def _term_queries(key_terms: list[tuple[str, float]]) -> list[tuple[str, query.Term]]:
    return [
        (term, query.Term(name, term, boost=weight * FIELD_BOOSTS[name]))
        for term, weight in key_terms
        for name in QUERY_FIELDS
    ]


def _text_similarity(snap: Snapshot, key_terms: list[tuple[str, float]]) -> np.ndarray:
    """Scores of a query of the case's most telling words, scaled to 0..1."""
    if not key_terms:
        return np.zeros(snap.columns.size)
    q = query.Or([term_query for _, term_query in _term_queries(key_terms)])
    _, scores = Evaluator(snap, scored=True).run(q)
    top = scores.max()
    return scores / top if top > 0 else scores


def _shared_words(
    snap: Snapshot, key_terms: list[tuple[str, float]], docs: np.ndarray
) -> dict[int, list[str]]:
    """For each of some docs, the key terms it holds, the one adding most to its score first."""
    gained: dict[int, dict[str, float]] = {int(doc): defaultdict(float) for doc in docs}
    evaluator = Evaluator(snap, scored=True)
    for term, term_query in _term_queries(key_terms):
        ids, scores = evaluator.sparse_term(term_query)
        held = np.isin(ids, docs)
        for doc, score in zip(ids[held], scores[held], strict=True):
            gained[int(doc)][term] += float(score)
    return {
        doc: [term for term, score in sorted(terms.items(), key=lambda ts: (-ts[1], ts[0]))]
        for doc, terms in gained.items()
    }


def _written_forms(data: dict[str, Any]) -> dict[str, str]:
    """Each indexed term of a case's text -> the word it is written as most often there, in
    lower case when the text has it so (a capital may only start a sentence; a name has no
    lower-case form)."""
    forms: dict[str, Counter[str]] = {}
    text = _text(data)
    for start, end, term in word_spans(text):
        if term is not None:
            forms.setdefault(term, Counter())[text[start:end]] += 1
    return {
        term: max(counts, key=lambda word: (word == word.lower(), counts[word]))
        for term, counts in forms.items()
    }


def _why(
    data: dict[str, Any], other: dict[str, Any], terms: list[str], written: dict[str, str]
) -> Why:
    shared: dict[str, list[str]] = {}
    for facet in SIMILAR_FACETS:
        theirs = set(other.get(facet.field) or [])
        shared[facet.field] = [key for key in data.get(facet.field) or [] if key in theirs]
    theirs_written: dict[str, str] | None = None
    words = []
    for term in terms:
        word = written.get(term)
        if word is None:  # a term the case holds in a form its own text lacks
            theirs_written = theirs_written or _written_forms(other)
            word = theirs_written.get(term, term)
        words.append(word)
    return Why(**shared, words=list(dict.fromkeys(words)))


def _facet_similarity(cols: Columns, doc: int) -> np.ndarray:
    """A bonus for each collaboration form, theme and municipality shared with the case."""
    weights = np.zeros(VALUE_COUNT)
    own = cols.code_values[cols.code_docs == doc]
    for facet in SIMILAR_FACETS:
        base = FACET_BASE[facet.name]
        span = own[(own >= base) & (own < base + len(FACET_VALUES[facet.name]))]
        weights[span] = facet.similar_weight
    return np.bincount(cols.code_docs, weights=weights[cols.code_values], minlength=cols.size)
