"""Search semantics (docs/contract.md section 6) against the fixture corpus, in a temp index."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from search_fixtures import CASES, REFS, case

from casebase import engine
from casebase.engine import CaseIndex, SearchParams, corpus, matching_refs
from casebase.engine.query import MAX_QUERY_WORDS, clean_query, parse_query
from casebase.engine.schema import PAIR_BUCKETS, PAIRS_FIELD, common_numbers, pair_term
from casebase.errors import InvalidSearch, NotFound
from casebase.schemas.search import HitSchema, SearchResponseSchema
from casebase.services import Casebase


def search(index: CaseIndex, params: SearchParams) -> dict[str, Any]:
    """The engine's answer as the API dumps it (the tests compare whole structures).

    These tests pin the search's own rules (stemming, operators, facets, sorts), so they
    search words as written (exact): what compounds and the thesaurus add is tested in
    tests/test_danish.py, over the same corpus.
    """
    return SearchResponseSchema().dump(engine.search(index, replace(params, exact=True)))


def similar(index: CaseIndex, ref: str, limit: int = 5) -> list[dict[str, Any]]:
    return HitSchema(many=True).dump(engine.similar(index, ref, limit))


NEWEST = [
    "aeble",
    "kulturhus-soroe",
    "landsby-a",
    "landsby-b",
    "zebra",
    "odense-bymidte",
    "aabenraa-torv",
    "markup-test",
    "oster",
    "gellerup-helhedsplan",
    "aalborg-havnefront",
    "aaen",
    "sydhavnen",
    "tvaers",
    "national",
    "roskilde-klima",
]
OLDEST = [
    "national",
    "tvaers",
    "sydhavnen",
    "aaen",
    "aalborg-havnefront",
    "gellerup-helhedsplan",
    "oster",
    "aabenraa-torv",
    "markup-test",
    "odense-bymidte",
    "aeble",
    "kulturhus-soroe",
    "landsby-a",
    "landsby-b",
    "zebra",
    "roskilde-klima",
]
# Danish order: Byrum, Fælles, Havnefronten, Håndværkere, Klima..., Kultur..., Landsby... (a, b
# by ref), Landsdækkende, Områdefornyelse, Strategisk, Zebra, Æble, Øster, Aabenraa (= Å), Åen.
TITLE = [
    "markup-test",
    "tvaers",
    "aalborg-havnefront",
    "odense-bymidte",
    "roskilde-klima",
    "kulturhus-soroe",
    "landsby-a",
    "landsby-b",
    "national",
    "sydhavnen",
    "gellerup-helhedsplan",
    "zebra",
    "aeble",
    "oster",
    "aabenraa-torv",
    "aaen",
]
PARTNERSKAB = {
    "gellerup-helhedsplan",
    "sydhavnen",
    "odense-bymidte",
    "aalborg-havnefront",
    "markup-test",
    "tvaers",
}
RESULT_KEYS = [
    "ref",
    "title",
    "summary",
    "municipalities",
    "regions",
    "start_year",
    "end_year",
    "status",
    "collaboration_forms",
    "actors",
    "themes",
    "snippet",
    "score",
    "found_in_documents",
    "document_snippet",
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaseIndex]:
    """The fixture corpus, indexed once for the read-only tests of this module."""
    case_index = CaseIndex(tmp_path_factory.mktemp("search") / "index")
    case_index.rebuild(iter(CASES), seq=1)
    yield case_index
    case_index.close()


def run(index: CaseIndex, **params: Any) -> dict[str, Any]:
    params.setdefault("per_page", 100)
    return search(index, SearchParams(**params))


def refs(index: CaseIndex, **params: Any) -> list[str]:
    return [r["ref"] for r in run(index, **params)["results"]]


def bucket(value: Any, label: str, count: int, selected: bool = False) -> dict[str, Any]:
    return {"value": value, "label": label, "count": count, "selected": selected}


# --- text ---------------------------------------------------------------------------------


def test_all_words_must_match(index: CaseIndex) -> None:
    assert set(refs(index, q="partnerskab aarhus")) == {"gellerup-helhedsplan", "tvaers"}
    assert refs(index, q="partnerskab regnvand") == []


@pytest.mark.parametrize("word", ["partnerskab", "partnerskaber", "partnerskabet", "PARTNERSKAB"])
def test_stemming(index: CaseIndex, word: str) -> None:
    assert set(refs(index, q=word)) == PARTNERSKAB


def test_stop_words_are_ignored(index: CaseIndex) -> None:
    assert refs(index, q="i og partnerskab af") == refs(index, q="partnerskab")


def test_only_danish_stop_words(index: CaseIndex) -> None:
    """Whoosh's StopFilter(lang="da") would drop English ones too, "by" (town) among them."""
    assert refs(index, q="by") == []  # a word: it matches nothing here, not everything
    assert set(refs(index, q="byen")) == {"aaen"}


@pytest.mark.parametrize("q", ["og i af", "...", "  ", "*", "- + ?", "\x00\x07", "OR OR", "NOT"])
def test_no_searchable_words_is_no_q(index: CaseIndex, q: str) -> None:
    body = run(index, q=q)
    assert body["total"] == 16
    assert [r["ref"] for r in body["results"]] == NEWEST
    assert {r["score"] for r in body["results"]} == {None}


@pytest.mark.parametrize(
    ("one", "other"), [("Aarhus", "Århus"), ("aarhus", "ÅRHUS"), ("haandværkere", "håndværkere")]
)
def test_aa_is_å(index: CaseIndex, one: str, other: str) -> None:
    assert refs(index, q=one) == refs(index, q=other) != []


def test_aa_examples(index: CaseIndex) -> None:
    assert set(refs(index, q="Århus")) == {"gellerup-helhedsplan", "tvaers"}
    assert set(refs(index, q="haandværkere")) == {"odense-bymidte", "gellerup-helhedsplan"}


def test_phrase(index: CaseIndex) -> None:
    assert refs(index, q='"grønne områder"') == ["landsby-a"]
    assert refs(index, q='"områder grønne"') == []
    # Stop words inside a phrase are skipped, as in the indexed text.
    assert refs(index, q='"partnerskab og strategisk"') == ["tvaers"]


def test_or(index: CaseIndex) -> None:
    assert set(refs(index, q="lys OR regnvand")) == {"markup-test", "roskilde-klima"}


@pytest.mark.parametrize(
    "q",
    ["partnerskab NOT aarhus", "partnerskab -aarhus", "partnerskab -Århus", "-aarhus partnerskab"],
)
def test_not(index: CaseIndex, q: str) -> None:
    assert set(refs(index, q=q)) == PARTNERSKAB - {"gellerup-helhedsplan", "tvaers"}


def test_only_not(index: CaseIndex) -> None:
    expected = sorted(set(REFS) - PARTNERSKAB)
    assert refs(index, q="-partnerskab") == refs(index, q="NOT partnerskab") == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("title:partnerskab", {"gellerup-helhedsplan"}),
        ("titel:partnerskab", {"gellerup-helhedsplan"}),
        ("Title:partnerskab", {"gellerup-helhedsplan"}),
        ("results:partnerskab", {"gellerup-helhedsplan"}),
        ("description:partnerskab", PARTNERSKAB - {"aalborg-havnefront"}),
        ("summary:partnerskab", {"aalborg-havnefront"}),
        ("title:landsbyfornyelse description:huse", {"landsby-b"}),
    ],
)
def test_field_prefix(index: CaseIndex, q: str, expected: set[str]) -> None:
    assert set(refs(index, q=q)) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("bolig*", {"gellerup-helhedsplan"}),
        ("aarh*", {"gellerup-helhedsplan", "tvaers"}),
        ("landsby*", {"zebra", "aeble", "landsby-a", "landsby-b"}),
        ("partnersk*", PARTNERSKAB | {"kulturhus-soroe"}),  # its typo "partnerskeb" too
        ("title:landsby*", {"landsby-a", "landsby-b", "aeble"}),
    ],
)
def test_prefix(index: CaseIndex, q: str, expected: set[str]) -> None:
    assert set(refs(index, q=q)) == expected


def test_labels_are_searchable_in_danish_and_english(index: CaseIndex) -> None:
    assert refs(index, q="public-private partnership") == ["aalborg-havnefront"]
    assert set(refs(index, q="Region Syddanmark")) == {"odense-bymidte", "oster", "aabenraa-torv"}


NASTY = [
    '"partnerskab',
    'partnerskab"',
    "((partnerskab",
    "partnerskab)",
    "partnerskab:",
    ":partnerskab",
    "title:",
    "title:(",
    "foo:partnerskab",
    "ukendt:bar:",
    "- partnerskab",
    "-",
    "*",
    "**",
    "*bolig",
    "OR OR",
    "AND partnerskab OR",
    "NOT",
    "partnerskab NOT",
    "[a TO b]",
    "partnerskab^2",
    "'partnerskab'",
    '""',
    "~2",
    "x*y",
    "\\",
    "\x00\x1b[31m",
    "\u200bpartnerskab\ufeff",
    "😀 partnerskab",
    "partnerskab " * 200,
    "a" * 5000,
    "title:title:partnerskab",
    "(title:partnerskab OR) AND",
    "b*",
    "%s%n{}",
]


@pytest.mark.parametrize("q", NASTY)
def test_unparseable_queries_never_raise(index: CaseIndex, q: str) -> None:
    body = run(index, q=q)
    assert body["q"] == q
    assert len(body["results"]) == body["total"] <= 16


@pytest.mark.parametrize(
    "q",
    [
        '"partnerskab',
        "partnerskab)",
        "((partnerskab",
        "partnerskab:",
        "😀 partnerskab",
        "\u200bpartnerskab\ufeff",
        "partnerskab^2",
        "partnerskab NOT",
        "partnerskab OR",
    ],
)
def test_unparseable_queries_are_plain_words(index: CaseIndex, q: str) -> None:
    assert set(refs(index, q=q)) == PARTNERSKAB


def test_unknown_field_prefix_is_words(index: CaseIndex) -> None:
    assert refs(index, q="lys:regnvand") == []  # both words, AND
    assert set(refs(index, q="lys:regnvand", sort="title")) == set()
    assert set(refs(index, q="regnvand:ressource")) == {"roskilde-klima"}


def test_long_queries_are_cut() -> None:
    words = [f"ord{i}" for i in range(100)]
    assert clean_query(" ".join(words)).split() == words[:MAX_QUERY_WORDS]
    assert len(clean_query("x" * 10_000)) == 500
    assert parse_query(clean_query("og i")) is None


# --- filters and facets -------------------------------------------------------------------


def test_facets_without_filters(index: CaseIndex) -> None:
    facets = run(index)["facets"]
    assert list(facets) == [
        "collaboration_form",
        "actor",
        "theme",
        "region",
        "municipality",
        "status",
        "start_year",
    ]
    assert facets["region"] == [
        bucket("sjaelland", "Region Sjælland", 6),
        bucket("hovedstaden", "Region Hovedstaden", 3),
        bucket("midtjylland", "Region Midtjylland", 3),
        bucket("syddanmark", "Region Syddanmark", 3),
        bucket("nordjylland", "Region Nordjylland", 1),
    ]
    assert facets["status"] == [
        bucket("afsluttet", "Afsluttet", 10),
        bucket("igangvaerende", "Igangværende", 5),
        bucket("planlagt", "Planlagt", 1),
    ]
    assert facets["collaboration_form"] == [
        bucket("foreninger-og-frivillige", "Samarbejde med foreninger og frivillige", 5),
        bucket("projektpartnerskab", "Projektpartnerskab", 4),
        bucket("tvaerkommunalt", "Tværkommunalt samarbejde", 3),
        bucket("privat-investering", "Samarbejde om private investeringer", 2),
        bucket("strategisk-partnerskab", "Strategisk partnerskab", 2),
        bucket("borgerinddragelse", "Borgerinddragelse og samskabelse", 1),
        bucket("offentlig-privat-partnerskab", "Offentlig-privat partnerskab", 1),
        bucket("boligorganisation", "Partnerskab med boligorganisationer", 1),
        bucket("socialt-partnerskab", "Socialt partnerskab med virksomheder", 1),
    ]
    assert facets["start_year"] == [bucket(2019, "2019", 5), bucket(2016, "2016", 2)] + [
        bucket(y, str(y), 1) for y in (2005, 2008, 2010, 2011, 2012, 2014, 2015, 2018)
    ]
    # Danish label order among equal counts: Aa = Å sorts last.
    assert [b["value"] for b in facets["municipality"]] == ["København", "Lolland", "Aarhus"] + [
        "Guldborgsund",
        "Odense",
        "Roskilde",
        "Silkeborg",
        "Sorø",
        "Vejle",
        "Aabenraa",
        "Aalborg",
    ]


def test_disjunctive_counts_with_one_filter(index: CaseIndex) -> None:
    body = run(index, filters={"region": ("sjaelland",)})
    assert body["total"] == 6
    assert body["facets"] == {
        "collaboration_form": [
            bucket("foreninger-og-frivillige", "Samarbejde med foreninger og frivillige", 3),
            bucket("tvaerkommunalt", "Tværkommunalt samarbejde", 2),
            bucket("projektpartnerskab", "Projektpartnerskab", 1),
        ],
        "actor": [
            bucket("kommune", "Kommune", 3),
            bucket("borgere", "Borgere", 2),
            bucket("foreninger", "Foreninger", 2),
            bucket("grundejere", "Grundejere", 1),
        ],
        "theme": [
            bucket("landdistrikter", "Landsbyer og landdistrikter", 4),
            bucket("kultur-og-fritid", "Kultur og fritid", 2),
            bucket("omdannelse", "Nedrivning og omdannelse", 2),
            bucket("klima", "Klima og bæredygtighed", 1),
            bucket("mobilitet", "Trafik og mobilitet", 1),
        ],
        # The region facet ignores its own filter: every region keeps its count.
        "region": [
            bucket("sjaelland", "Region Sjælland", 6, True),
            bucket("hovedstaden", "Region Hovedstaden", 3),
            bucket("midtjylland", "Region Midtjylland", 3),
            bucket("syddanmark", "Region Syddanmark", 3),
            bucket("nordjylland", "Region Nordjylland", 1),
        ],
        "municipality": [
            bucket("Lolland", "Lolland", 3),
            bucket("Guldborgsund", "Guldborgsund", 1),
            bucket("Roskilde", "Roskilde", 1),
            bucket("Sorø", "Sorø", 1),
        ],
        "status": [
            bucket("igangvaerende", "Igangværende", 3),
            bucket("afsluttet", "Afsluttet", 2),
            bucket("planlagt", "Planlagt", 1),
        ],
        "start_year": [bucket(2019, "2019", 5)],
    }


def test_disjunctive_counts_with_two_filters(index: CaseIndex) -> None:
    body = run(index, filters={"region": ("sjaelland",), "status": ("igangvaerende",)})
    assert sorted(r["ref"] for r in body["results"]) == ["aeble", "kulturhus-soroe", "zebra"]
    # Regions counted over the ongoing cases; statuses over the cases in Sjælland.
    assert body["facets"]["region"] == [
        bucket("sjaelland", "Region Sjælland", 3, True),
        bucket("syddanmark", "Region Syddanmark", 1),
    ]
    assert body["facets"]["status"] == [
        bucket("igangvaerende", "Igangværende", 3, True),
        bucket("afsluttet", "Afsluttet", 2),
        bucket("planlagt", "Planlagt", 1),
    ]
    assert body["facets"]["start_year"] == [bucket(2019, "2019", 3)]


def test_selected_value_with_zero_count_is_listed(index: CaseIndex) -> None:
    body = run(index, filters={"municipality": ("Aarhus",), "status": ("planlagt",)})
    assert body["total"] == 0
    assert body["facets"]["municipality"] == [
        bucket("Roskilde", "Roskilde", 1),
        bucket("Aarhus", "Aarhus", 0, True),
    ]
    assert body["facets"]["status"] == [
        bucket("afsluttet", "Afsluttet", 2),
        bucket("planlagt", "Planlagt", 0, True),
    ]
    assert body["facets"]["theme"] == []


def test_facets_follow_q(index: CaseIndex) -> None:
    facets = run(index, q="aarhus")["facets"]
    assert facets["region"] == [
        bucket("midtjylland", "Region Midtjylland", 2),
        bucket("hovedstaden", "Region Hovedstaden", 1),
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (
            {"region": ("nordjylland", "syddanmark")},
            {"aalborg-havnefront", "odense-bymidte", "oster", "aabenraa-torv"},
        ),
        ({"region": ("midtjylland",)}, {"gellerup-helhedsplan", "aaen", "tvaers"}),
        (
            {"region": ("syddanmark",), "theme": ("bymidter",)},
            {"odense-bymidte", "oster", "aabenraa-torv"},
        ),
        (
            {
                "region": ("syddanmark",),
                "theme": ("bymidter",),
                "collaboration_form": ("privat-investering",),
            },
            {"oster"},
        ),
        ({"municipality": ("Aarhus",)}, {"gellerup-helhedsplan", "tvaers"}),
        ({"actor": ("fonde", "investorer")}, {"aaen", "national", "aalborg-havnefront"}),
        ({"status": ("planlagt",), "theme": ("klima",)}, {"roskilde-klima"}),
    ],
)
def test_filters_or_within_and_across(index: CaseIndex, filters: dict, expected: set) -> None:
    assert set(refs(index, filters=filters)) == expected


@pytest.mark.parametrize(
    ("year_from", "year_to", "expected"),
    [
        (2015, 2015, {"gellerup-helhedsplan", "sydhavnen", "oster"}),
        (
            2019,
            None,
            {
                "gellerup-helhedsplan",
                "zebra",
                "aeble",
                "aabenraa-torv",
                "landsby-a",
                "landsby-b",
                "kulturhus-soroe",
            },
        ),
        (None, 2005, {"national"}),
        (2006, 2007, set()),  # national has no end_year: its period is 2005 only
        (2013, 2012, {"aalborg-havnefront", "aaen", "sydhavnen"}),  # read as 2012-2013
    ],
)
def test_year_overlap(
    index: CaseIndex, year_from: int | None, year_to: int | None, expected: set[str]
) -> None:
    assert set(refs(index, year_from=year_from, year_to=year_to)) == expected


def test_year_facet_marks_a_single_year(index: CaseIndex) -> None:
    body = run(index, year_from=2015, year_to=2015)
    assert body["facets"]["start_year"] == [
        bucket(2010, "2010", 1),
        bucket(2014, "2014", 1),
        bucket(2015, "2015", 1, True),
    ]
    body = run(index, year_from=2017, year_to=2017)
    assert body["facets"]["start_year"] == [
        bucket(2014, "2014", 1),
        bucket(2015, "2015", 1),
        bucket(2016, "2016", 1),
        bucket(2017, "2017", 0, True),
    ]
    assert all(not b["selected"] for b in run(index, year_from=2015)["facets"]["start_year"])


def test_years_apply_to_every_facet(index: CaseIndex) -> None:
    body = run(index, year_from=2019, filters={"region": ("sjaelland",)})
    assert body["facets"]["region"][0] == bucket("sjaelland", "Region Sjælland", 5, True)
    assert body["facets"]["region"][1:] == [
        bucket("midtjylland", "Region Midtjylland", 1),
        bucket("syddanmark", "Region Syddanmark", 1),
    ]


# --- sorting and pages --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"), [(None, NEWEST), ("newest", NEWEST), ("oldest", OLDEST), ("title", TITLE)]
)
def test_sorts(index: CaseIndex, sort: str | None, expected: list[str]) -> None:
    assert refs(index, sort=sort) == expected


def test_relevance_is_default_with_q_and_ties_go_by_ref(index: CaseIndex) -> None:
    body = run(index, q="landsbyfornyelse")
    assert [(r["ref"], r["score"]) for r in body["results"]] == [
        ("landsby-a", body["results"][0]["score"]),
        ("landsby-b", body["results"][0]["score"]),
    ]
    scores = [r["score"] for r in run(index, q="partnerskab")["results"]]
    assert scores == sorted(scores, reverse=True)
    assert all(isinstance(s, float) and round(s, 3) == s for s in scores)


def test_sort_with_q(index: CaseIndex) -> None:
    assert refs(index, q="partnerskab", sort="oldest") == [r for r in OLDEST if r in PARTNERSKAB]
    assert refs(index, q="partnerskab", sort="title") == [r for r in TITLE if r in PARTNERSKAB]
    scores = {r["ref"]: r["score"] for r in run(index, q="partnerskab")["results"]}
    assert {
        r["ref"]: r["score"] for r in run(index, q="partnerskab", sort="title")["results"]
    } == scores


@pytest.mark.parametrize("sort", ["newest", "oldest", "title", "relevance"])
@pytest.mark.parametrize("q", ["", "partnerskab OR landsbyen OR byrum"])
def test_pages_never_repeat_or_drop(index: CaseIndex, sort: str, q: str) -> None:
    everything = refs(index, q=q, sort=sort)
    paged = []
    for page in range(1, 8):
        body = search(index, SearchParams(q=q, sort=sort, page=page, per_page=3))
        assert body["total"] == len(everything)
        paged += [r["ref"] for r in body["results"]]
    assert paged == everything
    assert len(set(paged)) == len(paged)


def test_page_beyond_the_last(index: CaseIndex) -> None:
    body = search(index, SearchParams(page=4, per_page=5))
    assert (body["total"], len(body["results"])) == (16, 1)
    body = search(index, SearchParams(page=99, per_page=5))
    assert (body["total"], body["results"], body["page"], body["per_page"]) == (16, [], 99, 5)


def test_matching_refs_ignores_pages(index: CaseIndex) -> None:
    params = SearchParams(page=3, per_page=2, sort="title")
    assert matching_refs(index, params) == TITLE
    assert matching_refs(index, SearchParams(q="aarhus", sort="oldest")) == [
        "tvaers",
        "gellerup-helhedsplan",
    ]


# --- results, snippets, suggestions -------------------------------------------------------


def test_response_shape(index: CaseIndex) -> None:
    body = search(index, SearchParams(q="Gellerup", per_page=1))
    assert list(body) == [
        "total",
        "page",
        "per_page",
        "q",
        "suggestion",
        "expanded",
        "results",
        "facets",
    ]
    assert (body["total"], body["page"], body["per_page"], body["q"]) == (1, 1, 1, "Gellerup")
    result = body["results"][0]
    assert list(result) == RESULT_KEYS
    assert {k: v for k, v in result.items() if k not in ("snippet", "score")} == {
        "ref": "gellerup-helhedsplan",
        "title": "Strategisk partnerskab om Gellerup",
        "summary": "Helhedsplan for Gellerupparken i Århus.",
        "municipalities": ["Aarhus"],
        "regions": ["midtjylland"],
        "start_year": 2014,
        "end_year": 2020,
        "status": "afsluttet",
        "collaboration_forms": ["strategisk-partnerskab", "boligorganisation"],
        "actors": ["kommune", "boligorganisationer"],
        "themes": ["boligsocial", "omdannelse"],
        "found_in_documents": [],
        "document_snippet": None,
    }
    assert result["snippet"] == (
        "Aarhus Kommune og boligorganisationerne indgik et strategisk "
        "partnerskab om omdannelse af <mark>Gellerup</mark>. "
        "Haandværkere fra området blev ansat."
    )
    assert search(index, SearchParams())["q"] is None


def test_snippet_escapes_the_data_and_marks_matches(index: CaseIndex) -> None:
    (result,) = run(index, q="lys")["results"]
    assert result["snippet"] == (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; <mark>Lys</mark> i byrummet."
    )
    assert result["title"] == "Byrum & <b>lys</b>"  # data as stored; shown escaped by the web
    no_q = next(r for r in run(index)["results"] if r["ref"] == "markup-test")
    assert no_q["snippet"] == "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Lys i byrummet."
    assert [r["snippet"] for r in run(index, q="script")["results"]] == [
        "&lt;<mark>script</mark>&gt;alert(&#x27;x&#x27;)&lt;/<mark>script</mark>&gt; Lys i "
        "byrummet."
    ]


def test_snippet_marks_stemmed_forms(index: CaseIndex) -> None:
    snippets = {r["ref"]: r["snippet"] for r in run(index, q="partnerskab")["results"]}
    assert snippets["sydhavnen"] == (
        "Kvarterløft med borgerinddragelse og "
        "<mark>partnerskaber</mark> med lokale foreninger i "
        "København."
    )
    assert "<mark>Partnerskabet</mark> skabte" in snippets["markup-test"]
    snippets = {r["ref"]: r["snippet"] for r in run(index, q="aarhus haandværkere")["results"]}
    assert snippets["gellerup-helhedsplan"] == (
        "<mark>Aarhus</mark> Kommune og boligorganisationerne indgik et strategisk partnerskab "
        "om omdannelse af Gellerup. <mark>Haandværkere</mark> fra området blev ansat."
    )


def test_snippet_does_not_mark_excluded_words(index: CaseIndex) -> None:
    for result in run(index, q="partnerskab -aarhus -lys")["results"]:
        assert "<mark>" in result["snippet"]
        assert "<mark>Lys" not in result["snippet"] and "<mark>lys" not in result["snippet"]


@pytest.mark.parametrize(
    ("q", "suggestion"),
    [
        ("partnersakb", "partnerskab"),
        ("Partnersakb", "Partnerskab"),
        ("partnerskeb", "partnerskab"),  # in one case only: rare, and the correction finds more
        ("partnersakb aarhus", "partnerskab aarhus"),
        ("title:gellerp", "title:gellerup"),
        ("partnerskab", None),
        ("partnerskab aarhus", None),
        ("xyzzyqqq", None),
        ("gellerup", None),
        ("og", None),
    ],
)
def test_suggestion(index: CaseIndex, q: str, suggestion: str | None) -> None:
    assert run(index, q=q)["suggestion"] == suggestion


@pytest.mark.parametrize(
    ("q", "suggestion"),
    [
        # Typos near the end of a word change what the stemmer cuts off, so the stem typed is
        # three edits from the indexed one: the correction is found from the whole word.
        ("borgerinddragelsse", "borgerinddragelse"),
        ("borgerinddragelze", "borgerinddragelse"),
        ("Borgerinddragelsse", "Borgerinddragelse"),
        ("områdefornyelsse", "områdefornyelse"),
        ("omraadefornyelsse", "områdefornyelse"),
        ("byfornyelsse", "byfornyelse"),
        ("byfornyelze", "byfornyelse"),
        ("klimatilpasnig", "klimatilpasning"),
        ("byfornyelsse netværk", "byfornyelse netværk"),
        ("borgerindragelse", "borgerinddragelse"),  # a typo inside the stem, as before
        # Correctly spelt words (and longer words of the same stem) are left alone.
        ("borgerinddragelse", None),
        ("byfornyelse", None),
        ("byfornyelsen", None),
        ("klimatilpasning", None),
        ("byfornyelsesprojekterne", None),
        ("klimatilpasningsplanlægning", None),
    ],
)
def test_suggestion_for_typo_near_the_end(index: CaseIndex, q: str, suggestion: str | None) -> None:
    assert run(index, q=q)["suggestion"] == suggestion


def test_similar(index: CaseIndex) -> None:
    results = similar(index, "landsby-a", limit=3)
    assert [r["ref"] for r in results][0] == "landsby-b"
    assert len(results) == 3
    assert all(list(r) == RESULT_KEYS and r["ref"] != "landsby-a" for r in results)
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)
    everything = similar(index, "gellerup-helhedsplan", limit=100)
    assert "gellerup-helhedsplan" not in {r["ref"] for r in everything}
    assert similar(index, "aeble", limit=0) == []


def test_similar_unknown_ref(index: CaseIndex) -> None:
    with pytest.raises(NotFound):
        similar(index, "no-such-case")


def test_scores_equal_whooshs_own(index: CaseIndex) -> None:
    """The numpy evaluator scores terms as Whoosh's matchers do (same BM25F)."""
    for q in [
        "partnerskab",
        "strategisk partnerskab",
        "lys OR regnvand",
        "aarh*",
        "title:partnerskab byrum",
        '"grønne områder"',
        "by",
    ]:
        ours = {r["ref"]: r["score"] for r in run(index, q=q)["results"]}
        with index.snapshot() as snap:
            assert snap is not None
            hits = snap.searcher.search(parse_query(clean_query(q), widen=False), limit=None)
            whoosh = {hit["ref"]: round(hit.score, 3) for hit in hits}
        assert ours == whoosh, q


@pytest.mark.parametrize(
    "phrase",
    [
        '"strategisk partnerskab"',
        '"lokale foreninger"',
        '"nye byrum"',
        '"i landsbyen"',
        '"grønne områder"',
        '"partnerskab og strategisk"',
        '"aarhus kommune"',
        '"et strategisk partnerskab om"',  # three words: pairs, then positions
        '"partnerskaber med lokale foreninger"',
        '"strategisk partnerskab om Gellerup"',
        '"housing associations"',  # words of a label: common, so a pair (engine/corpus.py)
    ],
)
def test_phrases_match_as_whoosh_does(index: CaseIndex, phrase: str) -> None:
    ours = set(refs(index, q=phrase))
    with index.snapshot() as snap:
        assert snap is not None
        hits = snap.searcher.search(parse_query(clean_query(phrase)), limit=None)
        assert ours == {hit["ref"] for hit in hits} != set()


def test_phrases_of_common_words_are_looked_up_as_pairs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every word common (engine/corpus.py): each phrase is answered from the pairs field, as
    Whoosh answers it from positions, also for a case added after the rebuild."""
    monkeypatch.setattr(corpus, "COMMON_MIN_CASES", 1)
    monkeypatch.setattr(corpus, "COMMON_SHARE", 0.0)
    paired = CaseIndex(tmp_path / "paired")
    texts = [[c["title"], c.get("summary"), c["description"], c.get("results")] for c in CASES]
    paired.rebuild(iter(CASES), seq=1, texts=iter(texts))
    assert {"strategisk", "partnerskab"} <= paired.common()
    extra = {**CASES[0], "ref": "added-later", "title": "Nyt strategisk partnerskab i Thy"}
    paired.update([extra], [], seq=2)
    common = paired.common()
    for phrase in ('"strategisk partnerskab"', '"et strategisk partnerskab om"', '"nye byrum"'):
        ours = set(refs(paired, q=phrase))
        with paired.snapshot() as snap:
            assert snap is not None and snap.common == common  # kept by the update
            hits = snap.searcher.search(parse_query(clean_query(phrase)), limit=None)
            assert ours == {hit["ref"] for hit in hits} != set(), phrase
            terms = set(snap.searcher.reader().field_terms(PAIRS_FIELD))
        number = common_numbers(common)["partnerskab"]
        assert pair_term("title", "strategisk", number) in terms
    assert "added-later" in refs(paired, q='"strategisk partnerskab"')
    paired.close()


def test_a_pairs_term_tells_the_second_words_of_its_bucket_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forty cases, each "alfa" and another word, then all the others: more second words than
    buckets, so words share a term (schema.WordPairs), and each phrase still finds its own
    case only."""
    monkeypatch.setattr(corpus, "COMMON_MIN_CASES", 1)
    monkeypatch.setattr(corpus, "COMMON_SHARE", 0.0)
    words = [f"zq{a}{b}" for a in "bcdfg" for b in "hjklmnpr"]
    every = " ".join(words)
    cases = [
        case(f"pair-{w}", f"Alfa {w} {every}", ".", [], [], (None, None), "", [], [], [])
        for w in words
    ]
    paired = CaseIndex(tmp_path / "buckets")
    paired.rebuild(iter(cases), seq=1, texts=iter([[c["title"]] for c in cases]))
    numbers = common_numbers(paired.common())
    buckets = {numbers[word] % PAIR_BUCKETS for word in words}
    assert len(buckets) < len(words)
    for word in words:
        assert refs(paired, q=f'"alfa {word}"') == [f"pair-{word}"]
        assert refs(paired, q=f'"{word} alfa"') == []
    paired.close()


def test_the_words_of_the_labels_are_common_and_their_phrases_pairs(index: CaseIndex) -> None:
    """The labels field repeats the vocabularies' labels in case after case: their words are
    common in every generation, so a phrase of them is a pair term, not two long lists."""
    assert {"housing", "association", "boligorganisation"} <= corpus.label_terms()
    with index.snapshot() as snap:
        assert snap is not None and corpus.label_terms() <= snap.common
        terms = set(snap.searcher.reader().field_terms(PAIRS_FIELD))
        number = common_numbers(snap.common)["association"]
    assert pair_term("labels", "housing", number) in terms
    found = set(refs(index, q='"housing associations"'))
    assert found and found == {c["ref"] for c in CASES if "boligorganisationer" in c["actors"]}


def test_repeated_searches_use_the_cached_match_set(index: CaseIndex) -> None:
    first = run(index, q="partnerskab", filters={"region": ("midtjylland",)})
    again = run(index, q="partnerskab", filters={"region": ("midtjylland",)})
    other = run(index, q="partnerskab")
    assert first == again
    assert first["total"] == 2 and other["total"] == 6
    index.clear_caches()
    assert run(index, q="partnerskab") == other


# --- parameters ---------------------------------------------------------------------------


def test_from_args() -> None:
    params = Casebase.parse_search(
        {
            "q": ["partnerskab", "ignored"],
            "theme": ["klima", "byrum", "klima"],
            "region": ["Region Sjælland"],
            "municipality": ["Århus"],
            "year_from": ["2010"],
            "year_to": [" 2020 "],
            "sort": ["title"],
            "page": ["2"],
            "per_page": ["50"],
            "status": [""],
            "actor": [],
        }
    )
    assert params == SearchParams(
        q="partnerskab",
        filters={
            "theme": ("klima", "byrum"),
            "region": ("sjaelland",),
            "municipality": ("Aarhus",),
        },
        year_from=2010,
        year_to=2020,
        sort="title",
        page=2,
        per_page=50,
    )
    assert Casebase.parse_search({}) == SearchParams()
    assert Casebase.parse_search({"q": [""], "page": [""], "sort": [""]}) == SearchParams()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            {"foo": ["1"]},
            "Unknown parameter 'foo'. Allowed parameters: q, exact, collaboration_form, actor, "
            "theme, region, municipality, status, year_from, year_to, sort, page, per_page.",
        ),
        ({"theme": ["klimaa"]}, "Unknown theme 'klimaa'; did you mean 'klima'?"),
        ({"collaboration_form": ["partnerskab-xyz-123"]}, "Unknown collaboration form"),
        ({"page": ["0"]}, "page must be a whole number from 1 up."),
        ({"page": ["two"]}, "page must be a whole number from 1 up."),
        ({"per_page": ["0"]}, "per_page must be a whole number from 1 to 100."),
        ({"per_page": ["101"]}, "per_page must be a whole number from 1 to 100."),
        ({"per_page": ["1e2"]}, "per_page must be a whole number from 1 to 100"),
        ({"year_from": ["2015.5"]}, "year_from must be a whole number (a year such as 2015)"),
        ({"year_to": ["soon"]}, "year_to must be a whole number"),
        (
            {"sort": ["best"]},
            "Unknown sort 'best'. Allowed sorts: relevance, newest, oldest, title.",
        ),
    ],
)
def test_from_args_rejects(args: dict[str, list[str]], message: str) -> None:
    with pytest.raises(InvalidSearch) as raised:
        Casebase.parse_search(args)
    assert raised.value.message.startswith(message)


def test_search_without_an_index(tmp_path: Path) -> None:
    body = search(
        CaseIndex(tmp_path / "none"), SearchParams(q="x", filters={"status": ("planlagt",)})
    )
    assert body["total"] == 0 and body["results"] == []
    assert body["facets"]["status"] == [bucket("planlagt", "Planlagt", 0, True)]
    assert matching_refs(CaseIndex(tmp_path / "none"), SearchParams()) == []
