"""marshmallow schemas: the one record schema, the search's parameters and answers, messages."""

from .messages import Message
from .record import (
    MAX_TEXT_CHARS,
    REF_PATTERN,
    RecordSchema,
    VocabularyKey,
    VocabularyList,
    WholeNumber,
    derive_status,
    field_errors,
    load_record,
)

__all__ = [
    "MAX_TEXT_CHARS",
    "REF_PATTERN",
    "Message",
    "RecordSchema",
    "VocabularyKey",
    "VocabularyList",
    "WholeNumber",
    "derive_status",
    "field_errors",
    "load_record",
]
