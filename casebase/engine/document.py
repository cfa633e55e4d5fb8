"""Case record -> Whoosh document: the text fields, what results show, and the facet columns."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np

from .. import catalogue, vocabularies
from .analysis import WORD_PATTERN, danish_sort_key_uncached, indexed_terms
from .columns import CODE, CODE_DTYPE
from .compounds import Splitter
from .schema import NUMS, common_numbers, pair_term

META_REF = "~meta"  # the document holding the applied change number; refs cannot start with ~


def _keys(record: dict, name: str) -> list[str]:
    value = record.get(name)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _year(value: Any) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 0 < year < 32768 else None


def _labels_text(record: dict) -> str:
    lines = []
    for facet in catalogue.FACETS:
        for key in _keys(record, facet.field):
            term = vocabularies.terms_by_key(facet.vocabulary).get(key)
            lines.append(f"{term.da}. {term.en}." if term and term.en != term.da else key + ".")
    return "\n".join(lines)


def compound_parts(texts: list[str], splitter: Splitter) -> str:
    """The parts of every compound in some texts (engine/compounds.py), for the parts field."""
    found: list[str] = []
    spans = splitter.spans
    for text in texts:
        for match in WORD_PATTERN.finditer(vocabularies.fold_aa(text.lower())):
            found.extend(spans(match.group()))
    return " ".join(found)


def word_pairs(texts: dict[str, str], common: frozenset[str]) -> list[tuple[str, int]]:
    """The pairs field's value for some text fields: (term, second word's number) for each
    two neighbouring common words (schema.WordPairs)."""
    if not common:
        return []
    numbers = common_numbers(common)
    pairs = []
    for fieldname, text in texts.items():
        terms = indexed_terms(text)
        pairs += [
            (pair_term(fieldname, a, number), number)
            for a, b in pairwise(terms)
            if a in common and (number := numbers.get(b)) is not None
        ]
    return pairs


def case_document(
    record: dict, splitter: Splitter, common: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The Whoosh document of one case record; its `documents` (id, title, text), when given,
    are searched in their own field. Their compounds are not split (docs/decisions.md 13)."""
    start, end = _year(record.get("start_year")), _year(record.get("end_year"))
    texts = {
        name: str(record.get(name) or "") for name in ("title", "summary", "description", "results")
    }
    codes = [
        CODE[(facet.name, key)]
        for facet in catalogue.FACETS
        for key in _keys(record, facet.field)
        if (facet.name, key) in CODE
    ]
    ref = str(record["ref"])
    data: dict[str, Any] = {
        "ref": ref,
        "title": texts["title"],
        "summary": record.get("summary") or None,
        **{f.field: _keys(record, f.field) for f in catalogue.FACETS if f.multi},
        "start_year": start,
        "end_year": end,
        "status": record.get("status") or None,
        "description": texts["description"],
        "results": texts["results"],
    }
    labels = _labels_text(record)
    documents = [
        {"id": d["id"], "title": d["title"], "text": d["text"]}
        for d in record.get("documents") or []
        if d.get("text")
    ]
    if documents:
        data["documents"] = documents  # for the snippet from a document
    documents_text = "\n".join(d["text"] for d in documents)
    return {
        "ref": ref,
        **texts,
        "labels": labels,
        "documents": documents_text,
        "parts": compound_parts([*texts.values(), labels], splitter),
        "pairs": word_pairs({**texts, "labels": labels, "documents": documents_text}, common),
        "data": data,
        "c_ref": ref.encode(),
        "c_title": danish_sort_key_uncached(texts["title"]).encode(),
        "c_codes": np.asarray(codes, dtype=CODE_DTYPE).tobytes(),
        "c_nums": NUMS.pack(start or 0, end or 0, int(record.get("version") or 0)),
    }
