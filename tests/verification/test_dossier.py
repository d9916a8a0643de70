"""What a batch's dossiers hold: the records the checks judge, loaded in a fixed number of queries."""

import datetime as dt

import pytest
from django.utils import timezone

from directory.models import ProcedureVolume
from tests import factories
from verification import services
from verification.dossier import dossiers_load
from verification.models import ExclusionRecord, VerificationRun

pytestmark = pytest.mark.django_db


def exclusion(last, first, *, state="TX", npi=""):
    return ExclusionRecord.objects.create(
        row_hash=f"{last}-{first}-{state}-{npi}",
        last_name=last,
        first_name=first,
        state=state,
        npi=npi,
        exclusion_date=dt.date(2020, 1, 1),
    )


def test_a_name_only_exclusion_matches_the_exact_name_and_state_never_a_mix_of_two_surgeons(
    make_clean_surgeon, exclusion_list_loaded
):
    rivera = make_clean_surgeon(first_name="Alex", last_name="Rivera")
    chen = make_clean_surgeon(first_name="Wei", last_name="Chen")
    exclusion("RIVERA", "WEI")  # one surgeon's last name with the other's first name
    exclusion("CHEN", "ALEX")
    exclusion("CHEN", "WEI", state="CA")  # right name, a state Chen does not practise in
    exact = exclusion("CHEN", "WEI")
    by_npi = exclusion("SOMEONE", "ELSE", state="WY", npi=rivera.npi)

    dossiers = {d.surgeon.id: d for d in dossiers_load([rivera.id, chen.id], as_of=timezone.localdate())}

    assert [row.id for row in dossiers[chen.id].exclusion_matches] == [exact.id]
    assert [row.id for row in dossiers[rivera.id].exclusion_matches] == [by_npi.id]


def test_procedure_volumes_are_the_primary_spine_procedures_totalled_per_source_and_year(
    make_clean_surgeon, exclusion_list_loaded
):
    surgeon = make_clean_surgeon()  # 120 procedures of CPT 63030 from CMS in 2024
    factories.ProcedureVolumeFactory(surgeon=surgeon, cpt_code="22633", count=200)
    factories.ProcedureVolumeFactory(surgeon=surgeon, cpt_code="22612", count=41, period="2023")
    factories.ProcedureVolumeFactory(surgeon=surgeon, cpt_code="99213", count=5000)  # an office visit
    factories.ProcedureVolumeFactory(surgeon=surgeon, cpt_code="63047", count=7, source=ProcedureVolume.Source.ATTESTED)

    (dossier,) = dossiers_load([surgeon.id], as_of=timezone.localdate())

    totals = {(volume.source, volume.period): volume.count for volume in dossier.procedure_volumes}
    assert totals == {
        (ProcedureVolume.Source.CMS_BY_SERVICE, "2024"): 320,
        (ProcedureVolume.Source.CMS_BY_SERVICE, "2023"): 41,
        (ProcedureVolume.Source.ATTESTED, "2024"): 7,
    }


def test_add_on_codes_are_not_counted_as_operations(make_clean_surgeon, exclusion_list_loaded):
    surgeon = make_clean_surgeon()
    surgeon.procedure_volumes.all().delete()
    factories.ProcedureVolumeFactory(surgeon=surgeon, cpt_code="22612", count=41)  # lumbar fusion
    factories.ProcedureVolumeFactory(surgeon=surgeon, cpt_code="22840", count=36)  # instrumentation, billed with it
    factories.ProcedureVolumeFactory(surgeon=surgeon, cpt_code="63030", count=33)  # decompression
    factories.ProcedureVolumeFactory(surgeon=surgeon, cpt_code="63035", count=12)  # its add-on level

    (dossier,) = dossiers_load([surgeon.id], as_of=timezone.localdate())

    assert [volume.count for volume in dossier.procedure_volumes] == [74]


def _verify_batch_queries(surgeon_ids, django_assert_max_num_queries, limit):
    run, _ = services.run_start(
        kind=VerificationRun.Kind.MANUAL, as_of=timezone.localdate(), surgeon_ids=surgeon_ids, enqueue=False
    )
    (batch_id,) = run.batches.values_list("id", flat=True)
    with django_assert_max_num_queries(limit) as captured:
        services.batch_verify(batch_id=batch_id)
    return len(captured.captured_queries)


def test_verifying_a_batch_takes_the_same_number_of_queries_for_two_surgeons_or_ten(
    make_clean_surgeon, exclusion_list_loaded, django_assert_max_num_queries
):
    """A check reading a field the dossier did not load would cost one query per surgeon."""
    few = _verify_batch_queries([make_clean_surgeon().id for _ in range(2)], django_assert_max_num_queries, 40)
    many = _verify_batch_queries([make_clean_surgeon().id for _ in range(10)], django_assert_max_num_queries, 40)

    assert many == few
