"""The README's worked example of adding a check, run as written: its module and a registry entry, nothing else."""

import re
import sys
import types
from pathlib import Path

import pytest
from django.utils import timezone

from api import fhir
from verification import publication, review_selectors, selectors
from verification.checks import CHECKS
from verification.checks.types import Check, Outcome
from verification.dossier import feeds_needed
from verification.models import CheckResult, CityListPointer

from .test_runs import run_sync

README = Path(__file__).resolve().parents[2] / "README.md"
DECLARED = [*Check.__annotations__, "evaluate", "review_panels"]


def readme_example() -> str:
    section = README.read_text().split("### Adding a check", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


@pytest.fixture
def medical_education(monkeypatch):
    """The module exactly as the README prints it, in the registry for this test only."""
    module = types.ModuleType("verification.checks.medical_education")
    module.__package__ = "verification.checks"
    exec(compile(readme_example(), str(README), "exec"), module.__dict__)  # noqa: S102 - our own README
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(CHECKS, module.KEY, module)
    return module


@pytest.mark.parametrize("key", list(CHECKS))
def test_every_registered_check_declares_everything_the_rest_of_the_code_reads(key):
    missing = [name for name in DECLARED if not hasattr(CHECKS[key], name)]
    assert missing == []


def test_the_example_declares_everything_a_check_declares(medical_education):
    assert [name for name in DECLARED if not hasattr(medical_education, name)] == []
    assert feeds_needed() == ["state_board", "board_certification", "dea", "state_csr", "malpractice"]


@pytest.fixture
def educated_and_not(make_clean_surgeon, exclusion_list_loaded, medical_education):
    educated = make_clean_surgeon(medical_school="Baylor College of Medicine", graduation_year=2004)
    return educated, make_clean_surgeon()


def test_a_run_evaluates_the_new_check_and_only_surgeons_who_pass_it_are_listed(educated_and_not, city):
    educated, unknown_school = educated_and_not
    run, _ = run_sync()
    outcomes = dict(
        CheckResult.objects.filter(run=run, check_key="medical_education").values_list("surgeon", "outcome")
    )
    assert outcomes == {educated.id: Outcome.PASS, unknown_school.id: Outcome.NEEDS_REVIEW}
    publication.rankings_publish(run=run)
    entries = CityListPointer.objects.get(city=city).snapshot.entries.values_list("surgeon_id", flat=True)
    assert list(entries) == [educated.id]


def test_reviewers_see_the_new_check_s_panel_and_partners_its_fhir_coding(educated_and_not):
    educated, _ = educated_and_not
    run_sync()
    result = CheckResult.objects.get(surgeon=educated, check_key="medical_education", is_current=True)

    (panel,) = review_selectors.evidence_panels(result)
    resource = fhir.verification_result(result, as_of=timezone.localdate())

    assert (panel.title, panel.rows) == ("Medical education", [["Baylor College of Medicine", 2004]])
    assert resource["targetLocation"] == ["Practitioner.qualification"]
    assert resource["primarySource"][0]["type"][0]["coding"][0]["code"] == "auth-source"
    assert resource["extension"][0]["valueCoding"]["display"] == "Medical education"
    assert [badge.check_key for badge in selectors.badges_for(educated.check_results.all())][-1] == "medical_education"
