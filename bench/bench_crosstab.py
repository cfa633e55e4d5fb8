"""Benchmark the cross-tabulation (docs/contract.md section 10) on N synthetic cases.

    .venv/bin/python bench/bench_crosstab.py --n 100000

Uses the index of bench/bench_search.py (built once, cached under /tmp/casebase-bench/n<N>)
and times a seeded mix of tables: two facets over every case, two facets over a filtered or
text search, and a facet against start_year or decade. Prints median and p95 per category.
The goal: two facets at 100,000 cases, p95 under 50 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_search import build, percentile  # noqa: E402

from casebase import catalogue, vocabularies  # noqa: E402
from casebase.engine import CaseIndex, SearchParams, crosstab, search  # noqa: E402

CATEGORIES = ("two facets", "two facets, filtered", "two facets, text", "facet x years")
WORDS = ("partnerskab", "byfornyelse", "kommunen", "borgere", "havn", "klimatilpasning")


def table_mix(rng: random.Random, rounds: int) -> list[tuple[str, SearchParams, str, str]]:
    facets = list(catalogue.FACET_NAMES)
    keys = {f.name: list(f.keys) for f in catalogue.FACETS}

    def pair() -> tuple[str, str]:
        rows, cols = rng.sample(facets, 2)
        return rows, cols

    def some_filter() -> dict[str, tuple[str, ...]]:
        name = rng.choice(facets)
        return {name: tuple(rng.sample(keys[name], rng.randint(1, 2)))}

    mix = []
    for _ in range(rounds * 10):
        mix.append(("two facets", SearchParams(), *pair()))
        mix.append(("two facets, filtered", SearchParams(filters=some_filter()), *pair()))
        mix.append(("two facets, text", SearchParams(q=rng.choice(WORDS)), *pair()))
        years = rng.choice(("start_year", "decade"))
        mix.append(("facet x years", SearchParams(), rng.choice(facets), years))
    return mix


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    path = args.cache or Path("/tmp/casebase-bench") / f"n{args.n}"
    path.mkdir(parents=True, exist_ok=True)
    build(path, args.n, args.rebuild)

    index = CaseIndex(path)
    search(index, SearchParams())  # opens the searcher and builds the columns
    timings: dict[str, list[float]] = {c: [] for c in CATEGORIES}
    cells = 0
    for category, params, rows, cols in table_mix(random.Random(13), args.rounds):
        began = time.perf_counter()
        tab = crosstab(index, params, rows, cols)
        timings[category].append(1000 * (time.perf_counter() - began))
        cells += sum(map(len, tab.cells))
    index.close()

    print(
        f"cross-tabulation over {args.n:,} cases ({len(vocabularies.MUNICIPALITIES)} "
        f"municipalities; {cells:,} cells in all)"
    )
    print(f"{'category':<24}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for category, values in timings.items():
        print(
            f"{category:<24}{len(values):>5}{statistics.median(values):>9.1f}"
            f"{percentile(values, 0.95):>9.1f}{max(values):>9.1f}"
        )


if __name__ == "__main__":
    main()
