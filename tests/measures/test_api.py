"""The register's API (/api/v1/): the browser's filters and rows, totals equal to the home
page's (now and as of a date), a measure's details, and constant query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.services import register_governance_seed
from measures.models import Category, Measure, Relisting, Status
from measures.progress.models import ProgressRound
from measures.services import measure_set_status

from .test_views_queries import _add_measures

pytestmark = pytest.mark.django_db

SEED_TOTALS = {"e-citizen": (12, 19, 3), "e-business": (7, 4, 1), "e-city": (20, 6, 3)}


def _triple(totals: dict) -> tuple[int, int, int]:
    return totals["implemented"], totals["partial"], totals["not_started"]


def test_totals_are_the_seed_plans(reader_client, seeded):
    body = reader_client.get("/api/v1/totals").json()
    assert {c["category"]["code"]: _triple(c["totals"]) for c in body["categories"]} == SEED_TOTALS
    assert _triple(body["overall"]) == (39, 29, 7)
    assert body["overall"]["total"] == 75 and body["as_of"] is None
    marks = [s["mark"] for s in body["overall"]["statuses"]]
    assert marks == ["◎", "○", "×"]


def _home_totals(client, **params) -> dict:
    overview = client.get(reverse("measures:home"), params).context["overview"]
    return {
        c.category.code: tuple(c.breakdown.count_of(s) for s in Status) for c in overview.categories
    }


def test_totals_equal_the_home_pages_now_and_as_of_a_date(reader_client, seeded):
    Measure.history.update(history_date=F("history_date") - timedelta(days=5))
    measure = Measure.objects.filter(status=Status.NOT_STARTED).first()
    measure_set_status(measures=[measure], status=Status.IMPLEMENTED)
    day = (timezone.localdate() - timedelta(days=2)).isoformat()

    then = reader_client.get("/api/v1/totals", {"as_of": day}).json()
    now = reader_client.get("/api/v1/totals").json()

    assert then["as_of"] == day
    then_by_code = {c["category"]["code"]: _triple(c["totals"]) for c in then["categories"]}
    now_by_code = {c["category"]["code"]: _triple(c["totals"]) for c in now["categories"]}
    assert then_by_code == _home_totals(reader_client, as_of=day) == SEED_TOTALS
    assert now_by_code == _home_totals(reader_client)
    assert now["overall"]["implemented"] == then["overall"]["implemented"] + 1


def _api_rows(client, **params) -> list[tuple]:
    rows, page = [], 1
    while True:
        body = client.get("/api/v1/measures", {**params, "page": page, "page_size": 100}).json()
        rows += [(r["kind"], r["category"]["code"], r["position"]) for r in body["results"]]
        if page >= body["pages"]:
            return rows
        page += 1


def _browser_rows(client, **params) -> list[tuple]:
    table = client.get(reverse("measures:browser"), {**params, "per_page": 500}).context["table"]
    return [
        (
            "relisting" if row.record.is_relisting else "measure",
            row.record.category.code,
            row.record.position,
        )
        for row in table.rows
    ]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "ＩＴ講習"},
        {"q": "gis 構築"},
        {"q": "電子納付 実現"},
        {"q": "ｼｽﾃﾑ"},
        {"status": "partial"},
        {"period": "4"},
        {"category": "e-city"},
        {"category": "e-city", "relistings": "true"},
        {"relistings": "true"},
        {"q": "システム", "status": "implemented", "period": "2", "relistings": "true"},
    ],
)
def test_measure_list_filters_exactly_as_the_browser(reader_client, seeded, params):
    browser_params = {**params}
    if "relistings" in browser_params:
        browser_params["relistings"] = "on"
    api = _api_rows(reader_client, **params)
    assert api == _browser_rows(reader_client, **browser_params)
    assert api, params


def test_measure_list_orders_by_name_and_status(reader_client, seeded):
    by_status = reader_client.get("/api/v1/measures", {"ordering": "status", "page_size": 100})
    codes = [r["status"]["code"] for r in by_status.json()["results"]]
    assert codes == sorted(codes, key=[s.value for s in Status].index)
    by_name = reader_client.get("/api/v1/measures", {"ordering": "-name", "page_size": 3}).json()
    assert by_name["results"][0]["name"] >= by_name["results"][-1]["name"]


def test_measure_list_pages(reader_client, seeded):
    first = reader_client.get("/api/v1/measures", {"page_size": 10}).json()
    last = reader_client.get("/api/v1/measures", {"page_size": 10, "page": 8}).json()
    assert first["count"] == 75 and first["pages"] == 8
    assert len(first["results"]) == 10 and len(last["results"]) == 5


def test_measure_detail_has_relistings_division_and_progress(reader_client, seeded):
    relisting = Relisting.objects.select_related("measure").first()
    body = reader_client.get(f"/api/v1/measures/{relisting.measure_id}").json()
    assert body["name"] == relisting.measure.name
    assert body["status"]["code"] == relisting.measure.status
    assert {r["label"] for r in body["relistings"]} >= {relisting.label}
    assert body["responsible_division"] is None or "name" in body["responsible_division"]
    # The plan itself is the first, confirmed round: its approved entry is the timeline's origin.
    assert [entry["is_baseline"] for entry in body["progress"]] == [True]
    assert body["plan_periods_display"]


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, params or {}).status_code == 200
    return len(context.captured_queries)


ENDPOINTS = [
    ("/api/v1/plan", None),
    ("/api/v1/periods", None),
    ("/api/v1/categories", None),
    ("/api/v1/measures", {"page_size": 100}),
    ("/api/v1/measures", {"relistings": "true", "q": "システム", "page_size": 100}),
    ("/api/v1/measures", {"category": "e-city", "relistings": "true", "ordering": "-status"}),
    ("/api/v1/measures/{id}", None),
    ("/api/v1/totals", None),
    ("/api/v1/totals", {"as_of": "today"}),
    ("/api/v1/governance/structure", None),
    ("/api/v1/progress/rounds", None),
    ("/api/v1/progress/rounds/{round}/results", None),
]


@pytest.mark.parametrize(("url", "params"), ENDPOINTS)
def test_every_endpoints_query_count_stays_the_same_with_hundreds_of_measures(
    reader_client, seeded, url, params
):
    register_governance_seed()
    url = url.format(id=Measure.objects.first().pk, round=ProgressRound.objects.first().pk)
    if params and params.get("as_of") == "today":
        params = {"as_of": timezone.localdate().isoformat()}
    before = _queries(reader_client, url, params)
    periods = list(Measure.objects.first().periods.all()) or None
    for category in Category.objects.all():
        _add_measures(category, 120, periods or [])
    assert Measure.objects.count() > 400
    assert _queries(reader_client, url, params) == before
