"""The admin pages through the Flask client: login, CSRF, import preview, case forms."""

from __future__ import annotations

import io
import json
import re
import time
from datetime import timedelta
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy
from conftest import search_body
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from casebase import create_app
from casebase.config import instance_dir
from casebase.errors import NotFound
from casebase.web import admin_cases, admin_import

ADMIN, ADMIN_PASSWORD = "admin", "admin-password"
READER, READER_PASSWORD = "reader", "reader-password"

RECORD = {
    "ref": "sydhavn-1",
    "title": "Partnerskab i Sydhavnen",
    "description": "Kommunen og borgerne byggede sammen.",
    "municipalities": ["København"],
    "start_year": 2010,
    "end_year": 2014,
    "collaboration_forms": ["projektpartnerskab"],
    "actors": ["kommune"],
    "themes": ["byrum"],
    "budget_dkk": 1250000,
    "funders": ["Realdania"],
    "links": [{"title": "Projektside", "url": "https://example.org/a"}],
}


@pytest.fixture
def users(service):
    service.create_user(ADMIN, ADMIN_PASSWORD, admin=True)
    service.create_user(READER, READER_PASSWORD, admin=False)
    return service


@pytest.fixture
def one_case(users):
    users.create_case(RECORD, "importer", source="import")
    return users


def csrf_token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def login(client, name: str = ADMIN, password: str = ADMIN_PASSWORD):
    token = csrf_token(client, "/admin/login")
    return client.post(
        "/admin/login", data={"csrf_token": token, "name": name, "password": password}
    )


@pytest.fixture
def admin_client(client, users):
    response = login(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def html_of(response) -> str:
    return response.get_data(as_text=True)


def form_data(token: str, **fields) -> MultiDict:
    data = MultiDict({"csrf_token": token})
    for name, value in fields.items():
        if isinstance(value, list):
            for item in value:
                data.add(name, item)
        else:
            data.add(name, value)
    return data


NEW_CASE = {
    "ref": "ny-sag",
    "title": "En ny sag",
    "summary": "Kort.",
    "description": "Beskrivelse af den nye sag.",
    "results": "",
    "municipalities": ["Aarhus", "Odense"],
    "start_year": "2019",
    "end_year": "2021",
    "status": "",
    "collaboration_forms": ["strategisk-partnerskab", "borgerinddragelse"],
    "actors": ["kommune"],
    "themes": ["byrum", "klima"],
    "budget_dkk": "1.250.000",
    "public_funding_dkk": "",
    "private_funding_dkk": "",
    "funders": "Realdania\n\nNordea-fonden\n",
    "contact_org": "Aarhus Kommune",
    "links": "Projektside | https://example.org/ny\nhttps://example.org/bare",
    "latitude": "56,15",
    "longitude": "10,21",
}


# --- login, logout, access --------------------------------------------------------------


def test_admin_needs_a_login(client, users):
    response = client.get("/admin")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/login?next=/admin"
    page = html_of(client.get("/admin/login"))
    assert 'for="name"' in page and 'for="password"' in page
    assert 'autocomplete="current-password"' in page


def test_login_and_logout(client, users):
    response = login(client)
    assert response.status_code == 302 and response.headers["Location"] == "/admin"
    page = html_of(client.get("/admin"))
    assert "Logget ind som admin" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.get("/admin/logout").status_code == 405  # logging out is a POST
    response = client.post("/admin/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert "Du er logget ud." in html_of(client.get("/admin/login"))
    assert client.get("/admin").status_code == 302


def test_login_goes_back_to_the_page_asked_for_but_never_off_site(client, users):
    client.get("/admin/cases/new")
    token = csrf_token(client, "/admin/login?next=/admin/cases/new")
    response = client.post(
        "/admin/login",
        data={
            "csrf_token": token,
            "name": ADMIN,
            "password": ADMIN_PASSWORD,
            "next": "/admin/cases/new",
        },
    )
    assert response.headers["Location"] == "/admin/cases/new"
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin")})
    token = csrf_token(client, "/admin/login")
    response = client.post(
        "/admin/login",
        data={
            "csrf_token": token,
            "name": ADMIN,
            "password": ADMIN_PASSWORD,
            "next": "//evil.example/x",
        },
    )
    assert response.headers["Location"] == "/admin"


def test_wrong_password_is_refused(client, users):
    response = login(client, ADMIN, "wrong-password")
    assert response.status_code == 401
    assert "Forkert brugernavn eller adgangskode." in html_of(response)
    assert client.get("/admin").status_code == 302


def test_a_non_admin_is_told_clearly_and_not_let_in(client, users):
    response = login(client, READER, READER_PASSWORD)
    assert response.status_code == 403
    assert "Brugeren reader er ikke administrator" in html_of(response)
    assert client.get("/admin").status_code == 302
    english = client.post(
        "/admin/login?lang=en",
        data={
            "csrf_token": csrf_token(client, "/admin/login"),
            "name": READER,
            "password": READER_PASSWORD,
        },
    )
    assert "The user reader is not an administrator" in html_of(english)


LOGIN_FAILURES = 10  # limiter.LOGIN_FAILURE_LIMIT


def test_repeated_login_failures_are_throttled(client, users):
    for _ in range(LOGIN_FAILURES):
        assert login(client, ADMIN, "wrong-password").status_code == 401
    response = login(client)  # an unknown browser waits now, even with the right password
    assert response.status_code == 429
    assert "For mange mislykkede forsøg" in html_of(response)
    assert int(response.headers["Retry-After"]) >= 1


def test_a_browser_that_logged_in_before_is_not_locked_out_by_guessing(app, users):
    mine = app.test_client()
    assert login(mine).status_code == 302
    mine.post("/admin/logout", data={"csrf_token": csrf_token(mine, "/admin")})
    attacker = app.test_client()
    for _ in range(LOGIN_FAILURES + 3):
        assert login(attacker, ADMIN, "guess").status_code in (401, 429)
    assert login(attacker, ADMIN, "guess").status_code == 429
    assert login(mine).status_code == 302  # its device cookie keeps a count of its own


def test_a_non_admin_login_gives_no_extra_guesses_at_the_admin(client, users):
    refused = 0
    for attempt in range(3 * LOGIN_FAILURES):
        if attempt % 3 == 0:
            assert login(client, READER, READER_PASSWORD).status_code == 403
        status = login(client, ADMIN, f"guess-{attempt}").status_code
        refused += status == 429
        assert status in (401, 429)
    assert 3 * LOGIN_FAILURES - refused == LOGIN_FAILURES


def test_failed_logins_count_across_workers(users, env):
    """Two apps over one database stand for two server processes: they share the counts."""
    workers = [
        create_app({"TESTING": True, "SECRET_KEY": "test-secret", **_paths(env)}) for _ in range(2)
    ]
    try:
        for _ in range(LOGIN_FAILURES):
            assert login(workers[0].test_client(), ADMIN, "guess").status_code == 401
        assert login(workers[1].test_client(), ADMIN, "guess").status_code == 429
    finally:
        for worker in workers:
            worker.extensions["casebase"].close()


def _paths(env):
    return {
        "DATABASE_URL": env["CASEBASE_DATABASE_URL"],
        "INDEX_DIR": env["CASEBASE_INDEX_DIR"],
    }


def _as_a_browser_reads_it(location: str) -> str:
    """What a browser makes of a Location: tabs and newlines dropped, backslashes as slashes."""
    return re.sub(r"[\t\n\r]", "", location).replace("\\", "/")


@pytest.mark.parametrize(
    "query",
    [
        "next=/%09/evil.example",
        "next=/%0A/evil.example",
        "next=/%5C/evil.example",
        "next=/x%0D%0Ay",
        "next=%2F%2Fevil.example",
        "next=https://evil.example/",
    ],
)
def test_next_never_leaves_the_site_and_never_fails(client, users, query):
    page = html_of(client.get(f"/admin/login?{query}"))
    hidden = unescape(re.search(r'name="next" value="([^"]*)"', page).group(1))
    response = client.post(
        "/admin/login",
        data={
            "csrf_token": csrf_token(client, "/admin/login"),
            "name": ADMIN,
            "password": ADMIN_PASSWORD,
            "next": hidden,
        },
    )
    assert response.status_code == 302
    target = urlsplit(_as_a_browser_reads_it(response.headers["Location"]))
    assert not target.scheme and not target.netloc
    assert target.path.startswith("/") and not target.path.startswith("//")


def test_next_keeps_a_path_with_its_query(client, users):
    token = csrf_token(client, "/admin/login")
    response = client.post(
        "/admin/login",
        data={
            "csrf_token": token,
            "name": ADMIN,
            "password": ADMIN_PASSWORD,
            "next": "/admin?q=partnerskab",
        },
    )
    assert response.headers["Location"] == "/admin?q=partnerskab"


def test_a_copied_session_cookie_stops_working_at_logout(app, users):
    mine = app.test_client()
    assert login(mine).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", mine.get_cookie("session").value)
    assert thief.get("/admin").status_code == 200
    mine.post("/admin/logout", data={"csrf_token": csrf_token(mine, "/admin")})
    assert thief.get("/admin").status_code == 302


def test_a_password_change_ends_every_session(app, users, runner):
    mine = app.test_client()
    assert login(mine).status_code == 302
    assert mine.get("/admin").status_code == 200
    result = runner.invoke(["user", "password", ADMIN, "--password-stdin"], "another-password\n")
    assert result.exit_code == 0, result.output
    assert mine.get("/admin").status_code == 302
    assert login(mine, ADMIN, ADMIN_PASSWORD).status_code == 401
    assert login(mine, ADMIN, "another-password").status_code == 302


def test_a_login_session_expires(users, env):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "PERMANENT_SESSION_LIFETIME": timedelta(seconds=1),
            **_paths(env),
        }
    )
    try:
        client = app.test_client()
        assert login(client).status_code == 302
        time.sleep(2.5)  # past the lifetime (not a timing assertion: any later moment will do)
        assert client.get("/admin").status_code == 302
    finally:
        app.extensions["casebase"].close()


# --- CSRF ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/admin/login",
        "/admin/logout",
        "/admin/cases/new",
        "/admin/import",
        "/admin/import/confirm",
        "/admin/cases/sydhavn-1/edit",
        "/admin/cases/sydhavn-1/delete",
    ],
)
def test_a_post_without_csrf_token_is_refused(admin_client, one_case, path):
    response = admin_client.post(
        path, data={"name": ADMIN, "password": ADMIN_PASSWORD, "title": "x", "version": "1"}
    )
    assert response.status_code == 400
    page = html_of(response)
    assert "Formularen var udløbet eller ugyldig. Indlæs siden igen og prøv på ny." in page
    assert one_case.get_case("sydhavn-1")["version"] == 1


def test_a_wrong_csrf_token_is_refused(client, users):
    client.get("/admin/login")
    response = client.post(
        "/admin/login", data={"csrf_token": "forged", "name": ADMIN, "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 400
    assert "Formularen var udløbet eller ugyldig" in html_of(response)
    assert client.get("/admin").status_code == 302


def test_a_wrong_method_or_path_is_not_a_csrf_error(client, users):
    assert client.put("/healthz").status_code == 405
    assert client.post("/no-such-page").status_code == 404
    assert client.delete("/admin/login").status_code == 405


def test_the_api_is_not_subject_to_csrf(client, users):
    response = client.post("/api/cases", json=RECORD)
    assert response.status_code == 401  # refused for want of a token, not for CSRF
    assert response.is_json


# --- the start page ------------------------------------------------------------------------


def test_recent_changes_show_who_what_when(admin_client, one_case):
    page = html_of(admin_client.get("/admin"))
    table = page[page.index('class="data-table changes"') :]
    row = re.search(r"<tr>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>", table)
    when, who, what = row.groups()
    assert re.fullmatch(r"\d{1,2}\. \w+ \d{4} \d\d:\d\d UTC", when)
    assert (who, what) == ("importer", "oprettet")
    assert '<a href="/cases/sydhavn-1"><code>sydhavn-1</code></a>' in table
    assert "<td>import</td>" in table


def test_finding_a_case_to_edit(admin_client, one_case):
    page = html_of(admin_client.get("/admin?q=Sydhavnen"))
    assert '<a href="/admin/cases/sydhavn-1/edit">Redigér' in page
    assert '<a href="/admin/cases/sydhavn-1/delete">Slet' in page


# --- create, edit, delete -----------------------------------------------------------------


def test_create_a_case_through_the_form(admin_client, users):
    token = csrf_token(admin_client, "/admin/cases/new")
    response = admin_client.post("/admin/cases/new", data=form_data(token, **NEW_CASE))
    assert response.status_code == 302, html_of(response)
    assert response.headers["Location"] == "/cases/ny-sag"
    record = users.get_case("ny-sag")
    assert record["municipalities"] == ["Aarhus", "Odense"]
    assert record["collaboration_forms"] == ["strategisk-partnerskab", "borgerinddragelse"]
    assert record["budget_dkk"] == 1250000
    assert record["funders"] == ["Realdania", "Nordea-fonden"]
    assert record["links"] == [
        {"title": "Projektside", "url": "https://example.org/ny"},
        {"title": "https://example.org/bare", "url": "https://example.org/bare"},
    ]
    assert (record["latitude"], record["longitude"]) == (56.15, 10.21)
    assert record["results"] is None and record["status"] == "afsluttet"
    assert "Sagen «En ny sag» er oprettet." in html_of(admin_client.get("/cases/ny-sag"))
    change = users.recent_changes(1)[0]
    assert (change.ref, change.action, change.user_name, change.source) == (
        "ny-sag",
        "created",
        ADMIN,
        "admin",
    )
    assert search_body(users, {"q": ["ny sag"]})["total"] == 1


def test_invalid_form_shows_errors_next_to_each_field(admin_client, users):
    token = csrf_token(admin_client, "/admin/cases/new")
    fields = {
        **NEW_CASE,
        "title": "",
        "collaboration_forms": [],
        "municipalities": ["Aarhus"],
        "links": "Side | ftp://example.org/x",
    }
    response = admin_client.post("/admin/cases/new", data=form_data(token, **fields))
    assert response.status_code == 422
    page = html_of(response)
    assert "Sagen blev ikke gemt." in page
    for name, message in (
        ("title", "Skal udfyldes."),
        ("collaboration_forms", "Vælg mindst én samarbejdsform."),
        ("links", "nr. 1: adresse: Ikke en http(s)-adresse."),
    ):
        errors = re.search(f'<ul class="field-errors" id="{name}-error">(.*?)</ul>', page, re.S)
        assert errors and message in unescape(errors.group(1)), (name, page)
    assert 'aria-describedby="title-error" aria-invalid="true"' in page
    # what was typed is kept
    assert 'value="ny-sag"' in page and "Beskrivelse af den nye sag." in page
    assert re.search(
        r'id="municipalities-Aarhus" name="municipalities" value="Aarhus" checked', page
    )
    with pytest.raises(NotFound):
        users.get_case("ny-sag")


def test_record_wide_rules_are_shown_at_their_field(admin_client, users):
    token = csrf_token(admin_client, "/admin/cases/new")
    response = admin_client.post(
        "/admin/cases/new", data=form_data(token, **{**NEW_CASE, "end_year": "2001"})
    )
    assert response.status_code == 422
    errors = re.search(
        r'<ul class="field-errors" id="end_year-error">(.*?)</ul>', html_of(response), re.S
    )
    assert errors and "Må ikke ligge før startåret (2019)." in errors.group(1)


def test_errors_are_shown_in_english_too(admin_client, users):
    token = csrf_token(admin_client, "/admin/cases/new")
    response = admin_client.post(
        "/admin/cases/new?lang=en", data=form_data(token, **{**NEW_CASE, "title": ""})
    )
    assert "Missing data for required field." in html_of(response)
    assert "The case was not saved." in html_of(response)


def test_creating_an_existing_ref_is_refused(admin_client, one_case):
    token = csrf_token(admin_client, "/admin/cases/new")
    response = admin_client.post(
        "/admin/cases/new", data=form_data(token, **{**NEW_CASE, "ref": "sydhavn-1"})
    )
    assert response.status_code == 409
    assert "Der findes allerede en sag med denne reference." in html_of(response)
    assert one_case.get_case("sydhavn-1")["title"] == RECORD["title"]


def test_the_edit_form_holds_every_field_and_the_version(admin_client, one_case):
    page = html_of(admin_client.get("/admin/cases/sydhavn-1/edit"))
    assert '<input type="hidden" name="version" value="1">' in page
    assert 'value="Partnerskab i Sydhavnen"' in page
    assert re.search(r'name="collaboration_forms" value="projektpartnerskab" checked', page)
    assert re.search(r'name="municipalities" value="København" checked', page)
    assert ">Projektside | https://example.org/a</textarea>" in page
    assert ">Realdania</textarea>" in page
    assert 'value="1250000"' in page
    for name in (
        "title",
        "summary",
        "description",
        "results",
        "start_year",
        "end_year",
        "status",
        "budget_dkk",
        "public_funding_dkk",
        "private_funding_dkk",
        "funders",
        "contact_org",
        "links",
        "latitude",
        "longitude",
    ):
        assert f'<label for="{name}">' in page, name
    for name in ("collaboration_forms", "actors", "themes", "municipalities"):
        assert f'id="{name}"' in page and f'name="{name}" value=' in page, name


def edit_fields(record: dict, **changes) -> dict:
    fields = admin_cases.record_to_form(record)
    fields.update(changes)
    return fields


def test_edit_then_a_stale_version_is_refused(admin_client, one_case):
    record = one_case.get_case("sydhavn-1")
    token = csrf_token(admin_client, "/admin/cases/sydhavn-1/edit")
    response = admin_client.post(
        "/admin/cases/sydhavn-1/edit",
        data=form_data(token, version="1", **edit_fields(record, title="Ny titel")),
    )
    assert response.status_code == 302 and response.headers["Location"] == "/cases/sydhavn-1"
    assert one_case.get_case("sydhavn-1")["title"] == "Ny titel"
    assert one_case.get_case("sydhavn-1")["version"] == 2
    assert one_case.get_case("sydhavn-1")["links"] == RECORD["links"]  # round trip
    # Someone who opened version 1 before that save now saves: refused, nothing lost.
    stale = admin_client.post(
        "/admin/cases/sydhavn-1/edit",
        data=form_data(token, version="1", **edit_fields(record, title="Gammel redigering")),
    )
    assert stale.status_code == 409
    page = html_of(stale)
    assert "Sagen er blevet ændret af en anden" in page and "(nu version 2)" in page
    assert 'href="/admin/cases/sydhavn-1/edit">Åbn den nyeste version' in page
    assert 'value="Gammel redigering"' in page  # the user's typing is still there
    assert one_case.get_case("sydhavn-1")["title"] == "Ny titel"
    change = one_case.recent_changes(1)[0]
    assert (change.action, change.version, change.user_name) == ("updated", 2, ADMIN)


def test_edit_with_invalid_data(admin_client, one_case):
    record = one_case.get_case("sydhavn-1")
    token = csrf_token(admin_client, "/admin/cases/sydhavn-1/edit")
    response = admin_client.post(
        "/admin/cases/sydhavn-1/edit",
        data=form_data(token, version="1", **edit_fields(record, start_year="1800", themes=[])),
    )
    assert response.status_code == 422
    page = html_of(response)
    assert re.search(r'id="start_year-error">.*Skal være mellem 1970 og 2100', page, re.S)
    assert 'id="themes-error"' in page
    assert one_case.get_case("sydhavn-1")["version"] == 1


def test_edit_of_an_unknown_case_is_404(admin_client, users):
    response = admin_client.get("/admin/cases/nope/edit")
    assert response.status_code == 404
    assert "Der er ingen sag med referencen «nope»." in html_of(response)


def test_delete_asks_first_then_deletes(admin_client, one_case):
    page = html_of(admin_client.get("/admin/cases/sydhavn-1/delete"))
    assert "Slet «Partnerskab i Sydhavnen»?" in page
    assert one_case.get_case("sydhavn-1")  # asking deletes nothing
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    stale = admin_client.post(
        "/admin/cases/sydhavn-1/delete", data={"csrf_token": token, "version": "7"}
    )
    assert stale.status_code == 409
    response = admin_client.post(
        "/admin/cases/sydhavn-1/delete", data={"csrf_token": token, "version": "1"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin"
    with pytest.raises(NotFound):
        one_case.get_case("sydhavn-1")
    assert search_body(one_case, {})["total"] == 0
    page = html_of(admin_client.get("/admin"))
    assert "Sagen sydhavn-1 er slettet." in page
    assert "<td>slettet</td>" in page


# --- import: preview, confirm, discard ----------------------------------------------------


def import_file(tmp_path: Path) -> Path:
    good = dict(RECORD, ref="import-1", title="Importeret sag")
    also = dict(RECORD, ref="import-2", title="Endnu en importeret sag")
    bad = dict(RECORD, ref="import-bad", municipalities=["Atlantis"])
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([good, bad, also]), encoding="utf-8")
    return path


def upload(client, path: Path, on_error: str = "abort"):
    token = csrf_token(client, "/admin/import")
    # The body is encoded in memory: werkzeug's test client would spool a big one to a
    # temporary file that it never closes (a ResourceWarning).
    with path.open("rb") as handle:
        boundary, body = encode_multipart(
            {
                "csrf_token": token,
                "format": "auto",
                "on_error": on_error,
                "file": FileStorage(handle, filename=path.name),
            }
        )
    return client.post(
        "/admin/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def uploads_dir() -> Path:
    return instance_dir() / admin_import.UPLOAD_SUBDIR


def counts(page: str) -> dict[str, int]:
    return {
        name: int(value) for name, value in re.findall(r'<dd data-count="(\w+)">(\d+)</dd>', page)
    }


def test_import_preview_then_confirm(admin_client, users, tmp_path):
    response = upload(admin_client, import_file(tmp_path))
    assert response.status_code == 200
    page = html_of(response)
    assert "Dette er en prøve: intet er gemt endnu." in page
    assert counts(page) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    row = re.search(r"<tr><td>(\d+)</td><td>([^<]+)</td>\s*<td>([^<]+)</td><td>([^<]+)</td>", page)
    assert row.group(1) == "2" and row.group(2) == "import-bad"
    assert row.group(3) == "Kommuner" and "Atlantis" in unescape(row.group(4))
    assert users.case_count() == 0  # nothing written by the preview
    assert len(list(uploads_dir().iterdir())) == 1
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = admin_client.post(
        "/admin/import/confirm", data={"csrf_token": csrf, "token": token, "on_error": "skip"}
    )
    assert done.status_code == 200
    assert "Importen er gennemført: 2 nye, 0 ændrede, 0 uændrede, 1 afviste." in html_of(done)
    assert users.case_count() == 2
    assert search_body(users, {"q": ["importeret"]})["total"] == 2
    assert list(uploads_dir().iterdir()) == []  # the upload is gone
    change = users.recent_changes(1)[0]
    assert (change.user_name, change.source) == (ADMIN, "admin")
    again = admin_client.post(
        "/admin/import/confirm", data={"csrf_token": csrf, "token": token, "on_error": "skip"}
    )
    assert again.status_code == 302  # confirming twice does nothing
    assert users.case_count() == 2


def test_import_confirm_with_abort_writes_nothing_when_a_record_is_rejected(
    admin_client, users, tmp_path
):
    page = html_of(upload(admin_client, import_file(tmp_path)))
    assert "Med «Gem ingenting» bliver intet gemt, fordi 1 sager afvises." in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = admin_client.post(
        "/admin/import/confirm", data={"csrf_token": csrf, "token": token, "on_error": "abort"}
    )
    assert "Intet blev gemt, fordi 1 sager blev afvist." in html_of(done)
    assert users.case_count() == 0


def test_import_discard_removes_the_upload(admin_client, users, tmp_path):
    page = html_of(upload(admin_client, import_file(tmp_path)))
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = admin_client.post("/admin/import/discard", data={"csrf_token": csrf, "token": token})
    assert response.status_code == 302
    assert "Filen er kasseret; intet er gemt." in html_of(admin_client.get("/admin/import"))
    assert list(uploads_dir().iterdir()) == []
    confirm = admin_client.post("/admin/import/confirm", data={"csrf_token": csrf, "token": token})
    assert confirm.status_code == 302
    assert users.case_count() == 0


def test_another_token_cannot_confirm(admin_client, users, tmp_path):
    page = html_of(upload(admin_client, import_file(tmp_path)))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = admin_client.post(
        "/admin/import/confirm",
        data={"csrf_token": csrf, "token": "../../etc/passwd", "on_error": "skip"},
    )
    assert response.status_code == 302
    assert users.case_count() == 0


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"", "empty.json"), (b'[{"ref": ', "cut.json"), (b"\x00\x01\x02\xff" * 50, "noise.xlsx")],
)
def test_an_unreadable_upload_is_explained(admin_client, users, tmp_path, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    response = upload(admin_client, path)
    assert response.status_code == 400
    assert "Filen kunne ikke læses:" in html_of(response)
    assert not uploads_dir().exists() or list(uploads_dir().iterdir()) == []


def test_an_unreadable_upload_is_named_by_its_file_name_not_its_server_path(
    admin_client, users, tmp_path
):
    path = tmp_path / "cut.json"
    path.write_bytes(b'[{"ref": ')
    page = unescape(html_of(upload(admin_client, path)))
    assert "Filen kunne ikke læses: cut.json: not valid JSON" in page
    assert str(uploads_dir()) not in page and str(tmp_path) not in page


def test_the_preview_lists_at_most_the_limit_and_says_how_many_there_were(
    app, admin_client, users, tmp_path
):
    app.config["IMPORT_MAX_ERRORS"] = 3
    bad = [dict(RECORD, ref=f"bad-{i}", title="x", municipalities=["Atlantis"]) for i in range(5)]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    page = html_of(upload(admin_client, path))
    assert counts(page)["rejected"] == 5
    table = page.split('<table class="data-table import-errors"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr><td>") == 3
    assert "Viser de første 3 af 10 fejl." in page


def _break_the_database(service) -> None:
    """Rename the cases table away: the import then fails in a way no one planned for."""
    with service.db.engine.begin() as connection:
        connection.execute(sqlalchemy.text("ALTER TABLE cases RENAME TO cases_gone"))


@pytest.mark.parametrize("failure", ["unreadable", "deadline", "broken database"])
def test_a_failed_preview_leaves_no_upload_behind(app, admin_client, users, tmp_path, failure):
    path = import_file(tmp_path)
    if failure == "unreadable":
        path.write_text("[" * 1_000_000, encoding="utf-8")
    elif failure == "deadline":
        app.config["IMPORT_TIMEOUT_S"] = 0
    else:
        _break_the_database(users)
    response = upload(admin_client, path)
    assert response.status_code == {"broken database": 500}.get(failure, 400)
    if failure == "deadline":
        page = html_of(response)
        assert "Importen tog mere end 0 sekunder og blev stoppet; intet er gemt." in page
    assert list(uploads_dir().iterdir()) == []


@pytest.mark.parametrize("failure", ["deadline", "broken database"])
def test_a_failed_confirmation_leaves_no_upload_behind(app, admin_client, users, tmp_path, failure):
    page = html_of(upload(admin_client, import_file(tmp_path)))
    assert len(list(uploads_dir().iterdir())) == 1  # waits for the confirmation
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    if failure == "deadline":
        app.config["IMPORT_TIMEOUT_S"] = 0
    else:
        _break_the_database(users)
    done = admin_client.post(
        "/admin/import/confirm", data={"csrf_token": csrf, "token": token, "on_error": "skip"}
    )
    assert done.status_code == {"broken database": 500}.get(failure, 400)
    assert list(uploads_dir().iterdir()) == []
    if failure == "deadline":
        assert users.case_count() == 0


def test_upload_without_a_file(admin_client, users):
    token = csrf_token(admin_client, "/admin/import")
    response = admin_client.post("/admin/import", data={"csrf_token": token})
    assert response.status_code == 400
    assert "Vælg en fil." in html_of(response)


# --- turning the form into a record -------------------------------------------------------


def test_form_to_record():
    form = MultiDict(
        [
            ("title", " T "),
            ("budget_dkk", "1.250.000 kr."),
            ("public_funding_dkk", "2 500 000"),
            ("private_funding_dkk", "12.5"),
            ("latitude", "55,5"),
            ("links", "A | b | https://x.dk\n\nhttps://y.dk"),
            ("themes", "byrum"),
            ("themes", "klima"),
            ("funders", " F1 \n\nF2"),
        ]
    )
    record = admin_cases.form_to_record(form, form.getlist)
    assert record["budget_dkk"] == 1250000 and record["public_funding_dkk"] == 2500000
    assert record["private_funding_dkk"] == "12.5"  # left for the schema to refuse
    assert record["latitude"] == 55.5
    assert record["links"] == [{"title": "A | b", "url": "https://x.dk"}, {"url": "https://y.dk"}]
    assert record["themes"] == ["byrum", "klima"] and record["funders"] == ["F1", "F2"]
    assert "summary" not in record and record["collaboration_forms"] == []


# --- the thesaurus page -------------------------------------------------------------------


def _thesaurus_form(page: str) -> MultiDict:
    """The thesaurus form as the page fills it (every row's inputs, the hidden fields)."""
    data = MultiDict()
    form = page[page.index('class="thesaurus-form"') :]
    form = form[: form.index("</form>")]
    for name, value in re.findall(
        r'<input type="(?:hidden|text|url)"[^>]*?name="([^"]+)" value="([^"]*)"', form
    ):
        data.add(name, unescape(value))
    return data


def test_the_thesaurus_page_edits_a_group_and_the_next_search_uses_it(admin_client, one_case):
    assert "Partnerskab i Sydhavnen" not in html_of(admin_client.get("/?q=bydelssamarbejde"))
    page = html_of(admin_client.get("/admin/thesaurus"))
    assert "OPP" in page and "Konkurrence- og Forbrugerstyrelsen" in page
    data = _thesaurus_form(page)
    rows = int(data["rows"])
    empty = next(i for i in range(rows) if not data[f"group-{i}-terms"])
    data[f"group-{empty}-terms"] = "bydelssamarbejde | partnerskab"
    data[f"group-{empty}-source_title"] = "Redaktionens eget valg"
    data.add("group-0-delete", "1")  # the first group (OPP ...) goes
    groups_before = len(one_case.thesaurus()["groups"])
    saved = admin_client.post("/admin/thesaurus", data=data)
    assert saved.status_code == 302, html_of(saved)
    document = one_case.thesaurus()
    assert len(document["groups"]) == groups_before
    assert document["groups"][-1]["terms"] == ["bydelssamarbejde", "partnerskab"]
    assert all("OPP" not in group["terms"] for group in document["groups"])
    assert "Partnerskab i Sydhavnen" in html_of(admin_client.get("/?q=bydelssamarbejde"))


def test_a_thesaurus_edit_with_a_problem_is_shown_and_changes_nothing(admin_client, users):
    before = users.thesaurus()
    data = _thesaurus_form(html_of(admin_client.get("/admin/thesaurus")))
    data["group-0-terms"] = "kun-en-term"
    refused = admin_client.post("/admin/thesaurus", data=data)
    assert refused.status_code == 422
    page = html_of(refused)
    assert "2 til" in page and 'value="kun-en-term"' in page  # the message; the rows kept
    assert users.thesaurus() == before


def test_a_thesaurus_saved_by_another_meanwhile_is_not_overwritten(admin_client, users):
    data = _thesaurus_form(html_of(admin_client.get("/admin/thesaurus")))
    other = users.thesaurus()
    other["groups"].append({"terms": ["hurtigst", "først"], "source": {"title": "Den anden"}})
    users.replace_thesaurus(other, user="another-admin")
    data["group-0-note"] = "Min ændring"
    stale = admin_client.post("/admin/thesaurus", data=data)
    assert stale.status_code == 409
    assert "En anden har gemt tesaurus" in html_of(stale)
    assert users.thesaurus()["groups"][-1]["terms"] == ["hurtigst", "først"]


def test_a_thesaurus_file_replaces_it_through_the_page(admin_client, users):
    token = csrf_token(admin_client, "/admin/thesaurus")
    document = {"groups": [{"terms": ["OPS", "OPP"], "source": {"title": "KFST"}}]}
    sent = admin_client.post(
        "/admin/thesaurus/upload",
        data={
            "csrf_token": token,
            "file": FileStorage(
                stream=io.BytesIO(json.dumps(document).encode()),
                filename="t.json",
            ),
        },
    )
    assert sent.status_code == 302
    assert users.thesaurus()["groups"] == [
        {
            "terms": ["OPS", "OPP"],
            "source": {"title": "KFST", "publisher": None, "url": None},
            "note": None,
        }
    ]
    bad = admin_client.post(
        "/admin/thesaurus/upload",
        data={
            "csrf_token": token,
            "file": FileStorage(stream=io.BytesIO(b"{x"), filename="t.json"),
        },
    )
    assert bad.status_code == 400 and "ikke JSON" in html_of(bad)
    assert len(users.thesaurus()["groups"]) == 1


def test_only_admins_reach_the_thesaurus_page(client, users):
    before = users.thesaurus()
    assert client.get("/admin/thesaurus").status_code == 302  # to the login
    assert login(client, READER, READER_PASSWORD).status_code == 403  # no session for readers
    assert client.get("/admin/thesaurus").status_code == 302
    token = csrf_token(client, "/admin/login")
    posted = client.post("/admin/thesaurus", data={"csrf_token": token, "rows": "0"})
    assert posted.status_code == 302 and users.thesaurus() == before


# --- documents (docs/contract.md section 13) ---------------------------------------------------


def test_admin_adds_lists_and_deletes_a_document(admin_client, one_case):
    from documentfiles import make_pdf

    url = "/admin/cases/sydhavn-1/documents"
    page = html_of(admin_client.get(url))
    assert "Sagen har ingen dokumenter endnu." in page and 'enctype="multipart/form-data"' in page
    token = csrf_token(admin_client, url)
    pdf = make_pdf(["Rapporten om gårdlauget i Sydhavnen."])
    no_csrf = admin_client.post(url, data={"file": (io.BytesIO(pdf), "rapport.pdf")})
    assert no_csrf.status_code == 400
    added = admin_client.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(pdf), "rapport.pdf"), "kind": "evaluering"},
    )
    assert added.status_code == 302
    page = html_of(admin_client.get(url))
    assert "Dokumentet «rapport» er tilføjet." in page and "rapport.pdf" in page
    assert "Søgbar" in page
    case_page = html_of(admin_client.get("/cases/sydhavn-1"))
    assert 'href="/documents/1/rapport.pdf"' in case_page
    lying = admin_client.post(
        url, data={"csrf_token": token, "file": (io.BytesIO(b"MZ\x90\x00" * 10), "x.pdf")}
    )
    assert lying.status_code == 422
    assert "Dokumentet blev ikke gemt" in html_of(lying)
    deleted = admin_client.post(f"{url}/1/delete", data={"csrf_token": token})
    assert deleted.status_code == 302
    assert "Dokumentet er slettet." in html_of(admin_client.get(url))
