"""Admin for the directory: every record searchable and filterable."""

from django.contrib import admin

from . import models


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
class SurgeonAdmin(admin.ModelAdmin):
    list_display = ["npi", "last_name", "first_name", "degree", "specialty", "accepting_new_patients"]
    list_filter = ["specialty", "degree", "accepting_new_patients", "locations__city__state"]
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


class SurgeonRecordAdmin(admin.ModelAdmin):
    """Shared shape for records that belong to one surgeon."""

    raw_id_fields = ["surgeon"]
    list_select_related = ["surgeon"]
    search_fields = ["surgeon__npi", "surgeon__last_name"]
    show_full_result_count = False


@admin.register(models.PracticeLocation)
class PracticeLocationAdmin(SurgeonRecordAdmin):
    list_display = ["practice_name", "surgeon", "city", "postal_code", "is_primary"]
    list_filter = ["city__state", "is_primary"]
    list_select_related = ["surgeon", "city"]
    search_fields = [*SurgeonRecordAdmin.search_fields, "practice_name", "postal_code", "city__name"]
    autocomplete_fields = ["city"]


class DisciplinaryActionInline(admin.TabularInline):
    model = models.DisciplinaryAction
    extra = 0


@admin.register(models.StateLicense)
class StateLicenseAdmin(SurgeonRecordAdmin):
    list_display = ["number", "state", "surgeon", "status", "first_issued", "expires", "evidence_method"]
    list_filter = ["state", "status", "evidence_method"]
    search_fields = [*SurgeonRecordAdmin.search_fields, "number"]
    inlines = [DisciplinaryActionInline]


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
    list_display = ["surgeon", "source", "period", "cpt_code", "count"]
    list_filter = ["source", "period"]
    search_fields = [*SurgeonRecordAdmin.search_fields, "=cpt_code"]


@admin.register(models.SatisfactionScore)
class SatisfactionScoreAdmin(SurgeonRecordAdmin):
    list_display = ["surgeon", "score", "responses", "period_start", "period_end", "verified_patients_only"]
    list_filter = ["verified_patients_only", "source"]
