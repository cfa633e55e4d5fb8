"""The index: Danish analysis, documents, generations, updates, seq and concurrent writers."""

from __future__ import annotations

import gc
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from search_fixtures import CASES, REFS, case
from whoosh import query

from casebase.engine import (
    CaseIndex,
    IndexBusy,
    SearchParams,
    building,
    facets,
    filters,
    generations,
)
from casebase.engine import search as engine_search
from casebase.engine.analysis import (
    WORD_PATTERN,
    danish_analyzer,
    danish_sort_key,
    index_term,
    indexed_terms,
    term_spans,
    word_spans,
)
from casebase.engine.columns import CODE, FACET_VALUES, VALUE_COUNT, bits, unbits
from casebase.engine.compounds import Splitter
from casebase.engine.document import case_document
from casebase.engine.postings import PostingsCache
from casebase.engine.whooshlib import read_postings
from casebase.errors import CasebaseError
from casebase.schemas.search import SearchResponseSchema
from casebase.vocabularies import fold_aa


def search(index: CaseIndex, params: SearchParams) -> dict[str, Any]:
    return SearchResponseSchema().dump(engine_search(index, params))


VERSIONS = {c["ref"]: c["version"] for c in CASES}


@pytest.fixture
def built(tmp_path: Path) -> Iterator[CaseIndex]:
    case_index = CaseIndex(tmp_path / "index")
    case_index.rebuild(iter(CASES), seq=5)
    yield case_index
    case_index.close()


def titles(case_index: CaseIndex, q: str = "") -> dict[str, str]:
    body = search(case_index, SearchParams(q=q, per_page=100))
    return {r["ref"]: r["title"] for r in body["results"]}


def new_case(ref: str, title: str = "Nyt partnerskab i Vejle", **extra: Any) -> dict[str, Any]:
    return case(
        ref,
        title,
        "En beskrivelse.",
        ["Vejle"],
        ["syddanmark"],
        (2020, None),
        "igangvaerende",
        ["projektpartnerskab"],
        ["kommune"],
        ["byrum"],
        **extra,
    )


# --- analysis ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("Partnerskab partnerskaber partnerskabet partnerskabets", ["partnerskab"] * 4),
        ("Aarhus Århus haandværkere håndværkere", ["århus", "århus", "håndværk", "håndværk"]),
        ("byfornyelse i og på Byen", ["byforny", "byen"]),
        ("en by for borgere", ["by", "borg"]),  # only Danish stop words: "by" (town) is a word
        ("paa x", []),  # "paa" is "på", a stop word; one letter is too short
    ],
)
def test_danish_analyzer(text: str, terms: list[str]) -> None:
    assert [t.text for t in danish_analyzer()(text)] == terms


def test_index_term_repeats_the_analyzer() -> None:
    """Snippets mark words with index_term: it must agree with the Whoosh chain."""
    text = " ".join(c["description"] + " " + c["title"] for c in CASES)
    by_whoosh = [t.text for t in danish_analyzer()(text)]
    by_python = [t for _, _, t in word_spans(text) if t is not None]
    assert by_python == by_whoosh
    assert index_term("Haandværkere") == index_term("håndværkere") == "håndværk"


@pytest.mark.parametrize(
    "text",
    [
        " ".join(c["description"] + " " + c["title"] for c in CASES),
        "Aarhus og Århus, a*b by* 1.250.000 kr. snake_case x.y.z i på af _ __ ÆØÅ Haandværk-",
        "",
    ],
)
def test_indexed_terms_is_the_analyzer_chain(text: str) -> None:
    """Indexing's fast path (engine/schema.py) must make exactly the chain's terms and
    positions, stop words not counted as positions."""
    by_whoosh = [(t.text, t.pos) for t in danish_analyzer()(text, positions=True)]
    assert [(term, pos) for pos, term in enumerate(indexed_terms(text))] == by_whoosh


def test_a_words_term_begins_its_folded_form() -> None:
    """term_spans (snippets, suggestions) stems only the words that begin with a wanted term:
    right only while the Danish stemmer merely takes endings off."""
    from casebase.engine.lexicon import lexicon

    words = [w for c in CASES for w in WORD_PATTERN.findall(c["description"] + " " + c["title"])]
    words += list(lexicon().frequencies)[:20000]
    for word in words:
        term = index_term(word)
        assert term is None or fold_aa(word.lower()).startswith(term), word
    text = " ".join(c["description"] for c in CASES)
    wanted = frozenset(["partnerskab", "byforny", "århus", "borg"])
    expected = [(s, e, t) for s, e, t in word_spans(text) if t in wanted]
    assert list(term_spans(text, wanted)) == expected and expected


def test_danish_sort_key() -> None:
    words = ["Åen", "aabenraa", "Zebra", "æble", "Øster", "Byrum", "ærø", "Ålborg", "ø", "Ébo"]
    assert sorted(words, key=danish_sort_key) == [
        "Byrum",
        "Ébo",
        "Zebra",
        "æble",
        "ærø",
        "ø",
        "Øster",
        "aabenraa",
        "Åen",
        "Ålborg",
    ]


def test_case_document_labels_and_missing_values() -> None:
    record = {
        "ref": "x",
        "title": "T",
        "description": "D",
        "municipalities": ["Aarhus"],
        "regions": ["midtjylland"],
        "status": "afsluttet",
        "collaboration_forms": [],
        "actors": None,
        "themes": ["klima"],
        "version": 2,
    }
    document = case_document(record, Splitter())
    assert document["labels"].split("\n") == [
        "Klima og bæredygtighed. Climate and sustainability.",
        "Region Midtjylland. Central Denmark Region.",
        "Aarhus.",
        "Afsluttet. Completed.",
    ]
    assert document["data"]["summary"] is None
    assert document["data"]["start_year"] is None and document["data"]["actors"] == []


# --- building, reading --------------------------------------------------------------------


def test_absent_index(tmp_path: Path) -> None:
    case_index = CaseIndex(tmp_path / "nothing")
    assert case_index.exists() is False
    assert case_index.applied_seq() == -1
    assert case_index.doc_count() == 0
    assert case_index.refs_versions() == {}


def test_rebuild(built: CaseIndex) -> None:
    assert built.exists() is True
    assert built.applied_seq() == 5
    assert built.doc_count() == 16
    assert built.refs_versions() == VERSIONS
    assert VERSIONS["gellerup-helhedsplan"] == 3


def test_rebuild_streams_a_generator(tmp_path: Path) -> None:
    def records() -> Iterator[dict]:
        for number in range(300):
            yield new_case(f"case-{number:03d}", title=f"Sag nummer {number}")

    case_index = CaseIndex(tmp_path / "index")
    case_index.rebuild(records(), seq=1)
    assert case_index.doc_count() == 300
    case_index.close()


def test_a_rebuild_by_several_processes_answers_as_one_by_one(
    built: CaseIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two writer processes, one segment each (engine/building.py): the same documents, seq,
    scores, facets and snippets as the index one process wrote."""
    monkeypatch.setattr(building, "PARALLEL_BATCH", 3)  # batches for both processes
    parallel = CaseIndex(tmp_path / "parallel")
    parallel.rebuild(iter(CASES), seq=5, procs=2)
    assert len(list(parallel.path.glob("gen-*/*.trm"))) == 2  # a segment per process
    assert parallel.applied_seq() == 5
    assert parallel.refs_versions() == VERSIONS
    for q in ("", "partnerskab", "byfornyelse OR klima", '"almene boligafdelinger"', "bolig*"):
        params = SearchParams(q=q, per_page=100)
        assert search(parallel, params) == search(built, params), q
    parallel.update([new_case("later")], [], seq=6)
    assert "later" in parallel.refs_versions()
    parallel.close()


def test_rebuild_replaces_everything_and_removes_old_generations(built: CaseIndex) -> None:
    built.rebuild(iter([new_case("only-one")]), seq=7)
    assert built.refs_versions() == {"only-one": 1}
    assert built.applied_seq() == 7
    assert len(list(built.path.glob("gen-*"))) == 1


def test_rebuild_switch_while_a_searcher_is_open(built: CaseIndex) -> None:
    other = CaseIndex(built.path)
    with built.snapshot() as snap:
        assert snap is not None
        other.rebuild(iter([new_case("after-switch")]), seq=8)
        # The open generation is gone from disk, but its searcher still answers.
        assert snap.searcher.document(ref="aeble")["data"]["title"] == "Æblehaven i landsbyen"
        assert snap.searcher.doc_count() == 17
    assert titles(built) == {"after-switch": "Nyt partnerskab i Vejle"}
    assert built.applied_seq() == 8
    other.close()


def test_failed_rebuild_keeps_the_old_generation(built: CaseIndex) -> None:
    def broken() -> Iterator[dict]:
        yield new_case("first")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        built.rebuild(broken(), seq=9)
    assert built.refs_versions() == VERSIONS
    assert built.applied_seq() == 5
    assert len(list(built.path.glob("gen-*"))) == 1


def test_dropped_without_close_leaves_no_open_files(tmp_path: Path) -> None:
    """Whoosh opens one file per segment part; a forgotten CaseIndex must still close them."""
    case_index = CaseIndex(tmp_path / "index")
    case_index.rebuild(iter(CASES), seq=1)
    case_index.update([new_case("one-more")], [], seq=2)
    assert search(case_index, SearchParams(q="partnerskab", exact=True))["total"] == 7
    del case_index
    gc.collect()  # an unclosed file would raise ResourceWarning (warnings are errors)


def test_deleted_index_folder(built: CaseIndex) -> None:
    assert built.doc_count() == 16
    shutil.rmtree(built.path)
    assert built.exists() is False
    assert built.applied_seq() == -1
    assert search(built, SearchParams())["total"] == 0
    built.rebuild(iter(CASES), seq=6)
    assert built.doc_count() == 16


def test_a_generation_of_another_format_is_not_used(built: CaseIndex) -> None:
    """After a schema change (INDEX_FORMAT), an old index reads as absent: the service rebuilds."""
    (generation,) = built.path.glob("gen-*")
    old = generation.with_name(generation.name.replace(generations.INDEX_FORMAT, "v1", 1))
    generation.rename(old)
    (built.path / "CURRENT").write_text(old.name + "\n")
    assert built.exists() is False
    assert built.applied_seq() == -1
    built.rebuild(iter(CASES), seq=6)
    assert built.exists() and not old.exists()


def test_emptied_index_folder(built: CaseIndex) -> None:
    for child in built.path.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
    assert built.exists() is False
    assert built.applied_seq() == -1


# --- updates ------------------------------------------------------------------------------


def test_update_upserts_deletes_and_remembers_seq(built: CaseIndex) -> None:
    changed = dict(CASES[0], title="Gellerup igen", version=4)
    built.update([changed, new_case("vejle-ny")], ["zebra", "not-indexed"], seq=9)
    expected = dict(VERSIONS, **{"gellerup-helhedsplan": 4, "vejle-ny": 1})
    del expected["zebra"]
    assert built.refs_versions() == expected
    assert built.doc_count() == 16
    assert built.applied_seq() == 9
    assert titles(built, "gellerup")["gellerup-helhedsplan"] == "Gellerup igen"
    assert "zebra" not in titles(built)
    assert search(built, SearchParams(q="zebrastriber"))["total"] == 0


def test_update_never_moves_seq_backwards(built: CaseIndex) -> None:
    built.update([], [], seq=3)
    assert built.applied_seq() == 5
    built.update([], [], seq=12)
    assert built.applied_seq() == 12


def test_update_creates_an_absent_index(tmp_path: Path) -> None:
    case_index = CaseIndex(tmp_path / "new")
    case_index.update([new_case("first")], [], seq=2)
    assert case_index.exists()
    # It holds this change only, not the history before it: its seq does not claim 2.
    assert (case_index.refs_versions(), case_index.applied_seq()) == ({"first": 1}, -1)
    case_index.update([new_case("second")], [], seq=3)
    assert case_index.applied_seq() == 3
    case_index.close()


def test_updates_in_other_objects_are_seen(built: CaseIndex) -> None:
    """Two CaseIndex objects (think: two processes) on one folder see each other's changes."""
    other = CaseIndex(built.path)
    assert other.doc_count() == 16 and built.doc_count() == 16
    other.update([new_case("from-other")], [], seq=6)
    assert built.refs_versions()["from-other"] == 1
    assert built.applied_seq() == 6
    built.update([], ["from-other"], seq=7)
    assert "from-other" not in other.refs_versions()
    assert other.applied_seq() == 7
    other.close()


def test_concurrent_writers_lose_nothing(built: CaseIndex) -> None:
    """Writers in several threads (each with its own CaseIndex, as processes would) wait for
    each other; a commit racing an open is never taken for a missing index."""
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for round_ in range(4):
                mine = CaseIndex(built.path)  # a fresh object: opens the index anew
                refs = [f"w{worker}-r{round_}-{n}" for n in range(3)]
                mine.update([new_case(ref) for ref in refs], [], seq=10 + worker)
                assert mine.doc_count() >= 16 + 3
                mine.close()
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert built.doc_count() == 16 + 4 * 4 * 3
    assert set(REFS) <= set(built.refs_versions())
    assert built.applied_seq() == 13


def test_searching_threads_while_the_index_changes(built: CaseIndex) -> None:
    """Threads share one CaseIndex; old searchers are closed only when their searches end."""
    errors: list[BaseException] = []
    done = threading.Event()

    def searching() -> None:
        try:
            while not done.is_set():
                body = search(built, SearchParams(q="partnerskab", per_page=100))
                assert body["total"] >= 6 and len(body["results"]) == body["total"]
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=searching) for _ in range(3)]
    for thread in threads:
        thread.start()
    for number in range(8):
        built.update([new_case(f"during-{number}")], [], seq=20 + number)
    built.rebuild(iter(CASES), seq=40)
    done.set()
    for thread in threads:
        thread.join()
    assert errors == []
    assert built.doc_count() == 16


def test_a_held_lock_is_reported_not_raised_as_lockerror(
    built: CaseIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generations, "WRITER_TIMEOUT", 0.1)
    monkeypatch.setattr(generations, "WRITER_ATTEMPTS", 2)
    (generation,) = built.path.glob("gen-*")
    blocker = generations.index.open_dir(str(generation)).writer()
    try:
        with pytest.raises(IndexBusy) as raised:
            built.update([new_case("blocked")], [], seq=6)
        assert isinstance(raised.value, CasebaseError)
    finally:
        blocker.cancel()
    built.update([new_case("unblocked")], [], seq=6)
    assert built.applied_seq() == 6


def test_searches_survive_many_updates(built: CaseIndex) -> None:
    """Segments merge as updates pile up: results stay exact (no duplicates, no losses)."""
    for number in range(25):
        built.update(
            [new_case(f"extra-{number}", title=f"Ekstra partnerskab {number}")],
            [f"extra-{number - 3}"] if number >= 3 else [],
            seq=10 + number,
        )
        for q in ("ekstra", '"ekstra partnerskab"'):
            body = search(built, SearchParams(q=q, per_page=100))
            found = [r["ref"] for r in body["results"]]
            assert len(found) == len(set(found)) == body["total"] == min(number + 1, 3)
    assert built.doc_count() == 16 + 3
    assert sorted(built.refs_versions()) == sorted([*REFS, "extra-22", "extra-23", "extra-24"])


def test_postings_cache_evicts_the_least_recently_used() -> None:
    cache = PostingsCache(max_postings=5)
    three = (np.arange(3, dtype=np.int32), np.ones(3, np.float32))
    reads: list[str] = []

    def reader(name: str) -> Any:
        return lambda: reads.append(name) or three

    cache.get(("s", "f", "a"), reader("a"))
    cache.get(("s", "f", "a"), reader("a"))
    cache.get(("s", "f", "b"), reader("b"))  # 6 postings > 5: "a" goes
    cache.get(("s", "f", "b"), reader("b"))
    cache.get(("s", "f", "a"), reader("a"))
    assert reads == ["a", "b", "a"]


def test_read_postings_equals_stepping(built: CaseIndex) -> None:
    built.update([new_case(f"more-{n}") for n in range(200)], [], seq=6)
    with built.snapshot() as snap:
        assert snap is not None
        for field, text in [
            ("description", "beskriv"),
            ("labels", "kommun"),
            ("title", "partnerskab"),
            ("description", "århus"),
        ]:
            fast_ids, fast_weights = snap.postings(field, text)
            slow = query.Term(field, text).matcher(snap.searcher)
            slow_ids, slow_weights = [], []
            while slow.is_active():
                slow_ids.append(slow.id())
                slow_weights.append(slow.weight())
                slow.next()
            assert fast_ids.tolist() == slow_ids and len(slow_ids) > 0
            assert np.allclose(fast_weights, slow_weights)
        # Deleted documents are left to the caller's live mask.
        leaf, _ = snap.searcher.reader().leaf_readers()[0]
        ids, _ = read_postings(leaf.postings("labels", "kommun"))
        assert len(ids) >= 10


def test_positions_in_some_documents_equal_stepping(built: CaseIndex) -> None:
    """Positions read for a few wanted documents (blocks without one are skipped unread)
    equal Whoosh's matcher, stepped document by document."""
    built.update(
        [
            new_case(f"more-{n}", title=f"Partnerskab {'og partnerskab ' * (n % 3)}nr {n}")
            for n in range(700)
        ],
        [],
        seq=6,
    )
    rng = np.random.default_rng(3)
    with built.snapshot() as snap:
        assert snap is not None
        stepped: dict[int, list[int]] = {}
        slow = query.Term("title", "partnerskab").matcher(snap.searcher)
        while slow.is_active():
            stepped[slow.id()] = list(slow.value_as("positions"))
            slow.next()
        assert len(stepped) > 600  # several posting blocks
        ordered = sorted(stepped)
        edges = np.zeros(snap.columns.size, dtype=bool)  # the first and last of each block
        edges[ordered[::128] + ordered[127::128]] = True
        masks = [rng.random(snap.columns.size) < share for share in (0.0, 0.005, 0.05, 1.0)]
        for wanted in [*masks, edges]:
            docs, positions = snap.positions("title", "partnerskab", wanted)
            expected = [(d, p) for d in sorted(stepped) if wanted[d] for p in stepped[d]]
            assert list(zip(docs.tolist(), positions.tolist(), strict=True)) == expected


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 200, 1000])
def test_bits_hold_a_mask_of_any_size(size: int) -> None:
    rng = np.random.default_rng(size)
    masks = rng.random((3, size)) < 0.3
    words = bits(masks)
    assert words.dtype == np.uint64 and words.shape == (3, -(-size // 64))
    for row, mask in zip(words, masks, strict=True):
        assert unbits(row, size).tolist() == mask.tolist()
        assert int(np.bitwise_count(row).sum()) == int(mask.sum())


def test_facet_counts_and_filters_by_bitsets_equal_counting_each_value(built: CaseIndex) -> None:
    """The bitset per facet value (engine/columns.py) counts and filters as the (doc, value)
    pairs do, one by one, for any set of matching cases."""
    with built.snapshot() as snap:
        assert snap is not None
        cols = snap.columns
        rng = np.random.default_rng(7)
        for share in (0.0, 0.2, 0.7, 1.0):
            mask = (rng.random(cols.size) < share) & cols.live
            expected = np.bincount(cols.code_values[mask[cols.code_docs]], minlength=VALUE_COUNT)
            assert facets._value_counts(cols, mask).tolist() == expected.tolist()
        for facet, keys in FACET_VALUES.items():
            chosen = keys[:2]
            codes = [CODE[(facet, key)] for key in chosen]
            expected_mask = np.zeros(cols.size, dtype=bool)
            expected_mask[cols.code_docs[np.isin(cols.code_values, codes)]] = True
            assert filters.facet_mask(cols, facet, chosen).tolist() == expected_mask.tolist()
