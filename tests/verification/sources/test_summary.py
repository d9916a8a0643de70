"""An import's summary: counts and the row errors it keeps."""

from verification.sources.summary import ImportSummary


def test_a_row_with_two_problems_counts_once_as_bad():
    summary = ImportSummary(source="x")
    summary.error(4, "one")
    summary.error(4, "two")
    summary.error(9, "three")

    assert (summary.bad, len(summary.errors)) == (2, 3)
