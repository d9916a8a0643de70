import os

import pytest

from tests import factories


def _uses_postgres_and_redis() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgres") and bool(os.environ.get("REDIS_URL"))


def pytest_collection_modifyitems(config, items):
    if _uses_postgres_and_redis():
        return
    skip = pytest.mark.skip(reason="integration: set DATABASE_URL=postgres://… and REDIS_URL to run (see README)")
    for item in items:
        if "integration" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def city(db):
    return factories.CityFactory()


@pytest.fixture
def surgeon(db, city):
    """A surgeon with a full, clean set of records in Houston."""
    surgeon = factories.SurgeonFactory()
    factories.PracticeLocationFactory(surgeon=surgeon, city=city)
    factories.StateLicenseFactory(surgeon=surgeon)
    factories.BoardCertificationFactory(surgeon=surgeon)
    factories.DEARegistrationFactory(surgeon=surgeon)
    factories.MalpracticePolicyFactory(surgeon=surgeon)
    factories.ProcedureVolumeFactory(surgeon=surgeon)
    factories.SatisfactionScoreFactory(surgeon=surgeon)
    return surgeon
