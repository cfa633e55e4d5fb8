"""Configuration: embedded defaults, CASEBASE_* variables, test overrides."""

import pytest

from casebase.config import IMPORT_LIMITS, PROJECT_ROOT, load_config
from casebase.errors import CasebaseError


def test_embedded_defaults(tmp_path, monkeypatch):
    for name in ("CASEBASE_DATABASE_URL", "CASEBASE_INDEX_DIR", "CASEBASE_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CASEBASE_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'instance' / 'casebase.db'}"
    assert config["INDEX_DIR"] == str(PROJECT_ROOT / "index")
    key = config["SECRET_KEY"]
    assert len(key) == 64
    assert (tmp_path / "instance" / "secret_key").read_text() == key
    assert load_config()["SECRET_KEY"] == key  # generated once, then kept


def test_environment_and_relative_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CASEBASE_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("CASEBASE_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("CASEBASE_INDEX_DIR", "var/index")
    monkeypatch.setenv("CASEBASE_SECRET_KEY", "from-env")
    config = load_config()
    assert config["DATABASE_URL"] == "postgresql+psycopg://u@h/db"
    assert config["INDEX_DIR"] == str(PROJECT_ROOT / "var" / "index")
    assert config["SECRET_KEY"] == "from-env"


def test_overrides_win(tmp_path, monkeypatch):
    monkeypatch.setenv("CASEBASE_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("CASEBASE_DATABASE_URL", "sqlite:///from-env.db")
    config = load_config({"DATABASE_URL": "sqlite:///override.db", "TESTING": True})
    assert config["DATABASE_URL"] == "sqlite:///override.db"
    assert config["TESTING"] is True


def test_import_limits_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CASEBASE_INSTANCE_DIR", str(tmp_path / "instance"))
    config = load_config()
    assert [config[name] for name in IMPORT_LIMITS] == [1000, 1_048_576, 1024, 120]
    monkeypatch.setenv("CASEBASE_IMPORT_MAX_ERRORS", "50")
    monkeypatch.setenv("CASEBASE_IMPORT_TIMEOUT_S", " 30 ")
    config = load_config()
    assert (config["IMPORT_MAX_ERRORS"], config["IMPORT_TIMEOUT_S"]) == (50, 30)


@pytest.mark.parametrize("value", ["0", "-1", "ten", "1.5", "²"])
def test_a_bad_import_limit_is_named(tmp_path, monkeypatch, value):
    monkeypatch.setenv("CASEBASE_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("CASEBASE_IMPORT_MAX_ROWS", value)
    with pytest.raises(CasebaseError, match="CASEBASE_IMPORT_MAX_ROWS must be a whole number"):
        load_config()
