"""Did you mean: a corrected q when a word looks misspelt and the correction finds more.

How candidates are found and chosen is in docs/decisions.md (suggestions).
"""

from __future__ import annotations

import weakref
from bisect import bisect_left
from typing import Any

from whoosh import query
from whoosh.support.levenshtein import levenshtein

from ..vocabularies import fold_aa
from .analysis import index_term, term_spans
from .filters import select
from .params import SearchParams
from .query import QUERY_FIELDS, expand_prefixes, parse_query, positive_leaves
from .schema import SEARCH_FIELDS
from .snapshot import Snapshot

RARE_RATIO = 4  # a correction must be this many times more common than the word
RARE_MAX_DOCS = 2  # words in more cases than this (or RARE_MAX_SHARE of all) are not corrected
RARE_MAX_SHARE = 0.0001
MIN_SPELL_CHARS = 4
SUFFIX_SLACK = 8  # a correction's stem may be this many letters shorter than the typed word
MAX_SURFACE_CHECKS = 10  # candidates whose indexed words are compared with the typed word

# Per snapshot: first letter -> the sorted terms of the query fields starting with it.
_TERMS_BY_LETTER: weakref.WeakKeyDictionary[Snapshot, dict[str, list[str]]] = (
    weakref.WeakKeyDictionary()
)
# Per snapshot: every term without its first letter (sorted), and the terms of each such tail.
_TAILS: weakref.WeakKeyDictionary[Snapshot, tuple[list[str], dict[str, list[str]]]] = (
    weakref.WeakKeyDictionary()
)


def _document_frequency(reader: Any, term: str) -> int:
    return max(reader.doc_frequency(name, term) for name in SEARCH_FIELDS)


def suggestion(
    snap: Snapshot, text: str, q: query.Query, total: int, params: SearchParams
) -> str | None:
    """A corrected q when a word looks misspelt and the correction finds more, else None."""
    reader = snap.searcher.reader()
    words = {}
    for leaf in positive_leaves(q):
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
    fixed = expand_prefixes(fixed, reader)
    found = int(select(snap, params, fixed, scored=False).final.sum())
    return corrected if found > total else None


def _correction(snap: Snapshot, word: str) -> str | None:
    """A more common indexed word one or two edits away, when `word` is unknown or rare.

    Two kinds of candidates, both found in one walk over the indexed terms (`_near_terms`):
    stems one or two edits from the stem of `word` (a typo inside the stem), else stems of
    which some word of the indexed text is one or two edits from `word` itself. A word the
    index does not hold at all may also have a typo in its first letter (a walk over every
    term: only then). The second
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
    found = _best_of(snap, near, word, typed, least)
    if found is None and frequency == 0:  # a typo in the first letter of an unknown word
        found = _best_of(
            snap, _first_letter_wrong(snap, typed, len(stem), first), word, typed, least
        )
    return found


def _first_letter_wrong(
    snap: Snapshot, typed: str, stem_chars: int, first: int
) -> dict[str, tuple[int, int]]:
    """Terms with another first letter whose rest is at most one edit from the typed rest."""
    tails, terms_of = _tails(snap)
    near = _near_terms(tails, typed[1:], stem_chars - 1, max(first - 1, 1))
    found: dict[str, tuple[int, int]] = {}
    for tail, (inside, anywhere) in near.items():
        if min(inside, anywhere) > 1:
            continue
        for term in terms_of[tail]:
            if term[0] != typed[0]:
                found[term] = (inside + 1, anywhere + 1)
    return found


def _best_of(
    snap: Snapshot, near: dict[str, tuple[int, int]], word: str, typed: str, least: int
) -> str | None:
    """The correction among candidate terms: common enough, then the one whose word (as the
    indexed text writes it) is fewest edits from what was typed, then the commonest."""
    reader = snap.searcher.reader()
    counts = {term: _document_frequency(reader, term) for term in near}
    candidates = sorted(
        (term for term in near if counts[term] >= least and min(near[term]) <= 2),
        key=lambda t: (min(near[t]), -counts[t], -len(t), t),
    )
    best: tuple[int, int, str] | None = None
    for rank, candidate in enumerate(candidates[:MAX_SURFACE_CHECKS]):
        surface = _surface_form(snap, candidate, word.lower(), every_field=True)
        if not surface:
            continue
        distance = levenshtein(fold_aa(surface), typed)
        if distance <= 2 and (best is None or (distance, rank) < best[:2]):
            best = (distance, rank, surface)
    return _like_case(best[2], word) if best else None


def _tails(snap: Snapshot) -> tuple[list[str], dict[str, list[str]]]:
    """Every indexed term of the query fields without its first letter, sorted (cached)."""
    cached = _TAILS.get(snap)
    if cached is None:
        reader = snap.searcher.reader()
        terms_of: dict[str, list[str]] = {}
        for name in QUERY_FIELDS:
            field = reader.schema[name]
            for text, _ in reader.iter_field(name):
                term = field.from_bytes(text) if isinstance(text, bytes) else text
                if len(term) > 1 and term not in terms_of.get(term[1:], ()):
                    terms_of.setdefault(term[1:], []).append(term)
        cached = _TAILS[snap] = (sorted(terms_of), terms_of)
    return cached


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
            words.update(text[s:e].lower() for s, e, _ in term_spans(text, frozenset([stem])))
        if words and not every_field:
            break
    return min(words, key=lambda w: (levenshtein(w, near), w)) if words else None


def _like_case(word: str, model: str) -> str:
    if model.isupper() and len(model) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if model[:1].isupper() else word
