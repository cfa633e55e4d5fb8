"""What export writes and import reads back in CSV and XLSX cells: list cells, the formula guard."""

from __future__ import annotations

# The column that pairs titles with the URLs of `links` in CSV and XLSX (not a record field).
LINK_TITLES_COLUMN = "link_titles"
# List cells (and links, link titles) separate values by `|`; a `|` inside a value is written
# `\|`, and a backslash before anything else is just a backslash. The one ambiguity: a cell
# `A\|B` meant as the two values `A\` and `B` reads as the one value `A|B` (write `A\ | B`;
# the export does so after a value that ends in a backslash).
LIST_SEPARATOR = "|"
ESCAPED_SEPARATOR = "\\|"
# A text starting with one of these is a formula to a spreadsheet: export puts a ' before it.
FORMULA_PREFIXES = ("=", "+", "-", "@")


def guard_formula(text: str, *, typed_as_text: bool = False) -> str:
    """Formula injection: a leading = + - @ gets a ' (and so does an existing ' before one).

    A cell typed as text (XLSX) is never evaluated, so it gets the ' only where one is there
    already: reading drops one ' before = + - @, and the text must read back as it was.
    """
    if not text.lstrip("'").startswith(FORMULA_PREFIXES):
        return text
    if typed_as_text and not text.startswith("'"):
        return text
    return "'" + text


def unguard_formula(text: str) -> str:
    """A cell's text as read: the ' that guards a leading = + - @ dropped."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_PREFIXES):
        return text[1:]
    return text
