"""The case page's researcher tools through the Flask client (docs/contract.md section 10):
citation downloads, why similar cases are similar, and for admins the history with its diff,
restore, and the page of a deleted case."""

from __future__ import annotations

import re
from html import unescape

import pytest
from test_admin import ADMIN, ADMIN_PASSWORD, csrf_token, login

from casebase.services import Casebase

BASE = {
    "description": "Kommunen og borgerne byggede et nyt byrum sammen ved havnen.",
    "start_year": 2010,
    "end_year": 2014,
    "actors": ["kommune"],
}
CASES = [
    {
        **BASE,
        "ref": "hav-1",
        "title": "Partnerskab i Sydhavnen om byrum",
        "municipalities": ["København"],
        "collaboration_forms": ["projektpartnerskab", "borgerinddragelse"],
        "themes": ["byrum", "klima"],
    },
    {
        **BASE,
        "ref": "hav-2",
        "title": "Havnebad og byrum i Nordhavnen",
        "municipalities": ["København"],
        "collaboration_forms": ["projektpartnerskab"],
        "themes": ["byrum"],
    },
    {
        **BASE,
        "ref": "hav-3",
        "title": "Klimasikring af havnen i Aarhus",
        "municipalities": ["Aarhus"],
        "collaboration_forms": ["borgerinddragelse"],
        "themes": ["klima"],
    },
]
LABELS = {
    "projektpartnerskab": "Projektpartnerskab",
    "borgerinddragelse": "Borgerinddragelse og samskabelse",
    "byrum": "Byrum og friarealer",
    "klima": "Klima og bæredygtighed",
    "København": "København",
    "Aarhus": "Aarhus",
}


@pytest.fixture
def harbour(service: Casebase) -> Casebase:
    service.create_user(ADMIN, ADMIN_PASSWORD, admin=True)
    for record in CASES:
        service.create_case(record, "tester", source="admin")
    return service


@pytest.fixture
def admin_client(client, harbour):
    assert login(client).status_code == 302
    return client


def html_of(response) -> str:
    return response.get_data(as_text=True)


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def test_the_case_page_offers_the_three_citation_downloads(client, harbour):
    html = html_of(client.get("/cases/hav-1"))
    cite = section(html, "cite-heading")
    links = re.findall(r'<a href="([^"]+)" type="([^"]+)" download aria-label="([^"]+)">', cite)
    assert [unescape(href) for href, _, _ in links] == [
        "/api/cases/hav-1/citation?format=bibtex",
        "/api/cases/hav-1/citation?format=ris",
        "/api/cases/hav-1/citation?format=csl-json",
    ]
    assert [label for _, _, label in links] == [
        "Henvisningen som BibTeX",
        "Henvisningen som RIS",
        "Henvisningen som CSL-JSON",
    ]
    for href, content_type, _ in links:
        response = client.get(unescape(href))
        assert (response.status_code, response.mimetype) == (200, content_type)


def test_similar_cases_say_why_on_the_case_page(client, harbour):
    html = html_of(client.get("/cases/hav-1"))
    similar = section(html, "similar-heading")
    items = re.findall(r'<li><a href="/cases/([^"]+)">(.*?)</li>', similar, re.S)
    assert [ref for ref, _ in items] == [hit.ref for hit in harbour.similar("hav-1", 5)]
    by_ref = {record["ref"]: record for record in CASES}
    for ref, item in items:
        pairs = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>", item))
        for field, heading in (
            ("collaboration_forms", "Samarbejdsformer"),
            ("themes", "Temaer"),
            ("municipalities", "Kommuner"),
        ):
            shared = [k for k in by_ref["hav-1"][field] if k in by_ref[ref][field]]
            expected = ", ".join(LABELS[k] for k in shared)
            assert pairs.get(heading, "") == expected, (ref, heading)
        assert "Fælles ord" in pairs  # the texts share words (byrum, havnen, ...)


def test_history_is_shown_to_admins_only(client, harbour):
    assert 'id="history-heading"' not in html_of(client.get("/cases/hav-1"))
    login(client)
    assert 'id="history-heading"' in html_of(client.get("/cases/hav-1"))


def test_the_history_shows_a_readable_diff(admin_client, harbour):
    changed = {**CASES[0], "title": "Partnerskab i Nordhavnen om byrum", "themes": ["byrum"]}
    harbour.replace_case("hav-1", changed, ADMIN, source="admin")
    html = html_of(admin_client.get("/cases/hav-1"))
    history = section(html, "history-heading")
    entries = re.findall(r'<li class="history-entry" id="version-(\d+)">', history)
    assert entries == ["2", "1"]
    newest = history[: history.index('id="version-1"')]
    assert "Version 2: ændret" in newest and f"af {ADMIN}" in newest
    title_row = re.search(r'<tr data-field="title">(.*?)</tr>', newest, re.S).group(1)
    assert (
        '<del><span class="visually-hidden">fjernet: </span>Sydhavnen</del>' in title_row
        and '<ins><span class="visually-hidden">tilføjet: </span>Nordhavnen</ins>' in title_row
    )
    assert title_row.count("Partnerskab i ") == 2  # unchanged words are not marked
    themes_row = re.search(r'<tr data-field="themes">(.*?)</tr>', newest, re.S).group(1)
    assert "Klima og bæredygtighed" in themes_row
    assert re.findall(r'<tr data-field="(\w+)">', newest) == ["title", "themes"]
    # Restore buttons: every version but the current one.
    assert re.findall(r">Gendan version (\d+)</button>", history) == ["1"]


def test_restore_from_the_case_page(admin_client, harbour):
    original = harbour.get_case("hav-2")
    harbour.replace_case("hav-2", {**CASES[1], "title": "Forkert titel her"}, ADMIN)
    token = csrf_token(admin_client, "/cases/hav-2")
    response = admin_client.post(
        "/admin/cases/hav-2/restore",
        data={"csrf_token": token, "version": "1", "current": "2"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/cases/hav-2#history")
    restored = harbour.get_case("hav-2")
    assert restored["version"] == 3 and restored["title"] == original["title"]
    assert [v.action for v in harbour.history("hav-2")] == ["restore", "update", "create"]
    assert harbour.history("hav-2")[0].source == "admin"
    page = html_of(admin_client.get("/cases/hav-2"))
    assert "er gendannet som version 3" in page

    # A page opened before someone else changed the case restores nothing.
    stale = admin_client.post(
        "/admin/cases/hav-2/restore",
        data={"csrf_token": token, "version": "2", "current": "2"},
    )
    assert stale.status_code == 302
    assert harbour.get_case("hav-2")["version"] == 3
    assert "ændret, siden du åbnede siden" in html_of(admin_client.get("/cases/hav-2"))


def test_restore_needs_an_admin_and_a_csrf_token(client, harbour):
    response = client.post("/admin/cases/hav-1/restore", data={"version": "1"})
    assert response.status_code in (302, 400)
    login(client)
    refused = client.post("/admin/cases/hav-1/restore", data={"version": "1"})
    assert refused.status_code == 400
    assert harbour.get_case("hav-1")["version"] == 1


def test_a_deleted_case_page_says_when_and_lets_an_admin_restore_it(client, harbour):
    harbour.delete_case("hav-3", ADMIN, source="admin")
    deleted_at = harbour.history("hav-3")[0].changed_at
    page = client.get("/cases/hav-3")
    assert page.status_code == 410
    html = html_of(page)
    assert "Sagen med referencen «hav-3» blev slettet" in html
    assert f'<time datetime="{deleted_at.isoformat()}">' in html
    assert "Gendan sagen" not in html and 'id="history-heading"' not in html
    english = html_of(client.get("/cases/hav-3?lang=en"))
    assert "The case with the reference “hav-3” was deleted on" in english

    login(client)
    html = html_of(client.get("/cases/hav-3?lang=da"))
    assert "Gendan sagen" in html and 'id="history-heading"' in html
    assert re.findall(r">Gendan version (\d+)</button>", html) == ["1"]
    token = csrf_token(client, "/cases/hav-3")
    response = client.post("/admin/cases/hav-3/restore", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/cases/hav-3").status_code == 200
    assert harbour.get_case("hav-3")["version"] == 3


def test_recent_changes_link_deleted_and_restored_cases(admin_client, harbour):
    harbour.delete_case("hav-3", ADMIN, source="admin")
    harbour.restore_case("hav-3", None, ADMIN, source="admin")
    harbour.delete_case("hav-2", ADMIN, source="admin")
    html = html_of(admin_client.get("/admin"))
    table = html[html.index('id="changes-heading"') :]
    rows = re.findall(r"<tr>(.*?)</tr>", table[table.index("<tbody>") :], re.S)
    newest = rows[0]
    assert "slettet" in newest and '<a href="/cases/hav-2"><code>hav-2</code></a>' in newest
    assert "gendannet" in rows[1] and "hav-3" in rows[1]


@pytest.mark.parametrize(
    ("old", "new", "old_html", "new_html"),
    [
        (
            "Helhedsplan for Gellerup",
            "Helhedsplan for Gellerup og Toveshøj",
            "Helhedsplan for Gellerup",
            'Helhedsplan for Gellerup <ins><span class="visually-hidden">tilføjet: </span>'
            "og Toveshøj</ins>",
        ),
        (
            "Byrum <og> havn",
            "Byrum & havn",
            'Byrum <del><span class="visually-hidden">fjernet: </span>&lt;og&gt;</del> havn',
            'Byrum <ins><span class="visually-hidden">tilføjet: </span>&amp;</ins> havn',
        ),
        ("", "Ny tekst", "", "Ny tekst"),
    ],
)
def test_the_diff_marks_changed_words_and_escapes(app, old, new, old_html, new_html):
    from casebase.web.diff import marked

    with app.test_request_context("/"):
        assert tuple(map(str, marked(old, new))) == (old_html, new_html)


def test_a_list_is_compared_by_its_items(admin_client, harbour):
    reordered = {**CASES[0], "collaboration_forms": ["borgerinddragelse", "projektpartnerskab"]}
    harbour.replace_case("hav-1", {**reordered, "themes": ["klima", "byrum", "tryghed"]}, ADMIN)
    html = html_of(admin_client.get("/cases/hav-1"))
    newest = section(html, "history-heading").split('id="version-1"')[0]
    forms = re.search(r'<tr data-field="collaboration_forms">(.*?)</tr>', newest, re.S).group(1)
    assert "<del>" not in forms and "<ins>" not in forms
    assert "samme værdier i ny rækkefølge" in forms
    themes = re.search(r'<tr data-field="themes">(.*?)</tr>', newest, re.S).group(1)
    assert re.findall(r"<ins>(.*?)</ins>", themes) == [
        '<span class="visually-hidden">tilføjet: </span>Tryghed'
    ]
    assert "<del>" not in themes and "ny rækkefølge" not in themes


def test_an_edit_through_the_form_keeps_the_order_of_the_lists(admin_client, harbour):
    """A browser sends ticked boxes in the form's order (the vocabularies'); the case keeps
    its own order, so an edit of the title changes the title alone (and the first
    municipality, which places the case on the map, stays first)."""
    from test_admin import edit_fields, form_data

    record = {**CASES[0], "ref": "hav-4", "municipalities": ["Odense", "Aarhus"]}
    record["collaboration_forms"] = ["borgerinddragelse", "projektpartnerskab"]
    harbour.create_case(record, ADMIN)
    fields = edit_fields(harbour.get_case("hav-4"), title="Ny titel til havnen")
    fields["municipalities"] = ["Aarhus", "Odense"]  # the form lists regions north to south
    fields["collaboration_forms"] = ["projektpartnerskab", "borgerinddragelse"]
    fields["themes"] = ["byrum", "klima", "tryghed"]  # one more ticked
    token = csrf_token(admin_client, "/admin/cases/hav-4/edit")
    response = admin_client.post(
        "/admin/cases/hav-4/edit", data=form_data(token, version="1", **fields)
    )
    assert response.status_code == 302
    stored = harbour.get_case("hav-4")
    assert stored["municipalities"] == ["Odense", "Aarhus"]
    assert stored["collaboration_forms"] == ["borgerinddragelse", "projektpartnerskab"]
    assert stored["themes"] == ["byrum", "klima", "tryghed"]
    assert set(harbour.history("hav-4")[0].changes) == {"title", "themes"}
