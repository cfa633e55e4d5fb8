"""Configuration: embedded defaults -> CASEBASE_* environment -> test overrides.

Every setting is a CASEBASE_* variable, registered once in SETTINGS below and documented in
the README's one table (docs/contract.md section 12; tests/test_settings.py compares them).
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import clock
from .datalicense import DEFAULT_LICENSE, DataLicense, data_license
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

# The map's tiles (docs/contract.md section 10): an http(s) address with {z}, {x} and {y}, as
# Leaflet takes it ({s} for a subdomain too). The map page's Content-Security-Policy allows
# images from its origin, so only a plain host name (or address) and port are accepted there.
DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILE_ATTRIBUTION = "© OpenStreetMap contributors"
OSM_COPYRIGHT = "https://www.openstreetmap.org/copyright"
_TILE_HOST = re.compile(r"(\{s\}\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


LOG_FORMATS = ("auto", "json", "text")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True)
class Setting:
    """One CASEBASE_* variable and its default as the README's table gives it."""

    name: str  # without the prefix
    default_text: str

    @property
    def variable(self) -> str:
        return ENV_PREFIX + self.name


SETTINGS = (
    Setting("DATABASE_URL", "`sqlite:///<instance>/casebase.db`"),
    Setting("INDEX_DIR", "`<project>/index/`"),
    Setting("SECRET_KEY", "generated once and kept in `<instance>/secret_key`"),
    Setting("INSTANCE_DIR", "`<project>/instance/`"),
    Setting("SEED_DIR", "`<project>/seed_data/`"),
    Setting("SESSION_HOURS", f"`{SESSION_HOURS}`"),
    Setting("SECURE_COOKIES", "`0`"),
    Setting("RATELIMIT_STORAGE_URI", f"`{RATELIMIT_STORAGE_URI}`"),
    *(Setting(name, f"`{default}`") for name, default in IMPORT_LIMITS.items()),
    Setting("SERVER_THREADS", "`4`"),
    Setting("INDEX_PROCESSES", "the number of cores"),
    Setting("CHANNEL_TIMEOUT_S", "`30`"),
    Setting("CONNECTION_LIMIT", "`500`"),
    Setting("GRACEFUL_TIMEOUT_S", "`30`"),
    Setting("TRUSTED_PROXY", "none"),
    Setting("LOG_FORMAT", "`auto`"),
    Setting("LOG_LEVEL", "`INFO` for `casebase serve`, else `WARNING`"),
    Setting("TODAY", "the date in Denmark"),
    Setting("LEXICON_CACHE", "`~/.cache/casebase/`"),
    Setting("TILE_URL", f"`{DEFAULT_TILE_URL}`"),
    Setting("TILE_ATTRIBUTION", f"`{DEFAULT_TILE_ATTRIBUTION}`"),
    Setting("DATA_LICENSE", f"`{DEFAULT_LICENSE}`"),
    Setting("PUBLISHER", f"`{PUBLISHER}`"),
    Setting("CONTACT_EMAIL", "none"),
    Setting("DOCUMENT_DIR", "`<instance>/documents/`"),
    *(Setting(name, f"`{default}`") for name, default in DOCUMENT_LIMITS.items()),
)


def text_setting(name: str) -> str | None:
    """CASEBASE_<name> with white space around it removed; None when unset or blank."""
    return os.environ.get(ENV_PREFIX + name, "").strip() or None


def choice_setting(name: str, choices: tuple[str, ...], default: str) -> str:
    """CASEBASE_<name>, one of `choices` in any case, else `default`."""
    text = text_setting(name)
    if text is None:
        return default
    for choice in choices:
        if text.lower() == choice.lower():
            return choice
    raise CasebaseError(f"{ENV_PREFIX}{name} must be one of {', '.join(choices)}, not {text!r}")


def _hours_setting(name: str, default: float) -> float:
    text = text_setting(name)
    if text is None:
        return default
    try:
        hours = float(text)
    except ValueError:
        hours = 0.0
    if not 0 < hours < float("inf"):
        raise CasebaseError(f"{ENV_PREFIX}{name} must be a number above 0, not {text!r}")
    return hours


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


def tile_url(text: str | None) -> str:
    """CASEBASE_TILE_URL checked: a tile address Leaflet can fill in (the default when empty)."""
    url = (text or "").strip() or DEFAULT_TILE_URL
    parts = urlsplit(url)
    missing = [name for name in ("{z}", "{x}", "{y}") if name not in url]
    if parts.scheme not in ("http", "https") or not _TILE_HOST.fullmatch(parts.netloc) or missing:
        raise CasebaseError(
            f"{ENV_PREFIX}TILE_URL must be an http(s) address of map tiles with {{z}}, {{x}} and "
            f"{{y}} (such as {DEFAULT_TILE_URL}), not {url!r}"
        )
    return url


def tile_origin(url: str) -> str:
    """Where a tile URL's images come from, as a Content-Security-Policy source."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.replace('{s}.', '*.')}"


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
    seed_dir = text_setting("SEED_DIR")
    session_hours = _hours_setting("SESSION_HOURS", SESSION_HOURS)
    # Read where they are used (clock.py, logs.py); checked here, so a bad value stops a
    # command or the server at its start with one line.
    clock.today()
    choice_setting("LOG_FORMAT", LOG_FORMATS, "auto")
    choice_setting("LOG_LEVEL", LOG_LEVELS, "INFO")
    config: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "INDEX_DIR": str(_resolve(index_dir) if index_dir else DEFAULT_INDEX_DIR),
        "SECRET_KEY": secret or _secret_key(folder),
        "MAX_CONTENT_LENGTH": MAX_CONTENT_LENGTH,
        "SEED_DIR": str(_resolve(seed_dir) if seed_dir else SEED_DIR),
        "DOCUMENT_DIR": str(_resolve(document_dir) if document_dir else folder / "documents"),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=session_hours),
        "RATELIMIT_STORAGE_URI": env.get(ENV_PREFIX + "RATELIMIT_STORAGE_URI")
        or RATELIMIT_STORAGE_URI,
        **{name: int_setting(name, default) for name, default in IMPORT_LIMITS.items()},
        "TILE_URL": tile_url(env.get(ENV_PREFIX + "TILE_URL")),
        "TILE_ATTRIBUTION": (env.get(ENV_PREFIX + "TILE_ATTRIBUTION") or "").strip()
        or DEFAULT_TILE_ATTRIBUTION,
        "PUBLISHER": (env.get(ENV_PREFIX + "PUBLISHER") or "").strip() or PUBLISHER,
        "CONTACT_EMAIL": _email(env.get(ENV_PREFIX + "CONTACT_EMAIL")),
        **{name: int_setting(name, default) for name, default in DOCUMENT_LIMITS.items()},
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
