"""The one record schema: every rule of docs/contract.md section 2, errors per field."""

from datetime import date

import pytest
from marshmallow import ValidationError

from casebase.schemas import derive_status, field_errors, load_record
from casebase.vocabularies import RECORD_FIELDS

VALID = {
    "ref": "case-1",
    "title": "Partnerskab i Mørke",
    "description": "En beskrivelse.",
    "municipalities": ["Syddjurs"],
    "collaboration_forms": ["projektpartnerskab"],
    "themes": ["byrum"],
}


def errors_of(**changes):
    record = {**VALID, **changes}
    record = {k: v for k, v in record.items() if v is not ...}
    with pytest.raises(ValidationError) as caught:
        load_record(record)
    return field_errors(caught.value)


def test_valid_record_is_completed_in_canonical_order():
    record = load_record(VALID)
    assert list(record) == list(RECORD_FIELDS)
    assert record["status"] == "igangvaerende"
    assert record["actors"] == [] and record["links"] == [] and record["summary"] is None


def test_labels_and_spellings_load_as_keys():
    record = load_record(
        {
            **VALID,
            "municipality": "Københavns Kommune",
            "municipalities": ...,
            "collaboration_forms": ["Projektpartnerskab", "projektpartnerskab"],
            "themes": "Byrum og friarealer",
            "status": "Afsluttet",
            "actors": ["Residents"],
        }
        | {"municipalities": None}
    )
    assert record["municipalities"] == ["København"]
    assert record["collaboration_forms"] == ["projektpartnerskab"]
    assert record["themes"] == ["byrum"]
    assert record["status"] == "afsluttet"
    assert record["actors"] == ["borgere"]


def test_system_fields_are_ignored():
    record = load_record(
        {**VALID, "regions": ["nordjylland"], "version": 9, "created_at": "x", "updated_at": "y"}
    )
    assert "regions" not in record and "version" not in record


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"ref": ...}, "ref", "Missing data"),
        ({"ref": "has space"}, "ref", "A-Z"),
        ({"ref": "x" * 65}, "ref", "1-64"),
        ({"ref": "æ"}, "ref", "A-Z"),
        ({"ref": "."}, "ref", "starting with a letter or digit"),
        ({"ref": ".."}, "ref", "starting with a letter or digit"),
        ({"ref": "-x"}, "ref", "starting with a letter or digit"),
        ({"ref": "_x"}, "ref", "starting with a letter or digit"),
        ({"description": "x" * 32_768}, "description", "32767"),
        ({"results": "x" * 32_768}, "results", "32767"),
        ({"title": "ab"}, "title", "between 3 and 300"),
        ({"title": "x" * 301}, "title", "between 3 and 300"),
        ({"title": "   "}, "title", "Missing data"),
        ({"summary": "x" * 1001}, "summary", "1000"),
        ({"description": ...}, "description", "Missing data"),
        ({"municipalities": ["Københaven"]}, "municipalities", "did you mean 'København'"),
        ({"start_year": 1969}, "start_year", "1970"),
        ({"start_year": 2101}, "start_year", "2100"),
        ({"start_year": "2014.5"}, "start_year", "whole number"),
        ({"start_year": 2014.5}, "start_year", "whole number"),
        ({"start_year": True}, "start_year", "whole number"),
        ({"start_year": 2015, "end_year": 2014}, "end_year", "before start_year"),
        ({"status": "done"}, "status", "Unknown status"),
        ({"collaboration_forms": []}, "collaboration_forms", "At least one"),
        ({"collaboration_forms": ...}, "collaboration_forms", "Missing data"),
        (
            {"collaboration_forms": ["projektpartnerskabb"]},
            "collaboration_forms",
            "did you mean 'projektpartnerskab'",
        ),
        ({"themes": []}, "themes", "At least one"),
        ({"actors": ["kommunen"]}, "actors", "did you mean 'kommune'"),
        ({"budget_dkk": -1}, "budget_dkk", "greater than or equal to 0"),
        ({"public_funding_dkk": "mange"}, "public_funding_dkk", "whole number"),
        ({"links": [{"url": "ftp://example.dk"}]}, "links", "http(s)"),
        ({"links": [{"title": "x"}]}, "links", "Missing data"),
        ({"links": "https://example.dk"}, "links", "Expected a list of values"),
        ({"latitude": 55.6}, "longitude", "both latitude and longitude"),
        ({"latitude": 40.0, "longitude": 12.0}, "latitude", "between"),
        ({"latitude": 55.0, "longitude": 20.0}, "longitude", "between"),
        ({"nonsense": 1}, "nonsense", "Unknown field"),
        ({"budget_dkk": 10**30}, "budget_dkk", "less than or equal to"),
        ({"title": "Nul\x00tegn"}, "title", "NUL character"),
        ({"description": "Lone \ud800 surrogate"}, "description", "invalid Unicode"),
        ({"funders": ["Nul\x00"]}, "funders", "NUL character"),
    ],
)
def test_each_rule_names_its_field(changes, field, fragment):
    errors = errors_of(**changes)
    assert field in errors, errors
    assert any(fragment in message for message in errors[field]), errors[field]


def test_all_errors_are_reported_at_once():
    errors = errors_of(
        ref="bad ref",
        title="x",
        themes=[],
        municipalities=["Nowhere"],
        start_year=2015,
        end_year=2010,
        latitude=99.0,
        longitude=10.0,
    )
    assert set(errors) == {"ref", "title", "themes", "municipalities", "end_year", "latitude"}
    assert errors["latitude"] == ["Must be inside Denmark: between 54.4 and 57.9."]


def test_not_an_object():
    with pytest.raises(ValidationError) as caught:
        load_record(["a", "list"])
    assert "_record" in field_errors(caught.value)


def test_optional_values_and_links():
    record = load_record(
        {
            **VALID,
            "summary": "  ",
            "start_year": "2014",
            "end_year": 2016.0,
            "budget_dkk": 0,
            "funders": ["Realdania", " "],
            "links": ["https://example.dk/a", {"title": "B", "url": "http://b.dk"}],
            "latitude": 56.1,
            "longitude": 10.2,
        }
    )
    assert record["summary"] is None
    assert (record["start_year"], record["end_year"]) == (2014, 2016)
    assert record["budget_dkk"] == 0
    assert record["funders"] == ["Realdania"]
    assert record["links"] == [
        {"title": "https://example.dk/a", "url": "https://example.dk/a"},
        {"title": "B", "url": "http://b.dk"},
    ]


@pytest.mark.parametrize(
    ("end_year", "status"),
    [
        (None, "igangvaerende"),
        (2019, "afsluttet"),
        (2026, "igangvaerende"),
        (2030, "igangvaerende"),
    ],
)
def test_status_is_derived_when_absent(end_year, status):
    assert derive_status(end_year, today=date(2026, 11, 28)) == status


def test_given_status_is_kept():
    assert load_record({**VALID, "status": "planlagt"})["status"] == "planlagt"


def test_end_year_alone_is_allowed():
    assert load_record({**VALID, "end_year": 2017})["start_year"] is None


def test_nationwide_case_has_no_municipality():
    record = load_record({**VALID, "municipalities": []})
    assert record["municipalities"] == []


def test_newlines_are_normalised():
    record = load_record({**VALID, "description": "Linje 1\r\nLinje 2\rLinje 3\n"})
    assert record["description"] == "Linje 1\nLinje 2\nLinje 3"


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("1.250.000 kr.", 1250000),
        ("kr. 1.250.000,00", 1250000),
        ("1 250 000", 1250000),
        (1250000.0, 1250000),
        ("300.000", 300000),
    ],
)
def test_amounts_as_people_write_them(written, amount):
    assert load_record({**VALID, "budget_dkk": written})["budget_dkk"] == amount


def test_an_unclear_amount_is_refused():
    assert "budget_dkk" in errors_of(budget_dkk="1,5 mio. kr.")


@pytest.mark.parametrize("field", ["budget_dkk", "start_year"])
@pytest.mark.parametrize("digits", [19, 5000])
def test_a_number_too_long_for_any_field_is_refused_not_crashed(field, digits):
    errors = errors_of(**{field: "9" * digits})
    assert "whole number" in errors[field][0]


def test_a_link_without_title_is_titled_by_its_address_cut_to_a_titles_length():
    long_url = "https://example.dk/" + "a" * 500
    record = load_record({**VALID, "links": [long_url, "https://example.dk/kort"]})
    assert record["links"][0] == {"title": long_url[:299] + "…", "url": long_url}
    assert record["links"][1]["title"] == "https://example.dk/kort"
