"""The corpus's own words, for the compound splitter: domain words and names the lexicon lacks.

A word counts as a corpus word when its stem occurs in the texts (title, summary, description,
results) of at least MIN_CORPUS_CASES cases, so "gellerup" can be a part of "gellerupplanen".
Its frequency for the splitter's comparison is CORPUS_FREQUENCY, the frequency of a rare
written word: a corpus word joins a split, but never beats a lexicon word that is more common.

Two ways to count: a rebuild counts the texts it is about to index (`corpus_of_texts`, one
quick pass before the indexing pass), so the whole index is split with the same words; writes
between rebuilds use the words of the index generation they go into (`corpus_of_index`, its
terms counted per field), refreshed as the generation grows (engine/generations.py).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from .. import vocabularies
from .analysis import index_term, indexed_terms
from .compounds import CorpusFrequency
from .snapshot import Snapshot

MIN_CORPUS_CASES = 3
# Common words: in at least this share of the cases, and at least COMMON_MIN_CASES of them,
# and every word of the vocabularies' labels (the labels field repeats them in most cases).
# Two common words side by side are indexed as a pair (engine/schema.py), so a phrase of them
# is one posting list; a phrase with a rarer word reads that word's short list instead.
COMMON_SHARE = 0.01
COMMON_MIN_CASES = 50
MIN_CORPUS_CHARS = 4
CORPUS_FREQUENCY = 2e-6
CORPUS_FIELDS = ("title", "summary", "description", "results")
_WORDS = re.compile(r"[^\W\d_]{2,}")


def corpus_of_texts(
    cases: Iterable[Sequence[str | None]],
) -> tuple[CorpusFrequency, frozenset[str]]:
    """The look-up over the texts of every case (one sequence of texts per case), and the
    common words' terms (COMMON_SHARE)."""
    words: Counter[str] = Counter()
    count_of_cases = 0
    for texts in cases:
        words.update(set(_WORDS.findall(" ".join(t for t in texts if t).lower())))
        count_of_cases += 1
    cases_by_stem: Counter[str] = Counter()  # of the words of MIN_CORPUS_CHARS or more
    all_by_stem: Counter[str] = Counter()
    for word, count in words.items():  # a case with two forms of a stem counts twice: rare
        stem = index_term(word)
        if stem is not None:
            all_by_stem[stem] += count
            if len(word) >= MIN_CORPUS_CHARS:
                cases_by_stem[stem] += count
    corpus = {stem for stem, count in cases_by_stem.items() if count >= MIN_CORPUS_CASES}
    least = max(COMMON_MIN_CASES, COMMON_SHARE * count_of_cases)
    common = frozenset(stem for stem, count in all_by_stem.items() if count >= least)
    return _lookup(corpus), common


def label_terms() -> frozenset[str]:
    """The indexed terms of every vocabulary label, Danish and English: the labels field holds
    them in case after case, so a phrase of them (a synonym like "housing association") would
    otherwise read the positions of two long posting lists."""
    labels = (
        text
        for terms in vocabularies.VOCABULARIES.values()
        for term in terms
        for text in (term.da, term.en)
        if text
    )
    return frozenset(t for text in labels for t in indexed_terms(text))


def corpus_of_index(snap: Snapshot) -> CorpusFrequency:
    """The look-up over one index generation (a stem in enough cases in one of the fields).

    Each segment's terms are read on their own and their counts summed: Whoosh's reader of
    several segments merges their term lists in Python, eight times slower at 100,000 cases."""
    cases: Counter[tuple[str, str]] = Counter()
    for leaf, _ in snap.searcher.reader().leaf_readers():
        for fieldname in CORPUS_FIELDS:
            for text, info in leaf.iter_field(fieldname):
                cases[fieldname, text] += info.doc_frequency()
    stems = {
        text.decode() if isinstance(text, bytes) else text
        for (_, text), count in cases.items()
        if count >= MIN_CORPUS_CASES
    }
    return _lookup(stems)


def _lookup(stems: set[str]) -> CorpusFrequency:
    def frequency(word: str) -> float | None:
        if len(word) < MIN_CORPUS_CHARS:
            return None
        return CORPUS_FREQUENCY if index_term(word) in stems else None

    return frequency
