"""The one record schema (docs/contract.md section 2): every record entering casebase passes it.

Its messages are catalogue Messages (schemas/messages.py): English for the API, translated by
key on the pages.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from .. import clock, vocabularies
from ..numbers import parse_amount, parse_whole_number
from ..vocabularies import RECORD_FIELDS, SYSTEM_FIELDS
from .messages import Message, field_messages

# A ref starts with a letter or digit: "." and ".." would be read as folders in its URLs.
REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# A spreadsheet cell holds at most this many characters: every text must fit one (exports).
MAX_TEXT_CHARS = 32_767
MIN_YEAR, MAX_YEAR = 1970, 2100
MAX_LINK_TITLE = 300
# Amounts are stored as BIGINT; a trillion kroner is far beyond any renewal project.
MAX_AMOUNT = 10**15
# Denmark's bounding box, Bornholm and Christiansø included.
LATITUDE_RANGE = (54.4, 57.9)
LONGITUDE_RANGE = (7.9, 15.3)
# What the API's description allows in a text: no NUL, no lone surrogate (a JSON string can
# hold one); and a character that is not white space either.
_STORABLE = "[^\\u0000\\ud800-\\udfff]"
_VISIBLE = "[^\\s\\u0000\\ud800-\\udfff]"
# An http(s) address, as the API's description gives it: marshmallow's URL rule (require_tld)
# written out for JSON Schema, so a described address is always one the schema takes.
_LABEL = "[A-Za-z0-9\\u00a1-\\uffff]"
_HOSTS = "|".join(
    (
        f"({_LABEL}({_LABEL[:-1]}-]{{0,61}}{_LABEL})?\\.)+"
        f"([A-Za-z\\u00a1-\\uffff]{{2,6}}\\.?|{_LABEL[:-1]}-]{{2,}}\\.?)",
        "localhost",
        "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
        "\\[[A-Fa-f0-9]*:[A-Fa-f0-9:]+\\]",
    )
)
DESCRIBED_URL = (
    "^[Hh][Tt][Tt][Pp][Ss]?://(([A-Za-z0-9._~!$&'()*+,;=:-]|%[0-9A-Fa-f]{2})*@)?"
    f"({_HOSTS})(:[0-9]+)?(/?|[/?#][^\\s]+)$"
)
# Accepted in input (exports and the API's answers carry them) and ignored.
IGNORED_INPUT_FIELDS = (*SYSTEM_FIELDS, "labels", "id")


class Text(fields.String):
    """A string with surrounding white space removed and newlines as \\n (pre_load drops blanks).

    NUL characters and lone surrogates are refused: no database can store them. The API's
    description says so with a pattern, and for a required text that it holds `words`
    characters in a row that are not white space (blank text counts as absent).
    """

    default_error_messages = field_messages(invalid="text.invalid", unstorable="text.unstorable")

    def __init__(self, *, words: int = 0, **kwargs: Any) -> None:
        metadata = dict(kwargs.pop("metadata", None) or {})
        if "pattern" in metadata:
            pass
        elif words:
            metadata["pattern"] = f"^{_STORABLE}*{_VISIBLE}{{{words}}}{_STORABLE}*$"
        else:
            metadata["pattern"] = f"^{_STORABLE}*$"
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise self.make_error("unstorable") from error
        if "\x00" in text:
            raise self.make_error("unstorable")
        # One newline convention whatever the file came from (Windows, old Mac, Unix).
        return text.replace("\r\n", "\n").replace("\r", "\n").strip()


class WholeNumber(fields.Field):
    """An integer; also accepts 2014.0 and "2014", never True or 2014.5."""

    default_error_messages = field_messages(invalid="number.whole")

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        number = parse_whole_number(value)
        if number is None:
            raise self.make_error("invalid")
        return number

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


class Amount(WholeNumber):
    """A whole number of kroner; also as people write it: "1.250.000 kr.", "kr. 1.250.000,00"."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        return super()._deserialize(parse_amount(value), attr, data, **kwargs)


class Coordinate(fields.Float):
    default_error_messages = field_messages(invalid="number.invalid", special="number.special")

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class VocabularyKey(fields.Field):
    """One vocabulary value: its key, a label or an accepted spelling, loaded as the key."""

    def __init__(self, vocabulary: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.vocabulary = vocabulary

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        named = self.vocabulary.replace("_", " ")
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise ValidationError(Message("vocabulary.type", {"vocabulary": named}))
        try:
            return vocabularies.resolve(self.vocabulary, str(value))
        except vocabularies.UnknownTerm as error:
            raise ValidationError(unknown_term_message(error)) from error


def unknown_term_message(error: vocabularies.UnknownTerm) -> Message:
    """'Unknown theme 'x'; did you mean 'y'?' (or the allowed keys of a short vocabulary)."""
    values = {"vocabulary": error.vocabulary.replace("_", " "), "value": error.value}
    if error.suggestion:
        return Message("vocabulary.suggest", {**values, "suggestion": error.suggestion})
    if error.vocabulary in vocabularies.SHORT_VOCABULARIES:
        allowed = ", ".join(t.key for t in vocabularies.VOCABULARIES[error.vocabulary])
        return Message("vocabulary.allowed", {**values, "allowed": allowed})
    return Message("vocabulary.unknown", values)


class VocabularyList(fields.Field):
    """A list of vocabulary values (a single value counts as a list of one); no duplicates."""

    def __init__(self, vocabulary: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.item = VocabularyKey(vocabulary)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        items = [value] if isinstance(value, (str, int)) else value
        if not isinstance(items, (list, tuple)):
            raise ValidationError(Message("list.invalid"))
        keys: list[str] = []
        problems: list[str] = []
        for item in items:
            try:
                key = str(self.item.deserialize(item))
            except ValidationError as error:
                problems.extend(_messages(error.messages))
                continue
            if key not in keys:
                keys.append(key)
        if problems:
            raise ValidationError(problems)
        return keys

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return list(value or [])


def _length(low: int | None = None, high: int | None = None) -> validate.Length:
    key = "length.between" if low else "length.max"
    return validate.Length(min=low, max=high, error=Message(key))


def _range(low: float, high: float, key: str = "range.between") -> validate.Range:
    return validate.Range(low, high, error=Message(key))


class LinkSchema(Schema):
    class Meta:
        unknown = RAISE

    error_messages = {"unknown": Message("unknown_field"), "type": Message("wrong_type")}

    title = Text(validate=_length(high=MAX_LINK_TITLE), load_default=None)
    url = Text(
        required=True,
        metadata={"pattern": DESCRIBED_URL},
        validate=[
            _length(high=2000),
            validate.URL(schemes={"http", "https"}, error=Message("url.http")),
        ],
    )

    @pre_load
    def _from_string(self, data: Any, **_: Any) -> Any:
        return {"url": data.strip()} if isinstance(data, str) else data

    @post_load
    def _default_title(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["url"] = data["url"].strip()
        url = data["url"]
        # A link without a title is titled by its address, cut to a title's length.
        data["title"] = data.get("title") or (
            url if len(url) <= MAX_LINK_TITLE else url[: MAX_LINK_TITLE - 1] + "…"
        )
        return data


def _messages(messages: Any, path: tuple[str | int, ...] = ()) -> list[str]:
    """Flatten marshmallow's nested messages into readable lines, each knowing its place."""
    if isinstance(messages, Message):
        return [messages.at(*path)]
    if isinstance(messages, str):
        return [Message.plain(messages).at(*path)]
    if isinstance(messages, list):
        return [line for message in messages for line in _messages(message, path)]
    if isinstance(messages, dict):
        return [line for key, value in messages.items() for line in _messages(value, (*path, key))]
    return [Message.plain(str(messages)).at(*path)]


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """A ValidationError as {field: [messages]}; record-wide problems under '_record'."""
    messages = error.messages if isinstance(error.messages, dict) else {"_record": error.messages}
    return {str(field): _messages(value) for field, value in messages.items()}


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def derive_status(end_year: int | None, today: date | None = None) -> str:
    """Contract section 2: afsluttet when the case ended before this year, else igangvaerende.

    This year is today's (clock.today()) unless `today` says otherwise: a derived status
    follows the calendar, so it is derived whenever a case is read (store.record_to_dict).
    """
    this_year = (today or clock.today()).year
    return "afsluttet" if end_year is not None and end_year < this_year else "igangvaerende"


class RecordSchema(Schema):
    """A case record in the import shape; load() gives a complete, normalised record dict."""

    class Meta:
        unknown = RAISE
        ordered = True

    error_messages = {"unknown": Message("unknown_field"), "type": Message("wrong_type")}

    ref = fields.String(
        required=True,
        error_messages=field_messages(invalid="text.invalid"),
        validate=validate.Regexp(REF_PATTERN, error=Message("ref.pattern")),
    )
    title = Text(required=True, words=3, validate=_length(3, 300))
    summary = Text(load_default=None, validate=_length(high=1000))
    description = Text(required=True, words=1, validate=_length(1, MAX_TEXT_CHARS))
    results = Text(load_default=None, validate=_length(high=MAX_TEXT_CHARS))
    municipalities = VocabularyList("municipality", load_default=list)
    start_year = WholeNumber(load_default=None, validate=_range(MIN_YEAR, MAX_YEAR))
    end_year = WholeNumber(load_default=None, validate=_range(MIN_YEAR, MAX_YEAR))
    status = VocabularyKey("status", load_default=None)
    collaboration_forms = VocabularyList(
        "collaboration_form",
        required=True,
        validate=validate.Length(min=1, error=Message("forms.required")),
    )
    actors = VocabularyList("actor", load_default=list)
    themes = VocabularyList(
        "theme", required=True, validate=validate.Length(min=1, error=Message("themes.required"))
    )
    budget_dkk = Amount(load_default=None, validate=_range(0, MAX_AMOUNT))
    public_funding_dkk = Amount(load_default=None, validate=_range(0, MAX_AMOUNT))
    private_funding_dkk = Amount(load_default=None, validate=_range(0, MAX_AMOUNT))
    funders = fields.List(
        Text(validate=_length(high=300)),
        load_default=list,
        error_messages=field_messages(invalid="list.invalid"),
    )
    contact_org = Text(load_default=None, validate=_length(high=300))
    links = fields.List(
        fields.Nested(LinkSchema, error_messages=field_messages(type="wrong_type")),
        load_default=list,
        error_messages=field_messages(invalid="list.invalid"),
    )
    # Both or neither (_check_record); null counts as absent, so the description says neither
    # may be null (COORDINATES_TOGETHER says the rest).
    latitude = Coordinate(
        load_default=None, allow_none=False, validate=_range(*LATITUDE_RANGE, "range.denmark")
    )
    longitude = Coordinate(
        load_default=None, allow_none=False, validate=_range(*LONGITUDE_RANGE, "range.denmark")
    )

    @pre_load
    def _accept_import_spellings(self, data: Any, **_: Any) -> Any:
        """Drop system fields, take a single `municipality`, treat null and "" as absent."""
        if not isinstance(data, dict):
            raise ValidationError(Message("record.object"), "_record")
        data = {k: _blank_to_none(v) for k, v in data.items() if k not in IGNORED_INPUT_FIELDS}
        data = {k: v for k, v in data.items() if v is not None}
        if "municipality" in data:
            single = data.pop("municipality")
            data.setdefault("municipalities", single)
        if isinstance(data.get("funders"), list):
            data["funders"] = [f for f in map(_blank_to_none, data["funders"]) if f is not None]
        return data

    # Run even when fields failed: a record is validated in full, every problem reported at once.
    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _check_record(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        start, end = data.get("start_year"), data.get("end_year")
        if start is not None and end is not None and end < start:
            raise ValidationError(Message("years.order", {"start": start}), "end_year")
        # Judged on the input, so a coordinate that failed its own rule is not also "missing".
        given = {
            name
            for name in ("latitude", "longitude")
            if isinstance(original, dict) and original.get(name) not in (None, "")
        }
        if len(given) == 1:
            missing = ({"latitude", "longitude"} - given).pop()
            raise ValidationError(Message("coordinates.both"), missing)

    @post_load
    def _complete(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if data.get("status") is None:
            data["status"] = derive_status(data.get("end_year"))
        return {name: data.get(name) for name in RECORD_FIELDS}


RECORD_SCHEMA = RecordSchema()
# The rule OpenAPI 3.0 has no keyword for, as JSON Schema: latitude and longitude come together.
COORDINATES_TOGETHER = {
    "anyOf": [
        {"required": ["latitude", "longitude"]},
        {"not": {"anyOf": [{"required": ["latitude"]}, {"required": ["longitude"]}]}},
    ]
}


def load_record(raw: Any) -> dict[str, Any]:
    """Validate one incoming record; raise ValidationError with messages per field."""
    return RECORD_SCHEMA.load(raw)
