import os

import pytest
from django.core.cache import cache, caches

from tests import factories
from tests.verification.conftest import clean_surgeon


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
    from django.conf import settings
    from django.core.cache import caches

    from api import auth

    def clear():
        for alias in settings.CACHES:
            caches[alias].clear()
        auth.PROCESS_HISTORY.clear()
        auth.outage.since, auth.outage.retry_at = None, 0.0

    clear()
    yield
    clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A request to a Spanish page leaves Spanish active in the thread, so a later test's reverse() would give /es/
    addresses: each test starts, as a fresh process does, in the default language."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def roles(db):
    """The staff roles the data migrations install; a transactional test's flush deletes them, so tests ask here."""
    from django.contrib.auth.models import Group, Permission

    from directory.roles import patient_liaison_install
    from verification.roles import roles_install

    roles_install(Group, Permission)
    patient_liaison_install(Group, Permission)


@pytest.fixture
def make_staff(roles):
    """A staff user holding one role (Reviewer, Publisher, Patient liaison)."""
    from django.contrib.auth.models import Group, User

    def make(role: str, username: str = ""):
        username = username or role.lower().replace(" ", "") + "1"
        user = User.objects.create_user(username, password="pw-Very-long-123", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


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


@pytest.fixture
def exclusion_list_loaded(db):
    return factories.exclusion_list_load()


@pytest.fixture
def make_clean_surgeon(db, city):
    def make(**fields):
        return clean_surgeon(fields.pop("city", city), **fields)

    return make


@pytest.fixture
def celery_eager():
    """Run Celery tasks in-process for this test, even when REDIS_URL configures a real broker."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def rendered_list(make_clean_surgeon, exclusion_list_loaded, city, django_capture_on_commit_callbacks):
    """A city's list of ten (of twelve surgeons), published and rendered as its publishing worker does, cache empty."""
    from verification import publication
    from verification.models import CityListPointer

    from .verification.test_runs import run_sync

    for _ in range(12):
        make_clean_surgeon()
    with django_capture_on_commit_callbacks(execute=True):
        publication.rankings_publish(run=run_sync()[0])
    cache.clear()
    return CityListPointer.objects.get(city=city).snapshot


@pytest.fixture
def cache_reads(monkeypatch):
    """The keys read from the default cache, in order."""
    reads = []
    backend = type(caches["default"])
    get = backend.get

    def counted(self, key, *args, **kwargs):
        reads.append(key)
        return get(self, key, *args, **kwargs)

    monkeypatch.setattr(backend, "get", counted)
    return reads
