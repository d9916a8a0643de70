"""One JSON problem format (RFC 7807 style) for every API error, and the pages its `type` URIs lead to.

`detail` is always a string; a 400 for bad parameters also carries `errors` (parameter name -> messages).
Each `type` is a page under SITE_URL (`/api/problems/<slug>/`) that says what the problem means and what to do.
"""

from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

CONTENT_TYPE = "application/problem+json"


@dataclass(frozen=True)
class Problem:
    slug: str
    status: int
    title: str
    meaning: str
    remedy: str


PROBLEMS = [
    Problem(
        "invalid-request",
        400,
        "Invalid request",
        "A query parameter is unknown, or its value is not one the endpoint accepts (a city that is not a slug, a "
        "state that is not two letters, a page number below 1). `errors` names each parameter and what was wrong.",
        "Correct the parameters named in `errors`; the API documentation lists each endpoint's parameters.",
    ),
    Problem(
        "authentication-required",
        401,
        "Authentication required",
        "No API key was sent, or the key sent is wrong, revoked or expired.",
        "Send your key as `Authorization: Api-Key <key>`; ask the directory's administrators for a new key if yours "
        "was revoked.",
    ),
    Problem(
        "forbidden",
        403,
        "Forbidden",
        "The key is valid but its partner account is not active.",
        "Ask the directory's administrators to reactivate the partner account.",
    ),
    Problem(
        "not-found",
        404,
        "Not found",
        "No such endpoint, city, surgeon, list or page: a surgeon no longer in the directory, a city without a "
        "published list, or a list that was never published (drafts are never shown).",
        "Check the identifier; the city list and a city's snapshot list give the ids that exist.",
    ),
    Problem(
        "method-not-allowed",
        405,
        "Method not allowed",
        "The API is read-only: only GET (and HEAD) are answered.",
        "Use GET.",
    ),
    Problem(
        "not-acceptable",
        406,
        "Not acceptable",
        "The Accept header asks for a format the API does not produce.",
        "Accept application/json.",
    ),
    Problem(
        "too-many-requests",
        429,
        "Too many requests",
        "The key has used its request budget for now (each partner has its own rate, shared by the REST API and "
        "the FHIR view).",
        "Wait the number of seconds in the Retry-After header; use ETags (If-None-Match) so unchanged lists cost "
        "nothing to fetch again.",
    ),
    Problem(
        "server-error",
        500,
        "Server error",
        "Something failed on our side.",
        "Try again later; if it persists, tell the directory's administrators the time and the URL.",
    ),
]
BY_STATUS = {problem.status: problem for problem in PROBLEMS}
BY_SLUG = {problem.slug: problem for problem in PROBLEMS}


def type_url(slug: str) -> str:
    return f"{settings.SITE_URL}/api/problems/{slug}/"


def _for_status(status_code: int) -> Problem:
    return BY_STATUS.get(status_code) or (BY_STATUS[500] if status_code >= 500 else BY_STATUS[400])


def problem(status_code: int, detail: str, *, errors: dict | None = None) -> dict:
    kind = _for_status(status_code)
    body = {"type": type_url(kind.slug), "title": kind.title, "status": status_code, "detail": detail}
    return {**body, "errors": errors} if errors else body


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [f"{key}: {message}" for key, inner in value.items() for message in _messages(inner)]
    if isinstance(value, list):
        return [message for item in value for message in _messages(item)]
    return [str(value)]


def _body(exc, status_code: int) -> dict:
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        errors = {name: _messages(messages) for name, messages in exc.detail.items()}
        detail = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
        return problem(status_code, detail, errors=errors)
    return problem(status_code, " ".join(_messages(getattr(exc, "detail", str(exc)))))


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = _body(exc, response.status_code)
    response.content_type = CONTENT_TYPE
    return response


def not_found(request, *args, **kwargs):
    """Unknown paths under /api/ answer in the problem format, not an HTML page."""
    return JsonResponse(problem(404, f"No endpoint at {request.path}."), status=404, content_type=CONTENT_TYPE)


def problem_page(request, slug=None):
    """The page a problem's `type` URI leads to: every problem, or one."""
    if slug is not None and slug not in BY_SLUG:
        raise Http404("No such problem type.")
    problems = [BY_SLUG[slug]] if slug else PROBLEMS
    return render(request, "api/problems.html", {"problems": problems, "single": slug is not None})
