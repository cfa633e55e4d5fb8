"""Searching the case index: parameters, query parsing, filters, facets, sorts, snippets.

Decisions where SPEC section 6 is silent:
- Parameters: empty values count as absent; a repeated single-valued parameter (q, page,
  per_page, sort, year_from, year_to) uses its first value. Facet values may be given as key,
  label or accepted spelling and are reported as keys.
- q is cleaned before parsing: control characters become spaces, and it is cut to
  MAX_QUERY_CHARS characters and MAX_QUERY_WORDS words. `-word` means `NOT word`, `+word`
  means `word`; operators with nothing to work on are dropped (`x OR` is `x`, `OR OR` is no
  q). Field prefixes: title, summary, description, results (Danish aliases titel,
  resume, beskrivelse, resultater). `word*` (at least MIN_PREFIX_CHARS letters) finds the
  indexed stems starting with `word` and the stem of `word` itself. Anything else the parser
  would read oddly (unknown field, `*` alone or inside a word, unbalanced quotes, ...) is
  searched as plain words.
- A q without searchable words (only stop words or punctuation) counts as no q: everything
  matches, the default sort is newest, scores are null, snippets are the start of the summary.
  The response's `q` echoes the q that was sent (null when none).
- Scores are rounded to 3 decimals, and relevance ties (equal rounded scores) go by ref.
  Without q every score is null.
- Years: a reversed range (year_from > year_to) is read the right way round. The start_year
  facet lists start years; a year is `selected` when year_from == year_to ==
  that year. Year filters apply to every facet, the start_year facet included.
- Suggestion: a plain word (not a phrase, prefix or NOT word) that is unknown, or rare (in at
  most RARE_MAX_DOCS cases or RARE_MAX_SHARE of them) while a word one or two edits away with
  the same first letter is RARE_RATIO times as common, is replaced by that word; the corrected
  q is offered when it finds more cases. Corrections are found among the indexed stems and
  shown as a word of the indexed text with that stem (the one closest to what was typed):
  first stems one or two edits from the typed word's stem, else stems with an indexed word one
  or two edits from the typed word itself (a typo near the end changes what the stemmer cuts:
  byfornyelsse stems to "byfornyels", three edits from "byforny").
- Searching while no index exists answers an empty result (the service builds the index).
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh import qparser, query
from whoosh.support.levenshtein import levenshtein

from casebase import vocabularies
from casebase.analysis import (
    danish_sort_key,
    fold_aa,
    index_term,
    marked_snippet,
    matched_spans,
    plain_snippet,
    word_spans,
)
from casebase.errors import InvalidSearch, NotFound
from casebase.index import (
    FACET_BASE,
    FACET_FIELDS,
    FACET_VALUES,
    QUERY_CACHE_SIZE,
    SCHEMA,
    TEXT_FIELDS,
    VALUE_COUNT,
    CaseIndex,
    Columns,
    Snapshot,
)

FACETS = tuple(FACET_FIELDS)  # the filterable facets, in response order
FACET_KEYS = (*FACETS, "start_year")
SORTS = ("relevance", "newest", "oldest", "title")
SINGLE_PARAMETERS = ("q", "sort", "page", "per_page", "year_from", "year_to")
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100

FIELD_BOOSTS = {"title": 4.0, "summary": 2.0, "description": 1.0, "results": 1.0, "labels": 0.5}
QUERY_FIELDS = ("title", "summary", "description", "results")  # allowed `field:` prefixes
FIELD_ALIASES = {
    "title": ["titel"],
    "summary": ["resume", "resumé"],
    "description": ["beskrivelse"],
    "results": ["resultater"],
}
MAX_QUERY_CHARS = 500
MAX_QUERY_WORDS = 32
MIN_PREFIX_CHARS = 2
MAX_PREFIX_TERMS = 1000

SNIPPET_FIELDS = ("summary", "description", "results", "title")  # preference on ties

RARE_RATIO = 4  # a correction must be this many times more common than the word
RARE_MAX_DOCS = 2  # words in more cases than this (or RARE_MAX_SHARE of all) are not corrected
RARE_MAX_SHARE = 0.0001
MIN_SPELL_CHARS = 4
SIMILAR_TERMS = 15
SUFFIX_SLACK = 8  # a correction's stem may be this many letters shorter than the typed word
MAX_SURFACE_CHECKS = 10  # candidates whose indexed words are compared with the typed word
SIMILAR_FACET_BONUS = {"collaboration_form": 0.3, "theme": 0.15, "municipality": 0.1}


# --- parameters ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchParams:
    """One search, as the API, the pages and the CLI ask for it."""

    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    sort: str | None = None  # None: relevance with q, else newest
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @classmethod
    def from_args(cls, args: Mapping[str, list[str]]) -> SearchParams:
        """Parameters from a query string (name -> values); InvalidSearch says what is wrong."""
        allowed = (*SINGLE_PARAMETERS, *FACETS)
        unknown = sorted(name for name in args if name not in allowed)
        if unknown:
            raise InvalidSearch(
                f"Unknown parameter '{unknown[0]}'. Allowed parameters: {', '.join(allowed)}."
            )
        values = {name: [v for v in _as_list(vals) if v.strip()] for name, vals in args.items()}
        first = {name: vals[0] for name, vals in values.items() if vals}
        filters = {
            facet: _facet_keys(facet, values[facet]) for facet in FACETS if values.get(facet)
        }
        sort = first.get("sort")
        if sort is not None and sort.strip() not in SORTS:
            raise InvalidSearch(f"Unknown sort '{sort}'. Allowed sorts: {', '.join(SORTS)}.")
        return cls(
            q=first.get("q", ""),
            filters=filters,
            year_from=_whole_number(first, "year_from", "a year such as 2015"),
            year_to=_whole_number(first, "year_to", "a year such as 2015"),
            sort=sort.strip() if sort else None,
            page=_bounded(first, "page", 1, 1, None),
            per_page=_bounded(first, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
        )

    def effective_sort(self, has_query: bool) -> str:
        return self.sort or ("relevance" if has_query else "newest")


def _as_list(values: Any) -> list[str]:
    return [values] if isinstance(values, str) else [str(v) for v in values]


def _facet_keys(facet: str, values: list[str]) -> tuple[str, ...]:
    keys: list[str] = []
    for value in values:
        key = vocabularies.find_key(facet, value.strip())
        if key is None:
            close = vocabularies.suggest(facet, value)
            hint = f" Did you mean '{close}'?" if close else ""
            raise InvalidSearch(
                f"Unknown {facet} '{value}'.{hint} Allowed: the keys of the "
                f"{facet} vocabulary (see /api/vocabularies)."
            )
        if key not in keys:
            keys.append(key)
    return tuple(keys)


def _whole_number(first: dict[str, str], name: str, example: str) -> int | None:
    if name not in first:
        return None
    text = first[name].strip()
    if not re.fullmatch(r"[+-]?\d{1,9}", text):
        raise InvalidSearch(f"{name} must be a whole number ({example}), not '{first[name]}'.")
    return int(text)


def _bounded(first: dict[str, str], name: str, default: int, low: int, high: int | None) -> int:
    allowed = f"a whole number from {low}" + (f" to {high}" if high else " up")
    if name not in first:
        return default
    text = first[name].strip()
    if not re.fullmatch(r"[+-]?\d{1,9}", text):
        raise InvalidSearch(f"{name} must be {allowed}, not '{first[name]}'.")
    number = int(text)
    if number < low or (high is not None and number > high):
        raise InvalidSearch(f"{name} must be {allowed}, not {number}.")
    return number


# --- query parsing (pure: no index needed) ------------------------------------------------

_BINARY_OPERATORS = frozenset({"AND", "OR", "ANDNOT", "ANDMAYBE"})
_OPERATORS = _BINARY_OPERATORS | {"NOT"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_MINUS = re.compile(r"(?:(?<=[\s(])|^)-(?=[\w\"(])")
_PLUS = re.compile(r"(?:(?<=[\s(])|^)\+(?=[\w\"(])")
_FIELD_NAMES = [name for f in QUERY_FIELDS for name in (f, *FIELD_ALIASES[f])]
_FIELD_PREFIX = re.compile(r"(?i)(?<![\w:])(" + "|".join(_FIELD_NAMES) + r"):(?=[\w\"(])")


def clean_query(text: str) -> str:
    """The query text as parsed: no control characters, not too long, `-w` as `NOT w`."""
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", text or ""))[:MAX_QUERY_CHARS]
    text = _PLUS.sub("", _MINUS.sub("NOT ", " ".join(text.split()[:MAX_QUERY_WORDS])))
    words: list[str] = []
    for word in text.split():  # drop operators with nothing to work on: "x OR", "OR OR y"
        if word in _BINARY_OPERATORS and (not words or words[-1] in _OPERATORS):
            continue
        words.append(word)
    while words and words[-1] in _OPERATORS:
        words.pop()
    text = " ".join(words)
    return _FIELD_PREFIX.sub(lambda m: m.group(1).lower() + ":", text)


def _parser() -> qparser.QueryParser:
    parser = qparser.MultifieldParser(
        list(TEXT_FIELDS), SCHEMA, fieldboosts=FIELD_BOOSTS, group=qparser.AndGroup
    )
    for plugin_class in (
        qparser.SingleQuotePlugin,
        qparser.RangePlugin,
        qparser.BoostPlugin,
        qparser.EveryPlugin,
        qparser.FieldsPlugin,
    ):
        parser.remove_plugin_class(plugin_class)
    names = "|".join(_FIELD_NAMES)
    parser.add_plugin(qparser.FieldsPlugin(expr=rf"(?P<text>{names}):", remove_unknown=True))
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    return parser


def parse_query(text: str) -> query.Query | None:
    """The Whoosh query for a q (already cleaned); None when it has no searchable words."""
    try:
        parsed = _parser().parse(text)
    except Exception:  # the parser is lenient, but a q must never be an error
        parsed = None
    if parsed is None or parsed is query.NullQuery or not _well_formed(parsed):
        parsed = plain_query(text)
    return parsed if parsed is not None and _has_terms(parsed) else None


def plain_query(text: str) -> query.Query | None:
    """Every word of the text must match, in any field: the reading when the syntax fails."""
    words = []
    analyzer: Any = SCHEMA["description"].analyzer
    for token in analyzer(text.replace("*", " "), mode="query", chars=True):
        terms: list[Any] = [
            query.Term(name, token.text, boost=FIELD_BOOSTS[name]) for name in TEXT_FIELDS
        ]
        for term in terms:  # kept for suggestions, as the parser does
            term.startchar, term.endchar = token.startchar, token.endchar
        words.append(query.Or(terms))
    return query.And(words) if words else None


def _well_formed(q: query.Query) -> bool:
    for node in _walk(q):
        if isinstance(node, (query.Every, query.Wildcard)) or node is query.NullQuery:
            return False
        if isinstance(node, query.Prefix) and (
            len(node.text) < MIN_PREFIX_CHARS or "*" in node.text
        ):
            return False
        if isinstance(node, query.Wildcard | query.Prefix | query.Term | query.Phrase) and (
            node.fieldname not in TEXT_FIELDS
        ):
            return False
        if not isinstance(node, _KNOWN_NODES):
            return False
    return True


_KNOWN_NODES = (
    query.And,
    query.Or,
    query.Not,
    query.AndNot,
    query.AndMaybe,
    query.Term,
    query.Phrase,
    query.Prefix,
    query.DisjunctionMax,
)


def _walk(q: query.Query) -> Iterable[query.Query]:
    yield q
    for child in q.children():
        yield from _walk(child)


def _has_terms(q: query.Query) -> bool:
    return any(isinstance(n, (query.Term, query.Phrase, query.Prefix)) for n in _walk(q))


def _positive_leaves(q: query.Query) -> Iterable[query.Query]:
    """The term-like leaves of q that must or may match (not those under NOT)."""
    if isinstance(q, query.Not):
        return
    if isinstance(q, query.AndNot):
        yield from _positive_leaves(q.a)
        return
    if isinstance(q, (query.Term, query.Phrase, query.Prefix)):
        yield q
        return
    for child in q.children():
        yield from _positive_leaves(child)


# --- matching -----------------------------------------------------------------------------


def _expand_prefixes(q: query.Query, reader: Any) -> query.Query:
    """Prefix(field, word) -> Or of the indexed terms that words starting with `word` have.

    Terms are stems, so `bolig*` looks for the terms starting with "bolig" and for the stem of
    "bolig" itself ("bol", the stem of bolig and boliger), not for every term starting "bol".
    """

    def expand(node: query.Query) -> query.Query:
        if not isinstance(node, query.Prefix):
            return node.apply(expand)
        field = node.fieldname
        terms = set()
        for term in reader.expand_prefix(field, node.text):
            terms.add(term.decode() if isinstance(term, bytes) else term)
            if len(terms) >= MAX_PREFIX_TERMS:
                break
        stem = index_term(node.text)
        if stem and (field, stem) in reader:
            terms.add(stem)
        ors = [query.Term(field, t, boost=node.boost) for t in sorted(terms)]
        return query.Or(ors) if ors else query.NullQuery

    return expand(q)


_POSITION_STRIDE = 1 << 32  # docnum * stride + position: one int64 key per word occurrence


class _Evaluator:
    """Evaluates a query over the whole generation with numpy: one mask and score per node.

    Term postings are read as arrays and scored with Whoosh's own BM25F formula and
    statistics, so term scores equal Whoosh's; And/Or/Not combine whole arrays (a NOT adds
    nothing to a score, where Whoosh adds 1). A phrase scores as the sum of its words. Other
    node types are run through Whoosh's matchers.
    """

    def __init__(self, snap: Snapshot, scored: bool) -> None:
        self.snap = snap
        self.searcher = snap.searcher
        self.cols = snap.columns
        self.scored = scored
        self.weighting = self.searcher.weighting

    def run(self, q: query.Query) -> tuple[np.ndarray, np.ndarray]:
        mask, score = self.node(q)
        return mask & self.cols.live, score

    def node(self, q: query.Query) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(q, query.Term):
            return self.term(q)
        if isinstance(q, query.Phrase) and q.slop <= 1 and q.fieldname in TEXT_FIELDS:
            return self.phrase(q)
        if isinstance(q, query.Not):
            mask, _ = self.node(q.query)
            return ~mask, np.zeros(self.cols.size)
        if isinstance(q, query.AndNot):
            (mask, score), (nmask, _) = self.node(q.a), self.node(q.b)
            return mask & ~nmask, score
        if isinstance(q, query.AndMaybe):
            (mask, score), (_, extra) = self.node(q.a), self.node(q.b)
            return mask, score + extra * mask
        if isinstance(q, (query.And, query.Or)) and type(q) in (query.And, query.Or):
            return self.compound(q)
        return self.fallback(q)

    def compound(self, q: Any) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(q, query.Or):
            return self.disjunction(q.subqueries)
        mask = np.ones(self.cols.size, dtype=bool)
        score = np.zeros(self.cols.size)
        for child in q.subqueries:
            child_mask, child_score = self.node(child)
            mask &= child_mask
            score += child_score
        return mask, np.where(mask, score, 0.0)

    def disjunction(self, children: Iterable[Any]) -> tuple[np.ndarray, np.ndarray]:
        """Or: term children are summed sparsely (a word over 5 fields, an expanded prefix)."""
        ids, scores = [np.zeros(0, np.int64)], [np.zeros(0)]
        mask = np.zeros(self.cols.size, dtype=bool)
        score = np.zeros(self.cols.size)
        for child in children:
            if isinstance(child, query.Term):
                child_ids, child_scores = self.sparse_term(child)
                ids.append(child_ids)
                scores.append(child_scores)
            else:
                child_mask, child_score = self.node(child)
                mask |= child_mask
                score += child_score
        all_ids = np.concatenate(ids)
        mask[all_ids] = True
        if self.scored:
            score += np.bincount(all_ids, weights=np.concatenate(scores), minlength=len(mask))
        return mask, np.where(mask, score, 0.0)

    def term(self, q: query.Term) -> tuple[np.ndarray, np.ndarray]:
        ids, scores = self.sparse_term(q)
        mask = np.zeros(self.cols.size, dtype=bool)
        score = np.zeros(self.cols.size)
        mask[ids] = True
        score[ids] = scores
        return mask, score

    def sparse_term(self, q: Any) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, scores) of one term: its postings, scored when asked to."""
        if q.fieldname not in TEXT_FIELDS:
            return np.zeros(0, np.int64), np.zeros(0)
        ids, weights = self.snap.postings(q.fieldname, q.text)
        if not self.scored or not len(ids):
            return ids, np.zeros(len(ids))
        return ids, q.boost * self._bm25(q.fieldname, q.text, weights, ids)

    def phrase(self, q: Any) -> tuple[np.ndarray, np.ndarray]:
        """Docs where the words stand side by side: positions read only for docs with all."""
        words = [query.Term(q.fieldname, str(w), boost=q.boost) for w in q.words]
        mask = self.cols.live.copy()
        score = np.zeros(self.cols.size)
        for word in words:
            word_mask, word_score = self.term(word)
            mask &= word_mask
            score += word_score
        docs = np.flatnonzero(mask)
        starts: np.ndarray | None = None
        for i, word in enumerate(words if len(words) > 1 and len(docs) else []):
            found_docs, found_positions = self.snap.positions(q.fieldname, word.text, docs)
            keys = np.unique(found_docs * _POSITION_STRIDE + (found_positions - i + 64))
            starts = keys if starts is None else np.intersect1d(starts, keys, assume_unique=True)
        if starts is not None:
            mask = np.zeros(self.cols.size, dtype=bool)
            mask[starts // _POSITION_STRIDE] = True
        return mask, np.where(mask, score, 0.0)

    def _bm25(self, fieldname: str, text: str, tf: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """whoosh.scoring.BM25F, vectorised (same idf, average length and parameters)."""
        idf = self.searcher.idf(fieldname, text)
        avgfl = self.searcher.avg_field_length(fieldname) or 1
        b, k1 = self.weighting._field_B.get(fieldname, self.weighting.B), self.weighting.K1
        fl = self.cols.lengths[fieldname][ids]
        return idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / avgfl)))

    def fallback(self, q: query.Query) -> tuple[np.ndarray, np.ndarray]:
        """Whoosh's own matcher for node types without a vector form (phrases)."""
        context = self.searcher.context() if self.scored else self.searcher.boolean_context()
        ids: list[int] = []
        scores: list[float] = []
        for sub, offset in self.searcher.leaf_searchers():
            matcher = q.matcher(sub, context)
            while matcher.is_active():
                ids.append(matcher.id() + offset)
                scores.append(matcher.score() if self.scored else 0.0)
                matcher.next()
        mask = np.zeros(self.cols.size, dtype=bool)
        score = np.zeros(self.cols.size)
        mask[ids] = True
        score[ids] = scores
        return mask, score


def _matches(snap: Snapshot, q: query.Query, scored: bool) -> tuple[np.ndarray, np.ndarray]:
    """The (cached) match mask and scores of q in this generation; callers must not modify."""
    key = repr(q)
    cached = snap.query_cache.get(key)
    if cached is not None and (cached[0] or not scored):
        snap.query_cache.move_to_end(key)
        return cached[1], cached[2]
    mask, scores = _Evaluator(snap, scored).run(q)
    snap.query_cache[key] = (scored, mask, scores)
    while len(snap.query_cache) > QUERY_CACHE_SIZE:
        snap.query_cache.popitem(last=False)
    return mask, scores


def _year_mask(cols: Columns, year_from: int | None, year_to: int | None) -> np.ndarray | None:
    if year_from is None and year_to is None:
        return None
    if year_from is not None and year_to is not None and year_from > year_to:
        year_from, year_to = year_to, year_from
    mask = cols.start > 0
    if year_to is not None:
        mask &= cols.start.astype(np.int64) <= year_to
    if year_from is not None:
        mask &= cols.end.astype(np.int64) >= year_from
    return mask


def _facet_mask(cols: Columns, facet: str, keys: tuple[str, ...]) -> np.ndarray:
    base = FACET_BASE[facet]
    codes = [base + FACET_VALUES[facet].index(k) for k in keys if k in FACET_VALUES[facet]]
    mask = np.zeros(cols.size, dtype=bool)
    if codes:
        mask[cols.code_docs[np.isin(cols.code_values, codes)]] = True
    return mask


@dataclass
class _Selection:
    """The match set of q, each filter's mask, and everything they combine into."""

    base: np.ndarray  # q and years (years always apply)
    filters: dict[str, np.ndarray]
    final: np.ndarray
    scores: np.ndarray | None


def _select(
    snap: Snapshot, params: SearchParams, q: query.Query | None, scored: bool
) -> _Selection:
    cols = snap.columns
    base = cols.live.copy()
    scores = None
    if q is not None:
        base, scores = _matches(snap, q, scored)
        base = base.copy()
    years = _year_mask(cols, params.year_from, params.year_to)
    if years is not None:
        base &= years
    filters = {
        f: _facet_mask(cols, f, keys)
        for f, keys in params.filters.items()
        if f in FACET_FIELDS and keys
    }
    final = base.copy()
    for mask in filters.values():
        final &= mask
    return _Selection(base, filters, final, scores)


# --- facets -------------------------------------------------------------------------------


def _value_counts(cols: Columns, mask: np.ndarray) -> np.ndarray:
    chosen = mask[cols.code_docs]
    return np.bincount(cols.code_values[chosen], minlength=VALUE_COUNT)


def _facets(cols: Columns, sel: _Selection, params: SearchParams) -> dict[str, list[dict]]:
    """Disjunctive counts: facet F counts over q, years and every filter except F's own."""
    shared = _value_counts(cols, sel.final)
    facets: dict[str, list[dict]] = {}
    for facet in FACETS:
        counts = shared
        if facet in sel.filters:
            mask = sel.base.copy()
            for other, other_mask in sel.filters.items():
                if other != facet:
                    mask &= other_mask
            counts = _value_counts(cols, mask)
        base = FACET_BASE[facet]
        selected = params.filters.get(facet, ())
        buckets = [
            _bucket(key, vocabularies.label(facet, key), int(counts[base + i]), key in selected)
            for i, key in enumerate(FACET_VALUES[facet])
            if counts[base + i] > 0 or key in selected
        ]
        buckets += [_bucket(k, k, 0, True) for k in selected if k not in FACET_VALUES[facet]]
        facets[facet] = _ordered(buckets)
    facets["start_year"] = _year_buckets(cols, sel.final, params)
    return facets


def _bucket(value: Any, label: str, count: int, selected: bool) -> dict[str, Any]:
    return {"value": value, "label": label, "count": count, "selected": selected}


def _ordered(buckets: list[dict]) -> list[dict]:
    return sorted(buckets, key=lambda b: (-b["count"], danish_sort_key(b["label"])))


def _year_buckets(cols: Columns, mask: np.ndarray, params: SearchParams) -> list[dict]:
    starts = cols.start[mask & (cols.start > 0)]
    years, counts = np.unique(starts, return_counts=True)
    chosen = params.year_from if params.year_from == params.year_to else None
    buckets = [
        _bucket(int(y), str(int(y)), int(c), int(y) == chosen)
        for y, c in zip(years, counts, strict=True)
    ]
    if chosen is not None and chosen not in set(years.tolist()):
        buckets.append(_bucket(chosen, str(chosen), 0, True))
    return _ordered(buckets)


# --- sorting ------------------------------------------------------------------------------


def _sort_keys(cols: Columns, docs: np.ndarray, sort: str, scores: np.ndarray | None) -> np.ndarray:
    """A unique int64 key per doc: ascending key order is the result order."""
    if sort == "title":
        return cols.title_rank[docs]
    if sort in ("newest", "oldest"):
        return cols.newest_rank[docs] if sort == "newest" else cols.oldest_rank[docs]
    points = np.zeros(len(docs), np.int64)
    if scores is not None:
        points = np.rint(scores[docs] * 1000).astype(np.int64)
    return -points * (cols.size + 1) + cols.ref_rank[docs]


def _ordered_docs(docs: np.ndarray, keys: np.ndarray, limit: int | None) -> np.ndarray:
    if limit is not None and limit < len(docs) // 2:
        if limit <= 0:
            return docs[:0]
        part = np.argpartition(keys, limit - 1)[:limit]
        return docs[part[np.argsort(keys[part])]]
    return docs[np.argsort(keys, kind="stable")][:limit]


# --- results and snippets -----------------------------------------------------------------


def _result(data: dict[str, Any], snippet: str, score: float | None) -> dict[str, Any]:
    return {
        "ref": data["ref"],
        "title": data["title"],
        "summary": data.get("summary"),
        "municipalities": list(data.get("municipalities") or []),
        "regions": list(data.get("regions") or []),
        "start_year": data.get("start_year"),
        "end_year": data.get("end_year"),
        "status": data.get("status"),
        "collaboration_forms": list(data.get("collaboration_forms") or []),
        "actors": list(data.get("actors") or []),
        "themes": list(data.get("themes") or []),
        "snippet": snippet,
        "score": score,
    }


def _plain_snippet(data: dict[str, Any]) -> str:
    return plain_snippet(str(data.get("summary") or data.get("description") or ""))


def _snippet(data: dict[str, Any], terms: dict[str, frozenset[str]]) -> str:
    """An escaped excerpt of the best-matching field, with its matched words in <mark>."""
    best: tuple[int, str, list] | None = None
    for name in SNIPPET_FIELDS:
        text = str(data.get(name) or "")
        spans = matched_spans(text, terms.get(name, frozenset())) if text else []
        distinct = len({t for _, _, t in spans})
        if spans and (best is None or distinct > best[0]):
            best = (distinct, text, spans)
    return _plain_snippet(data) if best is None else marked_snippet(best[1], best[2])


def _terms_by_field(q: query.Query) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    leaf: Any
    for leaf in _positive_leaves(q):
        words = leaf.words if isinstance(leaf, query.Phrase) else [leaf.text]
        found.setdefault(leaf.fieldname, set()).update(str(w) for w in words)
    return {name: frozenset(words) for name, words in found.items()}


# --- suggestions --------------------------------------------------------------------------

# Per snapshot: first letter -> the sorted terms of the query fields starting with it.
_TERMS_BY_LETTER: weakref.WeakKeyDictionary[Snapshot, dict[str, list[str]]] = (
    weakref.WeakKeyDictionary()
)


def _document_frequency(reader: Any, term: str) -> int:
    return max(reader.doc_frequency(name, term) for name in TEXT_FIELDS)


def _suggestion(
    snap: Snapshot, text: str, q: query.Query, total: int, params: SearchParams
) -> str | None:
    """A corrected q when a word looks misspelt and the correction finds more, else None."""
    reader = snap.searcher.reader()
    words = {}
    for leaf in _positive_leaves(q):
        start, end = getattr(leaf, "startchar", None), getattr(leaf, "endchar", None)
        if isinstance(leaf, query.Term) and start is not None and end is not None:
            words[(start, end)] = text[start:end]
    corrected = text
    for (start, end), word in sorted(words.items(), reverse=True):
        replacement = _correction(snap, word)
        if replacement:
            corrected = corrected[:start] + replacement + corrected[end:]
    if corrected == text:
        return None
    fixed = parse_query(corrected)
    if fixed is None:
        return None
    fixed = _expand_prefixes(fixed, reader)
    found = int(_select(snap, params, fixed, scored=False).final.sum())
    return corrected if found > total else None


def _correction(snap: Snapshot, word: str) -> str | None:
    """A more common indexed word one or two edits away, when `word` is unknown or rare.

    Two kinds of candidates, both found in one walk over the indexed terms (`_near_terms`):
    stems one or two edits from the stem of `word` (a typo inside the stem), else stems of
    which some word of the indexed text is one or two edits from `word` itself. The second
    kind catches typos near the end of a word, which change what the stemmer cuts off:
    `byfornyelsse` stems to "byfornyels", three edits from "byforny" (byfornyelse).
    """
    reader = snap.searcher.reader()
    stem = index_term(word) if len(word) >= MIN_SPELL_CHARS and word.isalpha() else None
    if stem is None:
        return None
    frequency = _document_frequency(reader, stem)
    if frequency > max(RARE_MAX_DOCS, reader.doc_count() * RARE_MAX_SHARE):
        return None
    typed = fold_aa(word.lower())  # the stem is a prefix of this (the stemmer only cuts)
    first = max(len(typed) - SUFFIX_SLACK, len(typed) // 2 + 1)
    near = _near_terms(_terms_starting(snap, typed[0]), typed, len(stem), first)
    near.pop(stem, None)
    least = max(1, RARE_RATIO * frequency)
    counts = {term: _document_frequency(reader, term) for term in near}
    ranked = sorted((term for term in near if counts[term] >= least), key=lambda t: (-counts[t], t))
    for distance in (1, 2):  # a typo inside the stem
        for candidate in ranked:
            if near[candidate][0] == distance:
                surface = _surface_form(snap, candidate, word.lower())
                if surface:
                    return _like_case(surface, word)
    best: tuple[int, int, str] | None = None  # a typo the stemmer cut differently
    # Longest stems first: a stem much shorter than the typed word is rarely what was meant.
    surface_candidates = sorted((t for t in ranked if near[t][1] <= 2), key=len, reverse=True)
    for candidate in surface_candidates[:MAX_SURFACE_CHECKS]:
        surface = _surface_form(snap, candidate, word.lower(), every_field=True)
        distance = levenshtein(fold_aa(surface), typed) if surface else 3
        if (
            surface
            and distance <= 2
            and (best is None or (distance, -counts[candidate]) < best[:2])
        ):
            best = (distance, -counts[candidate], surface)
    return _like_case(best[2], word) if best else None


def _terms_starting(snap: Snapshot, letter: str) -> list[str]:
    """The sorted indexed terms of the query fields that start with `letter` (cached)."""
    by_letter = _TERMS_BY_LETTER.setdefault(snap, {})
    terms = by_letter.get(letter)
    if terms is None:
        reader = snap.searcher.reader()
        found: set[str] = set()
        for name in QUERY_FIELDS:
            field = reader.schema[name]
            found.update(field.from_bytes(text) for text in reader.expand_prefix(name, letter))
        terms = by_letter[letter] = sorted(found)
    return terms


def _near_terms(
    terms: list[str], word: str, stem_chars: int, first: int
) -> dict[str, tuple[int, int]]:
    """The terms (sorted) at most 2 edits (Levenshtein) from `word[:stem_chars]` or from some
    `word[:i]`, i >= first: term -> (edits from word[:stem_chars], fewest from such a word[:i]).

    One pass over the terms, sharing the edit-distance rows of a common prefix with the
    previous term and skipping every term below a prefix already more than 2 edits away.
    """
    found: dict[str, tuple[int, int]] = {}
    size = len(word)
    rows = [list(range(size + 1))]  # rows[j]: distances of each word[:i] to term[:j]
    previous = ""
    position = 0
    while position < len(terms):
        term = terms[position]
        common = 0
        while common < len(previous) and common < len(term) and term[common] == previous[common]:
            common += 1
        del rows[common + 1 :]
        dead = -1
        for j in range(common, len(term)):
            letter, above = term[j], rows[j]
            row = [above[0] + 1]
            for i in range(1, size + 1):
                row.append(
                    min(row[i - 1] + 1, above[i] + 1, above[i - 1] + (word[i - 1] != letter))
                )
            rows.append(row)
            if min(row) > 2:
                dead = j
                break
        previous = term[: len(rows) - 1]
        if dead >= 0:  # no term starting with term[:dead + 1] is near: skip them all
            position = bisect_left(terms, term[:dead] + chr(ord(term[dead]) + 1), position + 1)
            continue
        row = rows[-1]
        distances = (row[stem_chars], min(row[first:]) if first <= size else 3)
        if min(distances) <= 2:
            found[term] = distances
        position += 1
    return found


def _surface_form(snap: Snapshot, stem: str, near: str, every_field: bool = False) -> str | None:
    """A word of the indexed text that has this stem, the one closest to `near` (among the
    words of a few cases: of the first field that has the stem, or of every field)."""
    words: set[str] = set()
    for name in QUERY_FIELDS:
        docs, _ = snap.postings(name, stem)
        for doc in docs[snap.columns.live[docs]][:3]:
            text = str(snap.searcher.stored_fields(int(doc))["data"].get(name) or "")
            words.update(text[s:e].lower() for s, e, t in word_spans(text) if t == stem)
        if words and not every_field:
            break
    return min(words, key=lambda w: (levenshtein(w, near), w)) if words else None


def _like_case(word: str, model: str) -> str:
    if model.isupper() and len(model) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if model[:1].isupper() else word


# --- the public functions -----------------------------------------------------------------


def _query_for(snap: Snapshot, text: str) -> query.Query | None:
    parsed = parse_query(clean_query(text))
    if parsed is None:
        return None
    return _expand_prefixes(parsed, snap.searcher.reader())


def search(index: CaseIndex, params: SearchParams) -> dict[str, Any]:
    """The response body of GET /api/cases (SPEC section 6)."""
    with index.snapshot() as snap:
        if snap is None:
            return _empty_response(params)
        q = _query_for(snap, params.q)
        sel = _select(snap, params, q, scored=q is not None)
        docs = np.flatnonzero(sel.final)
        per_page = max(params.per_page, 0)  # from_args keeps 1-100; callers may go beyond
        first = (max(params.page, 1) - 1) * per_page
        keys = _sort_keys(snap.columns, docs, params.effective_sort(q is not None), sel.scores)
        page = _ordered_docs(docs, keys, first + per_page)[first:]
        suggestion = None
        if q is not None:
            suggestion = _suggestion(snap, clean_query(params.q), q, len(docs), params)
        return {
            "total": len(docs),
            "page": params.page,
            "per_page": params.per_page,
            "q": params.q or None,
            "suggestion": suggestion,
            "results": _results(snap, page, q, sel.scores),
            "facets": _facets(snap.columns, sel, params),
        }


def _results(
    snap: Snapshot, docs: np.ndarray, q: query.Query | None, scores: np.ndarray | None
) -> list[dict[str, Any]]:
    terms = _terms_by_field(q) if q is not None else {}
    results = []
    for doc in docs:
        data = snap.searcher.stored_fields(int(doc))["data"]
        snippet = _snippet(data, terms) if q is not None else _plain_snippet(data)
        score = None if scores is None else round(float(scores[doc]), 3)
        results.append(_result(data, snippet, score))
    return results


def _empty_response(params: SearchParams) -> dict[str, Any]:
    facets: dict[str, list[dict]] = {
        facet: _ordered(
            [
                _bucket(k, vocabularies.label(facet, k), 0, True)
                for k in params.filters.get(facet, ())
            ]
        )
        for facet in FACETS
    }
    chosen = params.year_from if params.year_from == params.year_to else None
    facets["start_year"] = [] if chosen is None else [_bucket(chosen, str(chosen), 0, True)]
    return {
        "total": 0,
        "page": params.page,
        "per_page": params.per_page,
        "q": params.q or None,
        "suggestion": None,
        "results": [],
        "facets": facets,
    }


def matching_refs(index: CaseIndex, params: SearchParams) -> list[str]:
    """Every matching ref in the search's order (for exports); page and per_page ignored."""
    with index.snapshot() as snap:
        if snap is None:
            return []
        q = _query_for(snap, params.q)
        sort = params.effective_sort(q is not None)
        sel = _select(snap, params, q, scored=q is not None and sort == "relevance")
        docs = np.flatnonzero(sel.final)
        ordered = _ordered_docs(docs, _sort_keys(snap.columns, docs, sort, sel.scores), None)
        return [str(snap.columns.refs[d]) for d in ordered]


def similar(index: CaseIndex, ref: str, limit: int = 5) -> list[dict[str, Any]]:
    """The cases most like a case (never itself), in search-result shape."""
    with index.snapshot() as snap:
        doc = None if snap is None else snap.columns.doc_of_ref.get(ref)
        if snap is None or doc is None:
            raise NotFound(f"No case with ref '{ref}'.")
        limit = max(0, min(int(limit), MAX_PER_PAGE))
        cols = snap.columns
        data = snap.searcher.stored_fields(doc)["data"]
        scores = _text_similarity(snap, data) + _facet_similarity(cols, doc)
        candidates = np.flatnonzero((scores > 0) & cols.live)
        candidates = candidates[candidates != doc]
        ordered = _ordered_docs(
            candidates, _sort_keys(cols, candidates, "relevance", scores), limit
        )
        results = []
        for other in ordered:
            other_data = snap.searcher.stored_fields(int(other))["data"]
            results.append(
                _result(other_data, _plain_snippet(other_data), round(float(scores[other]), 3))
            )
        return results


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
    _, scores = _Evaluator(snap, scored=True).run(q)
    top = scores.max()
    return scores / top if top > 0 else scores


def _facet_similarity(cols: Columns, doc: int) -> np.ndarray:
    """A bonus for each collaboration form, theme and municipality shared with the case."""
    weights = np.zeros(VALUE_COUNT)
    own = cols.code_values[cols.code_docs == doc]
    for facet, bonus in SIMILAR_FACET_BONUS.items():
        base = FACET_BASE[facet]
        span = own[(own >= base) & (own < base + len(FACET_VALUES[facet]))]
        weights[span] = bonus
    return np.bincount(cols.code_docs, weights=weights[cols.code_values], minlength=cols.size)
