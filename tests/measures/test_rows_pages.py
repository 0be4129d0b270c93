"""A page of a table is the whole ordered table cut there: the per-table cut that lets the
database read a page by index (PostgreSQL) never changes which rows a page shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from measures.models import Category, Measure, Status
from measures.rows import AsOfRows, RowQuery

pytestmark = pytest.mark.django_db

SLICES = [(0, 0), (0, 7), (7, 14), (40, 60), (95, 130), (0, 500)]


def _shape(rows):
    return [(r.category.code, r.position, r.name, r.status, r.is_relisting) for r in rows]


def _queries(seeded):
    e_city = Category.objects.get(code="e-city")
    partial = Measure.objects.filter(status=Status.PARTIAL)
    return {
        "every table with 再掲": RowQuery(),
        "every table": RowQuery(with_relistings=False),
        "one table with 再掲": RowQuery(category=e_city),
        "one table": RowQuery(category=e_city, with_relistings=False),
        "filtered with 再掲": RowQuery(partial),
        "filtered, one table": RowQuery(partial, e_city),
        "nothing": RowQuery(Measure.objects.none()),
        "by name, descending": RowQuery().order_by("-name_key"),
    }


@pytest.mark.parametrize("start,stop", SLICES)
def test_a_page_is_the_ordered_rows_cut_there(seeded, start, stop):
    for name, rows in _queries(seeded).items():
        whole = _shape(rows.iterator())
        assert _shape(rows[start:stop]) == whole[start:stop], name


def test_the_first_page_of_the_plan_order_reads_each_table_only_to_the_page_end(seeded):
    if not connection.features.supports_slicing_ordering_in_compound:
        pytest.skip("the per-table cut needs LIMIT inside a UNION (PostgreSQL)")
    with CaptureQueriesContext(connection) as captured:
        RowQuery()[0:20]
    (page_query,) = [q["sql"] for q in captured if "UNION ALL" in q["sql"]]
    # Three tables of measures and three of re-listings, each cut at the page end, then the
    # page itself.
    assert page_query.count("LIMIT 20") == 3 + 3 + 1


def test_a_table_as_of_a_date_pages_as_the_whole_table_cut_there(seeded, make_measure):
    e_city = Category.objects.get(code="e-city")
    moved = Measure.objects.filter(category=e_city).order_by("position")[3]
    moved.category = Category.objects.get(code="e-citizen")
    moved.position = 90
    moved.save()
    today = timezone.localdate()
    rows = AsOfRows(e_city, today)
    whole = [(r.position, r.label, r.status, r.is_relisting) for r in rows[0:]]  # uncut
    assert moved.name not in [label for _p, label, _s, _r in whole]
    for start, stop in SLICES:
        assert [(r.position, r.label, r.status, r.is_relisting) for r in rows[start:stop]] == (
            whole[start:stop]
        )
