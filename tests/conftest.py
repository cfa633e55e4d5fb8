"""Fixtures: a real SQLite file and a real PostgreSQL server, a real index folder, the app."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

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


# --- a real browser: Debian's chromium through Playwright -----------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pgcluster.skip_or_fail(
            f"{CHROMIUM} is not installed (apt-get install chromium)",
            env_var=pgcluster.REQUIRE_BROWSER_ENV,
        )
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


class Watched:
    """A page plus what it did wrong: console errors, page errors, requests to other hosts.

    A test that means a page to ask another host (the map's tile server) says so in
    `allowed_hosts`, and which console errors that may cause in `allowed_errors`.
    """

    def __init__(self, page, base_url: str) -> None:
        self.page = page
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.allowed_hosts: set[str] = set()
        self.allowed_errors: list[str] = []
        allowed = urlsplit(base_url).hostname
        page.set_default_timeout(TIMEOUT_MS)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

        def request(req) -> None:  # type: ignore[no-untyped-def]
            parts = urlsplit(req.url)
            if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != allowed:
                self.foreign.append(req.url)

        page.on("request", request)

    def check(self) -> None:
        errors = [e for e in self.errors if not any(a in e for a in self.allowed_errors)]
        assert errors == [], errors
        foreign = [url for url in self.foreign if urlsplit(url).hostname not in self.allowed_hosts]
        assert foreign == [], foreign


@pytest.fixture
def open_page(browser, live_server):
    """open_page(viewport=..., javascript=True) -> a Watched page; all are checked at the end.

    bypass_csp=True lets a test inject a script of its own (the accessibility audit's axe).
    """
    contexts, watched = [], []

    def open_(
        viewport: dict[str, int] | None = None, javascript: bool = True, bypass_csp: bool = False
    ) -> Watched:
        context = browser.new_context(
            viewport=viewport or DESKTOP,
            java_script_enabled=javascript,
            locale="da-DK",
            bypass_csp=bypass_csp,
        )
        contexts.append(context)
        page = Watched(context.new_page(), live_server)
        watched.append(page)
        return page

    yield open_
    try:
        for page in watched:
            page.check()
    finally:
        for context in contexts:
            context.close()


def api(base_url: str, path: str) -> dict:
    with urllib.request.urlopen(base_url + path, timeout=30) as response:
        return json.load(response)


def screenshot(page, name: str, element=None) -> None:  # type: ignore[no-untyped-def]
    """The whole page, or one element of it, as test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if element is not None:
        element.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    else:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


# A map tile the browser tests serve instead of the tile server's (they never go online).
BLANK_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGN48e4FAAWAAr9FzNMoAAAAAElFTkSuQmCC"
)
TILE_HOST = "tile.openstreetmap.org"


def offline_tiles(watched: Watched, serve: bool = True) -> None:
    """The tile server as the test wants it: blank tiles (serve) or no network at all."""
    watched.allowed_hosts.add(TILE_HOST)

    def answer(route) -> None:  # type: ignore[no-untyped-def]
        if serve:
            route.fulfill(status=200, content_type="image/png", body=BLANK_TILE)
        else:
            route.abort("internetdisconnected")

    watched.page.route(f"https://{TILE_HOST}/**", answer)
    if not serve:  # the browser says so for every tile it could not load
        watched.allowed_errors.append("net::ERR_INTERNET_DISCONNECTED")
