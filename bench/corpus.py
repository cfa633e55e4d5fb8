"""A synthetic Danish-like corpus for the benchmarks, and queries over it in frequency bands.

The words are wordfreq's Danish list (about 29,000 words, compounds and inflections
included) with the field's own words mixed in near the top, drawn with Zipf's law
(the word of rank r with weight 1/(r + 2.7)): a few words in most cases, a long tail of words
in a handful. Each case is a few sentences of such words, with vocabulary values, years, a
budget and sometimes coordinates, valid for the record schema, so the same cases can be
imported through `casebase import` (JSON Lines) or indexed directly. Everything is seeded: the
same N gives the same cases and the same queries.

Queries come in kinds (`QUERY_KINDS`), each asked once: no text with one or two filters, a
rare word (in at most 0.1 % of cases), a common word (in 10-50 % of cases), two words, a
phrase of two common words, and a prefix (`word*`); the text queries get zero to two
filters. The bands are measured on a sample of the corpus, not assumed.
"""

from __future__ import annotations

import bisect
import itertools
import json
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from casebase import vocabularies
from casebase.engine.analysis import STOP_WORDS

DOMAIN_WORDS = """
byfornyelse områdefornyelse partnerskab partnerskaber partnerskabet boligorganisation
boligorganisationer borgerinddragelse samskabelse kommunen borgere beboere foreninger
frivillige virksomheder investorer fonde grundejere helhedsplan kvarterløft byrum friarealer
landsby landsbyer landdistrikter bymidte bymidten klimatilpasning regnvand bæredygtighed
kulturarv bevaring bygningsfornyelse nedrivning omdannelse tryghed trivsel beskæftigelse
mobilitet cykelstier stationsbyer havnefront torvet forsøgsprojekt samarbejdet strategi
investering realdania landsbyggefonden lokalplan kvarteret almene aktører indsatsen
mødested kulturhus forsamlingshus værksteder projektpartnerskab lokalsamfund
""".split()
ZIPF_OFFSET = 2.7
DOMAIN_FROM_RANK = 60  # the field's words are spread over ranks 60-600
SAMPLE_CASES = 3000  # cases counted to find each word's band
RARE_SHARE = 0.001
COMMON_SHARES = (0.10, 0.50)
QUERY_KINDS = ("no text", "rare word", "common word", "two words", "phrase", "prefix")


def _vocabulary(rng: random.Random) -> list[str]:
    from wordfreq import top_n_list

    words = [w for w in top_n_list("da", 50_000, wordlist="small") if w.isalpha()]
    for word in DOMAIN_WORDS:
        if word not in words:
            words.insert(rng.randint(DOMAIN_FROM_RANK, 10 * DOMAIN_FROM_RANK), word)
    return words


class Corpus:
    """Seeded generator of case records (`record(i)` is the same for the same seed and i)."""

    def __init__(self, seed: int = 7) -> None:
        self.seed = seed
        self.words = _vocabulary(random.Random(seed))
        weights = [1.0 / (rank + ZIPF_OFFSET) for rank in range(len(self.words))]
        self.cumulative = list(itertools.accumulate(weights))
        self.municipalities = [t.key for t in vocabularies.MUNICIPALITIES]
        self.keys = {
            field: [t.key for t in vocabularies.VOCABULARIES[field]]
            for field in ("collaboration_form", "actor", "theme", "status")
        }
        self.centres = {t.key: (t.lat, t.lon) for t in vocabularies.MUNICIPALITIES}

    def _sentence(self, rng: random.Random, low: int, high: int) -> str:
        count = rng.randint(low, high)
        total = self.cumulative[-1]
        chosen = [
            self.words[bisect.bisect_left(self.cumulative, rng.random() * total)]
            for _ in range(count)
        ]
        return " ".join(chosen).capitalize() + "."

    def _text(self, rng: random.Random, sentences: tuple[int, int]) -> str:
        return " ".join(self._sentence(rng, 6, 18) for _ in range(rng.randint(*sentences)))

    def record(self, i: int) -> dict:
        rng = random.Random(self.seed * 1_000_003 + i)
        municipalities = rng.sample(self.municipalities, rng.choice((1, 1, 1, 2)))
        start = None if rng.random() < 0.1 else rng.randint(1985, 2025)
        end = None if start is None or rng.random() < 0.3 else start + rng.randint(0, 6)
        record = {
            "ref": f"case-{i:06d}",
            "title": self._sentence(rng, 4, 9).rstrip("."),
            "summary": self._text(rng, (1, 3)) if rng.random() < 0.8 else None,
            "description": self._text(rng, (6, 20)),
            "results": self._text(rng, (1, 4)) if rng.random() < 0.6 else None,
            "municipalities": municipalities,
            "start_year": start,
            "end_year": end,
            "status": rng.choice(self.keys["status"]),
            "collaboration_forms": rng.sample(self.keys["collaboration_form"], rng.randint(1, 2)),
            "actors": rng.sample(self.keys["actor"], rng.randint(1, 3)),
            "themes": rng.sample(self.keys["theme"], rng.randint(1, 3)),
            "budget_dkk": rng.randint(100_000, 50_000_000) if rng.random() < 0.7 else None,
        }
        if rng.random() < 0.3:
            lat, lon = self.centres[municipalities[0]]
            record["latitude"] = round(lat + rng.uniform(-0.05, 0.05), 5)
            record["longitude"] = round(lon + rng.uniform(-0.05, 0.05), 5)
        return {name: value for name, value in record.items() if value is not None}

    def records(self, n: int, first: int = 0) -> Iterator[dict]:
        for i in range(first, first + n):
            yield self.record(i)

    def write_jsonl(self, path: Path, n: int) -> None:
        with path.open("w", encoding="utf-8") as out:
            for record in self.records(n):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")

    # --- queries ------------------------------------------------------------------------

    def bands(self) -> dict[str, list[str]]:
        """Searchable words by the share of cases holding them, counted on a sample."""
        counts: Counter[str] = Counter()
        for record in self.records(SAMPLE_CASES):
            text = " ".join(
                str(record.get(f) or "") for f in ("title", "summary", "description", "results")
            )
            counts.update({w.strip(".").lower() for w in text.split()})
        searchable = [w for w in counts if len(w) >= 3 and w not in STOP_WORDS and w.isalpha()]
        low, high = COMMON_SHARES
        return {
            "rare": sorted(w for w in searchable if counts[w] <= RARE_SHARE * SAMPLE_CASES),
            "medium": sorted(
                w for w in searchable if RARE_SHARE * SAMPLE_CASES < counts[w] < low * SAMPLE_CASES
            ),
            "common": sorted(
                w for w in searchable if low * SAMPLE_CASES <= counts[w] <= high * SAMPLE_CASES
            ),
        }

    def queries(self, per_kind: int, seed: int = 11) -> list[tuple[str, dict[str, list[str]]]]:
        """(kind, query parameters) for each kind, per_kind of each, no two alike, shuffled."""
        rng = random.Random(seed)
        bands = self.bands()
        filters = {
            "collaboration_form": self.keys["collaboration_form"],
            "actor": self.keys["actor"],
            "theme": self.keys["theme"],
            "status": self.keys["status"],
            "region": [t.key for t in vocabularies.REGIONS],
        }

        def with_filters(params: dict[str, list[str]], low: int, high: int) -> None:
            for field in rng.sample(sorted(filters), rng.randint(low, high)):
                params[field] = [rng.choice(filters[field])]

        made: dict[str, list[dict[str, list[str]]]] = {kind: [] for kind in QUERY_KINDS}
        seen: set[str] = set()
        makers = {
            "no text": lambda: {},
            "rare word": lambda: {"q": [rng.choice(bands["rare"])]},
            "common word": lambda: {"q": [rng.choice(bands["common"])]},
            "two words": lambda: {
                "q": [f"{rng.choice(bands['common'])} {rng.choice(bands['medium'])}"]
            },
            "phrase": lambda: {"q": ['"{} {}"'.format(*rng.sample(bands["common"], 2))]},
            "prefix": lambda: {"q": [_prefix(rng, rng.choice(bands["common"] + bands["medium"]))]},
        }
        for kind in QUERY_KINDS:
            while len(made[kind]) < per_kind:
                params = makers[kind]()
                with_filters(params, 1, 2) if kind == "no text" else with_filters(params, 0, 2)
                key = json.dumps(params, sort_keys=True)
                if key not in seen:
                    seen.add(key)
                    made[kind].append(params)
        mixed = [(kind, params) for kind in QUERY_KINDS for params in made[kind]]
        rng.shuffle(mixed)
        return mixed


def _prefix(rng: random.Random, word: str) -> str:
    return word[: rng.randint(3, max(3, min(5, len(word) - 1)))] + "*"
