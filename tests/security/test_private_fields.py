"""No private field anywhere: crawl every public page, API and FHIR response over the demo data.

Private (DESIGN §7): full DEA numbers, dates of birth (surgeons' and exclusion-list rows'), home addresses
(the exclusion list's ADDRESS column), raw source rows (their hashes), malpractice policy numbers,
practice e-mail addresses (consultation requests go there, never to the public) and anything a patient
typed into a consultation request.
"""

import csv
import json
import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from api.models import Partner, PartnerAPIKey
from directory.models import ConsultationRequest, DEARegistration, MalpracticePolicy, PracticeLocation, Surgeon
from verification.models import ExclusionRecord, RankingSnapshot

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

HREF = re.compile(r'href="(/[^"#]*)"')
SKIP_PREFIXES = ("/admin/", "/static/", "/media/", "/api/docs/")


def _date_spellings(day) -> set[str]:
    return {day.isoformat(), day.strftime("%Y%m%d"), day.strftime("%m/%d/%Y"), day.strftime("%B %-d, %Y")}


@pytest.fixture
def demo(tmp_path, django_capture_on_commit_callbacks, celery_eager):
    leie = tmp_path / "UPDATED.csv"
    call_command("seed_demo", "--surgeons", "80", "--cities", "12", "--leie-out", str(leie))
    call_command("import_leie", str(leie))
    with django_capture_on_commit_callbacks(execute=True):  # the run publishes once its results commit
        call_command("run_verification", "--sync")
    surgeon = Surgeon.objects.filter(locations__isnull=False).first()
    ConsultationRequest.objects.create(
        surgeon=surgeon,
        name="Quentin Zabriskie-Private",
        email="quentin.private@example.net",
        phone="555-0199-777",
        preferred_times="Tuesdays after 4",
        reason="My sciatica-private-marker has returned since my fusion.",
        consent=True,
    )
    assert RankingSnapshot.objects.filter(status=RankingSnapshot.Status.PUBLISHED).exists()
    with leie.open(newline="") as handle:
        addresses = {row["ADDRESS"] for row in csv.DictReader(handle) if row["ADDRESS"].strip()}
    return addresses


def _forbidden(leie_addresses) -> dict[str, str]:
    forbidden = {}
    for number in DEARegistration.objects.values_list("number", flat=True):
        forbidden[number] = "DEA number"
        forbidden[number[2:]] = "DEA number digits"
    for model in (Surgeon, ExclusionRecord):
        for day in model.objects.exclude(date_of_birth=None).values_list("date_of_birth", flat=True):
            forbidden.update(dict.fromkeys(_date_spellings(day), f"{model.__name__} date of birth"))
    forbidden.update(dict.fromkeys(ExclusionRecord.objects.values_list("row_hash", flat=True), "raw row hash"))
    forbidden.update(dict.fromkeys(leie_addresses, "home address from the exclusion list"))
    forbidden.update(dict.fromkeys(MalpracticePolicy.objects.values_list("policy_number", flat=True), "policy number"))
    forbidden.update(
        dict.fromkeys(PracticeLocation.objects.exclude(email="").values_list("email", flat=True), "e-mail")
    )
    for request in ConsultationRequest.objects.all():
        for field in ("name", "email", "phone", "preferred_times", "reason"):
            forbidden[getattr(request, field)] = f"consultation request {field}"
    forbidden.pop("", None)
    return forbidden


def _crawl_pages(client, start: list[str]) -> dict[str, str]:
    seen, queue, bodies = set(start), deque(start), {}
    while queue:
        path = queue.popleft()
        response = client.get(path)
        assert response.status_code < 500, path
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            bodies[path] = response.content.decode()
            continue
        bodies[path] = response.text
        for link in HREF.findall(response.text):
            link = link.replace("&amp;", "&")
            if link not in seen and not link.startswith(SKIP_PREFIXES):
                seen.add(link)
                queue.append(link)
    return bodies


def _json_links(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _json_links(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_links(item)
    elif isinstance(value, str) and value.startswith("http://testserver/"):
        yield value.removeprefix("http://testserver")


def _crawl_json(client, start: list[str], prefix: str) -> dict[str, str]:
    seen, queue, bodies = set(start), deque(start), {}
    while queue:
        path = queue.popleft()
        response = client.get(path)
        assert response.status_code < 500, path
        bodies[path] = response.content.decode()
        if response.status_code == 200:
            for link in _json_links(json.loads(response.content)):
                if link.startswith(prefix) and link not in seen:
                    seen.add(link)
                    queue.append(link)
    return bodies


def _leaks(bodies: dict[str, str], forbidden: dict[str, str]) -> list[str]:
    return [
        f"{path}: {what} {value!r}"
        for path, body in bodies.items()
        for value, what in forbidden.items()
        if value in body
    ]


def test_no_private_field_in_any_page_api_or_fhir_response(client, demo):
    forbidden = _forbidden(demo)
    assert any(what == "DEA number" for what in forbidden.values())
    assert any("exclusion list" in what for what in forbidden.values())

    pages = _crawl_pages(client, ["/", "/sitemap.xml", "/robots.txt", "/search/?q=spine", "/nowhere/"])
    pages.update(
        _crawl_pages(client, [urlsplit(url).path for url in re.findall(r"<loc>(.*?)</loc>", pages["/sitemap.xml"])])
    )
    assert sum(path.startswith("/surgeons/") for path in pages) >= Surgeon.objects.count()

    _, key = PartnerAPIKey.objects.create_key(
        name="scan", partner=Partner.objects.create(name="Scan", throttle_rate="100000/hour")
    )
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {key}"
    api = _crawl_json(
        client,
        ["/api/v1/cities/?page_size=100", "/api/v1/surgeons/?page_size=100", "/api/v1/education/"]
        + [f"/api/v1/surgeons/{npi}/" for npi in Surgeon.objects.values_list("npi", flat=True)]
        + [f"/api/v1/cities/{slug}/top-ten/" for slug in RankingSnapshot.objects.values_list("city__slug", flat=True)],
        "/api/v1/",
    )
    fhir = _crawl_json(
        client,
        [
            f"/fhir/r4/{kind}?_count=100"
            for kind in ("Practitioner", "PractitionerRole", "Location", "VerificationResult")
        ]
        + ["/fhir/r4/metadata"],
        "/fhir/r4/",
    )
    schema = {"/api/schema/": client.get("/api/schema/").content.decode()}
    assert len(api) > Surgeon.objects.count() and len(fhir) > Surgeon.objects.count()

    assert _leaks({**pages, **api, **fhir, **schema}, forbidden) == []
