"""Configuration: embedded defaults -> CASEBASE_* environment -> test overrides."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from .errors import CasebaseError
from .importer import ImportLimits

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
DEFAULT_INDEX_DIR = PROJECT_ROOT / "index"
SEED_DIR = PROJECT_ROOT / "seed_data"  # the seed cases and the shipped thesaurus
SECRET_KEY_FILE = "secret_key"
ENV_PREFIX = "CASEBASE_"
# Upload limit for imports through the API and the admin pages.
MAX_CONTENT_LENGTH = 64 * 1024 * 1024
# Case documents (docs/contract.md section 13): the largest file kept, and the time and memory
# the child process reading one document's text may use (casebase/extract.py).
DOCUMENT_LIMITS = {"MAX_DOCUMENT_MB": 50, "EXTRACT_SECONDS": 20, "EXTRACT_MEMORY_MB": 512}
# An admin's login session cookie is refused once this long has passed since it was last
# written (the login, or a later message); logout ends every session of the user at once.
SESSION_HOURS = 8
# Where the rate limiter counts failed logins and tokens: the casebase database by default.
RATELIMIT_STORAGE_URI = "casebase://"
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
    document_dir = env.get(ENV_PREFIX + "DOCUMENT_DIR")
    secret = overrides.pop("SECRET_KEY", None) or env.get(ENV_PREFIX + "SECRET_KEY")
    session_hours = float(env.get(ENV_PREFIX + "SESSION_HOURS") or SESSION_HOURS)
    config: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "INDEX_DIR": str(_resolve(index_dir) if index_dir else DEFAULT_INDEX_DIR),
        "SECRET_KEY": secret or _secret_key(folder),
        "MAX_CONTENT_LENGTH": MAX_CONTENT_LENGTH,
        "SEED_DIR": str(SEED_DIR),
        "DOCUMENT_DIR": str(_resolve(document_dir) if document_dir else folder / "documents"),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=session_hours),
        "RATELIMIT_STORAGE_URI": env.get(ENV_PREFIX + "RATELIMIT_STORAGE_URI")
        or RATELIMIT_STORAGE_URI,
        **{name: int_setting(name, default) for name, default in IMPORT_LIMITS.items()},
        **{name: int_setting(name, default) for name, default in DOCUMENT_LIMITS.items()},
    }
    config.update(overrides)
    return config
