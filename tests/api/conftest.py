import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

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


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.deliveries.append({"headers": dict(self.headers), "body": body})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_receiver():
    """A partner's webhook endpoint on this machine (plain HTTP on 127.0.0.1): each delivery's headers and body."""
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    server.deliveries = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}/hooks/spine"
    yield server
    server.shutdown()
    server.server_close()
