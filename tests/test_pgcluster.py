"""The throwaway PostgreSQL cluster helper (tests/pgcluster.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pgcluster
import pytest
import sqlalchemy as sa


def _alive(pid: int) -> bool:
    """True while pid is a live process (a zombie awaiting its reaper counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_gone(pid: int, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture
def cluster() -> Iterator[pgcluster.PgCluster]:
    c, reason = pgcluster.start_cluster()
    if c is None:
        pgcluster.skip_or_fail(reason)
    try:
        yield c
    finally:
        c.stop()


def _scalar(url: str, query: str) -> object:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(query)).scalar_one()
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_start_connect_create_two_databases_stop(cluster: pgcluster.PgCluster) -> None:
    url = cluster.url
    assert url.startswith("postgresql+psycopg://casebase@/casebase_test?host=")
    assert sa.make_url(url).query["host"] == str(cluster.socket_dir)

    assert _scalar(url, "select 1") == 1
    assert _scalar(url, "select current_database()") == "casebase_test"
    assert _scalar(url, "show server_encoding") == "UTF8"
    assert _scalar(url, "show listen_addresses") == ""  # unix socket only
    assert _scalar(url, "show fsync") == "off"
    if cluster.locale == "C.UTF-8":
        assert _scalar(url, "select lower('ÆØÅ Ü')") == "æøå ü"

    url_a = cluster.create_database("cb_module_a")
    url_b = cluster.fresh_database("cb_module")
    name_b = sa.make_url(url_b).database
    assert name_b is not None and name_b.startswith("cb_module_")
    assert {"casebase_test", "cb_module_a", name_b} <= set(cluster.list_databases())

    # the databases are separate and empty
    engine_a = sa.create_engine(url_a)
    try:
        with engine_a.begin() as conn:
            conn.execute(sa.text("create table t (x text)"))
            conn.execute(sa.text("insert into t values ('æ')"))
    finally:
        engine_a.dispose()
    assert _scalar(url_a, "select x from t") == "æ"
    assert _scalar(url_b, "select count(*) from pg_tables where schemaname = 'public'") == 0

    # a database with a connection still open can be dropped
    engine_b = sa.create_engine(url_b)
    try:
        with engine_b.connect() as conn:
            conn.execute(sa.text("select 1"))
            cluster.drop_database(name_b)
    except sa.exc.OperationalError:
        pass  # our session was terminated: expected
    finally:
        engine_b.dispose()
    assert name_b not in cluster.list_databases()

    with pytest.raises(ValueError):
        cluster.create_database("Robert'); drop table students;--")

    pid = cluster.postmaster_pid()
    root = cluster.root
    assert pid is not None and _alive(pid) and root is not None
    cluster.stop()
    assert _wait_gone(pid), f"postmaster {pid} still running after stop()"
    assert not root.exists()
    cluster.stop()  # idempotent


@pytest.mark.postgres
def test_watchdog_stops_cluster_when_test_process_is_killed(tmp_path: Path) -> None:
    """A SIGKILLed test run (no atexit) still leaves no server behind."""
    bindir, reason = pgcluster.find_postgres()
    if bindir is None:
        pgcluster.skip_or_fail(reason)
    info = tmp_path / "info"
    child = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(Path(pgcluster.__file__).parent)!r})
        import pgcluster
        c, reason = pgcluster.start_cluster()
        assert c is not None, reason
        with open({str(info)!r}, "w") as f:
            f.write(f"{{c.postmaster_pid()}} {{c.root}}")
        time.sleep(300)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", child], stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while not (info.exists() and info.read_text()):
            assert proc.poll() is None, "child failed to start a cluster"
            assert time.monotonic() < deadline, "child took too long"
            time.sleep(0.1)
        pid_text, root = info.read_text().split(" ", 1)
        pid = int(pid_text)
        assert _alive(pid)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert _wait_gone(pid, timeout=30), f"watchdog left postmaster {pid} running"
    deadline = time.monotonic() + 10
    while Path(root).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(root).exists()


def test_find_postgres_reports_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(pgcluster, "_has_server_binaries", lambda bindir: False)
    bindir, reason = pgcluster.find_postgres()
    assert bindir is None
    assert reason.startswith("PostgreSQL server binaries not found")


@pytest.mark.parametrize("var", [pgcluster.REQUIRE_POSTGRES_ENV, pgcluster.REQUIRE_BROWSER_ENV])
def test_skip_or_fail(monkeypatch: pytest.MonkeyPatch, var: str) -> None:
    monkeypatch.delenv(var, raising=False)
    with pytest.raises(pytest.skip.Exception, match="no thing"):
        pgcluster.skip_or_fail("no thing", var)
    monkeypatch.setenv(var, "0")
    with pytest.raises(pytest.skip.Exception):
        pgcluster.skip_or_fail("no thing", var)
    monkeypatch.setenv(var, "1")
    with pytest.raises(pytest.fail.Exception, match="no thing"):
        pgcluster.skip_or_fail("no thing", var)


def test_script_prints_bindir() -> None:
    res = subprocess.run(
        [sys.executable, pgcluster.__file__, "--bindir"],
        capture_output=True,
        text=True,
    )
    bindir, reason = pgcluster.find_postgres()
    if bindir is None:
        assert res.returncode == 1 and reason in res.stderr
    else:
        assert res.returncode == 0 and res.stdout.strip() == str(bindir)
