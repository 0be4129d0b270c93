"""Query parameters that used to reach the database as they came: a NUL byte anywhere, and
admin date-hierarchy parts out of range. Each gives a clear answer, never a server error."""

from datetime import date

import pytest
from django.contrib import admin
from django.urls import reverse

from governance.models import Division, PromotionLeader
from governance.services import register_governance_seed
from measures.models import Measure

pytestmark = pytest.mark.django_db

MEASURES = reverse("admin:measures_measure_changelist")
LEADERS = reverse("admin:governance_promotionleader_changelist")
ACCESS = reverse("admin:governance_accessrecord_changelist")
ATTEMPTS = reverse("admin:axes_accessattempt_changelist")
FILTER_DROPPED = "絞り込みの条件に誤りがあったため、条件を外してすべて表示しています。"


@pytest.fixture
def leader(seeded):
    register_governance_seed()
    return PromotionLeader.objects.create(
        division=Division.objects.get(name="情報企画課"),
        person_name="盛岡 太郎",
        appointed_by="情報企画課長",
        start_date=date(2024, 4, 1),
    )


@pytest.mark.parametrize(
    "url",
    [
        MEASURES + "?status__exact=%00",
        MEASURES + "?position=%00",
        MEASURES + "?q=%00",
        MEASURES + "?%00=1",
        LEADERS + "?current=%00",
        ACCESS + "?kind__exact=%00",
        reverse("measures:browser") + "?q=%00",
        reverse("measures:home") + "?as_of=2025-03-31%00",
    ],
)
def test_a_nul_byte_in_any_query_parameter_is_refused_with_a_message(admin_client, seeded, url):
    response = admin_client.get(url)

    assert response.status_code == 400
    text = response.content.decode()
    assert "リクエストに誤りがあります" in text
    assert "アドレス（URL）に使えない文字（NUL 文字）が含まれています。" in text


def test_a_nul_byte_is_refused_for_anonymous_visitors_of_public_pages(client, seeded, settings):
    settings.DASHBOARD_PUBLIC_READ = True
    assert client.get(reverse("measures:browser"), {"status": "\x00"}).status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "start_date__year=99999999999999999999999",
        "start_date__year=9999",
        "start_date__year=0",
        "start_date__year=2024&start_date__month=13",
        "start_date__year=2024&start_date__month=99999999999999999999999",
        "start_date__year=2024&start_date__month=4&start_date__day=32",
        "start_date__year=2024&start_date__month=2&start_date__day=30",
        "start_date__year=2024&start_date__year=99999999999999999999999",
        "start_date__year=二〇二四",
        "start_date__month=13",
    ],
)
def test_admin_date_hierarchy_out_of_range_drops_the_filter_with_a_message(
    admin_client, leader, query
):
    response = admin_client.get(f"{LEADERS}?{query}", follow=True)

    assert response.redirect_chain == [(f"{LEADERS}?e=1", 302)]
    assert FILTER_DROPPED in response.content.decode()
    assert list(response.context["cl"].result_list) == [leader]


def test_admin_date_hierarchy_accepts_the_last_whole_year(admin_client, leader):
    response = admin_client.get(LEADERS, {"start_date__year": "9998", "start_date__month": "12"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    assert FILTER_DROPPED not in response.content.decode()


def test_admin_date_hierarchy_still_filters_by_year(admin_client, leader):
    response = admin_client.get(LEADERS, {"start_date__year": "2024"})
    assert list(response.context["cl"].result_list) == [leader]
    response = admin_client.get(LEADERS, {"start_date__year": "2023"})
    assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize(
    "url",
    [
        ACCESS + "?at__year=99999999999999999999999",
        ACCESS + "?at__year=9999&at__month=12&at__day=31",
        ATTEMPTS + "?attempt_time__year=99999999999999999999999",
    ],
)
def test_every_admin_date_hierarchy_is_checked(admin_client, seeded, url):
    response = admin_client.get(url, follow=True)
    assert response.status_code == 200
    assert FILTER_DROPPED in response.content.decode()


def test_every_registered_admin_uses_the_checked_change_list(rf, admin_user):
    from morioka_ict.admin_site import CheckedChangeList

    request = rf.get("/")
    request.user = admin_user
    assert admin.site._registry
    for model, model_admin in admin.site._registry.items():
        assert model_admin.get_changelist(request) is CheckedChangeList, model


@pytest.mark.parametrize(
    "query",
    [
        {"id__exact": "99999999999999999999"},
        {"category__id__exact": "99999999999999999999"},
        {"periods__id__exact": "-99999999999999999999"},
    ],
)
def test_admin_huge_ids_match_nothing(admin_client, seeded, query):
    response = admin_client.get(MEASURES, query)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
    assert Measure.objects.count() == 75


def test_an_unknown_admin_lookup_is_refused(admin_client, seeded):
    response = admin_client.get(MEASURES, {"responsible_division__head_name__contains": "x"})
    assert response.status_code == 400
    assert "リクエストに誤りがあります" in response.content.decode()
