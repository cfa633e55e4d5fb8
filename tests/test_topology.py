"""The set-up of compose.yaml (docs/contract.md section 12), checked two ways, as no Docker
engine can run here: the files declare it (PostgreSQL, two servers on one database with an
index folder each, a proxy in front, health checks on /readyz, a small non-root image from
the lock file); and the same topology runs without Docker: two `casebase serve` over one
throwaway PostgreSQL, each with its own index folder, where a write through one is found
through the other at once, also after one was killed (SIGKILL) and restarted."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import free_port, wait_for_port

from casebase.services import Casebase

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
SERVERS = ("app1", "app2")
# The Compose Specification's JSON schema (tests/compose/, Apache-2.0, compose-spec/compose-spec).
COMPOSE_SCHEMA = json.loads((ROOT / "tests/compose/compose-spec.json").read_text("utf-8"))


# --- what the files declare --------------------------------------------------------------


def test_compose_yaml_follows_the_compose_specification() -> None:
    errors = list(jsonschema.Draft7Validator(COMPOSE_SCHEMA).iter_errors(COMPOSE))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


def test_compose_runs_postgresql_two_servers_and_a_proxy() -> None:
    services = COMPOSE["services"]
    assert set(services) == {"db", "migrate", *SERVERS, "proxy"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["proxy"]["image"].startswith("caddy:")
    for name in (*SERVERS, "migrate"):
        assert services[name]["build"] == "."
        assert services[name]["image"] == services["app1"]["image"]
    assert services["migrate"]["command"] == ["casebase", "init"]


def test_the_two_servers_share_the_database_and_keep_their_own_index() -> None:
    services = COMPOSE["services"]
    first, second = (services[name] for name in SERVERS)
    for setting in ("CASEBASE_DATABASE_URL", "CASEBASE_SECRET_KEY", "CASEBASE_INDEX_DIR"):
        assert first["environment"][setting] == second["environment"][setting], setting
    assert "@db:5432/" in first["environment"]["CASEBASE_DATABASE_URL"]
    assert first["environment"]["CASEBASE_DATABASE_URL"].startswith("postgresql+psycopg://")
    index_dir = first["environment"]["CASEBASE_INDEX_DIR"]
    volumes = [
        next(v.split(":")[0] for v in services[name]["volumes"] if v.endswith(f":{index_dir}"))
        for name in SERVERS
    ]
    assert len(set(volumes)) == 2 and set(volumes) <= set(COMPOSE["volumes"])
    for server in (first, second):
        assert server["command"][:2] == ["casebase", "serve"]
        assert server["environment"]["CASEBASE_TRUSTED_PROXY"]
        assert "ports" not in server  # reached through the proxy only
        assert server["depends_on"]["db"]["condition"] == "service_healthy"
        assert server["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_health_checks_ask_readyz() -> None:
    for name in SERVERS:
        check = " ".join(COMPOSE["services"][name]["healthcheck"]["test"])
        assert "/readyz" in check and ":8000/" in check
    caddyfile = caddy_config()
    assert re.search(r"^\s*health_uri /readyz$", caddyfile, re.M)


def caddy_config() -> str:
    mounts = COMPOSE["services"]["proxy"]["volumes"]
    source = next(m.split(":")[0] for m in mounts if ":/etc/caddy/Caddyfile" in m)
    return (ROOT / source).read_text(encoding="utf-8")


def test_the_proxy_sends_requests_to_both_servers() -> None:
    (upstreams,) = re.findall(r"^\s*reverse_proxy (.+?) \{$", caddy_config(), re.M)
    assert sorted(upstreams.split()) == [f"{name}:8000" for name in SERVERS]
    assert COMPOSE["services"]["proxy"]["ports"]


def dockerfile_stages() -> list[list[str]]:
    """The Dockerfile's instructions (continuation lines joined), one list per stage."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    stages: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


def test_the_image_is_small_unprivileged_and_from_the_lock_file() -> None:
    build, final = dockerfile_stages()
    assert any("--require-hashes" in i and "requirements.lock" in i for i in build)
    assert not any(i.startswith("COPY . ") for stage in (build, final) for i in stage)
    users = [i.split()[1] for i in final if i.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert (
        final[0].startswith("FROM ${PYTHON_IMAGE}") and "slim" in (ROOT / "Dockerfile").read_text()
    )
    assert any(i.startswith("COPY --from=build") for i in final)
    assert json.loads(next(i for i in final if i.startswith("CMD "))[4:])[:2] == [
        "casebase",
        "serve",
    ]
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert ignored[ignored.index("*") :].count("!tests/") == 0


def test_the_readme_says_how_to_start_it() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docker compose up" in readme
    for command in ("casebase seed", "casebase user create"):
        (line,) = [
            line
            for line in readme.splitlines()
            if line.startswith("docker compose exec") and command in line
        ]
        assert line.split()[3] in SERVERS


# --- the same topology, without Docker ----------------------------------------------------


@contextmanager
def serving(env: dict[str, str], index_dir: Path, log: Path) -> Iterator[tuple[str, Any]]:
    """`casebase serve` with its own index folder, in a process group of its own."""
    port = free_port()
    executable = Path(sys.executable).with_name("casebase")
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [str(executable), "serve", "--port", str(port), "--workers", "2"],
            env={**os.environ, **env, "CASEBASE_INDEX_DIR": str(index_dir)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}", process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)


def call(url: str, method: str = "GET", body: Any = None, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def found(server: str, word: str) -> list[str]:
    status, body = call(f"{server}/api/cases?q={urllib.parse.quote(word)}")
    assert status == 200, body
    return [hit["ref"] for hit in body["results"]]


def case(ref: str, word: str) -> dict[str, Any]:
    return {
        "ref": ref,
        "title": f"Topologiprøve {word}",
        "description": f"En sag skrevet gennem én server og fundet gennem en anden: {word}.",
        "municipalities": ["Viborg"],
        "collaboration_forms": ["tvaerkommunalt"],
        "themes": ["landdistrikter"],
    }


@pytest.mark.postgres
def test_two_servers_over_one_postgresql_find_each_others_writes(
    pg_cluster: Any, tmp_path: Path
) -> None:
    env = {
        "CASEBASE_DATABASE_URL": pg_cluster.fresh_database("topology"),
        "CASEBASE_SECRET_KEY": "one key for both servers",
        "CASEBASE_INSTANCE_DIR": str(tmp_path / "instance"),
    }
    setup = Casebase(env["CASEBASE_DATABASE_URL"], tmp_path / "index-setup")
    try:
        setup.init_db()
        setup.create_user("boss", "pw-123456", admin=True)
        token = setup.create_token("boss")
    finally:
        setup.close()
    log = tmp_path / "servers.log"
    with serving(env, tmp_path / "index-1", log) as (one, _):
        with serving(env, tmp_path / "index-2", log) as (two, second):
            assert call(f"{one}/api/cases", "POST", case("via-one", "kragerede"), token)[0] == 201
            assert found(two, "kragerede") == ["via-one"]
            assert call(f"{two}/api/cases", "POST", case("via-two", "svaleunger"), token)[0] == 201
            assert found(one, "svaleunger") == ["via-two"]
            os.killpg(second.pid, signal.SIGKILL)
            second.wait(timeout=30)
            # While the second server is down, the first one writes, changes and deletes.
            assert call(f"{one}/api/cases", "POST", case("while-down", "stære"), token)[0] == 201
            changed = case("via-two", "gøgeunger")
            assert call(f"{one}/api/cases/via-two", "PUT", changed, token)[0] == 200
            assert call(f"{one}/api/cases/via-one", "DELETE", None, token)[0] == 204
        with serving(env, tmp_path / "index-2", log) as (two, _):
            assert found(two, "stære") == ["while-down"]
            assert found(two, "gøgeunger") == ["via-two"]
            assert found(two, "svaleunger") == [] and found(two, "kragerede") == []
            assert call(f"{two}/readyz") == (200, {"status": "ok"})
            assert call(f"{two}/api/cases", "POST", case("after", "musvåger"), token)[0] == 201
            assert found(one, "musvåger") == ["after"]
            assert call(f"{one}/readyz") == (200, {"status": "ok"})
    for folder in ("index-1", "index-2"):
        check = Casebase(env["CASEBASE_DATABASE_URL"], tmp_path / folder)
        try:
            assert check.check().agrees
        finally:
            check.close()
