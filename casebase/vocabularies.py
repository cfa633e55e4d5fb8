"""The controlled vocabularies of docs/contract.md section 3 and the look-ups that imports need."""

from __future__ import annotations

import difflib
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Term:
    """One value of a vocabulary: a stable key and its Danish and English labels."""

    key: str
    da: str
    en: str
    region: str | None = None  # municipalities only
    code: str | None = None  # municipalities only: the official kommunekode
    lat: float | None = None  # municipalities only: the centre (where cases without
    lon: float | None = None  # coordinates of their own are placed on the map)

    def label(self, lang: str = "da") -> str:
        return self.en if lang == "en" else self.da


COLLABORATION_FORMS = (
    Term("strategisk-partnerskab", "Strategisk partnerskab", "Strategic partnership"),
    Term("projektpartnerskab", "Projektpartnerskab", "Project partnership"),
    Term(
        "offentlig-privat-partnerskab", "Offentlig-privat partnerskab", "Public-private partnership"
    ),
    Term(
        "socialt-partnerskab",
        "Socialt partnerskab med virksomheder",
        "Social partnership with businesses",
    ),
    Term(
        "privat-investering",
        "Samarbejde om private investeringer",
        "Private investment partnership",
    ),
    Term(
        "borgerinddragelse",
        "Borgerinddragelse og samskabelse",
        "Citizen participation and co-creation",
    ),
    Term(
        "foreninger-og-frivillige",
        "Samarbejde med foreninger og frivillige",
        "Partnership with associations and volunteers",
    ),
    Term(
        "boligorganisation",
        "Partnerskab med boligorganisationer",
        "Partnership with housing associations",
    ),
    Term("tvaerkommunalt", "Tværkommunalt samarbejde", "Inter-municipal collaboration"),
)

ACTORS = (
    Term("kommune", "Kommune", "Municipality"),
    Term("borgere", "Borgere", "Residents"),
    Term("virksomheder", "Virksomheder", "Businesses"),
    Term("investorer", "Investorer", "Investors"),
    Term("foreninger", "Foreninger", "Associations"),
    Term("boligorganisationer", "Boligorganisationer", "Housing associations"),
    Term("fonde", "Fonde", "Foundations"),
    Term("uddannelsesinstitutioner", "Uddannelsesinstitutioner", "Educational institutions"),
    Term("stat-og-region", "Stat og region", "State and region"),
    Term("grundejere", "Grundejere", "Property owners"),
)

THEMES = (
    Term("omraadefornyelse", "Områdefornyelse", "Area renewal"),
    Term("bygningsfornyelse", "Bygningsfornyelse", "Building renewal"),
    Term("byrum", "Byrum og friarealer", "Public spaces"),
    Term("landdistrikter", "Landsbyer og landdistrikter", "Villages and rural areas"),
    Term("boligsocial", "Boligsociale indsatser", "Social housing initiatives"),
    Term("kulturarv", "Kulturarv og bevaring", "Heritage"),
    Term("klima", "Klima og bæredygtighed", "Climate and sustainability"),
    Term("bymidter", "Bymidter, handel og erhverv", "Town centres and business"),
    Term("mobilitet", "Trafik og mobilitet", "Mobility"),
    Term("kultur-og-fritid", "Kultur og fritid", "Culture and leisure"),
    Term("sundhed", "Sundhed og trivsel", "Health and well-being"),
    Term("tryghed", "Tryghed", "Safety"),
    Term("omdannelse", "Nedrivning og omdannelse", "Demolition and transformation"),
    Term("beskaeftigelse", "Uddannelse og beskæftigelse", "Education and employment"),
)

STATUSES = (
    Term("planlagt", "Planlagt", "Planned"),
    Term("igangvaerende", "Igangværende", "Ongoing"),
    Term("afsluttet", "Afsluttet", "Completed"),
)

REGIONS = (
    Term("hovedstaden", "Region Hovedstaden", "Capital Region of Denmark"),
    Term("sjaelland", "Region Sjælland", "Region Zealand"),
    Term("syddanmark", "Region Syddanmark", "Region of Southern Denmark"),
    Term("midtjylland", "Region Midtjylland", "Central Denmark Region"),
    Term("nordjylland", "Region Nordjylland", "North Denmark Region"),
)

# Each region's municipalities: name (the key), official code and centre point, with sources.
MUNICIPALITY_DATA = Path(__file__).parent / "data" / "municipalities.json"


def _municipalities() -> tuple[Term, ...]:
    data = json.loads(MUNICIPALITY_DATA.read_text(encoding="utf-8"))
    return tuple(
        Term(m["name"], m["name"], m["name"], region["key"], m["code"], m["lat"], m["lon"])
        for region in data["regions"]
        for m in region["municipalities"]
    )


MUNICIPALITIES = _municipalities()

# What each collaboration form means, in Danish and English, with its source (contract 13).
FORM_DEFINITIONS = Path(__file__).parent / "data" / "collaboration_forms.json"


@cache
def form_definitions() -> dict[str, dict]:
    """Each collaboration form's key -> description_da, description_en and source."""
    data = json.loads(FORM_DEFINITIONS.read_text(encoding="utf-8"))
    return {form["key"]: form for form in data["forms"]}


# Short forms people write that the rules below do not derive.
MUNICIPALITY_ALIASES = {
    "vesthimmerland": "Vesthimmerlands",
    "nordfyn": "Nordfyns",
    "bornholms regionskommune": "Bornholm",
    "århus": "Aarhus",
    "ålborg": "Aalborg",
    "åbenrå": "Aabenraa",
    "kjøbenhavn": "København",
    "lyngby": "Lyngby-Taarbæk",
    "taastrup": "Høje-Taastrup",
    "copenhagen": "København",
}

# The vocabulary behind each facet/field name used in the API, exports and the index.
VOCABULARIES: dict[str, tuple[Term, ...]] = {
    "collaboration_form": COLLABORATION_FORMS,
    "actor": ACTORS,
    "theme": THEMES,
    "status": STATUSES,
    "region": REGIONS,
    "municipality": MUNICIPALITIES,
}

# Record field (a list of keys, or one key) -> vocabulary name.
FIELD_VOCABULARY = {
    "collaboration_forms": "collaboration_form",
    "actors": "actor",
    "themes": "theme",
    "municipalities": "municipality",
    "regions": "region",
    "status": "status",
}


# Vocabularies short enough to list in an error message.
SHORT_VOCABULARIES = ("collaboration_form", "actor", "theme", "status", "region")


class UnknownTerm(ValueError):
    """A value that is in no vocabulary; carries the nearest valid key if one is close."""

    def __init__(self, vocabulary: str, value: str, suggestion: str | None) -> None:
        self.vocabulary = vocabulary
        self.value = value
        self.suggestion = suggestion
        if suggestion:
            hint = f"; did you mean '{suggestion}'?"
        elif vocabulary in SHORT_VOCABULARIES:
            hint = "; allowed: " + ", ".join(t.key for t in VOCABULARIES[vocabulary])
        else:
            hint = ""
        super().__init__(f"unknown {vocabulary.replace('_', ' ')} '{value}'{hint}")


def fold_aa(text: str) -> str:
    """Read the old spelling `aa` as `å` (on lower-cased text): Aarhus is Århus.

    The one place this rule lives: vocabulary look-ups and the search's analysis both use it.
    """
    return text.replace("aa", "å")


def _fold(text: str) -> str:
    """Normalise for look-up: NFC, lower case, hyphens as spaces, 'aa' read as 'å'."""
    text = unicodedata.normalize("NFC", text).replace("-", " ")
    return fold_aa(" ".join(text.split()).casefold())


def _municipality_names(term: Term) -> list[str]:
    name = term.key
    forms = [name, term.code or "", f"{name} kommune", f"{name} regionskommune"]
    if not name.endswith("s"):
        forms += [f"{name}s kommune", f"{name}s regionskommune"]
    if name.endswith("s"):  # "Vesthimmerlands" -> "Vesthimmerland Kommune" too
        forms += [name[:-1], f"{name[:-1]} kommune"]
    return [f for f in forms if f]


@cache
def _index(vocabulary: str) -> dict[str, str]:
    """Folded form -> key, for every spelling that a vocabulary accepts."""
    found: dict[str, str] = {}
    for term in VOCABULARIES[vocabulary]:
        names = [term.key, term.da, term.en]
        if vocabulary == "municipality":
            names += _municipality_names(term)
        if vocabulary == "region":
            names += [term.da.removeprefix("Region ")]
        for name in names:
            found.setdefault(_fold(name), term.key)
    if vocabulary == "municipality":
        for alias, key in MUNICIPALITY_ALIASES.items():
            found.setdefault(_fold(alias), key)
    return found


def find_key(vocabulary: str, value: str) -> str | None:
    """The key for a key, a label or an accepted spelling of a value; None when unknown."""
    folded = _fold(str(value))
    if vocabulary == "municipality" and folded.isdigit() and len(folded) == 3:
        folded = "0" + folded  # Excel drops the leading zero of "0101"
    return _index(vocabulary).get(folded)


def suggest(vocabulary: str, value: str) -> str | None:
    """The key of the nearest valid value for a misspelt one, when one is close."""
    index = _index(vocabulary)
    close = difflib.get_close_matches(_fold(str(value)), list(index), n=1, cutoff=0.75)
    return index[close[0]] if close else None


def resolve(vocabulary: str, value: str) -> str:
    """The key for a value, or UnknownTerm naming the nearest valid key."""
    key = find_key(vocabulary, value)
    if key is None:
        raise UnknownTerm(vocabulary, str(value), suggest(vocabulary, value))
    return key


@cache
def terms_by_key(vocabulary: str) -> dict[str, Term]:
    return {term.key: term for term in VOCABULARIES[vocabulary]}


def label(vocabulary: str, key: str, lang: str = "da") -> str:
    """The label of a key in a language; the key itself when unknown."""
    term = terms_by_key(vocabulary).get(key)
    return term.label(lang) if term else key


def region_of(municipality: str) -> str:
    return terms_by_key("municipality")[municipality].region or ""


def regions_for(municipalities: list[str]) -> list[str]:
    """The regions of some municipalities, in the vocabulary's order."""
    wanted = {region_of(m) for m in municipalities}
    return [r.key for r in REGIONS if r.key in wanted]


# The record's fields in their canonical order, with Danish and English labels
# (column headers of exports, form labels of the pages; imports accept either).
FIELDS = (
    Term("ref", "Reference", "Reference"),
    Term("title", "Titel", "Title"),
    Term("summary", "Resumé", "Summary"),
    Term("description", "Beskrivelse", "Description"),
    Term("results", "Resultater og erfaringer", "Results and lessons learned"),
    Term("municipalities", "Kommuner", "Municipalities"),
    Term("regions", "Regioner", "Regions"),
    Term("start_year", "Startår", "Start year"),
    Term("end_year", "Slutår", "End year"),
    Term("status", "Status", "Status"),
    Term("collaboration_forms", "Samarbejdsformer", "Collaboration forms"),
    Term("actors", "Aktører", "Actors"),
    Term("themes", "Temaer", "Themes"),
    Term("budget_dkk", "Budget (kr.)", "Budget (DKK)"),
    Term("public_funding_dkk", "Offentlig finansiering (kr.)", "Public funding (DKK)"),
    Term("private_funding_dkk", "Privat finansiering (kr.)", "Private funding (DKK)"),
    Term("funders", "Bevillingsgivere", "Funders"),
    Term("contact_org", "Kontaktorganisation", "Contact organisation"),
    Term("links", "Links", "Links"),
    Term("latitude", "Breddegrad", "Latitude"),
    Term("longitude", "Længdegrad", "Longitude"),
    Term("version", "Version", "Version"),
    Term("created_at", "Oprettet", "Created"),
    Term("updated_at", "Opdateret", "Updated"),
)

# Fields the system keeps (regions are derived from municipalities; documents are added on
# their own, docs/contract.md section 13): never imported, ignored when an export is read back.
SYSTEM_FIELDS = ("regions", "version", "created_at", "updated_at", "documents")
# The record's importable fields, in canonical order: the import and export shape.
RECORD_FIELDS = tuple(term.key for term in FIELDS if term.key not in SYSTEM_FIELDS)
# Fields holding a list of plain values (a spreadsheet cell separates them by `|`).
LIST_FIELDS = ("municipalities", "collaboration_forms", "actors", "themes", "funders")
AMOUNT_FIELDS = ("budget_dkk", "public_funding_dkk", "private_funding_dkk")
YEAR_FIELDS = ("start_year", "end_year")

# Other spellings of field names seen in people's spreadsheets (folded form -> field).
FIELD_ALIASES = {
    "municipality": "municipalities",
    "kommune": "municipalities",
    "collaboration_form": "collaboration_forms",
    "samarbejdsform": "collaboration_forms",
    "actor": "actors",
    "aktør": "actors",
    "theme": "themes",
    "tema": "themes",
    "funder": "funders",
    "link": "links",
    "budget": "budget_dkk",
    "resume": "summary",
    "resultater": "results",
    "erfaringer": "results",
    "id": "ref",
    "offentlig finansiering": "public_funding_dkk",
    "offentlige midler": "public_funding_dkk",
    "public funding": "public_funding_dkk",
    "privat finansiering": "private_funding_dkk",
    "private midler": "private_funding_dkk",
    "private funding": "private_funding_dkk",
    "bevillingsgiver": "funders",
    "finansieret af": "funders",
    "kontakt": "contact_org",
    "kontaktperson": "contact_org",
    "contact": "contact_org",
    "region": "regions",
    "dokumenter": "documents",
    "documents": "documents",
}


@cache
def _field_index() -> dict[str, str]:
    found: dict[str, str] = {}
    for term in FIELDS:
        # Labels also without their unit: "Budget (kr.)" -> "Budget".
        names = (
            term.key,
            term.key.replace("_", " "),
            term.da,
            term.en,
            term.da.split(" (")[0],
            term.en.split(" (")[0],
        )
        for name in names:
            found.setdefault(_fold(name), term.key)
    for alias, key in FIELD_ALIASES.items():
        found.setdefault(_fold(alias), key)
    return found


def find_field(header: str) -> str | None:
    """The record field a column header names (field name or label, case and spacing forgiven)."""
    return _field_index().get(_fold(header.replace("_", " ")))


# The record fields whose keys a record's `labels` name (the API's and the pages' labels).
LABELLED_FIELDS = ("municipalities", "regions", "status", "collaboration_forms", "actors", "themes")


def case_labels(record: Mapping[str, Any], lang: str = "da") -> dict[str, str]:
    """Each vocabulary key a record uses -> its label."""
    labels: dict[str, str] = {}
    for name in LABELLED_FIELDS:
        vocabulary = FIELD_VOCABULARY[name]
        values = record.get(name) or []
        for key in [values] if isinstance(values, str) else values:
            labels[key] = label(vocabulary, key, lang)
    return labels
