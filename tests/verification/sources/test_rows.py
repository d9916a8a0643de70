import csv

import pytest

from verification.sources.rows import CsvRows, ImportSummary, prefetched


def test_prefetched_yields_every_item_in_order():
    with prefetched(iter(range(100)), depth=2) as items:
        assert list(items) == list(range(100))


def test_prefetched_raises_the_producers_error_in_the_consumer():
    def broken():
        yield 1
        raise csv.Error("line 3: bad quoting")

    with prefetched(broken()) as items, pytest.raises(csv.Error, match="bad quoting"):
        list(items)


def test_prefetched_stops_the_producer_when_the_consumer_gives_up():
    with prefetched(iter(range(10**9)), depth=1) as items:
        assert next(items) == 0
    # Leaving the block returned: the producer saw the stop instead of filling the queue forever.


def test_a_row_with_two_problems_counts_once_as_bad():
    summary = ImportSummary(source="x")
    summary.error(4, "one")
    summary.error(4, "two")
    summary.error(9, "three")

    assert (summary.bad, len(summary.errors)) == (2, 3)


def test_line_numbers_are_the_files_physical_lines(write_csv):
    path = write_csv(["a,b", "1,2", '"multi\nline",3', "4,5"])

    with CsvRows(path) as rows:
        assert [line for line, _ in rows] == [2, 4, 5]


def test_prefiltered_passes_over_rejected_records_whole_and_keeps_physical_line_numbers(write_csv):
    path = write_csv(["id,note", "keep,1", 'skip,"two\nlines, keep"', "keep,3", 'keep,"a ""quoted""\nnote"', "x,5"])

    with CsvRows(path) as rows:
        kept = list(rows.prefiltered(lambda line: line.startswith("keep")))

    assert kept == [(2, ["keep", "1"]), (5, ["keep", "3"]), (7, ["keep", 'a "quoted"\nnote'])]
    assert rows.passed_over == 2


def test_prefiltered_reports_progress_through_the_whole_file(write_csv):
    path = write_csv(["id", *(f"row{i}" for i in range(20000))])
    reported = []

    with CsvRows(path, progress=reported.append) as rows:
        assert list(rows.prefiltered(lambda line: line == "row7\n")) == [(9, ["row7"])]

    assert sum(reported) == path.stat().st_size
