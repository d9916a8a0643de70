"""Unsaved dossiers for check tests: checks are pure, so these tests never touch the database."""

import datetime as dt

from directory.models import DisciplinaryAction, ProcedureVolume
from tests import factories
from verification.dossier import Dossier
from verification.models import ExclusionRecord

AS_OF = dt.date(2026, 11, 25)


def clean_dossier(*, disciplinary_actions=(), **overrides) -> Dossier:
    """A surgeon in Houston who meets every criterion on AS_OF.

    A feed's records are overridden by the feed's name (`dea=[...]`, `state_board=None` for a feed that is down);
    disciplinary actions go on the first license, as the state-board feed delivers them.
    """
    surgeon = factories.SurgeonFactory.build(id=1, date_of_birth=dt.date(1970, 3, 14), last_name="Rivera")
    records = {
        "state_board": [factories.StateLicenseFactory.build(id=1, surgeon=surgeon, state="TX")],
        "board_certification": [factories.BoardCertificationFactory.build(surgeon=surgeon)],
        "dea": [factories.DEARegistrationFactory.build(surgeon=surgeon, number="BR1234563")],
        "state_csr": [],
        "malpractice": [factories.MalpracticePolicyFactory.build(surgeon=surgeon)],
    }
    records.update({feed: overrides.pop(feed) for feed in list(records) if feed in overrides})
    for position, license in enumerate(records["state_board"] or []):
        license.actions_on_file = list(disciplinary_actions) if position == 0 else []
    values = {
        "surgeon": surgeon,
        "practice_states": ["TX"],
        "records": records,
        "procedure_volumes": [factories.ProcedureVolumeFactory.build(surgeon=surgeon, count=120)],
        "satisfaction": factories.SatisfactionScoreFactory.build(surgeon=surgeon),
        "exclusion_matches": [],
        "exclusion_list_loaded_on": AS_OF - dt.timedelta(days=3),
    }
    values.update(overrides)
    return Dossier(**values)


def serious_action(days_ago: int) -> DisciplinaryAction:
    return factories.DisciplinaryActionFactory.build(
        action_date=AS_OF - dt.timedelta(days=days_ago), severity=DisciplinaryAction.Severity.SERIOUS
    )


def exclusion_row(
    *, npi="", reinstated=None, dob=None, last_name="RIVERA", first_name=None, state="TX", waiver_state="",
    waiver_date=None,
):  # fmt: skip
    return ExclusionRecord(
        waiver_state=waiver_state,
        waiver_date=waiver_date,
        id=99,
        npi=npi,
        last_name=last_name,
        first_name=first_name or "ALEX",
        state=state,
        date_of_birth=dob,
        exclusion_type="1128a1",
        exclusion_date=AS_OF - dt.timedelta(days=200),
        reinstatement_date=reinstated,
    )


def volumes(*counts: int, source=ProcedureVolume.Source.CMS_BY_SERVICE, latest: int = 2024) -> list[ProcedureVolume]:
    """Primary spine procedures as the dossier holds them: one total per data year, the latest year first."""
    return [
        factories.ProcedureVolumeFactory.build(cpt_code="63047", source=source, period=str(latest - i), count=count)
        for i, count in enumerate(counts)
    ]
