"""Danish compounds: which known words a word is made of, so its parts can be found too.

A word is split into known words (engine/lexicon.py, plus the corpus's own words), with the
linking letters Danish uses between them (-s-, -e-), recursively, so "byfornyelsesloven" is
by + fornyelse + loven. Whether to split is decided the way Koehn and Knight (2003) proposed:
the split wins when the geometric mean of its parts' frequencies is higher than the whole
word's own frequency, so a common word is left whole ("transport" is more common than "tran"
and "sport" together) and a rare compound is split ("cykelsti": cykel and sti). The first
parts must be base forms (lemmas) of the lexicon; only the last part may be inflected
("stier", "loven"). A part shorter than MIN_PART letters is split off only when it is a word
of its own (SHORT_PARTS: by, ø, å), and NOT_PARTS (suffixes that look like words: -hed, -skab,
-ion, ...) are never parts. NEVER_SPLIT holds false friends the rules would still split.

`spans` gives what the index stores beside the word itself: each part and each run of
neighbouring parts (byfornyelse, fornyelsesloven), as written in the word.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from functools import lru_cache

from .. import vocabularies
from .lexicon import VERSIONS, Lexicon, lexicon

MIN_PART = 3
SHORT_PARTS = frozenset({"by", "ø", "å", "bo"})
LINKS = ("", "s", "e")
MAX_WORD = 40  # longer "words" (codes, run-together text) are not split
MAX_PARTS = 5
# A split into more than two parts must do this much better per extra part: short common
# words would otherwise win over the longer part they spell (kultur|arven, not kul|tur|arven).
EXTRA_PART_FACTOR = 0.5
# Endings and small words that are words of their own in the lexicon but never a compound's
# part in practice: split off, they would make "fællesskab" fælles + skab, "forening" for + ening.
NOT_PARTS = frozenset(
    # endings: derivation (-hed, -skab, -ning, ...) and inflection (-erne, -ene, -ten, ...)
    "hed heden heder hederne skab skabet skaber skaberne skabs ion ning ningen ninger else "
    "dom ende ere ist isme tion sel ge ling ige lig ske erne ene ens ets ten rne ter tet "
    "lse ser ret rer ren ing ern tor ner "
    # small words that are not content words: pronouns, prepositions, conjunctions
    "for med han hun den det der som til fra over under mod bor ned op ud ind af på om er "
    "en et es sin sit sine min mit mine din dit dine hans vor vore man men når hvis end "
    "ham dem jeg vi de du and".split()
)
# Words the frequency rule would split wrongly, kept whole (false friends).
NEVER_SPLIT = frozenset(
    "transport transporten institution institutionen institutioner stationen sportsplads "
    "forening foreningen foreninger landskab landskabet fællesskab fællesskabet "
    "samarbejde samarbejdet bygning bygningen beboer beboere borger borgere "
    "kommune kommunen kommuner ejendom ejendomme område området".split()
) | frozenset(term.key.casefold() for term in vocabularies.MUNICIPALITIES)

# Part of the index format (engine/generations.py): other rules or another lexicon split the
# texts otherwise, so the index is rebuilt.
SPLIT_FINGERPRINT = hashlib.sha256(
    repr(
        (VERSIONS, sorted(NOT_PARTS), sorted(NEVER_SPLIT), sorted(SHORT_PARTS), LINKS)
        + (MIN_PART, MAX_WORD, MAX_PARTS, EXTRA_PART_FACTOR)
    ).encode()
).hexdigest()[:8]

# A corpus word: how often (per token, comparable to the lexicon's) a word not in the lexicon
# counts; None when the corpus does not know it.
CorpusFrequency = Callable[[str], float | None]


class Splitter:
    """Splits words into compound parts; one per lexicon and corpus, caching every word."""

    def __init__(self, words: Lexicon | None = None, corpus: CorpusFrequency | None = None):
        self.words = words or lexicon()
        self.corpus = corpus
        self.parts = lru_cache(maxsize=200_000)(self._parts)
        self.spans = lru_cache(maxsize=200_000)(self._spans)
        self._splits = lru_cache(maxsize=200_000)(self._splits_uncached)

    def frequency(self, word: str) -> float:
        found = self.words.frequency(word)
        if not found and self.corpus is not None:
            found = self.corpus(word) or 0.0
        return found

    def _known(self, part: str, last: bool) -> bool:
        if part in NOT_PARTS or (len(part) < MIN_PART and part not in SHORT_PARTS):
            return False
        if last:
            return self.frequency(part) > 0
        if self.words.is_lemma(part):
            return True
        # A corpus word (a name: Gellerup) may lead, unless it is an inflected form (byens).
        return (
            self.corpus is not None and part not in self.words.lemma_of and bool(self.corpus(part))
        )

    def _modifiers(self, word: str, cut: int) -> list[tuple[str, str, str]]:
        """Readings of word[:cut] as a first part: (written, linking letter, lexicon word).

        A first part ending in -e may drop it before the linking -s- (arbejde: arbejdspladser).
        """
        head = word[:cut]
        found = []
        if self._known(head, last=False):
            found += [(head, link, head) for link in LINKS if word[cut:].startswith(link)]
        if (
            word[cut:].startswith("s")
            and head not in NOT_PARTS
            and self._known(head + "e", last=False)
        ):
            found.append((head, "s", head + "e"))
        return found

    def _splits_uncached(self, word: str) -> tuple[tuple[tuple[str, str, str], ...], ...]:
        """Every way to read `word` as known parts: (written, linking letter, lexicon word)."""
        found: list[tuple[tuple[str, str, str], ...]] = []
        if self._known(word, last=True):
            found.append(((word, "", word),))
        for cut in range(1, len(word) - 1):
            for head, link, looked_up in self._modifiers(word, cut):
                rest = word[cut + len(link) :]
                if len(rest) < 2:
                    continue
                for tail in self._splits(rest):
                    if len(tail) < MAX_PARTS:
                        found.append(((head, link, looked_up), *tail))
        return tuple(found)

    def _parts(self, word: str) -> tuple[tuple[str, str], ...]:
        """The best split of a (lower-case) word: (part as written, linking letter) pairs;
        () when it is best left whole."""
        if len(word) > MAX_WORD or word in NEVER_SPLIT or not word.isalpha():
            return ()
        best: tuple[tuple[str, str, str], ...] = ()
        best_score = self.words.frequency(word)
        for candidate in self._splits(word):
            if len(candidate) < 2:
                continue
            logs = [math.log(self.frequency(looked_up)) for _, _, looked_up in candidate]
            score = math.exp(sum(logs) / len(logs)) * EXTRA_PART_FACTOR ** (len(candidate) - 2)
            if score > best_score:
                best, best_score = candidate, score
        return tuple((written, link) for written, link, _ in best)

    def _spans(self, word: str) -> tuple[str, ...]:
        """The strings indexed beside a compound: each part, each run of neighbouring parts."""
        parts = self.parts(word)
        found: list[str] = []
        for first in range(len(parts)):
            for last in range(first, len(parts)):
                if first == 0 and last == len(parts) - 1:
                    continue  # the word itself
                # Linking letters inside a run stay; the run's own last one does not.
                run = parts[first : last + 1]
                text = "".join(p + link for p, link in run[:-1]) + run[-1][0]
                found.append(text)
        if parts:  # the last part in its base form too: cykelstier is found by "sti"
            found.append(self.words.lemma(parts[-1][0]))
        return tuple(dict.fromkeys(found))


_default: Splitter | None = None


def splitter() -> Splitter:
    """The process's splitter over the lexicon alone (the index passes its corpus too)."""
    global _default
    if _default is None:
        _default = Splitter()
    return _default
