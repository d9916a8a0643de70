"""The directory: cities, surgeons, where they practise, and the credential records on file."""

import contextlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .geo import zip_centroid
from .npi import validate_npi
from .phones import phone_e164

validate_state = RegexValidator(r"^[A-Z]{2}$", "Use the two-letter USPS state code, e.g. TX.")


class EvidenceMethod(models.TextChoices):
    """How a fact was established; shown beside every badge."""

    PRIMARY_SOURCE = "primary_source", "Primary source"
    SECONDARY_SOURCE = "secondary_source", "Secondary source"
    ATTESTED_DOCUMENT = "attested_document", "Document on file"
    FORMAT_ONLY = "format_only", "Format check only"


class Specialty(models.TextChoices):
    """NUCC taxonomy codes of the specialties we list."""

    ORTHOPAEDIC_SPINE = "207XS0117X", "Orthopaedic surgery of the spine"
    ORTHOPAEDIC = "207X00000X", "Orthopaedic surgery"
    NEUROSURGERY = "207T00000X", "Neurological surgery"


# NUCC codes that make a surgeon a spine surgeon, and the orthopaedic ones that do only once spine practice is shown.
SPINE_TAXONOMIES = frozenset({Specialty.ORTHOPAEDIC_SPINE.value, Specialty.NEUROSURGERY.value})
ORTHOPAEDIC_TAXONOMIES = frozenset(
    {"207X00000X", "207XP3100X", "207XS0106X", "207XX0004X", "207XS0114X", "207XX0801X", "207XX0005X"}
)
TAXONOMY_NAMES = {
    "207XS0117X": "Orthopaedic Surgery of the Spine",
    "207T00000X": "Neurological Surgery",
    "207X00000X": "Orthopaedic Surgery",
    "207XP3100X": "Pediatric Orthopaedic Surgery",
    "207XS0106X": "Hand Surgery",
    "207XX0004X": "Foot and Ankle Surgery",
    "207XS0114X": "Adult Reconstructive Orthopaedic Surgery",
    "207XX0801X": "Orthopaedic Trauma",
    "207XX0005X": "Sports Medicine",
}


class SpineScope(models.TextChoices):
    """Why a surgeon is (or is not yet) a spine surgeon in this directory."""

    TAXONOMY = "taxonomy", "Spine surgeon by NUCC taxonomy"
    VOLUME = "volume", "Spine practice shown by Medicare volume"
    CONFIRMED = "confirmed", "Spine practice confirmed by a reviewer"
    NOT_SHOWN = "not_shown", "Spine practice not shown"


SHOWN_SPINE_SCOPES = (SpineScope.TAXONOMY, SpineScope.VOLUME, SpineScope.CONFIRMED)


class Degree(models.TextChoices):
    MD = "MD", "MD"
    DO = "DO", "DO"


class Gender(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    OTHER = "X", "Other / not stated"


class CredentialStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    INACTIVE = "inactive", "Inactive"
    PROBATION = "probation", "Probation"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"
    SURRENDERED = "surrendered", "Surrendered"
    UNVERIFIED = "unverified", "Not yet verified"


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Bulk readers defer these: parsing two timestamps per row is about half the cost of loading a record.
    BOOKKEEPING_FIELDS = ("created_at", "updated_at")

    class Meta:
        abstract = True


class City(TimeStamped):
    name = models.CharField(max_length=100)
    state = models.CharField(max_length=2, validators=[validate_state])
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        verbose_name_plural = "cities"
        ordering = ["name", "state"]
        constraints = [models.UniqueConstraint(fields=["state", "name"], name="city_unique_name_per_state")]

    def __str__(self):
        return f"{self.name}, {self.state}"


class SurgeonQuerySet(models.QuerySet):
    def public(self):
        """Surgeons the public may see, search and find listed: in the directory, with an NPI still active, and
        spine surgeons (by taxonomy, or an orthopaedic surgeon whose spine practice is shown)."""
        return self.with_profile().filter(npi_deactivated_on__isnull=True)

    def with_profile(self):
        """Surgeons whose profile page opens: the public ones, and a deactivated NPI's (the page says so)."""
        return self.filter(is_active=True, spine_scope__in=SHOWN_SPINE_SCOPES)


class Surgeon(TimeStamped):
    npi = models.CharField("NPI", max_length=10, unique=True, validators=[validate_npi])
    first_name = models.CharField(max_length=80)
    middle_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, db_index=True)
    degree = models.CharField(max_length=2, choices=Degree.choices)
    specialty = models.CharField(max_length=10, choices=Specialty.choices, db_index=True)
    gender = models.CharField(max_length=1, choices=Gender.choices, default=Gender.OTHER)
    languages = models.CharField(max_length=200, blank=True, help_text="Comma-separated, e.g. English, Spanish")
    bio = models.TextField(blank=True)
    photo = models.ImageField(upload_to="photos/", blank=True)
    accepting_new_patients = models.BooleanField(default=True)
    # Private: used only to match exclusion-list rows; never shown or serialised.
    date_of_birth = models.DateField(null=True, blank=True)
    training_completed_on = models.DateField(null=True, blank=True, help_text="Residency or fellowship completion")
    is_active = models.BooleanField(
        "in the directory", default=True, help_text="Untick to withdraw the surgeon: delisted at once, out of search"
    )
    npi_deactivated_on = models.DateField(
        "NPI deactivated on", null=True, blank=True, help_text="Set from NPPES; a deactivated NPI is not listed"
    )
    taxonomy_codes = models.CharField(
        "NUCC taxonomy codes", max_length=180, blank=True, help_text="As NPPES lists them, primary first"
    )
    # The most primary spine procedures in one Medicare data year, kept by the CMS importer (spine scope).
    spine_volume_peak = models.PositiveIntegerField("most primary spine procedures in a data year", default=0)
    spine_volume_peak_year = models.PositiveSmallIntegerField("data year of that peak", null=True, blank=True)
    spine_practice_confirmed_at = models.DateTimeField(null=True, blank=True)
    spine_practice_confirmed_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    spine_practice_confirmation = models.TextField("reviewer's reason", blank=True)
    # Derived on every save from the fields above; public() filters on it.
    spine_scope = models.CharField(
        max_length=10, choices=SpineScope.choices, default=SpineScope.NOT_SHOWN, db_index=True, editable=False
    )
    medical_school = models.CharField(max_length=200, blank=True, help_text="As CMS publishes it")
    graduation_year = models.PositiveSmallIntegerField(null=True, blank=True)
    medicare_specialty = models.CharField("Medicare primary specialty", max_length=100, blank=True)
    medicare_secondary_specialties = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    objects = SurgeonQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "npi"]

    # What spine_scope is derived from: saving any of them saves the scope too.
    SPINE_SCOPE_INPUTS = frozenset({"specialty", "taxonomy_codes", "spine_volume_peak", "spine_practice_confirmed_at"})

    def __str__(self):
        return f"{self.display_name} ({self.npi})"

    def save(self, *args, **kwargs):
        self.spine_scope = self.spine_scope_derive()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and self.SPINE_SCOPE_INPUTS & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "spine_scope"}
        super().save(*args, **kwargs)

    @property
    def taxonomy_list(self) -> list[str]:
        return self.taxonomy_codes.split() or ([self.specialty] if self.specialty else [])

    def spine_scope_derive(self) -> str:
        """Spine surgeons by taxonomy; another orthopaedic surgeon once spine practice is shown by volume in one
        data year (SPINE_FOCUS_MIN_PROCEDURES) or confirmed by a reviewer."""
        if SPINE_TAXONOMIES.intersection(self.taxonomy_list):
            return SpineScope.TAXONOMY
        if self.spine_volume_peak >= settings.SPINE_FOCUS_MIN_PROCEDURES:
            return SpineScope.VOLUME
        if self.spine_practice_confirmed_at:
            return SpineScope.CONFIRMED
        return SpineScope.NOT_SHOWN

    @property
    def spine_scope_explanation(self) -> str:
        """Why the surgeon is in or out of the spine directory, for reviewers."""
        taxonomies = ", ".join(f"{code} ({TAXONOMY_NAMES.get(code, 'other')})" for code in self.taxonomy_list)
        minimum = settings.SPINE_FOCUS_MIN_PROCEDURES
        scope = self.spine_scope_derive()
        if scope == SpineScope.TAXONOMY:
            return f"Spine surgeon by NUCC taxonomy: {taxonomies}."
        if scope == SpineScope.VOLUME:
            return (
                f"{self.spine_volume_peak} primary spine procedures in Medicare data year {self.spine_volume_peak_year}"
                f" (at least {minimum} show spine practice); taxonomy {taxonomies}."
            )
        if scope == SpineScope.CONFIRMED:
            when = f"{self.spine_practice_confirmed_at:%Y-%m-%d}"
            return f"Spine practice confirmed by {self.spine_practice_confirmed_by or 'a reviewer'} on {when}: " + (
                self.spine_practice_confirmation
            )
        peak = f" ({self.spine_volume_peak_year})" if self.spine_volume_peak_year else ""
        return (
            f"Not shown as a spine surgeon: taxonomy {taxonomies or 'unknown'} is not a spine taxonomy, at most "
            f"{self.spine_volume_peak} primary spine procedures in one Medicare data year{peak} (needs {minimum}), and "
            "no reviewer has confirmed spine practice. Stored, but not searchable, listed or served."
        )

    @property
    def display_name(self):
        return f"Dr. {self.first_name} {self.last_name}, {self.degree}"

    @property
    def initials(self):
        return f"{self.first_name[:1]}{self.last_name[:1]}".upper()

    @property
    def language_list(self):
        return [lang.strip() for lang in self.languages.split(",") if lang.strip()]


class PracticeGroup(TimeStamped):
    """A practice group (organization) as CMS publishes it, identified by its PECOS group PAC ID."""

    name = models.CharField(max_length=200)
    pac_id = models.CharField("group PAC ID", max_length=10, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PracticeLocation(TimeStamped):
    """A practice's public business address; surgeons' home addresses are never stored here."""

    surgeon = models.ForeignKey(Surgeon, on_delete=models.CASCADE, related_name="locations")
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="locations")
    group = models.ForeignKey(PracticeGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="locations")
    # Empty when no source names the practice: a name is never invented.
    practice_name = models.CharField(max_length=200, blank=True)
    address_line1 = models.CharField(max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=10, db_index=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True, help_text="Where consultation requests are sent")
    is_primary = models.BooleanField(default=False)
    # The ZIP code's centroid, for distance search and FHIR Location.position; empty for an unknown ZIP.
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["-is_primary", "practice_name"]
        indexes = [
            models.Index(fields=["city", "surgeon"]),
            models.Index(fields=["latitude", "longitude"], name="location_coordinates"),
        ]

    def __str__(self):
        return f"{self.practice_name or self.address_line1}, {self.city}"

    def save(self, *args, **kwargs):
        with contextlib.suppress(ValueError):  # full_clean() reports a bad number where a person typed it
            self.phone = phone_e164(self.phone)  # one form, whatever the source wrote
        self.locate()
        if kwargs.get("update_fields") is not None and "postal_code" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "latitude", "longitude"}
        super().save(*args, **kwargs)

    def clean(self):
        try:
            self.phone = phone_e164(self.phone)
        except ValueError as exc:
            raise ValidationError({"phone": str(exc)}) from None

    def locate(self) -> None:
        """Coordinates from the ZIP code's centroid (empty for a ZIP the offline list does not know)."""
        self.latitude, self.longitude = zip_centroid(self.postal_code) or (None, None)

    @property
    def one_line(self) -> str:
        """The practice name and street address, or the address alone when no source names the practice."""
        parts = [self.practice_name, self.address_line1, self.address_line2]
        return ", ".join(part for part in parts if part)


class CredentialRecord(TimeStamped):
    """Common to every credential on file: who it belongs to and how we know."""

    evidence_method = models.CharField(
        max_length=20, choices=EvidenceMethod.choices, default=EvidenceMethod.ATTESTED_DOCUMENT
    )
    evidence_source = models.CharField(max_length=200, blank=True, help_text="Where the data came from")
    evidence_obtained_on = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True


class StateLicense(CredentialRecord):
    surgeon = models.ForeignKey(Surgeon, on_delete=models.CASCADE, related_name="licenses")
    state = models.CharField(max_length=2, validators=[validate_state])
    number = models.CharField(max_length=30)
    first_issued = models.DateField(null=True, blank=True, help_text="Unknown for self-reported (NPPES) numbers")
    expires = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=CredentialStatus.choices, default=CredentialStatus.ACTIVE)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["state", "number"], name="license_unique_number_per_state"),
            models.CheckConstraint(
                condition=Q(expires__isnull=True) | Q(expires__gte=models.F("first_issued")),
                name="license_expires_after_issue",
            ),
        ]

    def __str__(self):
        return f"{self.state} license {self.number}"


class DisciplinaryAction(TimeStamped):
    class Severity(models.TextChoices):
        MINOR = "minor", "Minor (administrative)"
        MODERATE = "moderate", "Moderate"
        SERIOUS = "serious", "Serious (patient care)"

    license = models.ForeignKey(StateLicense, on_delete=models.CASCADE, related_name="actions")
    action_date = models.DateField()
    severity = models.CharField(max_length=10, choices=Severity.choices)
    description = models.CharField(max_length=500)

    class Meta:
        ordering = ["-action_date"]

    def __str__(self):
        return f"{self.get_severity_display()} action on {self.action_date}"


class BoardCertification(CredentialRecord):
    class Board(models.TextChoices):
        ABOS = "ABOS", "American Board of Orthopaedic Surgery"
        ABNS = "ABNS", "American Board of Neurological Surgery"
        AOBOS = "AOBOS", "American Osteopathic Board of Orthopedic Surgery"
        AOBS = "AOBS", "American Osteopathic Board of Surgery (neurological)"
        OTHER_ABMS = "ABMS_OTHER", "Other ABMS member board"
        OTHER_AOA = "AOA_OTHER", "Other AOA specialty board"

    surgeon = models.ForeignKey(Surgeon, on_delete=models.CASCADE, related_name="board_certifications")
    board = models.CharField(max_length=12, choices=Board.choices)
    specialty = models.CharField(max_length=10, choices=Specialty.choices)
    certified_on = models.DateField()
    expires = models.DateField(null=True, blank=True, help_text="Empty for a lifetime certificate")
    status = models.CharField(max_length=12, choices=CredentialStatus.choices, default=CredentialStatus.ACTIVE)

    history = HistoricalRecords()

    def __str__(self):
        return f"{self.board} {self.get_specialty_display()}"


class DEARegistration(CredentialRecord):
    surgeon = models.ForeignKey(Surgeon, on_delete=models.CASCADE, related_name="dea_registrations")
    # Private: never shown in full outside the admin.
    number = models.CharField(max_length=9, unique=True)
    state = models.CharField(max_length=2, validators=[validate_state])
    schedules = models.CharField(max_length=40, default="2,2N,3,3N,4,5")
    expires = models.DateField()
    status = models.CharField(max_length=12, choices=CredentialStatus.choices, default=CredentialStatus.ACTIVE)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "DEA registration"

    def __str__(self):
        return f"DEA registration ({self.state}, expires {self.expires})"

    @property
    def masked_number(self):
        return f"{self.number[:1]}•••••••{self.number[-1:]}"


class StateControlledSubstanceRegistration(CredentialRecord):
    surgeon = models.ForeignKey(Surgeon, on_delete=models.CASCADE, related_name="csr_registrations")
    state = models.CharField(max_length=2, validators=[validate_state])
    number = models.CharField(max_length=30)
    expires = models.DateField()
    status = models.CharField(max_length=12, choices=CredentialStatus.choices, default=CredentialStatus.ACTIVE)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "state controlled-substance registration"
        constraints = [models.UniqueConstraint(fields=["state", "number"], name="csr_unique_number_per_state")]

    def __str__(self):
        return f"{self.state} controlled-substance registration"


class MalpracticePolicy(CredentialRecord):
    surgeon = models.ForeignKey(Surgeon, on_delete=models.CASCADE, related_name="malpractice_policies")
    carrier = models.CharField(max_length=200)
    policy_number = models.CharField(max_length=60)
    per_claim_limit = models.PositiveBigIntegerField(help_text="US dollars")
    aggregate_limit = models.PositiveBigIntegerField(help_text="US dollars")
    effective = models.DateField()
    expires = models.DateField()

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "malpractice policies"
        constraints = [
            models.CheckConstraint(condition=Q(expires__gt=models.F("effective")), name="policy_expires_after_start"),
            models.CheckConstraint(
                condition=Q(aggregate_limit__gte=models.F("per_claim_limit")), name="policy_aggregate_covers_claim"
            ),
        ]

    def __str__(self):
        return f"{self.carrier} policy {self.effective}–{self.expires}"


class ProcedureVolume(TimeStamped):
    class Source(models.TextChoices):
        CMS_BY_SERVICE = "cms_by_service", "CMS Physician & Other Practitioners by Service"
        ATTESTED = "attested", "Practice-attested case log"

    surgeon = models.ForeignKey(Surgeon, on_delete=models.CASCADE, related_name="procedure_volumes")
    source = models.CharField(max_length=20, choices=Source.choices)
    period = models.CharField(max_length=10, help_text="e.g. 2024 for a data year")
    cpt_code = models.CharField("CPT/HCPCS code", max_length=5)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["surgeon", "source", "period", "cpt_code"], name="procedure_volume_unique_per_code"
            )
        ]

    def __str__(self):
        return f"{self.cpt_code} × {self.count} ({self.period})"


class SatisfactionScore(TimeStamped):
    """An aggregate of verified patient-survey responses over a period."""

    surgeon = models.ForeignKey(Surgeon, on_delete=models.CASCADE, related_name="satisfaction_scores")
    period_start = models.DateField()
    period_end = models.DateField()
    score = models.DecimalField(
        max_digits=4, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    responses = models.PositiveIntegerField("number of responses (n)")
    verified_patients_only = models.BooleanField(default=True)
    source = models.CharField(max_length=100, default="Verified-patient survey")

    class Meta:
        ordering = ["-period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["surgeon", "period_start", "period_end"], name="satisfaction_unique_period"
            ),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=10), name="satisfaction_score_0_10"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="satisfaction_period"),
        ]

    def __str__(self):
        return f"{self.score}/10 (n={self.responses})"


class SurveyResponse(models.Model):
    """One patient-survey answer; aggregated into SatisfactionScore by the survey importer."""

    surgeon = models.ForeignKey(Surgeon, on_delete=models.CASCADE, related_name="survey_responses")
    response_key = models.CharField(max_length=64, unique=True, help_text="Stable hash that makes re-imports no-ops")
    responded_on = models.DateField()
    score = models.DecimalField(max_digits=4, decimal_places=2)
    verified_patient = models.BooleanField()
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["surgeon", "responded_on"])]
        constraints = [models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=10), name="survey_score_0_10")]

    def __str__(self):
        return f"{self.score}/10 on {self.responded_on}"


class EvidenceDocument(models.Model):
    """An uploaded certificate or profile behind a credential record; served to staff only, never public."""

    class Kind(models.TextChoices):
        INSURANCE_CERTIFICATE = "insurance_certificate", "Certificate of insurance"
        DEA_CERTIFICATE = "dea_certificate", "DEA registration certificate"
        BOARD_CERTIFICATE = "board_certificate", "Board certificate"
        STATE_BOARD_PROFILE = "state_board_profile", "State-board profile"
        CSR_CERTIFICATE = "csr_certificate", "State controlled-substance registration"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    file = models.FileField(upload_to="evidence/%Y/%m/")
    content_type = models.CharField(max_length=50, editable=False)
    size = models.PositiveIntegerField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, editable=False, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    license = models.ForeignKey(StateLicense, null=True, blank=True, on_delete=models.CASCADE, related_name="documents")
    board_certification = models.ForeignKey(
        BoardCertification, null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    dea_registration = models.ForeignKey(
        DEARegistration, null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    csr_registration = models.ForeignKey(
        StateControlledSubstanceRegistration, null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    malpractice_policy = models.ForeignKey(
        MalpracticePolicy, null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                name="document_belongs_to_one_record",
                condition=(
                    Q(
                        license__isnull=False,
                        board_certification=None,
                        dea_registration=None,
                        csr_registration=None,
                        malpractice_policy=None,
                    )
                    | Q(
                        license=None,
                        board_certification__isnull=False,
                        dea_registration=None,
                        csr_registration=None,
                        malpractice_policy=None,
                    )
                    | Q(
                        license=None,
                        board_certification=None,
                        dea_registration__isnull=False,
                        csr_registration=None,
                        malpractice_policy=None,
                    )
                    | Q(
                        license=None,
                        board_certification=None,
                        dea_registration=None,
                        csr_registration__isnull=False,
                        malpractice_policy=None,
                    )
                    | Q(
                        license=None,
                        board_certification=None,
                        dea_registration=None,
                        csr_registration=None,
                        malpractice_policy__isnull=False,
                    )
                ),
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.uploaded_at:%Y-%m-%d})" if self.uploaded_at else self.kind


class ConsultationRequest(models.Model):
    """A patient's request to be contacted; seen only by permitted staff and the practice, then deleted."""

    class Delivery(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent to the practice"
        FAILED = "failed", "Could not be sent"

    surgeon = models.ForeignKey(Surgeon, on_delete=models.CASCADE, related_name="consultation_requests")
    location = models.ForeignKey(PracticeLocation, null=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    preferred_times = models.CharField(max_length=200, blank=True)
    reason = models.TextField(max_length=1000)
    consent = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Times sending was tried")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("see_consultationrequest", "Can see patients' consultation requests")]
        default_permissions = ("delete",)
        constraints = [
            models.CheckConstraint(condition=~Q(phone="") | ~Q(email=""), name="request_has_a_contact"),
            models.CheckConstraint(condition=Q(consent=True), name="request_has_consent"),
        ]

    def __str__(self):
        return f"Request #{self.id} for {self.surgeon_id} ({self.get_delivery_display()})"
