"""The public pages through the Flask client: search page, case page, language, headers."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import search_body

from casebase import create_app
from casebase.catalogue import FACET_NAMES as FACETS
from casebase.engine import Bucket
from casebase.web import chart, i18n, security
from casebase.web.case_page import citation
from casebase.web.pages import paragraphs

STATIC = Path(__file__).resolve().parent.parent / "casebase" / "web" / "static"

# A small corpus whose every count is known (see the expectations in the tests).
CASES = [
    {
        "ref": "a-kbh",
        "title": "Partnerskab i Sydhavnen",
        "summary": "Et projektpartnerskab om byrum i Sydhavnen.",
        "description": "Kommunen og borgerne byggede sammen.\n\nAnden del af beskrivelsen.",
        "results": "Gode erfaringer med samskabelse.",
        "municipalities": ["København"],
        "start_year": 2010,
        "end_year": 2014,
        "collaboration_forms": ["projektpartnerskab", "borgerinddragelse"],
        "actors": ["kommune", "borgere"],
        "themes": ["byrum"],
        "budget_dkk": 1250000,
        "public_funding_dkk": 1000000,
        "private_funding_dkk": 250000,
        "funders": ["Realdania", "Landsbyggefonden"],
        "contact_org": "Københavns Kommune",
        "links": [{"title": "Projektside", "url": "https://example.org/a"}],
        "latitude": 55.65,
        "longitude": 12.54,
    },
    {
        "ref": "b-aarhus",
        "title": "Byfornyelse i Aarhus",
        "description": "Et projektpartnerskab om områdefornyelse i Aarhus.",
        "municipalities": ["Aarhus"],
        "start_year": 2015,
        "end_year": 2018,
        "collaboration_forms": ["projektpartnerskab"],
        "actors": ["kommune"],
        "themes": ["omraadefornyelse"],
    },
    {
        "ref": "c-odense",
        "title": "Odense bymidte",
        "description": "Et strategisk partnerskab om byrum og handel i Odense.",
        "municipalities": ["Odense"],
        "start_year": 2012,
        "end_year": 2013,
        "collaboration_forms": ["strategisk-partnerskab"],
        "actors": ["foreninger"],
        "themes": ["byrum"],
    },
    {
        "ref": "d-xss",
        "title": "<script>alert(1)</script> Farlig titel",
        "description": "<b>fed</b> & klimasikring med <i>markup</i>",
        "municipalities": ["Aalborg"],
        "start_year": 2020,
        "collaboration_forms": ["borgerinddragelse"],
        "themes": ["klima"],
    },
    {
        "ref": "e-national",
        "title": "Landsdækkende netværk",
        "description": "Et tværkommunalt netværk om klimatilpasning.",
        "collaboration_forms": ["tvaerkommunalt"],
        "themes": ["klima"],
    },
]
ALL_COLLABORATION_COUNTS = {
    "projektpartnerskab": 2,
    "borgerinddragelse": 2,
    "strategisk-partnerskab": 1,
    "tvaerkommunalt": 1,
}


@pytest.fixture
def cases(service):
    for record in CASES:
        service.create_case(record, "tester", source="admin")
    return service


def text_of(response) -> str:
    assert response.content_type.startswith("text/html"), response.content_type
    return response.get_data(as_text=True)


def facet_options(html: str, facet: str) -> dict[str, tuple[int, bool]]:
    """value -> (count, checked) of a facet's checkboxes on the search page."""
    found = {}
    pattern = re.compile(
        r'<input type="checkbox" id="f-'
        + facet
        + r'-[^"]*" name="'
        + facet
        + r'" value="([^"]*)" form="search-form"( checked)?>\s*<label[^>]*>'
        r'<span class="facet-label">[^<]*</span> <span class="facet-count">(\d+)</span>'
    )
    for value, checked, count in pattern.findall(html):
        found[unescape(value)] = (int(count), bool(checked))
    return found


def result_refs(html: str) -> list[str]:
    return re.findall(r'<h3 class="result-title"><a href="/cases/([^"]+)">', html)


def links(html: str, css_class: str) -> list[tuple[str, str]]:
    """(href, text) of the links with a class."""
    return [
        (unescape(href), unescape(text))
        for href, text in re.findall(
            r'<a class="' + css_class + r'" href="([^"]*)"[^>]*>([^<]*)', html
        )
    ]


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


# --- the search page --------------------------------------------------------------------


def test_search_page_shows_the_seed_data_as_the_api_counts_it(client, seeded):
    html = text_of(client.get("/"))
    body = search_body(seeded, {})
    assert f"{body['total']} sager" in html
    for facet in FACETS:
        counts = {b["value"]: (b["count"], b["selected"]) for b in body["facets"][facet]}
        assert facet_options(html, facet) == counts, facet
    assert result_refs(html) == [r["ref"] for r in body["results"]]
    assert '<html lang="da">' in html


def test_facet_counts_and_results_of_a_known_corpus(client, cases):
    html = text_of(client.get("/"))
    counts = {v: c for v, (c, _) in facet_options(html, "collaboration_form").items()}
    assert counts == ALL_COLLABORATION_COUNTS
    assert {v: c for v, (c, _) in facet_options(html, "theme").items()} == {
        "byrum": 2,
        "klima": 2,
        "omraadefornyelse": 1,
    }
    assert "5 sager" in html
    # newest first without a query; the case without years comes last
    assert result_refs(html) == ["d-xss", "b-aarhus", "c-odense", "a-kbh", "e-national"]


def test_collaboration_form_is_the_first_facet_and_municipalities_nest_in_regions(client, cases):
    html = text_of(client.get("/"))
    order = re.findall(r'<fieldset class="facet facet-([a-z_]+)"', html)
    assert order == ["collaboration_form", "theme", "actor", "region", "status", "years"]
    region = html[html.index('id="f-region-midtjylland"') :]
    region = region[: region.index('class="region-group"')]
    assert 'id="f-municipality-Aarhus"' in region
    assert 'id="municipality-filter"' in html  # the filter box, shown by the script


def test_a_ticked_facet_lives_in_the_url_with_disjunctive_counts(client, cases):
    html = text_of(client.get("/?collaboration_form=projektpartnerskab"))
    assert result_refs(html) == ["b-aarhus", "a-kbh"]
    options = facet_options(html, "collaboration_form")
    assert options["projektpartnerskab"] == (2, True)
    assert {v: c for v, (c, _) in options.items()} == ALL_COLLABORATION_COUNTS
    assert {v: c for v, (c, _) in facet_options(html, "theme").items()} == {
        "byrum": 1,
        "omraadefornyelse": 1,
    }
    assert "2 sager" in html


def test_chips_remove_one_value_and_keep_the_rest(client, cases):
    url = (
        "/?q=partnerskab&collaboration_form=projektpartnerskab"
        "&collaboration_form=strategisk-partnerskab&year_from=2011&sort=title"
    )
    html = text_of(client.get(url))
    chips = links(html, "chip")
    assert [text for _, text in chips] == [
        "Samarbejdsform: Projektpartnerskab",
        "Samarbejdsform: Strategisk partnerskab",
        "Fra 2011",
    ]
    first = query_of(chips[0][0])
    assert first == {
        "q": ["partnerskab"],
        "collaboration_form": ["strategisk-partnerskab"],
        "year_from": ["2011"],
        "sort": ["title"],
    }
    assert "year_from" not in query_of(chips[2][0])
    assert 'aria-label="Fjern filter: Fra 2011"' in html
    after = text_of(client.get(chips[0][0]))
    assert facet_options(after, "collaboration_form")["projektpartnerskab"][1] is False
    assert facet_options(after, "collaboration_form")["strategisk-partnerskab"][1] is True
    clear = links(html, "chip-clear")
    assert query_of(clear[0][0]) == {"q": ["partnerskab"], "sort": ["title"]}


def test_pagination_links_with_aria_current(client, cases):
    html = text_of(client.get("/?per_page=2&sort=title"))
    nav = html[html.index('<nav class="pagination"') :]
    nav = nav[: nav.index("</nav>")]
    current = re.findall(r'<a href="([^"]*)" aria-current="page"[^>]*>(\d+)</a>', nav)
    assert [number for _, number in current] == ["1"]
    numbered = re.findall(r'<a href="([^"]*)"[^>]*aria-label="Side (\d+)"', nav)
    assert [n for _, n in numbered] == ["1", "2", "3"]
    nxt = unescape(re.search(r'<a href="([^"]*)" data-nav rel="next"', nav).group(1))
    assert query_of(nxt) == {"per_page": ["2"], "sort": ["title"], "page": ["2"]}
    assert "Forrige</span>" in nav  # no previous page on page 1
    page2 = text_of(client.get(nxt))
    page3 = text_of(client.get("/?per_page=2&sort=title&page=3"))
    seen = result_refs(html) + result_refs(page2) + result_refs(page3)
    assert sorted(seen) == sorted(c["ref"] for c in CASES)
    assert "viser 3–4" in page2
    assert 'rel="prev"' in page3 and 'rel="next"' not in page3


def test_pages_window_shows_gaps():
    from casebase.web.search_page import _pages

    assert _pages(1, 10, 35) == [1, 2, 3, 4]
    assert _pages(6, 10, 200) == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert _pages(1, 20, 0) == [1]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("title", ["d-xss", "b-aarhus", "e-national", "c-odense", "a-kbh"]),
        ("oldest", ["a-kbh", "c-odense", "b-aarhus", "d-xss", "e-national"]),
    ],
)
def test_sort_is_applied_and_selected(client, cases, sort, expected):
    html = text_of(client.get(f"/?sort={sort}"))
    assert result_refs(html) == expected
    assert f'<option value="{sort}" selected>' in html


def test_did_you_mean_links_to_the_suggested_query(client, cases):
    body = search_body(cases, {"q": ["partnerskb"]})
    assert body["suggestion"]
    html = text_of(client.get("/?q=partnerskb&theme=byrum"))
    link = re.search(
        r'<p class="suggestion">Mente du\s*<a href="([^"]*)" data-nav>'
        r"<strong>([^<]*)</strong>",
        html,
    )
    assert link and link.group(2) == body["suggestion"]
    assert query_of(unescape(link.group(1))) == {"q": [body["suggestion"]], "theme": ["byrum"]}


def test_the_search_works_as_a_plain_get_form(client, cases):
    html = text_of(client.get("/"))
    form = re.search(r'<form id="search-form"[^>]*>', html).group(0)
    assert 'method="get"' in form and 'action="/"' in form and 'role="search"' in form
    assert '<button type="submit"' in html
    for facet in ("collaboration_form", "theme", "region", "municipality"):
        assert f'name="{facet}" value=' in html
    # What a browser sends for an untouched form: empty fields count as absent.
    response = client.get("/?q=&sort=&year_from=&year_to=&collaboration_form=projektpartnerskab")
    assert response.status_code == 200
    assert result_refs(text_of(response)) == ["b-aarhus", "a-kbh"]


def test_every_input_has_a_label(client, cases):
    html = text_of(client.get("/"))
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html)
    assert ids
    for element_id in ids:
        assert f'for="{element_id}"' in html, element_id


def test_data_is_escaped_and_only_the_snippet_carries_marks(client, cases):
    html = text_of(client.get("/?q=fed"))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Farlig titel" in html
    assert "&lt;b&gt;" in html and "<b>fed</b>" not in html
    assert "<mark>fed</mark>" in html
    page = text_of(client.get("/cases/d-xss"))
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page
    assert "&lt;b&gt;fed&lt;/b&gt; &amp; klimasikring" in page


@pytest.mark.parametrize(
    "query",
    [
        "collaboration_form=nope",
        "page=0",
        "year_from=abc",
        "sort=best",
        "per_page=1000",
    ],
)
def test_invalid_parameters_give_a_friendly_400_page(client, cases, query):
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    html = text_of(response)
    assert "Søgningen kunne ikke udføres" in html
    assert re.search(r'<p class="error-message">[^<]+</p>', html)
    assert '<form id="search-form"' in html  # a new search can start from here


def test_the_chart_is_an_accessible_svg_of_start_years(client, cases):
    html = text_of(client.get("/"))
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="group"' in svg and 'aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">Sager pr. startår</title>' in svg
    assert "4 sager med startår fra 2010 til 2020" in svg
    assert "style=" not in svg
    bars = re.findall(r'<a href="([^"]*)" aria-label="(\d+): (\d+) sager">', svg)
    assert {(year, count) for _, year, count in bars} == {
        ("2010", "1"),
        ("2012", "1"),
        ("2015", "1"),
        ("2020", "1"),
    }
    href = unescape(bars[0][0])
    assert query_of(href)["year_from"] == query_of(href)["year_to"]
    table = html[html.index('<details class="chart-table">') :]
    assert '<th scope="row">2015</th><td>1</td>' in table


def test_year_counts_fill_gaps_and_render():
    years = chart.year_counts([Bucket(2012, "2012", 2, False), Bucket(2010, "2010", 1, False)])
    assert [(y.year, y.count) for y in years] == [(2010, 1), (2011, 0), (2012, 2)]
    svg = chart.render_svg(years, "T <x>", "D & d", lambda y: f"{y.year}", lambda y: "/?a=1&b=2")
    assert '<title id="chart-title">T &lt;x&gt;</title>' in svg
    assert "D &amp; d" in svg and 'href="/?a=1&amp;b=2"' in svg
    assert svg.count("<rect") == 2  # no bar for a year without cases
    assert chart.year_counts([]) == []


def test_export_links_carry_the_search_and_its_order_without_the_page(client, cases):
    html = text_of(client.get("/?q=partnerskab&theme=byrum&year_to=2015&sort=title&page=1"))
    exports = re.findall(r'<a href="(/api/export\?[^"]*)" download>([^<]*)</a>', html)
    assert [text for _, text in exports] == ["CSV", "Excel (XLSX)", "JSON"]
    for (href, _), fmt in zip(exports, ("csv", "xlsx", "json"), strict=True):
        assert query_of(unescape(href)) == {
            "format": [fmt],
            "q": ["partnerskab"],
            "theme": ["byrum"],
            "year_to": ["2015"],
            "sort": ["title"],
        }


def test_the_fragment_holds_only_the_changing_parts(client, cases):
    response = client.get("/?theme=byrum", headers={"X-Casebase-Fragment": "1"})
    html = text_of(response)
    assert 'id="results"' in html and 'id="facet-panels"' in html
    assert "<header" not in html and 'id="search-form"' not in html
    assert result_refs(html) == ["c-odense", "a-kbh"]
    assert "X-Casebase-Fragment" in response.headers["Vary"]
    bad = client.get("/?theme=nope", headers={"X-Casebase-Fragment": "1"})
    assert bad.status_code == 400 and "error-message" in text_of(bad)


def test_assets_are_served_by_the_app(client, app):
    for path, kind in (
        ("/assets/css/site.css", "text/css"),
        ("/assets/js/search.js", "text/javascript"),
        ("/assets/favicon.svg", "image/svg+xml"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.content_type.startswith(kind), response.content_type
        response.close()


# --- the case page ----------------------------------------------------------------------


def test_case_page_shows_every_field_with_labels_and_links(client, cases):
    html = text_of(client.get("/cases/a-kbh"))
    assert '<h1 id="case-title">Partnerskab i Sydhavnen</h1>' in html
    for label in (
        "Samarbejdsformer",
        "Kommuner",
        "Regioner",
        "Startår",
        "Slutår",
        "Status",
        "Temaer",
        "Aktører",
        "Reference",
        "Beskrivelse",
        "Resultater og erfaringer",
        "Budget (kr.)",
        "Offentlig finansiering (kr.)",
        "Privat finansiering (kr.)",
        "Bevillingsgivere",
        "Kontaktorganisation",
        "Links",
        "Breddegrad",
        "Længdegrad",
        "Version",
        "Oprettet",
        "Opdateret",
    ):
        assert f">{label}</" in html, label
    for href, text in (
        ("/?collaboration_form=projektpartnerskab", "Projektpartnerskab"),
        ("/?collaboration_form=borgerinddragelse", "Borgerinddragelse og samskabelse"),
        ("/?municipality=K%C3%B8benhavn", "København"),
        ("/?region=hovedstaden", "Region Hovedstaden"),
        ("/?status=afsluttet", "Afsluttet"),
        ("/?theme=byrum", "Byrum og friarealer"),
        ("/?actor=borgere", "Borgere"),
    ):
        assert re.search(f'<a href="{re.escape(href)}"[^>]*>{re.escape(text)}</a>', html), href
    assert "1.250.000 kr." in html and "1.000.000 kr." in html and "250.000 kr." in html
    assert "<li>Realdania</li>" in html
    assert (
        '<a href="https://example.org/a" rel="noopener noreferrer external">Projektside</a>' in html
    )
    assert "<p>Kommunen og borgerne byggede sammen.</p>" in html
    assert "<p>Anden del af beskrivelsen.</p>" in html
    assert '<a href="/api/cases/a-kbh" type="application/json">' in html


def test_back_link_returns_to_the_search_the_reader_came_from(client, cases):
    came_from = "http://localhost/?theme=byrum&page=1"
    html = text_of(client.get("/cases/a-kbh", headers={"Referer": came_from}))
    assert '<p class="back"><a href="/?theme=byrum&amp;page=1">' in html
    other = text_of(client.get("/cases/a-kbh", headers={"Referer": "https://evil.example/?x"}))
    assert '<p class="back"><a href="/">' in other


def test_case_page_citation_permalink_and_similar_cases(client, cases):
    html = text_of(client.get("/cases/a-kbh"))
    permalink = "http://localhost/cases/a-kbh"
    assert f'<a href="{permalink}">{permalink}</a>' in html
    today = i18n.format_date(date.today(), "da")
    assert (
        f"Partnerskab i Sydhavnen. København, 2010–2014. casebase, {permalink}, hentet {today}."
    ) in html
    similar = html[html.index('id="similar-heading"') :]
    expected = [hit.ref for hit in cases.similar("a-kbh", 5)]
    assert expected
    assert re.findall(r'<li><a href="/cases/([^"]+)">', similar) == expected


def test_unknown_case_is_a_friendly_404_in_the_chosen_language(client, cases):
    response = client.get("/cases/no-such-case")
    assert response.status_code == 404
    assert "Der er ingen sag med referencen «no-such-case»." in text_of(response)
    english = client.get("/cases/no-such-case?lang=en")
    assert english.status_code == 404
    assert "There is no case with the reference “no-such-case”." in text_of(english)
    assert '<html lang="en">' in text_of(english)


def test_a_nationwide_case_without_years(client, cases):
    html = text_of(client.get("/cases/e-national"))
    assert "Landsdækkende" in html
    assert "Landsdækkende netværk. Landsdækkende. casebase," in html


# --- language ---------------------------------------------------------------------------


def test_language_switch_is_remembered_in_a_cookie(client, cases):
    html = text_of(client.get("/"))
    switch = re.search(r'<a href="([^"]*)" lang="en" hreflang="en"', html).group(1)
    assert unescape(switch) == "/?lang=en"
    response = client.get("/?lang=en&theme=byrum")
    english = text_of(response)
    assert '<html lang="en">' in english
    assert "Collaboration form" in english and "Public spaces" in english
    assert "2 cases" in english
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=en;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # The choice is remembered: no parameter needed any more, on every page.
    assert '<html lang="en">' in text_of(client.get("/cases/a-kbh"))
    assert "Collaboration forms" in text_of(client.get("/cases/a-kbh"))
    assert "1,250,000" in text_of(client.get("/cases/a-kbh"))
    assert '<html lang="da">' in text_of(client.get("/?lang=da"))
    assert '<html lang="da">' in text_of(client.get("/"))
    assert '<html lang="da">' in text_of(client.get("/?lang=xx"))


def test_lang_is_not_part_of_the_search_state(client, cases):
    html = text_of(client.get("/?lang=en&theme=klima"))
    assert result_refs(html) == ["d-xss", "e-national"]
    for href, _ in links(html, "chip"):
        assert "lang" not in query_of(href)


def test_every_message_has_both_languages():
    for key, (danish, english) in i18n.MESSAGES.items():
        assert danish.strip() and english.strip(), key
        assert re.findall(r"{(\w+)}", danish) == re.findall(r"{(\w+)}", english) or sorted(
            re.findall(r"{(\w+)}", danish)
        ) == sorted(re.findall(r"{(\w+)}", english)), key


def test_every_message_key_used_in_templates_exists():
    templates = Path(__file__).resolve().parent.parent / "casebase" / "web" / "templates"
    used = set()
    for path in templates.rglob("*.html"):
        used |= set(re.findall(r"""\bt\(["']([a-z_.]+[a-z_])["']""", path.read_text()))
    missing = sorted(used - set(i18n.MESSAGES))
    assert not missing


# --- formatting helpers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "lang", "text"),
    [
        (1250000, "da", "1.250.000 kr."),
        (0, "da", "0 kr."),
        (999, "da", "999 kr."),
        (1000, "da", "1.000 kr."),
        (12345678901, "da", "12.345.678.901 kr."),
        (1250000, "en", "DKK 1,250,000"),
        (None, "da", ""),
    ],
)
def test_format_amount(amount, lang, text):
    assert i18n.format_amount(amount, lang) == text


def test_format_years_and_dates():
    assert i18n.format_years(2010, 2014) == "2010–2014"
    assert i18n.format_years(2010, None) == "2010–"
    assert i18n.format_years(2010, 2010) == "2010"
    assert i18n.format_years(None, None) == ""
    assert i18n.format_date(date(2026, 11, 28), "da") == "28. november 2026"
    assert i18n.format_date("2026-03-01T10:00:00+00:00", "en") == "1 March 2026"


def test_citation_line():
    record = {
        "title": "Titel.",
        "municipalities": ["Aarhus", "Odense"],
        "start_year": 2014,
        "end_year": 2017,
    }
    assert citation(record, "https://x/cases/r", date(2026, 1, 5), "da") == (
        "Titel. Aarhus, Odense, 2014–2017. casebase, https://x/cases/r, hentet 5. januar 2026."
    )
    assert citation({"title": "T", "municipalities": []}, "u", date(2026, 1, 5), "en") == (
        "T. Nationwide. casebase, u, retrieved 5 January 2026."
    )


def test_paragraphs():
    assert paragraphs("a\nb\n\n\nc  \n \n") == ["a\nb", "c"]
    assert paragraphs(None) == []


# --- security headers, cookies and contrast -----------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/cases/a-kbh",
        "/cases/nope",
        "/?foo=1",
        "/admin/login",
        "/api/cases",
        "/assets/css/site.css",
    ],
)
def test_security_headers_on_every_response(client, cases, path):
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == security.CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    response.close()


@pytest.mark.parametrize(
    "path",
    ["/", "/?q=partnerskab&theme=byrum", "/cases/a-kbh", "/cases/nope", "/?foo=1", "/admin/login"],
)
def test_no_inline_script_or_style(client, cases, path):
    html = client.get(path).get_data(as_text=True)
    # A JSON-LD block (docs/contract.md section 11) is data, never run: set it aside.
    data_blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    for block in data_blocks:
        json.loads(block)
    html = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert re.search(r'\bsrc="/assets/', tag), tag
    assert "</script>" not in html.replace("></script>", "")
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"<style\b", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert "http://" not in re.sub(
        r'href="http://localhost[^"]*"|>http://localhost[^<]*<|'
        r'xmlns="http://www\.w3\.org/2000/svg"|, http://localhost\S*',
        "",
        html,
    )


def test_session_cookie_settings(app, monkeypatch, env):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_SECURE"] is False  # plain http on 127.0.0.1 by default
    monkeypatch.setenv("CASEBASE_SECURE_COOKIES", "1")
    secure = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": env["CASEBASE_DATABASE_URL"],
            "INDEX_DIR": env["CASEBASE_INDEX_DIR"],
        }
    )
    try:
        assert secure.config["SESSION_COOKIE_SECURE"] is True
    finally:
        secure.extensions["casebase"].db.dispose()


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def css_colours() -> dict[str, str]:
    css = (STATIC / "css" / "site.css").read_text()
    root = css[css.index(":root") : css.index("}")]
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", root))


# (foreground, background, minimum): text needs 4.5:1, focus rings and chart bars 3:1.
COLOUR_PAIRS = [
    ("text", "background", 4.5),
    ("muted", "background", 4.5),
    ("muted", "surface", 4.5),
    ("text", "surface", 4.5),
    ("link", "background", 4.5),
    ("link", "surface", 4.5),
    ("link-visited", "background", 4.5),
    ("link", "badge-bg", 4.5),
    ("header-text", "header-bg", 4.5),
    ("primary-text", "primary", 4.5),
    ("primary-text", "primary-hover", 4.5),
    ("primary", "background", 4.5),
    ("primary", "surface", 4.5),
    ("badge-text", "badge-bg", 4.5),
    ("count-text", "count-bg", 4.5),
    ("count-text", "background", 4.5),
    ("text", "badge-bg", 4.5),
    ("chip-text", "chip-bg", 4.5),
    ("mark-text", "mark-bg", 4.5),
    ("error-text", "error-bg", 4.5),
    ("error-text", "background", 4.5),
    ("success-text", "success-bg", 4.5),
    ("info-text", "info-bg", 4.5),
    ("warning-text", "warning-bg", 4.5),
    ("danger-text", "danger", 4.5),
    ("danger", "background", 4.5),
    ("focus-text", "focus-bg", 4.5),
    ("focus", "background", 3.0),
    ("chart-bar", "background", 3.0),
    ("muted", "background", 3.0),  # input borders
]


@pytest.mark.parametrize(("foreground", "background", "minimum"), COLOUR_PAIRS)
def test_colour_contrast_meets_wcag_aa(foreground, background, minimum):
    colours = css_colours()
    ratio = contrast(colours[foreground], colours[background])
    assert ratio >= minimum, f"{foreground} on {background}: {ratio:.2f}"


def test_chart_colours_meet_wcag_aa():
    assert contrast(chart.BAR_COLOUR, "#ffffff") >= 3.0
    assert contrast(chart.TEXT_COLOUR, "#ffffff") >= 4.5
    assert contrast(chart.AXIS_COLOUR, "#ffffff") >= 3.0
    assert chart.BAR_COLOUR == css_colours()["chart-bar"]


def test_no_asset_from_another_host():
    for path in STATIC.rglob("*"):
        if path.is_file() and "apidocs" not in path.parts and path.suffix in (".css", ".js"):
            text = path.read_text()
            if "vendor" in path.parts:
                # Vendored packages name their home pages in comments and links; what they
                # load is checked by the Content-Security-Policy and the browser tests.
                assert not re.search(r"url\(\s*['\"]?(https?:)?//", text), path
            else:
                assert not re.search(r"https?://", text), path
            assert "@import" not in text and "@font-face" not in text, path


def test_an_unknown_address_outside_the_api_is_a_friendly_html_404(client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert '<html lang="da"' in response.get_data(as_text=True)
    english = client.get("/no-such-page?lang=en")
    assert '<html lang="en"' in english.get_data(as_text=True)
    assert client.get("/api/no-such").mimetype == "application/json"


def test_tracking_parameters_do_not_break_a_shared_link(client) -> None:
    response = client.get("/?q=partnerskab&fbclid=abc&utm_source=nyhedsbrev")
    assert response.status_code == 200
    assert client.get("/?collaboration_form=nonsense").status_code == 400
