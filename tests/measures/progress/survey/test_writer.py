"""The 調査票 as downloaded: what a division sees, what is locked, how it prints, its keys."""

import io
import zipfile

import openpyxl
import pytest
from django.core.management import call_command

from measures.progress.models import ProgressReport
from measures.progress.survey import keys, writer
from measures.progress.survey.selectors import division_survey, survey_divisions

from ..builders import approve, report_of, submit
from .conftest import ACTIVITIES, KEY, NAME, PERCENT, STATUS, find_row


def _load(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def test_survey_lists_the_divisions_measures_with_instructions(
    own_round, divisions, register, workbook_of
):
    wb = _load(workbook_of(own_round, divisions[0]))
    assert wb.sheetnames == [writer.INSTRUCTIONS_SHEET, writer.ANSWER_SHEET, writer.META_SHEET]
    info = "\n".join(
        str(c.value) for row in wb[writer.INSTRUCTIONS_SHEET].iter_rows() for c in row if c.value
    )
    for fact in ("令和7年度 進捗調査", "市民課", "基準日", "2026-03-31", "締切", "問い合わせ先"):
        assert fact in info
    ws = wb[writer.ANSWER_SHEET]
    header = [c.value for c in ws[writer.HEADER_ROW + 1]]
    assert header == list(writer.HEADERS)
    names = [ws.cell(r, NAME).value for r in range(writer.FIRST_DATA_ROW + 1, ws.max_row + 1)]
    # Only this division's measures: never another division's, an unassigned one, a 再掲 row.
    assert names == [register.own.name, register.own_second.name]


def test_survey_locks_all_but_the_answer_cells_and_prints_a4_landscape(
    own_round, divisions, register, workbook_of
):
    ws = _load(workbook_of(own_round, divisions[0]))[writer.ANSWER_SHEET]
    row = find_row(ws, register.own.name)
    assert ws.protection.sheet is True
    assert not ws.protection.password
    for col in (STATUS, PERCENT, ACTIVITIES, ACTIVITIES + 1, ACTIVITIES + 2):
        assert ws.cell(row, col).protection.locked is False
    for col in (1, 2, NAME, 4, 5, 6, KEY):
        assert ws.cell(row, col).protection.locked is True
    assert ws.cell(row, ACTIVITIES).alignment.wrap_text
    assert ws.column_dimensions["L"].hidden
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9
    assert ws.print_title_rows == "$4:$4"
    rules = {dv.type: dv for dv in ws.data_validations.dataValidation}
    assert rules["list"].formula1 == '"◎,○,×"'
    assert (rules["whole"].formula1, rules["whole"].formula2) == ("0", "100")
    assert str(rules["whole"].sqref) == f"H5:H{ws.max_row}"


def test_survey_keys_are_signed_and_tie_rows_to_round_division_and_report(
    own_round, divisions, register, workbook_of
):
    wb = _load(workbook_of(own_round, divisions[0]))
    ws = wb[writer.ANSWER_SHEET]
    row = find_row(ws, register.own.name)
    key = keys.read_row(ws.cell(row, KEY).value)
    report = report_of(own_round, register.own)
    assert key == keys.RowKey(own_round.pk, divisions[0].pk, report.pk, report.version)
    meta = wb[writer.META_SHEET]
    assert meta.sheet_state == "veryHidden"
    book = keys.read_book(meta["B1"].value)
    assert (book.round_pk, book.division_pk) == (own_round.pk, divisions[0].pk)
    with pytest.raises(keys.KeyRefused):
        keys.read_row(ws.cell(row, KEY).value.replace(f"{report.pk}.", f"{report.pk + 1}.", 1))


def test_survey_shows_the_previous_answer_locked_and_starts_answers_empty(
    make_round, people, divisions, register, workbook_of
):
    from measures.progress import services

    from ..builders import advance

    earlier = make_round(title="令和6年度 進捗調査")
    approve(submit(report_of(earlier, register.own), people.leader), people.policy)
    advance(earlier, services.progress_round_close, people.policy)
    advance(earlier, services.progress_round_confirm, people.policy)
    current = make_round(title="令和7年度 進捗調査")
    ws = _load(workbook_of(current, divisions[0]))[writer.ANSWER_SHEET]
    row = find_row(ws, register.own.name)
    assert ws.cell(row, 4).value == "◎"
    assert ws.cell(row, 5).value == 100
    assert "窓口で電子申請を始めた。" in ws.cell(row, 6).value
    assert ws.cell(row, STATUS).value in (None, "")
    assert ws.cell(row, ACTIVITIES).value in (None, "")


def test_survey_leaves_out_approved_reports_and_keeps_text_that_looks_like_a_formula(
    own_round, people, divisions, register, workbook_of
):
    approve(submit(report_of(own_round, register.own), people.leader), people.policy)
    ProgressReport.objects.filter(round=own_round, measure=register.own_second).update(
        activities="=HYPERLINK(1)", written_at="2026-01-01T00:00:00Z", status="partial"
    )
    ws = _load(workbook_of(own_round, divisions[0]))[writer.ANSWER_SHEET]
    names = [ws.cell(r, NAME).value for r in range(5, ws.max_row + 1)]
    assert names == [register.own_second.name]
    cell = ws.cell(5, ACTIVITIES)
    assert cell.value == "=HYPERLINK(1)"
    assert cell.data_type == "s"
    assert ws.cell(5, STATUS).value == "○"


def test_survey_zip_holds_one_workbook_per_division_named_by_round_and_division(
    own_round, divisions, register
):
    stream = io.BytesIO()
    assert writer.write_survey_zip(stream, own_round) == 2
    names = zipfile.ZipFile(io.BytesIO(stream.getvalue())).namelist()
    assert names == [
        "調査票_令和7年度 進捗調査_市民課.xlsx",
        "調査票_令和7年度 進捗調査_税務課.xlsx",
    ]
    assert [s.division for s in survey_divisions(own_round)] == list(divisions)
    assert division_survey(own_round, 10**6) is None


def test_export_command_writes_every_divisions_workbook(own_round, divisions, register, tmp_path):
    out = io.StringIO()
    call_command("export_survey_workbooks", str(own_round.pk), "-o", str(tmp_path), stdout=out)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "調査票_令和7年度 進捗調査_市民課.xlsx",
        "調査票_令和7年度 進捗調査_税務課.xlsx",
    ]
    assert "2 課等の調査票を書き出しました。" in out.getvalue()
    call_command(
        "export_survey_workbooks", own_round.title, "-o", str(tmp_path / "z"), "--zip", stdout=out
    )
    assert (tmp_path / "z" / "調査票_令和7年度 進捗調査_全課等.zip").exists()


def test_export_command_refuses_a_round_that_is_not_open(make_round, register, tmp_path):
    from django.core.management.base import CommandError

    from measures.progress.models import RoundState

    closed = make_round(RoundState.CLOSED)
    with pytest.raises(CommandError, match="受付中の進捗調査でだけ"):
        call_command("export_survey_workbooks", str(closed.pk), "-o", str(tmp_path))
    with pytest.raises(CommandError, match="ありません"):
        call_command("export_survey_workbooks", "存在しない調査", "-o", str(tmp_path))


def test_a_returned_report_shows_the_comment_and_its_answer(
    own_round, people, divisions, register, workbook_of
):
    from measures.progress import services

    report = submit(report_of(own_round, register.own), people.leader)
    services.progress_report_return(
        report_pk=report.pk,
        expected_version=report.version,
        comment="進捗率を見直してください。",
        user=people.policy,
    )
    ws = _load(workbook_of(own_round, divisions[0]))[writer.ANSWER_SHEET]
    row = find_row(ws, register.own.name)
    assert ws.cell(row, 6).value.startswith("【差戻しの理由】進捗率を見直してください。")
    assert ws.cell(row, STATUS).value == "◎"
    assert ws.cell(row, PERCENT).value == 100
