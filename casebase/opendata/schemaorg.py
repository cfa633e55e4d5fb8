"""schema.org JSON-LD of one case, for the head of its page (docs/contract.md section 11).

A case page is a schema:CreativeWork (it has every property the contract lists: name,
description, url, dateCreated, dateModified, spatialCoverage, keywords, license); it is part
of the dataset that /catalog.jsonld describes. The page writes it into a
<script type="application/ld+json"> element escaped for HTML (Jinja's tojson).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import vocabularies
from .catalog import DATASET_ID, DATASET_TITLE
from .site import Site, text_excerpt

DESCRIPTION_CHARS = 300
COUNTRY = {"da": "Danmark", "en": "Denmark"}
KEYWORD_FIELDS = (("collaboration_forms", "collaboration_form"), ("themes", "theme"))


def case_jsonld(site: Site, record: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """The case as schema.org JSON-LD; labels in the page's language."""
    url = site.case_url(record["ref"])
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "@id": url,
        "url": url,
        "identifier": record["ref"],
        "name": record["title"],
        "description": record.get("summary")
        or text_excerpt(record.get("description"), DESCRIPTION_CHARS),
        "inLanguage": "da",
        "dateCreated": record["created_at"],
        "dateModified": record["updated_at"],
        "spatialCoverage": _places(record, lang),
        "keywords": [
            vocabularies.label(vocabulary, key, lang)
            for field, vocabulary in KEYWORD_FIELDS
            for key in record.get(field) or []
        ],
        "license": site.license.url,
        "publisher": {"@type": "Organization", "name": site.publisher, "url": site.home},
        "isPartOf": {
            "@type": "Dataset",
            "@id": site.url("/catalog.jsonld") + DATASET_ID,
            "name": DATASET_TITLE[lang],
            "url": site.home,
            "license": site.license.url,
        },
    }
    start, end = record.get("start_year"), record.get("end_year")
    if start is not None:
        data["temporalCoverage"] = f"{start}/{end if end is not None else '..'}"
    return data


def _places(record: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    """The case's own point (when it has one), then its municipalities, with their centres;
    Denmark for a nationwide case."""
    places: list[dict[str, Any]] = []
    lat, lon = record.get("latitude"), record.get("longitude")
    if lat is not None and lon is not None:
        places.append({"@type": "Place", "geo": _geo(lat, lon)})
    terms = vocabularies.terms_by_key("municipality")
    for key in record.get("municipalities") or []:
        term = terms.get(key)
        place: dict[str, Any] = {"@type": "Place", "name": key}
        if term is not None:
            place["address"] = {
                "@type": "PostalAddress",
                "addressRegion": vocabularies.label("region", term.region or "", lang),
                "addressCountry": "DK",
            }
            if term.lat is not None and term.lon is not None:
                place["geo"] = _geo(term.lat, term.lon)
        places.append(place)
    if not record.get("municipalities"):
        places.append({"@type": "Country", "name": COUNTRY[lang], "identifier": "DK"})
    return places


def _geo(lat: float, lon: float) -> dict[str, Any]:
    return {"@type": "GeoCoordinates", "latitude": lat, "longitude": lon}
