"""The dashboard's chart labels fit their column in a real browser: wrapped, never cut, never under a bar."""

import pytest
from django.contrib.auth.models import Group, User

from tests import factories
from verification import charts

from ..verification.conftest import clean_surgeon
from ..verification.test_runs import run_sync

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MEASURE = """() => [...document.querySelectorAll('svg[role=img]')].map(svg => ({
  chart: svg.getAttribute('aria-label'),
  height: svg.getBBox().y + svg.getBBox().height,
  viewHeight: svg.viewBox.baseVal.height,
  labels: [...svg.querySelectorAll('text')].map(text => {
    const box = text.getBBox();
    return {text: text.textContent, left: box.x, right: box.x + box.width, top: box.y, bottom: box.y + box.height};
  }),
}))"""


@pytest.fixture
def reviewer_on_the_dashboard(page, live_server, transactional_db, roles):
    factories.exclusion_list_load()
    clean_surgeon(factories.CityFactory(name="Rancho Santa Margarita Heights", state="CA"))
    clean_surgeon(factories.CityFactory(name="Houston", state="TX"))
    run_sync()
    User.objects.create_user("rita", password="Review-Pass-2026!", is_staff=True).groups.add(
        Group.objects.get(name="Reviewer")
    )
    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "Review-Pass-2026!")
    page.click("input[type=submit]")
    page.goto(live_server.url + "/admin/verification/verificationrun/dashboard/")
    return page


def test_every_chart_label_fits_left_of_the_bars_and_no_two_lines_overlap(reviewer_on_the_dashboard, shoot):
    shoot("08-dashboard-charts")
    charts_measured = reviewer_on_the_dashboard.evaluate(MEASURE)
    assert [chart["chart"] for chart in charts_measured] == [
        "Outcomes by check",
        "Eligible and listed surgeons per city",
    ]
    texts = [label["text"] for chart in charts_measured for label in chart["labels"]]
    assert "State controlled-substance" in texts and "registration" in texts
    assert "Rancho Santa Margarita" in texts
    for chart in charts_measured:
        labels = chart["labels"]
        for label in labels:
            assert label["left"] >= 0 and label["right"] <= charts.LABEL_WIDTH - 4, label
        for above, below in zip(labels, labels[1:], strict=False):
            assert below["top"] >= above["bottom"] - 1, (above, below)
        assert chart["height"] <= chart["viewHeight"], chart["chart"]
