"""Our FHIR output held against the published profiles, one rule per test.

Each rule is written from the published text it cites:
- Da Vinci PDex Plan-Net 1.2.0 (STU1.2; git tag 1.2.0 of HL7/davinci-pdex-plan-net): input/fsh/PlanNet.fsh (profiles),
  Extensions.fsh, ValueSets.fsh, CodeSystems.fsh, input/resources/capabilitystatement-plan-net.json;
- US Core 7.0.0 (the parent of Plan-Net 1.2.0's Practitioner, PractitionerRole, Location and Organization):
  input/resources-yaml/StructureDefinition-us-core-*.yml;
- HL7 National Directory (NDH) 1.0.0 (git tag 1.0.0 of HL7/fhir-us-ndh): input/fsh/Base-Profiles.fsh (NdhVerification);
- HL7 Terminology (hl7.terminology.r4 7.0.1): the code systems named below.
Every resource is also parsed by the fhir.resources R4B models. No official validator is run here: none can be
installed from the registries this project reaches (see README, FHIR section).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole
from fhir.resources.R4B.verificationresult import VerificationResult

from directory.models import CredentialStatus, PracticeLocation, Specialty, StateLicense
from directory.npi import is_valid_npi
from tests import factories
from verification.checks.types import Outcome
from verification.models import CheckResult

pytestmark = pytest.mark.django_db

BASE = "/fhir/r4/"
PLAN_NET = "http://hl7.org/fhir/us/davinci-pdex-plan-net"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem"
MODELS = {
    "Practitioner": Practitioner,
    "PractitionerRole": PractitionerRole,
    "Location": Location,
    "Organization": Organization,
    "VerificationResult": VerificationResult,
}
PROFILES = {
    "Practitioner": f"{PLAN_NET}/StructureDefinition/plannet-Practitioner",
    "PractitionerRole": f"{PLAN_NET}/StructureDefinition/plannet-PractitionerRole",
    "Location": f"{PLAN_NET}/StructureDefinition/plannet-Location",
    "Organization": f"{PLAN_NET}/StructureDefinition/plannet-Organization",
    "VerificationResult": "http://hl7.org/fhir/us/ndh/StructureDefinition/ndh-Verification",
}
# Plan-Net ValueSets.fsh, IndividualAndGroupSpecialtiesVS: the displays of the codes we use.
INDIVIDUAL_AND_GROUP_SPECIALTIES = {
    "207XS0117X": "Orthopaedic Surgery of the Spine Physician",
    "207X00000X": "Orthopaedic Surgery Physician",
    "207T00000X": "Neurological Surgery Physician",
}
# HL7 Terminology v2-0360 (degrees), the other half of IndividualSpecialtyAndDegreeLicenseCertificateVS.
DEGREES = {"MD": "Doctor of Medicine", "DO": "Doctor of Osteopathy"}
# Plan-Net CodeSystems.fsh.
ACCEPTING_PATIENTS = {"nopt": "Not Accepting", "newpt": "Accepting", "existptonly": None, "existptfam": None}
ORG_TYPES_EXCEPT_NETWORK = {"fac", "prvgrp", "payer", "atyprv", "bus"}  # OrgTypeVS excludes #ntwk
PROVIDER_ROLE_CODES = {"ph": "Physician"}  # of ProviderRoleCS, the code we use
# HL7 Terminology code systems (hl7.terminology.r4 7.0.1).
VALIDATION_TYPE = {"nothing", "primary", "multiple"}
VALIDATION_PROCESS = {"edit-check", "valueset", "primary", "multi", "standalone", "in-context", "manual", "attester"}
FAILURE_ACTION = {"fatal", "warn", "rec-only", "none"}
COMMUNICATION_METHOD = {"manual", "portal", "pull", "push"}
PRIMARY_SOURCE_TYPE = {
    "lic-board",
    "prim",
    "cont-ed",
    "post-serv",
    "rel-own",
    "reg-auth",
    "legal",
    "issuer",
    "auth-source",
}
NEED = {"none", "initial", "periodic"}
# FHIR R4 VerificationResult.status (required binding, status codes).
VERIFICATION_STATUS = {"attested", "validated", "in-process", "req-revalid", "val-fail", "reval-fail"}


@dataclass(frozen=True)
class Rule:
    resource_type: str
    source: str
    text: str
    check: Callable[[dict], list[str]]

    def __str__(self):
        return f"{self.resource_type}: {self.text}"


def _codings(concept: dict | None, system: str) -> list[dict]:
    return [c for c in (concept or {}).get("coding", []) if c.get("system") == system]


def _extension(element: dict, url: str) -> list[dict]:
    return [ext for ext in element.get("extension", []) if ext["url"] == url]


def _problems(condition: bool, message: str) -> list[str]:
    return [] if condition else [message]


# --- rules common to every resource ---


def _profile(resource):
    return _problems(PROFILES[resource["resourceType"]] in resource["meta"].get("profile", []), "profile not claimed")


def _meta(resource):
    meta = resource["meta"]
    return _problems(bool(meta.get("lastUpdated")) and bool(meta.get("versionId")), "meta.lastUpdated/versionId")


# --- Practitioner ---


def _practitioner_identifiers(resource):
    identifiers = resource.get("identifier", [])
    problems = _problems(bool(identifiers), "identifier 1..*")
    problems += [
        f"identifier without system/value: {i}" for i in identifiers if not (i.get("system") and i.get("value"))
    ]
    npis = [i["value"] for i in identifiers if i.get("system") == "http://hl7.org/fhir/sid/us-npi"]
    problems += [
        f"bad NPI {value}" for value in npis if not (re.fullmatch(r"[0-9]{10}", value) and is_valid_npi(value))
    ]
    return problems


def _active(resource):
    return _problems(resource.get("active") is True, "active must be true")


def _practitioner_name(resource):
    names = resource.get("name", [])
    return _problems(bool(names) and all(n.get("family") for n in names), "name 1..* with family 1..1")


def _qualification_codes(resource):
    problems = []
    for qualification in resource.get("qualification", []):
        nucc = _codings(qualification.get("code"), "http://nucc.org/provider-taxonomy")
        degree = _codings(qualification.get("code"), f"{TERMINOLOGY}/v2-0360")
        problems += _problems(bool(nucc or degree), f"qualification.code outside the value set: {qualification}")
        problems += [
            f"NUCC display {c}" for c in nucc if INDIVIDUAL_AND_GROUP_SPECIALTIES.get(c["code"]) != c["display"]
        ]
        problems += [f"degree display {c}" for c in degree if DEGREES.get(c["code"]) != c.get("display")]
    return problems


def _qualification_extension(resource):
    problems = []
    for qualification in resource.get("qualification", []):
        found = _extension(qualification, f"{PLAN_NET}/StructureDefinition/practitioner-qualification")
        problems += _problems(len(found) <= 1, "practitioner-qualification 0..1")
        for ext in found:
            parts = ext["extension"]
            statuses = [p for p in parts if p["url"] == "status"]
            problems += _problems(
                [p.get("valueCode") for p in statuses] == ["active"], f"status fixed to active: {parts}"
            )
            for where in (p for p in parts if p["url"] == "whereValid"):
                codings = _codings(where.get("valueCodeableConcept"), "https://www.usps.com/")
                problems += _problems(
                    bool(codings) and all(re.fullmatch(r"[A-Z]{2}", c["code"]) for c in codings), f"whereValid {where}"
                )
    return problems


# --- PractitionerRole ---


def _role_code(resource):
    problems = []
    for code in resource.get("code", []):
        ours = _codings(code, f"{PLAN_NET}/CodeSystem/ProviderRoleCS")
        hl7 = _codings(code, f"{TERMINOLOGY}/practitioner-role")
        problems += _problems(bool(ours or hl7), f"code outside PractitionerRoleVS: {code}")
        problems += [f"role display {c}" for c in ours if PROVIDER_ROLE_CODES.get(c["code"]) != c.get("display")]
    return problems


def _role_specialty(resource):
    problems = []
    for specialty in resource.get("specialty", []):
        codings = _codings(specialty, "http://nucc.org/provider-taxonomy")
        problems += _problems(bool(codings), f"specialty outside the value set: {specialty}")
        problems += [
            f"specialty display {c}" for c in codings if INDIVIDUAL_AND_GROUP_SPECIALTIES.get(c["code"]) != c["display"]
        ]
    return problems


def _role_telecom(resource):
    telecom = resource.get("telecom", [])
    problems = _problems(bool(telecom) or bool(resource.get("endpoint")), "pd-1: telecom or endpoint")
    return problems + [
        f"telecom needs system and value: {t}" for t in telecom if not (t.get("system") and t.get("value"))
    ]


def _role_references(resource):
    problems = _problems(
        resource.get("practitioner", {}).get("reference", "").startswith("Practitioner/"), "practitioner"
    )
    organization = resource.get("organization", {}).get("reference")
    problems += _problems(organization is None or organization.startswith("Organization/"), "organization")
    problems += [f"location {r}" for r in resource.get("location", []) if not r["reference"].startswith("Location/")]
    return problems


def _new_patients(resource):
    problems = []
    for ext in _extension(resource, f"{PLAN_NET}/StructureDefinition/newpatients"):
        accepting = [p for p in ext["extension"] if p["url"] == "acceptingPatients"]
        problems += _problems(len(accepting) == 1, "acceptingPatients 1..1")
        for part in accepting:
            codings = _codings(part["valueCodeableConcept"], f"{PLAN_NET}/CodeSystem/AcceptingPatientsCS")
            problems += _problems(bool(codings) and all(c["code"] in ACCEPTING_PATIENTS for c in codings), str(part))
    return problems


# --- Location ---


def _location_status(resource):
    return _problems(resource.get("status") == "active", "status fixed to active")


def _location_name_and_mode(resource):
    return _problems(bool(resource.get("name")), "name 1..1") + _problems("mode" not in resource, "mode 0..0")


def _location_position(resource):
    position = resource.get("position")
    if position is None:
        return []
    return _problems(isinstance(position.get("latitude"), float) and isinstance(position.get("longitude"), float), "")


def _location_type(resource):
    problems = []
    for concept in resource.get("type", []):
        problems += _problems(bool(_codings(concept, f"{TERMINOLOGY}/v3-RoleCode")), f"type {concept}")
    return problems


def _managing_organization(resource):
    reference = resource.get("managingOrganization", {}).get("reference")
    return _problems(reference is None or reference.startswith("Organization/"), "managingOrganization")


def _state_codes(resource):
    addresses = resource.get("address", [])
    addresses = addresses if isinstance(addresses, list) else [addresses]
    states = [a["state"] for a in addresses if "state" in a]
    return [f"state {state}" for state in states if not re.fullmatch(r"[A-Z]{2}", state)]


# --- Organization ---


def _organization_name_type_address(resource):
    problems = _problems(bool(resource.get("name")), "name 1..1")
    types = resource.get("type", [])
    problems += _problems(bool(types), "type 1..*")
    for concept in types:
        codings = _codings(concept, f"{PLAN_NET}/CodeSystem/OrgTypeCS")
        problems += _problems(
            bool(codings) and all(c["code"] in ORG_TYPES_EXCEPT_NETWORK for c in codings), str(concept)
        )
    addresses = resource.get("address", [])
    problems += _problems(bool(addresses), "address 1..*")
    return problems + [f"org-2: home address {a}" for a in addresses if a.get("use") == "home"]


# --- VerificationResult ---


def _code_in(concept: dict | None, system: str, codes: set[str]) -> bool:
    codings = _codings(concept, system)
    return bool(codings) and all(c["code"] in codes for c in codings)


def _verification_required(resource):
    problems = _problems(bool(resource.get("target")), "target 1..*")
    problems += _problems(_code_in(resource.get("need"), f"{TERMINOLOGY}/need", NEED), "need 1..1")
    problems += _problems(bool(resource.get("statusDate")), "statusDate 1..1")
    return problems + _problems(resource.get("status") in VERIFICATION_STATUS, "status")


def _validation(resource):
    problems = _problems(
        _code_in(resource.get("validationType"), f"{TERMINOLOGY}/validation-type", VALIDATION_TYPE), "validationType"
    )
    processes = resource.get("validationProcess", [])
    problems += _problems(bool(processes), "validationProcess 1..*")
    for process in processes:
        codings = _codings(process, f"{TERMINOLOGY}/validation-process")
        problems += _problems(bool(codings) and all(c["code"] in VALIDATION_PROCESS for c in codings), str(process))
    return problems


def _failure_action(resource):
    return _problems(
        _code_in(resource.get("failureAction"), f"{TERMINOLOGY}/failure-action", FAILURE_ACTION), "failureAction 1..1"
    )


def _primary_source(resource):
    problems = []
    for source in resource.get("primarySource", []):
        types = source.get("type", [])
        problems += _problems(bool(types), "primarySource.type 1..*")
        problems += [
            str(t) for t in types if not _code_in(t, f"{TERMINOLOGY}/primary-source-type", PRIMARY_SOURCE_TYPE)
        ]
        problems += [
            str(m)
            for m in source.get("communicationMethod", [])
            if not _code_in(m, f"{TERMINOLOGY}/verificationresult-communication-method", COMMUNICATION_METHOD)
        ]
        who = source.get("who", {}).get("reference")
        problems += _problems(
            who is None or who.split("/")[0] in {"Organization", "Practitioner", "PractitionerRole"}, who
        )
    return problems


def _attestation(resource):
    attestation = resource.get("attestation")
    if not attestation:
        return ["attestation 1..1"]
    who = attestation.get("who", {}).get("reference", "")
    problems = _problems(who.split("/")[0] in {"Organization", "Practitioner", "PractitionerRole"}, f"who {who}")
    method = attestation.get("communicationMethod")
    problems += _problems(
        _code_in(method, f"{TERMINOLOGY}/verificationresult-communication-method", COMMUNICATION_METHOD),
        "communicationMethod 1..1",
    )
    return problems + _problems(bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", attestation.get("date", ""))), "date 1..1")


def _validator(resource):
    return [
        f"validator {v}"
        for v in resource.get("validator", [])
        if not v.get("organization", {}).get("reference", "").startswith("Organization/")
    ]


PLAN_NET_FSH = "Plan-Net 1.2.0 PlanNet.fsh"
NDH_FSH = "NDH 1.0.0 Base-Profiles.fsh (NdhVerification)"
RULES = [
    *(
        Rule(
            rtype, "Plan-Net CapabilityStatement: identify the profiles in meta.profile", "claims its profile", _profile
        )
        for rtype in MODELS
    ),
    *(
        Rule(rtype, "Plan-Net test kit: meta.lastUpdated mandatory; FHIR versioning", "carries a version", _meta)
        for rtype in MODELS
    ),
    Rule(
        "Practitioner",
        "US Core 7.0.0 Practitioner: identifier 1..*, us-core-16/17",
        "identifiers",
        _practitioner_identifiers,
    ),
    Rule("Practitioner", PLAN_NET_FSH + ": active 1..1, active = true", "active is true", _active),
    Rule("Practitioner", "US Core 7.0.0: name 1..*, name.family 1..1", "names", _practitioner_name),
    Rule(
        "Practitioner",
        PLAN_NET_FSH + ": qualification.code 1..1 from IndividualSpecialtyAndDegreeLicenseCertificateVS",
        "qualification codes and displays",
        _qualification_codes,
    ),
    Rule(
        "Practitioner",
        "Plan-Net Extensions.fsh PractitionerQualification: status 1..1 = #active (exactly), "
        "whereValid from USPS (required)",
        "qualification extension",
        _qualification_extension,
    ),
    Rule("PractitionerRole", PLAN_NET_FSH + ": active 1..1, active = true", "active is true", _active),
    Rule("PractitionerRole", PLAN_NET_FSH + ": code from PractitionerRoleVS", "role code", _role_code),
    Rule(
        "PractitionerRole",
        PLAN_NET_FSH + ": specialty from IndividualAndGroupSpecialtiesVS (required)",
        "specialty codes and displays",
        _role_specialty,
    ),
    Rule(
        "PractitionerRole",
        PLAN_NET_FSH + ": telecom.system 1..1, telecom.value 1..1; US Core pd-1",
        "telecom",
        _role_telecom,
    ),
    Rule(
        "PractitionerRole",
        PLAN_NET_FSH + ": practitioner/organization/location reference types",
        "references",
        _role_references,
    ),
    Rule(
        "PractitionerRole",
        "Plan-Net Extensions.fsh NewPatients: acceptingPatients 1..1 from AcceptingPatientsVS",
        "new patients",
        _new_patients,
    ),
    Rule("Location", PLAN_NET_FSH + ": status 1..1, = #active (exactly)", "status", _location_status),
    Rule(
        "Location",
        "US Core 7.0.0: name 1..1; " + PLAN_NET_FSH + ": mode 0..0",
        "name and mode",
        _location_name_and_mode,
    ),
    Rule(
        "Location",
        "FHIR R4 Location.position: longitude 1..1, latitude 1..1 (decimals)",
        "position",
        _location_position,
    ),
    Rule("Location", "US Core 7.0.0: type from ServiceDeliveryLocationRoleType (extensible)", "type", _location_type),
    Rule(
        "Location",
        PLAN_NET_FSH + ": managingOrganization only Reference(PlannetOrganization)",
        "managing organization",
        _managing_organization,
    ),
    Rule("Location", "US Core 7.0.0: address.state from USPS (extensible)", "state codes", _state_codes),
    Rule("Organization", PLAN_NET_FSH + ": active 1..1, active = true", "active is true", _active),
    Rule(
        "Organization",
        PLAN_NET_FSH + ": type 1..* from OrgTypeVS, address 1..*; US Core 7.0.0: name 1..1; org-2",
        "name, type and address",
        _organization_name_type_address,
    ),
    Rule("Organization", "US Core 7.0.0: address.state from USPS (extensible)", "state codes", _state_codes),
    Rule(
        "VerificationResult",
        NDH_FSH + ": target 1..*, need 1..1, statusDate 1..1; R4 status binding",
        "required elements",
        _verification_required,
    ),
    Rule(
        "VerificationResult",
        NDH_FSH + ": validationType 1..1 (required), validationProcess 1..* (extensible)",
        "validation type and process",
        _validation,
    ),
    Rule("VerificationResult", NDH_FSH + ": failureAction 1..1", "failure action", _failure_action),
    Rule(
        "VerificationResult",
        NDH_FSH + ": primarySource.type 1..*, communicationMethod, who reference types",
        "primary source",
        _primary_source,
    ),
    Rule(
        "VerificationResult",
        NDH_FSH + ": attestation 1..1 with who 1..1, communicationMethod 1..1, date 1..1",
        "attestation",
        _attestation,
    ),
    Rule(
        "VerificationResult",
        NDH_FSH + ": validator.organization only Reference(NdhOrganization)",
        "validator",
        _validator,
    ),
]


@pytest.fixture
def served(api, published_city, django_db_blocker):
    """Every resource the server gives out for a directory with the awkward cases in it."""
    city, surgeons = published_city
    group = factories.PracticeGroupFactory()
    PracticeLocation.objects.filter(surgeon=surgeons[0]).update(
        group=group, latitude=Decimal("29.707000"), longitude=Decimal("-95.401000")
    )
    PracticeLocation.objects.filter(surgeon=surgeons[1]).update(practice_name="", phone="")  # unnamed, no phone
    factories.StateLicenseFactory(surgeon=surgeons[2], state="LA", expires=factories.TODAY.replace(year=2020))
    factories.StateLicenseFactory(surgeon=surgeons[2], state="OK", status=CredentialStatus.REVOKED)
    for specialty in (Specialty.NEUROSURGERY, Specialty.ORTHOPAEDIC):
        factories.PracticeLocationFactory(surgeon=factories.SurgeonFactory(specialty=specialty), city=city)
    result = CheckResult.objects.filter(surgeon=surgeons[3], check_key="malpractice", is_current=True)
    result.update(effective_outcome=Outcome.FAIL)  # a reviewer's decision against the check's own outcome
    resources = []
    for resource_type in MODELS:
        bundle = api.get(f"{BASE}{resource_type}", {"_count": 100}).json()
        resources += [entry["resource"] for entry in bundle.get("entry", [])]
    resources.append(api.get(f"{BASE}Organization/spine-surgeon-directory").json())
    return resources


def test_the_directory_serves_every_resource_type(served):
    assert {resource["resourceType"] for resource in served} == set(MODELS)


@pytest.mark.parametrize("resource_type", MODELS)
def test_every_resource_parses_as_fhir_r4b(served, resource_type):
    for resource in (r for r in served if r["resourceType"] == resource_type):
        MODELS[resource_type].model_validate(resource)


@pytest.mark.parametrize("rule", RULES, ids=str)
def test_profile_rule_holds_for_every_resource(served, rule):
    problems = {
        resource["id"]: found
        for resource in served
        if resource["resourceType"] == rule.resource_type and (found := rule.check(resource))
    }
    assert not problems, f"{rule.source}: {problems}"


def test_every_literal_reference_resolves(api, served):
    references = set()

    def collect(value):
        if isinstance(value, dict):
            if isinstance(value.get("reference"), str):
                references.add(value["reference"])
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect(served)
    assert references
    unresolved = [ref for ref in sorted(references) if api.get(f"{BASE}{ref}").status_code != 200]
    assert not unresolved


def test_an_inactive_credential_is_no_qualification_but_stays_visible_through_its_check(api, served):
    surgeon = StateLicense.objects.get(state="OK").surgeon
    practitioner = api.get(f"{BASE}Practitioner/{surgeon.npi}").json()
    states = [
        part["valueCodeableConcept"]["coding"][0]["code"]
        for q in practitioner["qualification"]
        for ext in q.get("extension", [])
        for part in ext["extension"]
        if part["url"] == "whereValid"
    ]
    assert states == ["TX"]  # the expired LA and revoked OK licenses are left out
    results = api.get(f"{BASE}VerificationResult", {"target": f"Practitioner/{surgeon.npi}"}).json()
    assert any(e["resource"]["targetLocation"] == ["Practitioner.qualification"] for e in results["entry"])


def test_a_reviewer_decision_is_attested_as_manual(api, served):
    result = CheckResult.objects.get(check_key="malpractice", is_current=True, effective_outcome=Outcome.FAIL)
    body = api.get(f"{BASE}VerificationResult/{result.pk}").json()
    assert body["status"] == "val-fail"
    assert body["attestation"]["communicationMethod"]["coding"][0]["code"] == "manual"
    assert body["attestation"]["who"]["reference"] == "Organization/spine-surgeon-directory"
    assert body["attestation"]["date"] == result.checked_at.date().isoformat()
    assert body["failureAction"]["coding"][0]["code"] == "fatal"


def test_a_primary_source_pull_is_attested_as_pull(api, served):
    result = CheckResult.objects.filter(check_key="satisfaction", is_current=True).first()
    body = api.get(f"{BASE}VerificationResult/{result.pk}").json()
    assert body["attestation"]["communicationMethod"]["coding"][0]["code"] == "pull"
    assert body["primarySource"][0]["who"]["reference"] == "Organization/spine-surgeon-directory"  # our own surveys


def test_a_document_on_file_is_attested_as_manual(api, served):
    result = CheckResult.objects.filter(
        check_key="malpractice", is_current=True, effective_outcome=Outcome.PASS
    ).first()
    body = api.get(f"{BASE}VerificationResult/{result.pk}").json()
    assert body["attestation"]["communicationMethod"]["coding"][0]["code"] == "manual"
    assert body["validationProcess"][0]["coding"][0] == {
        "system": f"{TERMINOLOGY}/validation-process",
        "code": "manual",
        "display": "Manual",
    }
