"""The searches Plan-Net's CapabilityStatement (and its test kit) mark SHALL, _include/_revinclude, versions,
vread and _history, and the CapabilityStatement compared with what the server does."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from api.models import FhirResourceVersion
from directory.models import PracticeLocation, Specialty, StateLicense, Surgeon
from tests import factories

pytestmark = pytest.mark.django_db

BASE = "/fhir/r4/"
NUCC = "http://nucc.org/provider-taxonomy"


def bundle(api, resource_type, params=None, status=200):
    response = api.get(f"{BASE}{resource_type}", params or {})
    assert response.status_code == status, response.content
    body = response.json()
    Bundle.model_validate(body)
    return body


def ids(body, mode="match"):
    return [e["resource"]["id"] for e in body.get("entry", []) if e["search"]["mode"] == mode]


def typed(body, mode):
    return sorted(
        f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in body["entry"] if e["search"]["mode"] == mode
    )


@pytest.fixture
def world(published_city):
    """Houston's published list, one practice group with two of its surgeons, and a second city."""
    city, surgeons = published_city
    group = factories.PracticeGroupFactory(name="Bayou Spine Group")
    grouped = list(PracticeLocation.objects.filter(surgeon__in=surgeons[:2]))
    PracticeLocation.objects.filter(pk__in=[p.pk for p in grouped]).update(group=group)
    dallas = factories.CityFactory(name="Dallas", state="TX", slug="dallas-tx")
    austin_place = factories.PracticeLocationFactory(
        surgeon=surgeons[2],
        city=factories.CityFactory(name="Austin", state="TX", slug="austin-tx"),
        postal_code="78701",
    )
    return {
        "city": city,
        "surgeons": surgeons,
        "group": group,
        "grouped": grouped,
        "dallas": dallas,
        "austin": austin_place,
    }


# --- Practitioner ---


def test_practitioner_search_by_id(api, world):
    npi = world["surgeons"][0].npi
    assert ids(bundle(api, "Practitioner", {"_id": npi})) == [npi]
    assert ids(bundle(api, "Practitioner", {"_id": "not-an-npi"})) == []


def test_practitioner_search_by_family_and_given_names(api, world):
    surgeon = world["surgeons"][3]
    assert ids(bundle(api, "Practitioner", {"family": surgeon.last_name.upper()})) == [surgeon.npi]
    assert ids(bundle(api, "Practitioner", {"given": surgeon.first_name[:5], "family": surgeon.last_name})) == [
        surgeon.npi
    ]
    assert ids(bundle(api, "Practitioner", {"given": surgeon.last_name})) == []


def test_string_modifiers_exact_and_contains(api, world):
    surgeon = world["surgeons"][4]
    assert ids(bundle(api, "Practitioner", {"family:exact": surgeon.last_name})) == [surgeon.npi]
    assert ids(bundle(api, "Practitioner", {"family:exact": surgeon.last_name.lower()})) == []
    assert ids(bundle(api, "Practitioner", {"family:contains": surgeon.last_name[2:].lower()})) == [surgeon.npi]


def test_practitioner_revinclude_brings_their_roles(api, world):
    surgeon = world["surgeons"][2]
    body = bundle(api, "Practitioner", {"_id": surgeon.npi, "_revinclude": "PractitionerRole:practitioner"})
    roles = sorted(f"PractitionerRole/{surgeon.npi}-{place.pk}" for place in surgeon.locations.all())
    assert ids(body) == [surgeon.npi] and typed(body, "include") == roles
    assert body["total"] == 1


def test_a_withdrawn_or_deactivated_surgeon_is_not_found_by_any_search(api, world):
    gone, deactivated = world["surgeons"][:2]
    Surgeon.objects.filter(pk=gone.pk).update(is_active=False)
    Surgeon.objects.filter(pk=deactivated.pk).update(npi_deactivated_on=dt.date(2026, 1, 1))
    assert ids(bundle(api, "Practitioner", {"_id": f"{gone.npi},{deactivated.npi}"})) == []
    assert bundle(api, "PractitionerRole", {"practitioner": f"Practitioner/{gone.npi}"})["total"] == 0
    assert api.get(f"{BASE}Practitioner/{gone.npi}").status_code == 404
    assert api.get(f"{BASE}Practitioner/{gone.npi}/_history").status_code == 404
    assert bundle(api, "Organization", {"_id": world["group"].pac_id})["total"] == 0  # its only two surgeons


# --- PractitionerRole ---


def test_role_search_by_organization_with_includes(api, world):
    group, grouped = world["group"], world["grouped"]
    body = bundle(
        api,
        "PractitionerRole",
        {
            "organization": f"Organization/{group.pac_id}",
            "_include": ["PractitionerRole:organization", "PractitionerRole:practitioner", "PractitionerRole:location"],
        },
    )
    assert sorted(ids(body)) == sorted(f"{p.surgeon.npi}-{p.pk}" for p in grouped)
    expected = [f"Organization/{group.pac_id}"]
    expected += [f"Practitioner/{p.surgeon.npi}" for p in grouped] + [f"Location/{p.pk}" for p in grouped]
    assert typed(body, "include") == sorted(expected)
    role = next(e["resource"] for e in body["entry"] if e["search"]["mode"] == "match")
    assert role["organization"] == {"reference": f"Organization/{group.pac_id}", "display": group.name}


def test_role_search_by_role_specialty_id_and_location(api, world):
    place = world["austin"]
    role_id = f"{place.surgeon.npi}-{place.pk}"
    assert (
        bundle(api, "PractitionerRole", {"role": f"{factories_plan_net()}/CodeSystem/ProviderRoleCS|ph"})["total"] == 13
    )
    assert bundle(api, "PractitionerRole", {"role": "ph"})["total"] == 13
    assert bundle(api, "PractitionerRole", {"role": "rn"})["total"] == 0
    assert bundle(api, "PractitionerRole", {"specialty": f"{NUCC}|207XS0117X"})["total"] == 13
    assert ids(bundle(api, "PractitionerRole", {"_id": role_id})) == [role_id]
    assert ids(bundle(api, "PractitionerRole", {"location": f"Location/{place.pk}"})) == [role_id]


def factories_plan_net():
    return "http://hl7.org/fhir/us/davinci-pdex-plan-net"


@pytest.mark.parametrize("name", ["service", "network", "endpoint"])
def test_concepts_we_do_not_have_are_accepted_and_match_nothing(api, world, name):
    body = bundle(api, "PractitionerRole", {name: "Organization/123"})
    assert body["total"] == 0 and body.get("entry", []) == []
    include = bundle(api, "PractitionerRole", {"_include": f"PractitionerRole:{name}"})
    assert include["total"] == 13 and typed(include, "include") == []


# --- Location ---


def test_location_search_by_address_parts(api, world):
    place = world["austin"]
    assert ids(bundle(api, "Location", {"address-postalcode": "787"})) == [str(place.pk)]
    assert ids(bundle(api, "Location", {"address": "austin"})) == [str(place.pk)]
    assert bundle(api, "Location", {"address-state": "TX"})["total"] == 13
    assert bundle(api, "Location", {"address-state": "CA"})["total"] == 0
    assert bundle(api, "Location", {"address": "6400 Fannin"})["total"] == 13


def test_location_search_by_type_organization_and_id(api, world):
    group, grouped = world["group"], world["grouped"]
    roles_code = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
    assert bundle(api, "Location", {"type": f"{roles_code}|PROFF"})["total"] == 13
    assert bundle(api, "Location", {"type": "HOSP"})["total"] == 0
    body = bundle(api, "Location", {"organization": group.pac_id, "_include": "Location:organization"})
    assert sorted(ids(body)) == sorted(str(p.pk) for p in grouped)
    assert typed(body, "include") == [f"Organization/{group.pac_id}"]  # once, though both locations name it
    assert ids(bundle(api, "Location", {"_id": str(grouped[0].pk)})) == [str(grouped[0].pk)]


def test_location_revinclude_brings_its_role(api, world):
    place = world["austin"]
    body = bundle(api, "Location", {"_id": str(place.pk), "_revinclude": "PractitionerRole:location"})
    assert typed(body, "include") == [f"PractitionerRole/{place.surgeon.npi}-{place.pk}"]


@pytest.mark.parametrize("name", ["partof", "endpoint"])
def test_location_relations_we_do_not_have_match_nothing(api, world, name):
    assert bundle(api, "Location", {name: "Location/1"})["total"] == 0


def test_location_position_comes_from_the_zip_centroid_when_known(api, world):
    place = world["austin"]
    PracticeLocation.objects.filter(pk=place.pk).update(latitude=None, longitude=None)  # a ZIP the list lacks
    assert "position" not in api.get(f"{BASE}Location/{place.pk}").json()
    PracticeLocation.objects.filter(pk=place.pk).update(latitude=Decimal("30.271129"), longitude=Decimal("-97.743700"))
    body = api.get(f"{BASE}Location/{place.pk}").json()
    assert body["position"] == {"longitude": -97.7437, "latitude": 30.271129}


def test_a_practice_without_a_name_is_called_by_its_address(api, world):
    place = world["austin"]
    PracticeLocation.objects.filter(pk=place.pk).update(practice_name="")
    body = api.get(f"{BASE}Location/{place.pk}").json()
    assert body["name"] == "6400 Fannin St, Austin, TX 78701"
    assert body["address"]["text"] == body["name"]


# --- Organization ---


def test_organization_search_finds_practice_groups_and_our_own_organization(api, world):
    group = world["group"]
    everything = bundle(api, "Organization")
    assert ids(everything) == ["spine-surgeon-directory", group.pac_id] and everything["total"] == 2
    assert ids(bundle(api, "Organization", {"name": "bayou"})) == [group.pac_id]
    assert ids(bundle(api, "Organization", {"name": "Spine Surgeon"})) == ["spine-surgeon-directory"]
    assert ids(bundle(api, "Organization", {"type": "prvgrp"})) == [group.pac_id]
    assert ids(bundle(api, "Organization", {"type": "bus"})) == ["spine-surgeon-directory"]
    assert ids(bundle(api, "Organization", {"address": "houston"})) == [group.pac_id]
    assert ids(bundle(api, "Organization", {"_id": group.pac_id})) == [group.pac_id]


def test_organization_paging_counts_our_own_organization_once(api, world):
    first = bundle(api, "Organization", {"_count": 1})
    second = bundle(api, "Organization", {"_count": 1, "_offset": 1})
    assert ids(first) + ids(second) == ["spine-surgeon-directory", world["group"].pac_id]


def test_practice_group_has_its_pac_id_and_the_addresses_of_its_practices(api, world):
    group = world["group"]
    body = api.get(f"{BASE}Organization/{group.pac_id}").json()
    assert body["identifier"][0]["value"] == group.pac_id and body["name"] == group.name
    assert body["type"][0]["coding"][0]["code"] == "prvgrp"
    assert [a["city"] for a in body["address"]] == ["Houston"]  # two practices at one address: listed once


def test_organization_revinclude_brings_the_groups_roles(api, world):
    group, grouped = world["group"], world["grouped"]
    body = bundle(api, "Organization", {"_id": group.pac_id, "_revinclude": "PractitionerRole:organization"})
    assert typed(body, "include") == sorted(f"PractitionerRole/{p.surgeon.npi}-{p.pk}" for p in grouped)


def test_verification_result_include_brings_the_practitioner(api, world):
    surgeon = world["surgeons"][0]
    body = bundle(
        api,
        "VerificationResult",
        {"target": f"Practitioner/{surgeon.npi}", "_include": "VerificationResult:target"},
    )
    assert typed(body, "include") == [f"Practitioner/{surgeon.npi}"] and body["total"] == 7


# --- chained parameters, one level deep ---


def test_role_search_chained_through_organization_location_and_practitioner(api, world):
    group, grouped, place = world["group"], world["grouped"], world["austin"]
    by_group = bundle(api, "PractitionerRole", {"organization.name": "bayou spine"})
    assert sorted(ids(by_group)) == sorted(f"{p.surgeon.npi}-{p.pk}" for p in grouped)
    assert ids(bundle(api, "PractitionerRole", {"location.address-city": "Austin"})) == [
        f"{place.surgeon.npi}-{place.pk}"
    ]
    family = world["surgeons"][6].last_name
    assert bundle(api, "PractitionerRole", {"practitioner.family:exact": family})["total"] == 1
    assert bundle(api, "PractitionerRole", {"organization.type": "prvgrp"})["total"] == 2
    assert bundle(api, "Location", {"organization.name": group.name})["total"] == 2


def test_verification_result_chained_through_its_target(api, world):
    surgeon = world["surgeons"][7]
    body = bundle(api, "VerificationResult", {"target.family:exact": surgeon.last_name})
    assert body["total"] == 7 and {e["resource"]["target"][0]["reference"] for e in body["entry"]} == {
        f"Practitioner/{surgeon.npi}"
    }


@pytest.mark.parametrize(
    ("resource_type", "name"),
    [
        ("PractitionerRole", "network.name"),
        ("PractitionerRole", "service.service-category"),
        ("PractitionerRole", "endpoint.organization"),
        ("Location", "partof.address"),
        ("Organization", "partof.name"),
    ],
)
def test_chains_through_relations_we_do_not_have_match_nothing(api, world, resource_type, name):
    assert bundle(api, resource_type, {name: "x"})["total"] == 0


@pytest.mark.parametrize(
    "name", ["organization.nothing", "organization.name.partof", "specialty.name", "organization.name:text"]
)
def test_a_chain_that_is_not_served_is_a_400(api, world, name):
    assert api.get(f"{BASE}PractitionerRole", {name: "x"}).status_code == 400


# --- versions: meta, _lastUpdated, vread, _history ---


def test_a_license_change_moves_the_practitioners_version_and_last_updated(api, world):
    surgeon = world["surgeons"][0]
    first = api.get(f"{BASE}Practitioner/{surgeon.npi}").json()["meta"]
    assert api.get(f"{BASE}Practitioner/{surgeon.npi}").json()["meta"] == first  # nothing changed: same version
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        license = surgeon.licenses.get()
        license.number = "Q99999"
        license.save()
        second = api.get(f"{BASE}Practitioner/{surgeon.npi}").json()["meta"]
    assert int(second["versionId"]) == int(first["versionId"]) + 1
    assert second["lastUpdated"] > first["lastUpdated"]
    assert second["lastUpdated"] == license.updated_at.isoformat()


def test_a_credential_expiring_moves_the_version_though_no_row_changed(api, world):
    surgeon = world["surgeons"][0]
    StateLicense.objects.filter(surgeon=surgeon).update(expires=timezone.localdate() + dt.timedelta(days=1))
    before = api.get(f"{BASE}Practitioner/{surgeon.npi}").json()
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        after = api.get(f"{BASE}Practitioner/{surgeon.npi}").json()
    assert len(after["qualification"]) == len(before["qualification"]) - 1
    assert int(after["meta"]["versionId"]) == int(before["meta"]["versionId"]) + 1


def test_vread_and_history_give_back_every_served_version(api, world):
    surgeon = world["surgeons"][0]
    old = api.get(f"{BASE}Practitioner/{surgeon.npi}").json()
    Surgeon.objects.filter(pk=surgeon.pk).update(languages="English, Vietnamese", updated_at=timezone.now())
    new = api.get(f"{BASE}Practitioner/{surgeon.npi}").json()
    vread = api.get(f"{BASE}Practitioner/{surgeon.npi}/_history/{old['meta']['versionId']}")
    assert vread.status_code == 200 and vread.json() == old
    assert vread["ETag"] == f'W/"{old["meta"]["versionId"]}"'
    history = api.get(f"{BASE}Practitioner/{surgeon.npi}/_history").json()
    Bundle.model_validate(history)
    assert history["type"] == "history" and [e["resource"] for e in history["entry"]] == [new, old]
    assert history["entry"][-1]["request"] == {"method": "POST", "url": "Practitioner"}
    assert history["entry"][0]["response"]["etag"] == f'W/"{new["meta"]["versionId"]}"'
    assert api.get(f"{BASE}Practitioner/{surgeon.npi}/_history/99").status_code == 404


def test_last_updated_search_agrees_with_the_served_last_updated(api, world):
    surgeon = world["surgeons"][0]
    served = api.get(f"{BASE}Practitioner/{surgeon.npi}").json()["meta"]["lastUpdated"]
    assert surgeon.npi in ids(bundle(api, "Practitioner", {"_lastUpdated": served, "_count": 100}))
    assert surgeon.npi in ids(bundle(api, "Practitioner", {"_lastUpdated": f"ge{served[:10]}", "_count": 100}))
    assert surgeon.npi not in ids(bundle(api, "Practitioner", {"_lastUpdated": f"gt{served}", "_count": 100}))
    assert surgeon.npi not in ids(bundle(api, "Practitioner", {"_lastUpdated": f"lt{served[:10]}", "_count": 100}))


def test_last_updated_search_sees_a_change_before_anyone_read_it(api, world):
    surgeon = world["surgeons"][5]
    bundle(api, "Practitioner", {"_count": 100})  # every version recorded
    later = timezone.now() + dt.timedelta(hours=1)
    with time_machine.travel(later):
        license = surgeon.licenses.get()
        license.expires = license.expires + dt.timedelta(days=365)
        license.save()
    since = (later - dt.timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    assert ids(bundle(api, "Practitioner", {"_lastUpdated": f"gt{since}"})) == [surgeon.npi]
    for resource_type in ("PractitionerRole", "Location", "VerificationResult", "Organization"):
        assert bundle(api, resource_type, {"_lastUpdated": f"gt{since}"})["total"] == 0


def test_every_resource_type_has_vread_and_history(api, world):
    group, place = world["group"], world["austin"]
    result = place.surgeon.check_results.filter(is_current=True).first()
    for path in (
        f"Practitioner/{place.surgeon.npi}",
        f"PractitionerRole/{place.surgeon.npi}-{place.pk}",
        f"Location/{place.pk}",
        f"Organization/{group.pac_id}",
        "Organization/spine-surgeon-directory",
        f"VerificationResult/{result.pk}",
    ):
        current = api.get(f"{BASE}{path}").json()
        assert api.get(f"{BASE}{path}/_history/{current['meta']['versionId']}").json() == current
        assert api.get(f"{BASE}{path}/_history").json()["entry"][0]["resource"] == current


def test_a_first_visit_records_versions_in_one_write(api, world):
    bundle(api, "Location", {"_count": 1})  # the partner key is cached from here on
    FhirResourceVersion.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        bundle(api, "Practitioner", {"_count": 100})
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert FhirResourceVersion.objects.filter(resource_type="Practitioner").count() == 12


# --- the CapabilityStatement against behaviour ---

# One value per declared parameter: a test fails when a parameter is declared without a sample, or served without
# being declared.
SAMPLES = {
    "Practitioner": {
        "_id": "1000000012",
        "_lastUpdated": "ge2020-01-01",
        "identifier": "http://hl7.org/fhir/sid/us-npi|1000000012",
        "name": "Rivera",
        "family": "Rivera",
        "given": "Alex",
        "address-city": "Houston",
        "specialty": f"{NUCC}|207XS0117X",
    },
    "PractitionerRole": {
        "_id": "1000000012-1",
        "_lastUpdated": "ge2020-01-01",
        "practitioner": "Practitioner/1000000012",
        "organization": "Organization/4284000000",
        "location": "Location/1",
        "role": "ph",
        "specialty": "207XS0117X",
        "address-city": "Houston",
        "service": "HealthcareService/1",
        "network": "Organization/1",
        "endpoint": "Endpoint/1",
    },
    "Location": {
        "_id": "1",
        "_lastUpdated": "ge2020-01-01",
        "address": "Fannin",
        "address-city": "Houston",
        "address-state": "TX",
        "address-postalcode": "77030",
        "type": "PROFF",
        "organization": "Organization/4284000000",
        "partof": "Location/2",
        "endpoint": "Endpoint/1",
    },
    "Organization": {
        "_id": "4284000000",
        "_lastUpdated": "ge2020-01-01",
        "name": "Bayou",
        "address": "Houston",
        "type": "prvgrp",
        "partof": "Organization/1",
        "endpoint": "Endpoint/1",
        "coverage-area": "Location/1",
    },
    "VerificationResult": {"_id": "1", "_lastUpdated": "ge2020-01-01", "target": "Practitioner/1000000012"},
}


@pytest.fixture
def statement(client, db):
    return {r["type"]: r for r in client.get(f"{BASE}metadata").json()["rest"][0]["resource"]}


def test_every_declared_search_parameter_is_served(api, world, statement):
    for resource_type, declared in statement.items():
        names = {p["name"] for p in declared["searchParam"]}
        assert names == set(SAMPLES[resource_type]), resource_type
        for name in names:
            response = api.get(f"{BASE}{resource_type}", {name: SAMPLES[resource_type][name]})
            assert response.status_code == 200, (resource_type, name, response.content)


def test_every_declared_include_and_revinclude_is_served_and_no_other(api, world, statement):
    for resource_type, declared in statement.items():
        for name, values in (
            ("_include", declared.get("searchInclude", [])),
            ("_revinclude", declared.get("searchRevInclude", [])),
        ):
            for value in values:
                assert api.get(f"{BASE}{resource_type}", {name: value}).status_code == 200, (resource_type, value)
            assert api.get(f"{BASE}{resource_type}", {name: f"{resource_type}:nothing"}).status_code == 400


def test_an_undeclared_parameter_is_refused(api, world, statement):
    for resource_type in statement:
        assert api.get(f"{BASE}{resource_type}", {"undeclared": "x"}).status_code == 400


def test_declared_interactions_are_served(api, world, statement):
    surgeon = world["surgeons"][0]
    for code in ("read", "vread", "history-instance", "search-type"):
        assert all(code in {i["code"] for i in r["interaction"]} for r in statement.values())
    assert api.get(f"{BASE}Practitioner/{surgeon.npi}").status_code == 200
    assert api.get(f"{BASE}Practitioner/{surgeon.npi}/_history").status_code == 200
    assert api.get(f"{BASE}Practitioner/{surgeon.npi}/_history/1").status_code == 200


def test_declared_definitions_name_plan_net_search_parameters(statement):
    role = {p["name"]: p.get("definition") for p in statement["PractitionerRole"]["searchParam"]}
    assert role["network"] == "http://hl7.org/fhir/us/davinci-pdex-plan-net/SearchParameter/practitionerrole-network"
    assert role["_lastUpdated"] == "http://hl7.org/fhir/SearchParameter/Resource-lastUpdated"


# --- a fixed number of queries per page, whatever the page holds ---

PAGES = [
    ("Practitioner", {"_revinclude": "PractitionerRole:practitioner"}),
    (
        "PractitionerRole",
        {"_include": ["PractitionerRole:practitioner", "PractitionerRole:organization", "PractitionerRole:location"]},
    ),
    ("Location", {"_include": "Location:organization", "_revinclude": "PractitionerRole:location"}),
    ("Organization", {"_revinclude": "PractitionerRole:organization"}),
    ("VerificationResult", {"_include": "VerificationResult:target", "_lastUpdated": "ge2020-01-01"}),
    ("Practitioner", {"family": "Rivera", "given": "Alex", "_lastUpdated": "ge2020-01-01"}),
]


def _page_queries(api) -> list[int]:
    counts = []
    for resource_type, params in PAGES:
        bundle(api, resource_type, {**params, "_count": 100})  # versions recorded: counted in the test above
        with CaptureQueriesContext(connection) as queries:
            bundle(api, resource_type, {**params, "_count": 100})
        counts.append(len(queries))
    return counts


def test_search_pages_keep_a_fixed_number_of_queries(api, world, make_clean_surgeon, city):
    bundle(api, "Location", {"_count": 1})  # the partner key is cached from here on
    before = _page_queries(api)
    for n in range(8):
        surgeon = make_clean_surgeon(specialty=Specialty.NEUROSURGERY if n % 2 else Specialty.ORTHOPAEDIC_SPINE)
        factories.StateLicenseFactory(surgeon=surgeon, state="LA")
        PracticeLocation.objects.filter(surgeon=surgeon).update(group=factories.PracticeGroupFactory())
    assert _page_queries(api) == before
    assert max(before) <= 10
