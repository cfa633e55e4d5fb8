"""Files that clients upload for an import, saved where the importer can read them."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .readers import SUFFIX_FORMATS

# Extensions kept on a saved upload, because format detection reads them; others are dropped.
KNOWN_SUFFIXES = frozenset({".csv", ".tsv", ".txt", *SUFFIX_FORMATS})


@dataclass(frozen=True)
class Upload:
    """An uploaded file: where it was saved, and the name the client knows it by."""

    path: Path
    name: str


def save_upload(stream: IO[bytes], filename: str, folder: Path) -> Upload:
    """Save a client's file in `folder` as `upload` + its extension when that is a known one.

    The client's name is never part of a path on the server; messages use it instead.
    """
    suffix = Path(filename).suffix.lower()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ("upload" + (suffix if suffix in KNOWN_SUFFIXES else ""))
    with path.open("wb") as out:
        shutil.copyfileobj(stream, out, length=1024 * 1024)
    return Upload(path, filename or "upload")
