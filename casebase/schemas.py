"""The one record schema (SPEC section 2): every record that enters casebase passes through it."""

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

from . import vocabularies
from .numbers import parse_amount
from .vocabularies import RECORD_FIELDS, SYSTEM_FIELDS

# A ref starts with a letter or digit: "." and ".." would be read as folders in its URLs.
REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# A spreadsheet cell holds at most this many characters: every text must fit one (exports).
MAX_TEXT_CHARS = 32_767
MIN_YEAR, MAX_YEAR = 1970, 2100
# Amounts are stored as BIGINT; a trillion kroner is far beyond any renewal project.
MAX_AMOUNT = 10**15
# Denmark's bounding box, Bornholm and Christiansø included.
LATITUDE_RANGE = (54.4, 57.9)
LONGITUDE_RANGE = (7.9, 15.3)
# Accepted in input (exports and the API's answers carry them) and ignored.
IGNORED_INPUT_FIELDS = (*SYSTEM_FIELDS, "labels", "id")


class Text(fields.String):
    """A string with surrounding white space removed and newlines as \\n (pre_load drops blanks).

    NUL characters and lone surrogates are refused: no database can store them.
    """

    default_error_messages = {"unstorable": "Contains a NUL character or invalid Unicode."}

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

    default_error_messages = {"invalid": "Not a whole number."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,18}\s*", value):
            return int(value)
        raise self.make_error("invalid")

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


class Amount(WholeNumber):
    """A whole number of kroner; also as people write it: "1.250.000 kr.", "kr. 1.250.000,00"."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        return super()._deserialize(parse_amount(value), attr, data, **kwargs)


class Coordinate(fields.Float):
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
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise ValidationError(f"Expected a {self.vocabulary.replace('_', ' ')} as text.")
        try:
            return vocabularies.resolve(self.vocabulary, str(value))
        except vocabularies.UnknownTerm as error:
            message = str(error)
            raise ValidationError(message[0].upper() + message[1:]) from error


class VocabularyList(fields.Field):
    """A list of vocabulary values (a single value counts as a list of one); no duplicates."""

    def __init__(self, vocabulary: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.item = VocabularyKey(vocabulary)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        items = [value] if isinstance(value, (str, int)) else value
        if not isinstance(items, (list, tuple)):
            raise ValidationError("Expected a list of values.")
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


class LinkSchema(Schema):
    class Meta:
        unknown = RAISE

    title = Text(validate=validate.Length(max=300), load_default=None)
    url = Text(
        required=True,
        validate=[
            validate.Length(max=2000),
            validate.URL(schemes={"http", "https"}, error="Not an http(s) URL."),
        ],
    )

    @pre_load
    def _from_string(self, data: Any, **_: Any) -> Any:
        return {"url": data.strip()} if isinstance(data, str) else data

    @post_load
    def _default_title(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["url"] = data["url"].strip()
        data["title"] = data.get("title") or data["url"]
        return data


def _messages(messages: Any, prefix: str = "") -> list[str]:
    """Flatten marshmallow's nested messages into readable lines."""
    if isinstance(messages, str):
        return [prefix + messages]
    if isinstance(messages, list):
        return [line for message in messages for line in _messages(message, prefix)]
    if isinstance(messages, dict):
        lines = []
        for key, value in messages.items():
            label = f"item {key + 1}: " if isinstance(key, int) else f"{key}: "
            lines.extend(_messages(value, prefix + label))
        return lines
    return [prefix + str(messages)]


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """A ValidationError as {field: [messages]}; record-wide problems under '_record'."""
    messages = error.messages if isinstance(error.messages, dict) else {"_record": error.messages}
    return {str(field): _messages(value) for field, value in messages.items()}


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def derive_status(end_year: int | None, today: date | None = None) -> str:
    """SPEC 2: afsluttet when the case ended before this year, else igangvaerende."""
    this_year = (today or date.today()).year
    return "afsluttet" if end_year is not None and end_year < this_year else "igangvaerende"


class RecordSchema(Schema):
    """A case record in the import shape; load() gives a complete, normalised record dict."""

    class Meta:
        unknown = RAISE
        ordered = True

    ref = fields.String(
        required=True,
        validate=validate.Regexp(
            REF_PATTERN,
            error="Must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' and '-', "
            "starting with a letter or digit.",
        ),
    )
    title = Text(required=True, validate=validate.Length(min=3, max=300))
    summary = Text(load_default=None, validate=validate.Length(max=1000))
    description = Text(required=True, validate=validate.Length(max=MAX_TEXT_CHARS))
    results = Text(load_default=None, validate=validate.Length(max=MAX_TEXT_CHARS))
    municipalities = VocabularyList("municipality", load_default=list)
    start_year = WholeNumber(load_default=None, validate=validate.Range(MIN_YEAR, MAX_YEAR))
    end_year = WholeNumber(load_default=None, validate=validate.Range(MIN_YEAR, MAX_YEAR))
    status = VocabularyKey("status", load_default=None)
    collaboration_forms = VocabularyList(
        "collaboration_form",
        required=True,
        validate=validate.Length(min=1, error="At least one collaboration form is required."),
    )
    actors = VocabularyList("actor", load_default=list)
    themes = VocabularyList(
        "theme",
        required=True,
        validate=validate.Length(min=1, error="At least one theme is required."),
    )
    budget_dkk = Amount(load_default=None, validate=validate.Range(0, MAX_AMOUNT))
    public_funding_dkk = Amount(load_default=None, validate=validate.Range(0, MAX_AMOUNT))
    private_funding_dkk = Amount(load_default=None, validate=validate.Range(0, MAX_AMOUNT))
    funders = fields.List(Text(validate=validate.Length(max=300)), load_default=list)
    contact_org = Text(load_default=None, validate=validate.Length(max=300))
    links = fields.List(fields.Nested(LinkSchema), load_default=list)
    latitude = Coordinate(
        load_default=None,
        validate=validate.Range(
            *LATITUDE_RANGE, error="Must be inside Denmark: between {min} and {max}."
        ),
    )
    longitude = Coordinate(
        load_default=None,
        validate=validate.Range(
            *LONGITUDE_RANGE, error="Must be inside Denmark: between {min} and {max}."
        ),
    )

    @pre_load
    def _accept_import_spellings(self, data: Any, **_: Any) -> Any:
        """Drop system fields, take a single `municipality`, treat null and "" as absent."""
        if not isinstance(data, dict):
            raise ValidationError("A record must be an object of fields.", "_record")
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
            raise ValidationError(f"Must not be before start_year ({start}).", "end_year")
        # Judged on the input, so a coordinate that failed its own rule is not also "missing".
        given = {
            name
            for name in ("latitude", "longitude")
            if isinstance(original, dict) and original.get(name) not in (None, "")
        }
        if len(given) == 1:
            missing = ({"latitude", "longitude"} - given).pop()
            raise ValidationError("Give both latitude and longitude, or neither.", missing)

    @post_load
    def _complete(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if data.get("status") is None:
            data["status"] = derive_status(data.get("end_year"))
        return {name: data.get(name) for name in RECORD_FIELDS}


RECORD_SCHEMA = RecordSchema()


def load_record(raw: Any) -> dict[str, Any]:
    """Validate one incoming record; raise ValidationError with messages per field."""
    return RECORD_SCHEMA.load(raw)
