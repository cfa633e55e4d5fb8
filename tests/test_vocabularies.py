"""The vocabularies and the look-ups that imports use."""

import pytest

from casebase import vocabularies as v


def test_counts_match_the_spec():
    assert len(v.COLLABORATION_FORMS) == 9
    assert len(v.ACTORS) == 10
    assert len(v.THEMES) == 14
    assert len(v.STATUSES) == 3
    assert [r.key for r in v.REGIONS] == [
        "hovedstaden",
        "sjaelland",
        "syddanmark",
        "midtjylland",
        "nordjylland",
    ]
    per_region = {r.key: sum(m.region == r.key for m in v.MUNICIPALITIES) for r in v.REGIONS}
    assert per_region == {
        "hovedstaden": 29,
        "sjaelland": 17,
        "syddanmark": 22,
        "midtjylland": 19,
        "nordjylland": 11,
    }
    assert len({m.code for m in v.MUNICIPALITIES}) == 98


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("København", "København"),
        ("københavn", "København"),
        ("Københavns Kommune", "København"),
        ("KØBENHAVNS KOMMUNE", "København"),
        ("0101", "København"),
        ("101", "København"),
        ("Bornholms Regionskommune", "Bornholm"),
        ("Bornholm", "Bornholm"),
        ("Vesthimmerland", "Vesthimmerlands"),
        ("Vesthimmerlands Kommune", "Vesthimmerlands"),
        ("Nordfyn", "Nordfyns"),
        ("Nordfyns Kommune", "Nordfyns"),
        ("Aarhus", "Aarhus"),
        ("Århus", "Aarhus"),
        ("Aarhus Kommune", "Aarhus"),
        ("Høje-Taastrup", "Høje-Taastrup"),
        ("Høje Taastrup Kommune", "Høje-Taastrup"),
        ("Odense Kommune", "Odense"),
        ("Odenses Kommune", "Odense"),
        ("  Ærø  ", "Ærø"),
        ("Lyngby", "Lyngby-Taarbæk"),
        ("Aeroe", None),
        ("Atlantis", None),
    ],
)
def test_municipality_spellings(value, key):
    assert v.find_key("municipality", value) == key


@pytest.mark.parametrize(
    ("vocabulary", "value", "key"),
    [
        ("collaboration_form", "projektpartnerskab", "projektpartnerskab"),
        ("collaboration_form", "Projektpartnerskab", "projektpartnerskab"),
        ("collaboration_form", "PUBLIC-PRIVATE PARTNERSHIP", "offentlig-privat-partnerskab"),
        ("collaboration_form", "Socialt partnerskab med virksomheder", "socialt-partnerskab"),
        ("actor", "Housing associations", "boligorganisationer"),
        ("theme", "Områdefornyelse", "omraadefornyelse"),
        ("theme", "omraadefornyelse", "omraadefornyelse"),
        ("theme", "Byrum og friarealer", "byrum"),
        ("status", "Igangværende", "igangvaerende"),
        ("status", "completed", "afsluttet"),
        ("region", "Region Sjælland", "sjaelland"),
        ("region", "sjaelland", "sjaelland"),
    ],
)
def test_keys_and_labels(vocabulary, value, key):
    assert v.find_key(vocabulary, value) == key


@pytest.mark.parametrize(
    ("vocabulary", "value", "suggestion"),
    [
        ("municipality", "Københaven", "København"),
        ("municipality", "Kobenhavn", "København"),
        ("municipality", "Silkebor", "Silkeborg"),
        ("collaboration_form", "projektpartnerskabb", "projektpartnerskab"),
        ("theme", "byrumm", "byrum"),
        ("municipality", "Xyzzy", None),
    ],
)
def test_nearest_match(vocabulary, value, suggestion):
    assert v.suggest(vocabulary, value) == suggestion


def test_resolve_names_the_nearest_value():
    with pytest.raises(v.UnknownTerm, match="did you mean 'København'"):
        v.resolve("municipality", "Københaven")


def test_regions_follow_municipalities():
    assert v.regions_for(["Aarhus", "København", "Skive"]) == ["hovedstaden", "midtjylland"]
    assert v.region_of("Bornholm") == "hovedstaden"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Titel", "title"),
        ("titel", "title"),
        (" Kommune ", "municipalities"),
        ("Startår", "start_year"),
        ("START_YEAR", "start_year"),
        ("Samarbejdsform", "collaboration_forms"),
        ("Samarbejdsformer", "collaboration_forms"),
        ("Resumé", "summary"),
        ("budget_dkk", "budget_dkk"),
        ("Offentlig finansiering", "public_funding_dkk"),
        ("Privat finansiering", "private_funding_dkk"),
        ("Budget", "budget_dkk"),
        ("Kontakt", "contact_org"),
        ("Unknown column", None),
    ],
)
def test_header_names(header, field):
    assert v.find_field(header) == field


def test_a_short_vocabulary_lists_what_is_allowed():
    with pytest.raises(v.UnknownTerm, match="allowed: planlagt, igangvaerende, afsluttet"):
        v.resolve("status", "færdig")
