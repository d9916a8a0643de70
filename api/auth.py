"""Partner keys: authentication (401), active-partner permission (403) and a per-key throttle (429)."""

from rest_framework import authentication, exceptions, permissions, throttling

from .models import PartnerAPIKey

KEYWORD = "Api-Key"


class PartnerKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <key>`; a missing header is anonymous, a wrong or revoked key is refused."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        keyword, _, key = header.partition(" ")
        if keyword != KEYWORD or not key.strip():
            raise exceptions.AuthenticationFailed(f"Send your key as 'Authorization: {KEYWORD} <key>'.")
        try:
            api_key = PartnerAPIKey.objects.get_from_key(key.strip())
        except PartnerAPIKey.DoesNotExist:
            api_key = None
        if api_key is None or api_key.revoked or api_key.has_expired:
            raise exceptions.AuthenticationFailed("This API key is not valid, or it was revoked or has expired.")
        return (None, api_key)

    def authenticate_header(self, request):
        return KEYWORD


class IsActivePartner(permissions.BasePermission):
    message = "This partner account is not active."

    def has_permission(self, request, view):
        if request.auth is None:
            raise exceptions.NotAuthenticated(f"An API key is required: 'Authorization: {KEYWORD} <key>'.")
        return request.auth.partner.active


class PartnerKeyThrottle(throttling.SimpleRateThrottle):
    """Each key gets its partner's rate; the cache holds the request history."""

    scope = "partner"

    def get_rate(self):
        return None  # set per request in allow_request

    def allow_request(self, request, view):
        if request.auth is None:
            return True
        self.rate = request.auth.partner.throttle_rate
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}
