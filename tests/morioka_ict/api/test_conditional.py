"""ETag / Last-Modified on every answer; 304 when nothing changed."""

import pytest
from django.urls import reverse

from measures.models import Category, Measure, Plan, PlanPeriod, Status
from measures.services import measure_set_status
from morioka_ict.api.conditional import data_last_modified

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/v1/plan",
    "/api/v1/periods",
    "/api/v1/categories",
    "/api/v1/measures",
    "/api/v1/measures/1",
    "/api/v1/totals",
    "/api/v1/governance/structure",
    "/api/v1/progress/rounds",
    "/api/v1/openapi.json",
]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_every_answer_has_etag_and_last_modified_and_304s(client, seeded, public, url):
    if url == "/api/v1/measures/1":
        url = f"/api/v1/measures/{Measure.objects.first().pk}"
    first = client.get(url)
    assert first.status_code == 200
    assert first["ETag"] and first["Last-Modified"]
    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert not again.content


def test_a_change_gives_a_new_etag_and_a_full_answer(client, seeded, public):
    first = client.get("/api/v1/totals")
    measure = Measure.objects.filter(status=Status.NOT_STARTED).first()
    measure_set_status(measures=[measure], status=Status.IMPLEMENTED)
    after = client.get("/api/v1/totals", headers={"If-None-Match": first["ETag"]})
    assert after.status_code == 200
    assert after["ETag"] != first["ETag"]
    assert after["Last-Modified"] >= first["Last-Modified"] or after["Last-Modified"]


def test_if_modified_since_answers_304_while_nothing_changed(client, seeded, public):
    first = client.get("/api/v1/periods")
    again = client.get("/api/v1/periods", headers={"If-Modified-Since": first["Last-Modified"]})
    assert again.status_code == 304


def test_head_answers_the_tags_without_a_body(client, seeded, public):
    get = client.get("/api/v1/totals")
    head = client.head("/api/v1/totals")
    assert head.status_code == 200
    assert head["ETag"] == get["ETag"]
    assert not head.content


def test_an_edit_of_a_category_period_or_the_plan_moves_last_modified(admin_client, seeded):
    """They are shown by the API too: a client polling with If-Modified-Since must see them."""
    category = Category.objects.get(code="e-city")
    response = admin_client.post(
        reverse("admin:measures_category_change", args=[category.pk]),
        {
            "plan": category.plan_id,
            "code": category.code,
            "label": category.label,
            "name": "e-cityづくり（改称）",
            "short_name": category.short_name,
            "order": category.order,
        },
    )
    assert response.status_code == 302
    assert data_last_modified() == category.history.latest().history_date
    period = PlanPeriod.objects.get(number=4)
    period.short_name = "4次"
    period.save()
    assert data_last_modified() == period.history.latest().history_date
    plan = Plan.objects.get()
    plan.name += "（改訂）"
    plan.save()
    assert data_last_modified() == plan.history.latest().history_date
    assert "e-cityづくり（改称）" in admin_client.get("/api/v1/categories").content.decode()
