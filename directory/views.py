"""Public pages: thin views over selectors."""

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from config.client import client_address

from . import consultations, selectors
from .education import PAGES, REFERENCES, education_neighbours, education_page_get
from .forms import ConsultationForm
from .npi import is_valid_npi
from .seo import medical_webpage_jsonld


@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@require_GET
def language_choose(request, code):
    """The language switcher: remember the patient's choice and show the page they were on in that language."""
    if code not in dict(settings.LANGUAGES):
        raise Http404("No such language")
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = "/"
    with translation.override(translation.get_language_from_path(target) or settings.LANGUAGE_CODE):
        target = translate_url(target, code)  # resolved in the language of the page the patient was on
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax", secure=request.is_secure()
    )
    return response


@require_GET
def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /search/", f"Sitemap: {settings.SITE_URL}/sitemap.xml"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_GET
def education_index(request):
    context = {"pages": PAGES}
    return render(request, "directory/education_index.html", context)


@require_GET
def education_detail(request, slug):
    page = education_page_get(slug)
    if page is None:
        raise Http404("No such page")
    previous_page, next_page = education_neighbours(page)
    url = settings.SITE_URL + reverse("directory:education", args=[page.slug])
    context = {
        "page": page,
        "pages": PAGES,
        "references": REFERENCES,
        "previous_page": previous_page,
        "next_page": next_page,
        "jsonld": medical_webpage_jsonld(page, url=url, references=REFERENCES),
    }
    return render(request, "directory/education_page.html", context)


@require_GET
def how_we_verify(request):
    # The page quotes the live thresholds, so it cannot drift from what the checks enforce.
    names = [
        "EXPERIENCE_MIN_YEARS",
        "EXPERIENCE_MIN_PROCEDURES",
        "SATISFACTION_MIN_SCORE",
        "SATISFACTION_MIN_RESPONSES",
        "MALPRACTICE_MIN_PER_CLAIM",
        "MALPRACTICE_MIN_AGGREGATE",
        "SANCTIONS_LOOKBACK_YEARS",
        "RANKING_METHOD_VERSION",
        "RANKING_LIST_SIZE",
        "RANKING_PRIOR_WEIGHT",
        "RANKING_MAX_CHANGES_WITHOUT_APPROVAL",
    ]
    return render(request, "directory/how_we_verify.html", {name.lower(): getattr(settings, name) for name in names})


@require_GET
def privacy(request):
    return render(request, "directory/privacy.html", _retention())


@require_http_methods(["GET", "POST"])
def consultation_request(request, npi):
    if not is_valid_npi(npi):
        raise Http404("No surgeon with that NPI")
    surgeon = selectors.surgeon_get(npi=npi)
    form = ConsultationForm(
        request.POST or None, surgeon=surgeon, initial={"practice": _practice_from(request, surgeon)}
    )
    context = {"surgeon": surgeon, "form": form, **_retention()}
    if request.method == "POST" and form.is_valid():
        if not form.is_bot:
            try:
                consultations.consultation_request_create(
                    surgeon=surgeon,
                    location=form.cleaned_data["practice"],
                    data=form.request_data(),
                    client=consultations.client_key(client_address(request)),
                )
            except consultations.RateLimited:
                return render(
                    request, "directory/consultation_form.html", {**context, "rate_limited": True}, status=429
                )
        return redirect("directory:consultation_sent", npi=npi)
    return render(request, "directory/consultation_form.html", context)


def _practice_from(request, surgeon):
    """The practice the patient came from (?practice=<id> on list and search links), else the primary one."""
    locations = list(surgeon.locations.all())
    chosen = request.GET.get("practice", "")
    return next((loc for loc in locations if str(loc.id) == chosen), locations[0] if locations else None)


@require_GET
def consultation_sent(request, npi):
    surgeon = selectors.surgeon_get(npi=npi) if is_valid_npi(npi) else None
    if surgeon is None:
        raise Http404("No surgeon with that NPI")
    return render(request, "directory/consultation_sent.html", {"surgeon": surgeon, **_retention()})


def _retention() -> dict:
    return {"retention_days": settings.CONSULTATION_RETENTION_DAYS}
