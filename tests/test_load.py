"""Proof under load and faults (docs/contract.md section 12), on SQLite and PostgreSQL.

8 writers create, change and delete cases through the API while 8 readers search, through
`casebase serve --workers 4`, for a bounded time: no answer is a 5xx, every acknowledged write
is in the database and found by search, every acknowledged delete is gone from both. Then the
server is killed (SIGKILL) in the middle of writes: no acknowledged write is lost, and the index
heals (`casebase check` agrees). The figures go to test-artifacts/load-<database>.json.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import string
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conftest import ROOT, free_port, run_cli, wait_for_port

from casebase.services import Casebase

WRITERS = 8
READERS = 8
WORKERS = 4
LOAD_SECONDS = 8  # how long the writers and readers run
KILL_AFTER_WRITES = 16  # acknowledged writes before the server is killed mid-write
SEARCH_WORDS = ["partnerskab", "byfornyelse", "borgere", "klima", "bolig*", '"lokale aktører"']
FILTERS = ["", "&theme=klima", "&status=afsluttet", "&sort=title", "&region=midtjylland&page=2"]
ARTIFACTS = ROOT / "test-artifacts"


@dataclass
class Ledger:
    """What the server acknowledged, per ref: the version and the word of its title."""

    alive: dict[str, tuple[int, str]] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    writes: int = 0
    searches: int = 0
    failures: list[str] = field(default_factory=list)  # 5xx and other surprises
    cut_off: int = 0  # writers whose request got no answer (the server was killed)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    """One keep-alive connection to the server, opened again after an error."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.connection: http.client.HTTPConnection | None = None

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        data = None if body is None else json.dumps(body).encode()
        try:
            self.connection.request(method, path, body=data, headers=self.headers)
            response = self.connection.getresponse()
            text = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            raise
        return response.status, json.loads(text) if text else None

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


@contextmanager
def client_of(port: int, token: str = "none") -> Iterator[Client]:
    client = Client(port, token)
    try:
        yield client
    finally:
        client.close()


def word(rng: random.Random) -> str:
    """A word of letters no case holds, so a search for it finds exactly one case."""
    return "zq" + "".join(rng.choice(string.ascii_lowercase) for _ in range(9))


def record(ref: str, title_word: str) -> dict[str, Any]:
    return {
        "ref": ref,
        "title": f"Belastningsprøve {title_word}",
        "description": f"Skrevet under belastning; ordet {title_word} findes kun her.",
        "municipalities": ["Horsens"],
        "collaboration_forms": ["projektpartnerskab"],
        "themes": ["bymidter"],
    }


def writer(number: int, port: int, token: str, ledger: Ledger, stop: threading.Event) -> None:
    """Create, change and delete this writer's own cases until told to stop (or the server
    is gone: a failed request is never acknowledged, and the writer ends)."""
    with client_of(port, token) as client:
        _write(number, client, ledger, stop)


def _write(number: int, client: Client, ledger: Ledger, stop: threading.Event) -> None:
    rng = random.Random(number)
    mine: list[str] = []
    count = 0
    while not stop.is_set():
        action = "create" if len(mine) < 3 else rng.choice(["create", "update", "update", "delete"])
        ref = f"load-{number}-{count}" if action == "create" else rng.choice(mine)
        title_word = word(rng)
        try:
            if action == "create":
                status, body = client.call("POST", "/api/cases", record(ref, title_word))
            elif action == "update":
                status, body = client.call("PUT", f"/api/cases/{ref}", record(ref, title_word))
            else:
                status, body = client.call("DELETE", f"/api/cases/{ref}")
        except (OSError, http.client.HTTPException):
            with ledger.lock:
                ledger.cut_off += 1
            return
        expected = {"create": 201, "update": 200, "delete": 204}[action]
        with ledger.lock:
            if status != expected:
                ledger.failures.append(f"{action} {ref}: {status} {body}")
                continue
            ledger.writes += 1
            if action == "delete":
                ledger.alive.pop(ref)
                ledger.deleted.add(ref)
                mine.remove(ref)
            else:
                ledger.alive[ref] = (body["version"], title_word)
                if action == "create":
                    mine.append(ref)
                    count += 1


def reader(number: int, port: int, ledger: Ledger, stop: threading.Event) -> None:
    rng = random.Random(1000 + number)
    with client_of(port) as client:
        _read(rng, client, ledger, stop)


def _read(rng: random.Random, client: Client, ledger: Ledger, stop: threading.Event) -> None:
    while not stop.is_set():
        q = urllib.parse.quote(rng.choice(SEARCH_WORDS))
        try:
            status, body = client.call("GET", f"/api/cases?q={q}{rng.choice(FILTERS)}")
        except (OSError, http.client.HTTPException):
            return
        with ledger.lock:
            if status != 200:
                ledger.failures.append(f"search {q}: {status} {body}")
            ledger.searches += 1


@contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """`casebase serve --workers 4` in a process group of its own."""
    port = free_port()
    executable = Path(sys.executable).with_name("casebase")
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [str(executable), "serve", "--port", str(port), "--workers", str(WORKERS)],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_port(port, process)
        yield port, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)


def run_clients(port: int, token: str, ledger: Ledger, seconds: float, readers: int) -> float:
    """Writers (and readers) for `seconds`; how long they really ran."""
    stop = threading.Event()
    threads = [
        threading.Thread(target=writer, args=(n, port, token, ledger, stop)) for n in range(WRITERS)
    ] + [threading.Thread(target=reader, args=(n, port, ledger, stop)) for n in range(readers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(seconds)  # the length of the run, not a measurement
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    return time.monotonic() - started


def verify(port: int, ledger: Ledger, allow_one_more: bool = False) -> None:
    """Every acknowledged write is stored and found; every acknowledged delete is gone.

    After a kill, a write that was under way may have been stored without its answer: a case
    may then be one version further than acknowledged.
    """
    with client_of(port) as client:
        _verify(client, ledger, allow_one_more)


def _verify(client: Client, ledger: Ledger, allow_one_more: bool) -> None:
    for ref, (version, title_word) in sorted(ledger.alive.items()):
        status, body = client.call("GET", f"/api/cases/{ref}")
        assert status == 200, (ref, status, body)
        if body["version"] == version:
            assert title_word in body["title"], (ref, body["title"])
            found = client.call("GET", f"/api/cases?q={title_word}")[1]
            assert [hit["ref"] for hit in found["results"]] == [ref], title_word
        else:
            assert allow_one_more and body["version"] == version + 1, (ref, version, body)
    for ref in sorted(ledger.deleted):
        status, _ = client.call("GET", f"/api/cases/{ref}")
        assert status in (404, 410), (ref, status)


def prepared(service: Casebase, env: dict[str, str]) -> str:
    service.create_user("loader", "load-test-password", admin=True)
    return service.create_token("loader")


def no_server_errors(log: Path) -> None:
    """The server logged no 5xx answer and no error (every line is JSON: not a terminal)."""
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [line for line in lines if line.get("status", 0) >= 500] == []
    assert [line for line in lines if line["level"] in ("ERROR", "CRITICAL")] == []


def test_writers_and_readers_together_lose_nothing_and_see_no_5xx(
    seeded: Casebase, env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    token = prepared(seeded, env)
    ledger = Ledger()
    log = tmp_path / "server.log"
    with serving(env, log) as (port, _):
        took = run_clients(port, token, ledger, LOAD_SECONDS, READERS)
        assert ledger.failures == []
        verify(port, ledger)
        with client_of(port) as client:
            assert client.call("GET", "/readyz") == (200, {"status": "ok"})
    no_server_errors(log)
    kind = database_url.split(":", 1)[0].split("+", 1)[0]
    figures = {
        "database": kind,
        "workers": WORKERS,
        "writers": WRITERS,
        "readers": READERS,
        "seconds": round(took, 1),
        "writes": ledger.writes,
        "searches": ledger.searches,
        "writes_per_second": round(ledger.writes / took, 1),
        "searches_per_second": round(ledger.searches / took, 1),
        "lost": 0,
        "server_errors": 0,
        "cases_alive": len(ledger.alive),
        "cases_deleted": len(ledger.deleted),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"load-{kind}.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\nload on {kind}: {json.dumps(figures)}")
    assert ledger.writes > WRITERS and ledger.searches > READERS


def test_a_server_killed_mid_write_loses_no_acknowledged_write_and_the_index_heals(
    seeded: Casebase, env: dict[str, str], tmp_path: Path
) -> None:
    token = prepared(seeded, env)
    ledger = Ledger()
    log = tmp_path / "server.log"
    with serving(env, log) as (port, process):
        stop = threading.Event()
        threads = [
            threading.Thread(target=writer, args=(n, port, token, ledger, stop))
            for n in range(WRITERS)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 120
        while ledger.writes < KILL_AFTER_WRITES and time.monotonic() < deadline:
            time.sleep(0.1)  # waiting for writes to be under way, not a measurement
        os.killpg(process.pid, signal.SIGKILL)  # master and workers, mid-write
        process.wait(timeout=30)
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    assert ledger.failures == [] and ledger.writes >= KILL_AFTER_WRITES
    assert ledger.cut_off == WRITERS  # every writer had a request on its way, unanswered
    with serving(env, log) as (port, _):
        verify(port, ledger, allow_one_more=True)
    checked = run_cli(["check"], env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "database and index agree" in checked.stdout
