"""`{% load phone_numbers %}`: a stored E.164 phone shown in national format as a tel: link."""

from django import template
from django.utils.html import format_html

from ..phones import phone_national

register = template.Library()


@register.filter
def phone_link(e164: str):
    if not e164:
        return ""
    return format_html('<a href="tel:{}">{}</a>', e164, phone_national(e164))


@register.filter
def phone_display(e164: str) -> str:
    return phone_national(e164) if e164 else ""
