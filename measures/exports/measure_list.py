"""The measure browser's rows as a spreadsheet: CSV (UTF-8 with BOM) and XLSX."""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from .cells import column_width, safe_row, set_text
from .styles import (
    BORDER,
    CENTER,
    FONT,
    HEADER_FILL,
    HEADER_FONT,
    RELISTING_FILL,
    WRAP,
    status_font,
)

BOM = "\ufeff"


def _header() -> list[str]:
    return [
        _("区分"),
        _("番号"),
        _("施策名"),
        _("状況"),
        _("状況（記号）"),
        _("計画期間"),
        _("再掲"),
    ]


def _values(row) -> list:
    """Return one spreadsheet row for a ``rows.BrowserRow``."""
    if row.is_relisting:
        note = _("再掲（元: %(category)s）") % {"category": row.relisting_note}
    elif row.relisting_note:
        note = _("再掲先: %(categories)s") % {"categories": row.relisting_note}
    else:
        note = ""
    return [
        row.category.short_name,
        row.position,
        row.name,
        str(row.status.label) if row.status else "",
        row.status.mark if row.status else "",
        row.periods,
        note,
    ]


def measure_list_csv(rows) -> str:
    """Return the rows as CSV text with a BOM, so that Japanese Excel reads it as UTF-8."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_header())
    for row in rows:
        writer.writerow(safe_row(_values(row)))
    return out.getvalue()


def measure_list_workbook(rows, *, title: str) -> bytes:
    """Return an XLSX file of the rows: styled header, frozen and filterable, marks coloured."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    header = _header()
    ws.append(header)
    for cell in ws[1]:
        cell.font, cell.fill, cell.border, cell.alignment = HEADER_FONT, HEADER_FILL, BORDER, CENTER
    columns: list[list] = [[h] for h in header]
    for row in rows:
        values = _values(row)
        excel_row = ws.max_row + 1
        for index, value in enumerate(values):
            columns[index].append(value)
            cell = ws.cell(row=excel_row, column=index + 1)
            if isinstance(value, int):
                cell.value = value
            else:
                set_text(cell, value)
            cell.border = BORDER
            cell.font = FONT
            cell.alignment = CENTER if index in (1, 3, 4) else WRAP
            if row.is_relisting:
                cell.fill = RELISTING_FILL
        if row.status:
            ws.cell(row=excel_row, column=5).font = status_font(row.status)
    for index, values in enumerate(columns):
        ws.column_dimensions[ws.cell(row=1, column=index + 1).column_letter].width = column_width(
            values
        )
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
