import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from directory.models import CredentialStatus
from tests import factories
from verification import publication, services
from verification.models import CheckResult, CityListPointer, RankingSnapshot, VerificationRun

from .test_runs import run_sync

pytestmark = pytest.mark.django_db
Status = RankingSnapshot.Status


def listed(city):
    pointer = CityListPointer.objects.get(city=city)
    return list(pointer.snapshot.entries.order_by("rank").values_list("surgeon_id", flat=True))


@pytest.fixture
def twelve(make_clean_surgeon, exclusion_list_loaded):
    return [make_clean_surgeon() for _ in range(12)]


def test_annual_publication_lists_the_ten_best_eligible_surgeons(twelve, city):
    run, _ = run_sync()
    summary = publication.rankings_publish(run=run)
    assert summary.published == [city.slug]
    assert len(listed(city)) == 10
    snapshot = CityListPointer.objects.get(city=city).snapshot
    assert snapshot.status == Status.PUBLISHED and snapshot.method_version == "v1"


def test_every_entry_is_traceable_to_its_passing_results(twelve, city):
    run, _ = run_sync()
    publication.rankings_publish(run=run)
    for entry in CityListPointer.objects.get(city=city).snapshot.entries.all():
        outcomes = {r.check_key: r.effective_outcome for r in entry.results.all()}
        assert len(outcomes) == 7
        assert set(outcomes.values()) <= {"pass", "not_applicable"}


def test_ineligible_surgeons_are_never_listed(twelve, city):
    twelve[0].malpractice_policies.update(per_claim_limit=500_000, aggregate_limit=1_500_000)
    run, _ = run_sync()
    publication.rankings_publish(run=run)
    assert twelve[0].id not in listed(city)


def test_fewer_than_ten_eligible_publishes_fewer_and_says_so(make_clean_surgeon, exclusion_list_loaded, city):
    for _ in range(4):
        make_clean_surgeon()
    run, _ = run_sync()
    publication.rankings_publish(run=run)
    snapshot = CityListPointer.objects.get(city=city).snapshot
    assert snapshot.entries.count() == 4
    assert "Only 4" in snapshot.note


def test_a_source_outage_publishes_nothing_and_the_run_says_so(twelve, city):
    run, _ = run_sync()
    publication.rankings_publish(run=run)
    before = CityListPointer.objects.get(city=city).snapshot_id
    CheckResult.objects.filter(run=run, check_key="license_sanctions").update(outcome="unknown", source_answered=False)
    summary = publication.rankings_publish(run=run)
    assert summary.blocked_reason and summary.published == []
    assert CityListPointer.objects.get(city=city).snapshot_id == before
    run.refresh_from_db()
    assert "no answer from a source" in run.note


def test_an_unchanged_list_is_not_published_again(twelve, city):
    run, _ = run_sync()
    publication.rankings_publish(run=run)
    assert publication.rankings_publish(run=run).unchanged == [city.slug]
    assert RankingSnapshot.objects.count() == 1


def test_a_large_change_waits_for_approval_and_the_old_list_stays(twelve, city, make_clean_surgeon, settings):
    settings.RANKING_MAX_CHANGES_WITHOUT_APPROVAL = 1
    run, _ = run_sync()
    publication.rankings_publish(run=run)
    old = CityListPointer.objects.get(city=city).snapshot_id
    newcomers = [make_clean_surgeon() for _ in range(3)]
    factories.SatisfactionScoreFactory.reset_sequence()
    for surgeon in newcomers:
        surgeon.satisfaction_scores.update(score="9.90", responses=900)
    run2, _ = run_sync(kind=VerificationRun.Kind.MANUAL)
    summary = publication.rankings_publish(run=run2)
    assert summary.awaiting_approval == [city.slug]
    assert CityListPointer.objects.get(city=city).snapshot_id == old
    waiting = RankingSnapshot.objects.get(status=Status.AWAITING_APPROVAL)
    assert "must approve" in waiting.note


def test_approval_publishes_and_records_the_approver(twelve, city, make_clean_surgeon, settings, admin_user):
    settings.RANKING_MAX_CHANGES_WITHOUT_APPROVAL = 0
    run, _ = run_sync()
    publication.rankings_publish(run=run)
    star = make_clean_surgeon()
    star.satisfaction_scores.update(score="9.99", responses=900)
    run2, _ = run_sync(kind=VerificationRun.Kind.MANUAL)
    publication.rankings_publish(run=run2)
    waiting = RankingSnapshot.objects.get(status=Status.AWAITING_APPROVAL)
    publication.snapshot_publish(snapshot_id=waiting.id, user=admin_user)
    waiting.refresh_from_db()
    assert waiting.status == Status.PUBLISHED and waiting.approved_by == admin_user
    assert listed(city)[0] == star.id
    assert RankingSnapshot.objects.filter(status=Status.SUPERSEDED).count() == 1


def test_a_snapshot_with_an_ineligible_entry_cannot_be_published(twelve, city, admin_user, settings):
    settings.RANKING_MAX_CHANGES_WITHOUT_APPROVAL = 0
    run, _ = run_sync()
    publication.rankings_publish(run=run)
    twelve[11].satisfaction_scores.update(score="9.99", responses=900)
    run2, _ = run_sync(kind=VerificationRun.Kind.MANUAL)
    publication.rankings_publish(run=run2)
    waiting = RankingSnapshot.objects.get(status=Status.AWAITING_APPROVAL)
    CheckResult.objects.filter(surgeon=twelve[11], check_key="dea", is_current=True).update(effective_outcome="fail")
    with pytest.raises(publication.PublicationError, match="no longer eligible"):
        publication.snapshot_publish(snapshot_id=waiting.id, user=admin_user)


def test_a_published_snapshot_cannot_be_published_again(twelve, city):
    run, _ = run_sync()
    publication.rankings_publish(run=run)
    with pytest.raises(publication.PublicationError):
        publication.snapshot_publish(snapshot_id=CityListPointer.objects.get(city=city).snapshot_id)


def test_sanctions_rescreen_delists_at_once_with_the_reason(twelve, city):
    run, _ = run_sync()
    publication.rankings_publish(run=run)
    victim = listed(city)[2]
    factories.SurgeonFactory._meta.model.objects.get(id=victim).licenses.update(status=CredentialStatus.REVOKED)
    sanctions, _ = run_sync(kind=VerificationRun.Kind.SANCTIONS)
    publication.after_run(run_id=sanctions.id)
    snapshot = CityListPointer.objects.get(city=city).snapshot
    assert victim not in listed(city)
    assert VerificationRun.objects.get(id=sanctions.id).publication_done_at is not None
    assert snapshot.reason == RankingSnapshot.Reason.DELISTING
    assert "left the list: License and sanctions no longer passes" in snapshot.note
    # The next eligible surgeon moves up: twelve were eligible, eleven are, ten are listed.
    assert [e.rank for e in snapshot.entries.order_by("rank")] == list(range(1, 11))


def test_an_unknown_result_never_delists(twelve, city):
    run, _ = run_sync()
    publication.rankings_publish(run=run)
    before = listed(city)
    sanctions, _ = services.run_start(kind=VerificationRun.Kind.SANCTIONS, as_of=timezone.localdate(), enqueue=False)
    from verification.models import ExclusionListImport

    ExclusionListImport.objects.all().delete()  # no exclusion list loaded: the screen cannot answer
    for batch in sanctions.batches.all():
        services.batch_verify(batch_id=batch.id)
    assert CheckResult.objects.filter(run=sanctions, outcome="unknown").count() == 12
    before_ids = CityListPointer.objects.get(city=city).snapshot_id
    # Unknown is not a pass: eligibility is lost, but an outage must not empty the lists.
    publication.after_run(run_id=sanctions.id)
    assert listed(city) == before
    assert CityListPointer.objects.get(city=city).snapshot_id == before_ids


def test_an_annual_run_publishes_in_chunks_and_records_when_it_is_done(
    make_clean_surgeon, exclusion_list_loaded, city, monkeypatch, celery_eager, django_capture_on_commit_callbacks
):
    dallas = factories.CityFactory(name="Dallas", state="TX")
    for town in (city, dallas):
        for _ in range(3):
            make_clean_surgeon(city=town)
    monkeypatch.setattr(publication, "PUBLICATION_CHUNK", 1)
    run, _ = run_sync()
    with django_capture_on_commit_callbacks(execute=True):
        publication.after_run(run_id=run.id)
    run.refresh_from_db()
    assert run.publication_chunks_left == 0 and run.publication_done_at is not None
    assert len(listed(city)) == 3 and len(listed(dallas)) == 3


def test_an_outage_marks_the_publication_done_with_nothing_published(twelve, city, django_capture_on_commit_callbacks):
    run, _ = run_sync()
    CheckResult.objects.filter(run=run).update(source_answered=False)
    with django_capture_on_commit_callbacks(execute=True):
        publication.after_run(run_id=run.id)
    run.refresh_from_db()
    assert run.publication_done_at is not None and "no answer" in run.note
    assert not CityListPointer.objects.exists()


def test_publish_rankings_command_reports_and_rejects_unknown_city(twelve, city, capsys):
    run_sync()
    call_command("publish_rankings", "--city", city.slug)
    assert "Published 1 lists" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No city"):
        call_command("publish_rankings", "--city", "atlantis-xx")
