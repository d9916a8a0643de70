"""`any_of`: the bulk readers' filter must select exactly what `in` selects, on SQLite and PostgreSQL."""

import pytest

from directory.models import PracticeLocation, StateLicense, Surgeon
from tests import factories

pytestmark = pytest.mark.django_db


def test_any_of_selects_the_same_rows_as_in_for_ids_foreign_keys_and_text():
    surgeons = factories.SurgeonFactory.create_batch(4)
    for surgeon, state in zip(surgeons, ["TX", "CA", "TX", "NY"], strict=True):
        factories.StateLicenseFactory(surgeon=surgeon, state=state)
    wanted = [surgeons[0].id, surgeons[2].id]

    assert set(Surgeon.objects.filter(id__any_of=wanted)) == set(Surgeon.objects.filter(id__in=wanted))
    by_fk = StateLicense.objects.filter(surgeon_id__any_of=wanted).values_list("surgeon_id", flat=True)
    assert sorted(by_fk) == sorted(wanted)
    by_text = StateLicense.objects.filter(state__any_of={"CA", "NY"}).values_list("surgeon_id", flat=True)
    assert sorted(by_text) == sorted([surgeons[1].id, surgeons[3].id])


def test_any_of_an_empty_list_selects_nothing_and_combines_with_other_filters():
    location = factories.PracticeLocationFactory()

    assert not PracticeLocation.objects.filter(surgeon_id__any_of=[]).exists()
    assert PracticeLocation.objects.filter(surgeon_id__any_of=[location.surgeon_id], city=location.city).exists()
    assert not PracticeLocation.objects.filter(surgeon_id__any_of=[location.surgeon_id], id=location.id + 1).exists()


def test_any_of_refuses_a_value_that_is_not_an_id():
    with pytest.raises((TypeError, ValueError)):
        Surgeon.objects.filter(id__any_of=["not-an-id"]).count()
