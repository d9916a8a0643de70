"""FHIR R4 resources (Da Vinci Plan-Net 1.2.0 and National Directory profiles) built from directory rows.

Pure functions: each takes model instances already loaded by api.fhir_selectors and returns a plain dict whose
`meta` holds only the profile (api.fhir_versions adds versionId and lastUpdated). Only public facts go in: no DEA
number, date of birth, home address, evidence, practice e-mail or gender (the partner API shows no gender either).
The rules each builder follows are quoted, with their source, in tests/api/test_fhir_conformance.py.
"""

from datetime import date

from django.conf import settings

from directory.models import BoardCertification, CredentialStatus, EvidenceMethod
from verification.checks import CHECKS, SANCTIONS_CHECKS
from verification.checks.types import Outcome

FHIR_VERSION = "4.0.1"
PLAN_NET = "http://hl7.org/fhir/us/davinci-pdex-plan-net"
NDH = "http://hl7.org/fhir/us/ndh"
PROFILES = {
    "Practitioner": f"{PLAN_NET}/StructureDefinition/plannet-Practitioner",
    "PractitionerRole": f"{PLAN_NET}/StructureDefinition/plannet-PractitionerRole",
    "Location": f"{PLAN_NET}/StructureDefinition/plannet-Location",
    "Organization": f"{PLAN_NET}/StructureDefinition/plannet-Organization",
    "VerificationResult": f"{NDH}/StructureDefinition/ndh-Verification",
}
QUALIFICATION_EXTENSION = f"{PLAN_NET}/StructureDefinition/practitioner-qualification"
QUALIFICATION_STATUS_SYSTEM = f"{PLAN_NET}/CodeSystem/QualificationStatusCS"
NEW_PATIENTS_EXTENSION = f"{PLAN_NET}/StructureDefinition/newpatients"
ACCEPTING_PATIENTS_SYSTEM = f"{PLAN_NET}/CodeSystem/AcceptingPatientsCS"
PROVIDER_ROLE_SYSTEM = f"{PLAN_NET}/CodeSystem/ProviderRoleCS"
HL7_ROLE_SYSTEM = "http://terminology.hl7.org/CodeSystem/practitioner-role"
ORG_TYPE_SYSTEM = f"{PLAN_NET}/CodeSystem/OrgTypeCS"
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
NUCC_SYSTEM = "http://nucc.org/provider-taxonomy"
USPS_SYSTEM = "https://www.usps.com/"
DEGREE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0360"
IDENTIFIER_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0203"
ROLE_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem"
# Our own vocabularies, for facts no published code system names.
OWN = "https://docs.spine-directory.example/fhir"
CHECK_EXTENSION = f"{OWN}/StructureDefinition/verification-check"
REASON_EXTENSION = f"{OWN}/StructureDefinition/verification-reason"
CHECK_SYSTEM = f"{OWN}/CodeSystem/check"
METHOD_SYSTEM = f"{OWN}/CodeSystem/evidence-method"
PAC_ID_SYSTEM = f"{OWN}/sid/pecos-pac-id"  # CMS publishes no FHIR identifier system for group PAC IDs

# Our own organization: the directory that checks the credentials and attests the results.
OWN_ORGANIZATION_ID = "spine-surgeon-directory"
OWN_ORGANIZATION_NAME = "Spine Surgeon Directory"

# NUCC displays exactly as Plan-Net's IndividualAndGroupSpecialtiesVS gives them (directory.models.Specialty keeps
# the shorter labels the patient pages show).
NUCC_DISPLAY = {
    "207XS0117X": "Orthopaedic Surgery of the Spine Physician",
    "207X00000X": "Orthopaedic Surgery Physician",
    "207T00000X": "Neurological Surgery Physician",
}
DEGREES = {"MD": "Doctor of Medicine", "DO": "Doctor of Osteopathy"}
LANGUAGES = {
    "english": "en",
    "spanish": "es",
    "french": "fr",
    "german": "de",
    "chinese": "zh",
    "mandarin": "zh",
    "vietnamese": "vi",
    "korean": "ko",
    "arabic": "ar",
    "hindi": "hi",
    "russian": "ru",
    "portuguese": "pt",
    "tagalog": "tl",
    "italian": "it",
    "polish": "pl",
    "japanese": "ja",
    "farsi": "fa",
    "urdu": "ur",
}

# Our outcome -> VerificationResult.status. unknown and needs_review are both unfinished work: a source will be
# asked again, or a reviewer must decide, so "in-process". A pass past its valid_until becomes "req-revalid".
VERIFICATION_STATUS = {
    Outcome.PASS: "validated",
    Outcome.NOT_APPLICABLE: "validated",
    Outcome.FAIL: "val-fail",
    Outcome.UNKNOWN: "in-process",
    Outcome.NEEDS_REVIEW: "in-process",
}
SOURCE_VALIDATION_STATUS = {Outcome.PASS: ("successful", "Successful"), Outcome.FAIL: ("failed", "Failed")}
# Our method -> validationType (nothing | primary | multiple) and the HL7 validation-process code.
VALIDATION_TYPE = {
    EvidenceMethod.PRIMARY_SOURCE: ("primary", "Primary Source"),
    EvidenceMethod.SECONDARY_SOURCE: ("multiple", "Multiple Sources"),
    EvidenceMethod.ATTESTED_DOCUMENT: ("nothing", "Nothing"),
    EvidenceMethod.FORMAT_ONLY: ("nothing", "Nothing"),
}
VALIDATION_PROCESS = {
    EvidenceMethod.PRIMARY_SOURCE: ("primary", "primary source"),
    EvidenceMethod.SECONDARY_SOURCE: ("multi", "multiple sources"),
    EvidenceMethod.ATTESTED_DOCUMENT: ("manual", "Manual"),
    EvidenceMethod.FORMAT_ONLY: ("edit-check", "edit check"),
}
# How the evidence reached us: pulled from a source (files, registries, our survey system) or entered by a reviewer.
COMMUNICATION_METHOD = {
    EvidenceMethod.PRIMARY_SOURCE: ("pull", "Pull"),
    EvidenceMethod.SECONDARY_SOURCE: ("pull", "Pull"),
    EvidenceMethod.ATTESTED_DOCUMENT: ("manual", "Manual"),
    EvidenceMethod.FORMAT_ONLY: ("manual", "Manual"),
}
# A check no longer registered (an old result) is coded as an authoritative source attesting nothing in particular.
UNREGISTERED_SOURCE_TYPES = (("auth-source", "Authoritative source"),)


def coding(system: str, code: str, display: str | None = None) -> dict:
    return {"system": system, "code": code, **({"display": display} if display else {})}


def concept(system: str, code: str, display: str | None = None, *, text: str | None = None) -> dict:
    return {"coding": [coding(system, code, display)], **({"text": text} if text else {})}


def _meta(resource_type: str) -> dict:
    return {"profile": [PROFILES[resource_type]]}


def _period(start: date | None, end: date | None) -> dict | None:
    period = {key: day.isoformat() for key, day in (("start", start), ("end", end)) if day}
    return period or None


def _drop_empty(data: dict) -> dict:
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def specialty_concept(code: str) -> dict:
    return concept(NUCC_SYSTEM, code, NUCC_DISPLAY[code])


def npi_identifier(npi: str) -> dict:
    return {
        "use": "official",
        "type": concept(IDENTIFIER_TYPE_SYSTEM, "NPI", "National provider identifier"),
        "system": NPI_SYSTEM,
        "value": npi,
    }


def reference(resource_type: str, resource_id: str, display: str | None = None) -> dict:
    return {"reference": f"{resource_type}/{resource_id}", **({"display": display} if display else {})}


def own_organization_reference() -> dict:
    return reference("Organization", OWN_ORGANIZATION_ID, OWN_ORGANIZATION_NAME)


def group_reference(group) -> dict:
    return reference("Organization", group.pac_id, group.name)


# --- Practitioner ---


def credential_is_active(credential, *, as_of: date) -> bool:
    """Active as the checks count it: status active and not past its expiry date."""
    return credential.status == CredentialStatus.ACTIVE and (credential.expires is None or credential.expires >= as_of)


def _qualification_extension(state: str | None = None) -> dict:
    # Plan-Net fixes status to "active": only active credentials become qualifications.
    parts = [{"url": "status", "valueCode": "active"}]
    if state:
        parts.append({"url": "whereValid", "valueCodeableConcept": concept(USPS_SYSTEM, state)})
    return {"url": QUALIFICATION_EXTENSION, "extension": parts}


def license_qualification(license, *, degree: str) -> dict:
    return _drop_empty(
        {
            "extension": [_qualification_extension(license.state)],
            "identifier": [{"type": {"text": f"{license.state} medical license number"}, "value": license.number}],
            "code": concept(DEGREE_SYSTEM, degree, DEGREES.get(degree), text=f"{license.state} medical license"),
            "period": _period(license.first_issued, license.expires),
            "issuer": {"display": f"{license.state} state medical board"},
        }
    )


def board_qualification(certification) -> dict:
    board = BoardCertification.Board(certification.board).label
    code = specialty_concept(certification.specialty)
    code["text"] = f"Board certified ({board})"
    return _drop_empty(
        {
            "extension": [_qualification_extension()],
            "code": code,
            "period": _period(certification.certified_on, certification.expires),
            "issuer": {"display": board},
        }
    )


def _language(name: str) -> dict:
    code = LANGUAGES.get(name.lower())
    return concept("urn:ietf:bcp:47", code, name, text=name) if code else {"text": name}


def practitioner(surgeon, *, as_of: date) -> dict:
    """Needs surgeon.licenses and surgeon.board_certifications prefetched. Inactive credentials are left out here;
    their checks stay visible through VerificationResult."""
    given = [name for name in (surgeon.first_name, surgeon.middle_name) if name]
    licenses = [lic for lic in surgeon.licenses.all() if credential_is_active(lic, as_of=as_of)]
    boards = [cert for cert in surgeon.board_certifications.all() if credential_is_active(cert, as_of=as_of)]
    return _drop_empty(
        {
            "resourceType": "Practitioner",
            "id": surgeon.npi,
            "meta": _meta("Practitioner"),
            "identifier": [npi_identifier(surgeon.npi)],
            "active": True,
            "name": [
                {
                    "use": "official",
                    "text": surgeon.display_name,
                    "family": surgeon.last_name,
                    "given": given,
                    "prefix": ["Dr."],
                    "suffix": [surgeon.degree],
                }
            ],
            "qualification": [
                *(license_qualification(lic, degree=surgeon.degree) for lic in sorted(licenses, key=_license_order)),
                *(board_qualification(cert) for cert in sorted(boards, key=lambda c: (c.certified_on, c.pk))),
            ],
            "communication": [_language(name) for name in surgeon.language_list],
        }
    )


def _license_order(license):
    return (license.state, license.number)


# --- Location, PractitionerRole ---


def address_text(place) -> str:
    lines = ", ".join(line for line in (place.address_line1, place.address_line2) if line)
    return f"{lines}, {place.city.name}, {place.city.state} {place.postal_code}"


def _address(place) -> dict:
    lines = [line for line in (place.address_line1, place.address_line2) if line]
    return {
        "use": "work",
        "type": "physical",
        "text": address_text(place),
        "line": lines,
        "city": place.city.name,
        "state": place.city.state,
        "postalCode": place.postal_code,
        "country": "US",
    }


def _phone(place) -> list[dict]:
    return [{"system": "phone", "value": place.phone, "use": "work"}] if place.phone else []


def location_name(place) -> str:
    """The practice's name; a practice no source names is called by its address (a name is never invented)."""
    return place.practice_name or address_text(place)


def _position(place) -> dict | None:
    if place.latitude is None or place.longitude is None:
        return None
    return {"longitude": float(place.longitude), "latitude": float(place.latitude)}


def location(place) -> dict:
    """A practice's public business address; needs place.city and place.group loaded."""
    return _drop_empty(
        {
            "resourceType": "Location",
            "id": str(place.pk),
            "meta": _meta("Location"),
            "status": "active",
            "name": location_name(place),
            "type": [concept(ROLE_CODE_SYSTEM, "PROFF", "Provider's Office")],
            "telecom": _phone(place),
            "address": _address(place),
            "position": _position(place),
            "managingOrganization": group_reference(place.group) if place.group_id else None,
        }
    )


def practitioner_role_id(place) -> str:
    return f"{place.surgeon.npi}-{place.pk}"


def _new_patients(accepting: bool) -> dict:
    code, display = ("newpt", "Accepting") if accepting else ("nopt", "Not Accepting")
    value = concept(ACCEPTING_PATIENTS_SYSTEM, code, display)
    return {"url": NEW_PATIENTS_EXTENSION, "extension": [{"url": "acceptingPatients", "valueCodeableConcept": value}]}


def _role_telecom(place) -> list[dict]:
    # The profile page with its consultation request form reaches the practice even when no phone is on file
    # (US Core pd-1: a role needs a telecom or an endpoint).
    profile_url = f"{settings.SITE_URL}{place.surgeon.get_absolute_url()}"
    return [*_phone(place), {"system": "url", "value": profile_url, "use": "work"}]


def practitioner_role(place) -> dict:
    """One surgeon at one practice location; needs place.surgeon, place.city and place.group loaded."""
    surgeon = place.surgeon
    organization = group_reference(place.group) if place.group_id else None
    return _drop_empty(
        {
            "resourceType": "PractitionerRole",
            "id": practitioner_role_id(place),
            "meta": _meta("PractitionerRole"),
            "extension": [_new_patients(surgeon.accepting_new_patients)],
            "active": True,
            "practitioner": reference("Practitioner", surgeon.npi, surgeon.display_name),
            "organization": organization,
            "code": [concept(PROVIDER_ROLE_SYSTEM, "ph", "Physician")],
            "specialty": [specialty_concept(surgeon.specialty)],
            "location": [reference("Location", str(place.pk), location_name(place))],
            "telecom": _role_telecom(place),
        }
    )


# --- Organization ---


def _distinct_addresses(places) -> list[dict]:
    seen, addresses = set(), []
    for place in places:
        address = _address(place)
        if address["text"] not in seen:
            seen.add(address["text"])
            addresses.append(address)
    return addresses


def practice_group(group) -> dict:
    """A practice group as CMS names it; needs group.public_locations (with city) loaded: its addresses."""
    return _drop_empty(
        {
            "resourceType": "Organization",
            "id": group.pac_id,
            "meta": _meta("Organization"),
            "identifier": [
                {
                    "use": "official",
                    "type": {"text": "PECOS group PAC ID"},
                    "system": PAC_ID_SYSTEM,
                    "value": group.pac_id,
                }
            ],
            "active": True,
            "type": [concept(ORG_TYPE_SYSTEM, "prvgrp", "Provider Group")],
            "name": group.name,
            "address": _distinct_addresses(group.public_locations),
        }
    )


def own_organization() -> dict:
    """The directory itself: it checks the credentials, attests the results and runs the patient surveys."""
    return {
        "resourceType": "Organization",
        "id": OWN_ORGANIZATION_ID,
        "meta": _meta("Organization"),
        "active": True,
        "type": [concept(ORG_TYPE_SYSTEM, "bus", "Non-Healthcare Business")],
        "name": OWN_ORGANIZATION_NAME,
        "telecom": [{"system": "url", "value": settings.SITE_URL, "use": "work"}],
        "address": [{"use": "work", "country": "US"}],
    }


# --- VerificationResult ---


def verification_status(result, *, as_of: date) -> str:
    status = VERIFICATION_STATUS[result.effective_outcome]
    if status == "validated" and result.valid_until and result.valid_until < as_of:
        return "req-revalid"
    return status


def _validation_type(result) -> dict:
    if result.effective_outcome == Outcome.NOT_APPLICABLE:
        code, display = "nothing", "Nothing"  # the requirement does not apply: nothing needed validating
    else:
        code, display = VALIDATION_TYPE[result.method]
    return concept(f"{TERMINOLOGY}/validation-type", code, display)


def _validation_process(result) -> list[dict]:
    method = EvidenceMethod(result.method)
    codings = [coding(f"{TERMINOLOGY}/validation-process", *VALIDATION_PROCESS[method])]
    codings.append(coding(METHOD_SYSTEM, method.value, method.label))
    return [{"coding": codings}]


def _frequency(check_key: str) -> dict:
    unit = "mo" if check_key in SANCTIONS_CHECKS else "a"
    return {"repeat": {"frequency": 1, "period": 1, "periodUnit": unit}}


def _primary_source(result) -> dict:
    check = CHECKS.get(result.check_key)
    types = check.FHIR_SOURCE_TYPES if check else UNREGISTERED_SOURCE_TYPES
    status = SOURCE_VALIDATION_STATUS.get(result.effective_outcome, ("unknown", "Unknown"))
    who = own_organization_reference() if check and check.FHIR_OWN_SOURCE else {"display": result.source}
    return {
        "who": who,
        "type": [concept(f"{TERMINOLOGY}/primary-source-type", code, display) for code, display in types],
        "communicationMethod": [_communication_method(result)],
        "validationStatus": concept(f"{TERMINOLOGY}/validation-status", *status),
        "validationDate": result.checked_at.isoformat(),
    }


def _target_location(check_key: str) -> list[str]:
    check = CHECKS.get(check_key)
    return list(check.FHIR_TARGET_LOCATION) if check else []


def _communication_method(result) -> dict:
    code, display = COMMUNICATION_METHOD[result.method]
    if result.is_overridden:
        code, display = "manual", "Manual"  # a reviewer decided the outcome by hand
    return concept(f"{TERMINOLOGY}/verificationresult-communication-method", code, display)


def _failure_action(check_key: str) -> dict:
    # A required check that fails makes the surgeon ineligible: delisted at once.
    code, display = ("fatal", "Fatal") if check_key in CHECKS else ("rec-only", "Record only")
    return concept(f"{TERMINOLOGY}/failure-action", code, display)


def _attestation(result) -> dict:
    """We attest each result: who (our organization), how the evidence reached us, and when we checked."""
    return {
        "who": own_organization_reference(),
        "communicationMethod": _communication_method(result),
        "date": result.checked_at.date().isoformat(),
    }


def _check_extensions(result) -> list[dict]:
    title = CHECKS[result.check_key].TITLE if result.check_key in CHECKS else result.check_key
    return [
        {"url": CHECK_EXTENSION, "valueCoding": coding(CHECK_SYSTEM, result.check_key, title)},
        {"url": REASON_EXTENSION, "valueString": result.reason},
    ]


def verification_result(result, *, as_of: date) -> dict:
    """One check of one surgeon, NDH style; needs result.surgeon loaded. Evidence is never included."""
    npi = result.surgeon.npi
    return _drop_empty(
        {
            "resourceType": "VerificationResult",
            "id": str(result.pk),
            "meta": _meta("VerificationResult"),
            "extension": _check_extensions(result),
            "target": [reference("Practitioner", npi)],
            "targetLocation": _target_location(result.check_key),
            "need": concept(f"{TERMINOLOGY}/need", "periodic", "Periodic"),
            "status": verification_status(result, as_of=as_of),
            "statusDate": result.checked_at.isoformat(),
            "validationType": _validation_type(result),
            "validationProcess": _validation_process(result),
            "frequency": _frequency(result.check_key),
            "lastPerformed": result.checked_at.isoformat(),
            "nextScheduled": result.valid_until.isoformat() if result.valid_until else None,
            "failureAction": _failure_action(result.check_key),
            "primarySource": [_primary_source(result)],
            "attestation": _attestation(result),
            "validator": [{"organization": own_organization_reference()}],
        }
    )


# --- Bundles and outcomes ---


def operation_outcome(code: str, diagnostics: str, *, severity: str = "error") -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}],
    }


def searchset(*, base: str, matches: list[dict], included: list[dict], total: int, links: dict[str, str]) -> dict:
    """A searchset Bundle; `base` is the absolute URL of /fhir/r4/ and `links` maps relation to URL."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": [{"relation": relation, "url": url} for relation, url in links.items()],
        "entry": [
            *(_entry(base, resource, search={"mode": "match"}) for resource in matches),
            *(_entry(base, resource, search={"mode": "include"}) for resource in included),
        ],
    }


def _entry(base: str, resource: dict, **parts) -> dict:
    return {"fullUrl": f"{base}{resource['resourceType']}/{resource['id']}", "resource": resource, **parts}


def history(*, base: str, versions: list[dict], self_url: str) -> dict:
    """A history Bundle, newest version first; each entry says how the version came to be (bdl-3, bdl-4)."""
    entries = []
    for resource in versions:
        version = resource["meta"]["versionId"]
        url = f"{resource['resourceType']}/{resource['id']}"
        created = version == "1"
        entries.append(
            _entry(
                base,
                resource,
                request={"method": "POST" if created else "PUT", "url": resource["resourceType"] if created else url},
                response={
                    "status": "201 Created" if created else "200 OK",
                    "etag": f'W/"{version}"',
                    "lastModified": resource["meta"]["lastUpdated"],
                },
            )
        )
    return {
        "resourceType": "Bundle",
        "type": "history",
        "total": len(entries),
        "link": [{"relation": "self", "url": self_url}],
        "entry": entries,
    }
