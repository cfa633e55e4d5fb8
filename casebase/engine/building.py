"""Writing a whole generation of the index, in one process or several.

A rebuild streams every record once. With `procs` > 1 the documents are made here (the
compound splitter runs in this process) and handed in batches to `procs` writer processes,
each analysing its share and writing one segment of its own (Whoosh's MpWriter with
`multisegment`); the generation is then those segments, not merged: a search reads several
segments as it reads the segments that updates add (docs/whoosh.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh import index

from .compounds import Splitter
from .document import case_document
from .schema import SCHEMA

REBUILD_LIMIT_MB = 256  # the writers' memory for postings before they spill a run to disk
# Whoosh reads a compound segment by copying each of its parts into memory (about 100 MB per
# searcher at 20k cases); separate files are read in place.
COMPOUND_SEGMENTS = False
# Documents per batch handed to a writer process (pickled through a temporary file).
PARALLEL_BATCH = 256
# A new process, not a fork: the server's threads and open files stay with the server.
START_METHOD = "forkserver"


def fill(
    folder: Path,
    records: Iterable[dict],
    meta: dict[str, Any],
    words: tuple[Splitter, frozenset[str]],
    procs: int,
) -> int:
    """Write the records and the meta document into a new index in `folder`; the count.
    `words`: the compound splitter and the common words (engine/document.py)."""
    splitter, common = words
    ix = index.create_in(str(folder), SCHEMA)
    options: dict[str, Any] = {"limitmb": REBUILD_LIMIT_MB, "compound": COMPOUND_SEGMENTS}
    if procs > 1:
        options.update(
            procs=procs,
            multisegment=True,
            batchsize=PARALLEL_BATCH,
            start_method=START_METHOD,
            limitmb=max(32, REBUILD_LIMIT_MB // procs),
        )
    writer = ix.writer(**options)
    count = 0
    try:
        for record in records:
            writer.add_document(**case_document(record, splitter, common))
            count += 1
        writer.add_document(**meta)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return count
