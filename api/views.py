"""Partner API v1: thin read-only views over the selectors."""

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from directory.education import PAGES, REFERENCES, education_page_get
from directory.npi import is_valid_npi
from verification import rendering

from . import selectors, serializers
from .auth import PrivateAnswers
from .filters import STATE_OR_EMPTY, CityFilter, SurgeonFilter

STATE_PARAMETER = extend_schema(
    parameters=[
        OpenApiParameter(
            "state", str, description="Two-letter state code, e.g. TX (empty: all states)", pattern=STATE_OR_EMPTY
        )
    ]
)

# Private: a shared cache must never hand a keyed answer to a client without a key (ETag still revalidates).
CACHE_CONTROL = "private, max-age=300"


class KnownQueryParametersOnly:
    """An unknown query parameter is a 400, so a partner's typo (`?stat=TX`) never silently returns everything."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        filterset_class = getattr(self, "filterset_class", None)
        known = set(filterset_class.base_filters) if filterset_class else set()
        paginator = getattr(self, "paginator", None)  # only list views have one
        if paginator:
            known |= {paginator.page_query_param, paginator.page_size_query_param}
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise ValidationError({name: ["Unknown query parameter."] for name in unknown})


@STATE_PARAMETER
class CityListApi(KnownQueryParametersOnly, PrivateAnswers, generics.ListAPIView):
    serializer_class = serializers.CitySerializer
    filterset_class = CityFilter

    def get_queryset(self):
        return selectors.city_list()


NOT_MODIFIED = OpenApiResponse(description="Not modified since the ETag or date sent.")


def snapshot_response(request, snapshot_id: int) -> HttpResponse:
    """A published list as JSON, from the bytes rendered when it was published, with ETag and Last-Modified."""
    response = rendering.rendered_response(request, snapshot_id=snapshot_id, variant=rendering.TOP_TEN)
    response["Cache-Control"] = CACHE_CONTROL
    return response


@extend_schema(responses={200: serializers.TopTenSerializer, 304: NOT_MODIFIED})
class CityTopTenApi(KnownQueryParametersOnly, PrivateAnswers, APIView):
    """The city's current list. Conditional requests with If-None-Match or If-Modified-Since get 304."""

    def get(self, request, slug):
        response = rendering.current_list_response(
            request, slug=slug, variant=rendering.TOP_TEN, pointer_fresh=selectors.current_pointer
        )
        response["Cache-Control"] = CACHE_CONTROL
        return response


@extend_schema(responses={200: serializers.TopTenSerializer, 304: NOT_MODIFIED})
class CitySnapshotDetailApi(KnownQueryParametersOnly, PrivateAnswers, APIView):
    """One of the city's lists, current or superseded, by the id the snapshot list gives (drafts are never shown)."""

    def get(self, request, slug, snapshot_id):
        return snapshot_response(request, selectors.city_snapshot_id(slug=slug, snapshot_id=snapshot_id))


class CitySnapshotListApi(KnownQueryParametersOnly, PrivateAnswers, generics.ListAPIView):
    """The city's published lists, newest first (current and superseded)."""

    serializer_class = serializers.SnapshotSummarySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no URL kwargs
            return selectors.RankingSnapshot.objects.none()
        return selectors.city_snapshots(slug=self.kwargs["slug"])


@STATE_PARAMETER
class SurgeonListApi(KnownQueryParametersOnly, PrivateAnswers, generics.ListAPIView):
    serializer_class = serializers.SurgeonListItemSerializer
    filterset_class = SurgeonFilter

    def get_queryset(self):
        return selectors.surgeon_list()


@extend_schema(responses=serializers.SurgeonDetailSerializer)
class SurgeonDetailApi(KnownQueryParametersOnly, PrivateAnswers, APIView):
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
class EducationListApi(KnownQueryParametersOnly, PrivateAnswers, APIView):
    def get(self, request):
        rows = [_education_row(page, request) for page in PAGES]
        return Response(serializers.EducationPageSerializer(rows, many=True).data)


@extend_schema(responses=serializers.EducationPageDetailSerializer)
class EducationDetailApi(KnownQueryParametersOnly, PrivateAnswers, APIView):
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
