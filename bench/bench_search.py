"""Benchmark the search engine on N synthetic Danish-like cases.

    .venv/bin/python bench/bench_search.py --n 10000
    .venv/bin/python bench/bench_search.py --n 100000 --rounds 3

Builds the index once with CaseIndex.rebuild (cached under --cache, default
/tmp/casebase-bench/n<N>; --rebuild forces a new build), then runs a fixed, seeded mix of
searches and prints median and p95 per category and the indexing rate.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from casebase import vocabularies  # noqa: E402
from casebase.engine import CaseIndex, SearchParams, search  # noqa: E402

DOMAIN_WORDS = """
byfornyelse områdefornyelse partnerskab partnerskaber partnerskabet boligorganisation
boligorganisationer borgerinddragelse samskabelse kommune kommunen borgere beboere
foreninger frivillige virksomheder investorer fonde grundejere helhedsplan kvarterløft
byrum friarealer landsby landsbyer landdistrikter bymidte bymidten handel erhverv
klima klimatilpasning regnvand bæredygtighed kulturarv bevaring bygninger bygningsfornyelse
nedrivning omdannelse tryghed sundhed trivsel uddannelse beskæftigelse lærepladser
mobilitet trafik cykelstier stationsbyer havn havnefront torv torvet gader pladser
parker grønne områder fællesskab netværk erfaringer resultater evaluering projekt
projektet forsøg forsøgsprojekt samarbejde samarbejdet strategi strategisk investering
investeringer midler støtte finansiering realdania landsbyggefonden ministeriet staten
regionen udvikling udviklingen plan planen lokalplan kvarter kvarteret boliger
lejligheder almene private offentlige aktører indsats indsatsen mødested kulturhus
bibliotek skole skolen idræt hal forsamlingshus købmand butikker værksteder håndværkere
aarhus århus aalborg københavn odense esbjerg vejle randers horsens kolding
""".split()
FILLER_WORDS = """
og i at det en den til er som på de med for af har ikke var blev skal kan også
nye gamle store små lokale fælles hele mange flere gennem efter mellem under over
""".split()
SYLLABLES = (
    "ba be bo bu da de di do fa fe fi ga ge gi ha he hi ka ke ki ko la le li lo ma me "
    "mi mo na ne ni no pa pe pi ra re ri ro sa se si so ta te ti to va ve vi vo by ly "
    "stø strø skov sø dal bjerg holm rup lev sted bæk gård høj næs vig borg".split()
)

CATEGORIES = (
    "browse",
    "filters",
    "word",
    "two words",
    "rare word",
    "word+filters",
    "phrase/prefix/or",
    "title sort",
    "deep page",
)


def synthetic_words(rng: random.Random, count: int) -> list[str]:
    words = set()
    while len(words) < count:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


class Corpus:
    """Seeded generator of Danish-like case records."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.lexicon = DOMAIN_WORDS + synthetic_words(self.rng, 20_000)
        # Zipf-like weights: domain words common, the long tail rare.
        self.weights = [1.0 / (rank + 5) ** 0.9 for rank in range(len(self.lexicon))]
        self.municipalities = [t.key for t in vocabularies.MUNICIPALITIES]
        self.keys = {
            f: [t.key for t in vocabularies.VOCABULARIES[f]]
            for f in ("collaboration_form", "actor", "theme", "status")
        }

    def words(self, low: int, high: int) -> str:
        n = self.rng.randint(low, high)
        chosen = self.rng.choices(self.lexicon, self.weights, k=n)
        mixed = [w if self.rng.random() > 0.35 else self.rng.choice(FILLER_WORDS) for w in chosen]
        return " ".join(mixed).capitalize() + "."

    def record(self, i: int) -> dict:
        rng = self.rng
        municipalities = rng.sample(self.municipalities, rng.choice((1, 1, 1, 2)))
        start = None if rng.random() < 0.1 else rng.randint(1985, 2025)
        end = None if start is None or rng.random() < 0.3 else start + rng.randint(0, 6)
        return {
            "ref": f"case-{i:06d}",
            "title": self.words(3, 8),
            "summary": self.words(12, 35) if rng.random() < 0.8 else None,
            "description": " ".join(self.words(10, 25) for _ in range(rng.randint(3, 7))),
            "results": self.words(10, 40) if rng.random() < 0.6 else None,
            "municipalities": municipalities,
            "regions": vocabularies.regions_for(municipalities),
            "start_year": start,
            "end_year": end,
            "status": rng.choice(self.keys["status"]),
            "collaboration_forms": rng.sample(self.keys["collaboration_form"], rng.randint(1, 2)),
            "actors": rng.sample(self.keys["actor"], rng.randint(1, 3)),
            "themes": rng.sample(self.keys["theme"], rng.randint(1, 3)),
            "version": 1,
        }

    def records(self, n: int) -> Iterator[dict]:
        for i in range(n):
            yield self.record(i)


def build(path: Path, n: int, force: bool) -> float | None:
    """Build the index when needed; returns documents per second when it built."""
    index = CaseIndex(path)
    if index.exists() and index.doc_count() == n and not force:
        index.close()
        return None
    began = time.perf_counter()
    index.rebuild(Corpus().records(n), seq=n)
    elapsed = time.perf_counter() - began
    index.close()
    rate = n / elapsed
    (path / "bench.json").write_text(json.dumps({"n": n, "seconds": elapsed, "rate": rate}))
    return rate


def query_mix(rng: random.Random, rounds: int) -> list[tuple[str, SearchParams]]:
    common = [
        "partnerskab",
        "byfornyelse",
        "kommunen",
        "borgere",
        "boliger",
        "havn",
        "klimatilpasning",
        "foreninger",
        "projekt",
        "udvikling",
    ]
    rare = ["kvarterløft", "købmand", "forsamlingshus", "cykelstier", "realdania"]
    facets = {
        f: [t.key for t in vocabularies.VOCABULARIES[f]]
        for f in ("collaboration_form", "actor", "theme", "region", "municipality", "status")
    }

    def filters(k: int) -> dict[str, tuple[str, ...]]:
        chosen = rng.sample(sorted(facets), k)
        return {f: tuple(rng.sample(facets[f], rng.randint(1, 2))) for f in chosen}

    mix = []
    for _ in range(rounds * 10):
        mix += [
            ("browse", SearchParams()),
            (
                "filters",
                SearchParams(
                    filters=filters(rng.randint(1, 3)), year_from=rng.choice((None, 2000, 2010))
                ),
            ),
            ("word", SearchParams(q=rng.choice(common))),
            ("two words", SearchParams(q=" ".join(rng.sample(common, 2)))),
            ("rare word", SearchParams(q=rng.choice(rare))),
            (
                "word+filters",
                SearchParams(q=rng.choice(common), filters=filters(rng.randint(1, 3))),
            ),
            (
                "phrase/prefix/or",
                SearchParams(
                    q=rng.choice(
                        [
                            '"strategisk partnerskab"',
                            "bolig*",
                            "havn OR torv",
                            "partnerskab -kommunen",
                            "title:byfornyelse",
                        ]
                    )
                ),
            ),
            ("title sort", SearchParams(q=rng.choice(("", rng.choice(common))), sort="title")),
            ("deep page", SearchParams(page=rng.randint(20, 200), sort="oldest")),
        ]
    return mix


def measure_updates(index: CaseIndex, n: int, count: int) -> None:
    """Single-case updates (the API's write path) and the first search after each."""
    corpus = Corpus(seed=99)
    writes, first_searches = [], []
    for i in range(count):
        record = dict(corpus.record(n + i), ref=f"bench-extra-{i}")
        began = time.perf_counter()
        index.update([record], [], seq=n + 1 + i)
        middle = time.perf_counter()
        search(index, SearchParams(q="partnerskab"))
        writes.append(1000 * (middle - began))
        first_searches.append(1000 * (time.perf_counter() - middle))
    index.update([], [f"bench-extra-{i}" for i in range(count)], seq=n + 1 + count)
    print(
        f"update of one case: median {statistics.median(writes):.0f} ms; first search after "
        f"it (new generation: columns rebuilt): median {statistics.median(first_searches):.0f} ms"
    )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--updates", type=int, default=5, help="single-case updates to time")
    parser.add_argument(
        "--cold", action="store_true", help="clear the postings and query caches before each search"
    )
    args = parser.parse_args()
    path = args.cache or Path("/tmp/casebase-bench") / f"n{args.n}"
    path.mkdir(parents=True, exist_ok=True)

    rate = build(path, args.n, args.rebuild)
    stats = json.loads((path / "bench.json").read_text())
    note = "" if rate is not None else " (cached build)"
    print(
        f"index: {args.n} cases, built in {stats['seconds']:.0f} s = "
        f"{stats['rate']:.0f} cases/s{note}"
    )

    index = CaseIndex(path)
    began = time.perf_counter()
    search(index, SearchParams())  # opens the searcher and builds the columns
    print(f"first search (open + columns): {1000 * (time.perf_counter() - began):.0f} ms")

    timings: dict[str, list[float]] = {c: [] for c in CATEGORIES}
    for category, params in query_mix(random.Random(11), args.rounds):
        if args.cold:
            index.clear_caches()
        began = time.perf_counter()
        search(index, params)
        timings[category].append(1000 * (time.perf_counter() - began))
    if args.updates:
        measure_updates(index, args.n, args.updates)
    index.close()

    print("caches cleared before each search" if args.cold else "warm caches (a real mix)")
    print(f"{'category':<18}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    everything = []
    for category, values in timings.items():
        everything += values
        print(
            f"{category:<18}{len(values):>5}{statistics.median(values):>9.1f}"
            f"{percentile(values, 0.95):>9.1f}{max(values):>9.1f}"
        )
    print(
        f"{'all':<18}{len(everything):>5}{statistics.median(everything):>9.1f}"
        f"{percentile(everything, 0.95):>9.1f}{max(everything):>9.1f}"
    )


if __name__ == "__main__":
    main()
