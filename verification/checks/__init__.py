"""The registry of checks: one entry per criterion, in the order badges are shown."""

from types import ModuleType

from . import board_certification, dea, experience, license_sanctions, malpractice, satisfaction, state_csr

CHECKS: dict[str, ModuleType] = {
    module.KEY: module
    for module in (license_sanctions, board_certification, dea, state_csr, malpractice, experience, satisfaction)
}
REQUIRED_CHECKS = tuple(CHECKS)
SANCTIONS_CHECKS = (license_sanctions.KEY,)
