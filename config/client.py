"""The client's address as this deployment can trust it."""

from django.conf import settings


def client_address(request) -> str:
    """REMOTE_ADDR; behind our own proxy (BEHIND_PROXY) the last X-Forwarded-For hop, the one the proxy added."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")
