"""Search results write their cards in Python (`surgeon_card`); city lists include the template. Both write the same
bytes, for every variant of a card and in each language."""

import itertools
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from directory.models import Surgeon
from verification import selectors
from verification.models import RankingEntry

pytestmark = pytest.mark.django_db

INCLUDED = Template(
    '{% for surgeon in surgeons %}{% include "verification/_surgeon_card.html" with surgeon=surgeon '
    "practice=surgeon.practice distance=surgeon.distance badges=surgeon.badges rank=surgeon.rank "
    "entry=surgeon.entry show_listings=show_listings consult=consult %}{% endfor %}"
)
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


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(("show_listings", "consult"), [(True, True), (False, True), (True, False)])
def test_the_written_card_is_the_template_byte_for_byte(cards, language, show_listings, consult):
    context = {"surgeons": cards, "show_listings": show_listings, "consult": consult}
    with translation.override(language):
        included = INCLUDED.render(Context(context))
        written = WRITTEN.render(Context(context))
    assert included.count('<li class="card surgeon-card">') == len(cards) == 36
    assert written == included
    if language == "en" and show_listings and consult:  # the variants are all there
        for shown in (
            "Top ten in",
            "Not on a published list.",
            "3.1 miles away",
            "<img src=",
            'class="rank"',
            "years in practice",
            "satisfaction 8.75/10",
            "All 7 checks passed",
            "6 of 7 checks passed",
            "Request a consultation",
            "call the practice",
            "Not accepting new patients.</p>",
            "(828) 684-8201",
            "Zoë &lt;b&gt;&amp;",
            "O&#x27;Hara &amp; Sons &lt;Spine&gt;",
        ):
            assert shown in written, shown
