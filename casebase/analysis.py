"""Danish text analysis shared by indexing, querying, snippets and sorting.

One analyzer chain serves the index and the queries: tokenize, lower-case, read `aa` as `å`
(before the stemmer, so Aarhus = Århus and haandværkere = håndværkere), drop Danish stop words,
Snowball Danish stemming. `index_term` and `word_spans` repeat the chain in plain Python (with
a cache) for snippets, where running Whoosh's analyzer over every result would be slow.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.lang import stemmer_for_language, stopwords_for_language

# Whoosh's default token pattern (its `*` lets `word*` through the query tokenizer).
TOKEN_PATTERN = re.compile(r"[\w\*]+(\.?[\w\*]+)*")
WORD_PATTERN = re.compile(r"\w+(\.?\w+)*")
MIN_WORD_LENGTH = 2  # Whoosh's StopFilter default: one-letter tokens are not indexed
STOP_WORDS = frozenset(stopwords_for_language("da"))

_stem = stemmer_for_language("da")


def fold_aa(text: str) -> str:
    """Read the old spelling `aa` as `å` (on lower-cased text)."""
    return text.replace("aa", "å")


class AaFoldFilter(Filter):
    """Whoosh filter: `aa` -> `å` on lower-cased tokens; must run before the stemmer."""

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        for token in tokens:
            if "aa" in token.text:
                token.text = fold_aa(token.text)
            yield token


class DanishStemFilter(StemFilter):
    """Snowball Danish stemming, except for the `word*` of a prefix query (left whole)."""

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


# --- snippets -----------------------------------------------------------------------------

SNIPPET_CHARS = 240
SNIPPET_CONTEXT = 60  # characters shown before the first mark
SNIPPET_SCAN_CHARS = 20_000  # only the start of a very long text is searched for matches


def plain_snippet(text: str) -> str:
    """The escaped start of a text, cut at a word."""
    text = " ".join(text.split())
    if len(text) <= SNIPPET_CHARS:
        return html.escape(text)
    cut = text.rfind(" ", 0, SNIPPET_CHARS)
    return html.escape(text[: cut if cut > SNIPPET_CHARS // 2 else SNIPPET_CHARS]) + " …"


def matched_spans(text: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) of each word of the text whose indexed term is one of `terms`."""
    return [(s, e, t) for s, e, t in word_spans(text[:SNIPPET_SCAN_CHARS]) if t in terms]


def marked_snippet(text: str, spans: list[tuple[int, int, str]]) -> str:
    """The SNIPPET_CHARS-long stretch with the most distinct matches, escaped, matches marked."""
    best_start, best_count = spans[0][0], 0
    for start, _, _ in spans[:50]:
        inside = {t for s, e, t in spans if s >= start and e <= start + SNIPPET_CHARS}
        if len(inside) > best_count:
            best_start, best_count = start, len(inside)
    # Context before the first match, but no wasted room at the end of a short text.
    start = max(0, min(best_start - SNIPPET_CONTEXT, len(text) - SNIPPET_CHARS))
    if start > 0:
        space = text.find(" ", start, best_start)
        start = space + 1 if space >= 0 else best_start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", max(best_start + 1, start + SNIPPET_CHARS // 2), end)
        end = space if space > 0 else end
    pieces, position = [], start
    for s, e, _ in spans:
        if s >= position and e <= end:
            pieces += [html.escape(text[position:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
            position = e
    pieces.append(html.escape(text[position:end]))
    body = " ".join("".join(pieces).split())
    return ("… " if start > 0 else "") + body + (" …" if end < len(text) else "")
