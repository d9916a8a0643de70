"""A list card's check badges and a check's finding, and a search result's whole card, written in Python.

A list page holds seventy badges; as template includes they were most of its rendering time (an include, five
translations and three dates each). The output is what the templates wrote: labels translated and escaped,
values escaped inside translated sentences, dates in the page's format and local time.
"""

from datetime import date, datetime
from functools import lru_cache

from django import template
from django.template.base import render_value_in_context
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext, gettext_noop

from directory.templatetags.directory_tags import human_dates, passed_count
from directory.templatetags.phone_numbers import phone_link

from ..models import CheckResult

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


@lru_cache(maxsize=8)
def _choices(field: str) -> dict:
    return dict(CheckResult._meta.get_field(field).flatchoices)


def _display(result, field: str) -> str:
    """`result.get_<field>_display()` without rebuilding the choices on every call (140 badges a results page)."""
    value = getattr(result, field)
    return force_str(_choices(field).get(value, value), strings_only=True)


@register.simple_tag
def finding(result, language: str | None = None) -> SafeString:
    """What a check found, in words a patient reads: a reviewer's note or conclusion over the machine's, a silent
    source's last answer."""
    language = language or get_language()
    last = getattr(result, "last_answer", None)
    if result.public_note:
        text = escape(result.public_note)
    elif result.is_overridden:
        decided = _label(_display(result, "effective_outcome"), language)
        reviewed = _label(gettext_noop("A reviewer checked the evidence on file and decided:"), language)
        text = f"{reviewed} {decided}."
    elif not result.source_answered and last:
        silent = gettext_noop("The source did not answer on %(day)s; the check will be repeated.")
        before = gettext_noop("Its last answer, on %(day)s:")
        silent = _sentence(silent, language, day=_day(result.checked_at, language))
        before = _sentence(before, language, day=_day(last.checked_at, language))
        answer = _label(_display(last, "effective_outcome"), language)
        text = f"{silent} {before} {answer}. {_reason(last.reason, language)}"
    else:
        text = _reason(result.reason, language)
    return SafeString(text)


def _badge(result, language: str) -> str:
    source = _sentence(gettext_noop("source: %(source)s"), language, source=result.source)
    checked = _sentence(gettext_noop("checked %(day)s"), language, day=_day(result.checked_at, language))
    meta = f"{_label(_display(result, 'method'), language)} · {source} · {checked}"
    if result.valid_until:
        valid = gettext_noop("valid until %(day)s")
        meta += f" · {_sentence(valid, language, day=_day(result.valid_until, language))}"
    decided = ""
    if result.is_overridden:
        said = gettext_noop("Decided by a reviewer (the automatic check said “%(outcome)s”).")
        decided = f'<p class="meta">{_sentence(said, language, outcome=_display(result, "outcome"))}</p>'
    title = f"{_label(result.check_title, language)}: {_label(_display(result, 'effective_outcome'), language)}"
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


def _value(value, context) -> str:
    """A value as `{{ value }}` writes it: localized (numbers, dates) and escaped."""
    return render_value_in_context(value, context)


def _filled(msgid: str, language: str, context, **values) -> str:
    """`{% blocktranslate with name=value %}`: the translated sentence, each value written as `{{ value }}`."""
    return _translated(msgid, language) % {name: _value(value, context) for name, value in values.items()}


def _specialty(surgeon, language: str) -> str:
    """`{% translate surgeon.get_specialty_display %}`."""
    display = surgeon.get_specialty_display()
    return escape(_translated(display.replace("%", "%%"), language).replace("%%", "%"))


def _listings(surgeon, badges, language: str, context) -> str:
    out = []
    for listing in surgeon.listings:
        year = date_filter(template_localtime(listing.snapshot.published_at), "Y")
        top = _filled(
            gettext_noop("Top ten in %(city)s, %(year)s"), language, context, city=listing.snapshot.city.name, year=year
        )
        out.append(f'<p class="listing-status"><strong>{top}</strong> (#{_value(listing.rank, context)})</p>')
    if not out:
        none = (
            gettext_noop("Not on a published list.")
            if badges
            else gettext_noop("Not on a published list; not yet verified.")
        )
        out.append(f'<p class="meta">{_label(none, language)}</p>')
    return "".join(out)


def _checks(badges, language: str, context) -> str:
    passed, total = passed_count(badges), len(badges)
    if passed == total:
        summary = _filled(gettext_noop("All %(total)s checks passed"), language, context, total=total)
    else:
        summary = _filled(
            gettext_noop("%(passed)s of %(total)s checks passed"), language, context, passed=passed, total=total
        )
    more = _label(gettext_noop("details"), language)
    return (
        '\n    \n    <details class="checks">\n'
        f'      <summary class="checks__summary">{summary} · <span class="checks__more">{more}</span></summary>\n'
        f"      {badge_list(badges)}\n    </details>\n    \n    "
    )


def _consult(surgeon, practice, language: str, context) -> str:
    phone = practice.phone if practice else ""
    if surgeon.accepting_new_patients:
        url = conditional_escape(reverse("directory:consultation", args=[surgeon.npi]))
        if practice:
            url += f"?practice={_value(practice.id, context)}"
        name = _filled(gettext_noop("with %(name)s"), language, context, name=surgeon.display_name)
        request = _label(gettext_noop("Request a consultation"), language)
        return f'<p><a class="btn" href="{url}">{request}<span class="visually-hidden"> {name}</span></a></p>'
    if phone:
        call = _label(
            gettext_noop("Not accepting new patients: call the practice to ask about an appointment or a referral."),
            language,
        )
        return f'<p class="meta">{call} {phone_link(phone)}</p>'
    return f'<p class="meta">{_label(gettext_noop("Not accepting new patients."), language)}</p>'


@register.simple_tag(takes_context=True)
def surgeon_card(
    context,
    surgeon,
    *,
    practice=None,
    badges=(),
    rank=None,
    entry=None,
    distance=None,
    show_listings=False,
    consult=False,
) -> SafeString:
    """One surgeon's card, on a city list or in search results.

    Twenty cards were ~10 ms of a results page as template includes (each with a dozen translations, two URL
    reversals and a phone number); written here they take ~2 ms, and a publication renders thousands of them. It
    replaced the template byte for byte (checked for every variant in both languages before the template went).
    """
    language = get_language()
    phone = practice.phone if practice else ""
    ranked = ""
    if rank:
        ranked = f'<span class="rank"><span class="visually-hidden">{_label(gettext_noop("Rank"), language)} </span>'
        ranked += f"{_value(rank, context)}</span>"
    photo = surgeon.photo
    avatar = f'<img src="{escape(photo.url)}" alt="">' if photo else escape(surgeon.initials)
    where = ""
    if practice:
        where = f" · {escape(practice.one_line)}, {escape(practice.city.name)}, {escape(practice.city.state)}"
    if distance is not None:
        away = _filled(gettext_noop("%(miles)s miles away"), language, context, miles=floatformat(distance, 1))
        where += f" · <strong>{away}</strong>"
    if surgeon.accepting_new_patients:
        label, kind = gettext_noop("Accepting new patients"), "yes"
    else:
        label, kind = gettext_noop("Not accepting new patients"), "no"
    accepting = f'<span class="accepting accepting--{kind}">{_label(label, language)}</span>'
    if phone:
        accepting += f" · {phone_link(phone)}"
    figures = ""
    if entry:
        figures = _filled(
            gettext_noop(
                "%(years)s years in practice · %(procedures)s verified spine procedures · satisfaction %(score)s/10 "
                "(n=%(n)s)"
            ),
            language,
            context,
            years=entry.years_in_practice,
            procedures=entry.verified_procedures,
            score=entry.satisfaction_score,
            n=entry.satisfaction_responses,
        )
        figures = f'<p class="meta">{figures}</p>'
    consultation = _consult(surgeon, practice, language, context) if consult else ""
    return SafeString(
        '\n<li class="card surgeon-card">\n'
        f"  {ranked}\n"
        f'  <span class="avatar" aria-hidden="true">{avatar}</span>\n'
        "  <div>\n"
        f'    <h2><a href="{escape(surgeon.get_absolute_url())}">{escape(surgeon.display_name)}</a></h2>\n'
        f'    <p class="meta">{_specialty(surgeon, language)}{where}</p>\n'
        f'    <p class="meta">{accepting}</p>\n'
        f"    {figures}\n"
        f"    {_listings(surgeon, badges, language, context) if show_listings else ''}\n"
        f"    {_checks(badges, language, context) if badges else ''}\n"
        f"    {consultation}\n"
        "  </div>\n"
        "</li>\n"
    )
