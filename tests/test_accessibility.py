"""An automated accessibility audit: axe-core (vendored from the npm registry in tests/vendor/)
runs in the real browser on every kind of page, and no serious or critical finding is allowed.

The pages: the search page, the cross-tabulation, the map (its points shown), comparison, a
case page, and the admin (login, start page, case form, import). Playwright injects axe into
each page (the context bypasses the Content-Security-Policy for that one script). The audit
does not depend on the database, so it runs on SQLite only.
"""

from __future__ import annotations

import pytest
from conftest import ROOT, api, offline_tiles, run_cli

pytestmark = pytest.mark.browser

AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
# What counts as a failure; "moderate" and "minor" findings are listed when the test fails.
FAILING_IMPACTS = ("serious", "critical")
ADMIN_PASSWORD = "audit-admin-password"

AUDIT = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))
  }));
}"""


def findings(page) -> list[dict]:  # type: ignore[no-untyped-def]
    page.add_script_tag(path=str(AXE))
    return page.evaluate(AUDIT)


def serious(found: list[dict]) -> list[dict]:
    return [f for f in found if f["impact"] in FAILING_IMPACTS]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_serious_or_critical_finding_on_any_kind_of_page(open_page, live_server, env) -> None:
    from playwright.sync_api import expect

    watched = open_page(bypass_csp=True)
    offline_tiles(watched)
    page = watched.page
    refs = [hit["ref"] for hit in api(live_server, "/api/cases?q=partnerskab")["results"]]
    pages = {
        "search": "/?q=partnerskab&theme=byrum",
        "crosstab": "/?q=partnerskab&rows=region&cols=collaboration_form",
        "map": "/map?q=partnerskab",
        "compare": f"/compare?ref={refs[0]}&ref={refs[1]}&ref={refs[2]}",
        "case": f"/cases/{refs[0]}",
        "english search": "/?lang=en&rows=decade&cols=status",
        "admin login": "/admin/login",
    }
    report: dict[str, list[dict]] = {}
    for name, path in pages.items():
        page.goto(live_server + path)
        if name == "map":
            expect(page.locator(".map-cluster, .map-pin").first).to_be_visible()
        report[name] = findings(page)
    # Pages that answer an error status (which the browser logs as an error, as it should).
    errors = open_page(bypass_csp=True)
    errors.allowed_errors += ["status of 400 (BAD REQUEST)", "status of 404 (NOT FOUND)"]
    for name, path in {
        "compare, too few": f"/compare?ref={refs[0]}",
        "a wrong cross-tabulation": "/?rows=theme&cols=theme",
        "not found": "/cases/no-such-case",
    }.items():
        errors.page.goto(live_server + path)
        report[name] = findings(errors.page)

    made = run_cli(
        ["user", "create", "auditor", "--admin", "--password-stdin"],
        env,
        input=ADMIN_PASSWORD + "\n",
    )
    assert made.returncode == 0, made.stderr
    page.goto(live_server + "/admin/login")
    page.fill("#name", "auditor")
    page.fill("#password", ADMIN_PASSWORD)
    page.locator("form.stack-form button[type=submit]").click()
    expect(page.locator(".logout-form")).to_be_visible()
    for name, path in {
        "admin": "/admin",
        "admin case form": "/admin/cases/new",
        "admin edit": f"/admin/cases/{refs[0]}/edit",
        "admin import": "/admin/import",
    }.items():
        page.goto(live_server + path)
        report[name] = findings(page)

    failing = {name: serious(found) for name, found in report.items() if serious(found)}
    assert failing == {}, {"failing": failing, "all findings": report}
