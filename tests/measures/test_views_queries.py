"""Each page's number of queries does not grow with the number of measures."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from measures.models import Category, Measure, PlanPeriod, Relisting, Status
from measures.text import search_key

pytestmark = pytest.mark.django_db

STATUSES = list(Status)


def _add_measures(category: Category, count: int, periods: list[PlanPeriod]) -> None:
    """Bulk-create ``count`` measures with history and periods after the category's rows."""
    start = max(
        [m.position for m in category.measures.all()]
        + [r.position for r in category.relistings.all()]
        + [0]
    )
    measures = [
        Measure(
            category=category,
            position=start + n,
            name=f"生成施策{n}",
            search_text=search_key(f"生成施策{n}"),
            status=STATUSES[n % len(STATUSES)],
        )
        for n in range(1, count + 1)
    ]
    created = bulk_create_with_history(measures, Measure)
    created = list(Measure.objects.filter(category=category, position__gt=start))
    through = Measure.periods.through
    through.objects.bulk_create(
        through(measure=m, planperiod=p)
        for i, m in enumerate(created)
        for p in periods[: 1 + i % len(periods)]
    )


@pytest.fixture
def small_register(make_category, make_measure, make_relisting, periods):
    """Two categories, a handful of measures and a re-listing, with history."""
    first = make_category("e-one", order=1)
    second = make_category("e-two", order=2)
    for n in range(3):
        make_measure(f"施策{n}", category=first, status=STATUSES[n], period_numbers=(1, 2))
    original = make_measure(
        "再掲される施策", category=first, status=Status.PARTIAL, period_numbers=(1, 4)
    )
    make_measure("二つ目の区分の施策", category=second)
    make_relisting(original, second, position=5, label="再掲の表記")
    return first, second


def _count(client, url: str, data=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data or {})
    assert response.status_code == 200, url
    return len(queries)


def _pages(first: Category):
    today = timezone.localdate().isoformat()
    measure = Measure.objects.filter(category=first).first()
    return [
        (reverse("measures:home"), None),
        (reverse("measures:home"), {"as_of": today}),
        (reverse("measures:category", args=[first.code]), None),
        (reverse("measures:category", args=["e-two"]), {"as_of": today}),
        (reverse("measures:browser"), None),
        (reverse("measures:browser"), {"relistings": "on", "sort": "-periods", "page": "2"}),
        (reverse("measures:browser"), {"q": "施策", "status": "partial", "period": "1"}),
        (reverse("measures:export_csv"), {"relistings": "on"}),
        (reverse("measures:export_xlsx"), {"sort": "status"}),
        (reverse("measures:periods"), None),
        (measure.get_absolute_url(), None),
    ]


def test_query_counts_do_not_grow_with_the_number_of_measures(
    reader_client, small_register, periods
):
    first, second = small_register
    pages = _pages(first)
    few = [_count(reader_client, url, data) for url, data in pages]

    _add_measures(first, 250, periods)
    _add_measures(second, 150, periods)
    Relisting.objects.create(
        measure=Measure.objects.filter(category=first).last(),
        category=second,
        position=Measure.objects.filter(category=second).count() + 10,
        label="生成された再掲",
    )
    assert Measure.objects.count() > 400

    many = [_count(reader_client, url, data) for url, data in pages]
    assert many == few, list(zip([url for url, _ in pages], few, many, strict=True))
