"""A surgeon's card (`surgeon_card`, written in Python for city lists and search results): every variant, in each
language, escaped."""

import itertools
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from directory.models import Surgeon
from verification import selectors
from verification.models import RankingEntry

pytestmark = pytest.mark.django_db

WRITTEN = Template(
    "{% load badges %}{% for surgeon in surgeons %}{% surgeon_card surgeon practice=surgeon.practice "
    "distance=surgeon.distance badges=surgeon.badges rank=surgeon.rank entry=surgeon.entry "
    "show_listings=show_listings consult=consult %}{% endfor %}"
)


@pytest.fixture
def cards(rendered_list):
    """Every card variant: listed or not, with or without badges (all passed or not), a practice with or without a
    phone or none, a distance, a rank and list figures, a photo, accepting or not, odd characters to escape."""
    entry = RankingEntry.objects.filter(snapshot=rendered_list).first()
    entry.satisfaction_score = Decimal("8.75")
    ids = list(Surgeon.objects.filter(locations__city=rendered_list.city).order_by("id").values_list("id", flat=True))
    shown = Surgeon.objects.prefetch_related(*selectors._search_prefetches())
    surgeons = []
    kinds = ((True, False), ("all", "failing", "none"), ("phone", "silent", "none"), (None, 3.14159))
    for i, (accepting, badges, practice, distance) in enumerate(itertools.product(*kinds)):
        surgeon = shown.get(id=ids[i % len(ids)])  # listed (ten of twelve) or not
        surgeon.accepting_new_patients = accepting
        surgeon.first_name = "Zoë <b>&" if i % 5 == 0 else surgeon.first_name
        surgeon.photo.name = "photos/a b&c.jpg" if i % 7 == 0 else ""
        results = selectors.badges_for(surgeon.current_results)
        if badges == "failing":
            results[0].effective_outcome = "fail"
        surgeon.badges = results if badges != "none" else []
        surgeon.practice = surgeon.locations.all()[0] if practice != "none" else None
        if surgeon.practice is not None:
            surgeon.practice.phone = "+18286848201" if practice == "phone" else ""
            surgeon.practice.practice_name = "O'Hara & Sons <Spine>"
        surgeon.distance = distance
        surgeon.rank, surgeon.entry = (i % 10 + 1, entry) if i % 3 == 0 else (None, None)
        if i % 4 == 0:
            surgeon.listings = []
        surgeons.append(surgeon)
    return surgeons


@pytest.mark.parametrize(("show_listings", "consult"), [(True, True), (False, True), (True, False)])
def test_every_variant_of_a_card_is_written(cards, show_listings, consult):
    context = {"surgeons": cards, "show_listings": show_listings, "consult": consult}
    with translation.override("en"):
        written = WRITTEN.render(Context(context))
    assert written.count('<li class="card surgeon-card">') == len(cards) == 36
    shown = [
        "3.1 miles away",
        "<img src=",
        'class="rank"',
        "years in practice",
        "satisfaction 8.75/10",
        "All 7 checks passed",
        "6 of 7 checks passed",
        "Not accepting new patients",
        "(828) 684-8201",
        "Zoë &lt;b&gt;&amp;",
        "O&#x27;Hara &amp; Sons &lt;Spine&gt;",
    ]
    listings = ["Top ten in", "Not on a published list."]
    consults = ["Request a consultation", "call the practice", "Not accepting new patients.</p>"]
    for text in shown + listings * show_listings + consults * consult:
        assert text in written, text
    for text in listings * (not show_listings) + consults * (not consult):
        assert text not in written, text
    assert "<b>" not in written and "<Spine>" not in written


def test_a_card_is_written_in_the_pages_language(cards):
    context = {"surgeons": cards, "show_listings": True, "consult": True}
    with translation.override("es"):
        written = WRITTEN.render(Context(context))
    assert "Acepta pacientes nuevos" in written
    assert "Accepting new patients" not in written
