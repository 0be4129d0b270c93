"""Long tables page in the database; the totals still count the whole category."""

import pytest
from django.urls import reverse

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
