"""axe-core finds no serious or critical WCAG 2.x A/AA violation on any page."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from measures.models import Measure

pytestmark = pytest.mark.django_db(transaction=True)

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _pages():
    measure = Measure.objects.filter(relistings__isnull=False).first()
    return [
        reverse("measures:home"),
        reverse("measures:home") + "?as_of=2001-03-31",
        reverse("measures:category", args=["e-citizen"]),
        reverse("measures:category", args=["e-business"]),
        reverse("measures:category", args=["e-city"]),
        reverse("measures:browser") + "?relistings=on&sort=status",
        reverse("measures:browser") + "?status=wrong",
        reverse("measures:periods"),
        measure.get_absolute_url(),
        "/no-such-page/",
    ]


@pytest.mark.parametrize("width", [1280, 390])
def test_every_page_has_no_serious_or_critical_violations(page, live_server, seeded, width):
    page.set_viewport_size({"width": width, "height": 900})
    axe = Axe()
    problems = {}
    for path in _pages():
        page.goto(live_server.url + path)
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        serious = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
            for v in results.response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        if serious:
            problems[path] = serious
    assert not problems


def test_login_page_has_no_serious_or_critical_violations(chromium, live_server):
    context = chromium.new_context(locale="ja-JP")
    page = context.new_page()
    page.goto(live_server.url + reverse("login"))
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    serious = [
        v["id"] for v in results.response["violations"] if v["impact"] in {"serious", "critical"}
    ]
    context.close()
    assert not serious
