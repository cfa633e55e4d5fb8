"""A query evaluated over a whole index generation with numpy: a match mask and scores.

Term postings are read as arrays and scored with Whoosh's own BM25F formula and statistics,
so term scores equal Whoosh's. The match sets of recent queries are cached per generation:
paging and facet clicks repeat the same q.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from itertools import pairwise
from typing import Any

import numpy as np
from whoosh import query

from .query import Widened
from .schema import PAIRS_FIELD, SEARCH_FIELDS, TEXT_FIELDS, common_numbers, pair_term
from .snapshot import Snapshot
from .whooshlib import bm25_b

QUERY_CACHE_SIZE = 16  # match sets kept per index generation (paging, facet clicks)
# A case found only by a synonym scores at most this share of the typed term's lowest score.
SYNONYM_SHARE = 0.9
_POSITION_STRIDE = 1 << 32  # docnum * stride + position: one int64 key per word occurrence


class Evaluator:
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
        if isinstance(q, Widened):
            return self.widened(q)
        if isinstance(q, (query.And, query.Or)) and type(q) in (query.And, query.Or):
            return self.compound(q)
        return self.fallback(q)

    def widened(self, q: Widened) -> tuple[np.ndarray, np.ndarray]:
        """A term or its synonyms: a case with only a synonym scores below SYNONYM_SHARE of
        the lowest score of the cases holding the term, so it always ranks after them."""
        original, *others = q.subqueries
        mask, score = self.node(original)
        other_mask, other_score = self.disjunction(others)
        held = mask & self.cols.live
        if self.scored and held.any():
            other_score = np.minimum(other_score, SYNONYM_SHARE * score[held].min())
        either = mask | other_mask
        return either, np.where(mask, score, np.where(other_mask, other_score, 0.0))

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
        if q.fieldname not in SEARCH_FIELDS:
            return np.zeros(0, np.int64), np.zeros(0)
        ids, weights = self.snap.postings(q.fieldname, q.text)
        if not self.scored or not len(ids):
            return ids, np.zeros(len(ids))
        return ids, q.boost * self._bm25(q.fieldname, weights, ids)

    def phrase(self, q: Any) -> tuple[np.ndarray, np.ndarray]:
        """Docs where the words stand side by side. Two common words side by side are looked
        up in the pairs field (schema.WordPairs); positions are read only where a phrase is
        longer or has a rarer word (whose posting list is short), and only in the docs holding
        every word."""
        words = [query.Term(q.fieldname, str(w), boost=q.boost) for w in q.words]
        mask = self.cols.live.copy()
        common, unpaired = self.snap.common, len(words) > 2
        numbers = common_numbers(common)
        for first, second in pairwise(q.words):
            if first not in common or second not in common:
                unpaired = True  # a rarer word: its short list, then positions (below)
                continue
            number = numbers[second]
            held, seconds = self.snap.positions(
                PAIRS_FIELD, pair_term(q.fieldname, first, number), mask
            )
            mask = np.zeros(self.cols.size, dtype=bool)
            mask[held[seconds == number]] = True
        if not mask.any():  # a pair no case holds: no word's postings need reading
            return mask, np.zeros(self.cols.size)
        score = np.zeros(self.cols.size)
        for word in words:
            word_mask, word_score = self.term(word)
            mask &= word_mask
            score += word_score
        starts: np.ndarray | None = None
        for i, word in enumerate(words if unpaired and mask.any() else []):
            found_docs, found_positions = self.snap.positions(q.fieldname, word.text, mask)
            keys = np.unique(found_docs * _POSITION_STRIDE + (found_positions - i + 64))
            starts = keys if starts is None else np.intersect1d(starts, keys, assume_unique=True)
        if starts is not None:
            mask = np.zeros(self.cols.size, dtype=bool)
            mask[starts // _POSITION_STRIDE] = True
        return mask, np.where(mask, score, 0.0)

    def _bm25(self, fieldname: str, tf: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """whoosh.scoring.BM25F, vectorised (same idf, average length and parameters).

        Whoosh's idf is log(N / (df + 1)) + 1 with N and df counting deleted documents too:
        df is then the length of the term's postings (deletions are masked later), which
        saves a second look-up of the term in every segment (prefixes expand to hundreds)."""
        idf = math.log(self.cols.size / (len(ids) + 1)) + 1
        avgfl = self.searcher.avg_field_length(fieldname) or 1
        b, k1 = bm25_b(self.weighting, fieldname), self.weighting.K1
        fl = self.cols.lengths[fieldname][ids]
        return idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / avgfl)))

    def fallback(self, q: query.Query) -> tuple[np.ndarray, np.ndarray]:
        """Whoosh's own matcher for node types without a vector form (e.g. a phrase with slop)."""
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


def matches(snap: Snapshot, q: query.Query, scored: bool) -> tuple[np.ndarray, np.ndarray]:
    """The (cached) match mask and scores of q in this generation; callers must not modify."""
    key = repr(q)
    cached = snap.query_cache.get(key)
    if cached is not None and (cached[0] or not scored):
        snap.query_cache.move_to_end(key)
        return cached[1], cached[2]
    mask, scores = Evaluator(snap, scored).run(q)
    snap.query_cache[key] = (scored, mask, scores)
    while len(snap.query_cache) > QUERY_CACHE_SIZE:
        snap.query_cache.popitem(last=False)
    return mask, scores
