"""Import rate through the whole pipeline: file -> schema -> database -> index.

    python bench/bench_import.py [--n 100000] [--format csv|jsonl] [--database-url URL]

Generates N synthetic cases, imports them with the service layer into a fresh SQLite file
(or the database given), and prints records/s for the database part and the index part,
and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from casebase import vocabularies  # noqa: E402
from casebase.services import Casebase  # noqa: E402

WORDS = (
    "partnerskab byfornyelse landsby bymidte borgerinddragelse boligområde klimatilpasning "
    "byrum forsøg kommune foreninger frivillige investering stationsby havn handel "
    "kulturarv bevaring nedrivning omdannelse tryghed sundhed trivsel"
).split()


def synthetic(i: int, rng: random.Random) -> dict:
    municipalities = rng.sample([m.key for m in vocabularies.MUNICIPALITIES], rng.randint(1, 2))
    start = rng.randint(1990, 2025)
    return {
        "ref": f"bench-{i:06d}",
        "title": " ".join(rng.choices(WORDS, k=5)).capitalize(),
        "summary": " ".join(rng.choices(WORDS, k=25)),
        "description": " ".join(rng.choices(WORDS, k=120)),
        "municipalities": municipalities,
        "start_year": start,
        "end_year": start + rng.randint(0, 6),
        "collaboration_forms": rng.sample([t.key for t in vocabularies.COLLABORATION_FORMS], 2),
        "actors": rng.sample([t.key for t in vocabularies.ACTORS], 3),
        "themes": rng.sample([t.key for t in vocabularies.THEMES], 2),
        "budget_dkk": rng.randint(100_000, 50_000_000),
    }


def write_file(path: Path, n: int, fmt: str) -> None:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8", newline="") as out:
        if fmt == "jsonl":
            for i in range(n):
                out.write(json.dumps(synthetic(i, rng), ensure_ascii=False) + "\n")
            return
        writer = csv.writer(out, delimiter=";")
        columns = list(synthetic(0, random.Random(0)))
        writer.writerow(columns)
        for i in range(n):
            record = synthetic(i, rng)
            writer.writerow(
                ["|".join(v) if isinstance(v, list) else v for v in (record[c] for c in columns)]
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="casebase-bench-import-"))
    try:
        source = work / f"cases.{args.format}"
        write_file(source, args.n, args.format)
        url = args.database_url or f"sqlite:///{work / 'bench.db'}"
        service = Casebase(url, work / "index")
        service.init_db()
        started = time.perf_counter()
        report = importer_only(service, source)
        db_seconds = time.perf_counter() - started
        started = time.perf_counter()
        service.sync()
        index_seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{args.n} {args.format} rows ({source.stat().st_size / 1e6:.1f} MB): "
            f"created {report.created}, rejected {report.rejected}"
        )
        print(f"read + validate + database: {db_seconds:.1f} s = {args.n / db_seconds:,.0f} rows/s")
        print(
            f"index catch-up:             {index_seconds:.1f} s = "
            f"{args.n / index_seconds:,.0f} docs/s"
        )
        print(
            f"total:                      {db_seconds + index_seconds:.1f} s; "
            f"peak RSS {peak_mb:,.0f} MB"
        )
        service.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def importer_only(service: Casebase, source: Path):
    """The database part of an import; the index catch-up is timed apart."""
    from casebase import importer

    return importer.import_files(service.db, [source])


if __name__ == "__main__":
    main()
