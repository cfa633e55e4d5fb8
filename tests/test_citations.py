"""Citations of a case and of a whole search: BibTeX, RIS and CSL-JSON (docs/contract.md
section 10), on SQLite and PostgreSQL. What is written is read back with the formats' own
parsers (bibtexparser, rispy, json) and compared with the record; the export's cases are
counted from the seed file itself."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from conftest import SEED_DIR

from casebase.services import Casebase

ADMIN = "admin"
REF = "cite-1"
CONTENT_TYPES = {
    "bibtex": "application/x-bibtex",
    "ris": "application/x-research-info-systems",
    "csl-json": "application/vnd.citationstyles.csl+json",
}
EXTENSIONS = {"bibtex": "bib", "ris": "ris", "csl-json": "json"}
SEED = json.loads((SEED_DIR / "cases.json").read_text("utf-8"))


def record(ref: str = REF, **changes):
    data = {
        "ref": ref,
        "title": "Gårdlav i Ølstykke – æbler og åer",
        "summary": "Et forsøg med fælles gårdlav.\nAnden linje: 50 % færre biler & mere grønt.",
        "description": "Beboere og kommune lavede gårdlav sammen.",
        "municipalities": ["Egedal", "Furesø"],
        "start_year": 2019,
        "end_year": 2021,
        "collaboration_forms": ["projektpartnerskab", "borgerinddragelse"],
        "actors": ["kommune"],
        "themes": ["byrum", "klima"],
        "contact_org": "Egedal Kommune, Plan og Miljø",
    }
    data.update(changes)
    return data


KEYWORDS = [
    "Byrum og friarealer",
    "Klima og bæredygtighed",
    "Projektpartnerskab",
    "Borgerinddragelse og samskabelse",
]


@pytest.fixture
def admin(service: Casebase) -> dict[str, str]:
    service.create_user(ADMIN, "admin-password", admin=True)
    return {"Authorization": f"Bearer {service.create_token(ADMIN)}"}


@pytest.fixture
def cited(client, admin):
    response = client.post("/api/cases", json=record(), headers=admin)
    assert response.status_code == 201
    return client


def today() -> set[str]:
    """Today's date (UTC) as ISO; around midnight the server's may be the day before."""
    now = datetime.now(UTC).date()
    return {now.isoformat()}


def download(client, path: str, fmt: str):
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == CONTENT_TYPES[fmt]
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")  # UTF-8, Danish letters as themselves
    return response, text


def test_bibtex_of_a_case(cited):
    response, text = download(cited, f"/api/cases/{REF}/citation?format=bibtex", "bibtex")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{REF}.bib"'
    assert "Gårdlav i Ølstykke – æbler og åer" in text
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert library.failed_blocks == []
    (entry,) = library.entries
    assert (entry.entry_type, entry.key) == ("misc", REF)
    fields = {field.key: field.value for field in entry.fields}
    assert fields["title"] == "Gårdlav i Ølstykke – æbler og åer"
    assert fields["author"] == "Egedal Kommune, Plan og Miljø"  # one organisation
    assert fields["address"] == "Egedal, Furesø"
    assert (fields["year"], fields["date"]) == ("2019", "2019/2021")
    assert fields["url"] == f"http://localhost/cases/{REF}"
    assert fields["urldate"] in today()
    assert fields["howpublished"] == "casebase"
    assert fields["abstract"] == record()["summary"].replace("\n", " ")
    assert fields["keywords"].split(", ") == KEYWORDS
    assert fields["language"] == "danish"
    # The organisation is one name in braces, not a list of persons.
    assert "author = {{Egedal Kommune, Plan og Miljø}}" in text


def test_ris_of_a_case(cited):
    response, text = download(cited, f"/api/cases/{REF}/citation?format=ris", "ris")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{REF}.ris"'
    assert text.startswith("TY  - ELEC\r\n") and text.rstrip().endswith("ER  -")
    (entry,) = rispy.loads(text)
    assert entry["type_of_reference"] == "ELEC"
    assert entry["id"] == REF
    assert entry["title"] == "Gårdlav i Ølstykke – æbler og åer"
    assert entry["authors"] == ["Egedal Kommune, Plan og Miljø"]
    assert entry["year"] == "2019"
    assert entry["notes"] == ["2019–2021"]
    assert entry["place_published"] == "Egedal, Furesø"
    assert entry["urls"] == [f"http://localhost/cases/{REF}"]
    assert entry["access_date"] in {d.replace("-", "/") for d in today()}
    assert (entry["publisher"], entry["name_of_database"]) == ("casebase", "casebase")
    assert entry["abstract"] == record()["summary"].replace("\n", " ")
    assert entry["keywords"] == KEYWORDS
    assert entry["language"] == "da"


def test_csl_json_of_a_case(cited):
    response, text = download(cited, f"/api/cases/{REF}/citation?format=csl-json", "csl-json")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{REF}.json"'
    assert "Ølstykke" in text  # not \u00d8
    (item,) = json.loads(text)
    accessed = item.pop("accessed")["date-parts"][0]
    assert "{:04d}-{:02d}-{:02d}".format(*accessed) in today()
    assert item == {
        "id": REF,
        "type": "webpage",
        "title": "Gårdlav i Ølstykke – æbler og åer",
        "author": [{"literal": "Egedal Kommune, Plan og Miljø"}],
        "issued": {"date-parts": [[2019], [2021]]},
        "URL": f"http://localhost/cases/{REF}",
        "publisher": "casebase",
        "container-title": "casebase",
        "publisher-place": "Egedal, Furesø",
        "abstract": record()["summary"],
        "keyword": ", ".join(KEYWORDS),
        "language": "da",
    }


def test_a_sparse_case_cites_what_it_has(client, admin):
    sparse = {
        "ref": "cite-2",
        "title": "Landsdækkende forsøg",
        "description": "Tekst.",
        "collaboration_forms": ["tvaerkommunalt"],
        "themes": ["landdistrikter"],
    }
    assert client.post("/api/cases", json=sparse, headers=admin).status_code == 201
    (item,) = client.get("/api/cases/cite-2/citation?format=csl-json").get_json()
    assert set(item) == {
        "id",
        "type",
        "title",
        "URL",
        "accessed",
        "publisher",
        "container-title",
        "keyword",
        "language",
    }
    text = client.get("/api/cases/cite-2/citation?format=bibtex").get_data(as_text=True)
    (entry,) = bibtexparser.parse_string(text).entries
    assert {"author", "year", "address", "abstract"}.isdisjoint(entry.fields_dict)
    (ris,) = rispy.loads(client.get("/api/cases/cite-2/citation?format=ris").get_data(as_text=True))
    assert {"authors", "year", "place_published", "abstract"}.isdisjoint(ris)


def test_latex_specials_are_escaped_and_braces_stay_balanced(client, admin):
    title = r"50 % & #1_a $ ~ ^ \ {x} og {y"
    body = record("cite-3", title=title, contact_org="A & B {C}")
    assert client.post("/api/cases", json=body, headers=admin).status_code == 201
    text = client.get("/api/cases/cite-3/citation?format=bibtex").get_data(as_text=True)
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert library.failed_blocks == []
    (entry,) = library.entries
    assert entry.fields_dict["url"].value == "http://localhost/cases/cite-3"
    raw = text[text.index("title") :].split("\n", 1)[0]
    assert raw.count("{") == raw.count("}")
    assert r"\textbraceleft{}y" in raw and r"50 \% \& \#1\_a \$" in raw


@pytest.mark.parametrize(
    ("query", "words"),
    [("", "csl-json"), ("?format=pdf", "csl-json"), ("?format=bibtex&x=1", "'x'")],
)
def test_a_citation_needs_a_known_format(cited, query, words):
    response = cited.get(f"/api/cases/{REF}/citation{query}")
    assert response.status_code == 400
    assert words in response.get_json()["message"]


def test_a_citation_of_an_unknown_case_is_404(client):
    assert client.get("/api/cases/nobody/citation?format=ris").status_code == 404


def seed_refs(theme: str | None = None) -> set[str]:
    return {case["ref"] for case in SEED if theme is None or theme in case["themes"]}


@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csl-json"])
def test_export_cites_every_case_of_a_search(seeded, client, fmt):
    expected = seed_refs("klima")
    assert len(expected) == 16
    response, text = download(client, f"/api/export?format={fmt}&theme=klima", fmt)
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="casebase-export.{EXTENSIONS[fmt]}"'
    )
    if fmt == "bibtex":
        library = bibtexparser.parse_string(text)
        assert library.failed_blocks == []
        refs = [entry.key for entry in library.entries]
        urls = [entry.fields_dict["url"].value for entry in library.entries]
    elif fmt == "ris":
        entries = rispy.loads(text)
        refs = [entry["id"] for entry in entries]
        urls = [entry["urls"][0] for entry in entries]
    else:
        items = json.loads(text)
        refs = [item["id"] for item in items]
        urls = [item["URL"] for item in items]
    assert set(refs) == expected and len(refs) == len(expected)
    assert urls == [f"http://localhost/cases/{ref}" for ref in refs]
    search = client.get("/api/cases?theme=klima&per_page=100").get_json()
    assert refs == [hit["ref"] for hit in search["results"]]  # the search's order


def test_export_of_everything_as_csl_json(seeded, client):
    items = json.loads(client.get("/api/export?format=csl-json").data)
    assert sorted(item["id"] for item in items) == sorted(seed_refs())
    titles = {case["ref"]: case["title"] for case in SEED}
    assert all(item["title"] == titles[item["id"]] for item in items)
