"""seed_demo: deterministic, repeatable demo data that passes and fails every check, and a demo LEIE file."""

import csv
import io
import re
from collections import defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from demo import vocabulary
from demo.seed import demo_data_seed
from directory.models import (
    BoardCertification,
    City,
    ConsultationRequest,
    DEARegistration,
    MalpracticePolicy,
    PracticeLocation,
    ProcedureVolume,
    SatisfactionScore,
    StateControlledSubstanceRegistration,
    StateLicense,
    Surgeon,
)
from directory.npi import is_valid_npi
from directory.phones import phone_e164
from verification import publication, services
from verification.checks import CHECKS
from verification.checks.state_csr import ALWAYS, STATE_RULES
from verification.checks.types import Outcome
from verification.models import CheckResult, CityListPointer, VerificationRun
from verification.sources.leie import LEIE_HEADER

pytestmark = pytest.mark.django_db
TEXAS = ["houston-tx", "dallas-tx", "san-antonio-tx", "austin-tx", "fort-worth-tx", "el-paso-tx"]
SEEDED = [
    City, Surgeon, PracticeLocation, StateLicense, BoardCertification, DEARegistration,
    StateControlledSubstanceRegistration, MalpracticePolicy, ProcedureVolume, SatisfactionScore,
]  # fmt: skip


def seed(**options):
    return demo_data_seed(**{"surgeons": 120, "cities": 12, **options})


def surgeons_by_npi():
    return list(Surgeon.objects.order_by("npi").values_list("npi", "first_name", "last_name", "specialty"))


def row_counts():
    return {model.__name__: model.objects.count() for model in SEEDED}


def verify_and_publish(leie_path):
    call_command("import_leie", str(leie_path), stdout=io.StringIO(), stderr=io.StringIO())
    run, _ = services.run_start(kind=VerificationRun.Kind.ANNUAL, as_of=timezone.localdate(), enqueue=False)
    for batch_id in run.batches.values_list("id", flat=True):
        services.batch_verify(batch_id=batch_id)
    publication.rankings_publish(run=run)
    return run


def test_it_seeds_the_requested_numbers_of_surgeons_and_cities():
    summary = seed()
    assert (Surgeon.objects.count(), City.objects.count()) == (120, 12)
    assert (summary.surgeons, summary.cities) == (120, 12)
    assert summary.locations == PracticeLocation.objects.count()


def test_the_six_texas_cities_come_first_then_states_that_require_a_registration():
    seed()
    cities = list(City.objects.order_by("id"))
    assert [c.slug for c in cities[:6]] == TEXAS
    assert {c.state for c in cities[6:12]} == {"IL", "MA", "MI", "MO", "NJ", "OK"}
    assert all(STATE_RULES[c.state].required_on(timezone.localdate()) for c in cities[6:12])


def test_every_npi_is_valid_and_unique():
    seed()
    npis = list(Surgeon.objects.values_list("npi", flat=True))
    assert all(is_valid_npi(npi) for npi in npis)
    assert len(set(npis)) == len(npis)


def test_each_surgeon_has_one_to_three_locations_one_primary_and_some_practise_in_two_cities():
    seed()
    cities_by_surgeon, primaries = defaultdict(list), defaultdict(int)
    for surgeon_id, city_id, is_primary in PracticeLocation.objects.values_list("surgeon", "city", "is_primary"):
        cities_by_surgeon[surgeon_id].append(city_id)
        primaries[surgeon_id] += is_primary
    assert all(1 <= len(cities) <= 3 for cities in cities_by_surgeon.values())
    assert set(primaries.values()) == {1}
    assert any(len(set(cities)) > 1 for cities in cities_by_surgeon.values())


def test_practice_contacts_are_fictional_and_phones_e164():
    seed()
    for phone, email in PracticeLocation.objects.values_list("phone", "email"):
        assert re.fullmatch(r"\+1\d{3}55501\d\d", phone) and phone_e164(phone) == phone
        assert email.endswith(".example")


def test_the_same_seed_gives_the_same_surgeons():
    seed(seed=11)
    first = surgeons_by_npi()
    seed(seed=11)
    assert surgeons_by_npi() == first


def test_a_different_seed_gives_different_surgeons():
    seed(seed=11)
    first = surgeons_by_npi()
    seed(seed=12)
    assert {npi for npi, *_ in surgeons_by_npi()}.isdisjoint({npi for npi, *_ in first})


def test_seeding_twice_leaves_the_same_data_and_no_old_results(tmp_path):
    seed(leie_path=tmp_path / "UPDATED.csv")
    verify_and_publish(tmp_path / "UPDATED.csv")
    counts = row_counts()
    seed(leie_path=tmp_path / "UPDATED.csv")
    assert row_counts() == counts
    assert not CheckResult.objects.exists()
    assert not VerificationRun.objects.exists()
    assert not CityListPointer.objects.exists()


def test_seeding_keeps_users():
    get_user_model().objects.create_superuser("admin", "admin@example.com", "not-a-real-password")
    seed()
    seed()
    assert get_user_model().objects.filter(username="admin").exists()


def test_more_cities_than_the_named_ones_are_generated_with_unique_slugs():
    seed(surgeons=30, cities=len(vocabulary.NAMED_CITIES) + 25)
    assert City.objects.count() == len(vocabulary.NAMED_CITIES) + 25
    assert City.objects.values("slug").distinct().count() == City.objects.count()


def test_the_registration_states_agree_with_the_state_rules():
    always = {state for state, rule in STATE_RULES.items() if rule.required_since == ALWAYS and not rule.required_until}
    assert always == vocabulary.CSR_STATES


def test_the_leie_file_is_in_the_importers_format(tmp_path):
    path = tmp_path / "UPDATED.csv"
    summary = seed(leie_path=path)
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == LEIE_HEADER == vocabulary.LEIE_HEADER
    assert len(rows) - 1 == summary.leie_rows >= vocabulary.LEIE_UNRELATED_ROWS
    for row in rows[1:]:
        assert len(row) == len(LEIE_HEADER)
        assert all(re.fullmatch(r"\d{8}", row[i]) for i in (8, 14, 15, 16))
        assert re.fullmatch(r"\d{10}", row[7])
        assert row[0] == row[0].upper() and row[1] == row[1].upper()


def test_the_leie_file_is_identical_for_the_same_seed(tmp_path):
    seed(leie_path=tmp_path / "first.csv")
    seed(leie_path=tmp_path / "second.csv")
    assert (tmp_path / "first.csv").read_bytes() == (tmp_path / "second.csv").read_bytes()


def test_the_leie_file_matches_some_surgeons_by_npi_and_some_by_name_only(tmp_path):
    path = tmp_path / "UPDATED.csv"
    seed(leie_path=path)
    npis = set(Surgeon.objects.values_list("npi", flat=True))
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert any(row["NPI"] in npis for row in rows)
    names = {(s.first_name.upper(), s.last_name.upper()) for s in Surgeon.objects.all()}
    assert any(row["NPI"] == "0000000000" and (row["FIRSTNAME"], row["LASTNAME"]) in names for row in rows)


def test_seeded_data_passes_and_fails_every_check_and_publishes_rankings(tmp_path):
    seed(leie_path=tmp_path / "UPDATED.csv")
    run = verify_and_publish(tmp_path / "UPDATED.csv")
    outcomes = defaultdict(set)
    for check_key, outcome in CheckResult.objects.filter(run=run).values_list("check_key", "outcome"):
        outcomes[check_key].add(outcome)
    for key in CHECKS:
        assert Outcome.PASS in outcomes[key], key
        assert outcomes[key] - {Outcome.PASS}, key
    assert {Outcome.FAIL, Outcome.NEEDS_REVIEW} <= outcomes["license_sanctions"]
    assert Outcome.NOT_APPLICABLE in outcomes["state_csr"]
    assert CityListPointer.objects.exists()


def test_exclusion_rows_fail_on_npi_and_need_review_on_name_and_state(tmp_path):
    seed(leie_path=tmp_path / "UPDATED.csv")
    run = verify_and_publish(tmp_path / "UPDATED.csv")
    matched = defaultdict(set)
    for result in CheckResult.objects.filter(run=run, check_key="license_sanctions"):
        for match in result.evidence.get("exclusion_matches", []):
            matched[match["on"]].add(result.outcome)
    assert matched["npi"] == {Outcome.FAIL}
    assert Outcome.NEEDS_REVIEW in matched["name_state"]


def test_progress_is_reported_for_every_surgeon():
    reported = []
    seed(surgeons=50, progress=reported.append)
    assert sum(reported) == 50


def test_the_command_seeds_and_prints_a_one_line_summary(tmp_path):
    out = io.StringIO()
    path, files = tmp_path / "demo" / "UPDATED.csv", tmp_path / "demo"
    call_command(
        "seed_demo", "--surgeons", "30", "--cities", "12", "--leie-out", str(path), "--files-out", str(files),
        stdout=out,
    )  # fmt: skip
    year = timezone.localdate().year - 2
    assert re.fullmatch(
        rf"Seeded 30 surgeons in 12 cities \([\d,]+ credentials, [\d,]+ LEIE rows → {re.escape(str(path))}; "
        rf"DAC, CMS {year} and deactivation files → {re.escape(str(files))}\)\.\n",
        out.getvalue(),
    )
    assert path.exists() and len(list(files.iterdir())) == 4


def test_the_command_writes_no_leie_file_when_told_not_to(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    call_command("seed_demo", "--surgeons", "5", "--leie-out", "", "--files-out", "", stdout=out)
    assert "no LEIE file" in out.getvalue() and "DAC" not in out.getvalue()
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(("option", "value"), [("--surgeons", "0"), ("--surgeons", "-5"), ("--cities", "0")])
def test_the_command_rejects_numbers_below_one(option, value):
    with pytest.raises(CommandError, match=f"{option} must be at least 1"):
        call_command("seed_demo", option, value, "--leie-out", "", "--files-out", "")
    assert not Surgeon.objects.exists()


def test_the_command_keeps_a_directory_that_has_surgeons(db):
    call_command("seed_demo", "--surgeons", "5", "--leie-out", "", stdout=io.StringIO())
    request = ConsultationRequest.objects.create(
        surgeon=Surgeon.objects.first(), name="Pat", phone="7135550100", reason="Back pain", consent=True
    )
    with pytest.raises(CommandError, match="already has 5 surgeons. --replace wipes them"):
        call_command("seed_demo", "--surgeons", "9", "--leie-out", "")
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", "--surgeons", "9", "--leie-out", "", stdout=out)
    assert "Kept the directory as it is (5 surgeons)" in out.getvalue()
    assert Surgeon.objects.count() == 5 and ConsultationRequest.objects.filter(id=request.id).exists()


def test_replace_starts_the_demo_over(db):
    call_command("seed_demo", "--surgeons", "5", "--leie-out", "", stdout=io.StringIO())
    call_command("seed_demo", "--replace", "--surgeons", "7", "--leie-out", "", stdout=io.StringIO())
    assert Surgeon.objects.count() == 7


def test_the_demo_admin_password_changes_only_when_asked(db):
    first = io.StringIO()
    call_command("create_demo_admin", stdout=first)
    password = first.getvalue().split(" / ")[1].split()[0]
    again = io.StringIO()
    call_command("create_demo_admin", stdout=again)
    assert "its password is unchanged" in again.getvalue()
    assert get_user_model().objects.get(username="admin").check_password(password)
    reset = io.StringIO()
    call_command("create_demo_admin", "--reset", stdout=reset)
    assert not get_user_model().objects.get(username="admin").check_password(password)
    assert "Demo admin login: admin / " in reset.getvalue()
