"""requirements.lock pins everything the image installs (Dockerfile) and stays in step with
pyproject.toml: every dependency is pinned, at a version inside its range, with hashes.
No network: `make lock` remakes the lock when this fails."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, requires
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
# The image's Python (Dockerfile: python:3.11-slim) on Linux, as the lock was resolved for.
TARGET = {"python_version": "3.11", "sys_platform": "linux", "platform_system": "Linux"}


def locked() -> dict[str, tuple[str, int]]:
    """Each pinned package: its version and its number of hashes."""
    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            assert current not in pins, f"{current} twice in the lock"
            pins[current] = (match.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def project() -> list[Requirement]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [Requirement(text) for text in data["project"]["dependencies"]]


def applies(requirement: Requirement, extras: set[str]) -> bool:
    if requirement.marker is None:
        return True
    return any(
        Marker(str(requirement.marker)).evaluate({**TARGET, "extra": extra})
        for extra in extras or {""}
    )


def test_every_dependency_is_pinned_inside_its_range() -> None:
    pins = locked()
    for requirement in project():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in requirements.lock (make lock)"
        version = pins[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements.lock pins {name}=={version}, outside {requirement} (make lock)"
        )


def test_the_extras_asked_for_are_pinned_too() -> None:
    """psycopg[binary] brings psycopg-binary: it must be in the lock as well."""
    pins = locked()
    for requirement in project():
        if not requirement.extras:
            continue
        try:
            needs = [Requirement(text) for text in requires(requirement.name) or []]
        except PackageNotFoundError:
            continue  # not installed here: the first test has checked the name itself
        for need in needs:
            if need.marker is not None and applies(need, set(requirement.extras)):
                assert canonicalize_name(need.name) in pins, f"{need.name} (for {requirement})"


def test_every_pin_has_hashes_for_pip_require_hashes() -> None:
    pins = locked()
    assert pins, "requirements.lock pins nothing"
    assert [name for name, (_, hashes) in pins.items() if not hashes] == []


def test_the_lock_is_made_for_the_images_python() -> None:
    header = LOCK.read_text(encoding="utf-8").splitlines()[:3]
    assert any("--python-version 3.11" in line for line in header)
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "python:3.11-slim" in dockerfile
