"""The promise as a property: whatever happens, in any order, the audit finds nothing and every reader agrees.

A hypothesis state machine drives the real paths (runs, reviewer decisions, an OIG supplement, the clock passing a
valid_until, re-runs, a practice closing, approvals and rejections, a source going silent and coming back) and,
after every step, runs the independent audit and reads each city's page and API top ten.
"""

import csv
import datetime as dt
import re
import tempfile
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from api.models import Partner, PartnerAPIKey
from directory.models import PracticeLocation, Surgeon
from tests import factories
from tests.verification.conftest import clean_surgeon, committed
from verification import publication, services, tasks
from verification.audit import listings_audit
from verification.checks import CHECKS
from verification.checks.types import Outcome
from verification.models import (
    CheckResult,
    CityListPointer,
    EligibilityEvent,
    ExclusionListImport,
    RankingSnapshot,
    VerificationRun,
)
from verification.sources.leie import LEIE_HEADER, leie_import

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager"), pytest.mark.slow]
PAGE_NPI = re.compile(r"/surgeons/(\d{10})/")
JSON_NPI = re.compile(r'"npi":\s*"(\d{10})"')


def in_order(npis):
    return list(dict.fromkeys(npis))


class ListingPromise(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        cache.clear()  # ids restart after each example's rollback: nothing rendered for an earlier one may remain
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.settings = override_settings(RANKING_LIST_SIZE=3, RANKING_MAX_CHANGES_WITHOUT_APPROVAL=1)
        self.settings.enable()
        self.clocks: list = []
        self.runs = 0
        self.client = Client()
        partner = Partner.objects.create(name="Partner", throttle_rate="100000/hour")
        _, key = PartnerAPIKey.objects.create_key(name="k", partner=partner)
        self.reviewer = User.objects.create_user("reviewer", password="pw-Very-long-123", is_staff=True)
        self.api = Client(HTTP_AUTHORIZATION=f"Api-Key {key}")
        self.files = Path(tempfile.mkdtemp())

    def teardown(self):
        for clock in reversed(self.clocks):
            clock.stop()
        self.settings.disable()
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)
        cache.clear()

    @initialize()
    def directory(self):
        houston = factories.CityFactory(name="Houston", state="TX")
        austin = factories.CityFactory(name="Austin", state="TX")
        self.cities = [houston, austin]
        factories.exclusion_list_load()
        self.surgeons = [clean_surgeon(houston if i < 4 else austin) for i in range(8)]
        for i, surgeon in enumerate(self.surgeons):
            surgeon.satisfaction_scores.update(score=f"{8.6 + i * 0.15:.2f}", responses=60 + 10 * i)
        factories.PracticeLocationFactory(surgeon=self.surgeons[3], city=austin, postal_code="78701")
        EligibilityEvent.objects.update(processed_at=timezone.now())

    def _run(self, kind, surgeon_ids=None):
        self.runs += 1
        run, _ = services.run_start(
            kind=kind, as_of=timezone.localdate(), period_key=f"{kind}-{self.runs}", surgeon_ids=surgeon_ids,
            enqueue=False,
        )  # fmt: skip
        for batch_id in run.batches.values_list("id", flat=True):
            committed(lambda batch_id=batch_id: services.batch_verify(batch_id=batch_id))

    @rule()
    def annual_run(self):
        self._run(VerificationRun.Kind.ANNUAL)

    @rule()
    def sanctions_rescreen(self):
        self._run(VerificationRun.Kind.SANCTIONS)

    @rule(surgeon=st.integers(0, 7))
    def reviewer_reruns_a_surgeon(self, surgeon):
        self._run(VerificationRun.Kind.MANUAL, surgeon_ids=[self.surgeons[surgeon].id])

    @rule(surgeon=st.integers(0, 7), check=st.sampled_from(list(CHECKS)), outcome=st.sampled_from(Outcome.values))
    def reviewer_overrides(self, surgeon, check, outcome):
        result = CheckResult.objects.filter(surgeon=self.surgeons[surgeon], check_key=check, is_current=True).first()
        if result is not None:
            committed(
                lambda: services.result_override(
                    result_id=result.id, to_outcome=outcome, reason="checked", user=self.reviewer
                )
            )

    @rule(surgeon=st.integers(0, 7))
    def oig_supplement_excludes_a_surgeon(self, surgeon):
        target = self.surgeons[surgeon]
        path = self.files / f"exclusions-{self.runs}-{surgeon}.csv"
        self.runs += 1
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
            writer.writerow(LEIE_HEADER)
            excluded = (timezone.localdate() - dt.timedelta(days=3)).strftime("%Y%m%d")
            name = [target.last_name.upper(), target.first_name.upper(), "", "", "", "", "", target.npi]
            writer.writerow([*name, "", "", "HOUSTON", "TX", "77030", "1128a1", excluded, "", "", ""])
        committed(lambda: leie_import(path=path, supplement="exclusions"))

    @rule(data=st.data())
    def clock_passes_a_valid_until(self, data):
        today = timezone.localdate()
        dates = sorted(
            set(
                CheckResult.objects.filter(is_current=True, valid_until__gte=today).values_list(
                    "valid_until", flat=True
                )
            )
        )
        if not dates:
            return
        lapse = data.draw(st.sampled_from(dates[:3]))
        clock = time_machine.travel(dt.datetime.combine(lapse + dt.timedelta(days=1), dt.time(0, 1), tzinfo=dt.UTC))
        clock.start()
        self.clocks.append(clock)
        committed(tasks.sweep)  # the per-minute sweeper, just after midnight

    @rule(surgeon=st.integers(0, 7))
    def a_practice_closes(self, surgeon):
        location = PracticeLocation.objects.filter(surgeon=self.surgeons[surgeon]).first()
        if location is not None:
            committed(location.delete)

    @precondition(lambda self: RankingSnapshot.objects.filter(status="awaiting_approval").exists())
    @rule(approve=st.booleans())
    def publisher_decides(self, approve):
        proposal = RankingSnapshot.objects.filter(status="awaiting_approval").first()
        try:
            if approve:
                committed(lambda: publication.snapshot_publish(snapshot_id=proposal.id, reason="looks right"))
            else:
                publication.snapshot_reject(snapshot_id=proposal.id, user=None, reason="not now")
        except publication.PublicationError:
            pass  # a gate refused it: the current list stays, which the invariant checks

    @rule()
    def exclusion_list_goes_silent(self):
        ExclusionListImport.objects.update(imported_at=timezone.now() - dt.timedelta(days=46))

    @rule()
    def exclusion_list_answers_again(self):
        ExclusionListImport.objects.create(imported_at=timezone.now(), rows_read=1)

    @invariant()
    def the_audit_finds_nothing(self):
        if hasattr(self, "cities"):
            assert listings_audit(record=False).findings == []

    @invariant()
    def every_reader_sees_the_pointer(self):
        for city in getattr(self, "cities", []):
            page = self.client.get(city.get_absolute_url()).text
            top_ten = self.api.get(f"/api/v1/cities/{city.slug}/top-ten/")
            pointer = CityListPointer.objects.filter(city=city).select_related("snapshot").first()
            if pointer is None:
                assert PAGE_NPI.findall(page) == [] and top_ten.status_code == 404
                continue
            listed = [e.surgeon.npi for e in pointer.snapshot.entries.select_related("surgeon").order_by("rank")]
            assert in_order(PAGE_NPI.findall(page)) == listed
            assert in_order(JSON_NPI.findall(top_ten.content.decode())) == listed
            assert all(Surgeon.objects.public().filter(npi=npi).exists() for npi in listed)


def test_the_listing_promise_holds_on_every_path(db):
    run_state_machine_as_test(
        ListingPromise,
        settings=settings(
            max_examples=40,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )
