"""Public pages that show verification: home, cities, a city's list, its history, surgeon profiles."""

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from directory import search as directory_search
from directory import selectors as directory_selectors
from directory.education import PAGES
from directory.npi import is_valid_npi
from directory.seo import physician_jsonld

from . import publication, rendering, selectors
from .forms import SearchForm
from .models import RankingSnapshot

SEARCH_PAGE_SIZE = 20


@require_GET
def home(request):
    context = {"cities": selectors.city_list_with_status(), "pages": PAGES}
    return render(request, "verification/home.html", context)


@require_GET
def city_index(request):
    return render(request, "verification/city_index.html", {"cities": selectors.city_list_with_status()})


@require_GET
def city_detail(request, slug):
    variant = rendering.page_variant(get_language())
    response = rendering.current_list_response(
        request, slug=slug, variant=variant, pointer_fresh=publication.city_pointer_fresh
    )
    if response is None:
        return render(request, "verification/city.html", {"city": directory_selectors.city_get(slug=slug)})
    patch_cache_control(response, public=True, max_age=300)
    return response


@require_GET
def city_history(request, slug):
    city = directory_selectors.city_get(slug=slug)
    snapshot_id = publication.city_pointer_fresh(slug=slug).snapshot_id
    context = {"city": city, "snapshots": selectors.city_snapshots_list(city=city), "current_id": snapshot_id}
    return render(request, "verification/city_history.html", context)


@require_GET
def snapshot_detail(request, slug, snapshot_id):
    snapshot = get_object_or_404(
        RankingSnapshot, id=snapshot_id, city__slug=slug, status__in=["published", "superseded"]
    )
    snapshot, entries = selectors.snapshot_with_entries(snapshot_id=snapshot.id)
    context = {"city": snapshot.city, "snapshot": snapshot, "entries": entries, "archived": True}
    return render(request, "verification/city_list.html", context)


@require_GET
def surgeon_detail(request, npi):
    """A profile, cached under what it shows (see `profile_version`), so an unchanged one is not rendered again."""
    version = selectors.profile_version(npi=npi) if is_valid_npi(npi) else None
    if version is None:
        raise Http404("No surgeon with that NPI")
    key = f"profile:{get_language()}:{npi}:{version}"
    html = cache.get(key)
    if html is None:
        surgeon = directory_selectors.surgeon_get(npi=npi, deactivated_too=True)
        jsonld = physician_jsonld(surgeon, url=settings.SITE_URL + reverse("verification:surgeon", args=[npi]))
        context = {"surgeon": surgeon, "jsonld": jsonld, **selectors.surgeon_verification_get(surgeon_id=surgeon.id)}
        html = render(request, "verification/surgeon.html", context).content
        cache.set(key, html, settings.CACHE_TTL_SECONDS)
    return HttpResponse(html)


@require_GET
def search(request):
    form = SearchForm(SearchForm.with_defaults(request.GET) if request.GET else None)
    page = found = None
    if form.is_valid() and form.has_criteria():
        data = form.cleaned_data
        found = directory_search.surgeon_search(
            text=data["q"], specialty=data["specialty"], accepting=data["accepting"], radius=data["radius"]
        )
        page = Paginator(selectors.search_results(found), SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
        for surgeon in page.object_list:
            surgeon.badges = selectors.badges_for(surgeon.current_results)
            surgeon.practice, surgeon.distance = directory_selectors.practice_shown(
                surgeon, city_ids=found.query.city_ids, origin=found.origin
            )
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "found": found,
        "query": form.cleaned_data.get("q", "") if page else "",
        "page_query": params.urlencode() + "&" if params else "",
    }
    return render(request, "verification/search.html", context)
