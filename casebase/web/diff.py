"""A readable diff of one field's old and new value, for the history on the case page.

Values are shown as the page shows them (labels, amounts, links) and compared word by word
with the standard library's difflib: removed words are marked <del>, added words <ins>, each
run with a hidden word for screen readers, and struck through or underlined, so the marks
never rest on colour alone.
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


def shown(field: str, value: Any, lang: str = "da") -> str:
    """A field's value as text, as the page would show it; '' when absent."""
    if value is None or value == "" or value == []:
        return ""
    if field == "links":
        return SEPARATOR.join(
            link["url"]
            if link.get("title") in (None, "", link["url"])
            else f"{link['title']} <{link['url']}>"
            for link in value
        )
    vocabulary = vocabularies.FIELD_VOCABULARY.get(field)
    values = value if isinstance(value, list) else [value]
    if vocabulary:
        return SEPARATOR.join(vocab_label(vocabulary, key) for key in values)
    if field in vocabularies.AMOUNT_FIELDS:
        return format_amount(value, lang)
    return SEPARATOR.join(str(item) for item in values)


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
    matcher = SequenceMatcher(None, before, after)
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
