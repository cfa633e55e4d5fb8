"""Where a search's time goes: the benchmark's query mix, profiled in process (pyinstrument).

    .venv/bin/python bench/profile_search.py --n 20000 [--kind phrase] [--depth 25]

Run bench/bench_http.py --n N first: it generates and imports the cases into
<data>/http-n<N>. This opens that database and index with the service façade, and asks each
kind of query of the same seeded mix as the API answers it (search, then the response
schema), every query once, under pyinstrument. It prints each kind's mean time and its
profile (call tree, time in ms; --depth levels); the whole profiles are written as HTML
beside the data (profile-<kind>.html).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pyinstrument import Profiler

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus import QUERY_KINDS, Corpus  # noqa: E402

from casebase.schemas.search import SearchResponseSchema  # noqa: E402
from casebase.services import Casebase  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--per-kind", type=int, default=100)
    parser.add_argument("--kind", choices=QUERY_KINDS, action="append")
    parser.add_argument("--depth", type=int, default=25, help="levels of the call tree shown")
    parser.add_argument("--data", type=Path, default=Path("/tmp/casebase-bench"))
    args = parser.parse_args()
    folder = args.data / f"http-n{args.n}"
    if not (folder / "imported").exists():
        raise SystemExit(f"run bench/bench_http.py --n {args.n} first")
    service = Casebase(f"sqlite:///{folder / 'bench.db'}", folder / "index")
    schema = SearchResponseSchema()
    service.search(service.parse_search({}))  # open the index, load the lexicon
    mix = Corpus().queries(args.per_kind)
    for kind in args.kind or QUERY_KINDS:
        asked = [params for k, params in mix if k == kind]
        profiler = Profiler(interval=0.0005)
        began = time.perf_counter()
        with profiler:
            for params in asked:
                schema.dump(service.search(service.parse_search(params)))
        mean = 1000 * (time.perf_counter() - began) / len(asked)
        print(f"\n=== {kind}: {len(asked)} queries, {mean:.1f} ms each")
        print(profiler.output_text(unicode=True, color=False, show_all=False, time="percent"))
        (folder / f"profile-{kind.replace(' ', '-')}.html").write_text(profiler.output_html())
    service.close()


if __name__ == "__main__":
    main()
