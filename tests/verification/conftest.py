import datetime as dt

from django.utils import timezone

from tests import factories


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


def committed(action):
    """Run `action` as a committed transaction would: what waits for the commit (events, publication) runs too."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        return action()
