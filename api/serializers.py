"""Explicit output shapes of the partner API: every field listed on purpose, no private field anywhere."""

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import selectors


class CitySerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    state = serializers.CharField()
    has_list = serializers.BooleanField(help_text="A top-ten list is published")
    surgeon_count = serializers.IntegerField(help_text="Surgeons practising here according to the directory")


class CheckStatusSerializer(serializers.Serializer):
    check = serializers.CharField(source="check_key")
    title = serializers.CharField(source="check_title")
    status = serializers.CharField(source="effective_outcome", help_text="pass, fail, unknown, needs_review, …")
    method = serializers.CharField(help_text="primary_source, secondary_source, attested_document, format_only")
    source = serializers.CharField()
    reason = serializers.CharField(help_text="Plain-language summary of the evidence")
    checked_at = serializers.DateTimeField()
    valid_until = serializers.DateField(allow_null=True)
    reviewer_decided = serializers.BooleanField(source="is_overridden")


class PracticeSerializer(serializers.Serializer):
    name = serializers.CharField(source="practice_name")
    address_line1 = serializers.CharField()
    address_line2 = serializers.CharField()
    city = serializers.CharField(source="city.name")
    state = serializers.CharField(source="city.state")
    postal_code = serializers.CharField()
    phone = serializers.CharField()


class SurgeonSummarySerializer(serializers.Serializer):
    npi = serializers.CharField()
    name = serializers.CharField(source="display_name")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    degree = serializers.CharField()
    specialty_code = serializers.CharField(source="specialty", help_text="NUCC taxonomy code")
    specialty = serializers.CharField(source="get_specialty_display")
    accepting_new_patients = serializers.BooleanField()
    languages = serializers.ListField(child=serializers.CharField(), source="language_list")
    practices = PracticeSerializer(many=True, source="locations.all")


class ListingSerializer(serializers.Serializer):
    city = serializers.SlugField(source="snapshot.city.slug")
    rank = serializers.IntegerField()
    snapshot_id = serializers.IntegerField()
    published_at = serializers.DateTimeField(source="snapshot.published_at")


class SurgeonListItemSerializer(SurgeonSummarySerializer):
    """A surgeon in the list: enough to show them without one call per surgeon."""

    eligible = serializers.SerializerMethodField(help_text="Passes every check today (as publication decides)")
    listings = serializers.SerializerMethodField(help_text="The current published lists the surgeon is on")
    profile_url = serializers.SerializerMethodField(help_text="The surgeon's public profile page")

    def get_eligible(self, surgeon) -> bool:
        return selectors.surgeon_eligible(surgeon, as_of=timezone.localdate())

    @extend_schema_field(ListingSerializer(many=True))
    def get_listings(self, surgeon) -> list:
        return ListingSerializer(selectors.surgeon_listings_shown(surgeon, as_of=timezone.localdate()), many=True).data

    def get_profile_url(self, surgeon) -> str:
        return f"{settings.SITE_URL}{surgeon.get_absolute_url()}"


class SurgeonDetailSerializer(SurgeonListItemSerializer):
    bio = serializers.CharField()
    checks = CheckStatusSerializer(many=True)


class RankingEntrySerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    surgeon = SurgeonSummarySerializer()
    adjusted_satisfaction = serializers.DecimalField(max_digits=5, decimal_places=3)
    satisfaction_score = serializers.DecimalField(max_digits=4, decimal_places=2)
    satisfaction_responses = serializers.IntegerField()
    verified_procedures = serializers.IntegerField()
    years_in_practice = serializers.IntegerField()
    checks = CheckStatusSerializer(many=True, source="badges")


class SnapshotSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    city = serializers.SlugField(source="city.slug")
    status = serializers.CharField()
    reason = serializers.CharField()
    method_version = serializers.CharField()
    published_at = serializers.DateTimeField()
    note = serializers.CharField()


class TopTenSerializer(SnapshotSummarySerializer):
    method_url = serializers.URLField()
    entries = RankingEntrySerializer(many=True, source="entries_list")


class EducationPageSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary = serializers.CharField()
    last_reviewed = serializers.DateField()
    url = serializers.URLField()


class EducationPageDetailSerializer(EducationPageSerializer):
    body_html = serializers.CharField(help_text="The page's article as HTML")
    references = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
