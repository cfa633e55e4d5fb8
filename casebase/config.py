"""Configuration: embedded defaults -> CASEBASE_* environment -> test overrides."""

from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from .datalicense import DEFAULT_LICENSE, DataLicense, data_license
from .errors import CasebaseError
from .importer import ImportLimits

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
DEFAULT_INDEX_DIR = PROJECT_ROOT / "index"
SECRET_KEY_FILE = "secret_key"
ENV_PREFIX = "CASEBASE_"
# Upload limit for imports through the API and the admin pages.
MAX_CONTENT_LENGTH = 64 * 1024 * 1024
# An admin's login session cookie is refused once this long has passed since it was last
# written (the login, or a later message); logout ends every session of the user at once.
SESSION_HOURS = 8
# Where the rate limiter counts failed logins and tokens: the casebase database by default.
RATELIMIT_STORAGE_URI = "casebase://"
# Who publishes the data, as the feeds and the DCAT-AP description name them
# (CASEBASE_PUBLISHER), and an address for questions about it (CASEBASE_CONTACT_EMAIL).
PUBLISHER = "casebase"
EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")
# Bounds on every import (IMPORT_TIMEOUT_S only for imports through the web, which a worker
# waits for), each a whole number >= 1 read from CASEBASE_<name>.
_IMPORT_DEFAULTS = ImportLimits()
IMPORT_LIMITS = {
    "IMPORT_MAX_ERRORS": _IMPORT_DEFAULTS.max_errors,  # errors listed in a report; all are counted
    "IMPORT_MAX_ROWS": _IMPORT_DEFAULTS.max_rows,  # rows (records, lines) read from one file
    "IMPORT_MAX_XLSX_MB": _IMPORT_DEFAULTS.max_xlsx_bytes // (1024 * 1024),  # a workbook, unpacked
    "IMPORT_TIMEOUT_S": 120,
}


def instance_dir() -> Path:
    """Where the default database and the secret key live (CASEBASE_INSTANCE_DIR overrides)."""
    return Path(os.environ.get(ENV_PREFIX + "INSTANCE_DIR") or INSTANCE_DIR)


def _resolve(path: str | os.PathLike[str]) -> Path:
    """Relative paths are taken from the project root, never the working directory."""
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else PROJECT_ROOT / candidate


def _secret_key(folder: Path) -> str:
    """Generate the secret key once and keep it under the instance folder."""
    key_file = folder / SECRET_KEY_FILE
    if key_file.exists():
        return key_file.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: when two processes start at once, the first one's key wins for both.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def int_setting(name: str, default: int) -> int:
    """A whole-number setting of at least 1 from CASEBASE_<name>, else `default`."""
    text = os.environ.get(ENV_PREFIX + name, "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdecimal()) or int(text) < 1:
        raise CasebaseError(
            f"{ENV_PREFIX}{name} must be a whole number of at least 1, not {text!r}"
        )
    return int(text)


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The settings: DATABASE_URL, INDEX_DIR, SECRET_KEY and the rest, resolved."""
    overrides = dict(overrides or {})
    env = os.environ
    folder = instance_dir()
    database_url = overrides.pop("DATABASE_URL", None) or env.get(ENV_PREFIX + "DATABASE_URL")
    if not database_url:
        folder.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{folder / 'casebase.db'}"
    index_dir = overrides.pop("INDEX_DIR", None) or env.get(ENV_PREFIX + "INDEX_DIR")
    secret = overrides.pop("SECRET_KEY", None) or env.get(ENV_PREFIX + "SECRET_KEY")
    session_hours = float(env.get(ENV_PREFIX + "SESSION_HOURS") or SESSION_HOURS)
    config: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "INDEX_DIR": str(_resolve(index_dir) if index_dir else DEFAULT_INDEX_DIR),
        "SECRET_KEY": secret or _secret_key(folder),
        "MAX_CONTENT_LENGTH": MAX_CONTENT_LENGTH,
        "SEED_DIR": str(PROJECT_ROOT / "seed_data"),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=session_hours),
        "RATELIMIT_STORAGE_URI": env.get(ENV_PREFIX + "RATELIMIT_STORAGE_URI")
        or RATELIMIT_STORAGE_URI,
        **{name: int_setting(name, default) for name, default in IMPORT_LIMITS.items()},
        "PUBLISHER": (env.get(ENV_PREFIX + "PUBLISHER") or "").strip() or PUBLISHER,
        "CONTACT_EMAIL": _email(env.get(ENV_PREFIX + "CONTACT_EMAIL")),
    }
    config.update(overrides)
    config["DATA_LICENSE"] = _license(config.get("DATA_LICENSE"))
    return config


def _license(given: str | DataLicense | None) -> DataLicense:
    """The data's licence from CASEBASE_DATA_LICENSE (or a test override), checked."""
    if isinstance(given, DataLicense):
        return given
    text = (given or os.environ.get(ENV_PREFIX + "DATA_LICENSE") or "").strip()
    return data_license(text or DEFAULT_LICENSE)


def _email(text: str | None) -> str | None:
    """CASEBASE_CONTACT_EMAIL: an e-mail address, or None when not set."""
    address = (text or "").strip()
    if not address:
        return None
    if not EMAIL.fullmatch(address):
        raise CasebaseError(f"{ENV_PREFIX}CONTACT_EMAIL must be an e-mail address, not {text!r}")
    return address
