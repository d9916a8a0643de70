import datetime as dt
from decimal import Decimal

from tests import factories
from verification.checks import satisfaction
from verification.checks.types import Outcome

from .builders import AS_OF, clean_dossier


def evaluate(**fields):
    score = factories.SatisfactionScoreFactory.build(**fields) if fields.get("score") is not None else None
    return satisfaction.evaluate(clean_dossier(satisfaction=score), as_of=AS_OF)


def test_score_of_exactly_8_5_from_enough_patients_passes():
    result = evaluate(score="8.50", responses=30)
    assert result.outcome == Outcome.PASS
    assert "8.50/10 from 30 patients" in result.reason


def test_score_just_below_8_5_fails():
    result = evaluate(score="8.49", responses=400)
    assert result.outcome == Outcome.FAIL
    assert "below" in result.reason


def test_too_few_responses_is_not_a_pass_and_says_so():
    result = evaluate(score="9.90", responses=29)
    assert result.outcome == Outcome.UNKNOWN
    assert "too few responses" in result.reason


def test_minimum_sample_comes_from_settings(settings):
    settings.SATISFACTION_MIN_RESPONSES = 10
    assert evaluate(score="9.00", responses=12).outcome == Outcome.PASS


def test_no_survey_data_needs_review():
    assert evaluate(score=None).outcome == Outcome.NEEDS_REVIEW


def test_unverified_respondents_need_review():
    assert evaluate(score="9.00", responses=100, verified_patients_only=False).outcome == Outcome.NEEDS_REVIEW


def test_stale_survey_period_is_unknown():
    old_end = AS_OF - dt.timedelta(days=600)
    result = evaluate(score="9.00", responses=100, period_start=old_end - dt.timedelta(days=365), period_end=old_end)
    assert result.outcome == Outcome.UNKNOWN


def test_evidence_reports_n_beside_the_score():
    evidence = evaluate(score="9.10", responses=120).evidence
    assert evidence["score"] == "9.10" and evidence["responses"] == 120


def test_a_pass_gives_the_score_its_score_and_sample_size():
    result = evaluate(score="9.10", responses=64)
    assert result.outcome == Outcome.PASS
    assert satisfaction.ScoreInputs.from_evidence(result.evidence) == satisfaction.ScoreInputs(Decimal("9.10"), 64)
