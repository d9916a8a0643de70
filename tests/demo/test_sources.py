"""The demo follows the sources' rules, and every demo file imports without changing anything."""

import pytest
from django.utils import timezone

from demo import vocabulary
from demo.seed import demo_data_seed
from directory.models import PracticeLocation, ProcedureVolume, Specialty, SpineScope, Surgeon
from verification.sources.cms_procedures import cms_procedures_import
from verification.sources.dac import dac_import
from verification.sources.leie import leie_import
from verification.sources.nppes_deactivations import nppes_deactivations_import
from verification.sources.spine_codes import ADD_ON_CODES

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(tmp_path):
    demo_data_seed(surgeons=160, cities=12, leie_path=tmp_path / "UPDATED.csv", files_dir=tmp_path)
    return tmp_path


def test_every_demo_file_imports_without_a_change(seeded):
    leie_import(path=seeded / "UPDATED.csv")  # the exclusion list is not seeded: its first import loads it
    summaries = [
        leie_import(path=seeded / "UPDATED.csv"),
        dac_import(path=seeded / vocabulary.DAC_FILE),
        cms_procedures_import(path=seeded / vocabulary.CMS_FILE, year=timezone.localdate().year - 2),
        nppes_deactivations_import(path=seeded / vocabulary.DEACTIVATION_REPORT),
    ]

    assert [(s.source, s.fatal, s.bad, s.changed) for s in summaries] == [(s.source, "", 0, 0) for s in summaries]
    assert all(s.unchanged > 0 for s in summaries)


def test_a_practice_is_named_only_where_its_group_names_it(seeded):
    locations = list(PracticeLocation.objects.select_related("group"))

    assert all(location.practice_name == location.group.name for location in locations if location.group)
    assert all(location.practice_name == "" for location in locations if location.group is None)
    assert any(location.group is None for location in locations) and any(location.group for location in locations)


def test_the_spine_scope_is_what_the_rules_derive_and_shows_each_way_in(seeded):
    surgeons = list(Surgeon.objects.all())

    assert all(surgeon.spine_scope == surgeon.spine_scope_derive() for surgeon in surgeons)
    general = {surgeon.spine_scope for surgeon in surgeons if surgeon.specialty == Specialty.ORTHOPAEDIC}
    assert {SpineScope.VOLUME, SpineScope.CONFIRMED, SpineScope.NOT_SHOWN} <= general
    assert not Surgeon.objects.public().filter(spine_scope=SpineScope.NOT_SHOWN).exists()


def test_practice_case_logs_count_operations_never_add_on_codes(seeded):
    logged = ProcedureVolume.objects.filter(source=ProcedureVolume.Source.ATTESTED).values_list("cpt_code", flat=True)

    assert logged.exists() and not set(logged) & ADD_ON_CODES


def test_some_demo_npis_are_deactivated_and_out_of_the_public_directory(seeded):
    deactivated = Surgeon.objects.exclude(npi_deactivated_on=None)

    assert deactivated.count() == 160 // vocabulary.DEACTIVATED_EVERY
    assert not Surgeon.objects.public().filter(id__in=deactivated).exists()
