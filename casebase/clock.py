"""Today's date as casebase sees it: the date in Denmark, or CASEBASE_TODAY when set.

A case's derived status follows the calendar (docs/contract.md section 2): the year turns at
midnight in Copenhagen, whatever time zone the server runs in. CASEBASE_TODAY fixes the date
for tests and demonstrations ("what will the site show on 1 January?").
"""

from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .errors import CasebaseError

TODAY_VARIABLE = "CASEBASE_TODAY"
TIME_ZONE = ZoneInfo("Europe/Copenhagen")


def today() -> date:
    """The date in Denmark, unless CASEBASE_TODAY (YYYY-MM-DD) says otherwise."""
    text = os.environ.get(TODAY_VARIABLE, "").strip()
    if not text:
        return datetime.now(TIME_ZONE).date()
    try:
        return date.fromisoformat(text) if len(text) == 10 else _refuse(text)
    except ValueError:
        return _refuse(text)


def _refuse(text: str) -> date:
    raise CasebaseError(f"{TODAY_VARIABLE} must be a date as YYYY-MM-DD, not {text!r}")
