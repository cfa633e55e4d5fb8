"""Domain errors: they know nothing about HTTP (web/errors.py maps them to status codes)."""

from __future__ import annotations

from datetime import datetime


class CasebaseError(Exception):
    """Base of every error a user can cause; its message is meant for that user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidSearch(CasebaseError):
    """A search parameter that is unknown or out of range; `problems` one message each."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class NotFound(CasebaseError):
    """No case (or user, or token) by that name."""


class Gone(NotFound):
    """A case that was deleted: its ref answers 410 with the time of deletion."""

    def __init__(self, message: str, deleted_at: datetime) -> None:
        super().__init__(message)
        self.deleted_at = deleted_at


class InvalidVersion(CasebaseError):
    """A restore that names no version of a live case, or a version that is a deletion."""


class Conflict(CasebaseError):
    """The record exists already (a create of an existing ref)."""


class StaleVersion(CasebaseError):
    """The client edited an older version than the one stored."""


class ValidationFailed(CasebaseError):
    """A record broke the rules of the record schema; `errors` maps field -> messages."""

    def __init__(
        self, errors: dict[str, list[str]], message: str = "The record is invalid"
    ) -> None:
        super().__init__(message)
        self.errors = errors


class UnreadableFile(CasebaseError):
    """An import file that cannot be read in its format (empty, truncated, binary, no header)."""


class UnsupportedFile(CasebaseError):
    """A document whose content is not one of the accepted types, or not the type its name says."""


class FileTooLarge(CasebaseError):
    """A document larger than the server keeps (CASEBASE_MAX_DOCUMENT_MB)."""


class Unauthorized(CasebaseError):
    """No credentials, or wrong ones."""


class Forbidden(CasebaseError):
    """Valid credentials without the right to do this."""


class TooManyAttempts(CasebaseError):
    """Too many failed authentications from one client: wait `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Busy(CasebaseError):
    """A shared resource (the index's write lock) stayed taken too long: try again shortly."""


class NotReady(CasebaseError):
    """The database does not answer, or the index is not in step with it (GET /readyz)."""


class DatabaseNotEmpty(CasebaseError):
    """A restore needs an empty database."""
