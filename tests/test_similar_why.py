"""Similar cases say why (docs/contract.md section 10), over the seed data on SQLite and
PostgreSQL. What two cases share is worked out here from their records, and each word's
stem from a Danish Snowball stemmer applied to the texts directly."""

from __future__ import annotations

import re

import pytest
from whoosh.lang import stemmer_for_language

WHY_KEYS = ["collaboration_forms", "themes", "municipalities", "words"]
BONUS = {"collaboration_forms": 0.3, "themes": 0.15, "municipalities": 0.1}
TEXTS = ("title", "summary", "description", "results")
REFS = ["helhedsplan-gellerup", "ni-landsbyer-gjoel", "klimakvarter-skt-kjelds"]

stem = stemmer_for_language("da")
# A word as Danish text analysis reads it: letters and digits, with inner dots (100.000).
WORD = r"\w+(?:\.\w+)*"


def stems(record: dict) -> set[str]:
    text = " ".join(str(record.get(name) or "") for name in TEXTS).lower()
    return {stem(word.replace("aa", "å")) for word in re.findall(WORD, text)}


@pytest.fixture
def refs(seeded, client) -> list[str]:
    """A few seed cases: two named ones (when the seed has them) and the first by title."""
    first = client.get("/api/cases?sort=title&per_page=3").get_json()["results"]
    found = [ref for ref in REFS if client.get(f"/api/cases/{ref}").status_code == 200]
    return found + [hit["ref"] for hit in first]


def test_each_similar_case_says_what_it_shares(client, refs):
    checked_words = 0
    for ref in refs:
        case = client.get(f"/api/cases/{ref}").get_json()
        results = client.get(f"/api/cases/{ref}/similar?limit=10").get_json()["results"]
        assert results, ref
        for hit in results:
            why = hit["why"]
            assert list(why) == WHY_KEYS
            other = client.get(f"/api/cases/{hit['ref']}").get_json()
            for field in BONUS:
                expected = [key for key in case[field] if key in other[field]]
                assert why[field] == expected, (ref, hit["ref"], field)
            bonus = sum(weight * len(why[field]) for field, weight in BONUS.items())
            if why["words"]:
                assert hit["score"] > round(bonus, 3) - 0.001
                shared = stems(case) & stems(other)
                for word in why["words"]:
                    assert stem(word.lower().replace("aa", "å")) in shared, (ref, word)
                    assert re.fullmatch(WORD, word), word
                checked_words += len(why["words"])
            else:
                assert hit["score"] == pytest.approx(bonus, abs=0.001)
            assert len(set(map(str.lower, why["words"]))) == len(why["words"])
    assert checked_words > 0


def test_words_are_written_as_in_the_text_not_as_stems(client, refs):
    ref = refs[0]
    case = client.get(f"/api/cases/{ref}").get_json()
    text = " ".join(str(case.get(name) or "") for name in TEXTS)
    written = set(re.findall(WORD, text))
    results = client.get(f"/api/cases/{ref}/similar?limit=10").get_json()["results"]
    words = [word for hit in results for word in hit["why"]["words"]]
    assert words
    assert all(word in written for word in words)


def test_the_api_describes_why(client):
    spec = client.get("/api/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    why = schemas["Why"]
    assert sorted(why["required"]) == sorted(WHY_KEYS)
    similar = spec["paths"]["/api/cases/{ref}/similar"]["get"]["responses"]["200"]
    body = similar["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    hit = schemas[body]["properties"]["results"]["items"]["$ref"].rsplit("/", 1)[1]
    assert "why" in schemas[hit]["required"]
