"""Credential feeds without an open source: reviewer-entered records today, a licensed feed later.

Each kind of credential is read through FEEDS; replacing one entry with an adapter for a paid feed (ABMS
CertiFACTS, a DEA registration service, a state-board API) changes no check.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from django.db.models import Model, Prefetch

from directory.models import (
    BoardCertification,
    DEARegistration,
    DisciplinaryAction,
    EvidenceMethod,
    MalpracticePolicy,
    StateControlledSubstanceRegistration,
    StateLicense,
    TimeStamped,
)

RecordT_co = TypeVar("RecordT_co", bound=Model, covariant=True)


class CredentialFeed(Protocol[RecordT_co]):
    """Records of one kind for a batch of surgeons: every id requested is a key (an empty list if none).

    Raises SourceUnavailable when the feed cannot answer; the checks then say `unknown`.
    """

    name: str
    method: EvidenceMethod

    def records_for(self, surgeon_ids: Sequence[int]) -> dict[int, list[RecordT_co]]: ...


BoardCertificationFeed = CredentialFeed[BoardCertification]
DEARegistrationFeed = CredentialFeed[DEARegistration]
MalpracticeFeed = CredentialFeed[MalpracticePolicy]
StateBoardFeed = CredentialFeed[StateLicense]  # each license carries its disciplinary actions as `actions_on_file`


@dataclass(frozen=True)
class OnFileRecords:
    """The records reviewers entered in the directory: one query per kind (plus one per prefetch)."""

    model: type[TimeStamped]
    name: str
    method: EvidenceMethod = EvidenceMethod.ATTESTED_DOCUMENT
    prefetch: tuple[Prefetch, ...] = ()

    def records_for(self, surgeon_ids: Sequence[int]) -> dict[int, list[Model]]:
        grouped: dict[int, list[Model]] = {surgeon_id: [] for surgeon_id in surgeon_ids}
        rows = (
            self.model.objects.filter(surgeon_id__any_of=list(surgeon_ids))
            .defer(*TimeStamped.BOOKKEEPING_FIELDS)
            .prefetch_related(*self.prefetch)
        )
        for row in rows.order_by("id"):
            grouped[row.surgeon_id].append(row)
        return grouped


FEEDS: dict[str, CredentialFeed] = {
    "board_certification": OnFileRecords(BoardCertification, "Board certificate on file"),
    "dea": OnFileRecords(DEARegistration, "DEA registration certificate on file"),
    "malpractice": OnFileRecords(MalpracticePolicy, "Certificate of insurance on file"),
    "state_csr": OnFileRecords(StateControlledSubstanceRegistration, "State registration certificate on file"),
    # The board's own profile is the primary source; each record still carries its own evidence_method.
    "state_board": OnFileRecords(
        StateLicense,
        "State-board profile",
        EvidenceMethod.PRIMARY_SOURCE,
        prefetch=(
            Prefetch(
                "actions",
                DisciplinaryAction.objects.defer(*TimeStamped.BOOKKEEPING_FIELDS),
                to_attr="actions_on_file",
            ),
        ),
    ),
}
