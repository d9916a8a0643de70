import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from directory.models import CredentialStatus
from tests import factories
from verification import services
from verification.checks import CHECKS
from verification.checks.types import Outcome
from verification.dossier import dossiers_load
from verification.models import CheckResult, ExclusionListImport, ExclusionRecord, VerificationBatch, VerificationRun

pytestmark = pytest.mark.django_db
Kind = VerificationRun.Kind


def run_sync(kind=Kind.ANNUAL, **kwargs):
    run, created = services.run_start(kind=kind, as_of=timezone.localdate(), enqueue=False, **kwargs)
    for batch_id in run.batches.values_list("id", flat=True):
        services.batch_verify(batch_id=batch_id)
    run.refresh_from_db()
    return run, created


def test_annual_run_writes_one_current_result_per_surgeon_and_check(make_clean_surgeon, exclusion_list_loaded):
    surgeons = [make_clean_surgeon() for _ in range(3)]
    run, _ = run_sync()
    assert run.status == VerificationRun.Status.FINISHED
    assert CheckResult.objects.filter(run=run).count() == len(surgeons) * len(CHECKS)
    assert run.counts["dea"] == {"pass": 3}


def test_clean_surgeon_passes_every_check(make_clean_surgeon, exclusion_list_loaded):
    make_clean_surgeon()
    run, _ = run_sync()
    outcomes = set(CheckResult.objects.filter(run=run).values_list("outcome", flat=True))
    assert outcomes <= {Outcome.PASS, Outcome.NOT_APPLICABLE}


def test_the_same_period_fires_only_once(make_clean_surgeon, exclusion_list_loaded):
    make_clean_surgeon()
    first, created = run_sync()
    second, created_again = run_sync()
    assert created and not created_again
    assert first.id == second.id
    assert VerificationRun.objects.count() == 1


def test_a_redelivered_batch_adds_nothing(make_clean_surgeon, exclusion_list_loaded, settings):
    settings.VERIFICATION_BATCH_SIZE = 2
    for _ in range(3):
        make_clean_surgeon()
    run, _ = services.run_start(kind=Kind.ANNUAL, as_of=timezone.localdate(), enqueue=False)
    first = run.batches.first()
    assert services.batch_verify(batch_id=first.id) is True
    assert services.batch_verify(batch_id=first.id) is False
    for batch in run.batches.exclude(id=first.id):
        services.batch_verify(batch_id=batch.id)
    run.refresh_from_db()
    assert run.batches_done == run.batches_total == 2
    assert CheckResult.objects.filter(run=run).count() == 3 * len(CHECKS)


def test_a_batch_interrupted_after_writing_results_is_completed_by_its_retry(make_clean_surgeon, exclusion_list_loaded):
    make_clean_surgeon()
    run, _ = services.run_start(kind=Kind.ANNUAL, as_of=timezone.localdate(), enqueue=False)
    batch = run.batches.get()
    dossiers = dossiers_load(batch.surgeon_ids, as_of=run.as_of)
    results = {d.surgeon.id: services.evaluate_all(d, check_keys=run.checks, as_of=run.as_of) for d in dossiers}
    services.results_record(run=run, results=results, checked_at=timezone.now())  # as if a retry had written them
    assert services.batch_verify(batch_id=batch.id) is True
    assert CheckResult.objects.filter(run=run).count() == len(CHECKS)
    assert VerificationBatch.objects.get(id=batch.id).attempts == 1


def test_a_new_run_supersedes_the_current_results(make_clean_surgeon, exclusion_list_loaded):
    surgeon = make_clean_surgeon()
    run_sync()
    second, _ = run_sync(kind=Kind.MANUAL, surgeon_ids=[surgeon.id])
    current = CheckResult.objects.filter(surgeon=surgeon, is_current=True)
    assert current.count() == len(CHECKS)
    assert set(current.values_list("run_id", flat=True)) == {second.id}


def test_sanctions_run_only_rescreens_license_and_sanctions(make_clean_surgeon, exclusion_list_loaded):
    make_clean_surgeon()
    run, _ = run_sync(kind=Kind.SANCTIONS)
    assert set(CheckResult.objects.filter(run=run).values_list("check_key", flat=True)) == {"license_sanctions"}


def test_expiry_sweep_rechecks_only_surgeons_whose_evidence_expired(make_clean_surgeon, exclusion_list_loaded):
    fresh, stale = make_clean_surgeon(), make_clean_surgeon()
    run_sync()
    CheckResult.objects.filter(surgeon=stale, check_key="dea").update(valid_until=dt.date(2000, 1, 1))
    sweep, _ = run_sync(kind=Kind.EXPIRY)
    assert set(CheckResult.objects.filter(run=sweep).values_list("surgeon_id", flat=True)) == {stale.id}
    assert fresh.id not in sweep.batches.get().surgeon_ids


def test_no_exclusion_list_makes_the_sanctions_check_unknown_never_fail(make_clean_surgeon):
    make_clean_surgeon()
    run, _ = run_sync()
    result = CheckResult.objects.get(run=run, check_key="license_sanctions")
    assert result.outcome == Outcome.UNKNOWN
    assert result.source_answered is False


def test_exclusion_row_with_the_surgeons_npi_fails_the_screen(make_clean_surgeon, exclusion_list_loaded):
    surgeon = make_clean_surgeon()
    ExclusionRecord.objects.create(row_hash="x", npi=surgeon.npi, last_name="OTHER", state="TX")
    run, _ = run_sync()
    assert CheckResult.objects.get(run=run, check_key="license_sanctions").outcome == Outcome.FAIL


def test_name_and_state_row_without_npi_needs_review(make_clean_surgeon, exclusion_list_loaded):
    surgeon = make_clean_surgeon(first_name="Maria", last_name="Lopez")
    ExclusionRecord.objects.create(row_hash="y", last_name="LOPEZ", first_name="MARIA", state="TX")
    run, _ = run_sync()
    assert CheckResult.objects.get(run=run, surgeon=surgeon, check_key="license_sanctions").outcome == (
        Outcome.NEEDS_REVIEW
    )


def test_name_match_with_a_different_birth_date_is_not_a_match(make_clean_surgeon, exclusion_list_loaded):
    make_clean_surgeon(first_name="Maria", last_name="Lopez", date_of_birth=dt.date(1970, 1, 1))
    ExclusionRecord.objects.create(
        row_hash="z", last_name="LOPEZ", first_name="MARIA", state="TX", date_of_birth=dt.date(1961, 5, 5)
    )
    run, _ = run_sync()
    assert CheckResult.objects.get(run=run, check_key="license_sanctions").outcome == Outcome.PASS


def test_a_stale_exclusion_list_does_not_answer(make_clean_surgeon, exclusion_list_loaded):
    make_clean_surgeon()
    ExclusionListImport.objects.update(imported_at=timezone.now() - dt.timedelta(days=60))
    run, _ = run_sync()
    assert CheckResult.objects.get(run=run, check_key="license_sanctions").outcome == Outcome.UNKNOWN


def test_override_keeps_the_original_and_records_who_and_why(make_clean_surgeon, exclusion_list_loaded, admin_user):
    make_clean_surgeon()
    run, _ = run_sync()
    result = CheckResult.objects.get(run=run, check_key="dea")
    decision = services.result_override(
        result_id=result.id, to_outcome="fail", reason="Certificate forged", user=admin_user
    )
    result.refresh_from_db()
    assert (result.outcome, result.effective_outcome) == ("pass", "fail")
    assert (decision.from_outcome, decision.to_outcome, decision.decided_by) == ("pass", "fail", admin_user)


def test_override_without_a_reason_is_refused(make_clean_surgeon, exclusion_list_loaded, admin_user):
    make_clean_surgeon()
    run, _ = run_sync()
    result = CheckResult.objects.get(run=run, check_key="dea")
    with pytest.raises(ValueError, match="reason"):
        services.result_override(result_id=result.id, to_outcome="fail", reason="  ", user=admin_user)
    result.refresh_from_db()
    assert result.effective_outcome == "pass"


def test_a_decision_is_carried_to_the_next_run_while_the_finding_is_unchanged(
    make_clean_surgeon, exclusion_list_loaded, admin_user
):
    surgeon = make_clean_surgeon(first_name="Maria", last_name="Lopez")
    ExclusionRecord.objects.create(row_hash="y", last_name="LOPEZ", first_name="MARIA", state="TX")
    run_sync()
    result = CheckResult.objects.get(surgeon=surgeon, check_key="license_sanctions", is_current=True)
    services.result_override(result_id=result.id, to_outcome="pass", reason="Different person: DOB", user=admin_user)
    run_sync(kind=Kind.SANCTIONS)
    carried = CheckResult.objects.get(surgeon=surgeon, check_key="license_sanctions", is_current=True)
    assert carried.id != result.id
    assert (carried.outcome, carried.effective_outcome) == ("needs_review", "pass")
    ExclusionRecord.objects.create(row_hash="w", npi=surgeon.npi, state="TX")
    run_sync(kind=Kind.MANUAL, surgeon_ids=[surgeon.id])
    changed = CheckResult.objects.get(surgeon=surgeon, check_key="license_sanctions", is_current=True)
    assert changed.effective_outcome == "fail"


def test_run_verification_command_prints_a_summary_table(make_clean_surgeon, exclusion_list_loaded, capsys):
    make_clean_surgeon()
    call_command("run_verification", "--sync")
    out = capsys.readouterr().out
    assert "license_sanctions" in out and "satisfaction" in out
    assert "finished" in out


def test_run_verification_for_one_unknown_npi_is_a_clear_error(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No surgeon with NPI"):
        call_command("run_verification", "--surgeon", "1234567893", "--sync")


def test_revoked_license_fails_in_a_real_run(make_clean_surgeon, exclusion_list_loaded):
    surgeon = make_clean_surgeon()
    surgeon.licenses.update(status=CredentialStatus.REVOKED)
    run, _ = run_sync()
    assert CheckResult.objects.get(run=run, check_key="license_sanctions").outcome == Outcome.FAIL


def test_dossiers_load_in_a_constant_number_of_queries(
    make_clean_surgeon, exclusion_list_loaded, django_assert_max_num_queries
):
    ids = [make_clean_surgeon().id for _ in range(8)]
    factories.DisciplinaryActionFactory(license=factories.StateLicenseFactory(surgeon_id=ids[0]))
    with django_assert_max_num_queries(12):
        dossiers = dossiers_load(ids, as_of=timezone.localdate())
    actions = [action for license in dossiers[0].records["state_board"] for action in license.actions_on_file]
    assert len(dossiers) == 8 and len(actions) == 1
