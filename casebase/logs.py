"""Logging, set up once for the command line and the server alike (docs/contract.md section 12).

Every record goes to stderr: as one JSON object a line when stderr is not a terminal (a log
system reads it), as readable text on a terminal; CASEBASE_LOG_FORMAT chooses otherwise. The
loggers of gunicorn and waitress have no handlers of their own here: their records travel to
the same handler. A record written while a request is served carries its request id.
"""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

from pythonjsonlogger.json import JsonFormatter

from .config import LOG_FORMATS, LOG_LEVELS, choice_setting

# The request being served by this thread, for every record written meanwhile.
REQUEST_ID: ContextVar[str | None] = ContextVar("casebase_request_id", default=None)
# Loggers of the libraries that serve: their own handlers are removed, their records propagate.
SERVER_LOGGERS = ("gunicorn", "gunicorn.error", "gunicorn.access", "waitress", "waitress.queue")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = ["asctime", "levelname", "name", "message"]
JSON_NAMES = {"asctime": "timestamp", "levelname": "level", "name": "logger"}


class _JsonLines(JsonFormatter):
    """One JSON object a line: timestamp (ISO 8601, UTC), level, logger, message, extras."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802  # logging's name
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class _RequestContext(logging.Filter):
    """Adds the request id of the request being served, when there is one."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = REQUEST_ID.get()
        if request_id is not None and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True


def uses_json(stream: object = None) -> bool:
    """Whether records are written as JSON lines (CASEBASE_LOG_FORMAT, else: not a terminal)."""
    chosen = choice_setting("LOG_FORMAT", LOG_FORMATS, "auto")
    if chosen != "auto":
        return chosen == "json"
    isatty = getattr(stream or sys.stderr, "isatty", None)
    return not (isatty is not None and isatty())


def configure(default_level: str = "WARNING") -> None:
    """Send every record to stderr in the one format; the level from CASEBASE_LOG_LEVEL.

    Called by the command line when it starts and by gunicorn's master (server.py); calling it
    again replaces the handler, so it is set up once whoever calls.
    """
    level = choice_setting("LOG_LEVEL", LOG_LEVELS, default_level)
    handler = logging.StreamHandler(sys.stderr)
    formatter: logging.Formatter
    if uses_json():
        formatter = _JsonLines(JSON_FIELDS, rename_fields=JSON_NAMES, json_ensure_ascii=False)
    else:
        formatter = logging.Formatter(TEXT_FORMAT)
    handler.setFormatter(formatter)
    handler.addFilter(_RequestContext())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            logger.removeHandler(old)
        logger.propagate = True
        logger.setLevel(logging.NOTSET)
    logging.captureWarnings(True)
