"""Validation messages that know their key: English for the API, any language for the pages.

A Message is the English text (a str, so JSON and logs take it as it is) that also carries its
catalogue key, its values and where inside a field it applies; web/i18n.py says it in Danish
by its key. marshmallow's validators and fields call `message.format(...)` to fill in their
values, which keeps the key.
"""

from __future__ import annotations

from typing import Any

# An echoed value (a misspelt municipality, say) is cut to this many characters.
MAX_ECHO_CHARS = 200

ENGLISH = {
    "required": "Missing data for required field.",
    "unknown_field": "Unknown field.",
    "wrong_type": "Invalid input type.",
    "text.invalid": "Not a valid string.",
    "text.unstorable": "Contains a NUL character or invalid Unicode.",
    "length.between": "Length must be between {min} and {max}.",
    "length.max": "Longer than maximum length {max}.",
    "number.whole": "Not a whole number.",
    "number.invalid": "Not a valid number.",
    "number.special": "Special numeric values (nan or infinity) are not permitted.",
    "range.between": "Must be greater than or equal to {min} and less than or equal to {max}.",
    "range.denmark": "Must be inside Denmark: between {min} and {max}.",
    "ref.pattern": "Must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' and '-', "
    "starting with a letter or digit.",
    "ref.address": "Must be '{ref}', the ref in the address.",
    "ref.twice": "The ref '{ref}' occurs twice in this import.",
    "years.order": "Must not be before start_year ({start}).",
    "coordinates.both": "Give both latitude and longitude, or neither.",
    "url.http": "Not an http(s) URL.",
    "forms.required": "At least one collaboration form is required.",
    "themes.required": "At least one theme is required.",
    "list.invalid": "Expected a list of values.",
    "record.object": "A record must be an object of fields.",
    "vocabulary.type": "Expected a {vocabulary} as text.",
    "vocabulary.unknown": "Unknown {vocabulary} '{value}'.",
    "vocabulary.suggest": "Unknown {vocabulary} '{value}'; did you mean '{suggestion}'?",
    "vocabulary.allowed": "Unknown {vocabulary} '{value}'; allowed: {allowed}.",
    "search.unknown_parameter": "Unknown parameter '{name}'. Allowed parameters: {allowed}.",
    "search.sort": "Unknown sort '{input}'. Allowed sorts: {allowed}.",
    "search.number": "{name} must be a whole number from {low} to {high}.",
    "search.number_from": "{name} must be a whole number from {low} up.",
    "search.year": "{name} must be a whole number (a year such as 2015).",
    "thesaurus.terms": "A group holds 2 to {max} terms.",
    "thesaurus.groups": "A thesaurus holds 1 to {max} groups.",
    "thesaurus.twice": "The term '{term}' is in group {first} and in group {second}.",
    "thesaurus.json": "Not a thesaurus file: {problem}.",
    "crosstab.dimension": "Unknown {name} '{input}'. Allowed: {allowed}.",
    "crosstab.required": "{name} is required: one of {allowed}.",
    "crosstab.same": "rows and cols must be different dimensions, not both '{name}'.",
    "crosstab.format": "Unknown format '{input}'. Allowed formats: {allowed}.",
    "compare.count": "Choose {low} to {high} different cases to compare.",
    "document.kind": "Must be one of: {kinds}.",
    # A message from elsewhere (a library) that the catalogue does not know: shown as it is.
    "plain": "{text}",
}


class Message(str):
    """A message of the catalogue: the English text, with its key, values and place."""

    key: str
    values: dict[str, Any]
    path: tuple[str | int, ...]

    def __new__(
        cls, key: str, values: dict[str, Any] | None = None, path: tuple[str | int, ...] = ()
    ) -> Message:
        filled = {name: _cut(value) for name, value in (values or {}).items()}
        text = ENGLISH[key].format_map(_Partial(filled))
        message = super().__new__(cls, place_words(path, english=True) + text)
        message.key, message.values, message.path = key, filled, path
        return message

    def __getnewargs__(self) -> tuple[Any, ...]:  # type: ignore[override]
        """Copies and pickles are made from the key, not the text."""
        return (self.key, self.values, self.path)

    def format(self, *args: Any, **values: Any) -> Message:  # type: ignore[override]
        """The message with values filled in, as marshmallow's validators ask."""
        return Message(self.key, {**self.values, **values}, self.path)

    @classmethod
    def plain(cls, text: str) -> Message:
        """A message the catalogue does not know (from a library): said as it is."""
        return cls("plain", {"text": text})

    def at(self, *path: str | int) -> Message:
        """The same message, placed inside a field (an item of a list, a member of an item)."""
        return Message(self.key, self.values, (*path, *self.path))


def place_words(path: tuple[str | int, ...], english: bool, names: Any = None) -> str:
    """'item 2: url: ' for the path (1, "url"): list items count from 1."""
    words = []
    for part in path:
        if isinstance(part, int):
            words.append(f"item {part + 1}: " if english else f"nr. {part + 1}: ")
        else:
            words.append(f"{names(part) if names else part}: ")
    return "".join(words)


class _Partial(dict[str, Any]):
    """Values for a template; a placeholder without a value yet stays as it is."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _cut(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, Message) and len(value) > MAX_ECHO_CHARS:
        return value[:MAX_ECHO_CHARS] + "…"
    return value


def field_messages(**overrides: str) -> dict[str, str | list[Any] | dict[Any, Any]]:
    """A field's error_messages from catalogue keys: required and null read the same."""
    keys = {"required": "required", "null": "required", **overrides}
    return {name: Message(key) for name, key in keys.items()}
