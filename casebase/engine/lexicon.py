"""The Danish words the compound splitter knows, and how common each is.

Two maintained packages from PyPI, read once per process:
- simplemma (maintained): 788,000 Danish word forms, each with its lemma (base form): which
  strings are Danish words, and which of them are base forms (a compound's first parts are);
- wordfreq: how common each of 29,000 Danish words is in written Danish (per token).
Only the forms whose word or lemma wordfreq counts are kept (about 80,000): a form without a
frequency cannot take part in the splitter's comparison anyway. The result is small (about
3 MB of JSON) and is cached on disk, named by the packages' versions, so a process loads it
in a fraction of a second instead of reading simplemma's whole dictionary (three seconds and
100 MB) again. The corpus's own words are added by the splitter (engine/compounds.py).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

LANGUAGE = "da"
WORDFREQ_LIST = "small"  # wordfreq's "large" list for "da" is Norwegian data (docs/decisions.md)
CACHE_DIR_ENV = "CASEBASE_LEXICON_CACHE"  # where the derived lexicon is kept (a folder)
DEFAULT_CACHE_DIR = Path.home() / ".cache" / "casebase"
CACHE_FORMAT = 2


@dataclass(frozen=True)
class Lexicon:
    """Danish word forms -> frequency (of the form, else of its lemma), and the lemmas."""

    frequencies: dict[str, float]
    lemmas: frozenset[str]
    lemma_of: dict[str, str]  # an inflected form -> its base form (stier -> sti)

    def frequency(self, word: str) -> float:
        return self.frequencies.get(word, 0.0)

    def is_lemma(self, word: str) -> bool:
        return word in self.lemmas

    def lemma(self, word: str) -> str:
        return self.lemma_of.get(word, word)


_lock = threading.Lock()
_loaded: Lexicon | None = None


def lexicon() -> Lexicon:
    """The process's lexicon, loaded on first use."""
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = _cached() or _build()
        return _loaded


# Which lexicon this is: another version of either package may split words otherwise.
VERSIONS = f"{version('simplemma')}-{version('wordfreq')}-{CACHE_FORMAT}"


def _cache_file() -> Path:
    folder = Path(os.environ.get(CACHE_DIR_ENV) or DEFAULT_CACHE_DIR)
    return folder / f"lexicon-{LANGUAGE}-{VERSIONS}.json"


def _cached() -> Lexicon | None:
    try:
        data = json.loads(_cache_file().read_text(encoding="utf-8"))
        frequencies, lemmas, lemma_of = data["frequencies"], data["lemmas"], data["lemma_of"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Lexicon(frequencies, frozenset(lemmas), lemma_of)


def _build() -> Lexicon:
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory
    from wordfreq import get_frequency_dict

    counted = get_frequency_dict(LANGUAGE, wordlist=WORDFREQ_LIST)
    forms = DefaultDictionaryFactory().get_dictionary(LANGUAGE)
    frequencies: dict[str, float] = dict(counted)
    lemmas: set[str] = set()
    lemma_of: dict[str, str] = {}
    for form, lemma in forms.items():
        lemma = lemma.decode() if isinstance(lemma, bytes) else str(lemma)
        known = counted.get(form) or counted.get(lemma)
        if known:
            frequencies.setdefault(form, known)
            if lemma in counted:
                lemmas.add(lemma)
                if lemma != form:
                    lemma_of[form] = lemma
    del forms
    built = Lexicon(frequencies, frozenset(lemmas), lemma_of)
    _store(built)
    return built


def _store(built: Lexicon) -> None:
    """Write the cache atomically; a cache that cannot be written is no error."""
    target = _cache_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        data = {
            "frequencies": built.frequencies,
            "lemmas": sorted(built.lemmas),
            "lemma_of": built.lemma_of,
        }
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, target)
    except OSError:
        pass
