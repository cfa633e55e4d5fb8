"""Numbers as people write them: whole numbers, Danish amounts ("kr. 1.250.000,00"), decimal commas.

Used wherever a person's text becomes a record: the import readers, the admin form and the
record schema's amount fields, so "1.250.000 kr." means the same everywhere.
"""

from __future__ import annotations

import re
from typing import Any

_CURRENCY = re.compile(r"^(?:kr\.?|dkk)\s*|\s*(?:kr\.?|dkk)$", re.IGNORECASE)
_SPACED_THOUSANDS = re.compile(r"-?\d{1,3}(?:\s\d{3})+(?:,\d+|,-)?")
_DANISH_INT = re.compile(r"(-?(?:\d{1,3}(?:\.\d{3})+|\d+))(?:,(\d+)|,-)?")
_POINT_ZERO = re.compile(r"(-?\d+)\.0+")
# More digits than any amount or year holds: such text is left for the schema to refuse (and
# Python refuses to convert more than 4,300 digits at all).
MAX_DIGITS = 18


def parse_amount(value: Any) -> Any:
    """Danish amounts as people write them ("kr. 1.250.000,00") -> 1250000; else unchanged."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, str) or sum(c.isdigit() for c in value) > MAX_DIGITS:
        return value
    text = _CURRENCY.sub("", value)
    if _SPACED_THOUSANDS.fullmatch(text):
        text = re.sub(r"\s", "", text)
    match = _DANISH_INT.fullmatch(text)
    if match and not (match.group(2) or "").strip("0"):
        return int(match.group(1).replace(".", ""))
    match = _POINT_ZERO.fullmatch(text)
    return int(match.group(1)) if match else value


def parse_decimal(value: Any) -> Any:
    """Coordinates, with a decimal point or a decimal comma ("55,676"); else unchanged."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+(?:[.,]\d+)?", value):
        return float(value.replace(",", "."))
    return value


_WHOLE = re.compile(rf"\s*([+-]?\d{{1,{MAX_DIGITS}}})\s*")


def parse_whole_number(value: Any) -> int | None:
    """2014, 2014.0 and " 2014 " -> 2014; None for anything else (True, 2014.5, "2014a")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        match = _WHOLE.fullmatch(value)
        return int(match.group(1)) if match else None
    return None
