"""The search engine: Danish analysis, the Whoosh index and searching it, one concern a module.

- analysis: the Danish analysis chain (tokens, aa -> å, stop words, stemming), sort keys
- lexicon, compounds, corpus: the Danish words known, compounds split into them, the corpus's
  own words; thesaurus: the field's equivalent terms, widening a query
- schema, document: the Whoosh schema; a case record -> its index document
- columns: per-generation numpy columns (facet codes, years, sort ranks)
- whooshlib: the one module that touches Whoosh's private members
- postings, snapshot, generations: decoded-postings cache, one generation as searches see it,
  the index on disk (generations, writers, rebuilds)
- params, query, evaluate, filters: a search's parameters, query parsing, numpy evaluation,
  the match set with its filters
- facets, sorting, snippets, suggest, similar, results: facet counts, result order, snippets,
  did-you-mean, similar cases, and the typed answers
- search: a search, and the refs of every match (exports)
- crosstab: a search's cases counted by two dimensions (facets, start year, decade)
docs/architecture.md shows how a search travels from HTTP to the index and back.
"""

from .crosstab import CrossTab, TabValue, crosstab
from .generations import Batch, CaseIndex, IndexBusy
from .params import SearchParams
from .results import Bucket, Expansion, Hit, SearchResult, SimilarHit, Why
from .search import matching_refs, search
from .similar import similar
from .thesaurus import Thesaurus

__all__ = [
    "Batch",
    "Bucket",
    "CaseIndex",
    "CrossTab",
    "Expansion",
    "Hit",
    "IndexBusy",
    "SearchParams",
    "SearchResult",
    "SimilarHit",
    "TabValue",
    "Thesaurus",
    "Why",
    "crosstab",
    "matching_refs",
    "search",
    "similar",
]
