"""The DCAT-AP description of the dataset, as JSON-LD (docs/contract.md section 11).

A dcat:Catalog holding one dcat:Dataset (titles and descriptions in Danish and English,
publisher, contact point, licence, issued and modified, spatial coverage Denmark, the years
it covers, EU data themes and the case base's own themes, keywords), one dcat:Distribution
per export format, one for the Atom feed and one for the API, which points at the
dcat:DataService that the OpenAPI description describes. Codes come from the EU's
authority tables (countries, languages, data themes, file types, access rights), as DCAT-AP
asks; media types from IANA.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .. import vocabularies
from ..store import DatasetFacts
from .site import Site

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
# The OpenAPI version of /api/openapi.json (casebase/web/apidocs.py, API_CONFIG).
OPENAPI_SPEC = "https://spec.openapis.org/oas/v3.0.3"
DATASET_ID = "#dataset"

DATASET_TITLE = {
    "da": "casebase: forsøgsprojekter i byfornyelse og områdefornyelse",
    "en": "casebase: experimental projects in urban and area renewal",
}
DATASET_DESCRIPTION = {
    "da": "Sager om danske forsøgsprojekter i byfornyelse og områdefornyelse, hver med den "
    "samarbejdsform den afprøvede (strategiske partnerskaber, projektpartnerskaber, "
    "offentlig-private partnerskaber, sociale partnerskaber, borgerinddragelse m.fl.), "
    "kommuner, år, temaer, aktører, økonomi, resultater og kilder.",
    "en": "Cases of Danish experimental projects in urban and area renewal, each with the "
    "form of collaboration it tried (strategic, project, public-private and social "
    "partnerships, citizen co-creation and more), municipalities, years, themes, actors, "
    "funding, results and sources.",
}
CATALOG_TITLE = {"da": "casebase: åbne data", "en": "casebase: open data"}
KEYWORDS = {
    "da": ("byfornyelse", "områdefornyelse", "forsøgsprojekter", "partnerskaber"),
    "en": ("urban renewal", "area renewal", "experimental projects", "partnerships"),
}
# EU data themes: Regions and cities; Population and society.
DATA_THEMES = ("REGI", "SOCI")
# format -> (IANA media type or None, EU file type or None, Danish title, English title)
DOWNLOADS = {
    "csv": ("text/csv", "CSV", "Alle sager som CSV (semikolon, UTF-8)", "All cases as CSV"),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "XLSX",
        "Alle sager som Excel-projektmappe",
        "All cases as an Excel workbook",
    ),
    "json": ("application/json", "JSON", "Alle sager som JSON", "All cases as JSON"),
    # JSON Lines has no IANA media type and no EU file type: its specification says it.
    "jsonl": (None, None, "Alle sager som JSON Lines", "All cases as JSON Lines"),
}
JSON_LINES_SPEC = "https://jsonlines.org/"


def catalog_jsonld(site: Site, facts: DatasetFacts) -> dict[str, Any]:
    """The catalogue of the site's one dataset, as a JSON-LD document."""
    here = site.url("/catalog.jsonld")
    catalog: dict[str, Any] = {
        "@context": CONTEXT,
        "@id": here,
        "@type": "dcat:Catalog",
        "dct:title": _texts(CATALOG_TITLE),
        "dct:description": _texts(DATASET_DESCRIPTION),
        "dct:publisher": _publisher(site),
        "foaf:homepage": {"@id": site.home},
        "dct:license": _license(site),
        "dct:language": {"@id": EU + "language/DAN"},
        "dcat:dataset": _dataset(site, facts),
        "dcat:service": _service(site),
    }
    if facts.modified is not None:
        catalog["dct:modified"] = _datetime(facts.modified)
    return catalog


def _dataset(site: Site, facts: DatasetFacts) -> dict[str, Any]:
    dataset: dict[str, Any] = {
        "@id": site.url("/catalog.jsonld") + DATASET_ID,
        "@type": "dcat:Dataset",
        "dct:title": _texts(DATASET_TITLE),
        "dct:description": _texts(DATASET_DESCRIPTION),
        "dct:identifier": site.url("/catalog.jsonld") + DATASET_ID,
        "dct:publisher": _publisher(site),
        "dcat:contactPoint": _contact(site),
        "dct:license": _license(site),
        "dct:accessRights": {"@id": EU + "access-right/PUBLIC"},
        "dct:spatial": {"@id": EU + "country/DNK"},
        "dct:language": {"@id": EU + "language/DAN"},
        "dcat:landingPage": {"@id": site.home},
        "dcat:theme": [{"@id": EU + "data-theme/" + code} for code in DATA_THEMES]
        + [_theme(site, term) for term in vocabularies.VOCABULARIES["theme"]],
        "dcat:keyword": _keywords(),
        "dcat:distribution": [_download(site, fmt) for fmt in DOWNLOADS]
        + [_feed(site), _api_distribution(site)],
    }
    for name, moment in (("dct:issued", facts.issued), ("dct:modified", facts.modified)):
        if moment is not None:
            dataset[name] = _datetime(moment)
    if facts.first_year is not None:
        dataset["dct:temporal"] = _period(facts.first_year, facts.last_year)
    return dataset


def _texts(texts: dict[str, str]) -> list[dict[str, str]]:
    return [{"@language": lang, "@value": text} for lang, text in texts.items()]


def _datetime(moment: datetime) -> dict[str, str]:
    return {"@type": "xsd:dateTime", "@value": moment.isoformat(timespec="seconds")}


def _license(site: Site) -> dict[str, Any]:
    licence = site.license
    return {
        "@id": licence.url,
        "@type": "dct:LicenseDocument",
        "dct:identifier": licence.id,
        "dct:title": licence.name,
    }


def _publisher(site: Site) -> dict[str, Any]:
    return {
        "@id": site.url("/catalog.jsonld") + "#publisher",
        "@type": "foaf:Agent",
        "foaf:name": site.publisher,
        "foaf:homepage": {"@id": site.home},
    }


def _contact(site: Site) -> dict[str, Any]:
    contact: dict[str, Any] = {
        "@id": site.url("/catalog.jsonld") + "#contact",
        "@type": "vcard:Organization",
        "vcard:fn": site.publisher,
        "vcard:hasURL": {"@id": site.home},
    }
    if site.contact_email:
        contact["vcard:hasEmail"] = {"@id": "mailto:" + site.contact_email}
    return contact


def _theme(site: Site, term: vocabularies.Term) -> dict[str, Any]:
    """One of the case base's themes, as a concept whose address is the search for it."""
    return {
        "@id": site.search_url("theme", term.key),
        "@type": "skos:Concept",
        "skos:notation": term.key,
        "skos:prefLabel": _texts({"da": term.da, "en": term.en}),
        "skos:inScheme": {"@id": site.url("/api/vocabularies") + "#theme"},
    }


def _keywords() -> list[dict[str, str]]:
    forms = vocabularies.VOCABULARIES["collaboration_form"]
    words = [{"@language": lang, "@value": w} for lang, ws in KEYWORDS.items() for w in ws]
    return words + [
        {"@language": lang, "@value": term.label(lang)} for term in forms for lang in ("da", "en")
    ]


def _period(first: int, last: int | None) -> dict[str, Any]:
    period: dict[str, Any] = {
        "@type": "dct:PeriodOfTime",
        "dcat:startDate": {"@type": "xsd:gYear", "@value": f"{first:04d}"},
    }
    if last is not None:
        period["dcat:endDate"] = {"@type": "xsd:gYear", "@value": f"{last:04d}"}
    return period


def _download(site: Site, fmt: str) -> dict[str, Any]:
    media_type, file_type, title_da, title_en = DOWNLOADS[fmt]
    address = {"@id": site.url("/api/export", [("format", fmt)])}
    distribution: dict[str, Any] = {
        "@id": site.url("/catalog.jsonld") + "#" + fmt,
        "@type": "dcat:Distribution",
        "dct:title": _texts({"da": title_da, "en": title_en}),
        "dcat:accessURL": address,
        "dcat:downloadURL": address,
        "dct:license": _license(site),
    }
    if media_type:
        distribution["dcat:mediaType"] = {"@id": IANA + media_type}
    if file_type:
        distribution["dct:format"] = {"@id": EU + "file-type/" + file_type}
    else:
        distribution["dct:conformsTo"] = {"@id": JSON_LINES_SPEC}
    return distribution


def _feed(site: Site) -> dict[str, Any]:
    return {
        "@id": site.url("/catalog.jsonld") + "#feed",
        "@type": "dcat:Distribution",
        "dct:title": _texts(
            {"da": "De nyeste sager (Atom-feed)", "en": "The newest cases (Atom feed)"}
        ),
        "dct:description": _texts(
            {
                "da": "Enhver søgning kan følges: /feed.atom tager søgningens parametre.",
                "en": "Any search can be followed: /feed.atom takes the search's parameters.",
            }
        ),
        "dcat:accessURL": {"@id": site.url("/feed.atom")},
        "dcat:mediaType": {"@id": IANA + "application/atom+xml"},
        "dct:license": _license(site),
    }


def _api_distribution(site: Site) -> dict[str, Any]:
    return {
        "@id": site.url("/catalog.jsonld") + "#api-distribution",
        "@type": "dcat:Distribution",
        "dct:title": _texts({"da": "Søgning gennem API'et", "en": "Search through the API"}),
        "dcat:accessURL": {"@id": site.url("/api/cases")},
        "dcat:accessService": {"@id": site.url("/catalog.jsonld") + "#api"},
        "dct:conformsTo": {"@id": site.url("/api/openapi.json")},
        "dcat:mediaType": {"@id": IANA + "application/json"},
        "dct:license": _license(site),
    }


def _service(site: Site) -> dict[str, Any]:
    return {
        "@id": site.url("/catalog.jsonld") + "#api",
        "@type": "dcat:DataService",
        "dct:title": _texts({"da": "casebase's API", "en": "The casebase API"}),
        "dcat:endpointURL": {"@id": site.url("/api/cases")},
        "dcat:endpointDescription": {"@id": site.url("/api/openapi.json")},
        "dct:conformsTo": {"@id": OPENAPI_SPEC},
        "dcat:servesDataset": {"@id": site.url("/catalog.jsonld") + DATASET_ID},
        "dcat:landingPage": {"@id": site.url("/api/docs")},
        "dct:publisher": _publisher(site),
        "dct:license": _license(site),
    }
