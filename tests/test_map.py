"""The map (docs/contract.md section 10): municipality centres, GET /api/cases.geojson on SQLite
and PostgreSQL against places computed here from the stored cases, the tile URL setting, the
map's Content-Security-Policy and its page."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from conftest import ROOT

from casebase import create_app
from casebase.config import load_config
from casebase.errors import CasebaseError
from casebase.schemas.research import FeatureCollectionSchema
from casebase.web import security

# The pages do not depend on the database: in the browser, SQLite only (the API's tests
# run on both).
ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

MUNICIPALITIES = json.loads(
    (ROOT / "casebase" / "data" / "municipalities.json").read_text(encoding="utf-8")
)
CENTRES = {
    m["name"]: (m["lat"], m["lon"])
    for region in MUNICIPALITIES["regions"]
    for m in region["municipalities"]
}
OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
# Milliseconds a case page opened from the map may take, on a machine busy with the suite.
OPENS_MS = 15_000


def expected_places(records: list[dict[str, Any]]) -> dict[str, tuple[float, float, bool]]:
    """ref -> (longitude, latitude, approximate), decided here from each record alone."""
    places = {}
    for record in records:
        if record.get("latitude") is not None:
            places[record["ref"]] = (record["longitude"], record["latitude"], False)
        elif record.get("municipalities"):
            lat, lon = CENTRES[record["municipalities"][0]]
            places[record["ref"]] = (lon, lat, True)
    return places


def features(body: dict[str, Any]) -> dict[str, tuple[float, float, bool]]:
    return {
        f["properties"]["ref"]: (*f["geometry"]["coordinates"], f["properties"]["approximate"])
        for f in body["features"]
    }


# --- centres --------------------------------------------------------------------------------


def test_every_municipality_has_its_centre_in_the_vocabularies(client) -> None:
    terms = client.get("/api/vocabularies").get_json()["municipality"]
    assert len(terms) == len(CENTRES) == 98
    for term in terms:
        assert (term["lat"], term["lon"]) == CENTRES[term["value"]]
        assert 54.5 < term["lat"] < 57.8 and 8.0 < term["lon"] < 15.2
    assert MUNICIPALITIES["sources"]["centres"]["url"]  # the centres' source is named


# --- GET /api/cases.geojson -----------------------------------------------------------------


def test_the_geojson_places_every_case_of_the_search(client, seeded) -> None:
    records = client.get("/api/export?format=json").get_json()
    response = client.get("/api/cases.geojson")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    body = response.get_json()
    assert FeatureCollectionSchema().validate(body) == {}
    assert body["type"] == "FeatureCollection"
    expected = expected_places(records)
    assert features(body) == expected
    # 90 cases: 5 are nationwide without coordinates of their own, and have no place.
    assert len(body["features"]) == 85
    assert sum(1 for place in expected.values() if place[2]) == 85 - 41
    titles = {r["ref"]: r["title"] for r in records}
    for feature in body["features"]:
        props = feature["properties"]
        assert list(props) == ["ref", "title", "url", "approximate"]
        assert props["title"] == titles[props["ref"]]
        assert props["url"] == f"http://localhost/cases/{props['ref']}"
        assert feature["geometry"]["type"] == "Point"


def test_the_geojson_covers_every_match_not_a_page(client, seeded) -> None:
    query = "q=partnerskab&region=midtjylland&region=hovedstaden&per_page=1&page=2"
    found = client.get(f"/api/export?format=json&{query}").get_json()
    assert len(found) > 1
    body = client.get(f"/api/cases.geojson?{query}").get_json()
    assert features(body) == expected_places(found)
    assert [f["properties"]["ref"] for f in body["features"]] == [r["ref"] for r in found]


def test_a_nationwide_case_has_a_place_only_with_its_own_coordinates(client, service) -> None:
    base = {
        "description": "Tekst.",
        "collaboration_forms": ["borgerinddragelse"],
        "themes": ["klima"],
    }
    service.create_case({**base, "ref": "nowhere", "title": "Overalt og ingen steder"}, "t")
    service.create_case(
        {
            **base,
            "ref": "pinned",
            "title": "Landsdækkende med et sted",
            "latitude": 56.1,
            "longitude": 10.2,
        },
        "t",
    )
    service.create_case(
        {**base, "ref": "two", "title": "To kommuner", "municipalities": ["Aarhus", "Odense"]}, "t"
    )
    body = client.get("/api/cases.geojson?sort=title").get_json()
    lat, lon = CENTRES["Aarhus"]
    assert features(body) == {"pinned": (10.2, 56.1, False), "two": (lon, lat, True)}
    assert client.get("/api/cases.geojson?q=zzzyyyxxx").get_json() == {
        "type": "FeatureCollection",
        "features": [],
    }


@pytest.mark.parametrize("query", ["theme=nope", "colour=red", "year_from=soon"])
def test_bad_search_parameters_are_400(client, query: str) -> None:
    response = client.get(f"/api/cases.geojson?{query}")
    assert response.status_code == 400
    assert response.get_json()["message"]


# --- tiles and the Content-Security-Policy ---------------------------------------------------


def test_the_tile_url_is_openstreetmaps_unless_configured(monkeypatch) -> None:
    monkeypatch.delenv("CASEBASE_TILE_URL", raising=False)
    assert load_config({"DATABASE_URL": "sqlite://"})["TILE_URL"] == OSM
    mine = "https://tiles.example.dk/kort/{z}/{x}/{y}.png?key=1"
    monkeypatch.setenv("CASEBASE_TILE_URL", mine)
    assert load_config({"DATABASE_URL": "sqlite://"})["TILE_URL"] == mine


@pytest.mark.parametrize(
    "url",
    ["ftp://tiles.example.dk/{z}/{x}/{y}.png", "https://tiles.example.dk/tile.png", "kort", " "],
)
def test_a_tile_url_that_cannot_serve_tiles_is_refused_clearly(monkeypatch, url: str) -> None:
    monkeypatch.setenv("CASEBASE_TILE_URL", url)
    if not url.strip():
        assert load_config({"DATABASE_URL": "sqlite://"})["TILE_URL"] == OSM
        return
    with pytest.raises(CasebaseError, match="CASEBASE_TILE_URL"):
        load_config({"DATABASE_URL": "sqlite://"})


def csp(response) -> dict[str, str]:
    return {
        part.split()[0]: part.strip()
        for part in response.headers["Content-Security-Policy"].split(";")
        if part.strip()
    }


def test_only_the_map_may_load_tiles_and_only_from_the_tile_origin(client, seeded) -> None:
    map_policy = csp(client.get("/map"))
    assert map_policy["img-src"] == "img-src 'self' data: https://tile.openstreetmap.org"
    everywhere = csp(client.get("/"))
    assert everywhere["img-src"] == "img-src 'self' data:"
    assert {k: v for k, v in map_policy.items() if k != "img-src"} == {
        k: v for k, v in everywhere.items() if k != "img-src"
    }
    assert client.get("/").headers["Content-Security-Policy"] == security.CONTENT_SECURITY_POLICY


def test_a_configured_tile_server_is_the_one_allowed(env, service, monkeypatch) -> None:
    monkeypatch.setenv("CASEBASE_TILE_URL", "http://127.0.0.1:8081/tiles/{z}/{x}/{y}.png")
    app = create_app({"TESTING": True, "SECRET_KEY": "test"})
    try:
        response = app.test_client().get("/map")
        assert csp(response)["img-src"] == "img-src 'self' data: http://127.0.0.1:8081"
        html = response.get_data(as_text=True)
        assert 'data-tiles="http://127.0.0.1:8081/tiles/{z}/{x}/{y}.png"' in html
    finally:
        app.extensions["casebase"].close()


# --- the map page ---------------------------------------------------------------------------


def test_the_map_page_shows_the_search_with_its_places_as_a_list(client, seeded) -> None:
    query = "q=partnerskab&theme=byrum"
    html = client.get(f"/map?{query}").get_data(as_text=True)
    total = client.get(f"/api/cases?{query}").get_json()["total"]
    assert f"{total} sager" in html
    container = re.search(r'<div id="map"[^>]*>', html)
    assert container
    assert f'data-geojson="/api/cases.geojson?{query.replace("&", "&amp;")}"' in container.group(0)
    assert 'role="region"' in container.group(0) and "aria-label" in container.group(0)
    assert re.search(r'<script src="/assets/vendor/leaflet/leaflet\.js"', html)
    assert re.search(
        r'<script src="/assets/vendor/leaflet\.markercluster/leaflet\.markercluster\.js"', html
    )
    assert re.search(r'<link rel="stylesheet" href="/assets/vendor/leaflet/leaflet\.css"', html)
    # The accessible alternative: the cases of the page with where each is placed.
    page = client.get(f"/api/cases?{query}").get_json()["results"]
    rows = re.findall(r'<tr>\s*<th scope="row"><a href="/cases/([^"]+)"', html)
    assert rows == [r["ref"] for r in page]
    assert "kommunens midtpunkt" in html.lower() or "egne koordinater" in html.lower()
    # The view switch: back to the list, with the same search.
    assert re.search(r'<a href="/\?q=partnerskab&amp;theme=byrum"[^>]*>Liste</a>', html)


def test_the_search_page_links_to_its_map(client, seeded) -> None:
    html = client.get("/?q=partnerskab&page=2").get_data(as_text=True)
    assert re.search(r'<a href="/map\?q=partnerskab"[^>]*>Kort</a>', html)
    assert 'id="map"' not in html  # the map and Leaflet live on the map view only
    assert "leaflet" not in html


def test_vendored_leaflet_carries_its_licence() -> None:
    vendor = ROOT / "casebase" / "web" / "static" / "vendor"
    for package, licence in (("leaflet", "LICENSE"), ("leaflet.markercluster", "MIT-LICENCE.txt")):
        assert (vendor / package / licence).is_file(), package
        assert (vendor / package / "package.json").is_file(), package
    assert (vendor / "leaflet" / "images" / "marker-icon.png").is_file()


# --- in the browser ---------------------------------------------------------------------------


def lone_municipality(live_server: str) -> tuple[str, str]:
    """A municipality where exactly one case of the seed data lies, and that case's ref."""
    from conftest import api

    for bucket in api(live_server, "/api/cases")["facets"]["municipality"]:
        if bucket["count"] == 1:
            query = f"/api/cases.geojson?municipality={quote(bucket['value'])}"
            found = api(live_server, query)["features"]
            if len(found) == 1:
                return bucket["value"], found[0]["properties"]["ref"]
    raise AssertionError("no municipality with a single case")


@pytest.mark.browser
@ON_SQLITE
def test_the_map_shows_the_points_without_network_and_a_point_opens_its_case(
    open_page, live_server
) -> None:
    from conftest import api, offline_tiles, screenshot
    from playwright.sync_api import expect

    watched = open_page()
    offline_tiles(watched, serve=False)  # no tiles at all: the points must show anyway
    page = watched.page
    page.goto(live_server + "/map")
    every = api(live_server, "/api/cases.geojson")["features"]
    expect(page.locator("#map")).to_have_attribute("data-points", str(len(every)))
    expect(page.locator(".map-cluster").first).to_be_visible()
    expect(page.locator("#map-status")).to_contain_text(f"viser {len(every)} af de fundne sager")
    screenshot(page, "map")
    screenshot(page, "map-view", page.locator("#map"))

    # Filtering on the map view moves the points with the search, without a reload.
    page.evaluate("window.__sameDocument = true")
    region = api(live_server, "/api/cases")["facets"]["region"][0]["value"]
    page.locator(f"label[for='f-region-{region}']").click()
    expect(page).to_have_url(re.compile(f"/map\\?region={region}"))
    narrowed = api(live_server, f"/api/cases.geojson?region={region}")["features"]
    expect(page.locator("#map")).to_have_attribute("data-points", str(len(narrowed)))
    assert page.evaluate("window.__sameDocument") is True

    # A lone point: a click opens its case; Enter on it does too (keyboard).
    municipality, ref = lone_municipality(live_server)
    page.goto(f"{live_server}/map?municipality={quote(municipality)}")
    pin = page.locator(".leaflet-marker-icon.map-pin")
    expect(pin).to_have_count(1)
    settled(page)
    pin.click()
    expect(page).to_have_url(f"{live_server}/cases/{ref}", timeout=OPENS_MS)
    page.go_back()
    pin = page.locator(".leaflet-marker-icon.map-pin")
    expect(pin).to_have_count(1)
    settled(page)
    pin.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/cases/{ref}", timeout=OPENS_MS)


def settled(page: Any) -> None:
    """Wait until the map has zoomed to its points: a click during Leaflet's zoom animation
    can land on a marker that the cluster layer replaces at the animation's end."""
    from playwright.sync_api import expect

    expect(page.locator("#map .leaflet-zoom-anim")).to_have_count(0)


@pytest.mark.browser
@ON_SQLITE
def test_the_map_with_tiles_on_a_phone_and_without_javascript(open_page, live_server) -> None:
    from conftest import PHONE, offline_tiles, screenshot
    from playwright.sync_api import expect

    watched = open_page(viewport=PHONE)
    offline_tiles(watched)
    page = watched.page
    page.goto(live_server + "/map?q=partnerskab")
    expect(page.locator(".leaflet-tile-loaded").first).to_be_attached()
    expect(page.locator(".map-cluster, .map-pin").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "map-phone")

    plain = open_page(javascript=False).page
    plain.goto(live_server + "/map?q=partnerskab")
    expect(plain.locator(".map-fallback")).to_be_visible()
    expect(plain.locator("table.place-table tbody tr").first).to_be_visible()
