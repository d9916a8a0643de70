import datetime as dt
import itertools
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verification import ranking
from verification.checks import CHECKS

AS_OF = dt.date(2026, 11, 25)
OUTCOMES = ["pass", "fail", "unknown", "needs_review", "not_applicable"]


def results(**outcomes):
    base = {key: SimpleNamespace(effective_outcome="pass", valid_until=AS_OF) for key in CHECKS}
    for key, value in outcomes.items():
        base[key] = value if not isinstance(value, str) else SimpleNamespace(effective_outcome=value, valid_until=AS_OF)
    return base


@pytest.mark.parametrize(("check", "outcome"), list(itertools.product(CHECKS, OUTCOMES)))
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
    assert ranking.eligibility(results(license_sanctions=overridden), as_of=AS_OF).eligible


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


def ranked_npis(*items):
    return ranking.ranked({item.npi: item for item in items})


def test_a_large_sample_beats_a_slightly_higher_small_sample():
    small, large = parts("1", "9.6", 12), parts("2", "9.3", 400)
    assert ranked_npis(small, large) == ["2", "1"]


def test_volume_then_years_then_npi_break_ties():
    a = parts("1000000004", "9.0", 100, procedures=400, years=10)
    b = parts("1000000002", "9.0", 100, procedures=500, years=5)
    c = parts("1000000003", "9.0", 100, procedures=500, years=8)
    d = parts("1000000001", "9.0", 100, procedures=500, years=8)
    assert ranked_npis(a, b, c, d) == ["1000000001", "1000000003", "1000000002", "1000000004"]


@given(st.lists(st.tuples(st.decimals("7", "10", places=2), st.integers(1, 1000)), min_size=1, max_size=30))
def test_order_is_stable_whatever_the_input_order(rows):
    items = [parts(f"{i:010d}", score, n) for i, (score, n) in enumerate(rows)]
    assert ranked_npis(*items) == ranked_npis(*reversed(items))


def current(check_key, **figures):
    return ranking.CurrentResult(1, 1, check_key, "pass", True, None, figures)


def test_the_score_reads_the_figures_the_scored_checks_declare_as_the_database_returns_them():
    results = {
        "satisfaction": current("satisfaction", score="9.2", responses="80"),
        "experience": current("experience", years="12", verified_spine_procedures="340"),
    }
    scored = ranking.candidate_parts("1000000001", results, prior_mean=Decimal("8.8"))
    assert (scored.satisfaction_score, scored.satisfaction_responses) == (Decimal("9.2"), 80)
    assert (scored.verified_procedures, scored.years_in_practice) == (340, 12)
    assert set(ranking.SCORE_FIGURES) == {"score", "responses", "years", "verified_spine_procedures"}


def test_a_pass_by_volume_without_a_practice_start_scores_zero_years():
    results = {
        "satisfaction": current("satisfaction", score="9.2", responses="80"),
        "experience": current("experience", years=None, verified_spine_procedures="340"),
    }
    assert ranking.candidate_parts("1000000001", results, prior_mean=Decimal("8.8")).years_in_practice == 0


def test_a_missing_score_figure_fails_loudly_instead_of_scoring_zero():
    results = {
        "satisfaction": current("satisfaction", score="9.2", responses="80"),
        "experience": current("experience", years="12", verified_spine_procedures=None),
    }
    with pytest.raises(TypeError):
        ranking.candidate_parts("1000000001", results, prior_mean=Decimal("8.8"))


def plan(old, ranked, *, size=3, max_changes=1, gated=False):
    return ranking.list_plan(old=old, ranked=ranked, size=size, max_changes=max_changes, gated=gated)


def test_a_city_s_first_list_is_published_whole_without_approval():
    assert plan(None, [5, 6, 7, 8]) == ranking.ListPlan(now=[5, 6, 7], proposed=None, removed=[])


def test_a_city_with_nobody_eligible_gets_no_first_list():
    assert plan(None, []) == ranking.ListPlan(now=None, proposed=None, removed=[])


def test_an_unchanged_list_publishes_nothing():
    assert plan([1, 2, 3], [1, 2, 3, 4]) == ranking.ListPlan(now=None, proposed=None, removed=[])


def test_a_removal_moves_the_next_eligible_surgeon_up_without_approval():
    result = plan([1, 2, 3], [1, 3, 4, 5], max_changes=0)
    assert result == ranking.ListPlan(now=[1, 3, 4], proposed=None, removed=[2])


def test_removals_never_wait_even_when_many_newcomers_would():
    # Two leave; two newcomers fill their places at once; a third newcomer displacing 3 waits for approval.
    result = plan([1, 2, 3], [7, 8, 9, 3], max_changes=0)
    assert result == ranking.ListPlan(now=[7, 8, 3], proposed=[7, 8, 9], removed=[1, 2])


def test_additions_beyond_the_promotions_count_towards_approval():
    # 2 leaves; the best newcomer (9) takes the place at once; 8 joining too (and 3 leaving) waits.
    result = plan([1, 2, 3], [9, 8, 1, 3], max_changes=0)
    assert result.now == [9, 1, 3] and result.proposed == [9, 8, 1] and result.removed == [2]


def test_a_small_change_is_published_at_once():
    # 4 joins and 3 is pushed out: two changes.
    assert plan([1, 2, 3], [4, 1, 2, 3], max_changes=2).now == [4, 1, 2]
    assert plan([1, 2, 3], [4, 1, 2, 3], max_changes=1).now is None


def test_a_large_change_without_removals_only_proposes():
    result = plan([1, 2, 3], [4, 5, 1, 2, 3], max_changes=1)
    assert result.now is None and result.proposed == [4, 5, 1]


def test_a_source_outage_publishes_removals_only_and_proposes_the_rest():
    result = plan([1, 2, 3], [4, 5, 1, 3], max_changes=5, gated=True)
    assert result == ranking.ListPlan(now=[4, 1, 3], proposed=[4, 5, 1], removed=[2])
    assert plan([1, 2, 3], [4, 5, 1, 2, 3], gated=True) == ranking.ListPlan(now=None, proposed=[4, 5, 1], removed=[])
    assert plan(None, [4, 5], gated=True) == ranking.ListPlan(now=None, proposed=[4, 5], removed=[])


def test_a_list_can_empty_only_by_removals():
    assert plan([1, 2], []) == ranking.ListPlan(now=[], proposed=None, removed=[1, 2])


@given(
    st.lists(st.integers(1, 30), unique=True, max_size=10),
    st.lists(st.integers(1, 30), unique=True, max_size=20),
    st.integers(1, 10),
    st.integers(0, 4),
    st.booleans(),
)
def test_a_plan_never_keeps_a_removed_surgeon_and_never_lists_a_non_candidate(old, ranked, size, max_changes, gated):
    old = old[:size]
    result = ranking.list_plan(old=old, ranked=ranked, size=size, max_changes=max_changes, gated=gated)
    assert set(result.removed) == set(old) - set(ranked)
    for listed in (result.now, result.proposed):
        if listed is not None:
            assert set(listed) <= set(ranked) and len(listed) <= size
            assert listed == [s for s in ranked if s in set(listed)]  # in rank order
    if result.removed:
        assert result.now is not None and not set(result.removed) & set(result.now)


@given(st.decimals("0", "10", places=2), st.integers(0, 10_000))
def test_adjusted_score_lies_between_the_score_and_the_prior(score, n):
    value = ranking.adjusted_satisfaction(score, n, prior_mean=Decimal("8.8"), prior_weight=50)
    low, high = min(score, Decimal("8.8")), max(score, Decimal("8.8"))
    assert low - Decimal("0.001") <= value <= high + Decimal("0.001")


def test_a_silent_source_makes_a_surgeon_ineligible_but_not_affirmatively():
    silent = SimpleNamespace(effective_outcome="unknown", valid_until=None, source_answered=False)
    verdict = ranking.eligibility(results(license_sanctions=silent), as_of=AS_OF)
    assert not verdict.eligible and not verdict.affirmative


def test_a_fail_is_affirmative():
    assert ranking.eligibility(results(dea="fail"), as_of=AS_OF).affirmative
