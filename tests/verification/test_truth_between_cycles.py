"""Between annual runs the lists follow the truth at once: every eligibility event republishes what it touches."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from directory.models import EvidenceDocument, MalpracticePolicy, PracticeLocation, Surgeon
from verification import events, publication, services
from verification.models import (
    CheckResult,
    CityListPointer,
    EligibilityEvent,
    ExclusionListImport,
    RankingSnapshot,
    VerificationRun,
)

from .conftest import committed
from .test_runs import run_sync

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]
Status = RankingSnapshot.Status


def listed(city) -> list[int]:
    pointer = CityListPointer.objects.get(city=city)
    return list(pointer.snapshot.entries.order_by("rank").values_list("surgeon_id", flat=True))


@pytest.fixture
def twelve(make_clean_surgeon, exclusion_list_loaded, city):
    """Twelve eligible surgeons in Houston; the top ten are listed."""
    surgeons = [make_clean_surgeon() for _ in range(12)]
    publication.rankings_publish(run=run_sync()[0])
    EligibilityEvent.objects.update(processed_at=timezone.now())  # the records' creation was acted on long ago
    return surgeons


@pytest.fixture
def publisher(make_staff):
    return make_staff("Publisher")


def test_a_reviewer_confirming_a_fail_delists_at_once_and_the_next_surgeon_moves_up(client, twelve, city, publisher):
    top, eleventh = listed(city)[0], twelve[10].id
    result = CheckResult.objects.get(surgeon_id=top, check_key="malpractice", is_current=True)
    client.force_login(publisher)
    url = reverse("admin:verification_checkresult_review_item", args=[result.id])
    committed(lambda: client.post(url, {"outcome": "fail", "reason": "Policy cancelled by the carrier"}))
    now_listed = listed(city)
    assert top not in now_listed and eleventh in now_listed and len(now_listed) == 10
    snapshot = CityListPointer.objects.get(city=city).snapshot
    assert snapshot.reason == RankingSnapshot.Reason.DELISTING and snapshot.origin == RankingSnapshot.Origin.EVENT
    assert "left the list: Malpractice insurance no longer passes" in snapshot.note
    assert "cancelled" not in snapshot.note  # the reviewer's private reason stays private


def test_the_city_page_and_api_stop_showing_a_delisted_surgeon(client, twelve, city, publisher):
    top = Surgeon.objects.get(id=listed(city)[0])
    page = client.get(city.get_absolute_url())
    assert top.npi in page.text
    result = CheckResult.objects.get(surgeon=top, check_key="dea", is_current=True)
    committed(lambda: services.result_override(result_id=result.id, to_outcome="fail", reason="x", user=publisher))
    fresh = client.get(city.get_absolute_url(), HTTP_IF_NONE_MATCH=page["ETag"])
    assert fresh.status_code == 200 and top.npi not in fresh.text


def test_an_admin_edit_of_a_credential_rechecks_the_surgeon_and_delists_them(client, twelve, city):
    victim = listed(city)[3]
    policy = MalpracticePolicy.objects.get(surgeon_id=victim)
    policy.per_claim_limit, policy.aggregate_limit = 250_000, 500_000
    committed(policy.save)
    assert victim not in listed(city)
    assert CheckResult.objects.get(surgeon_id=victim, check_key="malpractice", is_current=True).outcome == "fail"


def test_an_evidence_upload_records_an_event_that_rechecks_its_surgeon(twelve):
    surgeon = twelve[0]
    license = surgeon.licenses.get()
    EvidenceDocument.objects.create(kind="state_board_profile", file="evidence/x.pdf", content_type="application/pdf",
                                    size=10, sha256="0" * 64, license=license)  # fmt: skip
    event = EligibilityEvent.objects.filter(cause="evidence uploaded").get()
    assert event.surgeon_ids == [surgeon.id] and event.recheck


def test_removing_a_practice_location_republishes_the_city_it_left(twelve, city):
    victim = listed(city)[0]
    committed(lambda: PracticeLocation.objects.get(surgeon_id=victim, city=city).delete())
    assert victim not in listed(city) and len(listed(city)) == 10
    assert "no longer practices in Houston" in CityListPointer.objects.get(city=city).snapshot.note


def test_withdrawing_a_surgeon_delists_them_without_a_recheck(twelve, city):
    victim = Surgeon.objects.get(id=listed(city)[1])
    victim.is_active = False
    runs_before = VerificationRun.objects.count()
    committed(victim.save)
    assert victim.id not in listed(city)
    assert VerificationRun.objects.count() == runs_before


def test_a_deactivated_npi_is_delisted(twelve, city):
    victim = Surgeon.objects.get(id=listed(city)[1])
    victim.npi_deactivated_on = timezone.localdate()
    committed(victim.save)
    assert victim.id not in listed(city)


def test_a_reviewer_decision_during_a_broker_outage_is_acted_on_by_the_sweeper(twelve, city, publisher, monkeypatch):
    top = listed(city)[0]
    result = CheckResult.objects.get(surgeon_id=top, check_key="dea", is_current=True)
    monkeypatch.setattr(events, "events_send", lambda: False)  # the broker refused the hand-over
    services.result_override(result_id=result.id, to_outcome="fail", reason="x", user=publisher)
    assert top in listed(city)
    assert EligibilityEvent.objects.filter(processed_at=None).count() == 1
    monkeypatch.undo()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        assert events.events_sweep() is True  # the broker is back: the sweeper sends it (run in-process here)
    assert top not in listed(city)
    assert not EligibilityEvent.objects.filter(processed_at=None).exists()


def test_events_in_one_transaction_are_acted_on_together(twelve, city):
    def edit_three():
        for surgeon in twelve[:3]:
            policy = surgeon.malpractice_policies.get()
            policy.expires = timezone.localdate() + dt.timedelta(days=30)
            policy.save()

    runs_before = VerificationRun.objects.count()
    committed(edit_three)
    assert VerificationRun.objects.count() == runs_before + 1
    assert not EligibilityEvent.objects.filter(processed_at=None).exists()


def test_republishing_one_city_takes_a_fixed_number_of_queries(
    twelve, city, make_clean_surgeon, django_assert_max_num_queries
):
    victim = listed(city)[0]
    CheckResult.objects.filter(surgeon_id=victim, check_key="dea").update(effective_outcome="fail")
    with django_assert_max_num_queries(24):
        summary = publication.cities_republish([city.id])
    assert summary.published == [city.slug]
    for _ in range(10):
        make_clean_surgeon()
    run_sync(kind="manual")
    CheckResult.objects.filter(surgeon_id=listed(city)[0], check_key="dea").update(effective_outcome="fail")
    with django_assert_max_num_queries(24):  # the same with twice the surgeons
        publication.cities_republish([city.id])


def test_a_lapsed_valid_until_is_republished_before_anyone_reads_the_list(client, twelve, city, api_key_client):
    victim = listed(city)[0]
    lapse = timezone.localdate() + dt.timedelta(days=3)
    CheckResult.objects.filter(surgeon_id=victim, check_key="malpractice", is_current=True).update(valid_until=lapse)
    publication.cities_republish([city.id])  # the pointer now knows the list's evidence lasts until the lapse
    assert CityListPointer.objects.get(city=city).valid_until == lapse
    npi = Surgeon.objects.get(id=victim).npi
    # Seconds apart, so the page cached on the last day is still in the cache when the day is over.
    with time_machine.travel(dt.datetime.combine(lapse, dt.time(23, 59, 55), tzinfo=dt.UTC)):
        assert npi in client.get(city.get_absolute_url()).text  # still valid on its last day
        assert npi in api_key_client.get(f"/api/v1/cities/{city.slug}/top-ten/").content.decode()
    with time_machine.travel(dt.datetime.combine(lapse + dt.timedelta(days=1), dt.time(0, 0, 1), tzinfo=dt.UTC)):
        assert npi not in client.get(city.get_absolute_url()).text
        assert npi not in api_key_client.get(f"/api/v1/cities/{city.slug}/top-ten/").content.decode()
    assert victim not in listed(city)


def test_a_profile_hides_a_listing_whose_evidence_lapsed(client, twelve, city):
    surgeon = Surgeon.objects.get(id=listed(city)[0])
    CityListPointer.objects.filter(city=city).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    page = client.get(surgeon.get_absolute_url()).text
    assert "Not on a published top-ten list right now" in page


def test_the_sweeper_republishes_lists_whose_evidence_lapsed(twelve, city):
    victim = listed(city)[0]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    CheckResult.objects.filter(surgeon_id=victim, check_key="dea", is_current=True).update(valid_until=yesterday)
    CityListPointer.objects.filter(city=city).update(valid_until=yesterday)
    assert publication.lapsed_cities_republish() == [city.id]
    assert victim not in listed(city)
    assert CityListPointer.objects.get(city=city).valid_until >= timezone.localdate()


@pytest.fixture
def api_key_client(client):
    from api.models import Partner, PartnerAPIKey

    partner = Partner.objects.create(name="Partner", throttle_rate="1000/hour")
    _, key = PartnerAPIKey.objects.create_key(name="k", partner=partner)
    from django.test import Client

    keyed = Client()
    keyed.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {key}"
    return keyed


# --- gates on every path ---


def _silence_the_exclusion_list():
    ExclusionListImport.objects.update(imported_at=timezone.now() - dt.timedelta(days=46))


def test_a_silent_source_never_empties_a_list_through_the_command(twelve, city, capsys):
    before = listed(city)
    _silence_the_exclusion_list()
    run_sync(kind=VerificationRun.Kind.SANCTIONS, period_key="silent")
    assert CheckResult.objects.filter(is_current=True, check_key="license_sanctions", outcome="unknown").count() == 12
    with pytest.raises(CommandError, match="held back"):
        call_command("publish_rankings")
    assert listed(city) == before
    assert not RankingSnapshot.objects.filter(status=Status.AWAITING_APPROVAL).exists()


def test_a_silent_source_still_lets_an_affirmative_failure_leave(twelve, city):
    _silence_the_exclusion_list()
    run_sync(kind=VerificationRun.Kind.SANCTIONS, period_key="silent")
    victim = listed(city)[4]
    CheckResult.objects.filter(surgeon_id=victim, check_key="dea").update(effective_outcome="fail")
    summary = publication.rankings_publish()
    assert summary.published == [city.slug]
    assert victim not in listed(city) and len(listed(city)) == 9  # nobody else is eligible while the source is silent


def test_a_publisher_approval_rechecks_eligibility_at_approval_time(twelve, city, publisher, make_clean_surgeon):
    proposal = _a_waiting_proposal(city, make_clean_surgeon)
    newcomer = proposal.entries.get(rank=1).surgeon_id
    CheckResult.objects.filter(surgeon_id=newcomer, check_key="dea").update(effective_outcome="fail")
    with pytest.raises(publication.PublicationError, match="no longer eligible"):
        publication.snapshot_publish(snapshot_id=proposal.id, user=publisher)
    assert CityListPointer.objects.get(city=city).snapshot_id != proposal.id


def test_an_approval_waits_while_a_source_is_silent(twelve, city, publisher, make_clean_surgeon):
    proposal = _a_waiting_proposal(city, make_clean_surgeon)
    CheckResult.objects.filter(is_current=True, check_key="license_sanctions").update(source_answered=False)
    with pytest.raises(publication.PublicationError, match="silent"):
        publication.snapshot_publish(snapshot_id=proposal.id, user=publisher)


def test_an_approval_records_who_and_why(twelve, city, publisher, make_clean_surgeon):
    proposal = _a_waiting_proposal(city, make_clean_surgeon)
    publication.snapshot_publish(snapshot_id=proposal.id, user=publisher, reason="Checked the new scores")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.approved_by, proposal.decision_reason) == (
        Status.PUBLISHED, publisher, "Checked the new scores",
    )  # fmt: skip
    assert CityListPointer.objects.get(city=city).snapshot_id == proposal.id


def test_a_rejection_needs_a_reason_and_records_it(twelve, city, publisher, make_clean_surgeon):
    proposal = _a_waiting_proposal(city, make_clean_surgeon)
    with pytest.raises(publication.PublicationError, match="needs a reason"):
        publication.snapshot_reject(snapshot_id=proposal.id, user=publisher, reason="  ")
    publication.snapshot_reject(snapshot_id=proposal.id, user=publisher, reason="Scores look imported twice")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_reason) == (Status.REJECTED, "Scores look imported twice")


def test_the_admin_asks_for_a_reason_before_rejecting(client, twelve, city, publisher, make_clean_surgeon):
    proposal = _a_waiting_proposal(city, make_clean_surgeon)
    client.force_login(publisher)
    url = reverse("admin:verification_rankingsnapshot_changelist")
    form = client.post(url, {"action": "reject", "_selected_action": [proposal.id]})
    assert "Required: why this list must not be published" in form.text
    empty = client.post(url, {"action": "reject", "_selected_action": [proposal.id], "apply": "1", "reason": ""})
    assert "This field is required" in empty.text
    client.post(url, {"action": "reject", "_selected_action": [proposal.id], "apply": "1", "reason": "Wrong data"})
    proposal.refresh_from_db()
    assert proposal.status == Status.REJECTED and proposal.approved_by == publisher


def test_the_admin_approval_message_names_the_published_list(client, twelve, city, publisher, make_clean_surgeon):
    proposal = _a_waiting_proposal(city, make_clean_surgeon)
    client.force_login(publisher)
    url = reverse("admin:verification_rankingsnapshot_changelist")
    response = client.post(
        url, {"action": "approve_and_publish", "_selected_action": [proposal.id], "apply": "1"}, follow=True
    )
    assert f"Published the Houston, TX list #{proposal.id}." in response.text
    assert "(awaiting_approval)" not in response.text


def test_a_newer_proposal_withdraws_the_older_one(twelve, city, make_clean_surgeon):
    first = _a_waiting_proposal(city, make_clean_surgeon)
    for surgeon in Surgeon.objects.exclude(id__in=listed(city))[:1]:
        surgeon.satisfaction_scores.update(score="9.95", responses=990)
    run_sync(kind="manual", period_key="again")
    publication.rankings_publish()
    first.refresh_from_db()
    assert first.status == Status.WITHDRAWN
    assert RankingSnapshot.objects.filter(status=Status.AWAITING_APPROVAL).count() == 1


def test_a_command_line_publication_records_its_origin_and_operator(twelve, city, publisher, make_clean_surgeon):
    newcomer = make_clean_surgeon()
    newcomer.satisfaction_scores.update(score="9.99", responses=999)
    run_sync(kind="manual", period_key="newcomer")
    call_command("publish_rankings", "--user", publisher.username)
    snapshot = CityListPointer.objects.get(city=city).snapshot
    assert (snapshot.origin, snapshot.published_by) == (RankingSnapshot.Origin.COMMAND, publisher)
    with pytest.raises(CommandError, match="No user"):
        call_command("publish_rankings", "--user", "nobody")


def _a_waiting_proposal(city, make_clean_surgeon) -> RankingSnapshot:
    """Four better surgeons appear: more changes than may be published without a publisher."""
    for _ in range(4):
        newcomer = make_clean_surgeon()
        newcomer.satisfaction_scores.update(score="9.90", responses=900)
    run_sync(kind="manual", period_key=f"proposal-{RankingSnapshot.objects.count()}")
    publication.rankings_publish()
    return RankingSnapshot.objects.get(status=Status.AWAITING_APPROVAL)
