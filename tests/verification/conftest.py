import datetime as dt

import pytest
from django.utils import timezone

from tests import factories
from verification.models import ExclusionRecord


@pytest.fixture
def exclusion_list_loaded(db):
    """A loaded, fresh exclusion list with one unrelated row, so the sanctions screen can answer."""
    return ExclusionRecord.objects.create(
        row_hash="decoy", last_name="NOBODY", first_name="NEVER", state="WY", exclusion_date=dt.date(2020, 1, 1)
    )


def clean_surgeon(city, **fields):
    """A surgeon who meets every criterion today, practising in `city`."""
    surgeon = factories.SurgeonFactory(**fields)
    today = timezone.localdate()
    factories.PracticeLocationFactory(surgeon=surgeon, city=city)
    factories.StateLicenseFactory(surgeon=surgeon, state=city.state, expires=today + dt.timedelta(days=400))
    factories.BoardCertificationFactory(surgeon=surgeon, expires=today + dt.timedelta(days=900))
    factories.DEARegistrationFactory(surgeon=surgeon, expires=today + dt.timedelta(days=500))
    factories.MalpracticePolicyFactory(
        surgeon=surgeon, effective=today - dt.timedelta(days=100), expires=today + dt.timedelta(days=265)
    )
    factories.ProcedureVolumeFactory(surgeon=surgeon)
    factories.SatisfactionScoreFactory(
        surgeon=surgeon, period_start=today - dt.timedelta(days=395), period_end=today - dt.timedelta(days=30)
    )
    return surgeon


@pytest.fixture
def make_clean_surgeon(db, city):
    def make(**fields):
        return clean_surgeon(fields.pop("city", city), **fields)

    return make
