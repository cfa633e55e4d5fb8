"""Open data (docs/contract.md section 11): the licence, links between the pages of a search,
Atom feeds, the DCAT-AP catalogue, schema.org on the case pages, sitemaps and robots.txt.

Every document is read with a real parser (lxml for HTML and XML, feedparser for feeds, rdflib
for JSON-LD, requests for Link headers, the standard library for robots.txt) and its content
checked against the data, on SQLite and PostgreSQL. The read-only tests share one seeded app
per database (seeding takes seconds); each seed case gets its own created_at and updated_at.
"""

from __future__ import annotations

import json
import math
import random
import urllib.robotparser
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import feedparser
import lxml.etree
import lxml.html
import pytest
import rdflib
from conftest import SEED_DIR
from flask import Flask
from flask.testing import FlaskClient
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD
from requests.utils import parse_header_links
from sqlalchemy import func, select, update

from casebase import create_app, exporter, vocabularies
from casebase.datalicense import data_license
from casebase.models import Case, Change
from casebase.services import Casebase

FIRST_CASE = "vores-bredgade-langaa"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
# XPath: an element whose rel attribute holds the word license.
REL_LICENSE = 'contains(concat(" ", normalize-space(@rel), " "), " license ")'
EU = "http://publications.europa.eu/resource/authority/"
VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP = {"s": SITEMAP_NS}
FIRST_CREATED = datetime(2020, 1, 1, 12, tzinfo=UTC)
RECORD = {
    "description": "Et forsøg.",
    "collaboration_forms": ["projektpartnerskab"],
    "themes": ["klima"],
    "municipalities": ["Aarhus"],
}


@dataclass
class Seeded:
    """The seed data behind an app, each case with its own created_at and updated_at."""

    app: Flask
    service: Casebase
    created: dict[str, datetime]
    updated: dict[str, datetime]


def _age(service: Casebase) -> tuple[dict[str, datetime], dict[str, datetime]]:
    """A created_at an hour apart for every case, in a shuffled order; updated_at later."""
    with service.db.session() as session:
        refs = sorted(session.scalars(select(Case.ref)))
        random.Random(14).shuffle(refs)
        created = {ref: FIRST_CREATED + timedelta(hours=i) for i, ref in enumerate(refs)}
        updated = {ref: created[ref] + timedelta(days=i % 7) for i, ref in enumerate(refs)}
        for ref in refs:
            session.execute(
                update(Case)
                .where(Case.ref == ref)
                .values(created_at=created[ref], updated_at=updated[ref])
            )
    return created, updated


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def data(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Seeded]:
    folder = tmp_path_factory.mktemp("opendata")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'casebase.db'}"
    else:
        url = request.getfixturevalue("pg_cluster").fresh_database("od")
    service = Casebase(url, folder / "index")
    service.init_db()
    report = service.import_files(sorted(SEED_DIR.glob("cases*.json")))
    assert report.rejected == 0, report.errors
    created, updated = _age(service)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "INDEX_DIR": str(folder / "index"),
            "SECRET_KEY": "test-secret",
        }
    )
    yield Seeded(app, app.extensions["casebase"], created, updated)
    app.extensions["casebase"].close()
    service.close()


@pytest.fixture
def client(data: Seeded) -> FlaskClient:
    """A client of its own (no language cookie from another test)."""
    return data.app.test_client()


@pytest.fixture
def configured(data: Seeded) -> Iterator[Flask]:
    """The seeded app, for a test that changes its configuration (restored afterwards)."""
    saved = dict(data.app.config)
    yield data.app
    data.app.config.clear()
    data.app.config.update(saved)


def html_of(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.get_data(as_text=True))


def link_header(response) -> dict[str, str]:
    """rel -> address, from a Link header (RFC 8288), as requests reads it."""
    links = parse_header_links(response.headers["Link"])
    return {link["rel"]: link["url"] for link in links}


def _query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


def matching(client: FlaskClient, query: str) -> list[str]:
    """The refs the API finds for a query string (all of them: at most 100)."""
    body = client.get(f"/api/cases?{query}&per_page=100").get_json()
    assert body["total"] <= 100
    return [hit["ref"] for hit in body["results"]]


# --- the licence ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?theme=klima&lang=en",
        f"/cases/{FIRST_CASE}",
        "/admin/login",
        "/no-such-page",
        "/?page=0",
    ],
)
def test_every_page_names_the_licence_in_its_footer(client, path) -> None:
    (link,) = html_of(client.get(path)).xpath(f"//footer//a[{REL_LICENSE}]")
    assert link.get("href") == CC_BY
    assert "CC-BY-4.0" in link.text_content()


def test_the_footer_follows_the_configured_licence(configured, client) -> None:
    configured.config["DATA_LICENSE"] = data_license("CC0-1.0")
    (link,) = html_of(client.get("/")).xpath(f"//footer//a[{REL_LICENSE}]")
    assert link.get("href") == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert "CC0-1.0" in link.text_content()


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "xlsx"])
def test_every_export_names_the_licence(client, fmt) -> None:
    response = client.get(f"/api/export?format={fmt}&theme=klima")
    assert response.status_code == 200
    assert link_header(response) == {"license": CC_BY}
    response.close()


def test_a_workbook_carries_the_licence_in_its_properties(client, tmp_path) -> None:
    import openpyxl

    path = tmp_path / "export.xlsx"
    path.write_bytes(client.get("/api/export?format=xlsx").get_data())
    workbook = openpyxl.load_workbook(path, read_only=True)
    description = workbook.properties.description
    workbook.close()
    assert "CC-BY-4.0" in description and CC_BY in description


def test_a_workbook_from_the_command_line_carries_the_licence_too(
    runner, service, tmp_path, monkeypatch
) -> None:
    import openpyxl

    monkeypatch.setenv("CASEBASE_DATA_LICENSE", "cc0-1.0")
    service.create_case({**RECORD, "ref": "one", "title": "Et forsøg"}, user=None)
    path = tmp_path / "cases.xlsx"
    assert runner.invoke(["export", "-o", str(path)]).exit_code == 0
    workbook = openpyxl.load_workbook(path, read_only=True)
    description = workbook.properties.description
    workbook.close()
    assert "CC0-1.0" in description


def test_a_bad_licence_stops_the_server_with_one_line(runner, env, monkeypatch) -> None:
    monkeypatch.setenv("CASEBASE_DATA_LICENSE", "CC-BY-9.9")
    result = runner.invoke(["serve"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "casebase: CASEBASE_DATA_LICENSE must be an SPDX licence id such as CC-BY-4.0 or "
        "CC0-1.0 (see https://spdx.org/licenses/), not 'CC-BY-9.9'"
    ]


# --- links between the pages of a search ------------------------------------------------------


def test_a_search_answer_links_its_pages(client) -> None:
    response = client.get("/api/cases?theme=byrum&per_page=2&q=&page=2")
    body = response.get_json()
    last = math.ceil(body["total"] / 2)
    assert last >= 3
    base = "http://localhost/api/cases?theme=byrum&per_page=2&page="
    assert body["links"] == {
        "self": base + "2",
        "first": base + "1",
        "prev": base + "1",
        "next": base + "3",
        "last": base + str(last),
    }
    assert link_header(response) == body["links"]


def test_the_first_and_last_pages_have_no_page_beyond(client) -> None:
    first = client.get("/api/cases?region=sjaelland&per_page=3").get_json()
    assert set(first["links"]) == {"self", "first", "next", "last"}
    last = client.get(first["links"]["last"]).get_json()
    assert set(last["links"]) == {"self", "first", "prev", "last"}
    assert last["links"]["self"] == first["links"]["last"]


def test_a_search_that_finds_nothing_has_one_page(client) -> None:
    response = client.get("/api/cases?q=xyzzyplugh")
    links = response.get_json()["links"]
    only = "http://localhost/api/cases?q=xyzzyplugh&page=1"
    assert links == {"self": only, "first": only, "last": only}
    assert link_header(response) == links


def test_a_page_past_the_last_links_back_to_the_last(client) -> None:
    links = client.get("/api/cases?per_page=50&page=9").get_json()["links"]
    assert _query(links["prev"])[-1] == ("page", "2")
    assert _query(links["last"])[-1] == ("page", "2")
    assert "next" not in links


def test_following_next_visits_every_case_once_in_order(client) -> None:
    whole = client.get("/api/cases?q=partnerskab&per_page=100").get_json()
    seen: list[str] = []
    url: str | None = "/api/cases?q=partnerskab&per_page=7&sort=relevance"
    while url:
        body = client.get(url).get_json()
        seen += [hit["ref"] for hit in body["results"]]
        url = body["links"].get("next")
    assert seen == [hit["ref"] for hit in whole["results"]]
    assert len(seen) == whole["total"] > 7


def test_links_keep_every_value_of_a_repeated_filter(client) -> None:
    links = client.get("/api/cases?theme=klima&theme=byrum&per_page=1&page=1").get_json()["links"]
    assert _query(links["next"]) == [
        ("theme", "klima"),
        ("theme", "byrum"),
        ("per_page", "1"),
        ("page", "2"),
    ]


def test_the_command_line_answer_has_no_links(runner, service) -> None:
    result = runner.invoke(["search", "partnerskab", "--json"])
    assert "links" not in json.loads(result.output)


def test_the_openapi_description_describes_links(client) -> None:
    spec = client.get("/api/openapi.json").get_json()
    search = spec["paths"]["/api/cases"]["get"]["responses"]["200"]
    assert "Link" in search["headers"]
    answer = spec["components"]["schemas"]["SearchResponse"]
    links = spec["components"]["schemas"]["PageLinks"]
    assert answer["properties"]["links"]["allOf"] == [{"$ref": "#/components/schemas/PageLinks"}]
    assert set(links["properties"]) == {"self", "first", "prev", "next", "last"}
    assert set(links["required"]) == {"self", "first", "last"}
    export = spec["paths"]["/api/export"]["get"]["responses"]["200"]
    assert "Link" in export["headers"]


def test_programs_in_browsers_may_read_the_link_header(client) -> None:
    response = client.get("/api/cases", headers={"Origin": "https://example.org"})
    assert "Link" in response.headers["Access-Control-Expose-Headers"]


# --- Atom feeds -------------------------------------------------------------------------------


def feed_of(client: FlaskClient, query: str = "") -> feedparser.FeedParserDict:
    response = client.get("/feed.atom" + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.get_data())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def entry_refs(parsed: feedparser.FeedParserDict) -> list[str]:
    refs = [entry.id.removeprefix("http://localhost/cases/") for entry in parsed.entries]
    assert [entry.link for entry in parsed.entries] == [entry.id for entry in parsed.entries]
    return refs


def newest(data: Seeded, refs: list[str], limit: int = 50) -> list[str]:
    return sorted(refs, key=lambda ref: data.created[ref], reverse=True)[:limit]


def test_the_feed_of_every_case_holds_the_50_newest(data, client) -> None:
    assert entry_refs(feed_of(client)) == newest(data, list(data.created))
    assert len(data.created) == 90


@pytest.mark.parametrize(
    "query",
    [
        "theme=byrum",
        "region=midtjylland&collaboration_form=borgerinddragelse&collaboration_form=projektpartnerskab",
        "q=partnerskab",
        "q=landsby*&year_from=2010&year_to=2016",
        "status=afsluttet&sort=title&page=3&per_page=5",
    ],
)
def test_a_feed_of_a_filtered_search_holds_exactly_the_newest_matching_cases(
    data, client, query
) -> None:
    found = matching(client, query.split("&sort=")[0])
    assert len(found) >= 3
    assert entry_refs(feed_of(client, query)) == newest(data, found)


def test_a_feed_entry_tells_the_case(data, client) -> None:
    parsed = feed_of(client, "theme=klima")
    entry = parsed.entries[0]
    ref = entry.id.rsplit("/", 1)[1]
    case = client.get(f"/api/cases/{ref}").get_json()
    assert entry.title == case["title"]
    assert entry.summary == case["summary"]
    assert entry.published == data.created[ref].isoformat()
    assert entry.updated == data.updated[ref].isoformat()
    assert entry.author == "casebase"
    scheme = {key: "http://localhost/?collaboration_form=" for key in case["collaboration_forms"]}
    scheme |= {key: "http://localhost/?theme=" for key in case["themes"]}
    assert [(tag.term, tag.scheme, tag.label) for tag in entry.tags] == [
        (key, scheme[key], case["labels"][key])
        for key in case["collaboration_forms"] + case["themes"]
    ]


def test_a_feed_says_what_it_follows_and_under_which_licence(client) -> None:
    parsed = feed_of(client, "q=partnerskab&theme=klima&year_from=2010&page=2")
    feed = parsed.feed
    assert (
        feed.title
        == "casebase – nye sager: «partnerskab» · Tema: Klima og bæredygtighed · Fra 2010"
    )
    assert feed.id == "http://localhost/feed.atom?q=partnerskab&theme=klima&year_from=2010"
    assert feed.language == "da"
    links = {link.rel: (link.href, link.get("type")) for link in feed.links}
    assert links == {
        "self": (feed.id, "application/atom+xml"),
        "alternate": ("http://localhost/?q=partnerskab&theme=klima&year_from=2010", "text/html"),
        "license": (CC_BY, "text/html"),
    }
    assert "CC-BY-4.0" in feed.rights and CC_BY in feed.rights
    assert feed.author == "casebase"


def test_a_feed_in_english(client) -> None:
    parsed = feed_of(client, "theme=klima&lang=en")
    assert parsed.feed.title == "casebase – new cases: Theme: Climate and sustainability"
    assert parsed.feed.language == "en"
    labels = {tag.label for entry in parsed.entries for tag in entry.tags}
    assert "Climate and sustainability" in labels and "Klima og bæredygtighed" not in labels


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("theme=nope", "theme"),
        ("foo=1", "foo"),
        ("lang=fr", "lang"),
        ("page=0", "page"),
        ("year_from=soon", "year_from"),
    ],
)
def test_a_feed_of_a_bad_search_is_a_400_as_in_the_api(client, query, words) -> None:
    response = client.get(f"/feed.atom?{query}")
    assert response.status_code == 400
    assert words in response.get_json()["message"]


def test_the_search_page_links_its_feed(data, client) -> None:
    page = html_of(client.get("/?q=partnerskab&theme=byrum&page=2&utm_source=x"))
    (alternate,) = page.xpath('//head/link[@rel="alternate"][@type="application/atom+xml"]')
    href = alternate.get("href")
    assert href == "/feed.atom?q=partnerskab&theme=byrum"
    assert alternate.get("title")
    (follow,) = page.xpath('//a[@type="application/atom+xml"]')
    assert follow.get("href") == href and follow.text_content() == "Følg denne søgning"
    assert entry_refs(feed_of(client, href.split("?")[1])) == newest(
        data, matching(client, "q=partnerskab&theme=byrum")
    )
    english = html_of(client.get("/?theme=byrum&lang=en"))
    (follow,) = english.xpath('//a[@type="application/atom+xml"]')
    assert follow.get("href") == "/feed.atom?theme=byrum&lang=en"
    assert follow.text_content() == "Follow this search"


def test_a_feed_leaves_out_what_xml_cannot_hold(service, app) -> None:
    service.create_case(
        {**RECORD, "ref": "ctl", "title": "Bygade\x0b i \x01Aarhus", "summary": "Før\x1f og efter"},
        user=None,
    )
    parsed = feed_of(app.test_client())
    assert [(e.title, e.summary) for e in parsed.entries] == [("Bygade i Aarhus", "Før og efter")]


def test_a_feed_of_an_empty_case_base_is_valid(app) -> None:
    parsed = feed_of(app.test_client(), "theme=klima")
    assert parsed.entries == [] and parsed.feed.updated


# --- the DCAT-AP catalogue -------------------------------------------------------------------


def catalog_graph(client: FlaskClient) -> rdflib.Graph:
    response = client.get("/catalog.jsonld")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    with warnings.catch_warnings():
        # rdflib 7.6's JSON-LD parser builds a ConjunctiveGraph itself and warns about it.
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return rdflib.Graph().parse(data=response.get_data(as_text=True), format="json-ld")


def one(graph: rdflib.Graph, subject, predicate):
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    return values[0]


def texts(graph: rdflib.Graph, subject, predicate) -> dict[str, str]:
    return {value.language: str(value) for value in graph.objects(subject, predicate)}


def test_the_catalogue_describes_the_dataset(data, client) -> None:
    graph = catalog_graph(client)
    (catalog,) = graph.subjects(RDF.type, DCAT.Catalog)
    (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
    assert one(graph, catalog, DCAT.dataset) == dataset
    assert set(texts(graph, dataset, DCTERMS.title)) == {"da", "en"}
    assert set(texts(graph, dataset, DCTERMS.description)) == {"da", "en"}
    publisher = one(graph, dataset, DCTERMS.publisher)
    assert str(one(graph, publisher, FOAF.name)) == "casebase"
    assert one(graph, catalog, DCTERMS.publisher) == publisher
    contact = one(graph, dataset, DCAT.contactPoint)
    assert str(one(graph, contact, VCARD.fn)) == "casebase"
    assert one(graph, dataset, DCTERMS.spatial) == rdflib.URIRef(EU + "country/DNK")
    assert one(graph, dataset, DCAT.landingPage) == rdflib.URIRef("http://localhost/")
    for node in (catalog, dataset, *graph.subjects(RDF.type, DCAT.Distribution)):
        assert one(graph, node, DCTERMS.license) == rdflib.URIRef(CC_BY)
    assert str(one(graph, rdflib.URIRef(CC_BY), DCTERMS.identifier)) == "CC-BY-4.0"


def test_the_catalogue_dates_and_years_come_from_the_data(data, client) -> None:
    graph = catalog_graph(client)
    (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
    with data.service.db.session() as session:
        newest_change = session.scalar(select(func.max(Change.at)))
    if newest_change.tzinfo is None:  # SQLite gives back what it was given, in UTC
        newest_change = newest_change.replace(tzinfo=UTC)
    modified = one(graph, dataset, DCTERMS.modified)
    assert modified.datatype == XSD.dateTime
    assert modified.toPython() == newest_change.replace(microsecond=0)
    assert one(graph, dataset, DCTERMS.issued).toPython() == FIRST_CREATED
    cases = json.loads(client.get("/api/export?format=json").get_data())
    starts = [c["start_year"] for c in cases if c.get("start_year")]
    ends = [c.get("end_year") or c["start_year"] for c in cases if c.get("start_year")]
    period = one(graph, dataset, DCTERMS.temporal)
    assert str(one(graph, period, DCAT.startDate)) == str(min(starts))
    assert str(one(graph, period, DCAT.endDate)) == str(max(ends))


def test_the_catalogue_names_themes_and_keywords(client) -> None:
    graph = catalog_graph(client)
    (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
    themes = set(graph.objects(dataset, DCAT.theme))
    assert rdflib.URIRef(EU + "data-theme/REGI") in themes
    concepts = {
        str(one(graph, theme, SKOS.notation)): theme
        for theme in themes
        if (theme, RDF.type, SKOS.Concept) in graph
    }
    assert set(concepts) == {term.key for term in vocabularies.VOCABULARIES["theme"]}
    assert texts(graph, concepts["klima"], SKOS.prefLabel) == {
        "da": vocabularies.label("theme", "klima", "da"),
        "en": vocabularies.label("theme", "klima", "en"),
    }
    keywords = {(str(k), k.language) for k in graph.objects(dataset, DCAT.keyword)}
    assert {("Projektpartnerskab", "da"), ("Project partnership", "en")} <= keywords


def test_the_catalogue_has_a_distribution_per_export_format_that_downloads(data, client) -> None:
    graph = catalog_graph(client)
    found = graph.query(
        """SELECT ?download ?media WHERE {
             ?dataset a dcat:Dataset ; dcat:distribution ?d .
             ?d dcat:downloadURL ?download .
             OPTIONAL { ?d dcat:mediaType ?media }
           }""",
        initNs={"dcat": DCAT},
    )
    downloads = {str(row.download): row.media for row in found}
    assert set(downloads) == {
        f"http://localhost/api/export?format={fmt}" for fmt in exporter.FORMATS
    }
    json_media = "https://www.iana.org/assignments/media-types/application/json"
    assert str(downloads["http://localhost/api/export?format=json"]) == json_media
    for address in downloads:
        response = client.get(address)
        fmt = address.rsplit("=", 1)[1]
        assert response.status_code == 200
        assert response.headers["Content-Type"] == exporter.content_type(fmt)
        if fmt == "jsonl":
            assert len(response.get_data().splitlines()) == len(data.created)
        response.close()


def test_the_catalogue_describes_the_api(client) -> None:
    graph = catalog_graph(client)
    (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
    (service,) = graph.subjects(RDF.type, DCAT.DataService)
    assert one(graph, service, DCAT.servesDataset) == dataset
    description = one(graph, service, DCAT.endpointDescription)
    spec = client.get(str(description)).get_json()
    conforms = str(one(graph, service, DCTERMS.conformsTo))
    assert conforms == "https://spec.openapis.org/oas/v" + spec["openapi"]
    endpoint = str(one(graph, service, DCAT.endpointURL))
    assert client.get(endpoint).get_json()["total"] == 90
    (api,) = graph.subjects(DCAT.accessService, service)
    assert (dataset, DCAT.distribution, api) in graph
    assert one(graph, api, DCTERMS.conformsTo) == description


def test_the_catalogue_follows_the_configuration(configured, client) -> None:
    configured.config["DATA_LICENSE"] = data_license("ODbL-1.0")
    configured.config["PUBLISHER"] = "Social- og Boligstyrelsen"
    configured.config["CONTACT_EMAIL"] = "data@example.dk"
    graph = catalog_graph(client)
    (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
    odbl = rdflib.URIRef("https://opendatacommons.org/licenses/odbl/1-0/")
    assert one(graph, dataset, DCTERMS.license) == odbl
    assert str(one(graph, one(graph, dataset, DCTERMS.publisher), FOAF.name)) == (
        "Social- og Boligstyrelsen"
    )
    contact = one(graph, dataset, DCAT.contactPoint)
    assert one(graph, contact, VCARD.hasEmail) == rdflib.URIRef("mailto:data@example.dk")


# --- sitemaps and robots.txt ------------------------------------------------------------------


def sitemap_of(client: FlaskClient, path: str) -> lxml.etree._Element:
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "application/xml"
    return lxml.etree.fromstring(response.get_data())


def pages_of(root: lxml.etree._Element) -> dict[str, str | None]:
    assert root.tag == f"{{{SITEMAP_NS}}}urlset"
    return {
        url.findtext("s:loc", namespaces=SITEMAP): url.findtext("s:lastmod", namespaces=SITEMAP)
        for url in root.findall("s:url", SITEMAP)
    }


def expected_pages(data: Seeded) -> list[str]:
    return ["http://localhost/"] + [f"http://localhost/cases/{ref}" for ref in sorted(data.created)]


def test_the_sitemap_lists_every_case_with_its_last_change(data, client) -> None:
    pages = pages_of(sitemap_of(client, "/sitemap.xml"))
    assert list(pages) == expected_pages(data)
    for ref, updated in data.updated.items():
        moment = datetime.fromisoformat(pages[f"http://localhost/cases/{ref}"])
        assert moment == updated
    assert pages["http://localhost/"]


def test_a_big_site_has_a_sitemap_index(data, client, monkeypatch) -> None:
    monkeypatch.setattr("casebase.web.opendata.SITEMAP_MAX_URLS", 40)
    index = sitemap_of(client, "/sitemap.xml")
    assert index.tag == f"{{{SITEMAP_NS}}}sitemapindex"
    parts = [loc.text for loc in index.iterfind("s:sitemap/s:loc", SITEMAP)]
    assert parts == [f"http://localhost/sitemap-{n}.xml" for n in (1, 2, 3)]
    listed: list[str] = []
    for address in parts:
        pages = pages_of(sitemap_of(client, address))
        assert len(pages) <= 40
        listed += pages
    assert listed == expected_pages(data)
    for missing in ("/sitemap-4.xml", "/sitemap-0.xml"):
        assert client.get(missing).status_code == 404


def test_robots_txt_points_at_the_sitemap(client) -> None:
    response = client.get("/robots.txt")
    assert response.mimetype == "text/plain"
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(response.get_data(as_text=True).splitlines())
    assert robots.site_maps() == ["http://localhost/sitemap.xml"]
    assert robots.can_fetch("*", f"http://localhost/cases/{FIRST_CASE}")
    assert robots.can_fetch("*", "http://localhost/?theme=klima")
    assert not robots.can_fetch("*", "http://localhost/admin/login")


# --- the pages' heads: schema.org, canonical addresses, languages, descriptions ---------------


def page_jsonld(response) -> dict:
    (script,) = html_of(response).xpath('//script[@type="application/ld+json"]')
    assert script.getparent().tag == "head"
    return json.loads(script.text)


def test_a_case_page_carries_schema_org_json_ld(data, client) -> None:
    ref = "genbyg-hovedgaden-moerke"
    case = client.get(f"/api/cases/{ref}").get_json()
    found = page_jsonld(client.get(f"/cases/{ref}"))
    url = f"http://localhost/cases/{ref}"
    assert found["@context"] == "https://schema.org" and found["@type"] == "CreativeWork"
    assert (found["@id"], found["url"], found["identifier"]) == (url, url, ref)
    assert (found["name"], found["description"]) == (case["title"], case["summary"])
    assert found["dateCreated"] == data.created[ref].isoformat() == case["created_at"]
    assert found["dateModified"] == data.updated[ref].isoformat() == case["updated_at"]
    assert found["license"] == CC_BY
    assert found["keywords"] == [
        case["labels"][key] for key in case["collaboration_forms"] + case["themes"]
    ]
    end = case["end_year"] if case["end_year"] is not None else ".."
    assert found["temporalCoverage"] == f"{case['start_year']}/{end}"
    places = [place for place in found["spatialCoverage"] if "name" in place]
    assert [place["name"] for place in places] == case["municipalities"]
    centre = vocabularies.terms_by_key("municipality")[case["municipalities"][0]]
    assert places[0]["geo"] == {
        "@type": "GeoCoordinates",
        "latitude": centre.lat,
        "longitude": centre.lon,
    }
    assert found["isPartOf"]["@id"] == "http://localhost/catalog.jsonld#dataset"


def test_a_nationwide_case_covers_denmark(client) -> None:
    found = page_jsonld(client.get("/cases/landsbyklynger?lang=en"))
    assert {"@type": "Country", "name": "Denmark", "identifier": "DK"} in found["spatialCoverage"]


def test_json_ld_cannot_end_its_script_element(service, app) -> None:
    title = '</script><script>alert("x")</script><!-- ]]> \u2028 & x'
    service.create_case(
        {**RECORD, "ref": "evil", "title": title, "summary": "</SCRIPT >x"}, user=None
    )
    response = app.test_client().get("/cases/evil")
    page = response.get_data(as_text=True)
    assert '<script>alert("x")' not in page and "</SCRIPT >" not in page
    scripts = html_of(response).xpath("//script")
    assert [s.get("type") for s in scripts if s.text and s.text.strip()] == ["application/ld+json"]
    found = page_jsonld(response)
    assert (found["name"], found["description"]) == (title, "</SCRIPT >x")


def test_a_case_page_has_a_canonical_address_languages_and_a_description(client) -> None:
    case = client.get(f"/api/cases/{FIRST_CASE}").get_json()
    head = html_of(client.get(f"/cases/{FIRST_CASE}?lang=en&utm_source=x")).find("head")
    url = f"http://localhost/cases/{FIRST_CASE}"
    assert head.xpath('link[@rel="canonical"]/@href') == [url]
    assert {(link.get("hreflang"), link.get("href")) for link in head.xpath("link[@hreflang]")} == {
        ("da", url + "?lang=da"),
        ("en", url + "?lang=en"),
        ("x-default", url),
    }
    (description,) = head.xpath('meta[@name="description"]/@content')
    assert description == case["summary"][:160] or description.endswith("…")
    assert 0 < len(description) <= 160


def test_the_search_page_has_a_canonical_address_and_languages(client) -> None:
    head = html_of(client.get("/?theme=klima&lang=en&utm_source=x&page=2")).find("head")
    canonical = "http://localhost/?theme=klima&page=2"
    assert head.xpath('link[@rel="canonical"]/@href') == [canonical]
    hreflangs = dict(
        (link.get("hreflang"), link.get("href")) for link in head.xpath("link[@hreflang]")
    )
    assert hreflangs == {
        "da": canonical + "&lang=da",
        "en": canonical + "&lang=en",
        "x-default": canonical,
    }
    assert head.xpath('meta[@name="description"]/@content')[0].startswith("Searchable database")


def test_error_pages_name_no_canonical_address(client) -> None:
    for path in ("/no-such-page", "/cases/no-such-case", "/?theme=nope"):
        head = html_of(client.get(path)).find("head")
        assert head.xpath('link[@rel="canonical"]') == []


@pytest.mark.parametrize("few", [0, 10_000])
def test_the_store_finds_the_newest_among_few_refs_and_among_many(data, few) -> None:
    from casebase import store

    refs = sorted(data.created)
    for among in (refs, refs[::3], refs[:2], []):
        with data.service.db.session() as session:
            found = store.newest_refs(session, 10, among, few=few)
        assert found == newest(data, among, 10)


@pytest.mark.parametrize("path", ["/feed.atom", "/catalog.jsonld"])
def test_programs_in_browsers_may_read_the_documents(client, path) -> None:
    response = client.get(path, headers={"Origin": "https://validator.example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
