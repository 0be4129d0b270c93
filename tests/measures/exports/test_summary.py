"""The summary workbook, opened again: values, live formulas, styles and print set-up."""

import csv
import re

import openpyxl
import pytest

from measures.exports import styles
from measures.exports.cells import display_width
from measures.exports.summary import CREATED_PROPERTY, FIRST_DATA_ROW, KEY_HEADER, OVERVIEW_TITLE
from measures.models import Category, Measure, Relisting, Status
from measures.totals import category_status_totals
from tests.measures.conftest import CREATED_AT, TODAY

pytestmark = pytest.mark.django_db

# Rows of each table in the seed (measures and re-listings): the total row follows them.
TABLE_ROWS = {"e-citizen": 34, "e-business": 13, "e-city": 36}


def _total_row(code: str) -> int:
    return FIRST_DATA_ROW + TABLE_ROWS[code]


def _countif(ws, column: str, first: int, last: int, mark: str) -> int:
    return sum(1 for row in range(first, last + 1) if ws[f"{column}{row}"].value == mark)


def test_summary_has_an_overview_and_one_sheet_per_category(seeded, summary_bytes, open_workbook):
    wb = open_workbook(summary_bytes())
    assert wb.sheetnames == [OVERVIEW_TITLE, "e-citizen", "e-business", "e-city"]


def test_summary_category_sheet_is_laid_out_like_the_plan(seeded, summary_bytes, open_workbook):
    ws = open_workbook(summary_bytes())["e-citizen"]
    assert ws["A1"].value == "盛岡市情報化基本計画 施策一覧"
    assert ws["A2"].value == "ア e-citizenづくり"
    assert "2026-11-27 現在" in ws["A3"].value
    assert [c.value for c in ws[4]][:6] == [
        "区分",
        "施策",
        "実施",
        "一部着手",
        "未着手",
        "計画期間",
    ]
    assert [c.value for c in ws[5]][:6] == [
        "e-citizen",
        "学校教育施設の基盤インフラ整備",
        None,
        "○",
        None,
        "一次～四次",
    ]
    assert [c.value for c in ws[9]][1:6] == [
        "図書館蔵書検索・予約管理システムの構築",
        "◎",
        None,
        None,
        "一次",
    ]
    assert "A5:A38" in {str(r) for r in ws.merged_cells.ranges}


def test_summary_relisting_rows_are_shaded_marked_and_left_empty(
    seeded, summary_bytes, open_workbook
):
    ws = open_workbook(summary_bytes())["e-business"]
    row = FIRST_DATA_ROW + 5  # position 6: 申請・届出のオンライン化 (re-listed from e-citizen)
    assert ws[f"B{row}"].value == "申請・届出のオンライン化（再掲）"
    assert [ws.cell(row, col).value for col in range(3, 7)] == [None] * 4
    for col in range(2, 7):
        assert ws.cell(row, col).fill.fgColor.rgb.endswith(styles.RELISTING_FILL.fgColor.rgb[-6:])
    assert ws[f"B{row - 1}"].fill.fill_type is None


def test_summary_totals_are_countif_formulas(seeded, summary_bytes, open_workbook):
    ws = open_workbook(summary_bytes())["e-city"]
    total = _total_row("e-city")
    assert ws[f"A{total}"].value == "計"
    assert ws[f"C{total}"].value == '=COUNTIF(C5:C40,"◎")'
    assert ws[f"D{total}"].value == '=COUNTIF(D5:D40,"○")'
    assert ws[f"E{total}"].value == '=COUNTIF(E5:E40,"×")'
    assert ws[f"C{total}"].data_type == "f"


def test_summary_formulas_give_the_register_totals(seeded, summary_bytes, open_workbook):
    wb = open_workbook(summary_bytes())
    for category, totals in category_status_totals():
        ws = wb[category.code]
        last = _total_row(category.code) - 1
        counted = {
            status.value: _countif(ws, col, FIRST_DATA_ROW, last, status.mark)
            for status, col in zip(Status, "CDE", strict=True)
        }
        assert counted == totals


def test_summary_overview_refers_to_the_category_totals(seeded, summary_bytes, open_workbook):
    ws = open_workbook(summary_bytes())[OVERVIEW_TITLE]
    assert [c.value for c in ws[4]] == ["区分", "◎ 実施", "○ 一部着手", "× 未着手", "計"]
    assert [c.value for c in ws[5]] == [
        "ア e-citizenづくり",
        "='e-citizen'!C39",
        "='e-citizen'!D39",
        "='e-citizen'!E39",
        "=SUM(B5:D5)",
    ]
    assert ws["B7"].value == "='e-city'!C41"
    assert [c.value for c in ws[8]] == [
        "合計",
        "=SUM(B5:B7)",
        "=SUM(C5:C7)",
        "=SUM(D5:D7)",
        "=SUM(E5:E7)",
    ]


def test_summary_styles(seeded, summary_bytes, open_workbook):
    ws = open_workbook(summary_bytes())["e-citizen"]
    header = ws["B4"]
    assert header.font.name == styles.FONT_NAME
    assert header.font.bold
    assert header.fill.fgColor.rgb.endswith("0B4F8A")
    assert header.border.left.style == "thin"
    mark = ws["C9"]
    assert mark.font.name == styles.FONT_NAME
    assert mark.font.color.rgb.endswith(Status.IMPLEMENTED.colour)
    assert mark.alignment.horizontal == "center"
    assert ws["F5"].border.bottom.style == "thin"
    assert ws["B5"].font.name == styles.FONT_NAME


def test_summary_column_widths_fit_the_japanese_text(seeded, summary_bytes, open_workbook):
    ws = open_workbook(summary_bytes())["e-city"]
    longest = max(display_width(m.name) for m in Measure.objects.filter(category__code="e-city"))
    assert ws.column_dimensions["B"].width >= longest
    # 一部着手 is four full-width characters: eight half-width columns.
    assert ws.column_dimensions["D"].width >= 8
    assert ws.column_dimensions["F"].width >= display_width("二次～四次")


def test_summary_freezes_the_header_and_prints_a4_landscape(seeded, summary_bytes, open_workbook):
    wb = open_workbook(summary_bytes())
    for ws in wb:
        assert ws.freeze_panes == "A5"
        assert ws.page_setup.orientation == "landscape"
        assert str(ws.page_setup.paperSize) == str(
            openpyxl.worksheet.worksheet.Worksheet.PAPERSIZE_A4
        )
        # 1 is the default, which XlsxWriter leaves out of the file.
        assert ws.page_setup.fitToWidth in (1, None)
        assert ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert ws.print_title_rows == "$1:$4"


def test_summary_mark_cells_offer_their_mark_and_refuse_marks_on_relistings(
    seeded, summary_bytes, open_workbook
):
    ws = open_workbook(summary_bytes())["e-business"]
    validations = {dv.formula1: dv for dv in ws.data_validations.dataValidation}
    implemented = validations['"◎"']
    assert implemented.type == "list"
    assert implemented.showErrorMessage
    assert "C5" in implemented.sqref
    assert "C10" not in implemented.sqref  # the re-listing row
    assert "C17" in implemented.sqref
    assert validations['"○"'].sqref and validations['"×"'].sqref
    refuse = validations["0"]
    assert refuse.type == "textLength"
    assert "D10" in refuse.sqref


def test_summary_document_properties(seeded, summary_bytes, open_workbook):
    wb = open_workbook(summary_bytes())
    assert wb.properties.title == "盛岡市情報化基本計画 施策一覧"
    assert wb.properties.created.date() == TODAY
    assert wb.properties.creator == "盛岡市 情報企画課"
    assert "2026-11-27" in wb.properties.subject


def test_summary_rows_carry_a_hidden_key_outside_the_printed_table(
    seeded, summary_bytes, open_workbook
):
    """Column G holds each row's key: hidden, not printed, and outside totals and drop-downs."""
    wb = open_workbook(summary_bytes())
    ws = wb["e-business"]
    measure = Measure.objects.get(category__code="e-business", position=1)
    measure.notes = "版を進める"
    measure.save()
    relisting = Relisting.objects.get(category__code="e-business", position=6)
    assert ws["G4"].value == KEY_HEADER
    assert ws["G5"].value == f"M{measure.pk}V{measure.version - 1}"
    assert ws["G5"].data_type == "s"
    assert ws["G10"].value == f"R{relisting.pk}"
    total = _total_row("e-business")
    assert ws[f"G{total}"].value is None
    assert ws.column_dimensions["G"].hidden
    assert not ws.column_dimensions["F"].hidden
    assert ws.print_area == f"'e-business'!$A$1:$F${total}"
    assert ws[f"C{total}"].value == f'=COUNTIF(C5:C{total - 1},"◎")'
    validations = {dv.formula1: dv for dv in ws.data_validations.dataValidation}
    key_guard = validations["1"]
    assert str(key_guard.sqref) == f"G5:G{total - 1}"
    assert "照合" in key_guard.error
    for dv in ws.data_validations.dataValidation:
        if dv is not key_guard:
            assert "G" not in str(dv.sqref)
    keys = [ws[f"G{row}"].value for row in range(FIRST_DATA_ROW, total)]
    assert len(set(keys)) == len(keys) == TABLE_ROWS["e-business"]


def test_summary_records_when_it_was_written(seeded, summary_bytes, open_workbook):
    wb = open_workbook(summary_bytes())
    (prop,) = [p for p in wb.custom_doc_props.props if p.name == CREATED_PROPERTY]
    assert prop.value == "2026-11-27T10:15:00+09:00" == CREATED_AT.isoformat()
    assert wb.properties.created.isoformat() == "2026-11-27T01:15:00"  # UTC


def test_summary_writes_formula_like_names_as_text(make_measure, summary_bytes, open_workbook):
    make_measure('=HYPERLINK("http://evil.example","x")')
    make_measure("+1+2")
    make_measure("@SUM(A1)")
    ws = open_workbook(summary_bytes())[Category.objects.get().code]
    for row, name in [(5, '=HYPERLINK("http://evil.example","x")'), (6, "+1+2"), (7, "@SUM(A1)")]:
        cell = ws[f"B{row}"]
        assert cell.value == name
        assert cell.data_type == "s"
        assert cell.quotePrefix


def test_summary_of_an_empty_category_still_has_totals(make_category, summary_bytes, open_workbook):
    make_category("e-empty")
    ws = open_workbook(summary_bytes())["e-empty"]
    assert ws["C6"].value == '=COUNTIF(C5:C5,"◎")'


def test_summary_query_count_does_not_grow_with_rows(
    seeded, summary_bytes, make_measure, django_assert_num_queries
):
    with django_assert_num_queries(6):
        summary_bytes()
    for i in range(5):
        make_measure(f"追加{i}", category=Category.objects.get(code="e-city"))
    with django_assert_num_queries(6):
        summary_bytes()


def test_summary_formulas_recompute_in_libreoffice(
    seeded, summary_bytes, soffice, tmp_path, open_workbook
):
    """Change marks by hand (as a user would in Calc) and let LibreOffice recompute."""
    wb = open_workbook(summary_bytes())
    ws = wb["e-city"]
    # Row 5: 総合的文書管理システムの構築 ◎ → ×; row 7: 新市民税システムの構築 ○ → ◎.
    ws["C5"] = None
    ws["E5"] = "×"
    ws["D7"] = None
    ws["C7"] = "◎"
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    outdir = soffice(
        edited, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    )
    with open(outdir / f"edited-{OVERVIEW_TITLE}.csv", encoding="utf-8") as f:
        overview = list(csv.reader(f))
    with open(outdir / "edited-e-city.csv", encoding="utf-8") as f:
        city = list(csv.reader(f))
    assert city[_total_row("e-city") - 1][2:5] == ["20", "5", "4"]
    assert overview[6] == ["ウ e-cityづくり", "20", "5", "4", "29"]
    assert overview[7] == ["合計", "39", "28", "8", "75"]


def test_summary_prints_as_a4_landscape_pdf(seeded, summary_bytes, soffice, tmp_path):
    source = tmp_path / "summary.xlsx"
    source.write_bytes(summary_bytes())
    pdf = soffice(source, "pdf") / "summary.pdf"
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", content)
    # One page for the overview, at least one per category; every page A4 landscape.
    assert len(boxes) >= 4
    for width, height in boxes:
        assert (round(float(width)), round(float(height))) == (842, 595)
