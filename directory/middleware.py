"""A patient's language: an unprefixed patient page redirects to /es/ when the browser prefers Spanish.

Only until the patient picks a language with the switcher (a cookie): then their choice wins everywhere.
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers


class PreferredLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not self._negotiable(request):
            return None
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        wanted = chosen or translation.get_language_from_request(request)
        wanted = translation.get_supported_language_variant(wanted) if wanted else settings.LANGUAGE_CODE
        if wanted == settings.LANGUAGE_CODE:
            return None
        target = translate_url(request.path, wanted)
        if target == request.path:  # not a patient page: only those have a Spanish path
            return None
        query = request.META.get("QUERY_STRING", "")
        response = HttpResponseRedirect(f"{target}?{query}" if query else target)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    @staticmethod
    def _negotiable(request) -> bool:
        match = request.resolver_match
        return (
            request.method in ("GET", "HEAD")
            and match is not None
            and translation.get_language_from_path(request.path_info) is None
        )
