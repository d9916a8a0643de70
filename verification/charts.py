"""Server-rendered SVG charts for the dashboard: no JavaScript, no CDN, presentation attributes only."""

import textwrap

from django.utils.html import format_html, format_html_join

from .checks.types import Outcome

OUTCOME_COLOURS = {
    Outcome.PASS: "#1b7f4b",
    Outcome.NOT_APPLICABLE: "#7a8a99",
    Outcome.NEEDS_REVIEW: "#c47f00",
    Outcome.UNKNOWN: "#5a5fb0",
    Outcome.FAIL: "#b3261e",
}
BAR_WIDTH, ROW_HEIGHT, BAR_HEIGHT = 520, 26, 18
FONT_SIZE, LINE_HEIGHT = 12, 14
LABEL_WIDTH = 200
# Labels wrap at this many characters: 7.5 px a character is wider than the admin's sans-serif at 12 px on
# average, so a wrapped line ends before the bars begin (a browser test measures it).
LABEL_CHARS = 26


def label_lines(label: str) -> list[str]:
    return textwrap.wrap(label, LABEL_CHARS) or [""]


def _label(top: int, lines: list[str]):
    return format_html_join(
        "",
        '<text x="0" y="{}" font-size="{}">{}</text>',
        ((top + 13 + index * LINE_HEIGHT, FONT_SIZE, line) for index, line in enumerate(lines)),
    )


def _layout(labels: list[str]) -> tuple[list[tuple[int, list[str]]], int]:
    """(top, wrapped lines) of each row, and the chart's height: a row grows to hold its label."""
    rows, top = [], 0
    for label in labels:
        lines = label_lines(label)
        rows.append((top, lines))
        top += max(ROW_HEIGHT, len(lines) * LINE_HEIGHT + 8)
    return rows, top


def _bar(y, x, width, colour, title):
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
        round(x, 1),
        y,
        round(width, 1),
        BAR_HEIGHT,
        colour,
        title,
    )


def stacked_bars(rows: list[tuple[str, dict[str, int]]], *, title: str) -> str:
    """One horizontal bar per row, split by outcome; counts (with the outcome's label) in each segment's tooltip."""
    total_max = max((sum(parts.values()) for _, parts in rows), default=0) or 1
    layout, height = _layout([label for label, _ in rows])
    shapes = []
    for (label, parts), (top, lines) in zip(rows, layout, strict=True):
        shapes.append(_label(top, lines))
        x = LABEL_WIDTH
        for outcome, colour in OUTCOME_COLOURS.items():
            count = parts.get(outcome, 0)
            if count:
                width = BAR_WIDTH * count / total_max
                shapes.append(_bar(top, x, width, colour, f"{label}: {outcome.label} {count}"))
                x += width
    return _svg(shapes, height, title)


def paired_bars(rows: list[tuple[str, int, int]], *, title: str) -> str:
    """Two bars per row: eligible (green) against listed (blue)."""
    top_count = max((max(a, b) for _, a, b in rows), default=0) or 1
    layout, height = _layout([label for label, _, _ in rows])
    shapes = []
    for (label, eligible, listed), (top, lines) in zip(rows, layout, strict=True):
        shapes.append(_label(top, lines))
        shapes.append(_half(top, BAR_WIDTH * eligible / top_count, "#1b7f4b", f"{label}: {eligible} eligible", 0))
        shapes.append(_half(top, BAR_WIDTH * listed / top_count, "#1f5f99", f"{label}: {listed} listed", 9))
    return _svg(shapes, height, title)


def _half(y, width, colour, title, offset):
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="8" fill="{}"><title>{}</title></rect>',
        LABEL_WIDTH,
        y + offset,
        round(width, 1),
        colour,
        title,
    )


def _svg(shapes, height, title):
    height = height or ROW_HEIGHT
    width = LABEL_WIDTH + BAR_WIDTH + 10
    return format_html(
        '<svg role="img" aria-label="{}" width="{}" height="{}" viewBox="0 0 {} {}">{}</svg>',
        title,
        width,
        height,
        width,
        height,
        format_html_join("", "{}", ((s,) for s in shapes)),
    )
