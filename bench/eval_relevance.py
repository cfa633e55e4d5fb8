"""Relevance of the search on the seed data, against judgments made by reading the cases.

    .venv/bin/python bench/eval_relevance.py            # make eval
    .venv/bin/python bench/eval_relevance.py --per-query

Imports seed_data/ into a throwaway SQLite database and index (with the shipped thesaurus),
runs every query of tests/relevance/judgments.json through the service, and prints
recall@20, precision@10 and nDCG@10 per kind of query and overall, beside the figures
before the Danish work (tests/relevance/before.json). tests/test_relevance.py
holds the same figures above thresholds.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from casebase.engine import SearchParams  # noqa: E402
from casebase.services import Casebase  # noqa: E402

JUDGMENTS = ROOT / "tests" / "relevance" / "judgments.json"
BEFORE = ROOT / "tests" / "relevance" / "before.json"
METRICS = ("recall@20", "precision@10", "ndcg@10")
SEED = ROOT / "seed_data"
TOP = 20


def judgments() -> list[dict]:
    queries: list[dict] = json.loads(JUDGMENTS.read_text(encoding="utf-8"))["queries"]
    return queries


@contextmanager
def seeded_service(folder: Path) -> Iterator[Casebase]:
    service = Casebase(f"sqlite:///{folder / 'eval.db'}", folder / "index")
    service.init_db()
    report = service.import_files(sorted(SEED.glob("cases*.json")))
    assert report.rejected == 0, report.errors
    try:
        yield service
    finally:
        service.close()


def ranked(service: Casebase, q: str) -> tuple[list[str], str | None]:
    """The refs a search finds, best first (the suggestion's when the query finds nothing)."""
    found = service.search(SearchParams(q=q, per_page=TOP))
    if not found.results and found.suggestion:
        found = service.search(SearchParams(q=found.suggestion, per_page=TOP))
    return [hit.ref for hit in found.results], found.suggestion


def scores(refs: list[str], relevant: dict[str, int]) -> dict[str, float]:
    hits10 = [ref for ref in refs[:10] if ref in relevant]
    gains = [relevant.get(ref, 0) for ref in refs[:10]]
    ideal = sorted(relevant.values(), reverse=True)[:10]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return {
        "recall@20": len([r for r in refs[:TOP] if r in relevant]) / len(relevant),
        "precision@10": len(hits10) / 10,
        "ndcg@10": dcg / idcg if idcg else 0.0,
    }


def evaluate(service: Casebase) -> tuple[dict[str, dict[str, float]], list[dict]]:
    """Mean scores per kind of query and overall, and each query's own."""
    per_query = []
    for item in judgments():
        refs, suggestion = ranked(service, item["q"])
        per_query.append(
            {**item, "found": refs, "suggestion": suggestion, **scores(refs, item["relevant"])}
        )
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in per_query:
        groups[row["kind"]].append(row)
        groups["all"].append(row)
    means = {
        kind: {m: sum(r[m] for r in rows) / len(rows) for m in METRICS} | {"queries": len(rows)}
        for kind, rows in groups.items()
    }
    return means, per_query


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-query", action="store_true", help="print every query's scores")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="casebase-eval-") as folder:
        with seeded_service(Path(folder)) as service:
            means, per_query = evaluate(service)
    if args.per_query:
        for row in per_query:
            print(
                f"{row['kind']:<14} {row['q']:<28} R@20 {row['recall@20']:.2f}  "
                f"P@10 {row['precision@10']:.2f}  nDCG@10 {row['ndcg@10']:.2f}  "
                f"({len(row['relevant'])} relevant)"
            )
        print()
    print_table(means)


def print_table(means: dict[str, dict[str, float]]) -> None:
    """Each kind's figures now, and before the Danish work (tests/relevance/before.json)."""
    before = json.loads(BEFORE.read_text(encoding="utf-8"))["means"]
    print(f"{'':<22}{'now':^27}  {'before issue 11':^27}")
    print(f"{'kind':<14}{'queries':>8}" + f"{'R@20':>9}{'P@10':>9}{'nDCG@10':>9}  " * 2)
    for kind in sorted(means, key=lambda k: (k == "all", k)):
        now = "".join(f"{means[kind][m]:>9.3f}" for m in METRICS)
        then = "".join(f"{before[kind][m]:>9.3f}" for m in METRICS) if kind in before else ""
        print(f"{kind:<14}{means[kind]['queries']:>8.0f}{now}  {then}")


if __name__ == "__main__":
    main()
