"""The oversize-upload message reads consistently: the file always reads larger than the limit."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from directory.documents import evidence_file_inspect, size_text

MB = 1_048_576


@pytest.mark.parametrize(
    ("size", "limit", "message"),
    [
        (int(10.5 * MB), 10 * MB, "The file is 10.5 MB; the limit is 10 MB."),
        (10 * MB + 1, 10 * MB, "The file is 10.1 MB; the limit is 10 MB."),
        (12 * MB, 10 * MB, "The file is 12 MB; the limit is 10 MB."),
        (2100, 1024, "The file is 2.1 KB; the limit is 1 KB."),
    ],
)
def test_the_oversize_message_names_both_sizes_in_one_style(size, limit, message, settings):
    settings.EVIDENCE_MAX_BYTES = limit
    upload = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (size - 5), content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        evidence_file_inspect(upload)
    assert error.value.messages == [message]


@pytest.mark.parametrize("size", [10 * MB + 1, int(10.05 * MB), 11 * MB - 1])
def test_a_file_over_the_limit_never_reads_as_the_limit(size):
    assert size_text(size, round_up=True) != size_text(10 * MB, round_up=False)


def test_a_limit_under_a_kilobyte_reads_in_bytes():
    assert size_text(900, round_up=False) == "900 bytes"
