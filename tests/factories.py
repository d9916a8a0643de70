"""factory-boy factories for the directory's records."""

import datetime as dt
import itertools

import factory
from django.utils import timezone

from directory import models
from directory.npi import npi_check_digit
from verification.models import ExclusionListImport, ExclusionRecord

TODAY = dt.date(2026, 11, 25)
_npi_bases = itertools.count(100_000_001)


def next_npi() -> str:
    base = str(next(_npi_bases))
    return base + str(npi_check_digit(base))


def exclusion_list_load(at=None) -> ExclusionRecord:
    """A loaded exclusion list (imported `at`, default now) with one unrelated row: the sanctions screen can answer."""
    ExclusionListImport.objects.create(imported_at=at or timezone.now(), rows_read=1, created=1)
    return ExclusionRecord.objects.create(
        row_hash="decoy", last_name="NOBODY", first_name="NEVER", state="WY", exclusion_date=dt.date(2020, 1, 1)
    )


def dea_number(prefix: str, six: str) -> str:
    """A DEA number with a correct check digit for the given two letters and six digits."""
    d = [int(c) for c in six]
    check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    return f"{prefix}{six}{check}"


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.City
        django_get_or_create = ["state", "name"]

    name = "Houston"
    state = "TX"
    slug = factory.LazyAttribute(lambda city: f"{city.name.lower().replace(' ', '-')}-{city.state.lower()}")


class SurgeonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Surgeon

    npi = factory.LazyFunction(next_npi)
    first_name = factory.Sequence(lambda n: f"Alex{n}")
    last_name = factory.Sequence(lambda n: f"Rivera{n}")
    degree = models.Degree.MD
    specialty = models.Specialty.ORTHOPAEDIC_SPINE
    gender = models.Gender.FEMALE
    languages = "English, Spanish"
    bio = "Spine surgeon focused on minimally invasive decompression."
    date_of_birth = dt.date(1970, 3, 14)


class PracticeGroupFactory(factory.django.DjangoModelFactory):
    """A practice group as the CMS Doctors and Clinicians file names it (facility name and group PAC ID)."""

    class Meta:
        model = models.PracticeGroup

    name = factory.Sequence(lambda n: f"Gulf Coast Spine Associates {n}")
    pac_id = factory.Sequence(lambda n: f"{4_284_000_000 + n:010d}")


class PracticeLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PracticeLocation

    surgeon = factory.SubFactory(SurgeonFactory)
    city = factory.SubFactory(CityFactory)
    practice_name = "Bayou Spine Center"
    address_line1 = "6400 Fannin St"
    postal_code = "77030"
    phone = "713-555-0100"
    is_primary = True


class StateLicenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StateLicense

    surgeon = factory.SubFactory(SurgeonFactory)
    state = "TX"
    number = factory.Sequence(lambda n: f"Q{n:05d}")
    first_issued = dt.date(2010, 6, 1)
    expires = TODAY + dt.timedelta(days=400)
    status = models.CredentialStatus.ACTIVE
    evidence_method = models.EvidenceMethod.PRIMARY_SOURCE
    evidence_source = "Texas Medical Board"


class DisciplinaryActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.DisciplinaryAction

    license = factory.SubFactory(StateLicenseFactory)
    action_date = TODAY - dt.timedelta(days=700)
    severity = models.DisciplinaryAction.Severity.SERIOUS
    description = "Restriction on surgical privileges"


class BoardCertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.BoardCertification

    surgeon = factory.SubFactory(SurgeonFactory)
    board = models.BoardCertification.Board.ABOS
    specialty = models.Specialty.ORTHOPAEDIC_SPINE
    certified_on = dt.date(2012, 7, 1)
    expires = TODAY + dt.timedelta(days=900)


class DEARegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.DEARegistration

    surgeon = factory.SubFactory(SurgeonFactory)
    number = factory.Sequence(lambda n: dea_number("BR", f"{n % 1_000_000:06d}"))
    state = "TX"
    expires = TODAY + dt.timedelta(days=500)


class StateControlledSubstanceRegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StateControlledSubstanceRegistration

    surgeon = factory.SubFactory(SurgeonFactory)
    state = "IL"
    number = factory.Sequence(lambda n: f"336.{n:06d}")
    expires = TODAY + dt.timedelta(days=300)


class MalpracticePolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.MalpracticePolicy

    surgeon = factory.SubFactory(SurgeonFactory)
    carrier = "Lone Star Medical Mutual"
    policy_number = factory.Sequence(lambda n: f"LSM-{n:07d}")
    per_claim_limit = 1_000_000
    aggregate_limit = 3_000_000
    effective = TODAY - dt.timedelta(days=100)
    expires = TODAY + dt.timedelta(days=265)


class ProcedureVolumeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ProcedureVolume

    surgeon = factory.SubFactory(SurgeonFactory)
    source = models.ProcedureVolume.Source.CMS_BY_SERVICE
    period = "2024"
    cpt_code = "63030"
    count = 120


class SatisfactionScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SatisfactionScore

    surgeon = factory.SubFactory(SurgeonFactory)
    period_start = TODAY - dt.timedelta(days=395)
    period_end = TODAY - dt.timedelta(days=30)
    score = "9.10"
    responses = 120
