"""Where each case is on the map (docs/contract.md section 10): its own coordinates, else the
centre of its first municipality (casebase/data/municipalities.json); a nationwide case without
coordinates has no place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from . import vocabularies
from .models import Case, CaseTerm

# Refs asked for per query.
BATCH = 500
# Each municipality's centre (latitude, longitude).
CENTRES = {
    term.key: (term.lat, term.lon)
    for term in vocabularies.MUNICIPALITIES
    if term.lat is not None and term.lon is not None
}


@dataclass(frozen=True)
class Place:
    """A case's point on the map; approximate when it is its municipality's centre."""

    ref: str
    title: str
    latitude: float
    longitude: float
    approximate: bool


def place_of(
    ref: str,
    title: str,
    latitude: float | None,
    longitude: float | None,
    municipality: str | None,
) -> Place | None:
    """The place of a case from its coordinates and its first municipality (None: nowhere)."""
    if latitude is not None and longitude is not None:
        return Place(ref, title, latitude, longitude, approximate=False)
    centre = CENTRES.get(municipality or "")
    if centre is None:
        return None
    return Place(ref, title, *centre, approximate=True)


def places_of(session: Session, refs: Sequence[str]) -> list[Place]:
    """The places of the stored cases among refs, in the order of refs (one query a batch)."""
    first_municipality = and_(
        CaseTerm.case_id == Case.id,
        CaseTerm.field == "municipalities",
        CaseTerm.position == 0,
    )
    found: dict[str, Place | None] = {}
    for start in range(0, len(refs), BATCH):
        query = (
            select(Case.ref, Case.title, Case.latitude, Case.longitude, CaseTerm.key)
            .outerjoin(CaseTerm, first_municipality)
            .where(Case.ref.in_(refs[start : start + BATCH]))
        )
        for ref, title, latitude, longitude, municipality in session.execute(query):
            found[ref] = place_of(ref, title, latitude, longitude, municipality)
    return [place for ref in refs if (place := found.get(ref)) is not None]
