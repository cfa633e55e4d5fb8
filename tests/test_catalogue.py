"""Every facet and sort is declared once, in the catalogue: the API's description, the search
page and the command line list exactly those."""

from __future__ import annotations

import re

from click.testing import CliRunner

from casebase import catalogue
from casebase.cli import cli

SEARCH_PARAMETERS = [
    "q",
    "exact",
    *catalogue.FACET_NAMES,
    *catalogue.YEAR_PARAMETERS,
    "sort",
    *catalogue.PAGE_PARAMETERS,
]


def _schema(spec: dict, ref_or_schema: dict) -> dict:
    """A schema object, following one $ref."""
    if "allOf" in ref_or_schema:
        return _schema(spec, ref_or_schema["allOf"][0])
    ref = ref_or_schema.get("$ref")
    if ref is None:
        return ref_or_schema
    return spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_openapi_lists_the_catalogues_facets_and_sorts(client):
    spec = client.get("/api/openapi.json").get_json()
    search = spec["paths"]["/api/cases"]["get"]
    parameters = {p["name"]: p for p in search["parameters"]}
    assert list(parameters) == SEARCH_PARAMETERS
    assert parameters["sort"]["schema"]["enum"] == list(catalogue.SORT_KEYS)
    for facet in catalogue.FACETS:
        assert parameters[facet.name]["schema"]["items"]["enum"] == list(facet.keys)
    answer = _schema(spec, search["responses"]["200"]["content"]["application/json"]["schema"])
    facets = _schema(spec, answer["properties"]["facets"])
    assert list(facets["properties"]) == list(catalogue.COUNTED)
    export = {p["name"] for p in spec["paths"]["/api/export"]["get"]["parameters"]}
    assert export == {*SEARCH_PARAMETERS, "format"}


def test_the_search_page_shows_the_catalogues_panels_and_sorts(client):
    html = client.get("/").get_data(as_text=True)
    panels = re.findall(r'<fieldset class="facet facet-([a-z_]+)"', html)
    assert panels == [facet.name for facet in catalogue.PANELS] + ["years"]
    sort_select = html[html.index('<select id="sort"') : html.index("</select>")]
    assert re.findall(r'<option value="([^"]*)"', sort_select) == ["", *catalogue.SORT_KEYS]


def test_the_command_lines_help_lists_the_catalogues_facets_and_sorts(env):
    result = CliRunner().invoke(cli, ["search", "--help"], terminal_width=1000)
    assert result.exit_code == 0
    help_text = " ".join(result.output.split())
    filters = re.search(r"--filter FIELD=KEY (.*?); repeatable", help_text)
    assert filters and filters.group(1).split(", ") == [
        *catalogue.FACET_NAMES,
        *catalogue.YEAR_PARAMETERS,
    ]
    sorts = re.search(r"--sort \[([^\]]*)\]", help_text)
    assert sorts and sorts.group(1).split("|") == list(catalogue.SORT_KEYS)
