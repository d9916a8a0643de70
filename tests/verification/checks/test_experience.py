import datetime as dt

from directory.models import ProcedureVolume
from tests import factories
from verification.checks import experience
from verification.checks.types import Outcome

from .builders import AS_OF, clean_dossier, volumes


def evaluate(first_issued, *counts, training=None):
    licenses = [factories.StateLicenseFactory.build(first_issued=first_issued)] if first_issued else []
    dossier = clean_dossier(state_board=licenses, procedure_volumes=volumes(*counts))
    dossier.surgeon.training_completed_on = training
    return experience.evaluate(dossier, as_of=AS_OF)


def test_exactly_five_years_since_first_license_passes_by_years():
    result = evaluate(dt.date(2021, 11, 25))
    assert result.outcome == Outcome.PASS
    assert result.evidence["path"] == "years"


def test_one_day_short_of_five_years_without_volume_fails():
    result = evaluate(dt.date(2021, 11, 26), 100)
    assert result.outcome == Outcome.FAIL
    assert "4 years" in result.reason and "lower bound" in result.reason


def test_exactly_300_procedures_passes_by_volume():
    result = evaluate(dt.date(2024, 1, 1), 200, 100)
    assert result.outcome == Outcome.PASS
    assert result.evidence["path"] == "procedures"
    assert result.reason == "At least 300 Medicare spine operations, 2023–2024 (needs 300)."


def test_299_procedures_and_two_years_fails():
    assert evaluate(dt.date(2024, 1, 1), 299).outcome == Outcome.FAIL


def test_one_year_reads_as_one_year():
    assert "1 year in practice" in evaluate(dt.date(2025, 6, 1), 10).reason


def test_earliest_license_in_any_state_counts():
    old = factories.StateLicenseFactory.build(state="IL", first_issued=dt.date(2001, 1, 1))
    new = factories.StateLicenseFactory.build(state="TX", first_issued=dt.date(2025, 1, 1))
    dossier = clean_dossier(state_board=[new, old], procedure_volumes=[])
    assert experience.evaluate(dossier, as_of=AS_OF).evidence["years"] == 25


def test_training_completion_stands_in_when_no_license_date_is_known():
    result = evaluate(None, training=dt.date(2015, 6, 30))
    assert result.outcome == Outcome.PASS


def test_no_dates_and_too_few_procedures_needs_review():
    assert evaluate(None, 50).outcome == Outcome.NEEDS_REVIEW


def test_leap_day_license_reaches_five_years_on_28_february():
    dossier = clean_dossier(
        state_board=[factories.StateLicenseFactory.build(first_issued=dt.date(2020, 2, 29))], procedure_volumes=[]
    )
    assert experience.evaluate(dossier, as_of=dt.date(2025, 2, 28)).outcome == Outcome.PASS
    assert experience.evaluate(dossier, as_of=dt.date(2025, 2, 27)).outcome == Outcome.FAIL


def test_thresholds_come_from_settings(settings):
    settings.EXPERIENCE_MIN_PROCEDURES = 100
    assert evaluate(dt.date(2025, 1, 1), 100).outcome == Outcome.PASS


def test_license_source_down_is_unknown_unless_volume_already_proves_it():
    down = clean_dossier(state_board=None, procedure_volumes=volumes(100))
    assert experience.evaluate(down, as_of=AS_OF).outcome == Outcome.UNKNOWN
    enough = clean_dossier(state_board=None, procedure_volumes=volumes(300))
    assert experience.evaluate(enough, as_of=AS_OF).outcome == Outcome.PASS


def test_the_figure_is_a_lower_bound_with_the_data_years_it_covers():
    result = evaluate(dt.date(2024, 1, 1), 41, 33)

    assert "at least 74 Medicare spine operations, 2023–2024" in result.reason
    assert (result.evidence["verified_spine_procedures"], result.evidence["procedure_years"]) == (74, [2023, 2024])


def test_years_with_a_gap_are_listed_apart():
    dossier = clean_dossier(
        state_board=[], procedure_volumes=[*volumes(50, 50, latest=2023), *volumes(40, latest=2019)]
    )
    dossier.surgeon.training_completed_on = dt.date(2023, 1, 1)

    assert "at least 140 Medicare spine operations, 2019, 2022–2023" in experience.evaluate(dossier, as_of=AS_OF).reason


def test_a_year_two_sources_cover_counts_once_with_the_larger_figure():
    medicare = volumes(120, 90)
    case_log = volumes(200, source=ProcedureVolume.Source.ATTESTED)
    dossier = clean_dossier(state_board=[], procedure_volumes=[*medicare, *case_log])
    dossier.surgeon.training_completed_on = dt.date(2024, 1, 1)

    result = experience.evaluate(dossier, as_of=AS_OF)

    assert result.evidence["verified_spine_procedures"] == 290  # 2024: 200 (case log), 2023: 90
    assert "at least 290 spine operations, 2023–2024" in result.reason


def test_no_operations_on_record_says_so():
    assert "no spine operations on record" in evaluate(dt.date(2025, 1, 1)).reason


def test_a_pass_gives_the_score_its_years_and_operations():
    by_years = evaluate(dt.date(2014, 3, 1), 120)
    by_volume = evaluate(None, 200, 150)
    assert experience.ScoreInputs.from_evidence(by_years.evidence) == experience.ScoreInputs(12, 120)
    assert experience.ScoreInputs.from_evidence(by_volume.evidence) == experience.ScoreInputs(0, 350)
