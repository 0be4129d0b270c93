"""Ids a browser never sends (beyond any column's range) get the form's message, not a 500."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

BEYOND_ANY_ID = "99999999999999999999"


@pytest.fixture
def measure(seeded):
    from measures.models import Measure

    return Measure.objects.get(name="IT講習の推進")


@pytest.mark.parametrize(
    "field", ["periods", "cooperating_divisions", "category", "responsible_division"]
)
def test_measure_form_with_an_impossible_id_shows_a_message(admin_client, measure, field):
    url = reverse("admin:measures_measure_change", args=[measure.pk])
    response = admin_client.post(url, {field: BEYOND_ANY_ID})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    measure.refresh_from_db()
    assert measure.version == 1


def test_leader_form_with_an_impossible_user_id_shows_a_message(admin_client):
    from governance.models import PromotionLeader

    response = admin_client.post(
        reverse("admin:governance_promotionleader_add"),
        {
            "division": BEYOND_ANY_ID,
            "user": BEYOND_ANY_ID,
            "person_name": "盛岡 太郎",
            "appointed_by": "課長",
            "start_date": "2026-04-01",
        },
    )
    assert response.status_code == 200
    assert not PromotionLeader.objects.exists()
