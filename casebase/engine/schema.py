"""The Whoosh schema of the case index: the text fields, stored data and facet columns."""

from __future__ import annotations

import struct
from typing import Any

from whoosh import fields, formats
from whoosh.columns import FixedBytesColumn, VarBytesColumn

from .analysis import danish_analyzer

# Searchable text fields. `labels` holds the Danish and English labels of the case's
# vocabulary values; `documents` the text of the case's documents (docs/contract.md 13).
TEXT_FIELDS = ("title", "summary", "description", "results", "labels", "documents")
# The parts of the compounds of all those fields (engine/compounds.py): found by a word, at a
# lower weight than the word itself, never by a phrase (it keeps no positions).
PARTS_FIELD = "parts"
SEARCH_FIELDS = (*TEXT_FIELDS, PARTS_FIELD)
# start_year, end_year (0 = none), version: the fixed-size column c_nums.
NUMS = struct.Struct("<hhi")


class CompactPositions(formats.Positions):
    """Whoosh's Positions format with positions as packed uint32 instead of a pickled list.

    Phrase matching reads positions in bulk with numpy (`read_positions`), and indexing does
    not pickle a list per posting.
    """

    def encode(self, poslist: Any) -> bytes:
        return struct.pack(f"<I{len(poslist)}I", len(poslist), *poslist)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        count = (len(valuestring) - 4) // 4
        return list(struct.unpack_from(f"<{count}I", valuestring, 4))

    def decode_frequency(self, valuestring: bytes) -> int:
        return int(struct.unpack_from("<I", valuestring)[0])


def _text_field(analyzer: Any) -> fields.TEXT:
    field = fields.TEXT(analyzer=analyzer)
    field.format = CompactPositions()
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
        parts=fields.TEXT(analyzer=text, phrase=False),
        data=fields.STORED(),  # what a search result and its snippet need
        seq=fields.STORED(),  # meta document only
        c_ref=fields.COLUMN(VarBytesColumn()),
        c_title=fields.COLUMN(VarBytesColumn()),
        c_codes=fields.COLUMN(VarBytesColumn()),
        c_nums=fields.COLUMN(FixedBytesColumn(NUMS.size)),
    )


SCHEMA = build_schema()
