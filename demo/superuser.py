"""The demo admin: a superuser with a random password."""

import secrets

from django.contrib.auth import get_user_model

DEMO_ADMIN_USERNAME = "admin"


def demo_admin_exists() -> bool:
    return get_user_model().objects.filter(username=DEMO_ADMIN_USERNAME).exists()


def demo_admin_reset() -> tuple[str, str]:
    """Create or reset the demo superuser with a fresh random password; returns (username, password)."""
    password = secrets.token_urlsafe(12)
    user, _ = get_user_model().objects.get_or_create(username=DEMO_ADMIN_USERNAME)
    user.is_staff = user.is_superuser = True
    user.email = "admin@example.org"
    user.set_password(password)
    user.full_clean()
    user.save()
    return user.username, password
