"""What users feel: searches over HTTP against `casebase serve`, each query asked once.

    .venv/bin/python bench/bench_http.py --n 20000          # make bench N=20000
    .venv/bin/python bench/bench_http.py --n 100000 --per-kind 100 --reindex

Generates N cases (bench/corpus.py, cached as JSON Lines under --data), imports them with
`casebase import` into a fresh SQLite database (timed end to end, index included), starts
`casebase serve` with --workers processes, waits until each has loaded the index (the
warm-up every worker starts as it boots; its seconds are printed), and asks every query of the
seeded mix once over one keep-alive connection, with all facets in every answer. Prints p50 /
p95 / max per kind of query and for the whole mix, the same mix asked a second time (caches
warm), the server's memory (resident set of each worker) and the index's size on disk.
--reindex also times `casebase reindex`; --import-procs 1,2,0 imports again with that many
indexing processes (0: every core). Results are also written to <data>/results-<N>.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus import QUERY_KINDS, Corpus  # noqa: E402

CASEBASE = str(Path(sys.executable).parent / "casebase")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def environment(folder: Path, procs: int | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["CASEBASE_DATABASE_URL"] = f"sqlite:///{folder / 'bench.db'}"
    env["CASEBASE_INDEX_DIR"] = str(folder / "index")
    env["CASEBASE_INSTANCE_DIR"] = str(folder / "instance")
    env["CASEBASE_IMPORT_TIMEOUT_S"] = "3600"
    if procs is not None:
        env["CASEBASE_INDEX_PROCESSES"] = str(procs)
    return env


def timed_import(folder: Path, cases: Path, n: int, procs: int | None = None) -> float:
    """A fresh database and index, then `casebase import` of the file; seconds it took."""
    for name in ("bench.db", "bench.db-wal", "bench.db-shm", "index", "instance"):
        target = folder / name
        shutil.rmtree(target, ignore_errors=True) if target.is_dir() else target.unlink(
            missing_ok=True
        )
    env = environment(folder, procs)
    subprocess.run([CASEBASE, "init"], env=env, check=True, capture_output=True)
    began = time.perf_counter()
    subprocess.run([CASEBASE, "import", str(cases)], env=env, check=True, capture_output=True)
    seconds = time.perf_counter() - began
    print(
        f"import of {n} cases (procs={procs or 'default'}): {seconds:.1f} s = "
        f"{n / seconds:.0f} cases/s"
    )
    return seconds


WARMED = re.compile(r"search warmed up in ([0-9.]+) s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(folder: Path, workers: int) -> tuple[subprocess.Popen, int, list[float]]:
    """`casebase serve`, once every worker has loaded the index (the warm-up each worker
    starts as it boots, casebase/server.py); also the warm-up's seconds per worker."""
    port = free_port()
    log = folder / "server.log"
    with open(log, "wb") as err:
        server = subprocess.Popen(
            [CASEBASE, "serve", "--port", str(port), "--workers", str(workers)],
            env=environment(folder),
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        warmed = WARMED.findall(log.read_text(encoding="utf-8", errors="replace"))
        if len(warmed) >= workers:
            return server, port, [float(seconds) for seconds in warmed]
        time.sleep(0.2)
    server.kill()
    raise SystemExit(f"the server did not start: {log}")


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def folder_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1024 / 1024


def ask(connection: http.client.HTTPConnection, params: dict[str, list[str]]) -> float:
    url = "/api/cases?" + urlencode(params, doseq=True)
    began = time.perf_counter()
    connection.request("GET", url)
    response = connection.getresponse()
    body = response.read()
    elapsed = 1000 * (time.perf_counter() - began)
    if response.status != 200:
        raise SystemExit(f"{url}: {response.status} {body[:200]!r}")
    return elapsed


def run_mix(port: int, mix: list[tuple[str, dict[str, list[str]]]]) -> dict[str, list[float]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    timings: dict[str, list[float]] = {kind: [] for kind in QUERY_KINDS}
    for kind, params in mix:
        timings[kind].append(ask(connection, params))
    connection.close()
    return timings


def table(timings: dict[str, list[float]]) -> list[str]:
    lines = [f"{'kind of query':<16}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"]
    everything = [t for values in timings.values() for t in values]
    for kind, values in [*timings.items(), ("all kinds", everything)]:
        lines.append(
            f"{kind:<16}{len(values):>5}{statistics.median(values):>9.1f}"
            f"{percentile(values, 0.95):>9.1f}{max(values):>9.1f}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--per-kind", type=int, default=100, help="queries of each kind")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", type=Path, default=Path("/tmp/casebase-bench"))
    parser.add_argument("--reimport", action="store_true", help="import even when imported")
    parser.add_argument("--reindex", action="store_true", help="time `casebase reindex` too")
    parser.add_argument("--import-procs", default="", help="e.g. 1,2,0: import scaling")
    args = parser.parse_args()

    folder = args.data / f"http-n{args.n}"
    folder.mkdir(parents=True, exist_ok=True)
    corpus = Corpus()
    cases = folder / "cases.jsonl"
    if not cases.exists():
        corpus.write_jsonl(cases, args.n)
    results: dict = {"n": args.n, "cores": os.cpu_count()}
    for procs in [int(p) for p in args.import_procs.split(",") if p.strip()]:
        seconds = timed_import(folder, cases, args.n, procs or os.cpu_count())
        results.setdefault("import_by_procs", {})[procs or os.cpu_count()] = args.n / seconds
    stamp = folder / "imported"
    if args.reimport or args.import_procs or not stamp.exists():
        seconds = timed_import(folder, cases, args.n)
        results["import_cases_per_s"] = args.n / seconds
        stamp.write_text(str(seconds))
    if args.reindex:
        began = time.perf_counter()
        subprocess.run([CASEBASE, "reindex"], env=environment(folder), check=True)
        results["reindex_s"] = time.perf_counter() - began
        print(f"reindex of {args.n} cases: {results['reindex_s']:.1f} s")

    mix = corpus.queries(args.per_kind)
    server, port, warm_up = serve(folder, args.workers)
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        first = [ask(connection, {}) for _ in range(args.workers * 2)]  # each worker opens
        connection.close()
        cold = run_mix(port, mix)
        warm = run_mix(port, mix)
        rss = [rss_mb(pid) for pid in worker_pids(server.pid)]
    finally:
        server.terminate()
        server.wait(timeout=60)
    print(
        f"{args.n} cases, {args.workers} workers, {os.cpu_count()} cores; "
        f"index loaded by each worker as it starts in {', '.join(f'{t:.1f}' for t in warm_up)} s; "
        f"first answers: {', '.join(f'{t:.0f}' for t in first)} ms"
    )
    print("each query asked once:")
    print("\n".join(table(cold)))
    print(
        "the same queries asked again (caches warm): p50 "
        f"{statistics.median([t for v in warm.values() for t in v]):.1f} ms, p95 "
        f"{percentile([t for v in warm.values() for t in v], 0.95):.1f} ms"
    )
    print(
        f"server memory (RSS per worker): {', '.join(f'{m:.0f} MB' for m in rss)}; "
        f"index on disk: {folder_mb(folder / 'index'):.0f} MB"
    )
    results.update(
        cold={
            k: {"p50": statistics.median(v), "p95": percentile(v, 0.95), "max": max(v)}
            for k, v in cold.items()
        },
        warm_p95=percentile([t for v in warm.values() for t in v], 0.95),
        warm_up_s=warm_up,
        rss_mb=rss,
        index_mb=folder_mb(folder / "index"),
    )
    (folder / f"results-{args.n}.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
