"""Per-generation numpy columns of the index: facet codes, years, versions, sort ranks.

Every facet value of the catalogue has a global code (codes of one facet are contiguous), so a
case's facet values are a few small integers, and counting a facet over a match set is one
bincount. The arrays of a segment are read once and reused by every generation that keeps it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import catalogue
from .schema import SEARCH_FIELDS
from .whooshlib import field_lengths

# Every facet value gets a global code; codes of one facet are contiguous.
FACET_VALUES: dict[str, tuple[str, ...]] = {facet.name: facet.keys for facet in catalogue.FACETS}
CODE = {
    (facet, key): code
    for code, (facet, key) in enumerate(
        (facet, key) for facet, keys in FACET_VALUES.items() for key in keys
    )
}
FACET_BASE = {facet: CODE[(facet, keys[0])] for facet, keys in FACET_VALUES.items()}
VALUE_COUNT = len(CODE)
# Changes when a facet or a value is added, removed or moved: documents hold these codes.
CODES_FINGERPRINT = hashlib.sha256(repr(sorted(CODE.items())).encode()).hexdigest()[:8]

NUMS_DTYPE = np.dtype([("start", "<i2"), ("end", "<i2"), ("version", "<i4")])
CODE_DTYPE = np.dtype("<u2")


@dataclass
class SegmentArrays:
    """The column values of one (immutable) segment, deleted documents included."""

    refs: list[str]
    title_keys: list[str]
    nums: np.ndarray
    code_docs: np.ndarray  # local docnum of each (doc, value) pair
    code_values: np.ndarray
    lengths: dict[str, np.ndarray]  # text field -> its length (in tokens) per document

    @classmethod
    def read(cls, reader: Any) -> SegmentArrays:
        size = reader.doc_count_all()
        refs = [b.decode() for b in reader.column_reader("c_ref")]
        title_keys = [b.decode() for b in reader.column_reader("c_title")]
        nums = np.frombuffer(b"".join(reader.column_reader("c_nums")), dtype=NUMS_DTYPE)
        blobs = list(reader.column_reader("c_codes"))
        lengths = np.fromiter(map(len, blobs), dtype=np.int64, count=size) // CODE_DTYPE.itemsize
        code_values = np.frombuffer(b"".join(blobs), dtype=CODE_DTYPE).astype(np.int32)
        code_docs = np.repeat(np.arange(size, dtype=np.int32), lengths)
        lengths_by_field = {name: field_lengths(reader, name, size) for name in SEARCH_FIELDS}
        return cls(refs, title_keys, nums, code_docs, code_values, lengths_by_field)


@dataclass
class Columns:
    """Per-document arrays over a searcher's docnums (one generation of the index)."""

    live: np.ndarray  # bool: a case document that is not deleted
    refs: np.ndarray  # object: ref per docnum ("" for the meta document)
    start: np.ndarray  # int32, 0 = no start_year
    end: np.ndarray  # int32, end_year or start_year, 0 = no start_year
    version: np.ndarray
    code_docs: np.ndarray  # (doc, value) pairs of the facet values of live documents
    code_values: np.ndarray
    ref_rank: np.ndarray  # position of each docnum in ref order
    title_rank: np.ndarray  # position in Danish title order, ties by ref
    newest_rank: np.ndarray  # start_year descending, none last, ties by ref
    oldest_rank: np.ndarray  # start_year ascending, none last, ties by ref
    lengths: dict[str, np.ndarray]  # text field -> field length per docnum
    doc_of_ref: dict[str, int] = field(default_factory=dict)
    # facet -> its (doc, value index) pairs, made on first use (engine/crosstab.py)
    _facet_pairs: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    _value_bits: list[np.ndarray] = field(default_factory=list)  # made on first use

    @property
    def size(self) -> int:
        return len(self.live)

    def facet_pairs(self, facet: str) -> tuple[np.ndarray, np.ndarray]:
        """One facet's (doc, index into FACET_VALUES[facet]) pairs of the live documents,
        sorted by doc; made once per generation (two threads may both make it: same result)."""
        pairs = self._facet_pairs.get(facet)
        if pairs is None:
            base, size = FACET_BASE[facet], len(FACET_VALUES[facet])
            chosen = (self.code_values >= base) & (self.code_values < base + size)
            pairs = (self.code_docs[chosen], self.code_values[chosen] - base)
            self._facet_pairs[facet] = pairs
        return pairs

    def value_bits(self) -> np.ndarray:
        """Per facet value code, the live documents holding it as a bitset (a row of uint64
        words, see `bits`): a filter is an OR of rows, the counts a popcount of rows AND the
        match set. Made once per generation (two threads may both make it: same result)."""
        if not self._value_bits:
            dense = np.zeros((VALUE_COUNT, self.size), dtype=bool)
            dense[self.code_values, self.code_docs] = True
            self._value_bits.append(bits(dense))
        return self._value_bits[0]

    @classmethod
    def build(cls, parts: list[tuple[SegmentArrays, int, np.ndarray]]) -> Columns:
        """Join segment arrays (with each segment's docnum offset and live mask)."""
        refs = np.array([r for part, _, _ in parts for r in part.refs] or [], dtype=object)
        live = np.concatenate([m for _, _, m in parts]) if parts else np.zeros(0, bool)
        live &= refs != ""
        nums = np.concatenate([p.nums for p, _, _ in parts]) if parts else np.zeros(0, NUMS_DTYPE)
        start = nums["start"].astype(np.int32)
        end = np.where(nums["end"] > 0, nums["end"], start).astype(np.int32)
        docs = np.concatenate([p.code_docs + off for p, off, _ in parts] or [np.zeros(0, np.int32)])
        values = np.concatenate([p.code_values for p, _, _ in parts] or [np.zeros(0, np.int32)])
        keep = live[docs]
        ref_order = np.argsort(refs.astype(str), kind="stable")
        ref_rank = _ranks(ref_order)
        titles = np.array([t for p, _, _ in parts for t in p.title_keys] or [], dtype=str)
        title_rank = _ranks(np.lexsort((ref_rank, titles)))
        undated = start <= 0
        newest_rank = _ranks(np.lexsort((ref_rank, -start, undated)))
        oldest_rank = _ranks(np.lexsort((ref_rank, start, undated)))
        lengths = {
            name: np.concatenate([p.lengths[name] for p, _, _ in parts] or [np.zeros(0)])
            for name in SEARCH_FIELDS
        }
        doc_of_ref = {refs[d]: int(d) for d in np.flatnonzero(live)}
        return cls(
            live,
            refs,
            start,
            end,
            nums["version"].astype(np.int64),
            docs[keep],
            values[keep],
            ref_rank,
            title_rank,
            newest_rank,
            oldest_rank,
            lengths,
            doc_of_ref,
        )


def bits(mask: np.ndarray) -> np.ndarray:
    """Boolean masks (along the last axis) packed into uint64 words, bit i = document i."""
    packed = np.packbits(mask, axis=-1, bitorder="little")
    padding = -packed.shape[-1] % 8
    if padding:
        packed = np.concatenate(
            [packed, np.zeros((*packed.shape[:-1], padding), np.uint8)], axis=-1
        )
    return packed.view(np.uint64)


def unbits(words: np.ndarray, size: int) -> np.ndarray:
    """The boolean mask of `size` documents a row of `bits` words holds."""
    return np.unpackbits(words.view(np.uint8), count=size, bitorder="little").view(bool)


def _ranks(order: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(len(order))
    return ranks


def live_mask(reader: Any, size: int) -> np.ndarray:
    if not reader.has_deletions():
        return np.ones(size, dtype=bool)
    mask = np.zeros(size, dtype=bool)
    mask[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
    return mask
