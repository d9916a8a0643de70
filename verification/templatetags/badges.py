"""A list card's check badges and a check's finding, written in Python.

A list page holds seventy badges; as template includes they were most of its rendering time (an include, five
translations and three dates each). The output is what the templates wrote: labels translated and escaped,
values escaped inside translated sentences, dates in the page's format and local time.
"""

from datetime import date, datetime
from functools import lru_cache

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext, gettext_noop

from directory.templatetags.directory_tags import human_dates

register = template.Library()


# A page repeats the same few labels and dates seventy times: each is translated or formatted once per language.
@lru_cache(maxsize=4096)
def _translated(text: str, language: str) -> str:
    return gettext(text)


def _label(text, language: str) -> str:
    return escape(_translated(str(text), language))


def _sentence(msgid: str, language: str, **values) -> str:
    """A translated sentence with its values escaped (as `blocktranslate` fills them)."""
    return _translated(msgid, language) % {name: escape(value) for name, value in values.items()}


@lru_cache(maxsize=4096)
def _formatted_day(day: date, language: str) -> str:
    return date_filter(day)


def _day(value, language: str) -> str:
    day = template_localtime(value).date() if isinstance(value, datetime) else value
    return _formatted_day(day, language)


@lru_cache(maxsize=4096)
def _reason(text: str, language: str) -> str:
    return escape(human_dates(text))


@register.simple_tag
def finding(result, language: str | None = None) -> SafeString:
    """What a check found, in words a patient reads: a reviewer's note or conclusion over the machine's, a silent
    source's last answer."""
    language = language or get_language()
    last = getattr(result, "last_answer", None)
    if result.public_note:
        text = escape(result.public_note)
    elif result.is_overridden:
        decided = _label(result.get_effective_outcome_display(), language)
        reviewed = _label(gettext_noop("A reviewer checked the evidence on file and decided:"), language)
        text = f"{reviewed} {decided}."
    elif not result.source_answered and last:
        silent = gettext_noop("The source did not answer on %(day)s; the check will be repeated.")
        before = gettext_noop("Its last answer, on %(day)s:")
        silent = _sentence(silent, language, day=_day(result.checked_at, language))
        before = _sentence(before, language, day=_day(last.checked_at, language))
        answer = _label(last.get_effective_outcome_display(), language)
        text = f"{silent} {before} {answer}. {_reason(last.reason, language)}"
    else:
        text = _reason(result.reason, language)
    return SafeString(text)


def _badge(result, language: str) -> str:
    source = _sentence(gettext_noop("source: %(source)s"), language, source=result.source)
    checked = _sentence(gettext_noop("checked %(day)s"), language, day=_day(result.checked_at, language))
    meta = f"{_label(result.get_method_display(), language)} · {source} · {checked}"
    if result.valid_until:
        valid = gettext_noop("valid until %(day)s")
        meta += f" · {_sentence(valid, language, day=_day(result.valid_until, language))}"
    decided = ""
    if result.is_overridden:
        said = gettext_noop("Decided by a reviewer (the automatic check said “%(outcome)s”).")
        decided = f'<p class="meta">{_sentence(said, language, outcome=result.get_outcome_display())}</p>'
    title = f"{_label(result.check_title, language)}: {_label(result.get_effective_outcome_display(), language)}"
    return (
        f'<li><details><summary class="badge badge--{escape(result.effective_outcome)}">{title}</summary>'
        f'<div class="evidence"><p>{finding(result, language)}</p><p class="meta">{meta}</p>{decided}</div>'
        "</details></li>"
    )


@register.simple_tag
def badge_list(results) -> SafeString:
    language = get_language()
    items = "".join(_badge(result, language) for result in results)
    label = _label(gettext_noop("Verification checks"), language)
    return SafeString(f'<ul class="badge-list" aria-label="{label}">{items}</ul>')
