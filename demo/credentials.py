"""Credential rows for a planned surgeon: licenses, board, DEA, CSR, malpractice, volumes, surveys, LEIE."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from directory.models import (
    BoardCertification,
    CredentialStatus,
    DEARegistration,
    Degree,
    DisciplinaryAction,
    EvidenceMethod,
    MalpracticePolicy,
    ProcedureVolume,
    SatisfactionScore,
    Specialty,
    StateControlledSubstanceRegistration,
    StateLicense,
    Surgeon,
)

from .plan import CityInfo, Planned, Row, add_years, credential_row, dea_number, leie_date
from .vocabulary import (
    ADD_ON_CODES,
    CARRIERS,
    CONFIRMATIONS,
    CSR_STATES,
    FEMALE_FIRST,
    INITIALS,
    LAST_NAMES,
    LEIE_BUSINESSES,
    LEIE_OTHERS,
    LEIE_TYPES,
    MALE_FIRST,
    MINOR_ACTIONS,
    NAMED_CITIES,
    NEURO_CODES,
    ORTHO_CODES,
    SERIOUS_ACTIONS,
    STREETS,
)


class CredentialDraws:
    """Methods of Seeder that add credential rows; they draw from its Random in a fixed order."""

    def licenses(self, planned: Planned) -> None:
        defects, surgeon = planned.defects, planned.surgeon
        start = self.practice_start(planned)
        states = planned.states[:1] if "license_missing_second_state" in defects else planned.states
        for position, state in enumerate(states):
            # The first license comes with training; a second state's some time after.
            later = self.days(0, max(0, (self.today - start).days - 30))
            issued = start - self.days(0, 60) if position == 0 else start + later
            license = credential_row(
                surgeon,
                f"{state} medical board profile",
                self.today - self.days(1, 90),
                state=state,
                number=f"{self.pick('DEHKMNPQR')}{next(self.serial)}",
                first_issued=None if "no_start_date" in defects else issued,
                expires=self.today + self.days(30, 730),
                evidence_method=EvidenceMethod.PRIMARY_SOURCE,
            )
            planned.add(StateLicense, license)
            if position == 0:
                self.license_defects(planned, license)

    def license_defects(self, planned: Planned, license: Row) -> None:
        defects = planned.defects
        if "license_expired" in defects:
            expired = self.today - self.days(5, 400)
            issued = license["first_issued"]
            license.update(status=CredentialStatus.EXPIRED, expires=max(expired, issued or expired))
        if "license_revoked" in defects:
            license["status"] = self.pick([CredentialStatus.REVOKED, CredentialStatus.SUSPENDED])
        if "license_unverified" in defects:
            license.update(
                status=CredentialStatus.UNVERIFIED,
                first_issued=None,
                evidence_method=EvidenceMethod.SECONDARY_SOURCE,
                evidence_source="NPPES (self-reported)",
            )
        if "serious_action" in defects:
            when, severity, text = self.days(60, 3000), DisciplinaryAction.Severity.SERIOUS, self.pick(SERIOUS_ACTIONS)
        elif self.random() < 0.04:  # a minor action never fails the check
            when, severity, text = self.days(200, 6000), DisciplinaryAction.Severity.MINOR, self.pick(MINOR_ACTIONS)
        else:
            return
        action = {"license": license, "action_date": self.today - when, "severity": severity, "description": text}
        planned.add(DisciplinaryAction, action)

    def board_certification(self, planned: Planned) -> None:
        defects, surgeon = planned.defects, planned.surgeon
        if "board_missing" in defects:
            return
        neuro = (surgeon["specialty"] == Specialty.NEUROSURGERY) != ("board_wrong_board" in defects)
        do = surgeon["degree"] == Degree.DO
        Board = BoardCertification.Board
        if neuro:
            board = self.pick([Board.AOBS, Board.ABNS]) if do else Board.ABNS
        else:
            board = self.pick([Board.AOBOS, Board.ABOS]) if do else Board.ABOS
        certified = min(self.practice_start(planned) + self.days(400, 1100), self.today - timedelta(days=30))
        expires = add_years(certified, 10)
        while expires <= self.today + timedelta(days=30):  # ten-year cycles, recertified on time
            expires = add_years(expires, 10)
        status = CredentialStatus.ACTIVE
        if "board_lapsed" in defects:
            status, expires = CredentialStatus.EXPIRED, self.today - self.days(30, 700)
            certified = min(certified, add_years(expires, -10))
        cert = credential_row(
            surgeon,
            f"{board} certificate on file",
            self.recently(),
            board=board,
            specialty=Specialty.NEUROSURGERY if neuro else Specialty.ORTHOPAEDIC,
            certified_on=certified,
            expires=expires,
            status=status,
        )
        planned.add(BoardCertification, cert)

    def dea(self, planned: Planned) -> None:
        defects, surgeon = planned.defects, planned.surgeon
        if "dea_missing" in defects:
            return
        serial = (self.dea_offset + self.surgeons_made) % 2_000_000  # unique up to two million surgeons
        prefix = "BF"[serial // 1_000_000] + surgeon["last_name"][0].upper()
        number = dea_number(prefix, f"{serial % 1_000_000:06d}", valid="dea_bad_check_digit" not in defects)
        status, expires = CredentialStatus.ACTIVE, self.today + self.days(30, 1095)
        if "dea_expired" in defects:
            status, expires = CredentialStatus.EXPIRED, self.today - self.days(5, 500)
        registration = credential_row(
            surgeon,
            "DEA registration certificate",
            self.recently(),
            number=number,
            state=planned.states[0],
            schedules="2,2N,3,3N,4,5",
            expires=expires,
            status=status,
        )
        planned.add(DEARegistration, registration)

    def csr(self, planned: Planned) -> None:
        defects = planned.defects
        required = [state for state in planned.states if state in CSR_STATES]
        for position, state in enumerate(required):
            if position == 0 and "csr_missing" in defects:
                continue
            status, expires = CredentialStatus.ACTIVE, self.today + self.days(30, 730)
            if position == 0 and "csr_expired" in defects:
                status, expires = CredentialStatus.EXPIRED, self.today - self.days(5, 300)
            registration = credential_row(
                planned.surgeon,
                f"{state} controlled-substance registration certificate",
                self.recently(),
                state=state,
                number=f"CS{next(self.serial):08d}",
                expires=expires,
                status=status,
            )
            planned.add(StateControlledSubstanceRegistration, registration)

    def malpractice(self, planned: Planned) -> None:
        defects = planned.defects
        if "malpractice_missing" in defects:
            return
        carrier, code = self.pick(CARRIERS)
        per_claim, aggregate = self.weighted([(1, 3), (2, 4), (1, 3), (2, 6)], (60, 85, 95, 100))
        if "malpractice_low_limits" in defects:
            per_claim, aggregate = self.pick([(0.5, 1.5), (0.2, 0.6), (1, 2)])
        effective = self.today - self.days(1, 330)
        if "malpractice_lapsed" in defects:
            effective = self.today - self.days(370, 600)
        terms = [(effective, effective + timedelta(days=365))]
        if self.random() < 0.15:  # last year's policy, long expired, still on file
            terms.append((effective - timedelta(days=365), effective - timedelta(days=1)))
        for start, end in terms:
            policy = credential_row(
                planned.surgeon,
                "Certificate of insurance",
                self.recently(),
                carrier=carrier,
                policy_number=f"{code}-{next(self.serial)}",
                per_claim_limit=int(per_claim * 1_000_000),
                aggregate_limit=int(aggregate * 1_000_000),
                effective=start,
                expires=end,
            )
            del policy["status"]
            planned.add(MalpracticePolicy, policy)

    def procedures(self, planned: Planned) -> None:
        """Medicare counts (two-year lag, cells under 11 suppressed; add-on codes too), a practice case log of
        operations (primary codes) for some newcomers, and the spine scope they show."""
        rng, defects = self.rng, planned.defects
        codes = NEURO_CODES if planned.surgeon["specialty"] == Specialty.NEUROSURGERY else ORTHO_CODES
        low_volume = defects & {"too_new", "no_start_date"}
        if planned.years >= 3 or low_volume:
            for code in rng.sample(codes, self.between(0, 2) if low_volume else self.between(2, 5)):
                self.volume(planned, ProcedureVolume.Source.CMS_BY_SERVICE, self.cms_year, code)
        if planned.years < 5 and not low_volume:  # meets the bar on volume rather than years
            for code in rng.sample([code for code in codes if code not in ADD_ON_CODES], 4):
                self.volume(planned, ProcedureVolume.Source.ATTESTED, self.today.year - 1, code, low=80)
        self.spine_scope(planned)

    @property
    def cms_year(self) -> int:
        return self.today.year - 2  # CMS publishes by provider and service about two years late

    def spine_scope(self, planned: Planned) -> None:
        """The Medicare volume peak, and for an orthopaedic surgeon it does not show as a spine surgeon a reviewer's
        confirmation where a case log (or, for half the others, hospital privileges) shows spine practice; the scope
        as the model derives it."""
        surgeon, volumes = planned.surgeon, planned.rows.get(ProcedureVolume, [])
        medicare = [v for v in volumes if v["source"] == ProcedureVolume.Source.CMS_BY_SERVICE]
        peak = sum(v["count"] for v in medicare if v["cpt_code"] not in ADD_ON_CODES)
        surgeon.update(spine_volume_peak=peak, spine_volume_peak_year=self.cms_year if medicare else None)
        if surgeon["specialty"] == Specialty.ORTHOPAEDIC and peak < settings.SPINE_FOCUS_MIN_PROCEDURES:
            logged = any(v["source"] == ProcedureVolume.Source.ATTESTED for v in volumes)
            if logged or self.random() < 0.5:
                confirmed = timezone.make_aware(datetime.combine(self.recently(), time(9)))
                reason = CONFIRMATIONS[0] if logged else CONFIRMATIONS[1]
                surgeon.update(spine_practice_confirmed_at=confirmed, spine_practice_confirmation=reason)
        fields = ("specialty", "taxonomy_codes", "spine_volume_peak", "spine_practice_confirmed_at")
        surgeon["spine_scope"] = Surgeon(**{name: surgeon.get(name) for name in fields}).spine_scope_derive()

    def volume(self, planned: Planned, source: str, year: int, code: str, *, low: int = 11) -> None:
        count = int(self.rng.triangular(low, low + 110, low + 15))
        row = {"surgeon": planned.surgeon, "source": source, "period": str(year), "cpt_code": code, "count": count}
        planned.add(ProcedureVolume, row)

    def satisfaction(self, planned: Planned) -> None:
        rng, defects = self.rng, planned.defects
        if "no_survey" in defects:
            return
        score = rng.uniform(6.2, 8.4) if "low_satisfaction" in defects else rng.triangular(8.5, 9.9, 9.3)
        responses = self.between(3, 29) if "few_responses" in defects else int(rng.triangular(30, 480, 80))
        end = self.today - (self.days(600, 900) if "stale_survey" in defects else self.days(15, 120))
        periods = [(end, score)]
        if self.random() < 0.25:  # the year before, for trend
            periods.append((end - timedelta(days=365), rng.uniform(7.8, 9.8)))
        verified = "unverified_respondents" not in defects
        for period_end, value in periods:
            row = {
                "surgeon": planned.surgeon,
                "period_start": period_end - timedelta(days=364),
                "period_end": period_end,
                "score": f"{value:.2f}",
                "responses": responses,
                "verified_patients_only": verified,
                "source": "Verified-patient survey" if verified else "Practice-run survey (unverified)",
            }
            planned.add(SatisfactionScore, row)

    # --- the demo exclusion list ---

    def leie(self, planned: Planned) -> None:
        if not self.with_leie:
            return
        surgeon, primary = planned.surgeon, planned.cities[0]
        first, last = surgeon["first_name"].upper(), surgeon["last_name"].upper()
        self.surgeon_keys.update((first, last, state) for state in planned.states)
        if "leie_npi" in planned.defects:
            self.leie_rows.append(self.leie_row(surgeon, primary, npi=surgeon["npi"], dob=surgeon["date_of_birth"]))
        if "leie_name" in planned.defects:
            row = self.leie_row(surgeon, primary, npi=None, dob=None)
            row[2] = self.pick(INITIALS)  # a middle initial the directory may not have
            self.leie_rows.append(row)

    def leie_row(self, surgeon: Row, info: CityInfo, *, npi: str | None, dob: date | None) -> list[str]:
        neuro = surgeon["specialty"] == Specialty.NEUROSURGERY
        return [
            surgeon["last_name"].upper(), surgeon["first_name"].upper(), surgeon["middle_name"].upper(), "",
            f"MEDICAL PRACTICE, {surgeon['degree']}", "NEUROLOGICAL SURGERY" if neuro else "ORTHOPEDIC SURGERY", "",
            npi or "0000000000", leie_date(dob), f"{self.between(100, 9999)} {self.pick(STREETS).upper()}",
            info.row["name"].upper(), info.state, f"{info.zip3}{self.between(1, 99):02d}", self.pick(LEIE_TYPES),
            leie_date(self.today - self.days(20, 700)), "00000000", "00000000", "",
        ]  # fmt: skip

    def unrelated_leie_rows(self, count: int) -> None:
        while count:
            general, specialty = self.pick(LEIE_OTHERS)
            city, state, zip3, *_ = self.pick(NAMED_CITIES)
            business = general in ("BUSINESS", "OTHER BUSINESS")
            first, last = self.pick(MALE_FIRST + FEMALE_FIRST).upper(), self.pick(LAST_NAMES).upper()
            if not business and (first, last, state) in self.surgeon_keys:
                continue  # would look like one of our surgeons
            npi = self.npi() if self.random() < 0.1 else "0000000000"
            busname = f"{self.pick(LEIE_BUSINESSES)} {specialty.split(' ')[0]} LLC" if business else ""
            dob = None if business else date(self.between(1940, 1995), self.between(1, 12), self.between(1, 28))
            excluded = date(self.between(1995, self.today.year - 1), self.between(1, 12), self.between(1, 28))
            self.leie_rows.append(
                [
                    "" if business else last, "" if business else first, "", busname, general, specialty, "", npi,
                    leie_date(dob), f"{self.between(100, 9999)} {self.pick(STREETS).upper()}", city.upper(), state,
                    f"{zip3}{self.between(1, 99):02d}", self.pick(LEIE_TYPES), leie_date(excluded), "00000000",
                    "00000000", "",
                ]
            )  # fmt: skip
            count -= 1
