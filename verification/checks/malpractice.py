"""Malpractice cover: a policy in force on the check date with limits at or above the settings."""

from datetime import date

from django.conf import settings
from django.utils.translation import gettext_noop

from directory.models import EvidenceMethod

from .panels import Panel, panel
from .types import Outcome, Result, cycle_end, no_answer

KEY = "malpractice"
TITLE = gettext_noop("Malpractice insurance")
SOURCE = "Certificate of insurance on file"
NEEDS = ("malpractice",)
FHIR_SOURCE_TYPES = (("issuer", "Issuing source"),)
FHIR_TARGET_LOCATION = ()
FHIR_OWN_SOURCE = False


def _limits_text(per_claim: int, aggregate: int) -> str:
    return f"${per_claim:,} per claim / ${aggregate:,} aggregate"


def evaluate(dossier, *, as_of: date) -> Result:
    policies = dossier.records["malpractice"]
    if policies is None:
        return no_answer("Malpractice carrier feed", method=EvidenceMethod.ATTESTED_DOCUMENT)
    minimum = _limits_text(settings.MALPRACTICE_MIN_PER_CLAIM, settings.MALPRACTICE_MIN_AGGREGATE)
    if not policies:
        return Result(
            Outcome.NEEDS_REVIEW,
            EvidenceMethod.ATTESTED_DOCUMENT,
            SOURCE,
            "No malpractice policy is on file; a reviewer must obtain a certificate of insurance.",
        )
    in_force = [p for p in policies if p.effective <= as_of <= p.expires]
    adequate = [
        p
        for p in in_force
        if p.per_claim_limit >= settings.MALPRACTICE_MIN_PER_CLAIM
        and p.aggregate_limit >= settings.MALPRACTICE_MIN_AGGREGATE
    ]
    latest = max(adequate or in_force or policies, key=lambda p: p.expires)
    evidence = {
        "carrier": latest.carrier,
        "effective": latest.effective,
        "expires": latest.expires,
        "limits_meet_minimum": bool(adequate),
    }
    if adequate:
        return Result(
            Outcome.PASS,
            latest.evidence_method,
            SOURCE,
            f"Policy with {latest.carrier} in force until {latest.expires}, limits at or above {minimum}.",
            valid_until=cycle_end(as_of, latest.expires),
            evidence=evidence,
        )
    if in_force:
        reason = f"The policy in force has limits below the required {minimum}."
    elif latest.effective > as_of:
        reason = f"No policy is in force today; the next one starts on {latest.effective}."
    else:
        reason = f"The malpractice policy lapsed on {latest.expires}."
    return Result(Outcome.FAIL, latest.evidence_method, SOURCE, reason, evidence=evidence)


def review_panels(result) -> list[Panel]:
    return [
        panel(
            "Malpractice policies",
            result.surgeon.malpractice_policies.all(),
            ["Carrier", "Per claim", "Aggregate", "Effective", "Expires"],
            lambda p: [p.carrier, f"${p.per_claim_limit:,}", f"${p.aggregate_limit:,}", p.effective, p.expires],
        )
    ]
