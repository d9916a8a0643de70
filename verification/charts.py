"""Server-rendered SVG charts for the dashboard: no JavaScript, no CDN, presentation attributes only."""

from django.utils.html import format_html, format_html_join

OUTCOME_COLOURS = {
    "pass": "#1b7f4b",
    "not_applicable": "#7a8a99",
    "needs_review": "#c47f00",
    "unknown": "#5a5fb0",
    "fail": "#b3261e",
}
BAR_WIDTH, ROW_HEIGHT, LABEL_WIDTH = 520, 26, 170


def _bar(y, x, width, colour, title):
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
        round(x, 1),
        y,
        round(width, 1),
        ROW_HEIGHT - 8,
        colour,
        title,
    )


def stacked_bars(rows: list[tuple[str, dict[str, int]]], *, title: str) -> str:
    """One horizontal bar per row, split by outcome; counts in each segment's tooltip."""
    total_max = max((sum(parts.values()) for _, parts in rows), default=0) or 1
    shapes = []
    for index, (label, parts) in enumerate(rows):
        y = index * ROW_HEIGHT
        shapes.append(format_html('<text x="0" y="{}" font-size="12">{}</text>', y + 13, label))
        x = LABEL_WIDTH
        for outcome, colour in OUTCOME_COLOURS.items():
            count = parts.get(outcome, 0)
            if count:
                width = BAR_WIDTH * count / total_max
                shapes.append(_bar(y, x, width, colour, f"{label}: {outcome} {count}"))
                x += width
    return _svg(shapes, len(rows), title)


def paired_bars(rows: list[tuple[str, int, int]], *, title: str) -> str:
    """Two bars per row: eligible (green) against listed (blue)."""
    top = max((max(a, b) for _, a, b in rows), default=0) or 1
    shapes = []
    for index, (label, eligible, listed) in enumerate(rows):
        y = index * ROW_HEIGHT
        shapes.append(format_html('<text x="0" y="{}" font-size="12">{}</text>', y + 13, label))
        shapes.append(_half(y, BAR_WIDTH * eligible / top, "#1b7f4b", f"{label}: {eligible} eligible", 0))
        shapes.append(_half(y, BAR_WIDTH * listed / top, "#1f5f99", f"{label}: {listed} listed", 9))
    return _svg(shapes, len(rows), title)


def _half(y, width, colour, title, offset):
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="8" fill="{}"><title>{}</title></rect>',
        LABEL_WIDTH,
        y + offset,
        round(width, 1),
        colour,
        title,
    )


def _svg(shapes, rows, title):
    height = max(rows, 1) * ROW_HEIGHT
    return format_html(
        '<svg role="img" aria-label="{}" width="{}" height="{}" viewBox="0 0 {} {}">{}</svg>',
        title,
        LABEL_WIDTH + BAR_WIDTH + 10,
        height,
        LABEL_WIDTH + BAR_WIDTH + 10,
        height,
        format_html_join("", "{}", ((s,) for s in shapes)),
    )
