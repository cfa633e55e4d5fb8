"""Extraction speed of case documents (docs/contract.md section 13): documents/s and MB/s.

Generates 1,000 varied documents (PDF of 1-20 pages, DOCX, ODT, HTML, text) and reads each
as an upload does: its type from its content (casebase/documents.py), its text in a child
process bounded in time and memory for PDF, DOCX and ODT (casebase/extract.py).

    .venv/bin/python bench/bench_documents.py [COUNT]
"""

from __future__ import annotations

import random
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from documentfiles import make_docx, make_odt, make_pdf  # noqa: E402

from casebase.documents import sniff  # noqa: E402
from casebase.extract import ExtractLimits, extract  # noqa: E402

WORDS = (
    "byfornyelse områdefornyelse partnerskab beboere kommune boligforening gårdhave byrum "
    "evaluering forsøg helhedsplan frivillige foreninger trappeopgang klima regnvand"
).split()


def _text(rng: random.Random, words: int) -> str:
    lines = [" ".join(rng.choice(WORDS) for _ in range(12)) for _ in range(words // 12)]
    return "\n".join(lines)


def documents(count: int) -> list[tuple[str, bytes]]:
    rng = random.Random(16)
    made = []
    for number in range(count):
        kind = number % 5
        if kind == 0:
            made.append(("r.pdf", make_pdf([_text(rng, 400) for _ in range(rng.randint(1, 20))])))
        elif kind == 1:
            made.append(("r.docx", make_docx(_text(rng, 3000).splitlines())))
        elif kind == 2:
            made.append(("r.odt", make_odt(_text(rng, 3000).splitlines())))
        elif kind == 3:
            body = "".join(f"<p>{line}</p>" for line in _text(rng, 3000).splitlines())
            made.append(("r.html", f"<!DOCTYPE html><html><body>{body}</body></html>".encode()))
        else:
            made.append(("r.txt", _text(rng, 3000).encode()))
    return made


def main(count: int = 1000) -> None:
    files = documents(count)
    limits = ExtractLimits()
    per_type: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    started = time.perf_counter()
    for name, data in files:
        begun = time.perf_counter()
        kind = sniff(data, name)
        result = extract(data, kind.content_type, limits, kind.text)
        assert result.error is None and result.has_text, name
        figures = per_type[name.rsplit(".", 1)[1]]
        figures[0] += 1
        figures[1] += len(data)
        figures[2] += time.perf_counter() - begun
    elapsed = time.perf_counter() - started
    megabytes = sum(len(d) for _, d in files) / 1e6
    print(
        f"{count} documents, {megabytes:.1f} MB in {elapsed:.1f} s: "
        f"{count / elapsed:.1f} documents/s, {megabytes / elapsed:.2f} MB/s"
    )
    for kind, (n, size, seconds) in sorted(per_type.items()):
        print(
            f"  {kind:5} {int(n):4} documents {size / 1e6:6.1f} MB  "
            f"{n / seconds:7.1f} documents/s  {size / 1e6 / seconds:6.2f} MB/s"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
