import pytest

from api.models import Partner, PartnerAPIKey
from tests.verification.test_runs import run_sync
from verification import publication


@pytest.fixture
def partner(db):
    return Partner.objects.create(name="Spine Health Partners", throttle_rate="1000/hour")


@pytest.fixture
def api_key(partner):
    _, key = PartnerAPIKey.objects.create_key(name="main", partner=partner)
    return key


@pytest.fixture
def api(client, api_key):
    """A test client that sends a good partner key."""
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {api_key}"
    return client


@pytest.fixture
def published_city(make_clean_surgeon, exclusion_list_loaded, city):
    surgeons = [make_clean_surgeon() for _ in range(12)]
    publication.rankings_publish(run=run_sync()[0])
    return city, surgeons
