"""Template filters for patient pages: tap-to-call phones, human dates inside text, check summaries."""

import re
from datetime import date

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ..selectors import practice_in_city

register = template.Library()

ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
PASSED = frozenset({"pass", "not_applicable"})


@register.filter
def human_dates(text: str) -> str:
    """ISO dates inside a sentence (a check's finding) in the page's date format."""

    def one(match: re.Match) -> str:
        try:
            return date_filter(date(*map(int, match.groups())))
        except ValueError:
            return match.group(0)

    result = ISO_DATE.sub(one, str(text or ""))
    return SafeString(result) if isinstance(text, SafeString) else result


@register.filter
def passed_count(badges) -> int:
    return sum(1 for result in badges if result.effective_outcome in PASSED)


@register.filter
def practice_in(surgeon, city):
    """The surgeon's practice in this city (where a city's list shows them), else their primary one."""
    return practice_in_city(surgeon, city.id)


@register.filter
def home_city(surgeon, listings=()):
    """The city a profile belongs under: the primary practice's, unless only another city lists the surgeon."""
    primary = next(iter(surgeon.locations.all()), None)
    listed = [entry.snapshot.city for entry in listings or ()]
    if primary and (not listed or primary.city_id in {city.id for city in listed}):
        return primary.city
    return listed[0] if listed else None


@register.filter
def standing(record) -> str:
    """A credential's standing today, by its dates first: a record past its date reads "Expired on …", whatever the
    status on file says; a policy reads "In force from …" only while in force."""
    today = timezone.localdate()
    expires, effective = getattr(record, "expires", None), getattr(record, "effective", None)
    if expires is not None and expires < today:
        return _("Expired on %(day)s") % {"day": date_filter(expires)}
    if effective is not None:
        if effective > today:
            return _("Starts on %(day)s") % {"day": date_filter(effective)}
        return _("In force from %(day)s") % {"day": date_filter(effective)}
    return _(record.get_status_display())
