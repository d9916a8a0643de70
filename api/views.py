"""Partner API v1: thin read-only views over the selectors."""

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils.http import http_date, parse_http_date_safe
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from directory.education import PAGES, REFERENCES, education_page_get
from directory.npi import is_valid_npi

from . import selectors, serializers
from .filters import CityFilter, SurgeonFilter

CACHE_CONTROL = "public, max-age=300"


class CityListApi(generics.ListAPIView):
    serializer_class = serializers.CitySerializer
    filterset_class = CityFilter

    def get_queryset(self):
        return selectors.city_list()


@extend_schema(responses=serializers.TopTenSerializer)
class CityTopTenApi(APIView):
    """The city's current list. Conditional requests with If-None-Match or If-Modified-Since get 304."""

    def get(self, request, slug):
        city, snapshot = selectors.city_current_snapshot(slug=slug)
        if snapshot is None:
            raise NotFound(f"No list is published for {city} yet.")
        etag = f'"snapshot-{snapshot.id}"'
        headers = {"ETag": etag, "Last-Modified": http_date(snapshot.published_at.timestamp())}
        headers["Cache-Control"] = CACHE_CONTROL
        if _not_modified(request, etag, snapshot.published_at.timestamp()):
            return Response(status=304, headers=headers)
        key = f"api-top-ten:{snapshot.id}"
        data = cache.get(key)
        if data is None:
            data = serializers.TopTenSerializer(selectors.top_ten_get(snapshot=snapshot, request=request)).data
            cache.set(key, data, settings.CACHE_TTL_SECONDS)
        return Response(data, headers=headers)


def _not_modified(request, etag: str, modified: float) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match.strip() == "*"
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and int(modified) <= since


class CitySnapshotListApi(generics.ListAPIView):
    """The city's published lists, newest first (current and superseded)."""

    serializer_class = serializers.SnapshotSummarySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no URL kwargs
            return selectors.RankingSnapshot.objects.none()
        return selectors.city_snapshots(slug=self.kwargs["slug"])


class SurgeonListApi(generics.ListAPIView):
    serializer_class = serializers.SurgeonSummarySerializer
    filterset_class = SurgeonFilter

    def get_queryset(self):
        return selectors.surgeon_list()


@extend_schema(responses=serializers.SurgeonDetailSerializer)
class SurgeonDetailApi(APIView):
    def get(self, request, npi):
        if not is_valid_npi(npi):
            raise NotFound("No surgeon with that NPI (an NPI is 10 digits with a valid check digit).")
        surgeon = selectors.surgeon_detail_get(npi=npi)
        return Response(serializers.SurgeonDetailSerializer(surgeon).data)


def _education_row(page, request) -> dict:
    return {
        "slug": page.slug,
        "title": page.title,
        "summary": page.summary,
        "last_reviewed": page.last_reviewed,
        "url": request.build_absolute_uri(reverse("directory:education", args=[page.slug])),
    }


@extend_schema(responses=serializers.EducationPageSerializer(many=True))
class EducationListApi(APIView):
    def get(self, request):
        rows = [_education_row(page, request) for page in PAGES]
        return Response(serializers.EducationPageSerializer(rows, many=True).data)


@extend_schema(responses=serializers.EducationPageDetailSerializer)
class EducationDetailApi(APIView):
    def get(self, request, slug):
        page = education_page_get(slug)
        if page is None:
            raise NotFound(f"No education page {slug!r}.")
        row = {
            **_education_row(page, request),
            "body_html": selectors.education_article_html(page),
            "references": [{"title": r.title, "publisher": r.publisher, "url": r.url} for r in REFERENCES],
        }
        return Response(serializers.EducationPageDetailSerializer(row).data)
