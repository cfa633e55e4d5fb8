"""A case's history on its page, for logged-in admins (docs/contract.md section 10): each
version with who, when and a diff of what it changed, and "restore this version"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_login import current_user  # type: ignore[import-untyped]  # no type hints

from ..history import Version
from .diff import field_diff
from .i18n import current_language, field_label, t_or


def is_admin() -> bool:
    return bool(current_user.is_authenticated and current_user.is_admin)


def history_items(versions: Sequence[Version], current: int | None) -> list[dict[str, Any]]:
    """The versions (newest first) as the page lists them; `current` is the case's version
    (None when it is deleted): every other version with content can be restored."""
    lang = current_language()
    items = []
    for version in versions:
        rows = []
        for field, (old, new) in version.changes.items():
            before, after = field_diff(field, old, new, lang)
            reordered = isinstance(old, list) and isinstance(new, list) and _same_items(old, new)
            rows.append(
                {
                    "field": field,
                    "label": field_label(field),
                    "old": before,
                    "new": after,
                    "reordered": reordered,
                }
            )
        items.append(
            {
                "version": version.version,
                "action": version.action,
                "action_label": t_or(f"history.action.{version.action}", version.action),
                "changed_at": version.changed_at,
                "changed_by": version.changed_by,
                "source_label": t_or(f"source.{version.source}", version.source),
                "rows": rows,
                "first_known": version.first_known,
                "restorable": version.action != "delete" and version.version != current,
            }
        )
    return items


def _same_items(old: list[Any], new: list[Any]) -> bool:
    """Whether two lists hold the same items in another order."""
    return sorted(map(repr, old)) == sorted(map(repr, new))
