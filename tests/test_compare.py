"""Comparing cases side by side (docs/contract.md section 10): /compare on SQLite and PostgreSQL,
the values the cases share marked in words, clear messages, and picking cases on the search
page."""

from __future__ import annotations

import re
from html import unescape

import pytest

# The pages do not depend on the database: in the browser, SQLite only (the API's tests
# run on both).
ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

BASE = {"description": "Tekst.", "status": "afsluttet"}
CASES = [
    {
        **BASE,
        "ref": "cmp-a",
        "title": "Byrum i Aarhus",
        "municipalities": ["Aarhus"],
        "start_year": 2012,
        "end_year": 2015,
        "collaboration_forms": ["projektpartnerskab", "borgerinddragelse"],
        "themes": ["byrum", "klima"],
        "budget_dkk": 1000000,
    },
    {
        **BASE,
        "ref": "cmp-b",
        "title": "Byrum i Odense",
        "municipalities": ["Odense"],
        "start_year": 2012,
        "end_year": 2014,
        "collaboration_forms": ["projektpartnerskab"],
        "themes": ["byrum"],
        "budget_dkk": 2000000,
    },
    {
        **BASE,
        "ref": "cmp-c",
        "title": "Klima på <Fyn>",
        "municipalities": ["Odense", "Svendborg"],
        "start_year": 2018,
        "collaboration_forms": ["projektpartnerskab", "tvaerkommunalt"],
        "themes": ["klima"],
        "budget_dkk": 1000000,
    },
]


@pytest.fixture
def cases(service):
    for record in CASES:
        service.create_case(record, "tester")
    return service


def compared(html: str) -> dict[str, list[list[tuple[str, int]]]]:
    """Field label -> per case the (value, shared by how many) pairs shown in its cell."""
    table = html[html.index('<table class="compare-table') : html.index("</table>")]
    rows = {}
    for label, cells in re.findall(r'<tr>\s*<th scope="row">(.*?)</th>(.*?)</tr>', table, re.S):
        rows[unescape(label)] = [
            [
                (unescape(value), int(shared))
                for shared, value in re.findall(
                    r'<li class="[^"]*" data-shared="(\d+)">\s*'
                    r"(?:<span[^>]*>[^<]*</span>\s*)?([^<]*?)\s*<",
                    cell,
                )
            ]
            for cell in re.findall(r"<td>(.*?)</td>", cells, re.S)
        ]
    return rows


def test_cases_side_by_side_field_by_field_with_shared_values_marked(client, cases) -> None:
    response = client.get("/compare?ref=cmp-a&ref=cmp-b&ref=cmp-c")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    heads = re.findall(r'<th scope="col"[^>]*>\s*<a href="/cases/([^"]+)">([^<]*)</a>', html)
    assert heads == [
        ("cmp-a", "Byrum i Aarhus"),
        ("cmp-b", "Byrum i Odense"),
        ("cmp-c", "Klima på &lt;Fyn&gt;"),
    ]
    rows = compared(html)
    assert rows["Samarbejdsformer"] == [
        [("Projektpartnerskab", 3), ("Borgerinddragelse og samskabelse", 1)],
        [("Projektpartnerskab", 3)],
        [("Projektpartnerskab", 3), ("Tværkommunalt samarbejde", 1)],
    ]
    assert rows["Temaer"] == [
        [("Byrum og friarealer", 2), ("Klima og bæredygtighed", 2)],
        [("Byrum og friarealer", 2)],
        [("Klima og bæredygtighed", 2)],
    ]
    assert rows["Kommuner"] == [[("Aarhus", 1)], [("Odense", 2)], [("Odense", 2), ("Svendborg", 1)]]
    assert rows["Startår"] == [[("2012", 2)], [("2012", 2)], [("2018", 1)]]
    assert rows["Slutår"][2] == []
    assert rows["Budget (kr.)"] == [
        [("1.000.000 kr.", 2)],
        [("2.000.000 kr.", 1)],
        [("1.000.000 kr.", 2)],
    ]
    # Marked in words, not by colour alone: "fælles for alle" and "fælles for 2 af 3".
    assert html.count("fælles for alle") >= 3
    assert "fælles for 2 af 3" in html
    assert "<Fyn>" not in html


def test_two_cases_share_or_not(client, cases) -> None:
    rows = compared(client.get("/compare?ref=cmp-b&ref=cmp-a").get_data(as_text=True))
    assert rows["Temaer"] == [
        [("Byrum og friarealer", 2)],
        [("Byrum og friarealer", 2), ("Klima og bæredygtighed", 1)],
    ]


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("", 400, "Vælg 2 til 4 forskellige sager"),
        ("ref=cmp-a", 400, "Vælg 2 til 4 forskellige sager"),
        ("ref=cmp-a&ref=cmp-a", 400, "Vælg 2 til 4 forskellige sager"),
        ("ref=cmp-a&ref=cmp-b&ref=cmp-c&ref=x&ref=y", 400, "Vælg 2 til 4 forskellige sager"),
        ("ref=cmp-a&ref=nope&ref=n%C3%A5", 404, "«nope», «nå»"),
        ("ref=cmp-a&ref=cmp-b&ref=cmp-a&lang=en&utm_source=x", 200, "Compare cases"),
    ],
)
def test_clear_messages_for_too_few_too_many_or_unknown_cases(
    client, cases, query: str, status: int, words: str
) -> None:
    response = client.get(f"/compare?{query}")
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert words in unescape(response.get_data(as_text=True))


def test_english_messages(client, cases) -> None:
    html = client.get("/compare?ref=cmp-a&lang=en").get_data(as_text=True)
    assert "Choose 2 to 4 different cases to compare." in html


def test_the_search_page_lets_a_user_pick_cases_to_compare(client, cases) -> None:
    html = client.get("/?sort=title").get_data(as_text=True)
    form = re.search(r'<form id="compare-form"[^>]*>', html)
    assert form and 'method="get"' in form.group(0) and 'action="/compare"' in form.group(0)
    boxes = re.findall(
        r'<input type="checkbox" id="(compare-\d+)" name="ref" value="([^"]+)" '
        r'form="compare-form">',
        html,
    )
    # Danish title order: "Aarhus" is read "Århus", after "Odense".
    assert [ref for _, ref in boxes] == ["cmp-b", "cmp-a", "cmp-c"]
    for box_id, _ in boxes:
        assert f'<label for="{box_id}">' in html
    assert re.search(r'<button type="submit" form="compare-form"', html)


# --- in the browser ---------------------------------------------------------------------------


@pytest.mark.browser
@ON_SQLITE
def test_pick_two_cases_and_compare_them_in_the_browser(open_page, live_server) -> None:
    from conftest import PHONE, screenshot
    from playwright.sync_api import expect

    page = open_page().page
    page.goto(live_server + "/?q=partnerskab")
    titles = page.locator(".result-title a")
    first, second = titles.nth(0).inner_text(), titles.nth(1).inner_text()
    page.locator(".compare-pick label").nth(0).click()
    page.locator(".compare-pick label").nth(1).click()
    page.locator("button[form=compare-form]").click()
    expect(page).to_have_url(re.compile(r"/compare\?ref=[^&]+&ref=[^&]+$"))
    heads = page.locator(".compare-table thead th a:not(.compare-remove)")
    expect(heads).to_have_text([first, second])
    expect(page.locator(".compare-table tbody th").first).to_be_visible()
    screenshot(page, "compare")

    phone = open_page(viewport=PHONE).page
    phone.goto(page.url)
    expect(phone.locator(".compare-table")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "compare-phone")
