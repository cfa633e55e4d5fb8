"""Running a search over the current index generation: the engine's public operations."""

from __future__ import annotations

import numpy as np
from whoosh import query

from .facets import empty_facets, facet_counts
from .filters import select
from .generations import CaseIndex
from .params import SearchParams
from .query import clean_query, expand_prefixes, parse_query, positive_leaves
from .results import Expansion, Hit, SearchResult
from .snapshot import Snapshot
from .snippets import Marking, best_snippet, data_snippet, document_matches, terms_by_field
from .sorting import ordered_docs, sort_keys
from .suggest import suggestion as suggestion_for
from .thesaurus import Thesaurus

MAX_COMPOUNDS_SHOWN = 5  # compounds named per word in `expanded`


def query_for(
    snap: Snapshot, params: SearchParams, thesaurus: Thesaurus | None = None
) -> tuple[query.Query | None, list[Expansion]]:
    """The query a search means in this generation, widened by compounds' parts and the
    thesaurus unless exact, prefixes expanded; None for no words. Also what was widened."""
    text = clean_query(params.q)
    parsed = parse_query(text, widen=not params.exact)
    if parsed is None:
        return None, []
    expanded: list[Expansion] = []
    if thesaurus is not None and not params.exact:
        parsed, expanded = thesaurus.expand(parsed, text)
    return expand_prefixes(parsed, snap.searcher.reader()), expanded


def search(
    index: CaseIndex, params: SearchParams, thesaurus: Thesaurus | None = None
) -> SearchResult:
    """One page of hits and the facet counts (docs/contract.md sections 6 and 9)."""
    split = index.splitter()  # the one that split the texts: snippets mark the same compounds
    with index.snapshot() as snap:
        if snap is None:
            return _empty_result(params)
        q, expanded = query_for(snap, params, thesaurus)
        sel = select(snap, params, q, scored=q is not None)
        docs = np.flatnonzero(sel.final)
        per_page = max(params.per_page, 0)  # the schema keeps 1-100; callers may go beyond
        first = (max(params.page, 1) - 1) * per_page
        keys = sort_keys(snap.columns, docs, params.effective_sort(q is not None), sel.scores)
        page = ordered_docs(docs, keys, first + per_page)[first:]
        suggestion = None
        if q is not None:
            suggestion = suggestion_for(snap, clean_query(params.q), q, len(docs), params)
        marking = Marking(split)
        hits = _hits(snap, page, q, sel.scores, marking)
        return SearchResult(
            total=len(docs),
            page=params.page,
            per_page=params.per_page,
            q=params.q or None,
            suggestion=suggestion,
            results=hits,
            facets=facet_counts(snap.columns, sel, params),
            expanded=expanded + _compound_expansions(q, clean_query(params.q), marking.compounds),
        )


def _hits(
    snap: Snapshot,
    docs: np.ndarray,
    q: query.Query | None,
    scores: np.ndarray | None,
    marking: Marking | None = None,
) -> list[Hit]:
    terms = terms_by_field(q) if q is not None else {}
    hits = []
    for doc in docs:
        data = snap.searcher.stored_fields(int(doc))["data"]
        snippet = best_snippet(data, terms, marking) if q is not None else data_snippet(data)
        found = document_matches(data, terms, marking)
        if found[1] is not None and "<mark>" not in snippet:
            snippet = found[1]  # found through a document only: the excerpt is the document's
        score = None if scores is None else round(float(scores[doc]), 3)
        hits.append(Hit.of(data, snippet, score, found))
    return hits


def _compound_expansions(
    q: query.Query | None, text: str, compounds: dict[str, list[str]]
) -> list[Expansion]:
    """'fornyelse' also found in byfornyelse, områdefornyelsen: from the compounds marked."""
    if q is None or not compounds:
        return []
    typed: dict[str, str] = {}
    for leaf in positive_leaves(q):
        start, end = getattr(leaf, "startchar", None), getattr(leaf, "endchar", None)
        if isinstance(leaf, query.Term) and start is not None and end is not None:
            typed.setdefault(leaf.text, text[start:end])
    return [
        Expansion(typed[term], tuple(words[:MAX_COMPOUNDS_SHOWN]))
        for term, words in compounds.items()
        if words and term in typed
    ]


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


def matching_refs(
    index: CaseIndex, params: SearchParams, thesaurus: Thesaurus | None = None
) -> list[str]:
    """Every matching ref in the search's order (for exports); page and per_page ignored."""
    with index.snapshot() as snap:
        if snap is None:
            return []
        q, _ = query_for(snap, params, thesaurus)
        sort = params.effective_sort(q is not None)
        sel = select(snap, params, q, scored=q is not None and sort == "relevance")
        docs = np.flatnonzero(sel.final)
        ordered = ordered_docs(docs, sort_keys(snap.columns, docs, sort, sel.scores), None)
        return [str(snap.columns.refs[d]) for d in ordered]
