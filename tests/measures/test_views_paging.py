"""Long tables page in the database; the totals still count the whole category."""

import pytest
from django.urls import reverse
from django.utils import timezone

from measures import selectors
from measures.models import Category, Measure, Status
from tests.measures.test_views_queries import _add_measures

pytestmark = pytest.mark.django_db


def test_category_table_pages_beyond_a_printed_sheet_with_whole_totals(
    reader_client, make_category, periods, monkeypatch
):
    first = make_category("e-one", order=1)
    monkeypatch.setattr(selectors, "CATEGORY_PAGE_ROWS", 5)
    _add_measures(first, 11, periods)
    url = reverse("measures:category", args=[first.code])
    page1 = reader_client.get(url)
    page3 = reader_client.get(url, {"page": "3"})
    assert len(page1.context["rows"]) == 5
    assert [r.position for r in page3.context["rows"]] == [
        m.position for m in Measure.objects.filter(category=first).order_by("position")[10:]
    ]
    assert "次のページ" in page1.content.decode()
    for response in (page1, page3):
        breakdown = response.context["breakdown"]
        assert breakdown.total == Measure.objects.filter(category=first).count() == 11
        for status in Status:
            assert breakdown.count_of(status) == first.measures.filter(status=status).count()


def test_category_table_as_of_a_date_pages_as_today(
    reader_client, make_category, make_measure, make_relisting, periods, monkeypatch
):
    first, second = make_category("e-one", order=1), make_category("e-two", order=2)
    monkeypatch.setattr(selectors, "CATEGORY_PAGE_ROWS", 5)
    _add_measures(first, 6, periods)
    make_relisting(make_measure("再掲される施策", category=second), first, position=7)
    _add_measures(first, 5, periods)
    url = reverse("measures:category", args=[first.code])
    today = timezone.localdate().isoformat()
    for page in ("1", "2", "3"):
        now = reader_client.get(url, {"page": page}).context
        then = reader_client.get(url, {"page": page, "as_of": today}).context
        assert [(r.position, r.label, r.status, r.is_relisting) for r in then["rows"]] == [
            (r.position, r.label, r.status, r.is_relisting) for r in now["rows"]
        ]
        assert then["rows"].paginator.num_pages == now["rows"].paginator.num_pages == 3
        assert then["breakdown"] == now["breakdown"]
    relisting = next(
        r
        for r in reader_client.get(url, {"page": "2", "as_of": today}).context["rows"]
        if r.is_relisting
    )
    assert relisting.original_category == second


def test_category_table_fitting_a_sheet_is_one_page(reader_client, seeded):
    response = reader_client.get(reverse("measures:category", args=["e-city"]))
    assert len(response.context["rows"]) == Category.objects.get(code="e-city").measures.count() + (
        Category.objects.get(code="e-city").relistings.count()
    )
    assert "次のページ" not in response.content.decode()


def test_period_matrix_pages_its_measures(reader_client, seeded, monkeypatch):
    monkeypatch.setattr(selectors, "PERIOD_MATRIX_PAGE_ROWS", 30)
    response = reader_client.get(reverse("measures:periods"), {"page": "2"})
    rows = list(response.context["measures"])
    assert len(rows) == 30
    expected = Measure.objects.order_by("category__order", "position")[30:60]
    assert [r.measure_pk for r in rows] == [m.pk for m in expected]
