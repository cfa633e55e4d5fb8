"""The parameters of one search, typed: what the API, the pages and the CLI ask the engine.

Query strings become SearchParams in one place, the marshmallow search schema
(casebase/schemas/search.py), which both parses a request and describes it in OpenAPI; the
CLI reads its --filter values with it too, and code that already has typed values (the CLI's
options, the admin's case finder) builds SearchParams directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import catalogue


@dataclass(frozen=True)
class SearchParams:
    """One search: text, filters (facet -> keys), years, order and page."""

    q: str = ""
    exact: bool = False  # the words as written: no compounds' parts, no thesaurus
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    sort: str | None = None  # None: the catalogue's default, with or without q
    page: int = 1
    per_page: int = catalogue.DEFAULT_PER_PAGE

    def effective_sort(self, has_query: bool) -> str:
        return self.sort or catalogue.default_sort(has_query)

    @property
    def narrows(self) -> bool:
        """Whether anything but paging and order limits the cases found."""
        return bool(self.q.strip() or self.filters) or (
            self.year_from is not None or self.year_to is not None
        )
