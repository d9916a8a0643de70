import csv
import json
from contextlib import contextmanager
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


@pytest.fixture
def eligibility_events(django_capture_on_commit_callbacks):
    """`with eligibility_events() as surgeon_ids:` runs an import's after-commit work and collects the surgeons whose
    eligibility it asked to re-examine (verification.events.surgeons_changed), read from the events it recorded."""
    from verification.models import EligibilityEvent

    @contextmanager
    def capture():
        before = set(EligibilityEvent.objects.values_list("id", flat=True))
        surgeon_ids: set[int] = set()
        with django_capture_on_commit_callbacks(execute=True):
            yield surgeon_ids
        for ids in EligibilityEvent.objects.exclude(id__in=before).values_list("surgeon_ids", flat=True):
            surgeon_ids.update(ids)

    return capture
