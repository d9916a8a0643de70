"""FHIR R4 resources (Da Vinci Plan-Net and National Directory profiles) built from directory and verification rows.

Pure functions: each takes model instances already loaded by api.fhir_selectors and returns a plain dict.
Only public facts go in: no DEA number, date of birth, home address, evidence, practice e-mail or gender
(the partner API does not show gender either).
"""

from datetime import date, datetime

from directory.models import BoardCertification, CredentialStatus, EvidenceMethod, Specialty
from verification.checks import CHECKS, SANCTIONS_CHECKS
from verification.checks.types import Outcome

FHIR_VERSION = "4.0.1"
PLAN_NET = "http://hl7.org/fhir/us/davinci-pdex-plan-net"
PROFILES = {
    "Practitioner": f"{PLAN_NET}/StructureDefinition/plannet-Practitioner",
    "PractitionerRole": f"{PLAN_NET}/StructureDefinition/plannet-PractitionerRole",
    "Location": f"{PLAN_NET}/StructureDefinition/plannet-Location",
    "VerificationResult": "http://hl7.org/fhir/us/ndh/StructureDefinition/ndh-Verification",
}
QUALIFICATION_EXTENSION = f"{PLAN_NET}/StructureDefinition/practitioner-qualification"
NEW_PATIENTS_EXTENSION = f"{PLAN_NET}/StructureDefinition/newpatients"
ACCEPTING_PATIENTS_SYSTEM = f"{PLAN_NET}/CodeSystem/AcceptingPatientsCS"
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
NUCC_SYSTEM = "http://nucc.org/provider-taxonomy"
USPS_SYSTEM = "https://www.usps.com/"
DEGREE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0360"
IDENTIFIER_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0203"
ROLE_SYSTEM = "http://terminology.hl7.org/CodeSystem/practitioner-role"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem"
# Our own vocabularies, for facts no published code system names.
OWN = "https://docs.spine-directory.example/fhir"
CHECK_EXTENSION = f"{OWN}/StructureDefinition/verification-check"
REASON_EXTENSION = f"{OWN}/StructureDefinition/verification-reason"
CHECK_SYSTEM = f"{OWN}/CodeSystem/check"
METHOD_SYSTEM = f"{OWN}/CodeSystem/evidence-method"
VALIDATOR = {"display": "Spine Surgeon Directory"}

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

# Plan-Net qualification status (active | inactive | issued-in-error | revoked | pending | unknown).
QUALIFICATION_STATUS = {
    CredentialStatus.ACTIVE: "active",
    CredentialStatus.PROBATION: "active",  # still licensed, under conditions
    CredentialStatus.EXPIRED: "inactive",
    CredentialStatus.INACTIVE: "inactive",
    CredentialStatus.SUSPENDED: "inactive",
    CredentialStatus.SURRENDERED: "inactive",
    CredentialStatus.REVOKED: "revoked",
    CredentialStatus.UNVERIFIED: "unknown",
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
SOURCE_VALIDATION_STATUS = {Outcome.PASS: "successful", Outcome.FAIL: "failed"}  # anything else: "unknown"
# Our method -> validationType (nothing | primary | multiple) and the HL7 validation-process code, if one fits.
VALIDATION_TYPE = {
    EvidenceMethod.PRIMARY_SOURCE: ("primary", "Primary Source"),
    EvidenceMethod.SECONDARY_SOURCE: ("multiple", "Multiple Sources"),
    EvidenceMethod.ATTESTED_DOCUMENT: ("nothing", "Nothing"),
    EvidenceMethod.FORMAT_ONLY: ("nothing", "Nothing"),
}
VALIDATION_PROCESS = {
    EvidenceMethod.PRIMARY_SOURCE: ("primary", "primary source"),
    EvidenceMethod.SECONDARY_SOURCE: ("multi", "multiple sources"),
    EvidenceMethod.FORMAT_ONLY: ("edit-check", "edit check"),
}
PRIMARY_SOURCE_TYPE = {
    "licence_sanctions": [("lic-board", "License Board"), ("legal", "Legal source")],
    "board_certification": [("issuer", "Issuing source")],
    "dea": [("reg-auth", "Registration Authority")],
    "state_csr": [("reg-auth", "Registration Authority")],
    "malpractice": [("issuer", "Issuing source")],
    "experience": [("auth-source", "Authoritative source")],
    "satisfaction": [("auth-source", "Authoritative source")],
}
TARGET_LOCATION = {
    "licence_sanctions": ["Practitioner.qualification"],
    "board_certification": ["Practitioner.qualification"],
}


def coding(system: str, code: str, display: str | None = None) -> dict:
    return {"system": system, "code": code, **({"display": display} if display else {})}


def concept(system: str, code: str, display: str | None = None, *, text: str | None = None) -> dict:
    return {"coding": [coding(system, code, display)], **({"text": text} if text else {})}


def _meta(resource_type: str, last_updated: datetime) -> dict:
    return {"lastUpdated": last_updated.isoformat(), "profile": [PROFILES[resource_type]]}


def _period(start: date | None, end: date | None) -> dict | None:
    period = {key: day.isoformat() for key, day in (("start", start), ("end", end)) if day}
    return period or None


def _drop_empty(data: dict) -> dict:
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def specialty_concept(code: str) -> dict:
    return concept(NUCC_SYSTEM, code, Specialty(code).label)


def npi_identifier(npi: str) -> dict:
    return {
        "use": "official",
        "type": concept(IDENTIFIER_TYPE_SYSTEM, "NPI", "National provider identifier"),
        "system": NPI_SYSTEM,
        "value": npi,
    }


def _qualification_extension(status: str, state: str | None = None) -> dict:
    parts = [{"url": "status", "valueCode": status}]
    if state:
        parts.append({"url": "whereValid", "valueCodeableConcept": concept(USPS_SYSTEM, state)})
    return {"url": QUALIFICATION_EXTENSION, "extension": parts}


def licence_qualification(licence, *, degree: str) -> dict:
    return _drop_empty(
        {
            "extension": [_qualification_extension(QUALIFICATION_STATUS[licence.status], licence.state)],
            "identifier": [{"type": {"text": f"{licence.state} medical licence number"}, "value": licence.number}],
            "code": concept(DEGREE_SYSTEM, degree, DEGREES.get(degree), text=f"{licence.state} medical licence"),
            "period": _period(licence.first_issued, licence.expires),
            "issuer": {"display": f"{licence.state} state medical board"},
        }
    )


def board_qualification(certification) -> dict:
    board = BoardCertification.Board(certification.board).label
    code = specialty_concept(certification.specialty)
    code["text"] = f"Board certified ({board})"
    return _drop_empty(
        {
            "extension": [_qualification_extension(QUALIFICATION_STATUS[certification.status])],
            "code": code,
            "period": _period(certification.certified_on, certification.expires),
            "issuer": {"display": board},
        }
    )


def _language(name: str) -> dict:
    code = LANGUAGES.get(name.lower())
    return concept("urn:ietf:bcp:47", code, name, text=name) if code else {"text": name}


def practitioner(surgeon) -> dict:
    """Needs surgeon.licenses and surgeon.board_certifications prefetched."""
    given = [name for name in (surgeon.first_name, surgeon.middle_name) if name]
    return _drop_empty(
        {
            "resourceType": "Practitioner",
            "id": surgeon.npi,
            "meta": _meta("Practitioner", surgeon.updated_at),
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
                *(licence_qualification(lic, degree=surgeon.degree) for lic in surgeon.licenses.all()),
                *(board_qualification(cert) for cert in surgeon.board_certifications.all()),
            ],
            "communication": [_language(name) for name in surgeon.language_list],
        }
    )


def _address(location) -> dict:
    lines = [line for line in (location.address_line1, location.address_line2) if line]
    return {
        "use": "work",
        "type": "physical",
        "line": lines,
        "city": location.city.name,
        "state": location.city.state,
        "postalCode": location.postal_code,
        "country": "US",
    }


def _phone(location) -> list[dict]:
    return [{"system": "phone", "value": location.phone, "use": "work"}] if location.phone else []


def location(place) -> dict:
    """A practice's public business address; needs place.city loaded."""
    return _drop_empty(
        {
            "resourceType": "Location",
            "id": str(place.pk),
            "meta": _meta("Location", place.updated_at),
            "status": "active",
            "name": place.practice_name,
            "telecom": _phone(place),
            "address": _address(place),
        }
    )


def practitioner_role_id(place) -> str:
    return f"{place.surgeon.npi}-{place.pk}"


def _new_patients(accepting: bool) -> dict:
    code, display = ("newpt", "Accepting") if accepting else ("nopt", "Not Accepting")
    value = concept(ACCEPTING_PATIENTS_SYSTEM, code, display)
    return {"url": NEW_PATIENTS_EXTENSION, "extension": [{"url": "acceptingPatients", "valueCodeableConcept": value}]}


def practitioner_role(place) -> dict:
    """One surgeon at one practice location; needs place.surgeon and place.city loaded."""
    surgeon = place.surgeon
    return _drop_empty(
        {
            "resourceType": "PractitionerRole",
            "id": practitioner_role_id(place),
            "meta": _meta("PractitionerRole", max(place.updated_at, surgeon.updated_at)),
            "extension": [_new_patients(surgeon.accepting_new_patients)],
            "active": True,
            "practitioner": {"reference": f"Practitioner/{surgeon.npi}", "display": surgeon.display_name},
            "organization": {"display": place.practice_name},
            "code": [concept(ROLE_SYSTEM, "doctor", "Doctor")],
            "specialty": [specialty_concept(surgeon.specialty)],
            "location": [{"reference": f"Location/{place.pk}", "display": place.practice_name}],
            "telecom": _phone(place),
        }
    )


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
    codings = [coding(METHOD_SYSTEM, method.value, method.label)]
    if method in VALIDATION_PROCESS:
        codings.insert(0, coding(f"{TERMINOLOGY}/validation-process", *VALIDATION_PROCESS[method]))
    return [{"coding": codings}]


def _frequency(check_key: str) -> dict:
    unit = "mo" if check_key in SANCTIONS_CHECKS else "a"
    return {"repeat": {"frequency": 1, "period": 1, "periodUnit": unit}}


def _primary_source(result) -> dict:
    types = PRIMARY_SOURCE_TYPE.get(result.check_key, [("auth-source", "Authoritative source")])
    status = SOURCE_VALIDATION_STATUS.get(result.effective_outcome, "unknown")
    return {
        "who": {"display": result.source},
        "type": [concept(f"{TERMINOLOGY}/primary-source-type", code, display) for code, display in types],
        "validationStatus": concept(f"{TERMINOLOGY}/validation-status", status),
        "validationDate": result.checked_at.isoformat(),
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
            "meta": _meta("VerificationResult", result.checked_at),
            "extension": _check_extensions(result),
            "target": [{"reference": f"Practitioner/{npi}"}],
            "targetLocation": TARGET_LOCATION.get(result.check_key, []),
            "need": concept(f"{TERMINOLOGY}/need", "periodic", "Periodic"),
            "status": verification_status(result, as_of=as_of),
            "statusDate": result.checked_at.isoformat(),
            "validationType": _validation_type(result),
            "validationProcess": _validation_process(result),
            "frequency": _frequency(result.check_key),
            "lastPerformed": result.checked_at.isoformat(),
            "nextScheduled": result.valid_until.isoformat() if result.valid_until else None,
            "primarySource": [_primary_source(result)],
            "validator": [{"organization": VALIDATOR}],
        }
    )


def operation_outcome(code: str, diagnostics: str, *, severity: str = "error") -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}],
    }


def searchset(*, base: str, entries: list[dict], total: int, links: dict[str, str]) -> dict:
    """A searchset Bundle; `base` is the absolute URL of /fhir/r4/ and `links` maps relation to URL."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": [{"relation": relation, "url": url} for relation, url in links.items()],
        "entry": [
            {"fullUrl": f"{base}{e['resourceType']}/{e['id']}", "resource": e, "search": {"mode": "match"}}
            for e in entries
        ],
    }


def capability_statement(*, base: str, search_params: dict[str, dict[str, tuple[str, str]]], when: date) -> dict:
    """What this server does: read and search-type on each resource, with its search parameters."""
    resources = [
        {
            "type": resource_type,
            "supportedProfile": [PROFILES[resource_type]],
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [{"name": name, "type": kind, "documentation": doc} for name, (kind, doc) in params.items()],
        }
        for resource_type, params in search_params.items()
    ]
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": when.isoformat(),
        "publisher": VALIDATOR["display"],
        "kind": "instance",
        "software": {"name": "Spine Surgeon Directory"},
        "implementation": {"description": "Read-only FHIR R4 view of the directory (partners only)", "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": ["json"],
        "implementationGuide": [f"{PLAN_NET}/ImplementationGuide/hl7.fhir.us.davinci-pdex-plan-net"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "service": [{"text": "Api-Key"}],
                    "description": "Send a partner key as 'Authorization: Api-Key <key>'; this statement is public.",
                },
                "resource": resources,
            }
        ],
    }
