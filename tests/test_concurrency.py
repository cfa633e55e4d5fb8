"""Concurrent writers through a real multi-worker server: nothing is lost, versions never repeat.

Finding 1 of the hardening issue: ten parallel PUTs with the same If-Match answered 200 twice
with the same new version (one edit vanished), versions repeated without If-Match, and two
parallel DELETEs both answered 204. These run against `casebase serve` on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from test_api_server import Answer, call, record, token_for

WRITERS = 10
ROUNDS = 3


@pytest.fixture
def boss(live_server: str, env: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(env, 'boss', admin=True)}"}


def at_once(calls: list[tuple[str, str, Any, dict[str, str]]], base: str) -> list[Answer]:
    """Send the requests from as many threads, released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    answers: list[Answer | None] = [None] * len(calls)

    def send(i: int) -> None:
        method, path, body, headers = calls[i]
        barrier.wait()
        answers[i] = call(base, method, path, body, headers)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(a is not None for a in answers), "a request did not come back"
    return [a for a in answers if a is not None]


def test_of_writers_with_the_same_if_match_exactly_one_wins(
    live_server: str, boss: dict[str, str]
) -> None:
    assert call(live_server, "POST", "/api/cases", record(), boss).status == 201
    for round_ in range(ROUNDS):
        version = call(live_server, "GET", "/api/cases/server-test").json()["version"]
        calls = [
            (
                "PUT",
                "/api/cases/server-test",
                record(title=f"Runde {round_} skriver {i}"),
                boss | {"If-Match": f'"{version}"'},
            )
            for i in range(WRITERS)
        ]
        answers = at_once(calls, live_server)
        statuses = Counter(a.status for a in answers)
        assert statuses == {200: 1, 412: WRITERS - 1}, statuses
        winner = next(a for a in answers if a.status == 200)
        assert winner.json()["version"] == version + 1
        stored = call(live_server, "GET", "/api/cases/server-test").json()
        assert stored["title"] == winner.json()["title"]
        assert stored["version"] == version + 1


def test_without_if_match_every_write_gets_its_own_version(
    live_server: str, boss: dict[str, str]
) -> None:
    assert call(live_server, "POST", "/api/cases", record(), boss).status == 201
    calls = [
        ("PUT", "/api/cases/server-test", record(title=f"Skriver {i}"), boss)
        for i in range(WRITERS)
    ]
    answers = at_once(calls, live_server)
    assert [a.status for a in answers] == [200] * WRITERS
    versions = sorted(a.json()["version"] for a in answers)
    assert versions == list(range(2, WRITERS + 2))
    # Each ETag names exactly one content: the newest answer is what is stored.
    newest = max(answers, key=lambda a: a.json()["version"])
    stored = call(live_server, "GET", "/api/cases/server-test")
    assert stored.headers["etag"] == newest.headers["etag"]
    assert stored.json()["title"] == newest.json()["title"]


def test_of_parallel_deletes_one_wins(live_server: str, boss: dict[str, str]) -> None:
    for round_ in range(ROUNDS):
        ref = f"slet-{round_}"
        assert call(live_server, "POST", "/api/cases", record(ref=ref), boss).status == 201
        answers = at_once([("DELETE", f"/api/cases/{ref}", None, boss)] * 4, live_server)
        statuses = Counter(a.status for a in answers)
        assert statuses[204] == 1 and statuses[404] + statuses[410] == 3, statuses
        assert call(live_server, "GET", f"/api/cases/{ref}").status in (404, 410)
