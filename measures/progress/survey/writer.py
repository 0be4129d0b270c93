"""Write a division's 調査票 (the progress survey as an Excel workbook), or a zip of all.

Two visible sheets: 記入方法 (the round, 基準日, 締切, whom to ask, how to fill in) and 調査票
(one row per measure: category, name, the previous confirmed answer for reference, and the
answer cells). Only the answer cells are unlocked; the sheet is protected without a password
so nothing else is changed by accident. A very hidden sheet holds the signed workbook key
(round, division, creation time) and column L of 調査票 each row's signed key (report and
version), so the reader matches rows by key, never by name or position.

Written with XlsxWriter (fast, constant memory); the reader uses openpyxl.
"""

import datetime
import io
import zipfile
from collections.abc import Iterable
from typing import IO

import xlsxwriter
from django.conf import settings
from django.utils import timezone

from measures.exports.cells import display_width, starts_like_formula
from measures.models import Status

from ..models import ProgressRound, ReportState
from . import keys
from .selectors import DivisionSurvey, SurveyRowData, survey_divisions

INSTRUCTIONS_SHEET = "記入方法"
ANSWER_SHEET = "調査票"
META_SHEET = "照合情報"
TITLE_ROW, NOTE_ROW, HEADER_ROW = 0, 1, 3  # zero-based, as XlsxWriter counts
FIRST_DATA_ROW = HEADER_ROW + 1
HEADERS = (
    "区分",
    "番号",
    "施策名",
    "前回の状況",
    "前回の進捗率",
    "前回の記述（取組内容・課題・今後の予定）・差戻しの理由",
    "状況（◎ ○ ×）",
    "進捗率（0～100）",
    "取組内容",
    "課題",
    "今後の予定",
    "照合キー（変更しないでください）",
)
# Zero-based columns of the answer cells and the key.
STATUS_COL, PERCENT_COL, ACTIVITIES_COL, ISSUES_COL, NEXT_STEPS_COL, KEY_COL = range(6, 12)
ANSWER_COLS = (STATUS_COL, PERCENT_COL, ACTIVITIES_COL, ISSUES_COL, NEXT_STEPS_COL)
WIDTHS = (10, 8, 36, 8, 8, 40, 10, 10, 40, 30, 30, 20)
ANSWER_FILL = "#FFF5CC"
FONT = "Yu Gothic"
CONTACT_DIVISION = "情報企画課"


def _marks() -> list[str]:
    return [status.mark for status in Status]


def _safe(value: object) -> str:
    return "" if value is None else str(value)


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook):
        base = {"font_name": FONT, "font_size": 10.5, "valign": "top", "border": 1}
        self.title = wb.add_format({"font_name": FONT, "font_size": 14, "bold": True})
        self.note = wb.add_format({"font_name": FONT, "font_size": 10, "text_wrap": True})
        self.label = wb.add_format({"font_name": FONT, "bold": True, "valign": "top"})
        self.text = wb.add_format({"font_name": FONT, "text_wrap": True, "valign": "top"})
        self.header = wb.add_format(
            {
                **base,
                "bold": True,
                "font_color": "#FFFFFF",
                "bg_color": "#0B4F8A",
                "text_wrap": True,
                "valign": "vcenter",
            }
        )
        self.locked = wb.add_format({**base, "text_wrap": True})
        self.locked_quoted = wb.add_format({**base, "text_wrap": True, "quote_prefix": True})
        self.locked_center = wb.add_format({**base, "align": "center"})
        answer = {**base, "locked": False, "bg_color": ANSWER_FILL}
        self.answer = wb.add_format({**answer, "text_wrap": True})
        self.answer_quoted = wb.add_format({**answer, "text_wrap": True, "quote_prefix": True})
        self.answer_center = wb.add_format({**answer, "align": "center"})
        self.key = wb.add_format({"font_name": FONT, "font_size": 8, "font_color": "#808080"})


def _text(ws, row: int, col: int, value: object, fmt, quoted) -> None:
    """Write text as text: never a formula, and quote-prefixed where a spreadsheet would take
    it for one when edited."""
    text = _safe(value)
    ws.write_string(row, col, text, quoted if starts_like_formula(text) else fmt)


def _previous_text(previous) -> str:
    if previous is None:
        return ""
    parts = [
        ("取組内容", previous.activities),
        ("課題", previous.issues),
        ("今後の予定", previous.next_steps),
    ]
    return "\n".join(f"【{label}】{text}" for label, text in parts if text)


def _write_instructions(wb, fmt: _Formats, progress_round, division, created_at) -> None:
    ws = wb.add_worksheet(INSTRUCTIONS_SHEET)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 90)
    ws.set_landscape()
    ws.set_paper(9)
    ws.write_string(0, 0, f"{progress_round.title} 調査票（{division}）", fmt.title)
    facts = [
        ("進捗調査", progress_round.title),
        ("課等", str(division)),
        ("基準日", f"{progress_round.reference_date:%Y-%m-%d}（この日の時点の進捗を記入）"),
        ("締切", f"{progress_round.closes_on:%Y-%m-%d}（この日までに返送してください）"),
        (
            "問い合わせ先",
            f"{CONTACT_DIVISION}（{settings.DEFAULT_FROM_EMAIL}）",
        ),
        ("作成日時", timezone.localtime(created_at).strftime("%Y-%m-%d %H:%M")),
    ]
    row = 2
    for label, value in facts:
        ws.write_string(row, 0, label, fmt.label)
        _text(ws, row, 1, value, fmt.text, fmt.text)
        row += 1
    steps = [
        "記入のしかた",
        "1. 「調査票」シートの黄色のセルだけに記入します（ほかのセルは保護されています。"
        "パスワードはありません）。",
        "2. 状況はセルの一覧から ◎（実施）、○（一部着手）、×（未着手）を選びます。",
        "3. 進捗率は 0～100 の整数です（任意）。",
        "4. 取組内容は必ず書きます。課題・今後の予定は任意です。セル内で改行できます"
        "（Alt+Enter）。",
        "5. 前回の状況・記述は参考です。変わらなければ同じ内容を記入してください。",
        "6. 報告しない施策の行は空欄のままにします（その施策は取り込まれません）。",
        "7. 行を並べ替えたり削除したりしてもかまいませんが、右端の照合キー（非表示の列）は"
        "変更しないでください。行を追加しても取り込まれません。",
        "8. Excel ブック（.xlsx）のまま保存し、ファイル名を変えずに"
        f"{CONTACT_DIVISION}へ返送してください（マクロ付きや CSV では取り込めません）。",
    ]
    row += 1
    for index, step in enumerate(steps):
        ws.write_string(row, 0 if index == 0 else 1, step, fmt.label if index == 0 else fmt.text)
        row += 1
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})


def _write_answers(wb, fmt: _Formats, progress_round, survey: DivisionSurvey) -> None:
    ws = wb.add_worksheet(ANSWER_SHEET)
    division = survey.division
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER_ROW)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&C&P / &N")
    for col, width in enumerate(WIDTHS):
        names = [r.report.measure.name for r in survey.rows] if col == 2 else []
        width = min(60, max(width, max((display_width(n) for n in names), default=0) // 2))
        ws.set_column(col, col, width, None, {"hidden": col == KEY_COL})
    ws.write_string(TITLE_ROW, 0, f"{progress_round.title} 調査票　{division}", fmt.title)
    ws.write_string(
        NOTE_ROW,
        0,
        f"基準日 {progress_round.reference_date:%Y-%m-%d}／締切 {progress_round.closes_on:%Y-%m-%d}"
        "。黄色のセルに記入してください（記入方法は「記入方法」シート）。",
        fmt.note,
    )
    ws.set_row(HEADER_ROW, 30)
    for col, header in enumerate(HEADERS):
        ws.write_string(HEADER_ROW, col, header, fmt.header)
    row = FIRST_DATA_ROW
    for data in survey.rows:
        _write_row(ws, fmt, row, progress_round, division, data)
        row += 1
    last = max(row - 1, FIRST_DATA_ROW)
    ws.data_validation(
        FIRST_DATA_ROW,
        STATUS_COL,
        last,
        STATUS_COL,
        {
            "validate": "list",
            "source": _marks(),
            "input_title": "状況",
            "input_message": "◎ 実施／○ 一部着手／× 未着手",
            "error_title": "状況",
            "error_message": "◎ ○ × のいずれかを選んでください。",
        },
    )
    ws.data_validation(
        FIRST_DATA_ROW,
        PERCENT_COL,
        last,
        PERCENT_COL,
        {
            "validate": "integer",
            "criteria": "between",
            "minimum": 0,
            "maximum": 100,
            "input_title": "進捗率",
            "input_message": "0～100 の整数（任意）",
            "error_title": "進捗率",
            "error_message": "0～100 の整数で入力してください。",
        },
    )
    ws.freeze_panes(FIRST_DATA_ROW, 3)
    ws.print_area(0, 0, last, NEXT_STEPS_COL)
    ws.protect(
        "",
        {
            "select_locked_cells": True,
            "select_unlocked_cells": True,
            "format_rows": True,
            "format_columns": True,
            "sort": True,
            "autofilter": True,
        },
    )
    ws.activate()


def _write_row(ws, fmt: _Formats, row: int, progress_round, division, data: SurveyRowData):
    report, previous = data.report, data.previous
    measure = report.measure
    ws.write_string(row, 0, measure.category.short_name, fmt.locked)
    ws.write_number(row, 1, measure.position, fmt.locked_center)
    _text(ws, row, 2, measure.name, fmt.locked, fmt.locked_quoted)
    previous_status = previous.status_choice.mark if previous and previous.status else ""
    ws.write_string(row, 3, previous_status, fmt.locked_center)
    if previous is not None and previous.progress_percent is not None:
        ws.write_number(row, 4, previous.progress_percent, fmt.locked_center)
    else:
        ws.write_blank(row, 4, None, fmt.locked_center)
    reference = _previous_text(previous)
    if report.state == ReportState.RETURNED and report.return_comment:
        # A division answering offline sees 情報企画課's comment where it writes.
        reference = f"【差戻しの理由】{report.return_comment}\n{reference}".strip()
    _text(ws, row, 5, reference, fmt.locked, fmt.locked_quoted)
    # The answer cells start from what the report holds (a draft, or a returned answer);
    # a report never written starts empty: the previous answer is beside it for reference.
    written = report.written_at is not None
    status = report.status_choice.mark if written and report.status else ""
    ws.write_string(row, STATUS_COL, status, fmt.answer_center)
    if written and report.progress_percent is not None:
        ws.write_number(row, PERCENT_COL, report.progress_percent, fmt.answer_center)
    else:
        ws.write_blank(row, PERCENT_COL, None, fmt.answer_center)
    for col, field in (
        (ACTIVITIES_COL, "activities"),
        (ISSUES_COL, "issues"),
        (NEXT_STEPS_COL, "next_steps"),
    ):
        value = getattr(report, field) if written else ""
        _text(ws, row, col, value, fmt.answer, fmt.answer_quoted)
    key = keys.RowKey(progress_round.pk, division.pk, report.pk, report.version)
    ws.write_string(row, KEY_COL, keys.sign_row(key), fmt.key)


def _write_meta(wb, progress_round, division, created_at) -> None:
    ws = wb.add_worksheet(META_SHEET)
    book_key = keys.BookKey(progress_round.pk, division.pk, created_at)
    rows = [
        ("照合キー", keys.sign_book(book_key)),
        ("進捗調査", progress_round.title),
        ("課等", str(division)),
        ("作成日時", created_at.isoformat()),
    ]
    for index, (label, value) in enumerate(rows):
        ws.write_string(index, 0, label)
        ws.write_string(index, 1, value)
    ws.protect("")
    ws.very_hidden()


def write_survey(
    stream: IO[bytes],
    progress_round: ProgressRound,
    survey: DivisionSurvey,
    *,
    created_at: datetime.datetime | None = None,
) -> None:
    """Write one division's 調査票 to ``stream``."""
    created_at = created_at or timezone.now()
    wb = xlsxwriter.Workbook(
        stream,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    wb.set_properties(
        {
            "title": f"{progress_round.title} 調査票（{survey.division}）",
            "author": f"盛岡市 {CONTACT_DIVISION}",
            "created": created_at,
        }
    )
    wb.set_custom_property("調査票作成日時", created_at.isoformat())
    fmt = _Formats(wb)
    _write_instructions(wb, fmt, progress_round, survey.division, created_at)
    _write_answers(wb, fmt, progress_round, survey)
    _write_meta(wb, progress_round, survey.division, created_at)
    wb.close()


def survey_bytes(progress_round, survey: DivisionSurvey, *, created_at=None) -> bytes:
    stream = io.BytesIO()
    write_survey(stream, progress_round, survey, created_at=created_at)
    return stream.getvalue()


_UNSAFE_IN_FILENAMES = set('/\\:*?"<>|')


def _clean(text: str) -> str:
    return "".join("_" if c in _UNSAFE_IN_FILENAMES or ord(c) < 32 else c for c in text).strip()


def survey_filename(progress_round: ProgressRound, division, *, with_department=False) -> str:
    """Return 「調査票_<round>_<division>.xlsx」 (a file name every system accepts)."""
    name = f"{division.department.name}{division.name}" if with_department else division.name
    return f"調査票_{_clean(progress_round.title)}_{_clean(name)}.xlsx"


def survey_zip_filename(progress_round: ProgressRound) -> str:
    return f"調査票_{_clean(progress_round.title)}_全課等.zip"


def write_survey_zip(
    stream: IO[bytes],
    progress_round: ProgressRound,
    surveys: Iterable[DivisionSurvey] | None = None,
    *,
    created_at: datetime.datetime | None = None,
) -> int:
    """Write a zip with one 調査票 per division to ``stream``; return how many."""
    created_at = created_at or timezone.now()
    surveys = survey_divisions(progress_round) if surveys is None else surveys
    count = 0
    names: set[str] = set()
    # The workbooks are zips already: storing them saves time and hardly any space.
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED) as archive:
        for survey in surveys:
            name = survey_filename(progress_round, survey.division)
            if name in names:  # two divisions of one name in different departments
                name = survey_filename(progress_round, survey.division, with_department=True)
            names.add(name)
            archive.writestr(
                name,
                survey_bytes(progress_round, survey, created_at=created_at),
            )
            count += 1
    return count
