"""What the engine answers, typed: the API's response schemas dump these, the pages show them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Expansion:
    """One widening of a query, as the answer reports it: a term and what else was searched."""

    term: str
    with_: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bucket:
    """One value of a facet with its count over the search."""

    value: str | int
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Hit:
    """One case found, in the shape of a search result."""

    ref: str
    title: str
    summary: str | None
    municipalities: list[str]
    regions: list[str]
    start_year: int | None
    end_year: int | None
    status: str | None
    collaboration_forms: list[str]
    actors: list[str]
    themes: list[str]
    snippet: str
    score: float | None
    # The case's documents holding a matched word ({"id", "title"}), and an excerpt of the
    # first of them (docs/contract.md section 13).
    found_in_documents: list[dict[str, Any]] = field(default_factory=list)
    document_snippet: str | None = None

    @classmethod
    def of(
        cls,
        data: Mapping[str, Any],
        snippet: str,
        score: float | None,
        found: tuple[list[dict[str, Any]], str | None] = ([], None),
    ) -> Hit:
        """A hit from a case's stored data (engine/document.py)."""
        return cls(
            ref=data["ref"],
            title=data["title"],
            summary=data.get("summary"),
            municipalities=list(data.get("municipalities") or []),
            regions=list(data.get("regions") or []),
            start_year=data.get("start_year"),
            end_year=data.get("end_year"),
            status=data.get("status"),
            collaboration_forms=list(data.get("collaboration_forms") or []),
            actors=list(data.get("actors") or []),
            themes=list(data.get("themes") or []),
            snippet=snippet,
            score=score,
            found_in_documents=found[0],
            document_snippet=found[1],
        )


@dataclass(frozen=True)
class Why:
    """What a similar case shares with the case: the keys of each facet that counts towards
    similarity (catalogue.Facet.similar_weight), and the words that made its text alike."""

    collaboration_forms: list[str]
    themes: list[str]
    municipalities: list[str]
    words: list[str]


@dataclass(frozen=True)
class SimilarHit(Hit):
    """A similar case, in the shape of a search result, saying why it is similar."""

    why: Why = field(kw_only=True)


@dataclass(frozen=True)
class SearchResult:
    """The answer to one search: the page of hits and the facet counts of all matches."""

    total: int
    page: int
    per_page: int
    q: str | None
    suggestion: str | None
    results: list[Hit]
    facets: dict[str, list[Bucket]] = field(default_factory=dict)
    expanded: list[Expansion] = field(default_factory=list)
    # Addresses of this page and its neighbours (rel -> URL): left None by the engine, filled
    # in by the API, which knows the request's address (docs/contract.md section 11).
    links: dict[str, str] | None = None
