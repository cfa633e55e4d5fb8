"""Open-data documents on N synthetic cases: feeds (the newest matching cases), the sitemap,
the DCAT-AP catalogue.

    .venv/bin/python bench/bench_opendata.py [--n 100000] [--database-url URL]

Imports N synthetic cases (bench_import's generator) into a fresh SQLite file (or the database
given), gives them created_at dates in a shuffled order, and prints the median time of each
document through the app (a test client: no network), and of the store's two ways of picking
the newest among many matches (asking by ref, or walking every case newest first).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import write_file  # noqa: E402
from sqlalchemy import select, update  # noqa: E402

from casebase import create_app, engine, store  # noqa: E402
from casebase.engine import SearchParams  # noqa: E402
from casebase.models import Case  # noqa: E402
from casebase.services import Casebase  # noqa: E402

FEEDS = (
    "",  # every case: the database alone
    "collaboration_form=projektpartnerskab",  # about 2 in 9
    "region=midtjylland",  # about 1 in 5
    "municipality=Aarhus",  # about 1 in 50
    "q=havn",
    "q=havn&theme=klima&year_from=2010",
)
ROUNDS = 5


def timed(action, rounds: int = ROUNDS) -> float:
    """The median of some runs, in milliseconds."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def spread_dates(service: Casebase) -> None:
    with service.db.session() as session:
        ids = list(session.scalars(select(Case.id)))
        random.Random(14).shuffle(ids)
        first = datetime(2020, 1, 1, tzinfo=UTC)
        values = [{"id": id_, "at": first + timedelta(minutes=i)} for i, id_ in enumerate(ids)]
        for start in range(0, len(values), 5000):
            for row in values[start : start + 5000]:
                session.execute(
                    update(Case).where(Case.id == row["id"]).values(created_at=row["at"])
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="casebase-bench-opendata-"))
    try:
        source = work / "cases.jsonl"
        write_file(source, args.n, "jsonl")
        url = args.database_url or f"sqlite:///{work / 'bench.db'}"
        service = Casebase(url, work / "index")
        service.init_db()
        service.import_files([source])
        spread_dates(service)
        app = create_app({"DATABASE_URL": url, "INDEX_DIR": str(work / "index"), "SECRET_KEY": "b"})
        client = app.test_client()
        print(f"{args.n:,} cases")
        for query in FEEDS:
            params = service.parse_search(
                {k: [v] for k, v in (p.split("=") for p in query.split("&") if p)}
            )
            refs = engine.matching_refs(service.index, params) if params.narrows else []
            ms = timed(lambda q=query: client.get(f"/feed.atom?{q}").get_data())
            print(f"feed {query or '(all)':45} {len(refs) or args.n:>7} matches  {ms:7.1f} ms")
        params = SearchParams(filters={"region": ("midtjylland",)})
        among = engine.matching_refs(service.index, params)
        with service.db.session() as session:
            asked = timed(lambda: store.newest_refs(session, 50, among, few=len(among)))
            walked = timed(lambda: store.newest_refs(session, 50, among, few=0))
        print(f"newest 50 of {len(among):,}: asked by ref {asked:.1f} ms, walked {walked:.1f} ms")
        print(f"sitemap.xml     {timed(lambda: client.get('/sitemap.xml').get_data(), 3):7.1f} ms")
        print(f"catalog.jsonld  {timed(lambda: client.get('/catalog.jsonld').get_data()):7.1f} ms")
        app.extensions["casebase"].close()
        service.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
