import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole
from fhir.resources.R4B.verificationresult import VerificationResult

from api import fhir
from api.models import PartnerAPIKey
from directory.models import ConsultationRequest, EvidenceMethod, Specialty, Surgeon
from tests import factories
from verification.checks import CHECKS
from verification.checks.types import Outcome
from verification.models import CheckResult

pytestmark = pytest.mark.django_db

BASE = "/fhir/r4/"
MODELS = {
    "Practitioner": Practitioner,
    "PractitionerRole": PractitionerRole,
    "Location": Location,
    "Organization": Organization,
    "VerificationResult": VerificationResult,
}
SEARCHES = [f"{BASE}{resource_type}" for resource_type in MODELS]


def fhir_json(response, status=200):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    return response.json()


def assert_outcome(response, status, code):
    body = fhir_json(response, status)
    OperationOutcome.model_validate(body)
    assert body["issue"][0]["code"] == code
    return body["issue"][0]["diagnostics"]


def entries(bundle):
    return [entry["resource"] for entry in bundle.get("entry", [])]


@pytest.fixture
def surgeon(published_city):
    return published_city[1][0]


@pytest.fixture
def location_row(surgeon):
    return surgeon.locations.get()


def extension(element, url):
    return next(ext for ext in element["extension"] if ext["url"] == url)


# --- resources carry their profiles and validate against the R4B models ---


def test_practitioner_has_the_npi_identifier_and_plan_net_profile(api, surgeon):
    body = fhir_json(api.get(f"{BASE}Practitioner/{surgeon.npi}"))
    Practitioner.model_validate(body)
    assert body["meta"]["profile"] == [fhir.PROFILES["Practitioner"]] and body["meta"]["lastUpdated"]
    assert body["id"] == surgeon.npi
    assert {"system": "http://hl7.org/fhir/sid/us-npi", "value": surgeon.npi}.items() <= body["identifier"][0].items()
    assert body["name"][0]["family"] == surgeon.last_name
    assert "gender" not in body


def test_license_qualification_carries_the_plan_net_extension_with_status_and_where_valid(api, surgeon):
    body = fhir_json(api.get(f"{BASE}Practitioner/{surgeon.npi}"))
    license = surgeon.licenses.get()
    qualification = next(q for q in body["qualification"] if q["code"]["coding"][0]["system"] == fhir.DEGREE_SYSTEM)
    ext = extension(
        qualification, "http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/practitioner-qualification"
    )
    parts = {part["url"]: part for part in ext["extension"]}
    assert parts["status"]["valueCode"] == "active"
    assert parts["whereValid"]["valueCodeableConcept"]["coding"][0] == {
        "system": fhir.USPS_SYSTEM,
        "code": license.state,
    }
    assert qualification["identifier"][0]["value"] == license.number


def test_board_certification_qualification_has_its_nucc_code(api, surgeon):
    body = fhir_json(api.get(f"{BASE}Practitioner/{surgeon.npi}"))
    board = next(
        q for q in body["qualification"] if q["code"]["coding"][0]["system"] == "http://nucc.org/provider-taxonomy"
    )
    assert board["code"]["coding"][0]["code"] == Specialty.ORTHOPAEDIC_SPINE
    assert board["issuer"]["display"] == "American Board of Orthopaedic Surgery"
    assert extension(board, fhir.QUALIFICATION_EXTENSION)["extension"][0] == {"url": "status", "valueCode": "active"}


def test_practitioner_role_has_specialty_location_and_new_patients(api, surgeon, location_row):
    body = fhir_json(api.get(f"{BASE}PractitionerRole/{surgeon.npi}-{location_row.pk}"))
    PractitionerRole.model_validate(body)
    assert body["meta"]["profile"] == [fhir.PROFILES["PractitionerRole"]]
    assert body["practitioner"]["reference"] == f"Practitioner/{surgeon.npi}"
    assert body["location"][0]["reference"] == f"Location/{location_row.pk}"
    assert body["specialty"][0]["coding"][0] == {
        "system": "http://nucc.org/provider-taxonomy",
        "code": "207XS0117X",
        "display": "Orthopaedic Surgery of the Spine Physician",
    }
    accepting = extension(body, fhir.NEW_PATIENTS_EXTENSION)["extension"][0]
    assert accepting["valueCodeableConcept"]["coding"][0]["code"] == "newpt"


def test_a_surgeon_not_accepting_new_patients_says_so(api, surgeon, location_row):
    Surgeon.objects.filter(pk=surgeon.pk).update(accepting_new_patients=False)
    body = fhir_json(api.get(f"{BASE}PractitionerRole/{surgeon.npi}-{location_row.pk}"))
    accepting = extension(body, fhir.NEW_PATIENTS_EXTENSION)["extension"][0]
    assert accepting["valueCodeableConcept"]["coding"][0]["code"] == "nopt"


def test_location_has_the_practice_address(api, location_row):
    body = fhir_json(api.get(f"{BASE}Location/{location_row.pk}"))
    Location.model_validate(body)
    assert body["meta"]["profile"] == [fhir.PROFILES["Location"]]
    assert body["address"]["city"] == "Houston" and body["address"]["state"] == "TX"
    assert body["address"]["line"] == [location_row.address_line1]


def test_each_check_has_one_verification_result_in_the_ndh_style(api, surgeon):
    bundle = fhir_json(api.get(f"{BASE}VerificationResult", {"target": f"Practitioner/{surgeon.npi}"}))
    results = entries(bundle)
    assert bundle["total"] == len(CHECKS) == len(results)
    checks = {extension(r, fhir.CHECK_EXTENSION)["valueCoding"]["code"] for r in results}
    assert checks == set(CHECKS)
    for resource in results:
        VerificationResult.model_validate(resource)
        assert resource["meta"]["profile"] == ["http://hl7.org/fhir/us/ndh/StructureDefinition/ndh-Verification"]
        assert resource["target"] == [{"reference": f"Practitioner/{surgeon.npi}"}]
        assert resource["status"] == "validated"
        assert resource["validationType"]["coding"][0]["code"] in {"primary", "multiple", "nothing"}
        assert resource["primarySource"][0]["who"]["display"]
        assert resource["primarySource"][0]["type"][0]["coding"][0]["system"].endswith("primary-source-type")
        assert resource["lastPerformed"] and resource["nextScheduled"]


def test_verification_result_read_matches_the_check_result(api, surgeon):
    result = CheckResult.objects.get(surgeon=surgeon, check_key="board_certification", is_current=True)
    body = fhir_json(api.get(f"{BASE}VerificationResult/{result.pk}"))
    VerificationResult.model_validate(body)
    assert body["lastPerformed"] == result.checked_at.isoformat()
    assert body["nextScheduled"] == result.valid_until.isoformat()
    assert body["targetLocation"] == ["Practitioner.qualification"]


# --- outcome and method mapping (pure functions, no database) ---


def check_result(outcome, method=EvidenceMethod.PRIMARY_SOURCE, valid_until=None):
    today = timezone.localdate()
    return CheckResult(
        pk=1,
        surgeon=Surgeon(npi="1234567893"),
        check_key="dea",
        outcome=outcome,
        effective_outcome=outcome,
        method=method,
        source="DEA registration certificate on file",
        checked_at=timezone.now(),
        valid_until=valid_until or today + dt.timedelta(days=30),
        reason="Checked.",
    )


@pytest.mark.parametrize(
    ("outcome", "status", "source_status"),
    [
        (Outcome.PASS, "validated", "successful"),
        (Outcome.FAIL, "val-fail", "failed"),
        (Outcome.UNKNOWN, "in-process", "unknown"),
        (Outcome.NEEDS_REVIEW, "in-process", "unknown"),
        (Outcome.NOT_APPLICABLE, "validated", "unknown"),
    ],
)
def test_outcomes_map_to_verification_statuses(outcome, status, source_status):
    body = fhir.verification_result(check_result(outcome), as_of=timezone.localdate())
    VerificationResult.model_validate(body)
    assert body["status"] == status
    assert body["primarySource"][0]["validationStatus"]["coding"][0]["code"] == source_status


def test_a_pass_past_its_valid_until_requires_revalidation():
    stale = check_result(Outcome.PASS, valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert fhir.verification_result(stale, as_of=timezone.localdate())["status"] == "req-revalid"


@pytest.mark.parametrize(
    ("method", "validation_type"),
    [
        (EvidenceMethod.PRIMARY_SOURCE, "primary"),
        (EvidenceMethod.SECONDARY_SOURCE, "multiple"),
        (EvidenceMethod.ATTESTED_DOCUMENT, "nothing"),
        (EvidenceMethod.FORMAT_ONLY, "nothing"),
    ],
)
def test_methods_map_to_validation_types(method, validation_type):
    body = fhir.verification_result(check_result(Outcome.PASS, method), as_of=timezone.localdate())
    assert body["validationType"]["coding"][0]["code"] == validation_type
    assert {"system": fhir.METHOD_SYSTEM, "code": method.value}.items() <= body["validationProcess"][0]["coding"][
        -1
    ].items()


def test_not_applicable_needs_no_validation():
    body = fhir.verification_result(check_result(Outcome.NOT_APPLICABLE), as_of=timezone.localdate())
    assert body["validationType"]["coding"][0]["code"] == "nothing"


# --- search ---


def test_searchset_bundle_validates_with_full_urls_and_match_mode(api, published_city):
    bundle = fhir_json(api.get(f"{BASE}Practitioner"))
    Bundle.model_validate(bundle)
    assert bundle["type"] == "searchset" and bundle["total"] == 12
    entry = bundle["entry"][0]
    assert entry["search"] == {"mode": "match"}
    assert entry["fullUrl"] == f"http://testserver{BASE}Practitioner/{entry['resource']['id']}"


@pytest.mark.parametrize("url", SEARCHES)
def test_every_search_bundle_validates(api, published_city, url):
    bundle = fhir_json(api.get(url, {"_count": 100}))
    Bundle.model_validate(bundle)
    for resource in entries(bundle):
        MODELS[resource["resourceType"]].model_validate(resource)


@pytest.mark.parametrize("value", ["{npi}", "http://hl7.org/fhir/sid/us-npi|{npi}", "|{npi}"])
def test_practitioner_search_by_identifier(api, surgeon, value):
    bundle = fhir_json(api.get(f"{BASE}Practitioner", {"identifier": value.format(npi=surgeon.npi)}))
    assert [r["id"] for r in entries(bundle)] == [surgeon.npi]


def test_practitioner_search_by_name_is_a_case_insensitive_prefix(api, surgeon):
    bundle = fhir_json(api.get(f"{BASE}Practitioner", {"name": surgeon.last_name.lower()}))
    assert [r["id"] for r in entries(bundle)] == [surgeon.npi]


def test_comma_separated_values_are_alternatives(api, published_city):
    first, second = published_city[1][:2]
    bundle = fhir_json(api.get(f"{BASE}Practitioner", {"identifier": f"{first.npi},{second.npi}"}))
    assert {r["id"] for r in entries(bundle)} == {first.npi, second.npi}


def test_search_by_address_city_on_practitioner_role_and_location(api, published_city):
    elsewhere = factories.PracticeLocationFactory(
        city=factories.CityFactory(name="Dallas", state="TX", slug="dallas-tx"), surgeon=published_city[1][0]
    )
    assert fhir_json(api.get(f"{BASE}Practitioner", {"address-city": "houston"}))["total"] == 12
    assert fhir_json(api.get(f"{BASE}Practitioner", {"address-city": "Dal"}))["total"] == 1
    roles = fhir_json(api.get(f"{BASE}PractitionerRole", {"address-city": "Dallas"}))
    assert [r["location"][0]["reference"] for r in entries(roles)] == [f"Location/{elsewhere.pk}"]
    locations = fhir_json(api.get(f"{BASE}Location", {"address-city": "Dallas"}))
    assert [r["id"] for r in entries(locations)] == [str(elsewhere.pk)]


def test_search_by_specialty_on_practitioner_and_role(api, published_city, city):
    neuro = factories.SurgeonFactory(specialty=Specialty.NEUROSURGERY)
    factories.PracticeLocationFactory(surgeon=neuro, city=city)
    for url in (f"{BASE}Practitioner", f"{BASE}PractitionerRole"):
        assert fhir_json(api.get(url, {"specialty": "207T00000X"}))["total"] == 1
        assert fhir_json(api.get(url, {"specialty": "http://nucc.org/provider-taxonomy|207XS0117X"}))["total"] == 12


def test_practitioner_role_search_by_practitioner(api, surgeon, location_row):
    bundle = fhir_json(api.get(f"{BASE}PractitionerRole", {"practitioner": f"Practitioner/{surgeon.npi}"}))
    assert [r["id"] for r in entries(bundle)] == [f"{surgeon.npi}-{location_row.pk}"]


def test_paging_links_lead_through_every_result(api, published_city):
    url, seen, pages = f"{BASE}Practitioner?_count=5", [], 0
    while url:
        bundle = fhir_json(api.get(url))
        links = {link["relation"]: link["url"] for link in bundle["link"]}
        assert (pages > 0) == ("previous" in links)
        seen += [r["id"] for r in entries(bundle)]
        url, pages = links.get("next"), pages + 1
    assert pages == 3
    assert sorted(seen) == sorted(s.npi for s in published_city[1])


def test_paging_links_keep_the_search_parameters(api, published_city):
    bundle = fhir_json(api.get(f"{BASE}Practitioner", {"address-city": "Houston", "_count": 2, "_offset": 2}))
    links = {link["relation"]: link["url"] for link in bundle["link"]}
    assert "address-city=Houston" in links["next"] and "_offset=4" in links["next"]
    assert "_offset=0" in links["previous"] and "_offset=2" in links["self"]


def test_count_zero_gives_only_the_total(api, published_city):
    bundle = fhir_json(api.get(f"{BASE}Practitioner", {"_count": 0}))
    assert bundle["total"] == 12 and "entry" not in bundle or bundle["entry"] == []


# --- the CapabilityStatement ---


def test_capability_statement_is_public_and_lists_interactions_and_search_params(client, db):
    body = fhir_json(client.get(f"{BASE}metadata"))
    CapabilityStatement.model_validate(body)
    resources = {r["type"]: r for r in body["rest"][0]["resource"]}
    assert set(resources) == set(MODELS)
    for resource in resources.values():
        assert {i["code"] for i in resource["interaction"]} == {"read", "vread", "history-instance", "search-type"}
    assert {p["name"] for p in resources["Practitioner"]["searchParam"]} == {
        "_id",
        "_lastUpdated",
        "identifier",
        "name",
        "family",
        "given",
        "address-city",
        "specialty",
    }
    assert resources["Practitioner"]["searchRevInclude"] == ["PractitionerRole:practitioner"]
    assert {p["name"] for p in resources["VerificationResult"]["searchParam"]} == {"_id", "_lastUpdated", "target"}
    assert resources["Location"]["supportedProfile"] == [fhir.PROFILES["Location"]]


# --- keys, errors and throttling ---


@pytest.mark.parametrize("url", SEARCHES)
def test_no_key_gets_401_operation_outcome(client, published_city, url):
    response = client.get(url)
    assert "Api-Key" in assert_outcome(response, 401, "login")
    assert response["WWW-Authenticate"] == "Api-Key"


@pytest.mark.parametrize("url", SEARCHES)
def test_revoked_key_gets_401(client, published_city, api_key, url):
    PartnerAPIKey.objects.update(revoked=True)
    assert_outcome(client.get(url, HTTP_AUTHORIZATION=f"Api-Key {api_key}"), 401, "login")


def test_inactive_partner_gets_403(api, partner, published_city):
    partner.active = False
    partner.save()
    assert_outcome(api.get(f"{BASE}Practitioner"), 403, "forbidden")


def test_session_login_is_not_accepted(client, admin_user, published_city):
    client.force_login(admin_user)
    assert_outcome(client.get(f"{BASE}Practitioner"), 401, "login")


@pytest.mark.parametrize(
    ("url", "params", "mention"),
    [
        ("Practitioner", {"family:text": "Rivera"}, "family:text"),
        ("Practitioner", {"name:missing": "true"}, "name:missing"),
        ("Practitioner", {"_lastUpdated": "ap2026-01-01"}, "_lastUpdated"),
        ("Practitioner", {"_lastUpdated": "2026-13-01"}, "_lastUpdated"),
        ("Practitioner", {"_include": "Practitioner:organization"}, "_include"),
        ("PractitionerRole", {"_revinclude": "Practitioner:role"}, "_revinclude"),
        ("PractitionerRole", {"role": "http://example.org/roles|ph"}, "role"),
        ("Practitioner", {"identifier": "12345"}, "identifier"),
        ("Practitioner", {"identifier": "1234567890"}, "identifier"),
        ("Practitioner", {"identifier": "http://example.org/ids|1234567893"}, "identifier"),
        ("Practitioner", {"specialty": "http://snomed.info/sct|394609007"}, "specialty"),
        ("Practitioner", {"name": ""}, "name"),
        ("Practitioner", {"_count": "101"}, "_count"),
        ("Practitioner", {"_count": "-1"}, "_count"),
        ("Practitioner", {"_count": "ten"}, "_count"),
        ("Practitioner", {"_offset": "-5"}, "_offset"),
        ("Practitioner", {"_offset": "9" * 30}, "_offset"),
        ("Practitioner", {"name": "Riv\x00"}, "name"),
        ("Practitioner", {"_format": "xml"}, "_format"),
        ("PractitionerRole", {"practitioner": "Location/1"}, "practitioner"),
        ("PractitionerRole", {"location": "Location/abc"}, "location"),
        ("Location", {"name": "Bayou"}, "name"),
        ("VerificationResult", {"target": "Practitioner/123"}, "target"),
    ],
)
def test_bad_search_parameters_get_400_operation_outcome(api, published_city, url, params, mention):
    assert mention in assert_outcome(api.get(f"{BASE}{url}", params), 400, "invalid")


@pytest.mark.parametrize(
    "path",
    [
        "Practitioner/1234567893",
        "Practitioner/not-an-npi",
        "PractitionerRole/1234567893-1",
        "PractitionerRole/999",
        "Location/999999",
        "Location/abc",
        "VerificationResult/999999",
        "Patient/1",
        "nothing/here",
    ],
)
def test_unknown_ids_and_paths_get_404_operation_outcome(api, published_city, path):
    assert_outcome(api.get(f"{BASE}{path}"), 404, "not-found")


def test_a_superseded_check_result_is_not_served(api, surgeon):
    result = CheckResult.objects.filter(surgeon=surgeon).first()
    CheckResult.objects.filter(pk=result.pk).update(is_current=False)
    assert_outcome(api.get(f"{BASE}VerificationResult/{result.pk}"), 404, "not-found")


def test_role_id_must_pair_the_surgeon_with_their_own_location(api, published_city):
    first, second = published_city[1][:2]
    assert_outcome(api.get(f"{BASE}PractitionerRole/{first.npi}-{second.locations.get().pk}"), 404, "not-found")


def test_writes_and_options_get_405_operation_outcome(api, published_city):
    assert_outcome(api.post(f"{BASE}Practitioner", {}, content_type="application/fhir+json"), 405, "not-supported")
    assert_outcome(api.options(f"{BASE}Practitioner"), 405, "not-supported")


def test_any_accept_header_gets_fhir_json(api, surgeon):
    fhir_json(api.get(f"{BASE}Practitioner/{surgeon.npi}", HTTP_ACCEPT="application/xml"))


def test_throttle_answers_429_with_retry_after(api, partner, published_city):
    partner.throttle_rate = "3/minute"
    partner.save()
    for _ in range(3):
        assert api.get(f"{BASE}Location").status_code == 200
    response = api.get(f"{BASE}Location")
    assert_outcome(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


def test_fhir_and_partner_api_share_one_throttle_per_key(api, partner, published_city):
    partner.throttle_rate = "2/minute"
    partner.save()
    assert api.get("/api/v1/cities/").status_code == 200
    assert api.get(f"{BASE}Location").status_code == 200
    assert_outcome(api.get(f"{BASE}Practitioner"), 429, "throttled")


# --- query count and privacy ---


def _query_counts(api, surgeon, location_row):
    urls = [
        *(f"{url}?_count=100" for url in SEARCHES),
        f"{BASE}Practitioner/{surgeon.npi}",
        f"{BASE}PractitionerRole/{surgeon.npi}-{location_row.pk}",
        f"{BASE}Location/{location_row.pk}",
        f"{BASE}VerificationResult?target=Practitioner/{surgeon.npi}",
    ]
    counts = {}
    for url in urls:
        api.get(url)  # the first visit records the resources' versions: one more query, counted below
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url).status_code == 200
        counts[url] = len(queries)
    return counts


def test_every_endpoint_uses_a_constant_number_of_queries(api, surgeon, location_row, make_clean_surgeon):
    api.get("/fhir/r4/Practitioner?_count=1")  # the partner key is cached from here on
    before = _query_counts(api, surgeon, location_row)
    for _ in range(10):
        extra = make_clean_surgeon()
        factories.StateLicenseFactory(surgeon=extra, state="LA")
        factories.BoardCertificationFactory(surgeon=extra, specialty=Specialty.ORTHOPAEDIC)
    assert _query_counts(api, surgeon, location_row) == before
    assert max(before.values()) <= 8


DATE_FORMS = (
    lambda day: day.isoformat(),
    lambda day: f"{day:%Y%m%d}",
    lambda day: f"{day:%m/%d/%Y}",
    lambda day: f'"{day.year}"',
    lambda day: f'"{day:%Y-%m}"',
)


def test_no_private_field_appears_in_any_fhir_response(api, published_city, location_row):
    surgeons = published_city[1]
    ConsultationRequest.objects.create(
        surgeon=surgeons[0], name="Pat Privatepatient", phone="555-0199", reason="Back pain", consent=True
    )
    Surgeon.objects.filter(pk=surgeons[0].pk).update(date_of_birth=dt.date(1961, 5, 17))
    location_row.email = "frontdesk@private-practice.example"
    location_row.save()
    urls = [f"{BASE}metadata", *(f"{url}?_count=100" for url in SEARCHES)]
    urls += [f"{BASE}Practitioner/{s.npi}" for s in surgeons]
    text = "".join(api.get(url).content.decode() for url in urls)
    results = CheckResult.objects.filter(surgeon__in=surgeons)
    assert results.exists()
    # Dates of birth in every form they could take (a bare year would also match ids once sequences pass it).
    forbidden = [f(day) for day in (dt.date(1961, 5, 17), dt.date(1970, 3, 14)) for f in DATE_FORMS]
    forbidden += ["Privatepatient", "555-0199", "private-practice.example", "date_of_birth", "birthDate"]
    forbidden += [dea.number for s in surgeons for dea in s.dea_registrations.all()]
    forbidden += [dea.masked_number for s in surgeons for dea in s.dea_registrations.all()]
    forbidden += ["check_digit_valid", "payload", "sha256", "policy_number"]
    forbidden += [p.policy_number for s in surgeons for p in s.malpractice_policies.all()]
    leaked = [value for value in forbidden if value and value in text]
    assert not leaked, leaked
    assert json.loads(api.get(f"{BASE}Practitioner/{surgeons[0].npi}").content).get("birthDate") is None


def test_fhir_views_stay_out_of_the_openapi_schema(client, db):
    assert b"/fhir/" not in client.get("/api/schema/").content
