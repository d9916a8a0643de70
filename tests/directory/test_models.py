import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from directory.models import City, MalpracticePolicy, SatisfactionScore, Surgeon
from tests import factories

pytestmark = pytest.mark.django_db


def test_surgeon_with_bad_npi_fails_validation():
    surgeon = factories.SurgeonFactory.build(npi="1234567890")
    with pytest.raises(ValidationError) as error:
        surgeon.full_clean()
    assert "npi" in error.value.message_dict


def test_npi_is_unique():
    factories.SurgeonFactory(npi="1234567893")
    with pytest.raises(IntegrityError):
        factories.SurgeonFactory(npi="1234567893")


def test_city_name_is_unique_per_state_only():
    City.objects.create(name="Springfield", state="IL", slug="springfield-il")
    City.objects.create(name="Springfield", state="MO", slug="springfield-mo")
    with pytest.raises(IntegrityError):
        City.objects.create(name="Springfield", state="IL", slug="springfield-il-2")


def test_city_state_must_be_a_two_letter_code():
    with pytest.raises(ValidationError):
        City(name="Houston", state="Texas", slug="houston").full_clean()


def test_policy_aggregate_limit_must_cover_the_per_claim_limit():
    with pytest.raises(IntegrityError):
        factories.MalpracticePolicyFactory(per_claim_limit=2_000_000, aggregate_limit=1_000_000)


def test_policy_must_end_after_it_starts():
    with pytest.raises(IntegrityError):
        factories.MalpracticePolicyFactory(effective=dt.date(2026, 1, 1), expires=dt.date(2025, 1, 1))


def test_satisfaction_score_above_ten_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        factories.SatisfactionScoreFactory(score="10.50")


def test_license_number_is_unique_within_a_state():
    factories.StateLicenseFactory(state="TX", number="Q12345")
    factories.StateLicenseFactory(state="CA", number="Q12345")
    with pytest.raises(IntegrityError):
        factories.StateLicenseFactory(state="TX", number="Q12345")


def test_dea_number_is_masked_for_display():
    dea = factories.DEARegistrationFactory.build(number="BR1234563")
    assert dea.masked_number == "B•••••••3"
    assert "1234563" not in dea.masked_number


def test_deleting_a_surgeon_removes_their_records(surgeon):
    surgeon.delete()
    assert not Surgeon.objects.exists()
    assert not MalpracticePolicy.objects.exists()
    assert not SatisfactionScore.objects.exists()
