import datetime as dt

import pytest

from tests import factories
from verification.checks import malpractice
from verification.checks.types import Outcome

from .builders import AS_OF, clean_dossier


def evaluate(*policies):
    return malpractice.evaluate(clean_dossier(malpractice=list(policies)), as_of=AS_OF)


def policy(**fields):
    return factories.MalpracticePolicyFactory.build(**fields)


def test_policy_in_force_with_minimum_limits_passes_until_it_expires():
    p = policy(per_claim_limit=1_000_000, aggregate_limit=3_000_000)
    result = evaluate(p)
    assert result.outcome == Outcome.PASS
    assert result.valid_until == p.expires


@pytest.mark.parametrize(("per_claim", "aggregate"), [(999_999, 3_000_000), (1_000_000, 2_999_999)])
def test_limits_one_dollar_below_the_minimum_fail(per_claim, aggregate):
    result = evaluate(policy(per_claim_limit=per_claim, aggregate_limit=aggregate))
    assert result.outcome == Outcome.FAIL
    assert "below the required" in result.reason


def test_minimum_limits_come_from_settings(settings):
    settings.MALPRACTICE_MIN_PER_CLAIM = 2_000_000
    assert evaluate(policy()).outcome == Outcome.FAIL


def test_policy_expiring_today_is_in_force():
    assert evaluate(policy(effective=AS_OF - dt.timedelta(days=365), expires=AS_OF)).outcome == Outcome.PASS


def test_lapsed_policy_fails():
    result = evaluate(policy(effective=AS_OF - dt.timedelta(days=400), expires=AS_OF - dt.timedelta(days=1)))
    assert result.outcome == Outcome.FAIL
    assert "lapsed" in result.reason


def test_policy_starting_tomorrow_does_not_cover_today():
    result = evaluate(policy(effective=AS_OF + dt.timedelta(days=1), expires=AS_OF + dt.timedelta(days=366)))
    assert result.outcome == Outcome.FAIL
    assert "next one starts" in result.reason


def test_a_renewal_in_force_wins_over_a_lapsed_policy():
    lapsed = policy(effective=AS_OF - dt.timedelta(days=500), expires=AS_OF - dt.timedelta(days=135))
    assert evaluate(lapsed, policy()).outcome == Outcome.PASS


def test_no_policy_on_file_needs_review():
    assert evaluate().outcome == Outcome.NEEDS_REVIEW


def test_feed_down_is_unknown():
    assert malpractice.evaluate(clean_dossier(malpractice=None), as_of=AS_OF).outcome == Outcome.UNKNOWN
