"""Admin for the directory: every record searchable and filterable."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from . import models
from .documents import evidence_file_inspect


class EvidenceDocumentForm(forms.ModelForm):
    class Meta:
        model = models.EvidenceDocument
        fields = ["kind", "file"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            self.inspected = evidence_file_inspect(upload)
        return upload

    def save(self, commit=True):
        document = super().save(commit=False)
        for field, value in getattr(self, "inspected", {}).items():
            setattr(document, field, value)
        if commit:
            document.save()
        return document


class EvidenceDocumentInline(admin.TabularInline):
    model = models.EvidenceDocument
    form = EvidenceDocumentForm
    extra = 0
    fields = ["kind", "file", "download", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = ["download", "content_type", "size", "uploaded_by", "uploaded_at"]

    @admin.display(description="open")
    def download(self, document):
        if not document.pk:
            return "—"
        url = reverse("admin:directory_evidencedocument_download", args=[document.pk])
        return format_html('<a href="{}">download</a>', url)


class EvidenceAdmin(SimpleHistoryAdmin):
    """Credential records with their evidence documents; the uploader is recorded."""

    inlines = [EvidenceDocumentInline]

    def save_formset(self, request, form, formset, change):
        for document in formset.save(commit=False):
            if isinstance(document, models.EvidenceDocument) and document.uploaded_by_id is None:
                document.uploaded_by = request.user
            document.save()
        for document in formset.deleted_objects:
            document.delete()


@admin.register(models.City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "state", "slug"]
    list_filter = ["state"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name", "state"]}


class PracticeLocationInline(admin.TabularInline):
    model = models.PracticeLocation
    autocomplete_fields = ["city"]
    extra = 0


class StateLicenseInline(admin.TabularInline):
    model = models.StateLicense
    extra = 0
    show_change_link = True


class BoardCertificationInline(admin.TabularInline):
    model = models.BoardCertification
    extra = 0


class DEARegistrationInline(admin.TabularInline):
    model = models.DEARegistration
    extra = 0


class StateControlledSubstanceRegistrationInline(admin.TabularInline):
    model = models.StateControlledSubstanceRegistration
    extra = 0


class MalpracticePolicyInline(admin.TabularInline):
    model = models.MalpracticePolicy
    extra = 0


class SatisfactionScoreInline(admin.TabularInline):
    model = models.SatisfactionScore
    extra = 0


@admin.register(models.Surgeon)
class SurgeonAdmin(SimpleHistoryAdmin):
    list_display = ["npi", "last_name", "first_name", "degree", "specialty", "spine_scope", "accepting_new_patients"]
    list_filter = ["spine_scope", "specialty", "degree", "accepting_new_patients", "locations__city__state"]
    # Why the surgeon is (not) in the spine directory; a reviewer confirms spine practice with the list action.
    readonly_fields = [
        "spine_scope_explanation", "spine_volume_peak", "spine_volume_peak_year", "spine_practice_confirmed_at",
        "spine_practice_confirmed_by", "spine_practice_confirmation",
    ]  # fmt: skip
    search_fields = ["npi", "last_name", "first_name"]
    list_per_page = 50
    show_full_result_count = False  # COUNT(*) over 100k rows on every page is wasted work
    inlines = [
        PracticeLocationInline,
        StateLicenseInline,
        BoardCertificationInline,
        DEARegistrationInline,
        StateControlledSubstanceRegistrationInline,
        MalpracticePolicyInline,
        SatisfactionScoreInline,
    ]


class SurgeonRecordAdmin(EvidenceAdmin):
    """Shared shape for records that belong to one surgeon."""

    raw_id_fields = ["surgeon"]
    list_select_related = ["surgeon"]
    search_fields = ["surgeon__npi", "surgeon__last_name"]
    show_full_result_count = False


@admin.register(models.PracticeGroup)
class PracticeGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "pac_id"]
    search_fields = ["name", "=pac_id"]


@admin.register(models.PracticeLocation)
class PracticeLocationAdmin(SurgeonRecordAdmin):
    inlines = []
    list_display = ["__str__", "surgeon", "group", "city", "postal_code", "phone", "is_primary"]
    list_filter = ["city__state", "is_primary"]
    list_select_related = ["surgeon", "city", "group"]
    search_fields = [*SurgeonRecordAdmin.search_fields, "practice_name", "postal_code", "city__name"]
    autocomplete_fields = ["city"]
    raw_id_fields = [*SurgeonRecordAdmin.raw_id_fields, "group"]


class DisciplinaryActionInline(admin.TabularInline):
    model = models.DisciplinaryAction
    extra = 0


@admin.register(models.StateLicense)
class StateLicenseAdmin(SurgeonRecordAdmin):
    list_display = ["number", "state", "surgeon", "status", "first_issued", "expires", "evidence_method"]
    list_filter = ["state", "status", "evidence_method"]
    search_fields = [*SurgeonRecordAdmin.search_fields, "number"]
    inlines = [DisciplinaryActionInline, EvidenceDocumentInline]


@admin.register(models.DisciplinaryAction)
class DisciplinaryActionAdmin(admin.ModelAdmin):
    list_display = ["license", "action_date", "severity", "description"]
    list_filter = ["severity"]
    raw_id_fields = ["license"]
    list_select_related = ["license"]
    search_fields = ["license__number", "license__surgeon__npi", "description"]


@admin.register(models.BoardCertification)
class BoardCertificationAdmin(SurgeonRecordAdmin):
    list_display = ["surgeon", "board", "specialty", "certified_on", "expires", "status", "evidence_method"]
    list_filter = ["board", "status", "evidence_method"]


@admin.register(models.DEARegistration)
class DEARegistrationAdmin(SurgeonRecordAdmin):
    list_display = ["surgeon", "masked_number", "state", "expires", "status", "evidence_method"]
    list_filter = ["state", "status", "evidence_method"]
    search_fields = [*SurgeonRecordAdmin.search_fields, "=number"]


@admin.register(models.StateControlledSubstanceRegistration)
class StateControlledSubstanceRegistrationAdmin(SurgeonRecordAdmin):
    list_display = ["surgeon", "state", "expires", "status", "evidence_method"]
    list_filter = ["state", "status", "evidence_method"]


@admin.register(models.MalpracticePolicy)
class MalpracticePolicyAdmin(SurgeonRecordAdmin):
    list_display = ["surgeon", "carrier", "per_claim_limit", "aggregate_limit", "effective", "expires"]
    list_filter = ["carrier", "evidence_method"]
    search_fields = [*SurgeonRecordAdmin.search_fields, "policy_number", "carrier"]


@admin.register(models.ProcedureVolume)
class ProcedureVolumeAdmin(SurgeonRecordAdmin):
    inlines = []
    list_display = ["surgeon", "source", "period", "cpt_code", "count"]
    list_filter = ["source", "period"]
    search_fields = [*SurgeonRecordAdmin.search_fields, "=cpt_code"]


@admin.register(models.SatisfactionScore)
class SatisfactionScoreAdmin(SurgeonRecordAdmin):
    inlines = []
    list_display = ["surgeon", "score", "responses", "period_start", "period_end", "verified_patients_only"]
    list_filter = ["verified_patients_only", "source"]


@admin.register(models.EvidenceDocument)
class EvidenceDocumentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["kind", "content_type"]
    readonly_fields = ["content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    raw_id_fields = ["license", "board_certification", "dea_registration", "csr_registration", "malpractice_policy"]

    def has_add_permission(self, request):
        return False  # documents are uploaded on the credential they prove

    def get_urls(self):
        download = self.admin_site.admin_view(self.download_view)
        return [path("<int:pk>/download/", download, name="directory_evidencedocument_download"), *super().get_urls()]

    def download_view(self, request, pk):
        if not request.user.has_perm("directory.view_evidencedocument"):
            raise PermissionDenied
        document = get_object_or_404(models.EvidenceDocument, pk=pk)
        response = FileResponse(document.file.open("rb"), as_attachment=True, content_type=document.content_type)
        response["Cache-Control"] = "private, no-store"
        return response


@admin.register(models.ConsultationRequest)
class ConsultationRequestAdmin(admin.ModelAdmin):
    """Patients' requests: only for staff holding the dedicated permission; read-only."""

    list_display = ["id", "surgeon", "created_at", "delivery", "sent_at"]
    list_filter = ["delivery"]
    list_select_related = ["surgeon"]
    raw_id_fields = ["surgeon", "location"]
    readonly_fields = [f.name for f in models.ConsultationRequest._meta.fields]

    def _may_see(self, request):
        return request.user.is_active and request.user.has_perm("directory.see_consultationrequest")

    def has_module_permission(self, request):
        return self._may_see(request)

    def has_view_permission(self, request, obj=None):
        return self._may_see(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
