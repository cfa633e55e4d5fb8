"""Danish text analysis shared by indexing, querying, snippets and sorting.

One analyzer chain serves the index and the queries: tokenize, lower-case, read `aa` as `å`
(before the stemmer, so Aarhus = Århus and haandværkere = håndværkere), drop Danish stop words,
Snowball Danish stemming. `index_term` and `word_spans` repeat the chain in plain Python (with
a cache) for snippets, where running Whoosh's analyzer over every result would be slow. The
same `aa` reading serves vocabulary look-ups (vocabularies.fold_aa).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.lang import stemmer_for_language, stopwords_for_language

from ..vocabularies import fold_aa

# Whoosh's default token pattern (its `*` lets `word*` through the query tokenizer).
TOKEN_PATTERN = re.compile(r"[\w\*]+(\.?[\w\*]+)*")
WORD_PATTERN = re.compile(r"\w+(\.?\w+)*")
MIN_WORD_LENGTH = 2  # Whoosh's StopFilter default: one-letter tokens are not indexed
STOP_WORDS = frozenset(stopwords_for_language("da"))

_stem = stemmer_for_language("da")


class AaFoldFilter(Filter):
    """Whoosh filter: `aa` -> `å` on lower-cased tokens; must run before the stemmer."""

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        for token in tokens:
            if "aa" in token.text:
                token.text = fold_aa(token.text)
            yield token


class DanishStemFilter(StemFilter):
    """Snowball Danish stemming; a token holding `*` (none reach it from Whoosh's parser, which
    takes prefixes apart itself) is left whole."""

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        stem = self._stem
        for token in tokens:
            if not token.stopped and "*" not in token.text:
                token.text = stem(token.text)
            yield token


def danish_analyzer():  # type: ignore[no-untyped-def]
    """The analyzer of every searchable text field and of queries."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | AaFoldFilter()
        # Danish stop words only: `lang="da"` would add English ones, "by" (town) among them.
        | StopFilter(stoplist=STOP_WORDS, minsize=MIN_WORD_LENGTH)
        | DanishStemFilter(lang="da", cachesize=100_000)
    )


@lru_cache(maxsize=500_000)
def _token_term(token: str) -> str | None:
    """The term the analyzer chain makes of one token of TOKEN_PATTERN (None: dropped)."""
    folded = fold_aa(token.lower())
    if len(folded) < MIN_WORD_LENGTH or folded in STOP_WORDS:
        return None
    return folded if "*" in folded else _stem(folded)


@lru_cache(maxsize=32)  # a document's texts are read for their terms and for their pairs
def indexed_terms(text: str) -> tuple[str, ...]:
    """The terms of a text in order, exactly as the analyzer chain indexes them (stop words
    dropped and not counted as positions), in one pass with a cache per word: the fast path
    of indexing (engine/schema.py), several times quicker than Whoosh's chain of filters."""
    term_of = _token_term
    return tuple(t for m in TOKEN_PATTERN.finditer(text) if (t := term_of(m.group())) is not None)


@lru_cache(maxsize=200_000)
def index_term(word: str) -> str | None:
    """The indexed term of one word (None for a stop word or a too short word)."""
    folded = fold_aa(word.lower())
    if len(folded) < MIN_WORD_LENGTH or folded in STOP_WORDS:
        return None
    return _stem(folded)


def word_spans(text: str) -> Iterator[tuple[int, int, str | None]]:
    """(start, end, indexed term) for each word of a text, as the analyzer would index it."""
    for match in WORD_PATTERN.finditer(text):
        yield match.start(), match.end(), index_term(match.group())


def term_spans(text: str, terms: frozenset[str]) -> Iterator[tuple[int, int, str]]:
    """(start, end, term) of each word of a text whose indexed term is one of `terms`.

    Snowball's Danish stemmer only takes endings off, so a word's term begins its folded,
    lower-case form: a word that begins with none of `terms` is not stemmed at all (a snippet
    of a hit reads a few thousand words, most of them met for the first time).
    """
    prefixes = tuple(terms)
    if not prefixes:
        return
    for match in WORD_PATTERN.finditer(text):
        word = match.group()
        if fold_aa(word.lower()).startswith(prefixes):
            term = index_term(word)
            if term in terms:
                yield match.start(), match.end(), term


# Danish alphabetical order: æ, ø, å after z; `aa` is å; ä/ö/ü read as æ/ø/y; other accents
# ignored. The three letters map to the code points just after "z".
_DANISH_LETTERS = str.maketrans({"æ": "{", "ø": "|", "å": "}", "ä": "{", "ö": "|", "ü": "y"})


@lru_cache(maxsize=4096)
def _sort_key_cached(text: str) -> str:
    return danish_sort_key_uncached(text)


def danish_sort_key_uncached(text: str) -> str:
    """A string that sorts in Danish alphabetical order, case-insensitively."""
    folded = fold_aa(unicodedata.normalize("NFC", text).casefold()).translate(_DANISH_LETTERS)
    stripped = unicodedata.normalize("NFD", folded)
    return "".join(c for c in stripped if not unicodedata.combining(c)).strip()


def danish_sort_key(text: str) -> str:
    """Cached `danish_sort_key_uncached` for the short strings (labels) sorted per request."""
    return _sort_key_cached(text) if len(text) < 200 else danish_sort_key_uncached(text)
