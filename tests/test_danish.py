"""Danish depth (docs/contract.md section 9): compounds, the thesaurus, typos in any letter.

Every rule through the service on SQLite and PostgreSQL, the API where it says so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

from casebase.engine import SearchParams
from casebase.errors import ValidationFailed
from casebase.services import Casebase


def case(ref: str, text: str, **fields: Any) -> dict[str, Any]:
    """A case whose description is `text`; everything else the same for every case."""
    return {
        "ref": ref,
        "title": fields.pop("title", "Et forsøg"),
        "description": text,
        "municipalities": ["Vejle"],
        "collaboration_forms": ["borgerinddragelse"],
        "themes": ["byrum"],
        **fields,
    }


CASES = [
    case("cykel", "Kommunen anlagde nye cykelstier gennem byen."),
    case("omraade", "Områdefornyelsen gav torvet nyt liv."),
    case("aftale", "En partnerskabsaftale blev underskrevet af parterne."),
    case("loven", "Midlerne kom efter byfornyelsesloven til bygningerne."),
    case("oe", "Et øsamfund arbejdede med færgen."),
    case("transport", "Bedre transport til skolen."),
    case("institution", "En institution flyttede ind i stationen."),
    case("opp", "Et offentlig-privat partnerskab byggede hallen."),
    case("opp-kort", "Et OPP byggede hallen."),
    case("helhed", "Helhedsplanen blev vedtaget af byrådet."),
]


@pytest.fixture
def danish(service: Casebase) -> Casebase:
    for record in CASES:
        service.create_case(record, user=None)
    return service


def refs(service: Casebase, q: str, **params: Any) -> list[str]:
    return [hit.ref for hit in service.search(SearchParams(q=q, per_page=100, **params)).results]


# --- compounds ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "ref"),
    [
        ("cykel", "cykel"),
        ("sti", "cykel"),
        ("fornyelse", "omraade"),
        ("område", "omraade"),
        ("partnerskab", "aftale"),
        ("aftale", "aftale"),
        ("byfornyelse", "loven"),
        ("fornyelse", "loven"),
        ("lov", "loven"),
        ("by", "loven"),  # a short part that is a word of its own
        ("ø", "oe"),
        ("samfund", "oe"),
        ("plan", "helhed"),
    ],
)
def test_a_compound_is_found_by_each_of_its_parts(danish: Casebase, word: str, ref: str) -> None:
    assert ref in refs(danish, word)


@pytest.mark.parametrize(("word", "ref"), [("sport", "transport"), ("ion", "institution")])
def test_false_friends_are_not_split(danish: Casebase, word: str, ref: str) -> None:
    assert ref not in refs(danish, word)


def test_the_corpus_own_words_are_parts_after_a_rebuild(service: Casebase) -> None:
    """A name the lexicon lacks, written in at least three cases, is a part of compounds."""
    for i in range(3):
        service.create_case(case(f"gellerup-{i}", f"Beboerne i Gellerup mødtes ({i})."), user=None)
    service.create_case(case("planen", "Gellerupplanen fik nye bænke."), user=None)
    service.reindex()
    assert "planen" in refs(service, "gellerup")
    found = service.search(SearchParams(q="gellerup", per_page=10))
    assert found.results[-1].ref == "planen"  # the name itself ranks first
    assert "<mark>Gellerupplanen</mark>" in found.results[-1].snippet


def test_a_query_word_is_matched_as_typed(danish: Casebase) -> None:
    assert refs(danish, "cykelsti") == ["cykel"]
    assert refs(danish, "partnerskabsaftalen") == ["aftale"]


def test_the_word_itself_ranks_above_a_compound_holding_it(service: Casebase) -> None:
    service.create_case(case("a-compound", "Vi arbejdede med byfornyelse i kvarteret."), None)
    service.create_case(case("b-word", "Vi arbejdede med fornyelse i kvarteret."), None)
    assert refs(service, "fornyelse") == ["b-word", "a-compound"]


def test_the_snippet_marks_the_whole_compound(danish: Casebase) -> None:
    found = danish.search(SearchParams(q="fornyelse"))
    snippets = {hit.ref: hit.snippet for hit in found.results}
    assert "<mark>byfornyelsesloven</mark>" in snippets["loven"]
    assert "<mark>Områdefornyelsen</mark>" in snippets["omraade"]


def test_exact_turns_compounds_off(danish: Casebase) -> None:
    assert "cykel" in refs(danish, "sti")
    assert refs(danish, "sti", exact=True) == []


def test_the_answer_says_which_compounds_were_searched(danish: Casebase) -> None:
    found = danish.search(SearchParams(q="fornyelse"))
    assert [(e.term, sorted(e.with_)) for e in found.expanded] == [
        ("fornyelse", ["byfornyelsesloven", "områdefornyelsen"])
    ]
    assert danish.search(SearchParams(q="fornyelse", exact=True)).expanded == []


# --- the thesaurus ------------------------------------------------------------------------


def test_an_abbreviation_finds_its_spelled_out_form_and_the_typed_term_ranks_first(
    danish: Casebase,
) -> None:
    found = danish.search(SearchParams(q="OPP"))
    assert [hit.ref for hit in found.results] == ["opp-kort", "opp"]
    expansion = next(e for e in found.expanded if e.term == "OPP")
    assert "offentlig-privat partnerskab" in expansion.with_


def test_a_term_of_several_words_finds_its_abbreviation(danish: Casebase) -> None:
    found = refs(danish, "offentlig-privat partnerskab")
    assert found[0] == "opp" and "opp-kort" in found


def test_exact_turns_the_thesaurus_off(danish: Casebase) -> None:
    assert refs(danish, "OPP", exact=True) == ["opp-kort"]


def test_the_shipped_thesaurus_has_at_least_40_groups_each_with_a_source(
    service: Casebase,
) -> None:
    groups = service.thesaurus()["groups"]
    assert len(groups) >= 40
    assert all(group["source"]["title"] for group in groups)


def test_a_change_takes_effect_for_the_next_search_in_every_process(
    danish: Casebase, env: dict[str, str]
) -> None:
    other = Casebase(env["CASEBASE_DATABASE_URL"], env["CASEBASE_INDEX_DIR"])
    try:
        assert refs(other, "cykelfremme") == []
        document = danish.thesaurus()
        document["groups"].append(
            {"terms": ["cykelfremme", "cykelstier"], "source": {"title": "Test"}}
        )
        danish.replace_thesaurus(document, user="test")
        assert refs(other, "cykelfremme") == ["cykel"]  # no reindex
    finally:
        other.close()


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"groups": []}, "groups"),
        ({"groups": [{"terms": ["alene"], "source": {"title": "x"}}]}, "groups"),
        ({"groups": [{"terms": ["a", "b"]}]}, "groups"),
        (
            {
                "groups": [
                    {"terms": ["OPP", "ppp"], "source": {"title": "x"}},
                    {"terms": ["opp", "anden"], "source": {"title": "x"}},
                ]
            },
            "groups",
        ),
        ({"cases": []}, "cases"),
        ([1, 2], "_schema"),
    ],
)
def test_a_bad_thesaurus_is_refused_and_nothing_changes(
    service: Casebase, document: Any, field: str
) -> None:
    before = service.thesaurus()
    with pytest.raises(ValidationFailed) as refused:
        service.replace_thesaurus(document, user=None)
    assert field in refused.value.errors
    assert service.thesaurus() == before


def test_thesaurus_export_and_import_through_the_command_line(
    danish: Casebase, env: dict[str, str], tmp_path: Path
) -> None:
    exported = run_cli(["thesaurus", "export"], env)
    assert exported.returncode == 0, exported.stderr
    document = json.loads(exported.stdout)
    assert "version" not in document and len(document["groups"]) >= 40
    document["groups"] = document["groups"][:2] + [
        {"terms": ["cykelfremme", "cykelstier"], "source": {"title": "Test"}}
    ]
    path = tmp_path / "thesaurus.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    imported = run_cli(["thesaurus", "import", str(path)], env)
    assert imported.returncode == 0, imported.stderr
    assert refs(danish, "cykelfremme") == ["cykel"]
    assert len(danish.thesaurus()["groups"]) == 3
    path.write_text('{"groups": [{"terms": ["x"]}]}', encoding="utf-8")
    refused = run_cli(["thesaurus", "import", str(path)], env)
    assert refused.returncode == 1
    assert "groups" in refused.stderr and "Traceback" not in refused.stderr
    assert len(danish.thesaurus()["groups"]) == 3
    path.write_text("{not json", encoding="utf-8")
    unreadable = run_cli(["thesaurus", "import", str(path)], env)
    assert unreadable.returncode == 2 and len(unreadable.stderr.strip().splitlines()) == 1


def test_the_thesaurus_over_the_api(danish: Casebase, client: Any) -> None:
    answer = client.get("/api/thesaurus")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["version"] >= 1 and body["groups"] == danish.thesaurus()["groups"]
    assert client.post("/api/thesaurus", json={}).status_code == 405
    search = client.get("/api/cases?q=OPP").get_json()
    assert search["expanded"][0]["term"] == "OPP"
    assert "offentlig-privat partnerskab" in search["expanded"][0]["with"]
    exact = client.get("/api/cases?q=OPP&exact=true").get_json()
    assert exact["expanded"] == [] and [r["ref"] for r in exact["results"]] == ["opp-kort"]


def test_the_command_line_says_what_else_it_searched_for(danish: Casebase, env: dict) -> None:
    widened = run_cli(["search", "OPP"], env)
    assert widened.returncode == 0, widened.stderr
    assert "also searched for: OPP -> " in widened.stdout and "offentlig-privat" in widened.stdout
    assert widened.stdout.startswith("2 cases")
    exact = run_cli(["search", "OPP", "--exact"], env)
    assert exact.stdout.startswith("1 cases") and "also searched for" not in exact.stdout
    exported = run_cli(["export", "-q", "OPP", "--exact", "--format", "jsonl"], env)
    assert [json.loads(line)["ref"] for line in exported.stdout.splitlines()] == ["opp-kort"]


def test_the_search_page_says_what_else_it_searched_for(danish: Casebase, client: Any) -> None:
    html = client.get("/?q=OPP").get_data(as_text=True)
    assert "Søgte også efter:" in html and "offentlig-privat partnerskab" in html
    assert "exact=true" in html
    exact = client.get("/?q=OPP&exact=true").get_data(as_text=True)
    assert "Søgte også efter:" not in exact and 'name="exact" value="true"' in exact


# --- typos --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("vykelstier", "cykelstier"), ("jelhedsplanen", "helhedsplanen"), ("cykelsteir", None)],
)
def test_a_typo_in_any_letter_is_corrected(danish: Casebase, typed: str, meant: str) -> None:
    found = danish.search(SearchParams(q=typed))
    assert found.total == 0
    if meant:
        assert found.suggestion == meant


def test_a_word_the_cases_hold_is_not_taken_for_a_first_letter_typo(
    danish: Casebase,
) -> None:
    """Only a word in no case at all may have a wrong first letter (docs/decisions.md)."""
    for number in range(4):
        danish.create_case(case(f"sti-{number}", "Flere cykelstier i byen."), user=None)
    danish.create_case(case("vykel", "Vykelstier er et stednavn."), user=None)
    assert danish.search(SearchParams(q="vykelstier")).suggestion is None
    assert danish.search(SearchParams(q="wykelstier")).suggestion == "cykelstier"


def test_analyse_shows_the_split_and_the_stems(env: dict[str, str]) -> None:
    shown = run_cli(["analyse", "byfornyelsesloven", "transport"], env)
    assert shown.returncode == 0, shown.stderr
    assert "parts: by + fornyelse(s) + loven" in shown.stdout
    assert "fornyelse -> forny" in shown.stdout
    assert "transport: stem transport\n  parts: (not split)" in shown.stdout
