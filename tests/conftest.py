"""Fixtures: a real SQLite file and a real PostgreSQL server, a real index folder, the app."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pgcluster
import pytest
from click.testing import CliRunner

from casebase import create_app
from casebase.cli import cli
from casebase.schemas.search import SearchResponseSchema
from casebase.services import Casebase

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "seed_data"
SAMPLES = Path(__file__).resolve().parent / "samples"


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[pgcluster.PgCluster]:
    """One throwaway PostgreSQL cluster for the whole session."""
    cluster, reason = pgcluster.start_cluster()
    if cluster is None:
        pgcluster.skip_or_fail(reason)
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind: a SQLite file, and a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'casebase.db'}"
    cluster = request.getfixturevalue("pg_cluster")
    return cluster.fresh_database("t")


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture
def env(
    database_url: str, index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """CASEBASE_* variables pointing at this test's database, index and instance folder."""
    values = {
        "CASEBASE_DATABASE_URL": database_url,
        "CASEBASE_INDEX_DIR": str(index_dir),
        "CASEBASE_INSTANCE_DIR": str(tmp_path / "instance"),
        "CASEBASE_SECRET_KEY": "test-secret",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture
def service(env: dict[str, str]) -> Iterator[Casebase]:
    """The service layer over an initialised, empty database."""
    casebase = Casebase(env["CASEBASE_DATABASE_URL"], env["CASEBASE_INDEX_DIR"])
    casebase.init_db()
    yield casebase
    casebase.close()


@pytest.fixture
def seeded(service: Casebase) -> Casebase:
    report = service.import_files(sorted(SEED_DIR.glob("cases*.json")))
    assert report.rejected == 0, report.errors
    return service


@pytest.fixture
def app(service: Casebase, env: dict[str, str]):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": env["CASEBASE_DATABASE_URL"],
            "INDEX_DIR": env["CASEBASE_INDEX_DIR"],
            "SECRET_KEY": "test-secret",
        }
    )
    yield app
    app.extensions["casebase"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(env: dict[str, str]):
    """Invoke the casebase command in-process: runner.invoke(["import", path])."""

    class Runner:
        def invoke(self, args: list[str], input: str | None = None):
            return CliRunner().invoke(cli, args, input=input, catch_exceptions=False)

    return Runner()


def run_cli(
    args: list[str], env: dict[str, str], input: str | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the installed `casebase` console script as a real process."""
    executable = Path(sys.executable).with_name("casebase")
    return subprocess.run(
        [str(executable), *args],
        env={**os.environ, **env},
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not listen on {port}")


@pytest.fixture
def live_server(seeded: Casebase, env: dict[str, str]) -> Iterator[str]:
    """A real gunicorn process (`casebase serve`) over the seeded database; yields its URL."""
    port = free_port()
    executable = Path(sys.executable).with_name("casebase")
    process = subprocess.Popen(
        [str(executable), "serve", "--port", str(port), "--workers", "2"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def search_body(service: Casebase, args: dict[str, list[str]]) -> dict:
    """A search through the service, as the API answers it (parameters as a query string)."""
    return SearchResponseSchema().dump(service.search(service.parse_search(args)))
