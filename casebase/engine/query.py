"""Query text -> Whoosh query: cleaning, parsing with a plain-words fallback, prefix expansion.

Pure (no index needed) except `expand_prefixes`, which looks up the index's terms. The rules
(what a q may hold, what is dropped, how `word*` reads) are in docs/decisions.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from whoosh import qparser, query

from .analysis import index_term
from .schema import PARTS_FIELD, SCHEMA, SEARCH_FIELDS, TEXT_FIELDS

# A word in a compound counts less than the word itself (docs/contract.md section 9).
PARTS_BOOST = 0.6
FIELD_BOOSTS = {
    "title": 4.0,
    "summary": 2.0,
    "description": 1.0,
    "results": 1.0,
    "labels": 0.5,
    "documents": 0.3,  # a case's documents count less than its own fields (contract 13)
    PARTS_FIELD: PARTS_BOOST,
}
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


def _fields(widen: bool) -> tuple[str, ...]:
    """Where a plain word is looked for: with compounds' parts, or (exact) as written only."""
    return SEARCH_FIELDS if widen else TEXT_FIELDS


def _parser(widen: bool) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(
        list(_fields(widen)), SCHEMA, fieldboosts=FIELD_BOOSTS, group=qparser.AndGroup
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


def parse_query(text: str, widen: bool = True) -> query.Query | None:
    """The Whoosh query for a q (already cleaned); None when it has no searchable words.

    With `widen`, a word is also looked for among the parts of compounds.
    """
    try:
        parsed = _parser(widen).parse(text)
    except Exception:  # the parser is lenient, but a q must never be an error
        parsed = None
    if parsed is None or parsed is query.NullQuery or not _well_formed(parsed):
        parsed = plain_query(text, widen)
    if parsed is not None and widen:
        parsed = _without_part_phrases(parsed)
    return parsed if parsed is not None and has_terms(parsed) else None


class Widened(query.Or):
    """A query term (the first child) or its synonyms (the others): engine/evaluate.py scores
    a case holding only a synonym below every case holding the term itself."""


def analyzed(text: str) -> list[str]:
    """The terms the analyzer makes of a text, as a query would (stop words dropped)."""
    analyzer: Any = SCHEMA["description"].analyzer
    return [token.text for token in analyzer(text.replace("*", " "), mode="query")]


def _without_part_phrases(q: query.Query) -> query.Query:
    """A phrase is never looked for among compounds' parts (they keep no positions)."""

    def drop(node: query.Query) -> query.Query:
        if isinstance(node, query.Phrase) and node.fieldname == PARTS_FIELD:
            return query.NullQuery
        return node.apply(drop)

    return drop(q).normalize()


def plain_query(text: str, widen: bool = True) -> query.Query | None:
    """Every word of the text must match, in any field: the reading when the syntax fails."""
    words = []
    analyzer: Any = SCHEMA["description"].analyzer
    for token in analyzer(text.replace("*", " "), mode="query", chars=True):
        terms: list[Any] = [
            query.Term(name, token.text, boost=FIELD_BOOSTS[name]) for name in _fields(widen)
        ]
        for term in terms:  # kept for suggestions, as the parser does
            term.startchar, term.endchar = token.startchar, token.endchar
        words.append(query.Or(terms))
    return query.And(words) if words else None


def _well_formed(q: query.Query) -> bool:
    for node in walk(q):
        if isinstance(node, (query.Every, query.Wildcard)) or node is query.NullQuery:
            return False
        if isinstance(node, query.Prefix) and (
            len(node.text) < MIN_PREFIX_CHARS or "*" in node.text
        ):
            return False
        if isinstance(node, query.Wildcard | query.Prefix | query.Term | query.Phrase) and (
            node.fieldname not in SEARCH_FIELDS
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


def walk(q: query.Query) -> Iterable[query.Query]:
    yield q
    for child in q.children():
        yield from walk(child)


def has_terms(q: query.Query) -> bool:
    return any(isinstance(n, (query.Term, query.Phrase, query.Prefix)) for n in walk(q))


def positive_leaves(q: query.Query) -> Iterable[query.Query]:
    """The term-like leaves of q that must or may match (not those under NOT)."""
    if isinstance(q, query.Not):
        return
    if isinstance(q, query.AndNot):
        yield from positive_leaves(q.a)
        return
    if isinstance(q, (query.Term, query.Phrase, query.Prefix)):
        yield q
        return
    for child in q.children():
        yield from positive_leaves(child)


def expand_prefixes(q: query.Query, reader: Any) -> query.Query:
    """Prefix(field, word) -> Or of the indexed terms that words starting with `word` have.

    Whoosh's parser hands over the stem of what was typed before the `*` (bolig* -> "bol"),
    so this finds the indexed terms starting with that stem (boliger, bolde, ...) and the stem
    itself, at most MAX_PREFIX_TERMS of them.
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
