"""A file written by a worker thread, sent to the client as it is written (exports).

A bounded queue between the writer and the response keeps memory flat however big the file
and however slow the client; closing the response (the client went away) stops the writer.
"""

from __future__ import annotations

import io
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
QUEUE_CHUNKS = 16  # chunks written ahead of a slow client, at most


class _QueueWriter(io.RawIOBase):
    """A file the export writes to, read chunk by chunk from a queue by the response."""

    def __init__(self, chunks: queue.Queue[Any], stop: threading.Event) -> None:
        self.chunks = chunks
        self.stop = stop
        self.discard = False  # after a failure: the rest of a broken file is not sent

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        if not self.discard:
            _put(self.chunks, self.stop, chunk)
        return len(chunk)


class _Cancelled(Exception):
    """The client went away: the export stops writing."""


_DONE = object()


def _put(chunks: queue.Queue[Any], stop: threading.Event, item: Any) -> None:
    while not stop.is_set():
        try:
            chunks.put(item, timeout=0.5)
            return
        except queue.Full:
            continue
    raise _Cancelled


def streamed(write: Callable[[BinaryIO], None]) -> _Stream:
    """Run a writer in a thread and yield what it writes, with a bounded queue between.

    The first chunk is awaited before the response starts, so an error early in the export
    (most are) still becomes an error response; a later one cuts the download short.
    """
    chunks: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_CHUNKS)
    stop = threading.Event()

    def run() -> None:
        raw = _QueueWriter(chunks, stop)
        out = io.BufferedWriter(raw, CHUNK_BYTES)
        outcome: Any = _DONE
        try:
            write(out)
            out.flush()
        except _Cancelled:
            return
        except Exception as error:  # handed to the response, which raises or logs it
            outcome = error
        finally:
            raw.discard = outcome is not _DONE or stop.is_set()
            out.close()
        try:
            _put(chunks, stop, outcome)
        except _Cancelled:
            return

    threading.Thread(target=run, name="casebase-export", daemon=True).start()
    first = chunks.get()
    if isinstance(first, Exception):
        raise first
    return _Stream(first, chunks, stop)


class _Stream:
    """The response body: the export's chunks; closing it (the server does) stops the export."""

    def __init__(self, first: Any, chunks: queue.Queue[Any], stop: threading.Event) -> None:
        self.first = first
        self.chunks = chunks
        self.stop = stop

    def __iter__(self) -> Iterator[bytes]:
        item = self.first
        while item is not _DONE and not self.stop.is_set():
            if isinstance(item, Exception):
                log.error("export failed after the download started", exc_info=item)
                return
            yield item
            item = self.chunks.get()

    def close(self) -> None:
        self.stop.set()
