"""A readable diff of one field's old and new value, for the history on the case page.

Values are shown as the page shows them (labels, amounts, links). A list is compared item by
item (so a new order marks nothing); a text word by word with the standard library's
difflib. Removed words or items are marked <del>, added ones <ins>, each run with a hidden
word for screen readers, and struck through or underlined, so the marks never rest on colour
alone.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

from markupsafe import Markup, escape

from .. import vocabularies
from .i18n import format_amount, t, vocab_label

# A word with the white space after it: the unit the diff compares.
WORD = re.compile(r"\S+\s*")
SEPARATOR = "; "  # between the values of a list (labels may hold commas)


def field_diff(field: str, old: Any, new: Any, lang: str = "da") -> tuple[Markup, Markup]:
    """A field's old and new value as the page shows them, the differences marked: a list
    value by its items (each kept, removed or added), any other by its words."""
    if isinstance(old, list) or isinstance(new, list):
        before = [shown(field, item, lang) for item in old or []]
        after = [shown(field, item, lang) for item in new or []]
        return _items(before, set(after), "del"), _items(after, set(before), "ins")
    return marked(shown(field, old, lang), shown(field, new, lang))


def _items(items: list[str], other: set[str], tag: str) -> Markup:
    hidden = "history.removed" if tag == "del" else "history.added"
    return Markup(SEPARATOR).join(
        escape(item) if item in other else _run(tag, hidden, item) for item in items
    )


def shown(field: str, value: Any, lang: str = "da") -> str:
    """A field's value (or one item of a list) as text, as the page shows it; '' if absent."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, list):
        return SEPARATOR.join(shown(field, item, lang) for item in value)
    if field == "links":
        title = value.get("title")
        return value["url"] if title in (None, "", value["url"]) else f"{title} <{value['url']}>"
    vocabulary = vocabularies.FIELD_VOCABULARY.get(field)
    if vocabulary:
        return vocab_label(vocabulary, value)
    if field in vocabularies.AMOUNT_FIELDS:
        return format_amount(value, lang)
    return str(value)


def marked(old: str, new: str) -> tuple[Markup, Markup]:
    """The old and the new text, escaped, with the words that differ marked.

    When one side is empty the other is shown whole, unmarked: the table's columns say which
    side is which.
    """
    if not old or not new:
        return Markup(escape(old)), Markup(escape(new))
    before, after = WORD.findall(old), WORD.findall(new)
    old_parts: list[Markup] = []
    new_parts: list[Markup] = []
    # Words are compared without the space after them: a word last in one text is the same
    # word followed by more in the other.
    matcher = SequenceMatcher(None, [w.rstrip() for w in before], [w.rstrip() for w in after])
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            old_parts.append(escape("".join(before[i1:i2])))
            new_parts.append(escape("".join(after[j1:j2])))
            continue
        if i2 > i1:
            old_parts.append(_run("del", "history.removed", "".join(before[i1:i2])))
        if j2 > j1:
            new_parts.append(_run("ins", "history.added", "".join(after[j1:j2])))
    return Markup("").join(old_parts), Markup("").join(new_parts)


def _run(tag: str, hidden: str, text: str) -> Markup:
    """A marked run of words; its trailing space stays outside the mark."""
    words = text.rstrip()
    return Markup(
        '<{tag}><span class="visually-hidden">{hidden} </span>{words}</{tag}>{rest}'
    ).format(tag=Markup(tag), hidden=t(hidden), words=words, rest=text[len(words) :])
