"""The browser's rows, sorted, filtered and paged by the database, are the rows the old
Python ordering gave (django-tables2 sorting a list of every row) on the seed data."""

import pytest
from django.urls import reverse

from measures.models import Category, Measure, Status
from measures.text import search_key

pytestmark = pytest.mark.django_db

BROWSER = reverse("measures:browser")
COLUMNS = ["category", "position", "name", "status", "periods", "relisting_note"]


def _reference(*, category=None, relistings=False, measures=None, sort=""):
    """Return (is_relisting, category code, position) of every row as the old code ordered
    them: plan order, then a stable sort on the column's keys, all of them flipped when
    descending (so ties keep plan order)."""
    measures = (measures or Measure.objects.all()).prefetch_related(
        "periods", "relistings__category"
    )
    categories = {c.pk: c for c in Category.objects.all()}
    rows = []
    for m in measures:
        if category is None or categories[m.category_id].code == category:
            rows.append(
                {
                    "id": (False, categories[m.category_id].code, m.position),
                    "plan": (categories[m.category_id].order, m.position),
                    "name": search_key(m.name),
                    "status": list(Status).index(Status(m.status)),
                    "periods": tuple(sorted(p.number for p in m.periods.all())),
                    "relisting": False,
                }
            )
        if relistings:
            for r in m.relistings.all():
                if category is None or r.category.code == category:
                    rows.append(
                        {
                            "id": (True, r.category.code, r.position),
                            "plan": (r.category.order, r.position),
                            "name": search_key(r.label),
                            "status": len(Status),
                            "periods": (99,),
                            "relisting": True,
                        }
                    )
    rows.sort(key=lambda r: r["plan"])
    column, descending = sort.lstrip("-"), sort.startswith("-")
    key = {
        "": lambda r: r["plan"],
        "category": lambda r: r["plan"],
        "position": lambda r: r["plan"],
        "name": lambda r: r["name"],
        "status": lambda r: (r["status"], *r["plan"]),
        "periods": lambda r: (r["periods"], *r["plan"]),
        "relisting_note": lambda r: (r["relisting"], *r["plan"]),
    }[column]
    rows.sort(key=key, reverse=descending)
    return [r["id"] for r in rows]


def _shown(response, *, paged=False):
    table = response.context["table"]
    rows = table.paginated_rows if paged else table.rows
    return [(r.record.is_relisting, r.record.category.code, r.record.position) for r in rows]


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("direction", ["", "-"])
@pytest.mark.parametrize("relistings", [False, True])
def test_browser_sorts_every_column_as_the_python_ordering_did(
    reader_client, seeded, column, direction, relistings
):
    query = {"sort": f"{direction}{column}", "per_page": "200"}
    if relistings:
        query["relistings"] = "on"
    response = reader_client.get(BROWSER, query)
    assert _shown(response, paged=True) == _reference(
        relistings=relistings, sort=f"{direction}{column}"
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {}),
        ({"category": "e-business", "relistings": "on"}, {"category": "e-business"}),
        ({"category": "e-city", "sort": "-name"}, {"category": "e-city"}),
        ({"q": "GIS 構築", "relistings": "on"}, {"search": "GIS 構築"}),
        ({"q": "システム", "relistings": "on", "sort": "name"}, {"search": "システム"}),
        ({"status": "partial", "period": "4", "relistings": "on"}, {"status": "partial"}),
    ],
)
def test_browser_filters_as_the_python_ordering_did(reader_client, seeded, query, expected):
    measures = Measure.objects.all()
    if "search" in expected:
        measures = measures.search(expected["search"])
    if "status" in expected:
        measures = measures.filter(status=expected["status"], periods__number=4)
    response = reader_client.get(BROWSER, {**query, "per_page": "200"})
    rows = _shown(response, paged=True)
    assert rows
    assert rows == _reference(
        category=expected.get("category"),
        relistings="relistings" in query,
        measures=measures,
        sort=query.get("sort", ""),
    )


@pytest.mark.parametrize("sort", ["", "-name", "status", "-periods", "relisting_note"])
def test_browser_pages_slice_the_python_ordering(reader_client, seeded, sort):
    reference = _reference(relistings=True, sort=sort)
    for page in (1, 2, 3):
        response = reader_client.get(
            BROWSER, {"relistings": "on", "sort": sort, "per_page": "20", "page": page}
        )
        assert _shown(response, paged=True) == reference[(page - 1) * 20 : page * 20], page
