import csv
import json
from pathlib import Path

import pytest
import responses

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_json(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def write_csv(tmp_path):
    """Write rows (lists of cells, or raw strings for deliberately broken lines) to a CSV file."""

    def write(rows, name="data.csv"):
        path = tmp_path / name
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            for row in rows:
                if isinstance(row, str):
                    handle.write(row + "\n")
                else:
                    writer.writerow(row)
        return path

    return write


@pytest.fixture
def api():
    """Every outbound call is answered by `responses`; an unregistered call fails the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
