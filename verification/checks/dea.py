"""DEA registration: active, unexpired, and a number whose check digit is valid."""

import re
from datetime import date

from django.utils.translation import gettext_noop

from directory.models import CredentialStatus, EvidenceMethod

from .panels import Panel, panel
from .types import Outcome, Result, cycle_end, no_answer

KEY = "dea"
TITLE = gettext_noop("DEA registration")
SOURCE = "DEA registration certificate on file"
NEEDS = ("dea",)
FHIR_SOURCE_TYPES = (("reg-auth", "Registration Authority"),)
FHIR_TARGET_LOCATION = ()
FHIR_OWN_SOURCE = False
DEA_FORMAT = re.compile(r"^[A-Z][A-Z9]\d{7}$")


def dea_number_is_valid(number: str) -> bool:
    """Format and check digit: last digit of (d1+d3+d5) + 2*(d2+d4+d6) equals d7. Proves format only."""
    if not DEA_FORMAT.match(number or ""):
        return False
    d = [int(c) for c in number[2:]]
    return (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6]


def _method(registration) -> EvidenceMethod:
    # A check digit proves only the format; a certificate or a licensed feed is better evidence.
    if registration.evidence_method in (EvidenceMethod.ATTESTED_DOCUMENT, EvidenceMethod.PRIMARY_SOURCE):
        return registration.evidence_method
    return EvidenceMethod.FORMAT_ONLY


def evaluate(dossier, *, as_of: date) -> Result:
    if dossier.records["dea"] is None:
        return no_answer("DEA registration feed", method=EvidenceMethod.ATTESTED_DOCUMENT)
    registrations = sorted(dossier.records["dea"], key=lambda r: r.expires, reverse=True)
    if not registrations:
        return Result(
            Outcome.NEEDS_REVIEW,
            EvidenceMethod.ATTESTED_DOCUMENT,
            SOURCE,
            "No DEA registration is on file; a reviewer must obtain the certificate.",
        )
    reg = registrations[0]
    evidence = {
        "number": reg.masked_number,
        "check_digit_valid": dea_number_is_valid(reg.number),
        "schedules": reg.schedules,
        "expires": reg.expires,
        "status": reg.status,
    }

    def result(outcome, reason, valid_until=None):
        return Result(outcome, _method(reg), SOURCE, reason, valid_until=valid_until, evidence=evidence)

    if reg.status in (CredentialStatus.REVOKED, CredentialStatus.SUSPENDED, CredentialStatus.SURRENDERED):
        return result(Outcome.FAIL, f"The DEA registration is {reg.get_status_display().lower()}.")
    if reg.expires < as_of:
        return result(Outcome.FAIL, f"The DEA registration expired on {reg.expires}.")
    if not evidence["check_digit_valid"]:
        return result(
            Outcome.NEEDS_REVIEW,
            "The DEA number on file fails the check-digit test, most likely a typing error; a reviewer must "
            "re-enter it from the certificate.",
        )
    if reg.status != CredentialStatus.ACTIVE:
        return result(Outcome.NEEDS_REVIEW, f"The DEA registration is marked {reg.get_status_display().lower()}.")
    return result(
        Outcome.PASS,
        f"Active DEA registration for schedules {reg.schedules}, valid until {reg.expires}.",
        valid_until=cycle_end(as_of, reg.expires),
    )


def review_panels(result) -> list[Panel]:
    return [
        panel(
            "DEA registrations on file",
            result.surgeon.dea_registrations.all(),
            ["Number", "State", "Schedules", "Expires", "Status", "Method"],
            lambda d: [
                d.masked_number,
                d.state,
                d.schedules,
                d.expires,
                d.get_status_display(),
                d.get_evidence_method_display(),
            ],
        )
    ]
