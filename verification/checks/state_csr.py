"""State controlled-substance registration, where the practice state still issues one."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_noop

from directory.models import CredentialStatus, EvidenceMethod

from .panels import Panel, panel
from .types import Outcome, Result, cycle_end, no_answer

KEY = "state_csr"
TITLE = gettext_noop("State controlled-substance registration")
SOURCE = "State controlled-substance registration on file"
NEEDS = ("state_csr",)
FHIR_SOURCE_TYPES = (("reg-auth", "Registration Authority"),)
FHIR_TARGET_LOCATION = ()
FHIR_OWN_SOURCE = False


@dataclass(frozen=True)
class StateRule:
    required_since: date | None  # None: never required
    required_until: date | None = None  # the day before the state stopped issuing registrations

    def required_on(self, day: date) -> bool:
        if self.required_since is None or day < self.required_since:
            return False
        return self.required_until is None or day <= self.required_until


ALWAYS = date(1970, 1, 1)
NEVER = StateRule(required_since=None)
# States that issue a separate controlled-substance registration for practitioners. Reviewers keep this
# table current; a practice state missing from it needs a human decision rather than a guess.
STATE_RULES: dict[str, StateRule] = {
    **{
        state: StateRule(ALWAYS)
        for state in "AL CT DE DC HI ID IL IN IA LA MD MA MI MO NV NJ NM OK RI SC SD UT WY PR GU".split()
    },
    # Texas DPS registrations were abolished by HB 2561 with effect from 1 September 2016.
    "TX": StateRule(ALWAYS, required_until=date(2016, 8, 31)),
    **dict.fromkeys("AK AZ AR CA CO FL GA KS KY ME MN MS MT NE NH NY NC ND OH OR PA TN VT VA WA WV WI".split(), NEVER),
}


def _registration_problem(registrations, state: str, as_of: date) -> tuple[Outcome, str] | None:
    in_state = [r for r in registrations if r.state == state]
    if any(r.status == CredentialStatus.ACTIVE and r.expires >= as_of for r in in_state):
        return None
    if any(r.status in (CredentialStatus.REVOKED, CredentialStatus.SUSPENDED) for r in in_state):
        return Outcome.FAIL, f"the {state} registration is revoked or suspended"
    if in_state:
        return Outcome.FAIL, f"the {state} registration expired on {max(r.expires for r in in_state)}"
    return Outcome.NEEDS_REVIEW, f"{state} requires a registration and none is on file"


def evaluate(dossier, *, as_of: date) -> Result:
    unknown_states = [s for s in dossier.practice_states if s not in STATE_RULES]
    required = [s for s in dossier.practice_states if s in STATE_RULES and STATE_RULES[s].required_on(as_of)]
    evidence = {"practice_states": dossier.practice_states, "required_in": required}
    if not required and not unknown_states:
        reason = "No practice state issues a controlled-substance registration"
        if "TX" in dossier.practice_states:
            reason += " (Texas stopped issuing them on 1 September 2016)"
        return Result(
            Outcome.NOT_APPLICABLE,
            EvidenceMethod.PRIMARY_SOURCE,
            "State rules table",
            reason + ".",
            valid_until=cycle_end(as_of),
            evidence=evidence,
        )
    registrations = dossier.records["state_csr"]
    if registrations is None:
        return no_answer("State controlled-substance registry", method=EvidenceMethod.ATTESTED_DOCUMENT)
    problems = [p for p in (_registration_problem(registrations, s, as_of) for s in required) if p]
    problems += [(Outcome.NEEDS_REVIEW, f"no rule is on file for {s}") for s in unknown_states]
    relevant = [r for r in registrations if r.state in required]
    method = relevant[0].evidence_method if relevant else EvidenceMethod.ATTESTED_DOCUMENT
    if problems:
        outcome = Outcome.FAIL if any(o == Outcome.FAIL for o, _ in problems) else Outcome.NEEDS_REVIEW
        reason = "; ".join(text for _, text in problems)
        return Result(outcome, method, SOURCE, reason[0].upper() + reason[1:] + ".", evidence=evidence)
    expiries = [r.expires for r in relevant]
    return Result(
        Outcome.PASS,
        method,
        SOURCE,
        f"Active registration in {', '.join(required)}.",
        valid_until=cycle_end(as_of, *expiries),
        evidence=evidence,
    )


def review_panels(result) -> list[Panel]:
    return [
        panel(
            "State controlled-substance registrations",
            result.surgeon.csr_registrations.all(),
            ["State", "Number", "Expires", "Status"],
            lambda r: [r.state, r.number, r.expires, r.get_status_display()],
        )
    ]
