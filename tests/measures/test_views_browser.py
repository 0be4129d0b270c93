"""The measure browser: filters, sorting, paging and exports, all in the query string."""

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from measures.models import Measure, Relisting, Status
from tests.downloads import body as download_body

pytestmark = pytest.mark.django_db

BROWSER = reverse("measures:browser")


def _names(response) -> list[str]:
    return [row.record.name for row in response.context["table"].paginated_rows]


def _all_rows(response):
    return [row.record for row in response.context["table"].rows]


def test_browser_lists_every_measure_in_plan_order(reader_client, seeded):
    response = reader_client.get(BROWSER)
    assert response.status_code == 200
    rows = _all_rows(response)
    assert len(rows) == Measure.objects.count()
    assert not any(row.is_relisting for row in rows)


def test_browser_search_ignores_width_and_case(reader_client, seeded):
    for query in ("ＩＴ講習", "it 講習", "IT講習"):
        response = reader_client.get(BROWSER, {"q": query})
        assert [r.name for r in _all_rows(response)] == ["IT講習の推進"], query


def test_browser_search_matches_every_word(reader_client, seeded):
    response = reader_client.get(BROWSER, {"q": "GIS 構築"})
    assert sorted(r.name for r in _all_rows(response)) == [
        "統合型GISシステムの構築",
        "防災GISシステム等の構築",
    ]


def test_browser_refuses_more_than_ten_search_words_with_a_message(reader_client, seeded):
    response = reader_client.get(BROWSER, {"q": " ".join(f"語{i}" for i in range(11))})
    assert response.status_code == 200
    assert "検索語は 10 語までにしてください（11 語あります）。" in response.content.decode()
    assert _all_rows(response) == []


def test_browser_period_filter_is_labelled_plan_period(reader_client, seeded):
    text = reader_client.get(BROWSER).content.decode()
    assert '<label for="id_period">計画期間</label>' in text
    assert "実施した計画期間" not in text


def test_browser_filters_by_category_status_and_period(reader_client, seeded):
    response = reader_client.get(
        BROWSER, {"category": "e-city", "status": "not_started", "period": "4"}
    )
    rows = _all_rows(response)
    expected = Measure.objects.filter(
        category__code="e-city", status=Status.NOT_STARTED, periods__number=4
    )
    assert {r.measure_pk for r in rows} == set(expected.values_list("pk", flat=True))
    assert rows


def test_browser_shows_relisting_rows_in_the_table_they_are_relisted_in(reader_client, seeded):
    response = reader_client.get(BROWSER, {"category": "e-business", "relistings": "on"})
    rows = _all_rows(response)
    relistings = [r for r in rows if r.is_relisting]
    assert [r.name for r in relistings] == list(
        Relisting.objects.filter(category__code="e-business").values_list("label", flat=True)
    )
    assert re.search(r'<tr class="[^"]*\brelisting\b', response.content.decode())


@pytest.mark.parametrize(
    "column", ["category", "position", "name", "status", "periods", "relisting_note"]
)
@pytest.mark.parametrize("direction", ["", "-"])
def test_browser_sorts_by_every_column(reader_client, seeded, column, direction):
    response = reader_client.get(BROWSER, {"sort": f"{direction}{column}", "relistings": "on"})
    assert response.status_code == 200
    rows = _all_rows(response)
    key = {
        "category": lambda r: (r.category_order, r.position),
        "position": lambda r: (r.category_order, r.position),
        "name": lambda r: r.name_key,
        "status": lambda r: r.status_order,
        "periods": lambda r: r.periods_key,
        "relisting_note": lambda r: r.is_relisting,
    }[column]
    keys = [key(r) for r in rows]
    assert keys == sorted(keys, reverse=direction == "-")


def test_browser_pages_and_keeps_the_state_in_links(reader_client, seeded):
    response = reader_client.get(BROWSER, {"relistings": "on", "sort": "name", "page": "2"})
    table = response.context["table"]
    assert table.page.number == 2
    text = response.content.decode()
    assert "relistings=on&amp;sort=name&amp;page=1" in text
    assert "次のページ" in text or "前のページ" in text


@pytest.mark.parametrize(
    "query",
    [
        {"page": "999"},
        {"page": "zwei"},
        {"sort": "no_such_column"},
        {"status": "done"},
        {"category": "nowhere"},
        {"period": "9"},
        {"relistings": "maybe"},
    ],
)
def test_browser_bad_query_values_never_fail(reader_client, seeded, query):
    response = reader_client.get(BROWSER, query)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("per_page", "rows"),
    [("10", 10), ("200", 75), ("-1", 50), ("0", 50), ("201", 50), ("99999999999999999999", 50)],
)
def test_browser_rows_per_page_are_bounded(client, seeded, settings, per_page, rows):
    """?per_page= takes 1 to 200; anything else gives the default 50 rows, not an error page
    (anonymous visitors reach the browser in public mode)."""
    settings.DASHBOARD_PUBLIC_READ = True
    response = client.get(BROWSER, {"per_page": per_page})
    assert response.status_code == 200
    assert len(_names(response)) == rows


def test_browser_invalid_filter_shows_a_japanese_message(reader_client, seeded):
    response = reader_client.get(BROWSER, {"status": "done"})
    text = response.content.decode()
    assert "条件に誤りがあります" in text
    assert "正しく選択してください" in text


def test_csv_export_has_exactly_the_filtered_rows_with_bom(reader_client, seeded):
    response = reader_client.get(
        reverse("measures:export_csv"), {"category": "e-citizen", "status": "implemented"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.csv"')
    body = download_body(response).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[0][:3] == ["区分", "番号", "施策名"]
    expected = Measure.objects.filter(category__code="e-citizen", status=Status.IMPLEMENTED)
    assert sorted(r[2] for r in rows[1:]) == sorted(expected.values_list("name", flat=True))
    assert {r[4] for r in rows[1:]} == {"◎"}


def test_exports_neutralise_formulas(reader_client, make_measure):
    make_measure('=HYPERLINK("http://example.com")')
    csv_body = download_body(reader_client.get(reverse("measures:export_csv"))).decode()
    assert "'=HYPERLINK" in csv_body
    xlsx = reader_client.get(reverse("measures:export_xlsx"))
    cell = load_workbook(io.BytesIO(download_body(xlsx))).active["C2"]
    # The exact name, kept as text: a string cell with Excel's quote prefix.
    assert (cell.value, cell.data_type, cell.quotePrefix) == (
        '=HYPERLINK("http://example.com")',
        "s",
        True,
    )


def test_xlsx_export_follows_filters_and_sort_over_all_pages(reader_client, seeded):
    response = reader_client.get(
        reverse("measures:export_xlsx"), {"sort": "-name", "relistings": "on"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(download_body(response))).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref
    assert sheet["A1"].value == "区分"
    names = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(names) == Measure.objects.count() + Relisting.objects.count()


def test_browser_links_to_exports_with_the_same_filters(reader_client, seeded):
    text = reader_client.get(BROWSER, {"status": "partial", "page": "2"}).content.decode()
    assert f"{reverse('measures:export_csv')}?status=partial" in text
    assert "page=2" not in text.split(reverse("measures:export_csv"))[1][:40]


def test_sorted_column_header_tells_screen_readers_the_direction(reader_client, seeded):
    page = reader_client.get(reverse("measures:browser"), {"sort": "-status"}).content.decode()
    assert page.count("aria-sort=") == 1
    assert 'aria-sort="descending"' in page
    ascending = reader_client.get(reverse("measures:browser"), {"sort": "name"}).content.decode()
    assert 'aria-sort="ascending"' in ascending
