"""Cross-tabulation (docs/contract.md section 10): the engine on a corpus whose counts are known,
the API on SQLite and PostgreSQL against a brute-force count over the stored cases, the CSV,
and the table on the search page."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from html import unescape
from itertools import product
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import ROOT
from search_fixtures import CASES

from casebase import catalogue, vocabularies
from casebase.engine import CaseIndex, CrossTab, SearchParams, TabValue, crosstab
from casebase.engine.analysis import danish_sort_key
from casebase.tables import crosstab_csv

# The pages do not depend on the database: in the browser, SQLite only (the API's tests
# run on both).
ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


# --- the engine, on the corpus of tests/search_fixtures.py -----------------------------------


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaseIndex]:
    case_index = CaseIndex(tmp_path_factory.mktemp("crosstab") / "index")
    case_index.rebuild(iter(CASES), seq=1)
    yield case_index
    case_index.close()


def as_dict(tab: CrossTab) -> dict[tuple[Any, Any], int]:
    """(row value, column value) -> count, for the cells that count anything."""
    return {
        (row.value, col.value): tab.cells[i][j]
        for i, row in enumerate(tab.row_values)
        for j, col in enumerate(tab.col_values)
        if tab.cells[i][j]
    }


def test_region_by_status_counts_a_case_of_two_regions_in_both(index: CaseIndex) -> None:
    tab = crosstab(index, SearchParams(), "region", "status")
    # 15 cases: every one but the nationwide, which has no region.
    assert tab.total == 15
    assert [v.value for v in tab.row_values] == [
        "sjaelland",
        "hovedstaden",
        "midtjylland",
        "syddanmark",
        "nordjylland",
    ]
    assert tab.row_values[0] == TabValue("sjaelland", "Region Sjælland")
    assert tab.row_totals == [6, 3, 3, 3, 1]
    assert [v.value for v in tab.col_values] == ["afsluttet", "igangvaerende", "planlagt"]
    # "tvaers" lies in hovedstaden and midtjylland: it is in both rows, counted once below.
    assert tab.col_totals == [10, 4, 1]
    assert sum(tab.cells[i][0] for i in range(5)) == 11
    assert as_dict(tab) == {
        ("sjaelland", "afsluttet"): 2,
        ("sjaelland", "igangvaerende"): 3,
        ("sjaelland", "planlagt"): 1,
        ("hovedstaden", "afsluttet"): 3,
        ("midtjylland", "afsluttet"): 3,
        ("syddanmark", "afsluttet"): 2,
        ("syddanmark", "igangvaerende"): 1,
        ("nordjylland", "afsluttet"): 1,
    }


def test_years_and_decades_are_in_order_and_cases_without_a_start_year_are_left_out(
    index: CaseIndex,
) -> None:
    years = crosstab(index, SearchParams(), "start_year", "status")
    assert [v.value for v in years.row_values] == [
        2005,
        2008,
        2010,
        2011,
        2012,
        2014,
        2015,
        2016,
        2018,
        2019,
    ]
    assert years.row_values[0] == TabValue(2005, "2005")
    assert years.total == 15  # roskilde-klima has no start year
    decades = crosstab(index, SearchParams(), "status", "decade")
    assert decades.col_values == [TabValue(2000, "2000–2009"), TabValue(2010, "2010–2019")]
    assert decades.col_totals == [2, 13]
    assert as_dict(decades)[("igangvaerende", 2000)] == 1  # national, 2005


def test_the_search_narrows_the_table(index: CaseIndex) -> None:
    tab = crosstab(
        index,
        SearchParams(q="landsbyen", filters={"region": ("sjaelland",)}),
        "collaboration_form",
        "theme",
    )
    # zebra and aeble (foreninger), landsby-a and landsby-b (tværkommunalt)
    assert tab.total == 4
    assert as_dict(tab) == {
        ("foreninger-og-frivillige", "landdistrikter"): 2,
        ("foreninger-og-frivillige", "kultur-og-fritid"): 1,
        ("foreninger-og-frivillige", "mobilitet"): 1,
        ("tvaerkommunalt", "landdistrikter"): 2,
        ("tvaerkommunalt", "omdannelse"): 2,
    }
    assert [v.value for v in tab.row_values] == ["foreninger-og-frivillige", "tvaerkommunalt"]
    assert [v.value for v in tab.col_values] == [
        "landdistrikter",
        "omdannelse",
        "kultur-og-fritid",
        "mobilitet",
    ]
    assert (tab.row_totals, tab.col_totals) == ([2, 2], [4, 2, 1, 1])


def test_nothing_found_is_an_empty_table(index: CaseIndex, tmp_path) -> None:
    empty = CrossTab("region", "theme", 0, [], [], [], [], [])
    assert crosstab(index, SearchParams(q="zzzyyyxxx"), "region", "theme") == empty
    assert crosstab(CaseIndex(tmp_path / "none"), SearchParams(), "region", "theme") == empty


def test_an_unknown_dimension_is_refused_by_the_engine(index: CaseIndex) -> None:
    with pytest.raises(ValueError, match="colour"):
        crosstab(index, SearchParams(), "colour", "theme")


# --- the API, on SQLite and PostgreSQL: checked by a brute-force count ---------------------


REGION_OF = {
    municipality["name"]: region["key"]
    for region in json.loads(
        (ROOT / "casebase" / "data" / "municipalities.json").read_text(encoding="utf-8")
    )["regions"]
    for municipality in region["municipalities"]
}


def dimension_values(record: dict[str, Any], dimension: str) -> list[Any]:
    """The values a stored record has for a dimension, computed here from the record alone."""
    if dimension in ("start_year", "decade"):
        start = record.get("start_year")
        if start is None:
            return []
        return [start if dimension == "start_year" else start - start % 10]
    if dimension == "region":  # derived, not exported: from the municipalities' file
        return sorted({REGION_OF[m] for m in record.get("municipalities") or []})
    value = record.get(catalogue.BY_NAME[dimension].field)
    return [value] if isinstance(value, str) else list(value or [])


def matches(record: dict[str, Any], filters: dict[str, list[str]]) -> bool:
    """A search of filters and years, decided for one record as the contract says."""
    for name, wanted in filters.items():
        if name in ("year_from", "year_to"):
            continue
        if not set(dimension_values(record, name)) & set(wanted):
            return False
    low, high = filters.get("year_from", [None])[0], filters.get("year_to", [None])[0]
    if low is None and high is None:
        return True
    start = record.get("start_year")
    if start is None:
        return False
    end = record.get("end_year") or start
    return (high is None or start <= int(high)) and (low is None or end >= int(low))


def brute_force(records: list[dict[str, Any]], rows: str, cols: str) -> dict[str, Any]:
    cells: Counter = Counter()
    row_totals: Counter = Counter()
    col_totals: Counter = Counter()
    total = 0
    for record in records:
        across, down = dimension_values(record, rows), dimension_values(record, cols)
        if across and down:
            total += 1
            row_totals.update(across)
            col_totals.update(down)
            cells.update(product(across, down))
    return {"total": total, "rows": row_totals, "cols": col_totals, "cells": cells}


def stored_records(client) -> list[dict[str, Any]]:
    return client.get("/api/export?format=json").get_json()


def label(dimension: str, value: Any) -> str:
    if dimension == "decade":
        return f"{value}–{value + 9}"
    if dimension == "start_year":
        return str(value)
    return vocabularies.label(catalogue.BY_NAME[dimension].vocabulary, value)


def check_against(body: dict[str, Any], expected: dict[str, Any]) -> None:
    rows, cols = body["rows"], body["cols"]
    assert body["total"] == expected["total"]
    assert {
        v["value"]: t for v, t in zip(body["row_values"], body["row_totals"], strict=True)
    } == dict(expected["rows"])
    assert {
        v["value"]: t for v, t in zip(body["col_values"], body["col_totals"], strict=True)
    } == dict(expected["cols"])
    found = {
        (row["value"], col["value"]): body["cells"][i][j]
        for i, row in enumerate(body["row_values"])
        for j, col in enumerate(body["col_values"])
    }
    assert {k: n for k, n in found.items() if n} == dict(expected["cells"])
    assert all(len(line) == len(body["col_values"]) for line in body["cells"])
    for name, values, totals in (
        (rows, body["row_values"], body["row_totals"]),
        (cols, body["col_values"], body["col_totals"]),
    ):
        assert all(v["label"] == label(name, v["value"]) for v in values)
        if name in ("start_year", "decade"):
            assert [v["value"] for v in values] == sorted(v["value"] for v in values)
        else:
            order = [(-t, danish_sort_key(v["label"])) for v, t in zip(values, totals, strict=True)]
            assert order == sorted(order)


CROSSTABS = [
    ("collaboration_form", "region", ""),
    ("region", "collaboration_form", "theme=byrum&theme=klima"),
    ("municipality", "theme", "region=sjaelland&collaboration_form=projektpartnerskab"),
    ("actor", "start_year", "year_from=2010&year_to=2015"),
    ("decade", "status", ""),
    ("theme", "decade", "actor=borgere&status=afsluttet"),
    ("start_year", "decade", "year_to=2012"),
]


def test_the_crosstab_is_a_brute_force_count_of_the_stored_cases(client, seeded) -> None:
    records = stored_records(client)
    assert len(records) == 90
    for rows, cols, query in CROSSTABS:
        response = client.get(f"/api/crosstab?rows={rows}&cols={cols}&{query}")
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert list(body) == [
            "rows",
            "cols",
            "total",
            "row_values",
            "col_values",
            "cells",
            "row_totals",
            "col_totals",
        ]
        assert (body["rows"], body["cols"]) == (rows, cols)
        filters = parse_qs(query)
        found = [r for r in records if matches(r, filters)]
        check_against(body, brute_force(found, rows, cols))


def test_the_crosstab_of_a_text_search_counts_the_cases_the_search_finds(client, seeded) -> None:
    query = "q=partnerskab&region=hovedstaden&region=midtjylland"
    found = client.get(f"/api/export?format=json&{query}").get_json()
    assert 0 < len(found) == client.get(f"/api/cases?{query}").get_json()["total"]
    body = client.get(f"/api/crosstab?rows=collaboration_form&cols=region&{query}").get_json()
    check_against(body, brute_force(found, "collaboration_form", "region"))
    assert body["total"] == len(found)  # every case has a collaboration form and a region here


def test_a_search_that_finds_nothing_is_an_empty_table(client, seeded) -> None:
    body = client.get("/api/crosstab?rows=theme&cols=actor&q=zzzyyyxxx").get_json()
    assert body == {
        "rows": "theme",
        "cols": "actor",
        "total": 0,
        "row_values": [],
        "col_values": [],
        "cells": [],
        "row_totals": [],
        "col_totals": [],
    }


@pytest.mark.parametrize(
    ("query", "mentioned"),
    [
        ("rows=colour&cols=theme", "colour"),
        ("rows=theme&cols=theme", "different"),
        ("rows=decade&cols=decade", "different"),
        ("cols=theme", "rows"),
        ("rows=theme", "cols"),
        ("rows=theme&cols=year", "year"),
        ("rows=theme&cols=region&theme=nope", "nope"),
        ("rows=theme&cols=region&format=xml", "format"),
        ("rows=theme&cols=region&colour=red", "colour"),
    ],
)
def test_bad_parameters_are_400_with_a_message(client, query: str, mentioned: str) -> None:
    response = client.get(f"/api/crosstab?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert mentioned in response.get_json()["message"]


def test_page_and_sort_are_accepted_and_ignored(client, seeded) -> None:
    plain = client.get("/api/crosstab?rows=theme&cols=status").get_json()
    paged = client.get("/api/crosstab?rows=theme&cols=status&page=3&per_page=5&sort=title")
    assert paged.get_json() == plain


def test_csv_is_the_same_table_for_danish_excel(client, seeded) -> None:
    query = "rows=region&cols=status&theme=byrum"
    body = client.get(f"/api/crosstab?{query}").get_json()
    response = client.get(f"/api/crosstab?{query}&format=CSV")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="casebase-crosstab.csv"'
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == ["Region \\ Status"] + [v["label"] for v in body["col_values"]] + ["I alt"]
    for row, value, cells, total in zip(
        table[1:-1], body["row_values"], body["cells"], body["row_totals"], strict=True
    ):
        assert row == [value["label"], *map(str, cells), str(total)]
    assert table[-1] == ["I alt", *map(str, body["col_totals"]), str(body["total"])]
    assert len(table) == len(body["row_values"]) + 2


def test_csv_guards_labels_against_formulas() -> None:
    tab = CrossTab(
        "theme",
        "status",
        1,
        [TabValue("x", "=HYPERLINK(1)")],
        [TabValue(2019, "+2019")],
        [[1]],
        [1],
        [1],
    )
    table = list(csv.reader(io.StringIO(crosstab_csv(tab).lstrip("\ufeff")), delimiter=";"))
    assert table[0][1] == "'+2019"
    assert table[1][0] == "'=HYPERLINK(1)"


def test_openapi_describes_the_crosstab(client) -> None:
    spec = client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/crosstab"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["rows"]["required"] and parameters["cols"]["required"]
    assert parameters["rows"]["schema"]["enum"] == list(catalogue.DIMENSIONS)
    assert {*catalogue.FACET_NAMES, "q", "year_from", "year_to", "format"} <= set(parameters)
    assert "text/csv" in str(operation["responses"]["200"])


# --- the table on the search page ----------------------------------------------------------


def table_of(html: str) -> str:
    start = html.index('<table class="crosstab-table"')
    return html[start : html.index("</table>", start)]


def cell_links(html: str) -> list[tuple[str, int]]:
    """(href, count) of the table's linked cells."""
    return [
        (unescape(href), int(count))
        for href, count in re.findall(
            r'<td class="shade-\d"><a href="([^"]+)"[^>]*>(\d+)</a>', html
        )
    ]


def test_the_search_page_offers_the_choice_as_part_of_its_get_form(client, seeded) -> None:
    html = client.get("/").get_data(as_text=True)
    for name in ("rows", "cols"):
        select = re.search(
            rf'<select id="crosstab-{name}" name="{name}" form="search-form"[^>]*>(.*?)</select>',
            html,
            re.S,
        )
        assert select, name
        assert re.findall(r'<option value="([^"]*)"', select.group(1)) == [
            "",
            *catalogue.DIMENSIONS,
        ]
        assert f'<label for="crosstab-{name}">' in html
    assert "crosstab-table" not in html  # nothing chosen: no table


def test_the_search_page_shows_the_table_with_links_to_the_searches_it_counts(
    client, seeded
) -> None:
    query = "rows=region&cols=collaboration_form&theme=byrum"
    html = client.get(f"/?{query}").get_data(as_text=True)
    body = client.get(f"/api/crosstab?{query}").get_json()
    table = table_of(html)
    assert "<caption" in table
    headers = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table, re.S)
    assert [unescape(re.sub("<[^>]+>", "", h)).strip() for h in headers[1:-1]] == [
        v["label"] for v in body["col_values"]
    ]
    assert len(re.findall(r'<th scope="row"', table)) == len(body["row_values"]) + 1
    links = cell_links(table)
    assert len(links) == sum(1 for line in body["cells"] for n in line if n)
    for href, count in links:
        parts = urlsplit(href)
        assert parts.path == "/"
        args = parse_qs(parts.query)
        assert "rows" not in args and "cols" not in args and args["theme"] == ["byrum"]
        assert len(args["region"]) == 1 and len(args["collaboration_form"]) == 1
        found = client.get(f"/api/cases?{parts.query}").get_json()["total"]
        assert found == count, href
    assert len(re.findall(r'class="shade-0"', table)) == sum(
        1 for line in body["cells"] for n in line if not n
    )
    downloads = re.findall(r'<a href="(/api/crosstab\?[^"]+)"', html)
    assert sorted(
        parse_qs(urlsplit(unescape(d)).query).get("format", ["json"])[0] for d in downloads
    ) == [
        "csv",
        "json",
    ]


def test_a_wrong_choice_on_the_page_is_a_friendly_400(client, seeded) -> None:
    response = client.get("/?rows=theme&cols=theme")
    assert response.status_code == 400
    assert "forskellige" in response.get_data(as_text=True)


def test_the_shades_are_a_sequence_whose_text_meets_wcag_aa() -> None:
    from test_pages import contrast

    from casebase.web.crosstab_table import SHADES, shade

    assert [shade(0, 10), shade(1, 10), shade(10, 10)] == [0, 1, len(SHADES) - 1]
    assert [shade(n, 7) for n in range(8)] == sorted(shade(n, 7) for n in range(8))
    css = (ROOT / "casebase" / "web" / "static" / "css" / "site.css").read_text(encoding="utf-8")
    for level, (background, text) in enumerate(SHADES):
        assert contrast(text, background) >= 4.5, (level, background, text)
        rule = re.search(rf"\.shade-{level} \{{([^}}]*)\}}", css)
        assert rule and background in rule.group(1) and text in rule.group(1), level


# --- in the browser ---------------------------------------------------------------------------


@pytest.mark.browser
@ON_SQLITE
def test_the_table_in_the_browser_with_and_without_javascript(open_page, live_server) -> None:
    from conftest import api, screenshot
    from playwright.sync_api import expect

    page = open_page().page
    page.goto(live_server + "/?theme=byrum")
    page.evaluate("window.__sameDocument = true")
    page.select_option("#crosstab-rows", "region")
    expect(page.locator(".crosstab .hint").last).to_contain_text("Vælg både rækker og kolonner")
    page.select_option("#crosstab-cols", "collaboration_form")
    table = page.locator("table.crosstab-table")
    expect(table).to_be_visible()
    body = api(live_server, "/api/crosstab?rows=region&cols=collaboration_form&theme=byrum")
    expect(table.locator("caption")).to_contain_text(f"{body['total']} sager med begge dele")
    expect(table.locator("tbody tr")).to_have_count(len(body["row_values"]))
    assert page.evaluate("window.__sameDocument") is True  # the choice followed without a reload
    screenshot(page, "crosstab")
    screenshot(page, "crosstab-table", page.locator("section.crosstab"))

    # A cell is a link to the search it counts, reachable by keyboard.
    link = table.locator("tbody td a").first
    link.focus()
    expect(link).to_be_focused()
    count = int(link.inner_text())
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile("rows="))
    expect(page.locator(".results-count")).to_contain_text(
        "1 sag" if count == 1 else f"{count} sager"
    )

    plain = open_page(javascript=False).page
    plain.goto(live_server + "/?theme=byrum")
    plain.select_option("#crosstab-rows", "decade")
    plain.select_option("#crosstab-cols", "status")
    plain.locator(".crosstab button[type=submit]").click()
    expect(plain).to_have_url(re.compile("rows=decade.*cols=status|cols=status.*rows=decade"))
    expect(plain.locator("table.crosstab-table tbody tr").first).to_be_visible()
