"""One formula guard for every export: nothing a spreadsheet could read as a formula, including
the full-width forms that Japanese spreadsheets and input methods turn into one."""

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from measures.exports.cells import safe_text, starts_like_formula
from tests.downloads import body as download_body

pytestmark = pytest.mark.django_db

NAMES = ["＝1+1", '=HYPERLINK("http://evil.example","x")', "＋1", "－1", "＠SUM(A1)", " =1+1"]


@pytest.mark.parametrize(
    "text",
    [
        "=1",
        "+1",
        "-1",
        "@SUM(A1)",
        "\t1",
        "\r1",
        "＝1+1",
        "＋1",
        "－1",
        "＠SUM(A1)",
        " =1",
        "\u3000=1",
        "  ＝1",
        "\n=1",
    ],
)
def test_formula_starts_are_recognised(text):
    assert starts_like_formula(text)
    assert safe_text(text) == "'" + text


@pytest.mark.parametrize("text", ["IT講習の推進", "1-2", "ｼｽﾃﾑ", "（再掲）", "", "e-city:3", "◎"])
def test_ordinary_text_is_left_alone(text):
    assert not starts_like_formula(text)
    assert safe_text(text) == text


@pytest.fixture
def formula_names(make_measure):
    for name in NAMES:
        make_measure(name)


def _csv_names(text: str, column: str) -> set[str]:
    rows = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    return {row[column] for row in rows}


def _guarded() -> set[str]:
    return {"'" + name for name in NAMES}


def _xlsx_name_cells(content: bytes, open_workbook) -> list:
    cells = []
    for ws in open_workbook(content).worksheets:
        cells += [cell for row in ws.iter_rows() for cell in row if cell.value in NAMES]
    return cells


def _assert_text_cells(cells) -> None:
    assert {cell.value for cell in cells} == set(NAMES)
    for cell in cells:
        assert cell.data_type == "s", cell.value
        assert cell.quotePrefix, cell.value


def test_browser_csv_guards_names(reader_client, formula_names):
    body = download_body(reader_client.get(reverse("measures:export_csv"))).decode()
    assert _csv_names(body, "施策名") == _guarded()


def test_browser_xlsx_keeps_names_as_text(reader_client, formula_names, open_workbook):
    content = download_body(reader_client.get(reverse("measures:export_xlsx")))
    _assert_text_cells(_xlsx_name_cells(content, open_workbook))


@pytest.mark.parametrize("name", ["measures:excel:opendata", "measures:excel:opendata_bom"])
def test_opendata_guards_names(reader_client, formula_names, name):
    body = download_body(reader_client.get(reverse(name))).decode("utf-8-sig")
    assert _csv_names(body, "施策名") == _guarded()


def test_summary_workbook_keeps_names_as_text(reader_client, formula_names, open_workbook):
    content = download_body(reader_client.get(reverse("measures:excel:summary")))
    _assert_text_cells(_xlsx_name_cells(content, open_workbook))


def test_table_csv_command_guards_names(formula_names):
    out = io.StringIO()
    call_command("export_table_csv", stdout=out)
    assert _csv_names(out.getvalue(), "name") == _guarded()


def test_opendata_command_guards_names(formula_names, tmp_path):
    target = tmp_path / "opendata.csv"
    call_command("export_opendata", "-o", str(target))
    assert _csv_names(target.read_text(encoding="utf-8"), "施策名") == _guarded()


def test_summary_command_keeps_names_as_text(formula_names, tmp_path, open_workbook):
    target = tmp_path / "summary.xlsx"
    call_command("export_summary", "-o", str(target))
    _assert_text_cells(_xlsx_name_cells(target.read_bytes(), open_workbook))
