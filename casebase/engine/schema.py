"""The Whoosh schema of the case index: the text fields, stored data and facet columns."""

from __future__ import annotations

import struct
from collections import Counter, defaultdict
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from whoosh import fields, formats
from whoosh.columns import FixedBytesColumn, VarBytesColumn
from whoosh.system import pack_uint

from .analysis import danish_analyzer, indexed_terms

# Searchable text fields. `labels` holds the Danish and English labels of the case's
# vocabulary values; `documents` the text of the case's documents (docs/contract.md 13).
TEXT_FIELDS = ("title", "summary", "description", "results", "labels", "documents")
# The parts of the compounds of all those fields (engine/compounds.py): found by a word, at a
# lower weight than the word itself, never by a phrase (it keeps no positions).
PARTS_FIELD = "parts"
SEARCH_FIELDS = (*TEXT_FIELDS, PARTS_FIELD)
# Each two neighbouring common words of each text field (`pair_term`, `WordPairs`): a phrase
# is looked up, not assembled from the positions of two long posting lists.
PAIRS_FIELD = "pairs"
# The second words of a pair are spread over this many terms per field and first word.
PAIR_BUCKETS = 8
# start_year, end_year (0 = none), version: the fixed-size column c_nums.
NUMS = struct.Struct("<hhi")


WordValues = Iterator[tuple[Any, int, float, bytes]]  # whoosh types the term as bytes; it is str


class CompactPositions(formats.Positions):
    """Whoosh's Positions format with positions as packed uint32 instead of a pickled list.

    Phrase matching reads positions in bulk with numpy (`read_positions`), and indexing does
    not pickle a list per posting. A text is analysed by `indexed_terms`, the Danish chain's
    fast path (every field of this format uses the Danish analyzer).
    """

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> WordValues:
        if not isinstance(value, str):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        positions: defaultdict[str, list[int]] = defaultdict(list)
        for position, term in enumerate(indexed_terms(value)):
            positions[term].append(position)
        boost = self.field_boost
        for term, found in positions.items():
            yield term, len(found), len(found) * boost, self.encode(found)

    def encode(self, poslist: Any) -> bytes:
        return struct.pack(f"<I{len(poslist)}I", len(poslist), *poslist)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        count = (len(valuestring) - 4) // 4
        return list(struct.unpack_from(f"<{count}I", valuestring, 4))

    def decode_frequency(self, valuestring: bytes) -> int:
        return int(struct.unpack_from("<I", valuestring)[0])


class DanishFrequency(formats.Frequency):
    """Whoosh's Frequency format, its text analysed by the Danish chain's fast path."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> WordValues:
        if not isinstance(value, str):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        for term, count in Counter(indexed_terms(value)).items():
            yield term, count, count * boost, pack_uint(count)


@lru_cache(maxsize=4)
def common_numbers(common: frozenset[str]) -> dict[str, int]:
    """Each common word's number: its place in the sorted common words of a generation."""
    return {word: number for number, word in enumerate(sorted(common))}


def pair_term(fieldname: str, first: str, number: int) -> str:
    """The pairs term of a text field's common word followed by the common word `number`
    (`common_numbers`): one term per bucket of second words (words have no spaces)."""
    return f"{fieldname} {first} {number % PAIR_BUCKETS}"


class WordPairs(CompactPositions):
    """The pairs field's format. Its value, made by engine/document.py, lists (term, number)
    for each two neighbouring common words of each text field (stop words dropped as phrases
    drop them): the term names the field, the first word and the second word's bucket, and
    the second words' numbers are the term's "positions". A phrase of two common words reads
    one such term and keeps the cases whose numbers hold the second word's.

    A term per pair of words would be exact without numbers, but at 100,000 cases it makes
    1.8 million terms per segment, most of them in one case, and Whoosh writes each term with
    a cost of its own. Buckets keep the terms to fields x common words x PAIR_BUCKETS at most
    (docs/decisions.md has the measured speeds)."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> WordValues:
        seconds: defaultdict[str, set[int]] = defaultdict(set)
        for term, number in value:
            seconds[term].add(number)
        for term, numbers in seconds.items():
            yield term, len(numbers), float(len(numbers)), self.encode(sorted(numbers))


def _text_field(analyzer: Any) -> fields.TEXT:
    field = fields.TEXT(analyzer=analyzer)
    field.format = CompactPositions()
    return field


def _parts_field(analyzer: Any) -> fields.TEXT:
    field = fields.TEXT(analyzer=analyzer, phrase=False)
    field.format = DanishFrequency()
    return field


def _pairs_field(analyzer: Any) -> fields.TEXT:
    field = fields.TEXT(analyzer=analyzer, phrase=False)
    field.format = WordPairs()
    field.scorable = False  # only ever a mask: no field lengths
    return field


def build_schema() -> fields.Schema:
    text = danish_analyzer()
    return fields.Schema(
        ref=fields.ID(stored=True, unique=True),
        title=_text_field(text),
        summary=_text_field(text),
        description=_text_field(text),
        results=_text_field(text),
        labels=_text_field(text),
        documents=_text_field(text),
        parts=_parts_field(text),
        pairs=_pairs_field(text),
        data=fields.STORED(),  # what a search result and its snippet need
        seq=fields.STORED(),  # meta document only
        c_ref=fields.COLUMN(VarBytesColumn()),
        c_title=fields.COLUMN(VarBytesColumn()),
        c_codes=fields.COLUMN(VarBytesColumn()),
        c_nums=fields.COLUMN(FixedBytesColumn(NUMS.size)),
    )


SCHEMA = build_schema()
