"""Admin sign-in lockout (django-axes): the project's own settings and the page a locked-out client sees."""

import math
from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render


def failure_limit(request, credentials) -> int:
    return settings.LOGIN_FAILURE_LIMIT


def lockout_period(request) -> timedelta:
    return timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)


def locked_out(request, original_response, credentials):
    """429 with the admin's look and how long to wait; the password was not checked."""
    context = {
        **admin.site.each_context(request),
        "title": "Sign-in locked",
        "minutes": math.ceil(settings.LOGIN_LOCKOUT_SECONDS / 60),
    }
    return render(request, "admin/locked_out.html", context, status=429)
