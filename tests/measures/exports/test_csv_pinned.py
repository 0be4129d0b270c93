"""The two CSV downloads, byte for byte: the 施策一覧 CSV (in its sort orders, filters and with
re-listings) and the open-data CSV, on the plan's seed data and on a small register with
re-listings, blank periods and texts that look like formulas. The files under ``pinned/`` were
written by the downloads as users received them; a change to how the rows are read must not
change a byte of them (only today's date, in 更新日, is put back in)."""

import io
import zipfile
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from measures.models import Category, Status
from tests.downloads import body

pytestmark = pytest.mark.django_db

PINNED = Path(__file__).parent / "pinned"
TODAY = "YYYY-MM-DD"

MEASURE_LIST = {
    "seed_measures": "/measures/export.csv",
    "seed_measures_relistings": "/measures/export.csv?relistings=on",
    "seed_measures_by_status_desc": "/measures/export.csv?relistings=on&sort=-status",
    "seed_measures_by_periods": "/measures/export.csv?relistings=on&sort=periods",
    "seed_measures_city": "/measures/export.csv?category=e-city&relistings=on&sort=name",
    "seed_measures_search": "/measures/export.csv?"
    + urlencode({"q": "システム", "relistings": "on"}),
    "seed_measures_partial_in_fourth": "/measures/export.csv?status=partial&period=4",
    "seed_opendata": "/excel/opendata.csv",
    "seed_opendata_excel": "/excel/opendata-excel.csv",
}
SMALL = {
    "small_measures": "/measures/export.csv?relistings=on",
    "small_measures_by_periods": "/measures/export.csv?relistings=on&sort=-periods",
    "small_opendata": "/excel/opendata.csv",
}


XLSX = "/measures/export.xlsx?relistings=on&sort=-status"


def _download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    return body(response).replace(timezone.localdate().isoformat().encode(), TODAY.encode())


def _assert_pinned(client, name: str, url: str) -> None:
    expected = (PINNED / f"{name}.csv").read_bytes()
    assert _download(client, url) == expected


@pytest.mark.parametrize(("name", "url"), MEASURE_LIST.items())
def test_seed_csv_is_unchanged(seeded, reader_client, name, url):
    _assert_pinned(reader_client, name, url)


@pytest.fixture
def small_register(make_category, make_measure, make_relisting):
    """Two tables; a measure re-listed twice, one in no period, texts that start formulas."""
    first, second = make_category("e-first"), make_category("e-second")
    third = Category.objects.create(
        plan=first.plan, code="e-third", label="ウ", name="=第三", short_name="=三", order=3
    )
    runs = make_measure("一次から三次", category=first, period_numbers=(1, 2, 3))
    gaps = make_measure("=SUM(A1)", category=first, status=Status.PARTIAL, period_numbers=(1, 3, 4))
    make_measure("＋全角で始まる", category=first, status=Status.NOT_STARTED, period_numbers=())
    make_measure(' "引用",と改行\n入り', category=second, period_numbers=(2,))
    make_measure("　-空白の後", category=second, status=Status.PARTIAL, period_numbers=(4,))
    make_measure("@mention", category=third, period_numbers=(1, 2, 3, 4))
    make_relisting(runs, second, 10)
    make_relisting(runs, third, 3, label="+再掲の見出し")
    make_relisting(gaps, second, 11)


@pytest.mark.parametrize(("name", "url"), SMALL.items())
def test_small_register_csv_is_unchanged(small_register, reader_client, name, url):
    _assert_pinned(reader_client, name, url)


def _xlsx_parts(content: bytes) -> dict[str, bytes]:
    """Every part of a workbook but its creation time (docProps/core.xml)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n != "docProps/core.xml"}


def _assert_pinned_workbook(client, name: str) -> None:
    expected = _xlsx_parts((PINNED / f"{name}.xlsx").read_bytes())
    response = client.get(XLSX)
    assert response.status_code == 200
    assert _xlsx_parts(body(response)) == expected


def test_seed_measure_list_workbook_is_unchanged(seeded, reader_client):
    """The 施策一覧 workbook shares the CSV's rows: its sheet, styles and widths are pinned."""
    _assert_pinned_workbook(reader_client, "seed_measures")


def test_small_register_measure_list_workbook_is_unchanged(small_register, reader_client):
    _assert_pinned_workbook(reader_client, "small_measures")
