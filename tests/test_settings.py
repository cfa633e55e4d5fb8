"""Every setting is a CASEBASE_* variable, listed once in casebase/config.py and once in the
README's one table (docs/contract.md sections 4 and 12); `casebase --version`."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest
from conftest import run_cli

from casebase.config import SETTINGS, load_config
from casebase.errors import CasebaseError

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "casebase"
# A row of the README's configuration table: | `CASEBASE_X` | default | meaning |
TABLE_ROW = re.compile(r"^\| `(CASEBASE_[A-Z0-9_]+)` \| (.*?) \| (.*?) \|$")
# What names a setting in the code: the variable itself, or a helper given its short name.
NAMED_IN_CODE = re.compile(r"CASEBASE_([A-Z0-9_]+)|_setting\(\s*\"([A-Z0-9_]+)\"")


def readme_table() -> dict[str, tuple[str, str]]:
    """The README's settings: name -> (default, meaning); only one table may hold them."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    tables: list[dict[str, tuple[str, str]]] = []
    current: dict[str, tuple[str, str]] | None = None
    for line in text.splitlines():
        row = TABLE_ROW.match(line)
        if row:
            if current is None:
                current = {}
                tables.append(current)
            assert row.group(1) not in current, f"{row.group(1)} twice in the README's table"
            current[row.group(1)] = (row.group(2), row.group(3))
        elif not line.startswith("|"):
            current = None
    assert len(tables) == 1, "the settings must be in one table of the README"
    return tables[0]


def names_in_code() -> set[str]:
    names: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for match in NAMED_IN_CODE.finditer(path.read_text(encoding="utf-8")):
            name = match.group(1) or match.group(2)
            if not name.endswith("_"):  # the prefix itself
                names.add("CASEBASE_" + name)
    return names


def test_the_readme_lists_every_setting_of_the_code_and_no_other() -> None:
    table = readme_table()
    registered = {setting.variable: setting for setting in SETTINGS}
    assert sorted(table) == sorted(registered)
    for name, (default, meaning) in table.items():
        assert default == registered[name].default_text, name
        assert meaning, name


def test_every_setting_the_code_names_is_registered() -> None:
    registered = {setting.variable for setting in SETTINGS}
    assert names_in_code() - registered == set()
    assert "CASEBASE_RATELIMIT_STORAGE_URI" in registered


def test_the_rate_limit_storage_is_a_setting(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("CASEBASE_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("CASEBASE_RATELIMIT_STORAGE_URI", "memory://")
    assert load_config()["RATELIMIT_STORAGE_URI"] == "memory://"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CASEBASE_TODAY", "next tuesday", "CASEBASE_TODAY must be a date as YYYY-MM-DD"),
        ("CASEBASE_LOG_FORMAT", "xml", "CASEBASE_LOG_FORMAT must be one of auto, json, text"),
        ("CASEBASE_LOG_LEVEL", "loud", "CASEBASE_LOG_LEVEL must be one of"),
        ("CASEBASE_SESSION_HOURS", "a day", "CASEBASE_SESSION_HOURS must be a number above 0"),
    ],
)
def test_a_bad_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv("CASEBASE_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv(name, value)
    with pytest.raises(CasebaseError, match=message):
        load_config()


def test_a_bad_setting_is_one_line_and_exit_2_on_the_command_line(env: dict[str, str]) -> None:
    result = run_cli(["search"], env | {"CASEBASE_TODAY": "2026-13-01"})
    assert result.returncode == 2
    assert result.stderr == (
        "casebase: CASEBASE_TODAY must be a date as YYYY-MM-DD, not '2026-13-01'\n"
    )


def test_version() -> None:
    result = run_cli(["--version"], {})
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        f"casebase {version('casebase')}\n",
        "",
    )
