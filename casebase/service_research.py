"""The service façade's tools for researchers and harvesters (docs/contract.md sections 10
and 11), mixed into casebase.services.Casebase: cross-tabulation, places, comparison,
citations, feeds, sitemaps and the catalogue's facts."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any, BinaryIO

from . import citations, engine, places, store
from .db import Database
from .engine import CaseIndex, CrossTab, SearchParams, Thesaurus
from .places import Place
from .store import DatasetFacts
from .vocabularies import case_labels


class ResearchService:
    """Reading tools built on the search and the store."""

    db: Database
    index: CaseIndex

    # Provided by casebase.services.Casebase.
    def _refresh(self) -> Thesaurus | None:
        raise NotImplementedError

    def get_case(self, ref: str) -> dict[str, Any]:
        raise NotImplementedError

    def iter_matching(self, params: SearchParams | None) -> Iterator[dict[str, Any]]:
        raise NotImplementedError

    # --- research tools (docs/contract.md section 10) ----------------------------------------
    def crosstab(self, params: SearchParams, rows: str, cols: str) -> CrossTab:
        """The cases a search finds, counted by two dimensions (catalogue.DIMENSIONS)."""
        return engine.crosstab(self.index, params, rows, cols, self._refresh())

    def places(self, params: SearchParams) -> list[Place]:
        """Where every case a search finds is, in the search's order (those with a place)."""
        refs = engine.matching_refs(self.index, params, self._refresh())
        return self.places_of(refs)

    def places_of(self, refs: Sequence[str]) -> list[Place]:
        """Where some cases are (those stored and with a place), in the order given."""
        with self.db.session() as session:
            return places.places_of(session, refs)

    def find_cases(self, refs: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The records with labels of the stored cases among refs, by ref (for /compare)."""
        with self.db.session() as session:
            records = {
                ref: store.record_to_dict(case)
                for ref, case in store.find_cases(session, refs).items()
            }
        for record in records.values():
            record["labels"] = case_labels(record)
        return records

    def citation(self, ref: str, fmt: str, case_url: Callable[[str], str], accessed: date) -> bytes:
        """A case's citation in one of citations.FORMATS; case_url gives its permalink."""
        out = io.BytesIO()
        citations.write_citations([self.get_case(ref)], fmt, out, case_url, accessed)
        return out.getvalue()

    def export_citations(
        self,
        params: SearchParams | None,
        fmt: str,
        out: BinaryIO,
        case_url: Callable[[str], str],
        accessed: date,
    ) -> None:
        """Citations of the cases a search finds (every case without one), in its order."""
        citations.write_citations(self.iter_matching(params), fmt, out, case_url, accessed)

    # --- open data (docs/contract.md section 11) ---------------------------------------------
    def newest_cases(self, params: SearchParams | None, limit: int) -> list[dict[str, Any]]:
        """The newest cases (by created_at, ties by ref) a search finds, or of all cases.

        The index finds the matches (in any order: a cheap sort, no scores); the database,
        which holds created_at, picks the newest of them.
        """
        with self.db.session() as session:
            if params is None or not params.narrows:
                refs = store.newest_refs(session, limit)
            else:
                thesaurus = self._refresh()
                among = engine.matching_refs(self.index, replace(params, sort="title"), thesaurus)
                refs = store.newest_refs(session, limit, among)
            return store.records_in_order(session, refs)

    def case_dates(self, offset: int, limit: int) -> list[tuple[str, datetime]]:
        """(ref, updated_at) of `limit` cases in ref order from `offset` (sitemaps)."""
        with self.db.session() as session:
            return store.case_dates(session, offset, limit)

    def dataset_facts(self) -> DatasetFacts:
        """Counts and dates of the whole dataset (its DCAT-AP description)."""
        with self.db.session() as session:
            return store.dataset_facts(session)
