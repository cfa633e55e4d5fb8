"""The search through the service, over records stored in SQLite and in PostgreSQL.

The engine's every rule is tested against an index alone (test_search.py); this runs the same
known corpus through the database and the change log, so both databases feed it alike.
"""

import json

import pytest
from conftest import search_body
from search_fixtures import CASES

QUERY_FIELDS = ("q", "sort", "page", "per_page", "year_from", "year_to")


@pytest.fixture
def corpus(service, tmp_path):
    path = tmp_path / "corpus.json"
    path.write_text(json.dumps(CASES, ensure_ascii=False), encoding="utf-8")
    report = service.import_files([path])
    assert (report.created, report.rejected) == (len(CASES), 0), report.errors
    return service


def counts(body, facet):
    return {bucket["value"]: bucket["count"] for bucket in body["facets"][facet]}


def test_known_facet_counts(corpus):
    body = search_body(corpus, {"per_page": ["100"]})
    assert body["total"] == 16
    assert counts(body, "region") == {
        "sjaelland": 6,
        "hovedstaden": 3,
        "midtjylland": 3,
        "syddanmark": 3,
        "nordjylland": 1,
    }
    assert counts(body, "status") == {"afsluttet": 10, "igangvaerende": 5, "planlagt": 1}
    assert counts(body, "collaboration_form") == {
        "foreninger-og-frivillige": 5,
        "projektpartnerskab": 4,
        "tvaerkommunalt": 3,
        "privat-investering": 2,
        "strategisk-partnerskab": 2,
        "borgerinddragelse": 1,
        "boligorganisation": 1,
        "offentlig-privat-partnerskab": 1,
        "socialt-partnerskab": 1,
    }
    years = counts(body, "start_year")
    assert years[2019] == 5 and years[2016] == 2 and sum(years.values()) == 15


def test_disjunctive_counts_and_selected_values(corpus):
    body = search_body(corpus, {"region": ["sjaelland"], "status": ["planlagt"]})
    # The region facet ignores its own filter, the status facet its own.
    everything_planned = search_body(corpus, {"status": ["planlagt"]})
    assert counts(body, "region") == counts(everything_planned, "region")
    in_sjaelland = search_body(corpus, {"region": ["sjaelland"]})
    assert counts(body, "status") == counts(in_sjaelland, "status")
    selected = [b for b in body["facets"]["region"] if b["selected"]]
    assert [b["value"] for b in selected] == ["sjaelland"]
    assert body["total"] == sum(
        1 for c in CASES if "sjaelland" in c["regions"] and c["status"] == "planlagt"
    )


def test_text_filters_and_years_agree_with_the_records(corpus):
    body = search_body(corpus, {"year_from": ["2015"], "year_to": ["2016"], "per_page": ["100"]})
    expected = sorted(
        c["ref"]
        for c in CASES
        if c.get("start_year")
        and c["start_year"] <= 2016
        and (c.get("end_year") or c["start_year"]) >= 2015
    )
    assert sorted(r["ref"] for r in body["results"]) == expected


def test_pages_never_repeat_or_drop_a_case(corpus):
    for sort in ("newest", "oldest", "title"):
        seen = []
        for page in range(1, 5):
            body = search_body(corpus, {"sort": [sort], "per_page": ["5"], "page": [str(page)]})
            seen += [r["ref"] for r in body["results"]]
        assert sorted(seen) == sorted(c["ref"] for c in CASES), sort


def test_a_write_is_searchable_and_a_delete_is_gone(corpus):
    record = {
        **{k: v for k, v in CASES[0].items() if k != "regions"},
        "ref": "ny-sag",
        "title": "Helt ny sag om vindmøller",
    }
    corpus.create_case(record, user=None)
    assert [r["ref"] for r in search_body(corpus, {"q": ["vindmøller"]})["results"]] == ["ny-sag"]
    corpus.delete_case("ny-sag", user=None)
    assert search_body(corpus, {"q": ["vindmøller"]})["total"] == 0
