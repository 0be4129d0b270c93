"""The category summary page reproduces the plan's table with totals from the data."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from measures.models import Category, Measure, Status
from measures.services import measure_set_status

pytestmark = pytest.mark.django_db


def _url(code: str) -> str:
    return reverse("measures:category", args=[code])


def test_summary_lists_rows_in_plan_order_with_relistings_in_place(reader_client, seeded):
    response = reader_client.get(_url("e-business"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.position for row in rows] == sorted(row.position for row in rows)
    relisting = next(row for row in rows if row.is_relisting)
    assert relisting.position == 6
    assert relisting.label == "申請・届出のオンライン化"
    assert relisting.status is None
    original = Measure.objects.get(category__code="e-citizen", position=20)
    assert relisting.measure_pk == original.pk

    text = response.content.decode()
    assert 'class="relisting"' in text
    assert "再掲" in text
    assert original.get_absolute_url() in text
    for heading in ("区分", "施策", "実施", "一部着手", "未着手", "計画期間"):
        assert f">{heading}</th>" in text


def test_summary_totals_count_measures_but_never_relistings(reader_client, seeded):
    category = Category.objects.get(code="e-business")
    breakdown = reader_client.get(_url("e-business")).context["breakdown"]
    assert breakdown.total == category.measures.count()
    for status in Status:
        assert breakdown.count_of(status) == category.measures.filter(status=status).count()


def test_summary_puts_each_mark_in_its_column(reader_client, seeded):
    text = reader_client.get(_url("e-business")).content.decode()
    for status in Status:
        assert f'<span class="mark {status.css_class}">{status.mark}</span>' in text


def test_summary_shows_an_edit_at_once(reader_client, seeded):
    measure = Measure.objects.filter(category__code="e-city", status=Status.NOT_STARTED).first()
    before = reader_client.get(_url("e-city")).context["breakdown"]
    measure_set_status(measures=[measure], status=Status.PARTIAL)
    after = reader_client.get(_url("e-city")).context["breakdown"]
    assert after.count_of(Status.PARTIAL) == before.count_of(Status.PARTIAL) + 1


def test_summary_as_of_a_date_shows_the_past_marks_and_totals(reader_client, seeded):
    measure = Measure.objects.filter(category__code="e-city", status=Status.NOT_STARTED).first()
    measure_set_status(measures=[measure], status=Status.IMPLEMENTED)
    change = measure.history.first()
    change.history_date = timezone.now() + timedelta(days=2)
    change.save()
    today = timezone.localdate().isoformat()

    response = reader_client.get(_url("e-city"), {"as_of": today})

    row = next(r for r in response.context["rows"] if r.measure_pk == measure.pk)
    assert row.status == Status.NOT_STARTED
    assert row.periods == measure.periods_display
    current = reader_client.get(_url("e-city")).context["breakdown"]
    past = response.context["breakdown"]
    assert past.count_of(Status.NOT_STARTED) == current.count_of(Status.NOT_STARTED) + 1
    assert [r.position for r in response.context["rows"]] == [
        r.position for r in reader_client.get(_url("e-city")).context["rows"]
    ]


def test_summary_before_the_first_record_says_so(reader_client, seeded):
    response = reader_client.get(_url("e-city"), {"as_of": "1999-04-01"})
    assert response.status_code == 200
    assert "この日付より前の記録はありません" in response.content.decode()


def test_summary_refuses_a_future_as_of_date(reader_client, seeded):
    response = reader_client.get(_url("e-city"), {"as_of": "2030-01-01"})
    text = response.content.decode()
    assert "2030年1月1日は未来の日付です。" in text
    assert response.context["as_of"] is None
    assert "2030年1月1日 時点" not in text


def test_summary_downloads_say_they_are_todays_data_when_a_date_is_shown(reader_client, seeded):
    today = timezone.localdate()
    text = reader_client.get(_url("e-city"), {"as_of": today.isoformat()}).content.decode()
    assert "ダウンロードは現在のデータです" in text
    assert (
        "ダウンロードは現在のデータです" not in reader_client.get(_url("e-city")).content.decode()
    )


def test_summary_of_unknown_category_is_a_friendly_404(reader_client, seeded):
    response = reader_client.get(_url("no-such-category"))
    assert response.status_code == 404


def test_summary_offers_the_category_as_download(reader_client, seeded):
    text = reader_client.get(_url("e-city")).content.decode()
    assert f"{reverse('measures:export_xlsx')}?category=e-city" in text


def test_summary_as_of_keeps_a_measure_deleted_since_without_a_link(reader_client, seeded):
    measure = Measure.objects.filter(category__code="e-city", relistings__isnull=True).last()
    pk, name = measure.pk, measure.name
    today = timezone.localdate().isoformat()
    before = reader_client.get(_url("e-city"), {"as_of": today}).context["breakdown"]
    measure.delete()
    deletion = Measure.history.get(id=pk, history_type="-")
    deletion.history_date = timezone.now() + timedelta(days=2)
    deletion.save()

    response = reader_client.get(_url("e-city"), {"as_of": today})

    row = next(r for r in response.context["rows"] if r.label == name)
    assert row.measure_pk is None
    assert response.context["breakdown"].total == before.total
    assert reader_client.get(_url("e-city")).context["breakdown"].total == before.total - 1
