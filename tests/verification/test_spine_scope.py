"""The spine scope: who is a spine surgeon, what public() serves, and how reviewers confirm spine practice."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from directory.models import Specialty, SpineScope, Surgeon
from tests import factories
from verification.models import SourceDiscrepancy

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:directory_surgeon_changelist"


@pytest.fixture
def reviewer(make_staff):
    return make_staff("Reviewer")


def orthopaedic(**fields):
    return factories.SurgeonFactory(specialty=Specialty.ORTHOPAEDIC, taxonomy_codes="207X00000X", **fields)


@pytest.mark.parametrize("code", ["207XS0117X", "207T00000X"])
def test_orthopaedic_spine_surgeons_and_neurosurgeons_are_spine_surgeons(code):
    surgeon = factories.SurgeonFactory(specialty=code, taxonomy_codes=code)

    assert surgeon.spine_scope == SpineScope.TAXONOMY and surgeon in Surgeon.objects.public()


@pytest.mark.parametrize("codes", ["207X00000X", "207XP3100X 207X00000X", "207XS0106X", "207XX0005X"])
def test_general_and_other_orthopaedic_surgeons_are_not_until_spine_practice_is_shown(codes):
    surgeon = factories.SurgeonFactory(specialty=Specialty.ORTHOPAEDIC, taxonomy_codes=codes)

    assert surgeon.spine_scope == SpineScope.NOT_SHOWN and surgeon not in Surgeon.objects.public()
    assert "Stored, but not searchable, listed or served" in surgeon.spine_scope_explanation


def test_enough_primary_operations_in_one_data_year_show_spine_practice(settings):
    settings.SPINE_FOCUS_MIN_PROCEDURES = 25
    surgeon = orthopaedic(spine_volume_peak=25, spine_volume_peak_year=2023)

    assert surgeon.spine_scope == SpineScope.VOLUME and surgeon in Surgeon.objects.public()
    assert "25 primary spine procedures in Medicare data year 2023" in surgeon.spine_scope_explanation


def test_one_fewer_is_not_enough(settings):
    settings.SPINE_FOCUS_MIN_PROCEDURES = 25

    assert orthopaedic(spine_volume_peak=24, spine_volume_peak_year=2023).spine_scope == SpineScope.NOT_SHOWN


def test_saving_only_a_scope_input_saves_the_scope_too():
    surgeon = orthopaedic()
    surgeon.taxonomy_codes = "207XS0117X"
    surgeon.save(update_fields=["taxonomy_codes"])

    assert Surgeon.objects.get(id=surgeon.id).spine_scope == SpineScope.TAXONOMY


def test_public_leaves_out_the_withdrawn_the_deactivated_and_those_outside_the_spine_scope():
    shown = factories.SurgeonFactory()
    factories.SurgeonFactory(is_active=False)
    factories.SurgeonFactory(npi_deactivated_on="2024-08-14")
    orthopaedic()

    assert list(Surgeon.objects.public()) == [shown]


# --- The reviewer's confirmation, in the admin ---


def test_the_admin_shows_why_a_surgeon_is_out_of_the_spine_directory(client, reviewer):
    surgeon = orthopaedic(spine_volume_peak=12, spine_volume_peak_year=2023)
    client.force_login(reviewer)

    page = client.get(reverse("admin:directory_surgeon_change", args=[surgeon.id])).text

    assert "at most 12 primary spine procedures in one Medicare data year (2023) (needs 25)" in page
    assert "207X00000X (Orthopaedic Surgery)" in page


def test_a_reviewer_confirms_spine_practice_with_a_reason(client, reviewer, django_capture_on_commit_callbacks):
    surgeon = orthopaedic()
    client.force_login(reviewer)
    action = {"action": "confirm_spine_practice", "_selected_action": [surgeon.id]}

    asked = client.post(reverse(CHANGELIST), action)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse(CHANGELIST), {**action, "apply": "1", "reason": "Case log: 140 lumbar fusions in 2025."})

    assert "Confirm spine practice" in asked.text and "reason" in asked.text
    surgeon.refresh_from_db()
    assert surgeon.spine_scope == SpineScope.CONFIRMED and surgeon in Surgeon.objects.public()
    assert (surgeon.spine_practice_confirmed_by, surgeon.spine_practice_confirmation) == (
        reviewer,
        "Case log: 140 lumbar fusions in 2025.",
    )
    assert "Spine practice confirmed by reviewer1 on " in surgeon.spine_scope_explanation
    assert len(callbacks) == 1  # an eligibility event: the surgeon's lists follow


def test_a_confirmation_without_a_reason_changes_nothing(client, reviewer):
    surgeon = orthopaedic()
    client.force_login(reviewer)

    page = client.post(
        reverse(CHANGELIST),
        {"action": "confirm_spine_practice", "_selected_action": [surgeon.id], "apply": "1", "reason": " "},
    )

    assert "This field is required" in page.text
    surgeon.refresh_from_db()
    assert surgeon.spine_scope == SpineScope.NOT_SHOWN and surgeon.spine_practice_confirmed_at is None


def test_a_confirmation_can_be_withdrawn(client, reviewer):
    surgeon = orthopaedic(spine_practice_confirmed_at=timezone.now(), spine_practice_confirmation="Case log.")
    client.force_login(reviewer)

    client.post(
        reverse(CHANGELIST), {"action": "withdraw_spine_practice_confirmation", "_selected_action": [surgeon.id]}
    )

    surgeon.refresh_from_db()
    assert surgeon.spine_scope == SpineScope.NOT_SHOWN and surgeon.spine_practice_confirmation == ""


def test_staff_without_the_reviewer_permission_cannot_confirm(client, roles):
    clerk = User.objects.create_user("clerk", password="pw-Very-long-123", is_staff=True)
    clerk.user_permissions.add(*Group.objects.get(name="Reviewer").permissions.filter(codename="view_surgeon"))
    surgeon = orthopaedic()
    client.force_login(clerk)

    client.post(
        reverse(CHANGELIST),
        {"action": "confirm_spine_practice", "_selected_action": [surgeon.id], "apply": "1", "reason": "Because."},
    )

    surgeon.refresh_from_db()
    assert surgeon.spine_scope == SpineScope.NOT_SHOWN


# --- Review items from sources ---


def test_a_reviewer_resolves_a_review_item_with_a_note(client, reviewer):
    item = SourceDiscrepancy.objects.create(
        surgeon=factories.SurgeonFactory(), kind=SourceDiscrepancy.Kind.NPPES_NOT_RETURNED, detail="Not returned."
    )
    client.force_login(reviewer)

    client.post(
        reverse("admin:verification_sourcediscrepancy_change", args=[item.id]),
        {"resolution": "Practice moved to Katy; NPPES updated, surgeon kept."},
    )

    item.refresh_from_db()
    assert (item.resolved_by, item.resolution) == (reviewer, "Practice moved to Katy; NPPES updated, surgeon kept.")
    assert item.resolved_at is not None
