import csv
import io

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from verification.sources.csv_rows import CsvRows


def test_line_numbers_are_the_files_physical_lines(write_csv):
    path = write_csv(["a,b", "1,2", '"multi\nline",3', "4,5"])

    with CsvRows(path) as rows:
        assert [line for line, _ in rows] == [2, 4, 5]


def test_prefiltered_passes_over_rejected_records_whole_and_keeps_physical_line_numbers(write_csv):
    path = write_csv(["id,note", "keep,1", 'skip,"two\nlines, keep"', "keep,3", 'keep,"a ""quoted""\nnote"', "x,5"])

    with CsvRows(path) as rows:
        kept = list(rows.prefiltered({"keep"}, 4))

    assert kept == [(2, ["keep", "1"]), (5, ["keep", "3"]), (7, ["keep", 'a "quoted"\nnote'])]
    assert rows.passed_over == 2


def test_prefiltered_reports_progress_through_the_whole_file(write_csv):
    path = write_csv(["id,n", *(f"row{i},{i}" for i in range(20000))])
    reported = []

    with CsvRows(path, progress=reported.append) as rows:
        assert list(rows.prefiltered({"row7,"}, 5)) == [(9, ["row7", "7"])]

    assert sum(reported) == path.stat().st_size


CELLS = st.text(alphabet=st.sampled_from('ab ,"\n\r\t\\\x00é'), max_size=6)
ROWS = st.lists(st.lists(CELLS, min_size=1, max_size=4), max_size=8)
ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])
BLOCKS = st.sampled_from([1, 2, 5, 1 << 20])  # small blocks cut lines, quoted fields and \r\n pairs anywhere


def _written(path, rows, ending) -> list[str]:
    """Write rows under a header; the raw text of each row."""
    raws = []
    for row in rows:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator=ending).writerow(row)
        raws.append(buffer.getvalue())
    path.write_text("header" + ending + "".join(raws), encoding="utf-8", newline="")
    return raws


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS, ending=ENDINGS, block=BLOCKS)
def test_records_are_read_as_the_csv_module_reads_them(tmp_path, rows, ending, block):
    path = tmp_path / "data.csv"
    _written(path, rows, ending)
    with path.open(newline="", encoding="utf-8") as handle:
        expected = list(csv.reader(handle))[1:]

    with CsvRows(path) as records:
        records.BLOCK_CHARS = block
        assert [fields for _, fields in records] == expected


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS, ending=ENDINGS, block=BLOCKS)
def test_prefiltered_keeps_exactly_the_records_starting_with_a_prefix_or_a_quote(tmp_path, rows, ending, block):
    path = tmp_path / "data.csv"
    raws = _written(path, rows, ending)
    with path.open(newline="", encoding="utf-8") as handle:
        parsed = list(csv.reader(handle))[1:]
    assume(parsed == rows)  # the writer leaves a \r raw under \n endings (and vice versa): raws would not be records
    expected = [row for row, raw in zip(parsed, raws, strict=True) if raw[:2] in {"ab", "a,"} or raw[0] == '"']

    with CsvRows(path) as records:
        records.BLOCK_CHARS = block
        kept = [fields for _, fields in records.prefiltered({"ab", "a,"}, 2)]

    assert kept == expected
    assert records.passed_over == len(rows) - len(expected)


def test_blank_lines_are_empty_records_and_an_unclosed_quote_is_an_error(write_csv):
    path = write_csv(["a,b", "", "1,2", '3,"never closed', "4,5"])

    with CsvRows(path) as rows:
        records = iter(rows)
        assert [next(records), next(records)] == [(2, []), (3, ["1", "2"])]
        with pytest.raises(csv.Error, match="line 5: unexpected end of data"):
            list(records)
