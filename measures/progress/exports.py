"""Files of a round's results (進捗調査): the comparison CSV, the workbook for 庁議 and the
open-data CSV. Every text goes through the one formula guard of ``measures.exports.cells``;
no file names a person."""

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

import xlsxwriter
from xlsxwriter.utility import quote_sheetname, xl_col_to_name, xl_range, xl_rowcol_to_cell

from measures.exports import styles
from measures.exports.cells import column_width, safe_row, starts_like_formula
from measures.exports.responses import CSV_TYPE, XLSX_TYPE, attachment  # noqa: F401 (re-exported to the views)
from measures.exports.summary import (
    CATEGORY_HEADER,
    CREATOR,
    NAME_HEADER,
    RELISTING_SUFFIX,
    TOTAL_LABEL,
)
from measures.models import Category, Plan, Relisting, Status

from .comparison import ComparisonRow
from .models import ProgressRound, ReportState

_UNSAFE_IN_FILENAMES = set('/\\:*?"<>|')


def round_filename(progress_round: ProgressRound, prefix: str, extension: str) -> str:
    """Return ``<prefix>_<round title>.<extension>``, with characters no file system takes
    replaced."""
    title = "".join("_" if c in _UNSAFE_IN_FILENAMES else c for c in progress_round.title)
    return f"{prefix}_{title}.{extension}"


# --- Comparison with the previous round --------------------------------------------------------

COMPARISON_HEADER = [
    "区分",
    "表内の位置",
    "施策名",
    "担当課",
    "前回の状況",
    "前回の進捗率",
    "今回の状況",
    "今回の進捗率",
    "変化",
]


def comparison_csv(rows: Iterable[ComparisonRow]) -> bytes:
    """Return the comparison rows as CSV, UTF-8 with a BOM so Japanese Excel opens it."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(COMPARISON_HEADER)
    for row in rows:
        measure = row.measure
        division = measure.responsible_division
        writer.writerow(
            safe_row(
                [
                    measure.category.short_name,
                    measure.position,
                    measure.name,
                    str(division) if division else "",
                    str(row.before.label) if row.before else "",
                    row.before_percent if row.before_percent is not None else "",
                    str(row.after.label) if row.after else "",
                    row.after_percent if row.after_percent is not None else "",
                    str(row.kind.label),
                ]
            )
        )
    return stream.getvalue().encode("utf-8-sig")


# --- The results workbook for 庁議 ---------------------------------------------------------------

RESULTS_OVERVIEW_TITLE = "集計"
RESULT_TITLE_ROW, RESULT_HEADING_ROW, RESULT_NOTE_ROW, RESULT_HEADER_ROW = 0, 1, 2, 3
RESULT_FIRST_DATA_ROW = 4  # zero-based: row 5 in Excel, as in the summary workbook
# Columns (zero-based): A 区分, B 施策, C-E the marks (Status order), F 進捗率, G 取組内容.
RESULT_MARK_COLUMNS: dict[Status, int] = {status: 2 + i for i, status in enumerate(Status)}
RESULT_PERCENT_COLUMN = 2 + len(Status)
RESULT_ACTIVITIES_COLUMN = RESULT_PERCENT_COLUMN + 1
RESULT_PERCENT_HEADER = "進捗率（%）"
RESULT_ACTIVITIES_HEADER = "取組内容"


@dataclass(frozen=True)
class ResultRow:
    """One printed row: a measure with its approved answer in the round, or a re-listing."""

    name: str
    status: Status | None = None
    percent: int | None = None
    activities: str = ""
    is_relisting: bool = False

    @property
    def label(self) -> str:
        return f"{self.name}{RELISTING_SUFFIX}" if self.is_relisting else self.name


@dataclass(frozen=True)
class ResultSheet:
    code: str
    heading: str
    short_name: str
    rows: list[ResultRow]

    def count_of(self, status: Status) -> int:
        return sum(1 for r in self.rows if r.status == status and not r.is_relisting)

    @property
    def last_data_row(self) -> int:
        return RESULT_FIRST_DATA_ROW + max(len(self.rows), 1) - 1

    @property
    def total_row(self) -> int:
        return self.last_data_row + 1


def round_result_sheets(progress_round: ProgressRound) -> list[ResultSheet]:
    """Return each category's table of the round: its measures in plan order with their
    approved answers (blank without one), and the re-listings of those measures; three
    queries."""
    rows: dict[int, list[tuple[int, ResultRow]]] = defaultdict(list)
    reports = progress_round.reports.select_related("measure").order_by("measure__position")
    for report in reports:
        approved = report.state == ReportState.APPROVED and report.status
        rows[report.measure.category_id].append(
            (
                report.measure.position,
                ResultRow(
                    name=report.measure.name,
                    status=Status(report.status) if approved else None,
                    percent=report.progress_percent if approved else None,
                    activities=report.activities if approved else "",
                ),
            )
        )
    relistings = Relisting.objects.filter(measure__progress_reports__round=progress_round)
    for relisting in relistings.order_by("position"):
        rows[relisting.category_id].append(
            (relisting.position, ResultRow(name=relisting.label, is_relisting=True))
        )
    return [
        ResultSheet(
            code=c.code,
            heading=f"{c.label} {c.name}",
            short_name=c.short_name,
            rows=[row for _position, row in sorted(rows[c.pk], key=lambda pair: pair[0])],
        )
        for c in Category.objects.order_by("order")
    ]


def results_filename(progress_round: ProgressRound) -> str:
    return round_filename(progress_round, "進捗調査結果", "xlsx")


def write_round_results(stream: IO[bytes], progress_round: ProgressRound) -> None:
    """Write the round's results workbook for 庁議 to ``stream``."""
    plan = Plan.objects.first()
    title = f"{plan.name if plan else '情報化基本計画'} 進捗調査結果"
    write_result_sheets(stream, round_result_sheets(progress_round), progress_round, title=title)


class _Formats:
    """The workbook's formats, built once each (XlsxWriter keeps every one it is given)."""

    def __init__(self, wb):
        self.wb = wb
        self._cache: dict[tuple, object] = {}

    def get(self, name: str, *, quote: bool = False, status: Status | None = None):
        key = (name, quote, status)
        if key not in self._cache:
            properties = {"font_name": styles.FONT_NAME, "font_size": 10.5, "valign": "vcenter"}
            properties.update(_FORMATS[name])
            if status is not None:
                properties.update(bold=True, font_color=f"#{status.colour}")
            if quote:
                properties["quote_prefix"] = True
            self._cache[key] = self.wb.add_format(properties)
        return self._cache[key]


_BORDER = {"border": 1, "border_color": "#808080"}
_FORMATS = {
    "title": {"bold": True, "font_size": 14},
    "heading": {"bold": True, "font_size": 12},
    "note": {"font_size": 9},
    "header": {
        "bold": True,
        "font_color": "#FFFFFF",
        "bg_color": "#0B4F8A",
        "align": "center",
        **_BORDER,
    },
    "text": {"text_wrap": True, **_BORDER},
    "relisting": {"text_wrap": True, "bg_color": "#E6E6E6", **_BORDER},
    "centre": {"align": "center", **_BORDER},
    "centre_relisting": {"align": "center", "bg_color": "#E6E6E6", **_BORDER},
    "total": {"bold": True, "align": "center", "bg_color": "#F2F2F2", **_BORDER},
}


def _text(ws, formats: _Formats, row: int, col: int, value, name: str, **kwargs) -> None:
    """Write ``value`` as text, never as a formula (the one guard: ``starts_like_formula``)."""
    text = "" if value is None else str(value)
    if not text:
        ws.write_blank(row, col, None, formats.get(name, **kwargs))
        return
    ws.write_string(row, col, text, formats.get(name, quote=starts_like_formula(text), **kwargs))


def _merged_text(ws, formats, row, first_col, last_col, value, name) -> None:
    ws.merge_range(row, first_col, row, last_col, "", formats.get(name))
    _text(ws, formats, row, first_col, value, name)


def write_result_sheets(
    stream: IO[bytes], sheets: list[ResultSheet], progress_round: ProgressRound, *, title: str
) -> None:
    """Write ``sheets`` as the results workbook: 集計, then one sheet per category. Totals are
    live formulas that also carry their value, so a viewer that does not recalculate (a
    preview, a phone) still shows the right numbers."""
    wb = xlsxwriter.Workbook(stream, {"in_memory": True})
    wb.set_properties(
        {
            "title": f"{title} {progress_round.title}",
            "subject": f"{progress_round.title}（基準日 {progress_round.reference_date}）",
            "author": CREATOR,
        }
    )
    formats = _Formats(wb)
    reference = f"{progress_round.title}（基準日 {progress_round.reference_date.isoformat()}）"
    _write_results_overview(wb, formats, sheets, title=title, reference=reference)
    for sheet in sheets:
        _write_result_category(wb, formats, sheet, title=title, reference=reference)
    wb.close()


def _print_setup(ws, last_row: int, last_col: int) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.repeat_rows(RESULT_TITLE_ROW, RESULT_HEADER_ROW)
    ws.print_area(0, 0, last_row, last_col)
    ws.freeze_panes(RESULT_FIRST_DATA_ROW, 0)


def _write_results_overview(wb, formats, sheets: list[ResultSheet], *, title, reference):
    ws = wb.add_worksheet(RESULTS_OVERVIEW_TITLE)
    header = [CATEGORY_HEADER, *(f"{s.mark} {s.label}" for s in Status), TOTAL_LABEL]
    last_col = len(header) - 1
    ws.set_column(0, 0, column_width([CATEGORY_HEADER, *(s.heading for s in sheets), "合計"]))
    ws.set_column(1, last_col, 12)
    _merged_text(ws, formats, RESULT_TITLE_ROW, 0, last_col, title, "title")
    _merged_text(ws, formats, RESULT_HEADING_ROW, 0, last_col, "区分別の集計", "heading")
    _merged_text(
        ws,
        formats,
        RESULT_NOTE_ROW,
        0,
        last_col,
        f"{reference}　承認された回答を数えます（再掲は数えません）。"
        "各区分のシートの「計」を参照する式です。",
        "note",
    )
    for col, label in enumerate(header):
        _text(ws, formats, RESULT_HEADER_ROW, col, label, "header")
    row = RESULT_FIRST_DATA_ROW
    for sheet in sheets:
        _text(ws, formats, row, 0, sheet.heading, "text")
        for status in Status:
            ref = xl_rowcol_to_cell(sheet.total_row, RESULT_MARK_COLUMNS[status])
            ws.write_formula(
                row,
                1 + list(Status).index(status),
                f"={quote_sheetname(sheet.code)}!{ref}",
                formats.get("centre"),
                sheet.count_of(status),
            )
        ws.write_formula(
            row,
            last_col,
            f"=SUM({xl_range(row, 1, row, last_col - 1)})",
            formats.get("total"),
            sum(sheet.count_of(s) for s in Status),
        )
        row += 1
    _text(ws, formats, row, 0, "合計", "total")
    for col in range(1, last_col + 1):
        statuses = list(Status) if col == last_col else [list(Status)[col - 1]]
        cached = sum(sheet.count_of(s) for sheet in sheets for s in statuses)
        if sheets:
            formula = f"=SUM({xl_range(RESULT_FIRST_DATA_ROW, col, row - 1, col)})"
            ws.write_formula(row, col, formula, formats.get("total"), cached)
        else:
            ws.write_number(row, col, 0, formats.get("total"))
    _print_setup(ws, row, last_col)


def _write_result_category(wb, formats, sheet: ResultSheet, *, title, reference):
    ws = wb.add_worksheet(sheet.code)
    last_col = RESULT_ACTIVITIES_COLUMN
    widths = [
        column_width([CATEGORY_HEADER, sheet.short_name]),
        column_width([NAME_HEADER, *(r.label for r in sheet.rows)], minimum=30, maximum=60),
        *(column_width([status.label]) for status in Status),
        column_width([RESULT_PERCENT_HEADER]),
        60,
    ]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    legend = "　".join(f"{s.mark} {s.label}" for s in Status)
    _merged_text(ws, formats, RESULT_TITLE_ROW, 0, last_col, title, "title")
    _merged_text(ws, formats, RESULT_HEADING_ROW, 0, last_col, sheet.heading, "heading")
    _merged_text(
        ws,
        formats,
        RESULT_NOTE_ROW,
        0,
        last_col,
        f"{reference}　{legend}　承認された回答の印です。網掛けの行は再掲（集計に含めません）",
        "note",
    )
    header = [
        CATEGORY_HEADER,
        NAME_HEADER,
        *(str(s.label) for s in Status),
        RESULT_PERCENT_HEADER,
        RESULT_ACTIVITIES_HEADER,
    ]
    for col, label in enumerate(header):
        _text(ws, formats, RESULT_HEADER_ROW, col, label, "header")
    row = RESULT_FIRST_DATA_ROW
    for item in sheet.rows or [ResultRow(name="")]:
        shade = "relisting" if item.is_relisting else "text"
        centre = "centre_relisting" if item.is_relisting else "centre"
        _text(ws, formats, row, 1, item.label, shade)
        for status, col in RESULT_MARK_COLUMNS.items():
            if item.status == status:
                _text(ws, formats, row, col, status.mark, centre, status=status)
            else:
                ws.write_blank(row, col, None, formats.get(centre))
        if item.percent is not None:
            ws.write_number(row, RESULT_PERCENT_COLUMN, item.percent, formats.get(centre))
        else:
            ws.write_blank(row, RESULT_PERCENT_COLUMN, None, formats.get(centre))
        _text(ws, formats, row, RESULT_ACTIVITIES_COLUMN, item.activities, shade)
        row += 1
    last = sheet.last_data_row
    if last > RESULT_FIRST_DATA_ROW:
        ws.merge_range(RESULT_FIRST_DATA_ROW, 0, last, 0, "", formats.get("centre"))
    _text(ws, formats, RESULT_FIRST_DATA_ROW, 0, sheet.short_name, "centre")
    total = sheet.total_row
    ws.merge_range(total, 0, total, 1, "", formats.get("total"))
    _text(ws, formats, total, 0, TOTAL_LABEL, "total")
    for status, col in RESULT_MARK_COLUMNS.items():
        letter = xl_col_to_name(col)
        formula = (
            f'=COUNTIF({letter}{RESULT_FIRST_DATA_ROW + 1}:{letter}{last + 1},"{status.mark}")'
        )
        ws.write_formula(total, col, formula, formats.get("total"), sheet.count_of(status))
    for col in (RESULT_PERCENT_COLUMN, RESULT_ACTIVITIES_COLUMN):
        ws.write_blank(total, col, None, formats.get("total"))
    _print_setup(ws, total, last_col)


# --- The open-data CSV of a round ----------------------------------------------------------------

OPENDATA_HEADER = [
    "調査名",
    "基準日",
    "区分コード",
    "区分",
    "表内の位置",
    "施策名",
    "担当課",
    "状況",
    "記号",
    "進捗率",
    "取組内容",
    "課題",
    "今後の予定",
]


def round_opendata_filename(progress_round: ProgressRound, *, bom: bool = False) -> str:
    suffix = "_Excel用" if bom else ""
    return round_filename(progress_round, f"進捗調査_オープンデータ{suffix}", "csv")


def _one_line(text: str) -> str:
    """Return ``text`` on one line: the rules ask for no line breaks used for layout."""
    return " / ".join(line.strip() for line in text.splitlines() if line.strip())


def round_opendata_rows(progress_round: ProgressRound) -> Iterator[list]:
    """Yield the round's approved answers as open-data rows (without the header), following
    the same 総務省 rules as the register's open-data CSV (``measures.exports.opendata``): one
    value per cell, numbers as numbers, ISO dates, full item names; a measure without an
    approved answer has empty answer cells. Line breaks inside a text become " / ". Names no
    person. Read from a server-side cursor; the caller guards cells against formulas."""
    reports = progress_round.reports.select_related(
        "measure__category", "measure__responsible_division__department"
    ).order_by("measure__category__order", "measure__position")
    for report in reports.iterator(chunk_size=2_000):
        measure = report.measure
        approved = report.state == ReportState.APPROVED and bool(report.status)
        status = Status(report.status) if approved else None
        division = measure.responsible_division
        yield [
            progress_round.title,
            progress_round.reference_date.isoformat(),
            measure.category.code,
            measure.category.name,
            measure.position,
            measure.name,
            str(division) if division else "",
            str(status.label) if status else "",
            status.mark if status else "",
            report.progress_percent if approved and report.progress_percent is not None else "",
            _one_line(report.activities) if approved else "",
            _one_line(report.issues) if approved else "",
            _one_line(report.next_steps) if approved else "",
        ]


def write_round_opendata(stream: IO[str], progress_round: ProgressRound) -> int:
    """Write the round's open data (``round_opendata_rows``) with its header to ``stream``;
    return the number of measures written."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(OPENDATA_HEADER)
    count = 0
    for row in round_opendata_rows(progress_round):
        writer.writerow(safe_row(row))
        count += 1
    return count
