"""The index follows the database: change log catch-up, two instances, rebuild and check."""

import json
import shutil
import threading

from conftest import run_cli

from casebase import store, sync
from casebase.engine import SearchParams
from casebase.schemas import load_record
from casebase.services import Casebase

RECORD = {
    "ref": "sync-1",
    "title": "Landsbyfornyelse i Thy",
    "description": "Partnerskaber mellem landsbyer og kommunen.",
    "municipalities": ["Thisted"],
    "collaboration_forms": ["strategisk-partnerskab"],
    "themes": ["landdistrikter"],
    "start_year": 2016,
}


def refs(service, q=""):
    found = service.search(SearchParams(q=q, per_page=100))
    return sorted(hit.ref for hit in found.results)


def test_two_index_folders_over_one_database(env, tmp_path):
    url = env["CASEBASE_DATABASE_URL"]
    one = Casebase(url, tmp_path / "index-one")
    two = Casebase(url, tmp_path / "index-two")
    one.init_db()
    assert refs(two) == []
    one.create_case(RECORD, user=None)
    assert refs(two, "landsbyer") == ["sync-1"]
    two.replace_case("sync-1", {**RECORD, "title": "Partnerskab i Hanstholm"}, user=None)
    assert refs(one, "Hanstholm") == ["sync-1"]
    two.delete_case("sync-1", user=None)
    assert refs(one) == []
    for service in (one, two):
        assert service.check().agrees
        service.db.dispose()


def test_a_commit_without_indexing_is_caught_up(service):
    """What a process killed between its commit and its index update leaves behind."""
    service.create_case({**RECORD, "ref": "first"}, user=None)
    with service.db.session() as session:
        store.create(session, load_record(RECORD), "import", None)
    comparison = service.check()
    assert comparison.agrees, comparison.lines()
    assert refs(service) == ["first", "sync-1"]


def test_deleted_index_folder_comes_back(service, index_dir):
    service.create_case(RECORD, user=None)
    shutil.rmtree(index_dir)
    assert refs(service, "Thy") == ["sync-1"]
    shutil.rmtree(index_dir)
    assert service.check().agrees


def test_check_reports_differences_and_repair_fixes_them(service, env):
    service.create_case(RECORD, user=None)
    # An index that lost a document behind the change log's back.
    service.index.update([], ["sync-1"], service.index.applied_seq())
    result = run_cli(["check"], env)
    assert result.returncode == 1
    assert "1 missing from the index: sync-1" in result.stdout
    result = run_cli(["check", "--repair"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert run_cli(["check"], env).returncode == 0


def test_reindex_command(service, env):
    service.create_case(RECORD, user=None)
    result = run_cli(["reindex"], env)
    assert result.returncode == 0
    assert "1 cases" in result.stdout
    result = run_cli(["search", "landsby", "--json"], env)
    assert json.loads(result.stdout)["total"] == 1


def test_killed_import_leaves_the_database_as_it_was(service, env, tmp_path):
    """SIGKILL part-way through a large import: all or nothing, and the index agrees."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    path = tmp_path / "big.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(3000):
            out.write(json.dumps({**RECORD, "ref": f"big-{i}"}) + "\n")
    executable = Path(sys.executable).with_name("casebase")
    process = subprocess.Popen(
        [str(executable), "import", str(path)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(2.0)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert service.case_count() in (0, 3000)
    assert service.check().agrees


def test_a_search_does_not_wait_for_another_process_catching_up(env, service):
    """A long catch-up elsewhere (after a big import) holds the index's write lock: a search
    answers at once from the index as it is, and sees the change once the lock is free."""
    service.create_case(RECORD, user=None)
    other = Casebase(env["CASEBASE_DATABASE_URL"], env["CASEBASE_INDEX_DIR"])
    try:
        assert refs(other, "landsbyer") == ["sync-1"]
        with service.db.write_session() as session:  # a write whose catch-up is still running
            store.create(session, load_record({**RECORD, "ref": "sync-2"}), "test", None)
        name, ix, _ = service.index._live_generation()
        busy = ix.writer()  # that catch-up holds the write lock
        try:
            found: list[list[str]] = []
            searching = threading.Thread(target=lambda: found.append(refs(other, "landsbyer")))
            searching.start()
            searching.join(timeout=15)  # the index waits 30 s for a write lock
            assert not searching.is_alive(), "the search waited for the other catch-up"
            assert found == [["sync-1"]]
        finally:
            busy.cancel()
        assert refs(other, "landsbyer") == ["sync-1", "sync-2"]
    finally:
        other.close()


def test_a_big_import_is_indexed_by_a_parallel_rebuild(service, monkeypatch, tmp_path):
    """An import that changes more than a quarter of the index (and more than
    PARALLEL_MIN_CASES cases) is indexed by a rebuild in CASEBASE_INDEX_PROCESSES processes,
    and the index ends in step, with every case searchable."""
    monkeypatch.setattr(sync, "PARALLEL_MIN_CASES", 4)
    monkeypatch.setenv("CASEBASE_INDEX_PROCESSES", "2")
    service.create_case(RECORD, user=None)
    before = {p.name for p in service.index.path.glob("gen-*")}
    records = [
        {**RECORD, "ref": f"bulk-{n}", "title": f"Landsbyfornyelse nummer {n}"} for n in range(9)
    ]
    path = tmp_path / "bulk.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    report = service.import_files([path])
    assert report.created == 9, report.errors
    after = {p.name for p in service.index.path.glob("gen-*")}
    assert after and after.isdisjoint(before)  # a new generation: rebuilt, not updated
    assert refs(service, "landsbyfornyelse") == sorted(["sync-1", *(r["ref"] for r in records)])
    assert service.check().agrees
    assert sync.index_processes(3) == 1 and sync.index_processes(4) == 2


def test_reindex_tells_its_progress(service):
    for number in range(3):
        service.create_case({**RECORD, "ref": f"p-{number}"}, user=None)
    seen: list[int] = []
    assert service.reindex(seen.append) == 3
    assert seen == [1, 2, 3]


def test_a_newest_change_read_before_the_index_moved_on_is_read_again(service, index_dir):
    """A search reads the newest change's number before it looks at the index; when another
    process indexed newer changes in between, that number is stale, not a sign of an index
    built from another database: read again, caught up, no rebuild."""
    service.create_case(RECORD, user=None)
    service.create_case({**RECORD, "ref": "sync-2"}, user=None)
    generation = (index_dir / "CURRENT").read_text()
    with service.db.session() as session:
        latest = store.latest_seq(session)
    assert service.index.applied().seq == latest > 1
    sync.catch_up(service.db, service.index, wait=True, latest=latest - 1)
    assert (index_dir / "CURRENT").read_text() == generation
    assert refs(service) == ["sync-1", "sync-2"]
