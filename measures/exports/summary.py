"""The summary workbook handed out to 庁議 and other divisions.

An overview sheet (集計) and one sheet per category laid out like the plan's tables
(区分 / 施策 / 実施 / 一部着手 / 未着手 / 計画期間). Totals are live COUNTIF formulas, so Excel or
LibreOffice Calc recompute them when someone edits a mark by hand; the overview refers to the
category sheets' total cells. Written in openpyxl's write-only mode, which streams rows instead
of keeping every cell object in memory (see benchmarks/excel_export.py).

The importer (importer.py) reads this layout back, so both share the constants below. Every
row carries a hidden key (column G: the measure and the version it was written from, or the
re-listing), and the workbook its creation time, so that the import matches rows to measures
whatever the user did to the order of rows, and can tell which measures changed since.
"""

from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from measures.models import Category, Plan, Status
from measures.rows import category_table_rows

from . import styles
from .cells import column_width, set_text

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
    code: str
    heading: str
    short_name: str
    rows: Sequence[SummaryRow]

    @property
    def last_data_row(self) -> int:
        """The last data row; an empty table still gets one (blank) row to count over."""
        return FIRST_DATA_ROW + max(len(self.rows), 1) - 1

    @property
    def total_row(self) -> int:
        return self.last_data_row + 1


def summary_sheets() -> list[SummarySheet]:
    """Return every category's table from the register, in plan order (fixed query count)."""
    rows: dict[int, list[SummaryRow]] = {}
    for row in category_table_rows():
        measure = row.measure
        rows.setdefault(row.category.pk, []).append(
            SummaryRow(name=row.label, is_relisting=True, key=relisting_key(row.relisting.pk))
            if row.is_relisting
            else SummaryRow(
                name=measure.name,
                status=measure.status_choice,
                periods=measure.periods_display,
                key=measure_key(measure.pk, measure.version),
            )
        )
    return [
        SummarySheet(
            code=c.code,
            heading=f"{c.label} {c.name}",
            short_name=c.short_name,
            rows=rows.get(c.pk, []),
        )
        for c in Category.objects.order_by("order")
    ]


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
    wb = Workbook(write_only=True)
    wb.properties.title = title
    wb.properties.subject = f"{today.isoformat()} 現在の施策の状況"
    wb.properties.creator = CREATOR
    wb.properties.lastModifiedBy = CREATOR
    # openpyxl writes naive datetimes as UTC.
    stamp = created_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.custom_doc_props.append(
        StringProperty(
            name=CREATED_PROPERTY,
            value=timezone.localtime(created_at).isoformat(timespec="seconds"),
        )
    )
    _StyledSheet.write_overview(wb, sheets, today=today, title=title)
    for sheet in sheets:
        _StyledSheet.write_category(wb, sheet, today=today, title=title)
    wb.save(stream)


def _set_print_setup(ws, *, title_rows: str) -> None:
    """A4 landscape, one page wide (as many pages tall as needed), title rows on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_title_rows = title_rows


_LEFT = Alignment(vertical="center", wrap_text=True)
_NOTE_FONT = Font(name=styles.FONT_NAME, size=9)
_HEADING_FONT = Font(name=styles.FONT_NAME, size=12, bold=True)


class _BuiltCell(Cell):
    """A cell whose look is final once built, so its style id is looked up only once (the
    writer otherwise hashes the style for every cell it writes)."""

    __slots__ = ("_style_id",)

    @property
    def style_id(self):
        try:
            return self._style_id
        except AttributeError:
            self._style_id = Cell.style_id.fget(self)
            return self._style_id


def _cells_to_row(cells, row_idx):
    """Place already-built cells in their row (skipping None), as openpyxl's writer expects."""
    for col_idx, cell in enumerate(cells, 1):
        if cell is None:
            continue
        cell.column = col_idx
        cell.row = row_idx
        yield cell


class _StyledSheet:
    """Writes cells through per-style templates: each distinct look is registered with the
    workbook once and copied to every cell that uses it.

    Cells that repeat (blank bordered cells, marks, period texts) are shared: the write-only
    writer sets a cell's coordinates and serialises it as soon as it is appended, so one cell
    object can stand in every row. Only names get cells of their own. This is what keeps the
    styled export close to plain write-only speed (benchmarks/excel_export.py).
    """

    def __init__(self, ws):
        self.ws = ws
        self._templates: dict[tuple, WriteOnlyCell] = {}
        self._shared: dict[tuple, WriteOnlyCell] = {}
        # Every row appended here is a list of cells; openpyxl's generic path first tries each
        # as a plain value and formats an error message before taking it as a cell.
        ws._values_to_row = _cells_to_row

    def cell(
        self,
        value=None,
        *,
        font=None,
        fill=None,
        border=None,
        alignment=None,
        text=False,
        shared=True,
    ):
        key = (id(font), id(fill), id(border), id(alignment))
        if shared:
            cached = self._shared.get((key, value, text))
            if cached is not None:
                return cached
        template = self._templates.get(key)
        if template is None:
            template = WriteOnlyCell(self.ws)
            if font is not None:
                template.font = font
            if fill is not None:
                template.fill = fill
            if border is not None:
                template.border = border
            if alignment is not None:
                template.alignment = alignment
            self._templates[key] = template
        cell = _BuiltCell(self.ws)
        cell._style = copy(template._style)
        if text:
            set_text(cell, value)
        elif value is not None:
            cell.value = value
        if shared:
            self._shared[(key, value, text)] = cell
        return cell

    def title_rows(self, title: str, heading: str, note: str, header: Iterable[str]) -> None:
        ws = self.ws
        ws.append([self.cell(title, font=styles.TITLE_FONT, text=True)])
        ws.append([self.cell(heading, font=_HEADING_FONT, text=True)])
        ws.append([self.cell(note, font=_NOTE_FONT, text=True)])
        ws.append(
            [
                self.cell(
                    label,
                    font=styles.HEADER_FONT,
                    fill=styles.HEADER_FILL,
                    border=styles.BORDER,
                    alignment=styles.CENTER,
                    text=True,
                )
                for label in header
            ]
        )
        ws.row_dimensions[TITLE_ROW].height = 22
        ws.row_dimensions[HEADER_ROW].height = 20

    @classmethod
    def write_overview(cls, wb, sheets: Sequence[SummarySheet], *, today: date, title: str):
        ws = wb.create_sheet(OVERVIEW_TITLE)
        self = cls(ws)
        header = [CATEGORY_HEADER, *(f"{s.mark} {s.label}" for s in Status), TOTAL_LABEL]
        widths = [column_width([CATEGORY_HEADER, *(s.heading for s in sheets), "合計"])]
        widths += [column_width([label], minimum=10) for label in header[1:]]
        for i, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = f"A{FIRST_DATA_ROW}"
        _set_print_setup(ws, title_rows=f"{TITLE_ROW}:{HEADER_ROW}")
        last_status_col = get_column_letter(1 + len(Status))

        self.title_rows(
            title,
            "区分別の集計",
            f"{today.isoformat()} 現在　各区分のシートの「{TOTAL_LABEL}」を参照する式です"
            "（再掲は数えません）。",
            header,
        )
        row_number = FIRST_DATA_ROW
        for sheet in sheets:
            cells = [self.cell(sheet.heading, font=styles.FONT, border=styles.BORDER, text=True)]
            for status in Status:
                ref = f"{get_column_letter(MARK_COLUMNS[status])}{sheet.total_row}"
                cells.append(
                    self.cell(
                        f"={quote_sheetname(sheet.code)}!{ref}",
                        font=styles.FONT,
                        border=styles.BORDER,
                        alignment=styles.CENTER,
                    )
                )
            cells.append(
                self.cell(
                    f"=SUM(B{row_number}:{last_status_col}{row_number})",
                    font=styles.BOLD,
                    border=styles.BORDER,
                    alignment=styles.CENTER,
                )
            )
            ws.append(cells)
            row_number += 1
        last = row_number - 1
        totals = [self.cell("合計", font=styles.BOLD, fill=styles.TOTAL_FILL, border=styles.BORDER)]
        for col in range(2, len(header) + 1):
            letter = get_column_letter(col)
            formula = f"=SUM({letter}{FIRST_DATA_ROW}:{letter}{last})" if sheets else 0
            totals.append(
                self.cell(
                    formula,
                    font=styles.BOLD,
                    fill=styles.TOTAL_FILL,
                    border=styles.BORDER,
                    alignment=styles.CENTER,
                )
            )
        ws.append(totals)
        for row in (TITLE_ROW, HEADING_ROW, NOTE_ROW):
            ws.merged_cells.add(f"A{row}:{get_column_letter(len(header))}{row}")
        ws.close()

    @classmethod
    def write_category(cls, wb, sheet: SummarySheet, *, today: date, title: str):
        ws = wb.create_sheet(sheet.code)
        self = cls(ws)
        header = [*header_labels(), KEY_HEADER]
        names = [r.label for r in sheet.rows]
        widths = [
            column_width([CATEGORY_HEADER, sheet.short_name]),
            column_width([NAME_HEADER, *names], minimum=30),
            *(column_width([status.label]) for status in Status),
            column_width([PERIODS_HEADER, *(r.periods for r in sheet.rows)], minimum=12),
            column_width([KEY_HEADER]),
        ]
        for i, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.column_dimensions[get_column_letter(KEY_COLUMN)].hidden = True
        ws.freeze_panes = f"A{FIRST_DATA_ROW}"
        _set_print_setup(ws, title_rows=f"{TITLE_ROW}:{HEADER_ROW}")
        ws.print_area = f"A{TITLE_ROW}:{get_column_letter(LAST_COLUMN)}{sheet.total_row}"
        legend = "　".join(f"{s.mark} {s.label}" for s in Status)
        self.title_rows(
            title,
            sheet.heading,
            f"{today.isoformat()} 現在　{legend}　網掛けの行は再掲（集計に含めません）",
            header,
        )

        marks_by_status = {status: [] for status in Status}
        relisting_rows = []
        row_number = FIRST_DATA_ROW
        for row in sheet.rows or [SummaryRow(name="")]:
            fill = styles.RELISTING_FILL if row.is_relisting else None
            cells = [
                self.cell(
                    sheet.short_name if row_number == FIRST_DATA_ROW else None,
                    font=styles.FONT,
                    border=styles.BORDER,
                    alignment=styles.CENTER,
                    text=row_number == FIRST_DATA_ROW,
                ),
                self.cell(
                    row.label,
                    font=styles.FONT,
                    fill=fill,
                    border=styles.BORDER,
                    alignment=_LEFT,
                    text=True,
                    shared=False,
                ),
            ]
            for status in Status:
                marked = row.status == status
                cells.append(
                    self.cell(
                        status.mark if marked else None,
                        font=styles.STATUS_FONTS[status] if marked else styles.FONT,
                        fill=fill,
                        border=styles.BORDER,
                        alignment=styles.CENTER,
                        text=marked,
                    )
                )
            cells.append(
                self.cell(
                    row.periods or None,
                    font=styles.FONT,
                    fill=fill,
                    border=styles.BORDER,
                    alignment=styles.CENTER,
                    text=bool(row.periods),
                )
            )
            cells.append(
                self.cell(row.key or None, font=_NOTE_FONT, text=bool(row.key), shared=False)
            )
            ws.append(cells)
            if row.is_relisting:
                relisting_rows.append(row_number)
            else:
                for status in Status:
                    marks_by_status[status].append(row_number)
            row_number += 1

        last = sheet.last_data_row
        totals = [
            self.cell(
                TOTAL_LABEL,
                font=styles.BOLD,
                fill=styles.TOTAL_FILL,
                border=styles.BORDER,
                alignment=styles.CENTER,
                text=True,
            ),
            self.cell(None, fill=styles.TOTAL_FILL, border=styles.BORDER),
        ]
        for status in Status:
            letter = get_column_letter(MARK_COLUMNS[status])
            totals.append(
                self.cell(
                    f'=COUNTIF({letter}{FIRST_DATA_ROW}:{letter}{last},"{status.mark}")',
                    font=styles.BOLD,
                    fill=styles.TOTAL_FILL,
                    border=styles.BORDER,
                    alignment=styles.CENTER,
                )
            )
        totals.append(self.cell(None, fill=styles.TOTAL_FILL, border=styles.BORDER))
        ws.append(totals)

        for row in (TITLE_ROW, HEADING_ROW, NOTE_ROW):
            ws.merged_cells.add(f"A{row}:{get_column_letter(LAST_COLUMN)}{row}")
        ws.merged_cells.add(f"A{FIRST_DATA_ROW}:A{last}")
        ws.merged_cells.add(f"A{sheet.total_row}:B{sheet.total_row}")
        _add_mark_validation(ws, marks_by_status, relisting_rows)
        _add_key_validation(ws, last)
        ws.close()


def _ranges(rows: list[int]) -> list[tuple[int, int]]:
    """Return consecutive runs of row numbers as (first, last) pairs."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def _add_mark_validation(ws, marks_by_status: dict[Status, list[int]], relisting_rows):
    """Offer each mark column's own mark as a drop-down (a ◎ typed under 一部着手 would not be
    counted by that column's COUNTIF), and refuse any mark in re-listing rows."""
    for status, rows in marks_by_status.items():
        if not rows:
            continue
        letter = get_column_letter(MARK_COLUMNS[status])
        validation = DataValidation(
            type="list",
            formula1=f'"{status.mark}"',
            allow_blank=True,
            showDropDown=False,
            showErrorMessage=True,
            errorTitle="印が違います",
            error=f"「{status.label}」の欄に付けられる印は「{status.mark}」だけです"
            "（取り消すときは空欄に）。",
            showInputMessage=True,
            promptTitle=str(status.label),
            prompt=f"{status.mark} を選ぶか空欄にします。",
        )
        validation.sqref = " ".join(
            f"{letter}{first}:{letter}{last}" for first, last in _ranges(rows)
        )
        ws.data_validations.append(validation)
    if relisting_rows:
        first_col = get_column_letter(min(MARK_COLUMNS.values()))
        last_col = get_column_letter(max(MARK_COLUMNS.values()))
        refuse = DataValidation(
            type="textLength",
            operator="equal",
            formula1="0",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="再掲の行です",
            error="再掲の行には印を付けません。元の施策の行で変更してください。",
        )
        refuse.sqref = " ".join(
            f"{first_col}{first}:{last_col}{last}" for first, last in _ranges(relisting_rows)
        )
        ws.data_validations.append(refuse)


def _add_key_validation(ws, last_row: int) -> None:
    """Refuse anything typed into the hidden key column (clearing it stays possible).

    Not a sheet protection: a protected sheet cannot be sorted in Excel, and a user who then
    sorted only the visible columns would separate the rows from their keys.
    """
    letter = get_column_letter(KEY_COLUMN)
    validation = DataValidation(
        type="textLength",
        operator="lessThan",
        formula1="1",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="照合キーの列です",
        error="この列は取り込みで行と施策を照合するためのものです。変更しないでください。",
    )
    validation.sqref = f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}"
    ws.data_validations.append(validation)


def summary_filename(today: date) -> str:
    return f"施策一覧_{today.isoformat()}.xlsx"
