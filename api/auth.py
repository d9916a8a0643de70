"""Partner keys: authentication (401), active-partner permission (403) and a per-key throttle (429)."""

import logging
import time

from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.utils.cache import patch_cache_control
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError
from rest_framework import authentication, exceptions, permissions, throttling

from .models import PartnerAPIKey

KEYWORD = "Api-Key"
# A usable key and its partner, cached by prefix: every API request needs them. Saving or deleting a key or a
# partner clears the entry (receivers.py); the timeout bounds any change made without signals (queryset updates).
KEY_CACHE_SECONDS = 60
logger = logging.getLogger(__name__)


def _key_cache_name(prefix: str) -> str:
    return f"api-key:v1:{prefix}"


def partner_key_get(key: str) -> PartnerAPIKey | None:
    """The usable (not revoked) key that `key` is, with its partner; None for an unknown or wrong key."""
    prefix = key.partition(".")[0]
    api_key = cache.get(_key_cache_name(prefix))
    if api_key is None:
        api_key = PartnerAPIKey.objects.get_usable_keys().filter(prefix=prefix).first()
        if api_key is None:
            return None
        cache.set(_key_cache_name(prefix), api_key, KEY_CACHE_SECONDS)
    return api_key if api_key.is_valid(key) else None


def partner_keys_forget(prefixes) -> None:
    cache.delete_many([_key_cache_name(prefix) for prefix in prefixes])


class PartnerKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <key>`; a missing header is anonymous, a wrong or revoked key is refused."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        keyword, _, key = header.partition(" ")
        if keyword != KEYWORD or not key.strip():
            raise exceptions.AuthenticationFailed(f"Send your key as 'Authorization: {KEYWORD} <key>'.")
        api_key = partner_key_get(key.strip())
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


class PrivateAnswers:
    """A view mixin: what a key gets is for that key alone, so no shared cache may keep it (errors included)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.authentication_classes:  # keyless views (the FHIR CapabilityStatement) stay cacheable
            patch_cache_control(response, private=True)
        return response


class SharedCacheOutage:
    """Whether the throttle's shared cache is down; while it is, it is tried again every RETRY_SECONDS."""

    RETRY_SECONDS = 10

    def __init__(self):
        self.since = None
        self.retry_at = 0.0

    def ongoing(self) -> bool:
        return time.monotonic() < self.retry_at

    def began(self, error: Exception) -> None:
        if self.since is None:
            self.since = time.monotonic()
            logger.error("partner API throttle: shared cache down (%s); counting per process until it is back", error)
        self.retry_at = time.monotonic() + self.RETRY_SECONDS

    def ended(self) -> None:
        if self.since is not None:
            logger.warning("partner API throttle: the shared cache is back after %.0f s", time.monotonic() - self.since)
            self.since, self.retry_at = None, 0.0


CACHE_ERRORS = (ConnectionInterrupted, RedisError)
# While the shared cache is down each process keeps its own request history: the limit holds per process
# (at most the partner's rate times the number of web processes), never unbounded.
PROCESS_HISTORY = LocMemCache("partner-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
outage = SharedCacheOutage()


class PartnerKeyThrottle(throttling.SimpleRateThrottle):
    """Each key gets its partner's rate; the shared "throttle" cache holds the request history."""

    scope = "partner"

    def get_rate(self):
        return None  # set per request in allow_request

    def allow_request(self, request, view):
        if request.auth is None:
            return True
        self.rate = request.auth.partner.throttle_rate
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if not outage.ongoing():
            self.cache = caches["throttle"]
            try:
                allowed = super().allow_request(request, view)
            except CACHE_ERRORS as error:
                outage.began(error)
            else:
                outage.ended()
                return allowed
        self.cache = PROCESS_HISTORY
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}
