"""Dashboard charts: every label fits its column (wrapped, never cut), outcomes read as their labels."""

import re

from verification import charts
from verification.checks import CHECKS

TITLES = [check.TITLE for check in CHECKS.values()]
LONG = "State controlled-substance registration"


def texts(svg: str) -> list[tuple[float, str]]:
    return [(float(y), text) for y, text in re.findall(r'<text x="0" y="([\d.]+)"[^>]*>([^<]*)</text>', svg)]


def test_a_long_label_wraps_into_whole_words_instead_of_being_cut():
    svg = charts.stacked_bars([(LONG, {"pass": 3})], title="t")
    assert [text for _, text in texts(svg)] == ["State controlled-substance", "registration"]


def test_no_label_line_is_longer_than_the_column_holds():
    svg = charts.stacked_bars([(title, {"pass": 1}) for title in TITLES], title="t")
    assert all(len(text) <= charts.LABEL_CHARS for _, text in texts(svg))
    assert " ".join(text for _, text in texts(svg)) == " ".join(TITLES)


def test_bars_start_after_the_label_column():
    svg = charts.stacked_bars([(title, {"pass": 2, "fail": 1}) for title in TITLES], title="t")
    assert min(float(x) for x in re.findall(r'<rect x="([\d.]+)"', svg)) >= charts.LABEL_WIDTH


def test_a_wrapped_row_pushes_the_next_row_down_and_the_chart_grows():
    short = charts.stacked_bars([("DEA registration", {"pass": 1}), ("Experience", {"pass": 1})], title="t")
    wrapped = charts.stacked_bars([(LONG, {"pass": 1}), ("Experience", {"pass": 1})], title="t")
    (_, _), (second_line, _), (next_row, _) = texts(wrapped)
    assert next_row - second_line >= charts.LINE_HEIGHT
    height = re.compile(r'height="(\d+)" viewBox')
    assert int(height.search(wrapped)[1]) > int(height.search(short)[1])


def test_city_labels_wrap_too():
    svg = charts.paired_bars([("Rancho Santa Margarita Heights, CA", 12, 10)], title="t")
    assert [text for _, text in texts(svg)] == ["Rancho Santa Margarita", "Heights, CA"]


def test_tooltips_name_the_outcome_by_its_label():
    svg = charts.stacked_bars([("Experience", {"needs_review": 2, "not_applicable": 1})], title="t")
    assert "Experience: Needs review 2" in svg and "Experience: Not applicable 1" in svg
    assert "needs_review" not in svg and "not_applicable" not in svg
