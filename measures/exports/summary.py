"""The summary workbook handed out to 庁議 and other divisions.

An overview sheet (集計) and one sheet per category laid out like the plan's tables
(区分 / 施策 / 実施 / 一部着手 / 未着手 / 計画期間). Totals are live COUNTIF formulas, so Excel or
LibreOffice Calc recompute them when someone edits a mark by hand; the overview refers to the
category sheets' total cells. Every formula also stores its computed value, so viewers that do
not recalculate (mail previews, some online viewers) show the totals. Written with XlsxWriter in
constant-memory mode: rows go to disk as they come from the database (openpyxl only reads).

The importer (importer.py) reads this layout back, so both share the constants below. Every
row carries a hidden key (column G: the measure and the version it was written from, or the
re-listing), and the workbook its creation time, so that the import matches rows to measures
whatever the user did to the order of rows, and can tell which measures changed since.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO

import xlsxwriter
from django.db.models import Count
from django.utils import timezone
from xlsxwriter.utility import quote_sheetname, xl_col_to_name

from measures.models import Category, Plan, Relisting, Status
from measures.periods import format_periods
from measures.rows import FLAT_COLUMNS, RowQuery, table_rows
from measures.totals import category_status_totals

from . import styles
from .cells import column_width, display_width, starts_like_formula

OVERVIEW_TITLE = "集計"
TITLE_ROW, HEADING_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 3, 4
FIRST_DATA_ROW = 5
TOTAL_LABEL = "計"
RELISTING_SUFFIX = "（再掲）"
CATEGORY_HEADER = "区分"
NAME_HEADER = "施策"
PERIODS_HEADER = "計画期間"
# Column of each status's mark: C 実施, D 一部着手, E 未着手 (the plan's order, from Status).
MARK_COLUMNS: dict[Status, int] = {status: 3 + i for i, status in enumerate(Status)}
PERIODS_COLUMN = 3 + len(Status)
LAST_COLUMN = PERIODS_COLUMN  # the last printed column
# The hidden key column, right of 計画期間: outside the print area, the COUNTIF ranges and
# the drop-downs, so the printed table is unchanged.
KEY_COLUMN = LAST_COLUMN + 1
KEY_HEADER = "照合キー（変更しないでください）"
# Custom document property holding the moment the workbook was written (ISO 8601, with offset).
CREATED_PROPERTY = "集計ブック作成日時"
CREATOR = "盛岡市 情報企画課"


def measure_key(pk: int, version: int) -> str:
    """Return the key of a measure's row: its number and the version the row shows."""
    return f"M{pk}V{version}"


def relisting_key(pk: int) -> str:
    """Return the key of a re-listing's row."""
    return f"R{pk}"


def header_labels() -> list[str]:
    """Return the category sheets' header row, as the plan prints it."""
    return [
        CATEGORY_HEADER,
        NAME_HEADER,
        *(str(status.label) for status in Status),
        PERIODS_HEADER,
    ]


@dataclass(frozen=True)
class SummaryRow:
    """What one printed row of a category table shows."""

    name: str
    status: Status | None = None
    periods: str = ""
    is_relisting: bool = False
    key: str = ""

    @property
    def label(self) -> str:
        return f"{self.name}{RELISTING_SUFFIX}" if self.is_relisting else self.name


@dataclass(frozen=True)
class SummarySheet:
    """One category sheet. ``rows`` may be a list, or an iterator read once from the database
    when ``row_count`` and ``totals`` (the cached values of the 計 formulas) are given."""

    code: str
    heading: str
    short_name: str
    rows: Iterable[SummaryRow]
    row_count: int | None = None
    totals: dict[str, int] | None = None

    @property
    def count(self) -> int:
        return self.row_count if self.row_count is not None else len(self.rows)

    @property
    def status_totals(self) -> dict[str, int]:
        if self.totals is not None:
            return self.totals
        return {s.value: sum(1 for r in self.rows if r.status == s) for s in Status}

    @property
    def last_data_row(self) -> int:
        """The last data row; an empty table still gets one (blank) row to count over."""
        return FIRST_DATA_ROW + max(self.count, 1) - 1

    @property
    def total_row(self) -> int:
        return self.last_data_row + 1


def summary_sheets() -> list[SummarySheet]:
    """Return every category's table in plan order. The rows are read once, in plan order,
    from one server-side cursor as the sheets are written; two aggregate queries give each
    sheet's size and totals first (a fixed number of queries)."""
    relistings = dict(
        Relisting.objects.values_list("category_id").annotate(n=Count("pk")).order_by()
    )
    per_category = category_status_totals()
    rows = _Rows(table_rows())
    return [
        SummarySheet(
            code=c.code,
            heading=f"{c.label} {c.name}",
            short_name=c.short_name,
            rows=rows.of(c),
            row_count=sum(totals.values()) + relistings.get(c.pk, 0),
            totals=totals,
        )
        for c, totals in per_category
    ]


_MEASURE, _RELISTING, _CATEGORY, _NAME, _STATUS, _IS_RELISTING, _VERSION = (
    FLAT_COLUMNS.index(c)
    for c in (
        "r_measure",
        "r_relisting",
        "r_category",
        "r_name",
        "r_status",
        "is_relisting",
        "r_version",
    )
)


class _Rows:
    """Every table's rows from one query in plan order (``RowQuery.flat``), handed out table
    by table; each set of periods is printed once."""

    def __init__(self, rows: RowQuery):
        self._periods = rows.flat_periods()
        self._first, self._last = len(FLAT_COLUMNS), len(FLAT_COLUMNS) + len(self._periods)
        self._printed: dict[tuple, str] = {}
        self._rows = rows.flat()
        self._next: tuple | None = next(self._rows, None)

    def of(self, category: Category) -> Iterator[SummaryRow]:
        while self._next is not None and self._next[_CATEGORY] == category.pk:
            v, self._next = self._next, next(self._rows, None)
            if v[_IS_RELISTING]:
                yield SummaryRow(name=v[_NAME], is_relisting=True, key=relisting_key(v[_RELISTING]))
                continue
            runs = v[self._first : self._last]
            periods = self._printed.get(runs)
            if periods is None:
                periods = self._printed[runs] = format_periods(
                    p for p, flag in zip(self._periods, runs, strict=True) if flag
                )
            yield SummaryRow(
                name=v[_NAME],
                status=Status(v[_STATUS]),
                periods=periods,
                key=measure_key(v[_MEASURE], v[_VERSION]),
            )


def workbook_title() -> str:
    plan = Plan.objects.first()
    return f"{plan.name if plan else '情報化基本計画'} 施策一覧"


def write_summary(
    stream: IO[bytes],
    *,
    today: date,
    title: str | None = None,
    created_at: datetime | None = None,
) -> None:
    """Write the summary workbook of the register as it stands to ``stream``.

    The creation time is taken before the register is read, so that every change the rows
    do not show is later than it.
    """
    created_at = created_at or timezone.now()
    write_summary_sheets(
        stream,
        summary_sheets(),
        today=today,
        title=title if title else workbook_title(),
        created_at=created_at,
    )


def write_summary_sheets(
    stream: IO[bytes],
    sheets: Sequence[SummarySheet],
    *,
    today: date,
    title: str,
    created_at: datetime | None = None,
) -> None:
    """Write ``sheets`` as the summary workbook (kept apart from the database for the
    benchmark)."""
    created_at = created_at or timezone.now()
    wb = xlsxwriter.Workbook(stream, {"constant_memory": True})
    # XlsxWriter writes the creation time as UTC.
    stamp = created_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    wb.set_properties(
        {
            "title": title,
            "subject": f"{today.isoformat()} 現在の施策の状況",
            "author": CREATOR,
            "created": stamp,
        }
    )
    wb.set_custom_property(
        CREATED_PROPERTY, timezone.localtime(created_at).isoformat(timespec="seconds")
    )
    looks = _Looks(wb)
    _write_overview(wb, looks, sheets, today=today, title=title)
    for sheet in sheets:
        _write_category(wb, looks, sheet, today=today, title=title)
    wb.close()


class _Looks:
    """The workbook's cell formats, each registered once: a look is a font, a fill, a border
    and an alignment, as in ``styles``; ``quoted`` adds Excel's quote prefix, so a text that
    looks like a formula stays text when someone edits it by hand."""

    FONTS = {
        "normal": {"font_size": 10.5},
        "bold": {"font_size": 10.5, "bold": True},
        "header": {"font_size": 10.5, "bold": True, "font_color": "#FFFFFF"},
        "title": {"font_size": 14, "bold": True},
        "heading": {"font_size": 12, "bold": True},
        "note": {"font_size": 9},
        **{s: {"font_size": 10.5, "bold": True, "font_color": f"#{s.colour}"} for s in Status},
    }
    FILLS = {None: {}, "header": "#0B4F8A", "relisting": "#E6E6E6", "total": "#F2F2F2"}
    ALIGNMENTS = {
        None: {},
        "center": {"align": "center", "valign": "vcenter"},
        "left": {"valign": "vcenter", "text_wrap": True},
    }

    def __init__(self, wb):
        self.wb = wb
        self._formats = {}

    def __call__(self, font="normal", fill=None, border=False, align=None, quoted=False):
        key = (font, fill, border, align, quoted)
        if key not in self._formats:
            props = {"font_name": styles.FONT_NAME, **self.FONTS[font], **self.ALIGNMENTS[align]}
            if fill:
                props.update(bg_color=self.FILLS[fill], pattern=1)
            if border:
                props.update(border=1, border_color="#808080")
            if quoted:
                props["quote_prefix"] = True
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]


def _text(ws, looks, row, col, value, **look):
    """Write ``value`` as text (never a formula), or a formatted blank for None/""."""
    if value is None or value == "":
        ws.write_blank(row, col, None, looks(**look))
    else:
        ws.write_string(row, col, str(value), looks(**look, quoted=starts_like_formula(value)))


def _title_rows(ws, looks, *, title, heading, note, header, last_col):
    ws.set_row(TITLE_ROW - 1, 22)
    ws.merge_range(0, 0, 0, last_col, title, looks("title"))
    ws.merge_range(1, 0, 1, last_col, heading, looks("heading"))
    ws.merge_range(2, 0, 2, last_col, note, looks("note"))
    ws.set_row(HEADER_ROW - 1, 20)
    for col, label in enumerate(header):
        ws.write_string(
            HEADER_ROW - 1, col, label, looks("header", "header", border=True, align="center")
        )


def _write_overview(wb, looks, sheets: Sequence[SummarySheet], *, today: date, title: str):
    ws = wb.add_worksheet(OVERVIEW_TITLE)
    header = [CATEGORY_HEADER, *(f"{s.mark} {s.label}" for s in Status), TOTAL_LABEL]
    widths = [column_width([CATEGORY_HEADER, *(s.heading for s in sheets), "合計"])]
    widths += [column_width([label], minimum=10) for label in header[1:]]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.freeze_panes(FIRST_DATA_ROW - 1, 0)
    _set_print_setup(ws)
    _title_rows(
        ws,
        looks,
        title=title,
        heading="区分別の集計",
        note=f"{today.isoformat()} 現在　各区分のシートの「{TOTAL_LABEL}」を参照する式です"
        "（再掲は数えません）。",
        header=header,
        last_col=len(header) - 1,
    )
    last_status_col = xl_col_to_name(len(Status))
    row = FIRST_DATA_ROW - 1
    grand = [0] * (len(Status) + 1)
    for sheet in sheets:
        _text(ws, looks, row, 0, sheet.heading, border=True)
        totals = sheet.status_totals
        for i, status in enumerate(Status):
            ref = f"{xl_col_to_name(MARK_COLUMNS[status] - 1)}{sheet.total_row}"
            value = totals.get(status.value, 0)
            ws.write_formula(
                row,
                1 + i,
                f"={quote_sheetname(sheet.code)}!{ref}",
                looks(border=True, align="center"),
                value,
            )
            grand[i] += value
        total = sum(totals.get(s.value, 0) for s in Status)
        grand[-1] += total
        excel_row = row + 1
        ws.write_formula(
            row,
            len(Status) + 1,
            f"=SUM(B{excel_row}:{last_status_col}{excel_row})",
            looks("bold", border=True, align="center"),
            total,
        )
        row += 1
    last = row  # the Excel number of the last category row
    ws.write_string(row, 0, "合計", looks("bold", "total", border=True))
    for col in range(1, len(header)):
        letter = xl_col_to_name(col)
        look = looks("bold", "total", border=True, align="center")
        if sheets:
            ws.write_formula(
                row, col, f"=SUM({letter}{FIRST_DATA_ROW}:{letter}{last})", look, grand[col - 1]
            )
        else:
            ws.write_number(row, col, 0, look)


def _write_category(wb, looks, sheet: SummarySheet, *, today: date, title: str):
    ws = wb.add_worksheet(sheet.code)
    header = [*header_labels(), KEY_HEADER]
    ws.freeze_panes(FIRST_DATA_ROW - 1, 0)
    _set_print_setup(ws)
    ws.print_area(0, 0, sheet.total_row - 1, LAST_COLUMN - 1)
    legend = "　".join(f"{s.mark} {s.label}" for s in Status)
    _title_rows(
        ws,
        looks,
        title=title,
        heading=sheet.heading,
        note=f"{today.isoformat()} 現在　{legend}　網掛けの行は再掲（集計に含めません）",
        header=header,
        last_col=LAST_COLUMN - 1,
    )
    name_width = display_width(NAME_HEADER)
    periods_width = display_width(PERIODS_HEADER)
    measure_runs: list[tuple[int, int]] = []
    relisting_runs: list[tuple[int, int]] = []
    counted = dict.fromkeys(Status, 0)
    row = FIRST_DATA_ROW - 1
    for summary_row in _nonempty(sheet.rows):
        excel_row = row + 1
        fill = "relisting" if summary_row.is_relisting else None
        _text(
            ws,
            looks,
            row,
            0,
            sheet.short_name if excel_row == FIRST_DATA_ROW else None,
            border=True,
            align="center",
        )
        label = summary_row.label
        _text(ws, looks, row, 1, label, fill=fill, border=True, align="left")
        if 2 * len(label) > name_width:
            name_width = max(name_width, display_width(label))
        for status in Status:
            col = MARK_COLUMNS[status] - 1
            if summary_row.status == status:
                _text(
                    ws,
                    looks,
                    row,
                    col,
                    status.mark,
                    font=status,
                    fill=fill,
                    border=True,
                    align="center",
                )
                counted[status] += 1
            else:
                _text(ws, looks, row, col, None, fill=fill, border=True, align="center")
        _text(
            ws,
            looks,
            row,
            PERIODS_COLUMN - 1,
            summary_row.periods,
            fill=fill,
            border=True,
            align="center",
        )
        periods_width = max(periods_width, display_width(summary_row.periods))
        _text(ws, looks, row, KEY_COLUMN - 1, summary_row.key, font="note")
        _add_to_runs(relisting_runs if summary_row.is_relisting else measure_runs, excel_row)
        row += 1

    last = sheet.last_data_row
    total = looks("bold", "total", border=True, align="center")
    ws.merge_range(row, 0, row, 1, TOTAL_LABEL, total)
    for status in Status:
        letter = xl_col_to_name(MARK_COLUMNS[status] - 1)
        ws.write_formula(
            row,
            MARK_COLUMNS[status] - 1,
            f'=COUNTIF({letter}{FIRST_DATA_ROW}:{letter}{last},"{status.mark}")',
            total,
            counted[status],
        )
    ws.write_blank(row, PERIODS_COLUMN - 1, None, looks(fill="total", border=True))

    # The category cell spans the data rows. XlsxWriter's merge_range cannot span rows that
    # constant-memory mode has already written, so the range is recorded as merge_range
    # records it; the cells under it were written blank and bordered above.
    if last > FIRST_DATA_ROW:
        ws.merge.append([FIRST_DATA_ROW - 1, 0, last - 1, 0])
    widths = [
        column_width([CATEGORY_HEADER, sheet.short_name]),
        max(30, min(80, name_width + 2)),
        *(column_width([status.label]) for status in Status),
        max(12, min(80, periods_width + 2)),
        column_width([KEY_HEADER]),
    ]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width, None, {"hidden": col == KEY_COLUMN - 1})
    _add_mark_validation(ws, measure_runs, relisting_runs)
    _add_key_validation(ws, last)


def _nonempty(rows: Iterable[SummaryRow]) -> Iterable[SummaryRow]:
    """Yield ``rows``, or one blank row for an empty table (its totals count over it)."""
    empty = True
    for row in rows:
        empty = False
        yield row
    if empty:
        yield SummaryRow(name="")


def _set_print_setup(ws) -> None:
    """A4 landscape, one page wide (as many pages tall as needed), title rows on every page."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.repeat_rows(TITLE_ROW - 1, HEADER_ROW - 1)


def _add_to_runs(runs: list[tuple[int, int]], row: int) -> None:
    """Add a row number to consecutive runs of rows kept as (first, last) pairs (as the rows
    are written, so that a long table keeps a few runs, not every row number)."""
    if runs and runs[-1][1] == row - 1:
        runs[-1] = (runs[-1][0], row)
    else:
        runs.append((row, row))


def _validate(ws, ranges: list[str], options: dict) -> None:
    first = ranges[0].split(":")[0]
    ws.data_validation(first, {**options, "multi_range": " ".join(ranges)})


def _add_mark_validation(
    ws, measure_runs: list[tuple[int, int]], relisting_runs: list[tuple[int, int]]
) -> None:
    """Offer each mark column's own mark as a drop-down (a ◎ typed under 一部着手 would not be
    counted by that column's COUNTIF), and refuse any mark in re-listing rows."""
    runs = measure_runs
    for status in Status if runs else ():
        letter = xl_col_to_name(MARK_COLUMNS[status] - 1)
        _validate(
            ws,
            [f"{letter}{first}:{letter}{last}" for first, last in runs],
            {
                "validate": "list",
                "source": [status.mark],
                "ignore_blank": True,
                "error_title": "印が違います",
                "error_message": f"「{status.label}」の欄に付けられる印は「{status.mark}」だけです"
                "（取り消すときは空欄に）。",
                "input_title": str(status.label),
                "input_message": f"{status.mark} を選ぶか空欄にします。",
            },
        )
    if relisting_runs:
        first_col = xl_col_to_name(min(MARK_COLUMNS.values()) - 1)
        last_col = xl_col_to_name(max(MARK_COLUMNS.values()) - 1)
        _validate(
            ws,
            [f"{first_col}{first}:{last_col}{last}" for first, last in relisting_runs],
            {
                "validate": "length",
                "criteria": "==",
                "value": 0,
                "ignore_blank": True,
                "error_title": "再掲の行です",
                "error_message": "再掲の行には印を付けません。元の施策の行で変更してください。",
            },
        )


def _add_key_validation(ws, last_row: int) -> None:
    """Refuse anything typed into the hidden key column (clearing it stays possible).

    Not a sheet protection: a protected sheet cannot be sorted in Excel, and a user who then
    sorted only the visible columns would separate the rows from their keys.
    """
    letter = xl_col_to_name(KEY_COLUMN - 1)
    _validate(
        ws,
        [f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}"],
        {
            "validate": "length",
            "criteria": "<",
            "value": 1,
            "ignore_blank": True,
            "error_title": "照合キーの列です",
            "error_message": "この列は取り込みで行と施策を照合するためのものです。"
            "変更しないでください。",
        },
    )


def summary_filename(today: date) -> str:
    return f"施策一覧_{today.isoformat()}.xlsx"
