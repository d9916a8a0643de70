"""Board certification: a current certificate from a board relevant to the surgeon's specialty."""

from datetime import date

from django.utils.translation import gettext_noop

from directory.models import BoardCertification, CredentialStatus, EvidenceMethod, Specialty

from .panels import Panel, panel
from .types import Outcome, Result, cycle_end, no_answer

KEY = "board_certification"
TITLE = gettext_noop("Board certification")
SOURCE = "Certifying board (certificate on file)"
NEEDS = ("board_certification",)
FHIR_SOURCE_TYPES = (("issuer", "Issuing source"),)
FHIR_TARGET_LOCATION = ("Practitioner.qualification",)
FHIR_OWN_SOURCE = False

Board = BoardCertification.Board
ORTHOPAEDIC_BOARDS = {Board.ABOS, Board.AOBOS, Board.OTHER_ABMS, Board.OTHER_AOA}
RELEVANT_BOARDS = {
    Specialty.ORTHOPAEDIC_SPINE: ORTHOPAEDIC_BOARDS,
    Specialty.ORTHOPAEDIC: ORTHOPAEDIC_BOARDS,
    Specialty.NEUROSURGERY: {Board.ABNS, Board.AOBS, Board.OTHER_ABMS, Board.OTHER_AOA},
}


def _is_current(cert, as_of: date) -> bool:
    return cert.status == CredentialStatus.ACTIVE and (cert.expires is None or cert.expires >= as_of)


def evaluate(dossier, *, as_of: date) -> Result:
    certifications = dossier.records["board_certification"]
    if certifications is None:
        return no_answer(SOURCE)
    relevant = [c for c in certifications if c.board in RELEVANT_BOARDS[dossier.surgeon.specialty]]
    evidence = {
        "certifications": [
            {"board": c.board, "status": c.status, "certified_on": c.certified_on, "expires": c.expires}
            for c in relevant
        ]
    }
    current = [c for c in relevant if _is_current(c, as_of)]
    if current:
        cert = current[0]
        expiry = "no expiry" if cert.expires is None else f"valid until {cert.expires}"
        return Result(
            Outcome.PASS,
            cert.evidence_method,
            SOURCE,
            f"Certified by the {cert.get_board_display()} since {cert.certified_on} ({expiry}).",
            valid_until=cycle_end(as_of, cert.expires),
            evidence=evidence,
        )
    if relevant:
        cert = relevant[0]
        status = "expired" if cert.expires and cert.expires < as_of else cert.get_status_display().lower()
        return Result(
            Outcome.FAIL,
            cert.evidence_method,
            SOURCE,
            f"The {cert.get_board_display()} certificate is {status}.",
            evidence=evidence,
        )
    return Result(
        Outcome.NEEDS_REVIEW,
        EvidenceMethod.ATTESTED_DOCUMENT,
        SOURCE,
        "No certificate from a relevant board is on file; a reviewer must obtain it.",
        evidence=evidence,
    )


def review_panels(result) -> list[Panel]:
    return [
        panel(
            "Board certifications on file",
            result.surgeon.board_certifications.all(),
            ["Board", "Specialty", "Certified", "Expires", "Status", "Method"],
            lambda c: [
                c.get_board_display(),
                c.get_specialty_display(),
                c.certified_on,
                c.expires,
                c.get_status_display(),
                c.get_evidence_method_display(),
            ],
        )
    ]
