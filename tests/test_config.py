"""Configuration: embedded defaults, CASEBASE_* variables, test overrides."""

import pytest

from casebase.config import IMPORT_LIMITS, PROJECT_ROOT, load_config
from casebase.datalicense import DataLicense
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


# --- the data's licence (docs/contract.md section 11) ---------------------------------------


def test_the_data_licence_defaults_to_cc_by_4(tmp_path, monkeypatch):
    monkeypatch.setenv("CASEBASE_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.delenv("CASEBASE_DATA_LICENSE", raising=False)
    licence = load_config()["DATA_LICENSE"]
    assert licence == DataLicense(
        "CC-BY-4.0",
        "Creative Commons Attribution 4.0 International",
        "https://creativecommons.org/licenses/by/4.0/",
    )


@pytest.mark.parametrize(
    ("given", "spdx_id", "url"),
    [
        ("CC0-1.0", "CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
        (" cc-by-sa-4.0 ", "CC-BY-SA-4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
        (
            "CC-BY-NC-ND-3.0",
            "CC-BY-NC-ND-3.0",
            "https://creativecommons.org/licenses/by-nc-nd/3.0/",
        ),
        ("ODbL-1.0", "ODbL-1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
        ("PDDL-1.0", "PDDL-1.0", "https://opendatacommons.org/licenses/pddl/1-0/"),
        ("ODC-By-1.0", "ODC-By-1.0", "https://opendatacommons.org/licenses/by/1-0/"),
        ("CC-BY-3.0-AT", "CC-BY-3.0-AT", "https://spdx.org/licenses/CC-BY-3.0-AT.html"),
        ("MIT", "MIT", "https://spdx.org/licenses/MIT.html"),
    ],
)
def test_a_licence_is_an_spdx_id_with_its_address(tmp_path, monkeypatch, given, spdx_id, url):
    monkeypatch.setenv("CASEBASE_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("CASEBASE_DATA_LICENSE", given)
    licence = load_config()["DATA_LICENSE"]
    assert (licence.id, licence.url) == (spdx_id, url)
    assert licence.name


@pytest.mark.parametrize("value", ["CC-BY-5.0", "Creative Commons", "GPL-2.0+ OR MIT", "<b>"])
def test_an_unknown_licence_is_named(tmp_path, monkeypatch, value):
    monkeypatch.setenv("CASEBASE_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("CASEBASE_DATA_LICENSE", value)
    with pytest.raises(CasebaseError, match="CASEBASE_DATA_LICENSE must be an SPDX licence id"):
        load_config()


def test_a_licence_given_as_a_test_override_is_checked_too(tmp_path, monkeypatch):
    monkeypatch.setenv("CASEBASE_INSTANCE_DIR", str(tmp_path / "instance"))
    assert load_config({"DATA_LICENSE": "CC0-1.0"})["DATA_LICENSE"].id == "CC0-1.0"
    with pytest.raises(CasebaseError, match="SPDX"):
        load_config({"DATA_LICENSE": "nope"})
