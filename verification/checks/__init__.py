"""The registry of checks: the only list of them, in the order badges are shown.

Every check is required for a listing. Runs, the dossier, the reviewer pages, ranking, the API and FHIR loop over
CHECKS (read when they run, never copied), and each module declares what they need to know (checks.types.Check).
"""

from . import board_certification, dea, experience, license_sanctions, malpractice, satisfaction, state_csr
from .types import Check

CHECKS: dict[str, Check] = {
    module.KEY: module
    for module in (license_sanctions, board_certification, dea, state_csr, malpractice, experience, satisfaction)
}
SANCTIONS_CHECKS = (license_sanctions.KEY,)
