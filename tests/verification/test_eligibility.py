"""Eligibility has one rule: ranking.eligibility for one surgeon, CheckResult.objects.eligible_surgeons() in SQL."""

import datetime as dt

import pytest
from django.utils import timezone

from verification import ranking
from verification.models import CheckResult

from .test_runs import run_sync

pytestmark = pytest.mark.django_db


def test_the_sql_rule_and_the_python_rule_agree_on_every_surgeon(make_clean_surgeon, exclusion_list_loaded):
    surgeons = [make_clean_surgeon() for _ in range(6)]
    run_sync()
    today = timezone.localdate()
    current = CheckResult.objects.filter(is_current=True)
    current.filter(surgeon=surgeons[1], check_key="dea").update(effective_outcome="fail")
    current.filter(surgeon=surgeons[2], check_key="malpractice").update(valid_until=today - dt.timedelta(days=1))
    current.filter(surgeon=surgeons[3], check_key="dea").update(outcome="needs_review")  # overridden to pass
    current.filter(surgeon=surgeons[4], check_key="state_csr").update(effective_outcome="not_applicable")
    current.filter(surgeon=surgeons[5], check_key="experience").delete()

    in_sql = set(CheckResult.objects.eligible_surgeons(as_of=today).values_list("surgeon_id", flat=True))
    in_python = {
        surgeon.id
        for surgeon in surgeons
        if ranking.eligibility({r.check_key: r for r in current.filter(surgeon=surgeon)}, as_of=today).eligible
    }

    assert in_sql == in_python == {surgeons[0].id, surgeons[3].id, surgeons[4].id}
