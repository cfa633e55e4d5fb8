"""Running a search over the current index generation: the engine's public operations."""

from __future__ import annotations

import numpy as np
from whoosh import query

from .facets import empty_facets, facet_counts
from .filters import select
from .generations import CaseIndex
from .params import SearchParams
from .query import clean_query, expand_prefixes, parse_query
from .results import Hit, SearchResult
from .snapshot import Snapshot
from .snippets import best_snippet, data_snippet, terms_by_field
from .sorting import ordered_docs, sort_keys
from .suggest import suggestion as suggestion_for


def query_for(snap: Snapshot, text: str) -> query.Query | None:
    """The query a q means in this generation (prefixes expanded); None for no words."""
    parsed = parse_query(clean_query(text))
    if parsed is None:
        return None
    return expand_prefixes(parsed, snap.searcher.reader())


def search(index: CaseIndex, params: SearchParams) -> SearchResult:
    """One page of hits and the facet counts (docs/contract.md section 6)."""
    with index.snapshot() as snap:
        if snap is None:
            return _empty_result(params)
        q = query_for(snap, params.q)
        sel = select(snap, params, q, scored=q is not None)
        docs = np.flatnonzero(sel.final)
        per_page = max(params.per_page, 0)  # the schema keeps 1-100; callers may go beyond
        first = (max(params.page, 1) - 1) * per_page
        keys = sort_keys(snap.columns, docs, params.effective_sort(q is not None), sel.scores)
        page = ordered_docs(docs, keys, first + per_page)[first:]
        suggestion = None
        if q is not None:
            suggestion = suggestion_for(snap, clean_query(params.q), q, len(docs), params)
        return SearchResult(
            total=len(docs),
            page=params.page,
            per_page=params.per_page,
            q=params.q or None,
            suggestion=suggestion,
            results=_hits(snap, page, q, sel.scores),
            facets=facet_counts(snap.columns, sel, params),
        )


def _hits(
    snap: Snapshot, docs: np.ndarray, q: query.Query | None, scores: np.ndarray | None
) -> list[Hit]:
    terms = terms_by_field(q) if q is not None else {}
    hits = []
    for doc in docs:
        data = snap.searcher.stored_fields(int(doc))["data"]
        snippet = best_snippet(data, terms) if q is not None else data_snippet(data)
        score = None if scores is None else round(float(scores[doc]), 3)
        hits.append(Hit.of(data, snippet, score))
    return hits


def _empty_result(params: SearchParams) -> SearchResult:
    return SearchResult(
        total=0,
        page=params.page,
        per_page=params.per_page,
        q=params.q or None,
        suggestion=None,
        results=[],
        facets=empty_facets(params),
    )


def matching_refs(index: CaseIndex, params: SearchParams) -> list[str]:
    """Every matching ref in the search's order (for exports); page and per_page ignored."""
    with index.snapshot() as snap:
        if snap is None:
            return []
        q = query_for(snap, params.q)
        sort = params.effective_sort(q is not None)
        sel = select(snap, params, q, scored=q is not None and sort == "relevance")
        docs = np.flatnonzero(sel.final)
        ordered = ordered_docs(docs, sort_keys(snap.columns, docs, sort, sel.scores), None)
        return [str(snap.columns.refs[d]) for d in ordered]
