"""NPPES through its API and its bulk file: the same record from either changes nothing, and an NPI the registry
stops returning becomes a review item, never a deletion."""

import csv

import pytest

from directory.models import PracticeLocation, Surgeon
from tests import factories
from tests.verification.sources.conftest import fixture_json
from verification.models import SourceDiscrepancy
from verification.sources.nppes import NPPES_URL, nppes_import
from verification.sources.nppes_bulk import nppes_bulk_import

from .layouts import NPPES_HEADER, csv_write, nppes_row

pytestmark = pytest.mark.django_db
KIND = SourceDiscrepancy.Kind.NPPES_NOT_RETURNED


def test_the_api_gives_no_practice_name_and_a_phone_in_e164(api):
    api.get(NPPES_URL, json=fixture_json("nppes_new_shape.json"))

    nppes_import(state="TX", city="Houston", taxonomy="Orthopaedic Surgery")

    location = PracticeLocation.objects.get(surgeon__npi="1234567893", postal_code="77030")
    assert (location.practice_name, location.phone) == ("", "+17135550142")


def test_the_same_practice_from_the_api_then_the_bulk_file_changes_nothing(api, tmp_path):
    api.get(NPPES_URL, json=fixture_json("nppes_new_shape.json"))
    nppes_import(state="TX", taxonomy="Orthopaedic Surgery")
    before = list(PracticeLocation.objects.filter(surgeon__npi="1234567893").values())
    row = nppes_row(
        "1234567893",
        taxonomies=(("207XS0117X", "Q12345", "TX", "Y"), ("207X00000X", "MD.204518", "LA", "N")),
        credential="M.D.",
        **{
            "Provider Last Name (Legal Name)": "DOE-SMITH",
            "Provider Middle Name": "Q",
            "Provider Second Line Business Practice Location Address": "STE 2800",
            "Provider Business Practice Location Address Telephone Number": "7135550142",  # the API: 713-555-0142
        },
    )
    path = csv_write(tmp_path / "npidata_pfile.csv", [NPPES_HEADER, row], quoting=csv.QUOTE_ALL)

    summary = nppes_bulk_import(path=path)

    assert (summary.updated, summary.unchanged) == (0, 1)
    assert list(PracticeLocation.objects.filter(surgeon__npi="1234567893").values()) == before


def _on_file_in(city, state, **surgeon):
    fields = {f"surgeon__{name}": value for name, value in surgeon.items()}
    return factories.PracticeLocationFactory(city__name=city, city__state=state, **fields).surgeon


def test_an_npi_on_file_that_a_complete_search_no_longer_returns_becomes_a_review_item(api):
    gone = _on_file_in("Houston", "TX")
    elsewhere = _on_file_in("Chicago", "IL")
    api.get(NPPES_URL, json=fixture_json("nppes_new_shape.json"))

    summary = nppes_import(state="TX", city="Houston")

    item = SourceDiscrepancy.objects.get()
    assert (item.surgeon, item.kind, item.resolved_at) == (gone, KIND, None)
    assert f"NPPES returned no record of NPI {gone.npi} in a complete search of Houston, TX" in item.detail
    assert "1 NPIs on file in Houston, TX not returned by NPPES: 1 review items opened" in summary.line()
    assert Surgeon.objects.filter(id__in=[gone.id, elsewhere.id]).count() == 2  # nobody is deleted
    assert gone in Surgeon.objects.public()  # nor hidden: a person decides


def test_searching_again_opens_no_second_item_for_the_same_npi(api):
    _on_file_in("Houston", "TX")
    api.get(NPPES_URL, json=fixture_json("nppes_new_shape.json"))
    nppes_import(state="TX", city="Houston")

    summary = nppes_import(state="TX", city="Houston")

    assert SourceDiscrepancy.objects.count() == 1
    assert "0 review items opened" in summary.line() and summary.changed == 0


def test_an_npi_that_is_returned_opens_nothing(api):
    factories.PracticeLocationFactory(surgeon__npi="1234567893")
    api.get(NPPES_URL, json=fixture_json("nppes_new_shape.json"))

    nppes_import(state="TX", city="Houston")

    assert not SourceDiscrepancy.objects.exists()


@pytest.mark.parametrize(
    "search", [{"taxonomy": "Neurological Surgery"}, {"limit": 2}], ids=["one taxonomy", "a limit"]
)
def test_a_partial_search_proves_nothing_missing(api, search):
    _on_file_in("Houston", "TX")
    api.get(NPPES_URL, json=fixture_json("nppes_new_shape.json"))

    nppes_import(state="TX", city="Houston", **search)

    assert not SourceDiscrepancy.objects.exists()


def test_a_surgeon_already_withdrawn_or_deactivated_is_not_expected(api):
    _on_file_in("Houston", "TX", is_active=False)
    _on_file_in("Houston", "TX", npi_deactivated_on="2024-08-14")
    api.get(NPPES_URL, json=fixture_json("nppes_new_shape.json"))

    nppes_import(state="TX", city="Houston")

    assert not SourceDiscrepancy.objects.exists()
