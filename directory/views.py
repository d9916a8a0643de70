"""Public pages: thin views over selectors."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors
from .education import PAGES, REFERENCES, education_page_get

SEARCH_PAGE_SIZE = 20
SEARCH_MAX_QUERY = 100


@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@require_GET
def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /search/", f"Sitemap: {settings.SITE_URL}/sitemap.xml"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_GET
def search(request):
    query = request.GET.get("q", "").strip()[:SEARCH_MAX_QUERY]
    page = None
    if query:
        page = Paginator(selectors.surgeon_search(query=query), SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "directory/search.html", {"query": query, "page": page})


@require_GET
def education_index(request):
    context = {"pages": PAGES}
    return render(request, "directory/education_index.html", context)


@require_GET
def education_detail(request, slug):
    page = education_page_get(slug)
    if page is None:
        raise Http404("No such page")
    context = {"page": page, "pages": PAGES, "references": REFERENCES}
    return render(request, page.template, context)


@require_GET
def how_we_verify(request):
    return render(request, "directory/how_we_verify.html")


@require_GET
def privacy(request):
    return render(request, "directory/privacy.html")
