import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directory.models import EvidenceDocument
from verification import publication
from verification.models import CheckResult, CityListPointer, ExclusionRecord, RankingSnapshot, ReviewDecision

from .test_runs import run_sync

pytestmark = pytest.mark.django_db
QUEUE = "admin:verification_review_queue"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def reviewer(make_staff):
    return make_staff("Reviewer")


@pytest.fixture
def publisher(make_staff):
    return make_staff("Publisher")


@pytest.fixture
def ambiguous(make_clean_surgeon, exclusion_list_loaded):
    """Eleven clean surgeons and one whose name matches an exclusion row without an NPI."""
    clean = [make_clean_surgeon() for _ in range(11)]
    suspect = make_clean_surgeon(first_name="Maria", last_name="Lopez")
    ExclusionRecord.objects.create(row_hash="amb", last_name="LOPEZ", first_name="MARIA", state="TX")
    run_sync()
    result = CheckResult.objects.get(surgeon=suspect, check_key="license_sanctions", is_current=True)
    return clean, suspect, result


@pytest.mark.parametrize("name", [QUEUE, "admin:verification_dashboard"])
def test_anonymous_users_go_to_the_login_page(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_roles_exist_and_only_publishers_may_publish(reviewer, publisher):
    assert reviewer.has_perm("verification.override_checkresult")
    assert not reviewer.has_perm("verification.publish_rankingsnapshot")
    assert publisher.has_perm("verification.publish_rankingsnapshot")
    assert publisher.has_perm("api.add_partnerapikey") and not reviewer.has_perm("api.add_partnerapikey")


def test_reviewer_sees_the_ambiguous_match_in_the_queue(client, reviewer, ambiguous):
    client.force_login(reviewer)
    text = client.get(reverse(QUEUE)).text
    assert "Lopez" in text and "License and sanctions" in text
    assert "Lopez" not in client.get(reverse(QUEUE), {"check": "dea"}).text


def test_review_page_shows_the_exclusion_row_beside_the_surgeon(client, reviewer, ambiguous):
    _, suspect, result = ambiguous
    client.force_login(reviewer)
    text = client.get(reverse("admin:verification_checkresult_review_item", args=[result.id])).text
    assert "Exclusion-list rows that matched" in text and "LOPEZ, MARIA" in text
    assert suspect.npi in text


def test_a_decision_without_a_reason_is_refused(client, reviewer, ambiguous):
    *_, result = ambiguous
    client.force_login(reviewer)
    url = reverse("admin:verification_checkresult_review_item", args=[result.id])
    response = client.post(url, {"outcome": "pass", "reason": ""})
    assert "This field is required" in response.text
    assert not ReviewDecision.objects.exists()


def test_an_override_is_recorded_and_puts_the_surgeon_on_the_list(client, reviewer, ambiguous, city):
    clean, suspect, result = ambiguous
    publication.rankings_publish(run=result.run)
    assert suspect.id not in CityListPointer.objects.get(city=city).snapshot.entries.values_list(
        "surgeon_id", flat=True
    )
    suspect.satisfaction_scores.update(score="9.99", responses=900)
    run_sync(kind="manual", surgeon_ids=[suspect.id])
    current = CheckResult.objects.get(surgeon=suspect, check_key="license_sanctions", is_current=True)
    client.force_login(reviewer)
    url = reverse("admin:verification_checkresult_review_item", args=[current.id])
    client.post(url, {"outcome": "pass", "reason": "Different person: birth year differs"})
    decision = ReviewDecision.objects.get()
    assert (decision.decided_by, decision.from_outcome, decision.to_outcome) == (reviewer, "needs_review", "pass")
    publication.rankings_publish()
    top = CityListPointer.objects.get(city=city).snapshot.entries.get(rank=1)
    assert top.surgeon_id == suspect.id
    assert "Different person" in client.get(url).text


def test_a_reviewer_cannot_approve_a_snapshot(client, reviewer, ambiguous, city):
    publication.rankings_publish(run=ambiguous[2].run)
    snapshot = RankingSnapshot.objects.get()
    client.force_login(reviewer)
    url = reverse("admin:verification_rankingsnapshot_changelist")
    assert "approve_and_publish" not in client.get(url).text
    response = client.post(url, {"action": "approve_and_publish", "_selected_action": [snapshot.id]})
    assert response.status_code in (200, 302)
    snapshot.refresh_from_db()
    assert snapshot.approved_by is None


def test_a_publisher_approves_a_waiting_list(client, publisher, ambiguous, city, settings):
    settings.RANKING_MAX_CHANGES_WITHOUT_APPROVAL = 0
    clean, *_ = ambiguous
    publication.rankings_publish(run=ambiguous[2].run)
    clean[-1].satisfaction_scores.update(score="9.99", responses=900)
    for surgeon in clean[:2]:
        surgeon.satisfaction_scores.update(score="8.60", responses=31)
    run_sync(kind="manual")
    publication.rankings_publish()
    waiting = RankingSnapshot.objects.get(status="awaiting_approval")
    client.force_login(publisher)
    client.post(
        reverse("admin:verification_rankingsnapshot_changelist"),
        {"action": "approve_and_publish", "_selected_action": [waiting.id], "apply": "1"},
    )
    waiting.refresh_from_db()
    assert waiting.status == "published" and waiting.approved_by == publisher


def test_nobody_can_edit_a_published_snapshot(client, admin_user, ambiguous):
    publication.rankings_publish(run=ambiguous[2].run)
    snapshot = RankingSnapshot.objects.get()
    client.force_login(admin_user)
    url = reverse("admin:verification_rankingsnapshot_change", args=[snapshot.id])
    response = client.post(url, {"status": "draft", "note": "edited"})
    snapshot.refresh_from_db()
    assert response.status_code == 403 or snapshot.status == "published"
    assert snapshot.note != "edited"


def _upload(client, user, license, name, content):
    client.force_login(user)
    url = reverse("admin:directory_statelicense_change", args=[license.id])
    data = {
        "surgeon": license.surgeon_id,
        "state": license.state,
        "number": license.number,
        "first_issued": license.first_issued,
        "expires": license.expires,
        "status": license.status,
        "evidence_method": license.evidence_method,
        "evidence_source": license.evidence_source,
        "evidence_obtained_on": "",
        "actions-TOTAL_FORMS": 0,
        "actions-INITIAL_FORMS": 0,
        "documents-TOTAL_FORMS": 1,
        "documents-INITIAL_FORMS": 0,
        "documents-0-kind": "state_board_profile",
        "documents-0-file": SimpleUploadedFile(name, content, content_type="application/pdf"),
    }
    return client.post(url, data)


def test_a_pdf_upload_is_stored_with_its_type_size_hash_and_uploader(client, reviewer, surgeon, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = _upload(client, reviewer, surgeon.licenses.get(), "profile.pdf", PDF)
    assert response.status_code == 302, response.text[:2000]
    document = EvidenceDocument.objects.get()
    assert (document.content_type, document.size, document.uploaded_by) == ("application/pdf", len(PDF), reviewer)


def test_an_upload_named_pdf_that_is_not_a_pdf_is_refused(client, reviewer, surgeon, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = _upload(client, reviewer, surgeon.licenses.get(), "profile.pdf", b"MZ\x90\x00 not a pdf")
    assert "Only PDF, PNG or JPEG files are accepted" in response.text
    assert not EvidenceDocument.objects.exists()


def test_an_upload_over_the_size_limit_is_refused(client, reviewer, surgeon, settings, tmp_path):
    settings.MEDIA_ROOT, settings.EVIDENCE_MAX_BYTES = tmp_path, 1024
    response = _upload(client, reviewer, surgeon.licenses.get(), "big.pdf", PDF + b"0" * 2048)
    assert "the limit is" in response.text
    assert not EvidenceDocument.objects.exists()


def test_evidence_is_served_only_to_staff(client, reviewer, surgeon, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _upload(client, reviewer, surgeon.licenses.get(), "profile.pdf", PDF)
    url = reverse("admin:directory_evidencedocument_download", args=[EvidenceDocument.objects.get().id])
    assert b"".join(client.get(url).streaming_content) == PDF
    client.logout()
    assert client.get(url).status_code == 302
    assert client.get("/media/" + EvidenceDocument.objects.get().file.name).status_code == 404


def test_review_decisions_export_as_csv(client, admin_user, ambiguous):
    *_, result = ambiguous
    from verification import services

    services.result_override(result_id=result.id, to_outcome="fail", reason="Same DOB on the LEIE row", user=admin_user)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:verification_reviewdecision_changelist"),
        {"action": "export_csv", "_selected_action": [ReviewDecision.objects.get().id]},
    )
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0] == "decided_at,decided_by,npi,check,from,to,reason"
    assert "Same DOB on the LEIE row" in body


def test_bulk_rerun_starts_a_manual_run_for_the_selected_surgeons(client, reviewer, ambiguous):
    clean, *_ = ambiguous
    client.force_login(reviewer)
    client.post(
        reverse("admin:directory_surgeon_changelist"),
        {"action": "rerun_verification", "_selected_action": [clean[0].id, clean[1].id]},
    )
    from verification.models import VerificationRun

    run = VerificationRun.objects.get(kind="manual")
    assert run.surgeons_total == 2


def test_dashboard_and_queue_run_a_bounded_number_of_queries(
    client, reviewer, ambiguous, make_clean_surgeon, django_assert_max_num_queries
):
    client.force_login(reviewer)
    client.get(reverse("admin:verification_dashboard"))
    for _ in range(10):
        make_clean_surgeon()
    run_sync(kind="manual")
    with django_assert_max_num_queries(25):
        assert client.get(reverse("admin:verification_dashboard")).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(reverse(QUEUE)).status_code == 200


def test_dashboard_draws_the_charts_and_lists_expiring_credentials(client, reviewer, ambiguous):
    client.force_login(reviewer)
    text = client.get(reverse("admin:verification_dashboard")).text
    assert '<svg role="img" aria-label="Outcomes by check"' in text
    assert "Eligible and listed surgeons per city" in text
    assert "Credentials expiring in the next 60 days" in text


# --- the admin as a new reviewer found it (issue 13, item 10) ---


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_the_librarys_own_api_keys_admin_is_gone(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/rest_framework_api_key/apikey/").status_code == 404
    index = client.get(reverse("admin:index")).text
    assert "API Key Permissions" not in index and "/admin/rest_framework_api_key/" not in index


def test_the_dashboard_names_outcomes_and_checks_by_their_labels(client, reviewer, ambiguous):
    client.force_login(reviewer)
    text = visible_text(client.get(reverse("admin:verification_dashboard")).text)
    assert "Needs review" in text and "License and sanctions" in text
    assert "needs_review" not in text and "not_applicable" not in text and "license_sanctions" not in text


def test_a_runs_outcome_counts_read_as_labels(client, reviewer, ambiguous):
    client.force_login(reviewer)
    run = ambiguous[2].run
    text = visible_text(client.get(reverse("admin:verification_verificationrun_change", args=[run.id])).text)
    assert "License and sanctions" in text and "Needs review 1" in text
    assert "needs_review" not in text and "license_sanctions" not in text


@pytest.mark.parametrize(
    "name", ["admin:verification_checkresult_changelist", "admin:verification_reviewdecision_changelist"]
)
def test_result_and_decision_lists_show_labels_not_keys(client, admin_user, ambiguous, name):
    *_, result = ambiguous
    from verification import services

    services.result_override(result_id=result.id, to_outcome="fail", reason="Same birth date", user=admin_user)
    client.force_login(admin_user)
    text = visible_text(client.get(reverse(name)).text)
    assert "License and sanctions" in text and ("Needs review" in text or "Failed" in text)
    assert "needs_review" not in text and "license_sanctions" not in text


def test_the_snapshot_page_says_ranking_entries(client, admin_user, ambiguous):
    publication.rankings_publish(run=ambiguous[2].run)
    client.force_login(admin_user)
    text = client.get(
        reverse("admin:verification_rankingsnapshot_change", args=[RankingSnapshot.objects.get().id])
    ).text
    assert "Ranking entries" in text and "entrys" not in text.lower()


def test_the_review_queue_filters_by_a_chosen_city(client, reviewer, ambiguous, city):
    from tests import factories

    factories.CityFactory(name="Austin", state="TX", slug="austin-tx")
    client.force_login(reviewer)
    page = client.get(reverse(QUEUE)).text
    assert '<select name="city">' in page and 'name="city" value' not in page
    assert '<option value="austin-tx">Austin, TX</option>' in page
    assert f'<option value="{city.slug}">{city.name}, {city.state}</option>' in page
    assert "Lopez" in client.get(reverse(QUEUE), {"city": city.slug}).text
    chosen = client.get(reverse(QUEUE), {"city": "austin-tx"}).text
    assert "Lopez" not in chosen and '<option value="austin-tx" selected>' in chosen


def test_the_decision_starts_unchosen_and_must_be_chosen(client, reviewer, ambiguous):
    *_, result = ambiguous
    client.force_login(reviewer)
    url = reverse("admin:verification_checkresult_review_item", args=[result.id])
    form = client.get(url).text
    options = re.findall(r"<option value=\"([^\"]*)\"( selected)?>", form.split('name="outcome"', 1)[1])
    assert options[0] == ("", " selected") and [value for value, _ in options[:3]] == ["", "pass", "fail"]
    response = client.post(url, {"outcome": "", "reason": "Looked at it"})
    assert "This field is required" in response.text
    assert not ReviewDecision.objects.exists()
