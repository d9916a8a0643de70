import datetime as dt
import itertools
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verification import ranking
from verification.checks import REQUIRED_CHECKS

AS_OF = dt.date(2026, 11, 25)
OUTCOMES = ["pass", "fail", "unknown", "needs_review", "not_applicable"]


def results(**outcomes):
    base = {key: SimpleNamespace(effective_outcome="pass", valid_until=AS_OF) for key in REQUIRED_CHECKS}
    for key, value in outcomes.items():
        base[key] = value if not isinstance(value, str) else SimpleNamespace(effective_outcome=value, valid_until=AS_OF)
    return base


@pytest.mark.parametrize(("check", "outcome"), list(itertools.product(REQUIRED_CHECKS, OUTCOMES)))
def test_eligibility_truth_table(check, outcome):
    verdict = ranking.eligibility(results(**{check: outcome}), as_of=AS_OF)
    assert verdict.eligible is (outcome in ("pass", "not_applicable"))


def test_a_missing_check_makes_a_surgeon_ineligible():
    all_results = results()
    del all_results["dea"]
    verdict = ranking.eligibility(all_results, as_of=AS_OF)
    assert not verdict.eligible and "dea: not checked" in verdict.reasons


def test_evidence_past_its_valid_until_makes_a_surgeon_ineligible():
    stale = SimpleNamespace(effective_outcome="pass", valid_until=AS_OF - dt.timedelta(days=1))
    verdict = ranking.eligibility(results(malpractice=stale), as_of=AS_OF)
    assert not verdict.eligible and "expired" in verdict.reasons[0]


def test_an_override_to_pass_counts_as_pass():
    overridden = SimpleNamespace(effective_outcome="pass", outcome="needs_review", valid_until=None)
    assert ranking.eligibility(results(licence_sanctions=overridden), as_of=AS_OF).eligible


def parts(npi, score, n, procedures=0, years=10):
    return ranking.score_parts(
        npi=npi,
        score=Decimal(score),
        responses=n,
        procedures=procedures,
        years=years,
        prior_mean=Decimal("8.8"),
        prior_weight=50,
    )


def test_a_large_sample_beats_a_slightly_higher_small_sample():
    small, large = parts("1", "9.6", 12), parts("2", "9.3", 400)
    assert ranking.rank([small, large], size=10)[0].npi == "2"


def test_volume_then_years_then_npi_break_ties():
    a = parts("1000000004", "9.0", 100, procedures=400, years=10)
    b = parts("1000000002", "9.0", 100, procedures=500, years=5)
    c = parts("1000000003", "9.0", 100, procedures=500, years=8)
    d = parts("1000000001", "9.0", 100, procedures=500, years=8)
    assert [p.npi for p in ranking.rank([a, b, c, d], size=10)] == [
        "1000000001",
        "1000000003",
        "1000000002",
        "1000000004",
    ]


def test_rank_keeps_only_the_list_size():
    many = [parts(str(i), "9.0", 100) for i in range(15)]
    assert len(ranking.rank(many, size=10)) == 10


@given(st.lists(st.tuples(st.decimals("7", "10", places=2), st.integers(1, 1000)), min_size=1, max_size=30))
def test_order_is_stable_whatever_the_input_order(rows):
    items = [parts(f"{i:010d}", score, n) for i, (score, n) in enumerate(rows)]
    assert ranking.rank(items, size=10) == ranking.rank(list(reversed(items)), size=10)


@given(st.decimals("0", "10", places=2), st.integers(0, 10_000))
def test_adjusted_score_lies_between_the_score_and_the_prior(score, n):
    value = ranking.adjusted_satisfaction(score, n, prior_mean=Decimal("8.8"), prior_weight=50)
    low, high = min(score, Decimal("8.8")), max(score, Decimal("8.8"))
    assert low - Decimal("0.001") <= value <= high + Decimal("0.001")


def test_a_silent_source_makes_a_surgeon_ineligible_but_not_affirmatively():
    silent = SimpleNamespace(effective_outcome="unknown", valid_until=None, source_answered=False)
    verdict = ranking.eligibility(results(licence_sanctions=silent), as_of=AS_OF)
    assert not verdict.eligible and not verdict.affirmative


def test_a_fail_is_affirmative():
    assert ranking.eligibility(results(dea="fail"), as_of=AS_OF).affirmative
