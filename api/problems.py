"""One JSON problem format (RFC 7807 style) for every API error."""

from django.http import JsonResponse
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_BASE = "https://docs.spine-directory.example/problems/"
CONTENT_TYPE = "application/problem+json"


def problem(status_code: int, title: str, detail, *, slug: str) -> dict:
    return {"type": PROBLEM_BASE + slug, "title": title, "status": status_code, "detail": detail}


def _detail(exc):
    if isinstance(exc, exceptions.ValidationError):
        return exc.detail  # field -> messages, so a partner sees which filter was wrong
    return str(getattr(exc, "detail", exc))


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = response.status_code
    slug = getattr(exc, "default_code", "error").replace("_", "-")
    response.data = problem(code, _title(code), _detail(exc), slug=slug)
    response.content_type = CONTENT_TYPE
    return response


def _title(code: int) -> str:
    return {
        400: "Invalid request",
        401: "Authentication required",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
        406: "Not acceptable",
        429: "Too many requests",
    }.get(code, "Error")


def not_found(request, *args, **kwargs):
    """Unknown paths under /api/ answer in the problem format, not an HTML page."""
    body = problem(404, "Not found", f"No endpoint at {request.path}.", slug="not-found")
    return JsonResponse(body, status=404, content_type=CONTENT_TYPE)
