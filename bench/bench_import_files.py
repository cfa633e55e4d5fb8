"""Throughput and peak memory of casebase.readers on big import files.

    .venv/bin/python bench/bench_import_files.py [--rows 100000] [--dir /tmp]

Writes the files with casebase.exporter (so export is timed too), then reads each twice: once
for rows/s, once under tracemalloc for the peak of Python allocations while reading. Bounded
memory shows as a peak that does not grow with the number of rows (compare --rows 10000).
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from casebase.exporter import export_filename, write_export
from casebase.readers import read_records

MUNICIPALITIES = ["København", "Aarhus", "Odense", "Aalborg", "Ærø", "Køge", "Sønderborg"]
THEMES = ["omraadefornyelse", "byrum", "klima", "boligsocial", "kulturarv"]
DESCRIPTION = (
    "Kommunen, boligorganisationen og beboerne samarbejdede om at forny området; "
    "erfaringerne viser, at tidlig inddragelse giver større ejerskab. "
) * 4  # about 550 characters, like a real case


def records(count: int) -> Iterator[dict[str, Any]]:
    for i in range(count):
        yield {
            "ref": f"bench-{i}",
            "title": f"Forsøgsprojekt nr. {i} i {MUNICIPALITIES[i % 7]}",
            "description": DESCRIPTION,
            "municipalities": [MUNICIPALITIES[i % 7], MUNICIPALITIES[(i + 3) % 7]],
            "start_year": 1990 + i % 30,
            "end_year": 1995 + i % 30,
            "collaboration_forms": ["projektpartnerskab", "borgerinddragelse"],
            "themes": [THEMES[i % 5]],
            "budget_dkk": 1_250_000 + i,
            "funders": ["Realdania", "Landsbyggefonden"],
            "links": [{"title": "Projektside", "url": f"https://example.dk/{i}"}],
            "latitude": 55.0 + (i % 1000) / 1000,
            "longitude": 10.0 + (i % 1000) / 1000,
        }


def read_all(path: Path) -> int:
    count = 0
    for _ in read_records(path):
        count += 1
    return count


def bench(fmt: str, rows: int, folder: Path) -> None:
    path = folder / f"bench-{rows}-{export_filename(fmt)}"
    started = time.perf_counter()
    with path.open("wb") as out:
        write_export(records(rows), fmt, out)
    written = time.perf_counter() - started

    started = time.perf_counter()
    count = read_all(path)
    elapsed = time.perf_counter() - started
    assert count == rows, (fmt, count)

    gc.collect()
    tracemalloc.start()
    read_all(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    size = path.stat().st_size / 2**20
    print(
        f"{fmt:5} {rows:>7} rows {size:7.1f} MB | export {rows / written:>8,.0f} rows/s | "
        f"read {rows / elapsed:>8,.0f} rows/s ({elapsed:5.2f} s) | "
        f"read peak {peak / 2**20:6.2f} MB (tracemalloc)"
    )
    path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--xlsx-rows", type=int, default=10_000, help="openpyxl is slow")
    parser.add_argument("--dir", type=Path, default=Path("/tmp"))
    args = parser.parse_args()
    for fmt in ("csv", "jsonl", "json"):
        bench(fmt, args.rows, args.dir)
    if args.xlsx_rows:
        bench("xlsx", args.xlsx_rows, args.dir)
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS {maxrss:.0f} MB (whole run, interpreter and libraries included)")


if __name__ == "__main__":
    main()
