"""Home: totals of each category and overall, now or as they stood on a date."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from measures.models import Measure, Status
from measures.services import measure_set_status

pytestmark = pytest.mark.django_db

HOME = reverse("measures:home")


def _text(response) -> str:
    return response.content.decode()


def test_home_needs_a_login(client, seeded):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_shows_counts_and_shares_per_category_and_overall(reader_client, seeded):
    response = reader_client.get(HOME)
    assert response.status_code == 200
    overview = response.context["overview"]
    assert [item.category.code for item in overview.categories] == [
        "e-citizen",
        "e-business",
        "e-city",
    ]
    assert overview.overall.total == Measure.objects.count()
    for status in Status:
        assert overview.overall.count_of(status) == Measure.objects.filter(status=status).count()
    text = _text(response)
    assert reverse("measures:category", args=["e-citizen"]) in text
    assert "<svg" in text and 'class="status-bar"' in text
    for status in Status:
        assert status.mark in text and str(status.label) in text


def test_home_shows_an_admin_edit_at_once(reader_client, seeded):
    before = reader_client.get(HOME).context["overview"].overall
    measure = Measure.objects.filter(status=Status.NOT_STARTED).first()
    measure_set_status(measures=[measure], status=Status.IMPLEMENTED)
    after = reader_client.get(HOME).context["overview"].overall
    assert after.count_of(Status.IMPLEMENTED) == before.count_of(Status.IMPLEMENTED) + 1
    assert after.count_of(Status.NOT_STARTED) == before.count_of(Status.NOT_STARTED) - 1


def _move_history_back(days: int) -> None:
    """Date every recorded change ``days`` earlier, as if the seed load had happened then."""
    Measure.history.update(history_date=F("history_date") - timedelta(days=days))


def test_home_as_of_a_date_recomputes_totals_from_history(reader_client, seeded):
    _move_history_back(5)
    measure = Measure.objects.filter(status=Status.NOT_STARTED).first()
    measure_set_status(measures=[measure], status=Status.IMPLEMENTED)
    today = timezone.localdate()
    before_the_change = today - timedelta(days=2)

    then = reader_client.get(HOME, {"as_of": before_the_change.isoformat()})
    now = reader_client.get(HOME, {"as_of": today.isoformat()})

    assert then.context["as_of"] == before_the_change
    then_totals, now_totals = then.context["overview"].overall, now.context["overview"].overall
    assert now_totals.count_of(Status.IMPLEMENTED) == then_totals.count_of(Status.IMPLEMENTED) + 1
    assert "時点" in _text(then)


def test_home_as_of_a_deleted_measure_still_counts_before_its_deletion(reader_client, seeded):
    _move_history_back(5)
    today = timezone.localdate()
    before_the_deletion = (today - timedelta(days=2)).isoformat()
    before = reader_client.get(HOME, {"as_of": before_the_deletion}).context["overview"]
    Measure.objects.filter(relistings__isnull=True).first().delete()

    then = reader_client.get(HOME, {"as_of": before_the_deletion}).context["overview"]
    now = reader_client.get(HOME, {"as_of": today.isoformat()}).context["overview"]

    assert then.overall.total == before.overall.total
    assert now.overall.total == before.overall.total - 1


def test_home_refuses_a_future_as_of_date_and_shows_todays_totals(reader_client, seeded):
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = reader_client.get(HOME, {"as_of": tomorrow.isoformat()})

    text = _text(response)
    assert response.status_code == 200
    assert f"{tomorrow.year}年{tomorrow.month}月{tomorrow.day}日は未来の日付です。" in text
    assert "現在の集計を表示しています。" in text
    assert response.context["as_of"] is None
    assert "区分別・全体の集計（現在）" in text
    assert response.context["overview"].overall.total == Measure.objects.count()


def test_home_accepts_today_as_the_as_of_date(reader_client, seeded):
    today = timezone.localdate()
    response = reader_client.get(HOME, {"as_of": today.isoformat()})
    assert response.context["as_of"] == today
    assert "未来の日付" not in _text(response)


def test_home_as_of_field_offers_no_date_after_today(reader_client, seeded):
    text = _text(reader_client.get(HOME))
    assert f'max="{timezone.localdate().isoformat()}"' in text


def test_home_downloads_say_they_are_todays_data_when_a_date_is_shown(reader_client, seeded):
    today = timezone.localdate()
    note = "ダウンロードは現在のデータです"

    with_date = _text(reader_client.get(HOME, {"as_of": today.isoformat()}))
    without_date = _text(reader_client.get(HOME))

    assert (
        f"ダウンロードは現在のデータです（{today.year}年{today.month}月{today.day}日 時点の指定は"
        "反映されません）。" in with_date
    )
    assert note not in without_date


def test_home_as_of_before_any_record_says_so_instead_of_showing_zeros(reader_client, seeded):
    response = reader_client.get(HOME, {"as_of": "2000-03-31"})
    assert response.status_code == 200
    assert "この日付より前の記録はありません" in _text(response)
    assert response.context["as_of"] is None
    assert response.context["overview"].overall.total == Measure.objects.count()


@pytest.mark.parametrize("value", ["yesterday", "2024-13-40", "2024/02/30", "９９９９９"])
def test_home_invalid_as_of_shows_a_japanese_message_and_current_totals(
    reader_client, seeded, value
):
    response = reader_client.get(HOME, {"as_of": value})
    assert response.status_code == 200
    assert "日付は 2024-03-31 の形で入力してください" in _text(response)
    assert response.context["overview"].overall.total == Measure.objects.count()


def test_home_as_of_counts_a_measure_once_when_two_records_share_a_time(reader_client, seeded):
    measure = Measure.objects.filter(status=Status.NOT_STARTED).first()
    measure_set_status(measures=[measure], status=Status.IMPLEMENTED)
    first, second = measure.history.order_by("history_id")[:2]
    second.history_date = first.history_date
    second.save()
    overall = (
        reader_client.get(HOME, {"as_of": timezone.localdate().isoformat()})
        .context["overview"]
        .overall
    )
    assert overall.total == Measure.objects.count()
    assert (
        overall.count_of(Status.IMPLEMENTED)
        == Measure.objects.filter(status=Status.IMPLEMENTED).count()
    )


def test_an_edit_saved_in_the_admin_form_shows_on_home_and_category_pages(
    reader_client, admin_client, seeded
):
    from tests.admin_forms import measure_form_data

    measure = Measure.objects.get(name="市民相談・要望・苦情のデータベース化")
    assert measure.status == Status.NOT_STARTED
    saved = admin_client.post(
        reverse("admin:measures_measure_change", args=[measure.pk]),
        measure_form_data(measure, status=Status.IMPLEMENTED),
    )
    assert saved.status_code == 302

    home = reader_client.get(HOME).context["overview"]
    e_city = next(item for item in home.categories if item.category.code == "e-city")
    assert (
        e_city.breakdown.count_of(Status.IMPLEMENTED),
        e_city.breakdown.count_of(Status.NOT_STARTED),
    ) == (21, 2)
    page = reader_client.get(reverse("measures:category", args=["e-city"]))
    assert page.context["breakdown"].count_of(Status.IMPLEMENTED) == 21
