"""Similar cases: shared telling words, plus a bonus for each shared facet value.

Each facet's bonus is its `similar_weight` in the catalogue.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh import query

from .. import catalogue
from ..errors import NotFound
from .columns import FACET_BASE, FACET_VALUES, VALUE_COUNT, Columns
from .evaluate import Evaluator
from .generations import CaseIndex
from .query import FIELD_BOOSTS, QUERY_FIELDS
from .results import Hit
from .snapshot import Snapshot
from .snippets import data_snippet
from .sorting import ordered_docs, sort_keys

SIMILAR_TERMS = 15  # the case's most telling words that make its text query


def similar(index: CaseIndex, ref: str, limit: int = 5) -> list[Hit]:
    """The cases most like a case (never itself), in search-result shape."""
    with index.snapshot() as snap:
        doc = None if snap is None else snap.columns.doc_of_ref.get(ref)
        if snap is None or doc is None:
            raise NotFound(f"No case with ref '{ref}'.")
        limit = max(0, min(int(limit), catalogue.MAX_PER_PAGE))
        cols = snap.columns
        data = snap.searcher.stored_fields(doc)["data"]
        scores = _text_similarity(snap, data) + _facet_similarity(cols, doc)
        candidates = np.flatnonzero((scores > 0) & cols.live)
        candidates = candidates[candidates != doc]
        ordered = ordered_docs(candidates, sort_keys(cols, candidates, "relevance", scores), limit)
        hits = []
        for other in ordered:
            other_data = snap.searcher.stored_fields(int(other))["data"]
            hits.append(
                Hit.of(other_data, data_snippet(other_data), round(float(scores[other]), 3))
            )
        return hits


def _text_similarity(snap: Snapshot, data: dict[str, Any]) -> np.ndarray:
    """Scores of a query of the case's most telling words, scaled to 0..1."""
    text = "\n".join(str(data.get(n) or "") for n in ("title", "summary", "description", "results"))
    key_terms = snap.searcher.key_terms_from_text("description", text, numterms=SIMILAR_TERMS)
    if not key_terms:
        return np.zeros(snap.columns.size)
    q = query.Or(
        [
            query.Term(name, term, boost=weight * FIELD_BOOSTS[name])
            for term, weight in key_terms
            for name in QUERY_FIELDS
        ]
    )
    _, scores = Evaluator(snap, scored=True).run(q)
    top = scores.max()
    return scores / top if top > 0 else scores


def _facet_similarity(cols: Columns, doc: int) -> np.ndarray:
    """A bonus for each collaboration form, theme and municipality shared with the case."""
    weights = np.zeros(VALUE_COUNT)
    own = cols.code_values[cols.code_docs == doc]
    for facet in catalogue.FACETS:
        if facet.similar_weight:
            base = FACET_BASE[facet.name]
            span = own[(own >= base) & (own < base + len(FACET_VALUES[facet.name]))]
            weights[span] = facet.similar_weight
    return np.bincount(cols.code_docs, weights=weights[cols.code_values], minlength=cols.size)
