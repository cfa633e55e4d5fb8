"""The field's thesaurus at query time: a term of the query also finds its group's other terms.

Groups of equivalent terms (casebase/thesaurus.py keeps them in the database) are compiled
once per version: each term becomes the stems the analyzer makes of it, so a term matches the
query however it is inflected, and a term of several words matches those words in a row. A
case found only by a synonym scores below every case holding the typed term (the Widened node,
engine/evaluate.py); among themselves synonyms count SYNONYM_BOOST.
Abbreviations that are also Danish base words or shorter than three letters (LAG, BID, KL) are
never searched FOR, only FROM: their text would find other words ("lag", "kl.").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from whoosh import query

from .lexicon import Lexicon, lexicon
from .query import FIELD_BOOSTS, SCHEMA, SEARCH_FIELDS, TEXT_FIELDS, Widened, analyzed
from .results import Expansion

SYNONYM_BOOST = 0.5
MIN_ABBREVIATION_CHARS = 3


@dataclass(frozen=True)
class _Term:
    written: str
    stems: tuple[str, ...]
    searchable: bool  # may be searched for as a synonym


class Thesaurus:
    """Compiled groups: the stems of each term -> its group's terms."""

    def __init__(self, groups: Iterable[Sequence[str]], words: Lexicon | None = None) -> None:
        self._words = words
        self.by_stems: dict[tuple[str, ...], list[_Term]] = {}
        for group in groups:
            terms = [self._term(written) for written in group]
            terms = [t for t in terms if t.stems]
            for term in terms:
                others = self.by_stems.setdefault(term.stems, [])
                for other in terms:
                    if other.stems != term.stems and other not in others:
                        others.append(other)
        self.longest = max((len(stems) for stems in self.by_stems), default=0)

    def _term(self, written: str) -> _Term:
        stems = tuple(analyzed(written))
        plain = written.strip()
        abbreviation = plain.isupper() or (len(plain) <= 4 and any(c.isupper() for c in plain))
        unsafe = abbreviation and (
            len(plain) < MIN_ABBREVIATION_CHARS or self._lexicon().is_lemma(plain.lower())
        )
        return _Term(plain, stems, not unsafe)

    def _lexicon(self) -> Lexicon:
        if self._words is None:
            self._words = lexicon()
        return self._words

    def expand(self, q: query.Query, text: str) -> tuple[query.Query, list[Expansion]]:
        """The query with each thesaurus term widened to its group; what was widened."""
        if not self.by_stems:
            return q, []
        found: list[Expansion] = []
        widened = _Widener(self, text, found).node(q)
        return widened, list(dict.fromkeys(found))


class _Widener:
    """Walks a parsed query: a run of words (or a phrase) that spells a term is widened."""

    def __init__(self, thesaurus: Thesaurus, text: str, found: list[Expansion]) -> None:
        self.thesaurus, self.text, self.found = thesaurus, text, found
        analyzer: Any = SCHEMA["description"].analyzer
        # (term, start, end) of each word of the query's text, to quote what was widened.
        self.tokens = [
            (token.text, token.startchar, token.endchar)
            for token in analyzer(text.replace("*", " "), mode="query", chars=True)
        ]

    def node(self, q: query.Query) -> query.Query:
        if isinstance(q, query.And) and type(q) is query.And:
            return query.And(self.run(list(q.subqueries)), boost=q.boost)
        if _stems_of(q) is not None:
            return self.run([q])[0]
        if isinstance(q, query.Not):
            return q  # nothing under NOT is widened
        if isinstance(q, query.AndNot):
            return query.AndNot(self.node(q.a), q.b)
        if type(q) is query.Or:
            return query.Or(self.alternatives(list(q.subqueries)), boost=q.boost)
        return q.apply(self.node)

    def alternatives(self, children: list[Any]) -> list[query.Query]:
        """An Or's children: Whoosh flattens "a OR b" into one Or of every field's term, so
        the terms are grouped back into words first."""
        words: dict[tuple[str, ...], list[Any]] = {}
        out: list[query.Query] = []
        for child in children:
            form = _words_of(child)
            if form is None:
                out.append(self.node(child))
            else:
                words.setdefault(form, []).append(child)
        for leaves in words.values():
            out.extend(self.run([query.Or(leaves) if len(leaves) > 1 else leaves[0]]))
        return out

    def run(self, children: list[query.Query]) -> list[query.Query]:
        """Children of an And, with each longest run that spells a term widened."""
        out: list[query.Query] = []
        i = 0
        while i < len(children):
            match = self._longest(children, i)
            if match is None:
                child = children[i]
                out.append(child if _stems_of(child) is not None else self.node(child))
                i += 1
                continue
            end, synonyms = match
            span = children[i:end]
            original = span[0] if len(span) == 1 else query.And(span)
            searched = [term for term in synonyms if term.searchable]
            if searched:
                written = tuple(t.written for t in searched)
                self.found.append(Expansion(self._written(span), written))
                out.append(Widened([original, *(_synonym(term) for term in searched)]))
            else:
                out.extend(span)
            i = end
        return out

    def _longest(self, children: list[query.Query], start: int) -> tuple[int, list[_Term]] | None:
        stems: list[str] = []
        best = None
        for end in range(start, min(len(children), start + self.thesaurus.longest)):
            words = _stems_of(children[end])
            if words is None:
                break
            stems.extend(words)
            synonyms = self.thesaurus.by_stems.get(tuple(stems))
            if synonyms:
                best = (end + 1, synonyms)
        return best

    def _written(self, span: list[query.Query]) -> str:
        """The query's text of a run of words, as typed (its stems where not found)."""
        stems = [stem for node in span for stem in (_stems_of(node) or ())]
        terms = [term for term, _, _ in self.tokens]
        for start in range(len(terms) - len(stems) + 1):
            if terms[start : start + len(stems)] == stems:
                first, last = self.tokens[start], self.tokens[start + len(stems) - 1]
                return self.text[first[1] : last[2]]
        return " ".join(stems)


def _stems_of(q: query.Query) -> tuple[str, ...] | None:
    """The words a node stands for, when it is one word, one phrase or one hyphenated word
    (offentlig-privat: an And of its words) in every field."""
    leaves = list(q.subqueries) if isinstance(q, query.Or) else [q]
    forms = {_words_of(leaf) for leaf in leaves}
    return forms.pop() if len(forms) == 1 and None not in forms else None


def _words_of(q: Any) -> tuple[str, ...] | None:  # whoosh has no type hints
    if isinstance(q, query.Term):
        return (str(q.text),)
    if isinstance(q, query.Phrase):
        return tuple(str(w) for w in q.words)
    if type(q) is query.And and all(isinstance(c, query.Term) for c in q.subqueries):
        words: list[Any] = list(q.subqueries)
        return tuple(str(c.text) for c in words)
    return None


def _synonym(term: _Term) -> query.Query:
    """A synonym in every field, at SYNONYM_BOOST: a word, or its words side by side."""
    if len(term.stems) == 1:
        return query.Or(
            [
                query.Term(name, term.stems[0], boost=FIELD_BOOSTS[name] * SYNONYM_BOOST)
                for name in SEARCH_FIELDS
            ]
        )
    # A phrase scores the sum of its words: divided by their number, as one word would.
    boost = SYNONYM_BOOST / len(term.stems)
    return query.Or(
        [
            query.Phrase(name, list(term.stems), boost=FIELD_BOOSTS[name] * boost)
            for name in TEXT_FIELDS
        ]
    )
