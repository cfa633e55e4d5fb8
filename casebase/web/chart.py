"""A bar chart of cases per start year, as inline SVG built on the server (no script, no style=).

Each bar is a link to the same search narrowed to that year, so the chart is usable by
keyboard; the SVG is a group of those links (role="group": an image may hold no links) named by
its <title> and <desc>, its axes hidden from screen readers, and the page adds the numbers as a
table for screen readers and anyone who prefers them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..engine import Bucket

WIDTH = 640
HEIGHT = 176
PLOT_TOP = 12
PLOT_BOTTOM = 146  # the x axis
LEFT = 34
RIGHT = 8
LABEL_STEPS = (1, 2, 5, 10, 20)  # years between axis labels; the first that fits MAX_LABELS
MAX_LABELS = 8
BAR_GAP = 0.2
MAX_SLOT = 48  # a few years do not make a few huge bars  # share of a slot left empty between bars
MAX_YEAR_SPAN = 80  # wider ranges are clipped to the most recent years
# Colours (checked for contrast in tests/test_pages.py against the page background #ffffff).
BAR_COLOUR = "#1d5f8a"
AXIS_COLOUR = "#595959"
TEXT_COLOUR = "#333333"


@dataclass(frozen=True)
class YearCount:
    year: int
    count: int


def year_counts(buckets: Iterable[Bucket]) -> list[YearCount]:
    """The start_year facet as one entry per year from the first to the last, gaps as zero."""
    counts: dict[int, int] = {}
    for bucket in buckets:
        if isinstance(bucket.value, int) and bucket.count > 0:
            counts[bucket.value] = bucket.count
    if not counts:
        return []
    last = max(counts)
    first = max(min(counts), last - MAX_YEAR_SPAN + 1)
    return [YearCount(year, counts.get(year, 0)) for year in range(first, last + 1)]


def _ticks(top: int) -> list[int]:
    """0, the maximum and, for taller charts, the middle."""
    return [0, round(top / 2), top] if top >= 4 else [0, top]


def render_svg(
    years: list[YearCount],
    title: str,
    description: str,
    bar_label: Callable[[YearCount], str],
    bar_href: Callable[[YearCount], str],
) -> Markup:
    """The chart as an <svg> element; every text given is escaped here."""
    top = max(y.count for y in years)
    slot = min((WIDTH - LEFT - RIGHT) / len(years), MAX_SLOT)
    first_x = LEFT + ((WIDTH - LEFT - RIGHT) - slot * len(years)) / 2
    height = PLOT_BOTTOM - PLOT_TOP
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="group" '
        f'aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="system-ui, sans-serif" font-size="13" fill="{TEXT_COLOUR}">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(description)}</desc>',
    ]
    for tick in _ticks(top):
        y = PLOT_BOTTOM - height * tick / top
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{AXIS_COLOUR}" stroke-width="{1 if tick == 0 else 0.4}" aria-hidden="true"/>'
        )
        parts.append(
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" aria-hidden="true">'
            f"{tick}</text>"
        )
    step = next((s for s in LABEL_STEPS if len(years) / s <= MAX_LABELS), LABEL_STEPS[-1])
    for i, entry in enumerate(years):
        x = first_x + i * slot
        bar_height = height * entry.count / top
        if entry.count:
            label = escape(bar_label(entry))
            parts.append(
                f'<a href="{escape(bar_href(entry))}" aria-label="{label}">'
                f'<rect class="chart-bar" x="{x + slot * BAR_GAP / 2:.1f}" '
                f'y="{PLOT_BOTTOM - bar_height:.1f}" width="{slot * (1 - BAR_GAP):.1f}" '
                f'height="{bar_height:.1f}" fill="{BAR_COLOUR}"><title>{label}</title></rect></a>'
            )
        if entry.year % step == 0 or len(years) == 1:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{PLOT_BOTTOM + 18}" '
                f'text-anchor="middle" aria-hidden="true">{entry.year}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
