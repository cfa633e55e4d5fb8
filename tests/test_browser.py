"""The pages in a real browser (Debian's chromium through Playwright) against a real server.

Every test also checks that the page logged no console error (a CSP violation is one) and
asked no host but the server for anything (the fixtures are in conftest.py). Screenshots of
the search and case pages, at desktop and phone width, are written to
test-artifacts/screenshots/ for a reviewer.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import PHONE, SCREENSHOTS, api, run_cli, screenshot

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "browser-admin-password"


def count_text(total: int) -> str:
    return "1 sag" if total == 1 else f"{total:,} sager".replace(",", ".")


# --- search --------------------------------------------------------------------------------


def test_results_follow_typing_ticking_and_chips(open_page, live_server):
    from playwright.sync_api import expect

    watched = open_page()
    page = watched.page
    page.goto(live_server + "/")
    everything = api(live_server, "/api/cases")
    expect(page.locator(".results-count")).to_contain_text(count_text(everything["total"]))
    expect(page.locator("svg.chart[role=group] title#chart-title")).to_have_count(1)
    screenshot(page, "search-desktop")
    page.evaluate("window.__sameDocument = true")

    # Typing: the results follow without a submit, and the URL keeps up.
    page.locator("#q").press_sequentially("partnerskab", delay=30)
    expect(page).to_have_url(re.compile(r"[?&]q=partnerskab(&|$)"))
    found = api(live_server, "/api/cases?q=partnerskab")
    assert 0 < found["total"] < everything["total"]
    expect(page.locator(".results-count")).to_contain_text(count_text(found["total"]))
    first = found["results"][0]["title"]
    expect(page.locator(".result-title a").first).to_have_text(first)

    # Ticking a collaboration form: counts, results and URL change.
    bucket = found["facets"]["collaboration_form"][0]
    narrowed = api(live_server, f"/api/cases?q=partnerskab&collaboration_form={bucket['value']}")
    page.locator(f"label[for='f-collaboration_form-{bucket['value']}']").click()
    expect(page).to_have_url(re.compile(f"collaboration_form={re.escape(bucket['value'])}"))
    expect(page.locator(".results-count")).to_contain_text(count_text(narrowed["total"]))
    theme = narrowed["facets"]["theme"][0]
    expect(page.locator(f"label[for='f-theme-{theme['value']}'] .facet-count")).to_have_text(
        str(theme["count"])
    )
    expect(page.locator(f"#f-collaboration_form-{bucket['value']}")).to_be_checked()
    chip = page.locator("a.chip")
    expect(chip).to_have_count(1)

    # Removing the chip takes the filter off again.
    chip.click()
    expect(page).not_to_have_url(re.compile("collaboration_form="))
    expect(page.locator(f"#f-collaboration_form-{bucket['value']}")).not_to_be_checked()
    expect(page.locator(".results-count")).to_contain_text(count_text(found["total"]))
    expect(page.locator("a.chip")).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True  # never a full page load

    # Back goes to the ticked state.
    page.go_back()
    expect(page).to_have_url(re.compile("collaboration_form="))
    expect(page.locator(".results-count")).to_contain_text(count_text(narrowed["total"]))


def test_municipality_filter_box(open_page, live_server):
    from playwright.sync_api import expect

    page = open_page().page
    page.goto(live_server + "/")
    box = page.locator("#municipality-filter")
    expect(box).to_be_visible()
    municipality = api(live_server, "/api/cases")["facets"]["municipality"][0]["value"]
    box.fill(municipality)
    item = page.locator(f"li[data-municipality='{municipality}']")
    expect(item).to_be_visible()
    visible = page.locator("li[data-municipality]:visible")
    assert visible.count() < page.locator("li[data-municipality]").count()
    item.locator("label").click()
    expect(page).to_have_url(re.compile("municipality=" + re.escape(quote(municipality))))
    expect(page.locator("#municipality-filter")).to_have_value(municipality)


def test_search_without_javascript(open_page, live_server):
    from playwright.sync_api import expect

    page = open_page(javascript=False).page
    page.goto(live_server + "/")
    expect(page.locator("#municipality-filter")).to_be_hidden()  # useless without a script
    expect(page.locator("#facet-theme")).to_be_visible()  # wide screen: filters are open
    page.fill("#q", "byrum")
    theme = api(live_server, "/api/cases?q=byrum")["facets"]["theme"][0]["value"]
    page.locator(f"#f-theme-{theme}").check()
    page.locator("aside button[type=submit]").click()
    expect(page).to_have_url(re.compile(f"q=byrum.*theme={theme}|theme={theme}.*q=byrum"))
    total = api(live_server, f"/api/cases?q=byrum&theme={theme}")["total"]
    expect(page.locator(".results-count")).to_contain_text(count_text(total))


def test_phone_layout_collapses_the_filters(open_page, live_server):
    from playwright.sync_api import expect

    page = open_page(viewport=PHONE).page
    page.goto(live_server + "/")
    expect(page.locator("#facet-collaboration_form")).to_be_hidden()
    screenshot(page, "search-phone")
    page.locator(".filters-toggle > summary").click()
    expect(page.locator("#facet-collaboration_form")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"


# --- case page and language ---------------------------------------------------------------


def test_open_a_case_and_switch_language(open_page, live_server):
    from playwright.sync_api import expect

    watched = open_page()
    page = watched.page
    page.goto(live_server + "/")
    link = page.locator(".result-title a").first
    title = link.inner_text()
    link.click()
    expect(page.locator("h1")).to_have_text(title)
    ref = page.url.rsplit("/", 1)[1]
    expect(page.locator(".permalink a")).to_have_text(f"{live_server}/cases/{ref}")
    expect(page.locator(".citation")).to_contain_text(f"casebase, {live_server}/cases/{ref}")
    screenshot(page, "case-desktop")

    page.locator("a.lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#facts-heading")).to_have_text("Facts")
    page.goto(live_server + "/")  # remembered without a parameter
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#facet-collaboration_form legend")).to_have_text("Collaboration form")

    phone = open_page(viewport=PHONE).page
    phone.goto(f"{live_server}/cases/{ref}")
    expect(phone.locator("h1")).to_have_text(title)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "case-phone")


def test_keyboard_reaches_the_search_and_the_skip_link_works(open_page, live_server):
    from playwright.sync_api import expect

    page = open_page().page
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    expect(page.locator("a.skip-link").first).to_be_focused()
    expect(page.locator("a.skip-link").first).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))
    outline = page.evaluate(
        "(() => { const q = document.getElementById('q'); q.focus();"
        " return getComputedStyle(q).outlineStyle; })()"
    )
    assert outline != "none"


def test_keyboard_opens_a_collaboration_forms_definition(open_page, live_server):
    from playwright.sync_api import expect

    page = open_page().page
    page.goto(live_server + "/?lang=da")
    option = page.locator(
        "#facet-collaboration_form .facet-option",
        has=page.locator('[value="strategisk-partnerskab"]'),
    )
    option.locator("input").focus()
    page.keyboard.press("Tab")  # the next stop is the form's "Hvad betyder det?"
    summary = option.locator("summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Hvad betyder det?")
    definition = option.locator("details.facet-definition p")
    expect(definition).to_be_hidden()
    page.keyboard.press("Enter")
    expect(definition).to_be_visible()
    expect(definition).to_contain_text("uden at der er indgået en kontrakt")
    definition.get_by_role("link").click()
    expect(page).to_have_url(re.compile("/samarbejdsformer#strategisk-partnerskab$"))
    expect(page.locator("#strategisk-partnerskab")).to_contain_text("Kilde")


# --- admin ---------------------------------------------------------------------------------


def test_admin_login_import_preview_and_edit(open_page, live_server, env, tmp_path):
    from playwright.sync_api import expect

    made = run_cli(
        ["user", "create", "admin", "--admin", "--password-stdin"], env, input=ADMIN_PASSWORD + "\n"
    )
    assert made.returncode == 0, made.stderr
    page = open_page().page
    page.goto(live_server + "/admin")
    expect(page).to_have_url(re.compile("/admin/login"))
    page.fill("#name", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    page.locator("form.stack-form button[type=submit]").click()
    expect(page.locator(".logout-form")).to_contain_text("Logget ind som admin")

    # A dry run: the preview counts what would happen; nothing is written.
    upload = tmp_path / "two.json"
    upload.write_text(
        json.dumps(
            [
                {
                    "ref": "browser-new",
                    "title": "Ny sag fra browseren",
                    "description": "Tekst.",
                    "collaboration_forms": ["projektpartnerskab"],
                    "themes": ["byrum"],
                },
                {
                    "ref": "browser-bad",
                    "title": "Forkert",
                    "description": "Tekst.",
                    "collaboration_forms": ["ukendt-form"],
                    "themes": ["byrum"],
                },
            ]
        ),
        encoding="utf-8",
    )
    page.locator("a", has_text="Importér sager").first.click()
    page.set_input_files("#file", str(upload))
    page.locator("form.stack-form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Prøve af importen af «two.json»")
    expect(page.locator("dd[data-count=created]")).to_have_text("1")
    expect(page.locator("dd[data-count=rejected]")).to_have_text("1")
    expect(page.locator("table.import-errors")).to_contain_text("browser-bad")
    assert api(live_server, "/api/cases?q=browseren")["total"] == 0
    page.locator("button", has_text="Kassér filen").click()
    expect(page.locator(".flash")).to_contain_text("Filen er kasseret")

    # Edit a case through the form.
    ref = api(live_server, "/api/cases?sort=title")["results"][0]["ref"]
    page.goto(f"{live_server}/admin/cases/{ref}/edit")
    page.fill("#title", "Redigeret i browseren")
    page.locator(".form-actions button[type=submit]").click()
    expect(page).to_have_url(f"{live_server}/cases/{ref}")
    expect(page.locator("h1")).to_have_text("Redigeret i browseren")
    expect(page.locator(".flash")).to_contain_text("er gemt")
    assert api(live_server, f"/api/cases/{ref}")["version"] == 2


# --- researcher tools: citations, why, history ---------------------------------------------

CONTRAST_JS = """(selector) => {
  const channel = (v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const luminance = (css) => {
    const [r, g, b] = css.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const element = document.querySelector(selector);
  const style = getComputedStyle(element);
  const [a, b] = [luminance(style.color), luminance(style.backgroundColor)];
  return {ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
          decoration: style.textDecorationLine};
}"""


def login_in_browser(page, live_server: str, env) -> None:
    made = run_cli(
        ["user", "create", "admin", "--admin", "--password-stdin"], env, input=ADMIN_PASSWORD + "\n"
    )
    assert made.returncode == 0, made.stderr
    page.goto(live_server + "/admin/login")
    page.fill("#name", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    page.locator("form.stack-form button[type=submit]").click()


def test_citations_download_and_similar_cases_say_why(open_page, live_server):
    from playwright.sync_api import expect

    page = open_page().page
    ref = "helhedsplan-gellerup"
    page.goto(f"{live_server}/cases/{ref}")
    title = api(live_server, f"/api/cases/{ref}")["title"]
    with page.expect_download() as download:
        page.get_by_role("link", name="Henvisningen som RIS").click()
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert f"TI  - {title}" in saved
    assert download.value.suggested_filename == f"{ref}.ris"
    similar = api(live_server, f"/api/cases/{ref}/similar")["results"]
    first = page.locator(".similar-list > li").first
    expect(first.locator("a").first).to_have_text(similar[0]["title"])
    expect(first.locator("dl.why")).to_contain_text(", ".join(similar[0]["why"]["words"]))


def test_history_shows_a_diff_and_restores_by_keyboard(open_page, live_server, env):
    from playwright.sync_api import expect

    page = open_page().page
    login_in_browser(page, live_server, env)
    ref = "helhedsplan-gellerup"
    before = api(live_server, f"/api/cases/{ref}")
    page.goto(f"{live_server}/admin/cases/{ref}/edit")
    page.fill("#title", before["title"] + " og Bispehaven")
    page.fill("#start_year", str(before["start_year"] + 1))
    page.locator(".form-actions button[type=submit]").click()
    expect(page).to_have_url(f"{live_server}/cases/{ref}")

    history = page.locator("#history")
    expect(history.locator(".history-entry")).to_have_count(2)
    newest = history.locator("#version-2")
    expect(newest.locator("h3")).to_have_text("Version 2: ændret")
    expect(newest.locator("tr[data-field=title] ins")).to_have_text("tilføjet: og Bispehaven")
    expect(newest.locator("tr[data-field=start_year] del")).to_have_text(
        f"fjernet: {before['start_year']}"
    )
    for selector, decoration in (
        ("#version-2 tr[data-field=title] ins", "underline"),
        ("#version-2 tr[data-field=start_year] del", "line-through"),
    ):
        looks = page.evaluate(CONTRAST_JS, selector)
        assert looks["decoration"] == decoration  # not colour alone
        assert looks["ratio"] >= 4.5, looks
    newest.scroll_into_view_if_needed()
    newest.screenshot(path=str(SCREENSHOTS / "history-diff.png"))
    screenshot(page, "case-history-desktop")

    # Restore version 1 with the keyboard alone.
    button = page.get_by_role("button", name="Gendan version 1")
    button.focus()
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("gendannet som version 3")
    assert api(live_server, f"/api/cases/{ref}")["title"] == before["title"]
    expect(page.locator("#version-3 h3")).to_have_text("Version 3: gendannet")


# --- open data and the API's documentation -------------------------------------------------


def test_the_api_docs_let_a_reader_try_a_call(open_page, live_server):
    """Swagger UI, served by the app under a strict CSP: every operation shown, and a search
    tried from the page answers 200 with the API's body (docs/contract.md section 11)."""
    from playwright.sync_api import expect

    page = open_page().page
    page.goto(live_server + "/")
    follow = page.locator("a[type='application/atom+xml']")
    expect(follow).to_have_text("Følg denne søgning")
    assert page.locator("head link[type='application/atom+xml']").count() == 1

    page.goto(live_server + "/api/docs")
    spec = api(live_server, "/api/openapi.json")
    operations = sum(
        1
        for item in spec["paths"].values()
        for method in item
        if method in ("get", "post", "put", "delete")
    )
    expect(page.locator(".opblock")).to_have_count(operations)
    search = page.locator(".opblock-get:has(.opblock-summary-path[data-path='/api/cases'])")
    search.locator(".opblock-summary").click()
    search.locator(".try-out__btn").click()
    search.locator("input[placeholder='q']").fill("partnerskab")
    search.locator(".execute").click()
    answer = search.locator(".live-responses-table tr.response")
    expect(answer.locator(".response-col_status")).to_have_text("200")
    expect(answer.locator(".response-col_description")).to_contain_text('"links"')
    screenshot(page, "api-docs")
