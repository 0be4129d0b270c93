"""The measure browser's rows as a spreadsheet: CSV (UTF-8 with BOM) and XLSX, both written
row by row as the rows come from the database."""

from collections.abc import Iterable, Iterator
from typing import IO

import xlsxwriter
from django.utils.translation import gettext as _

from measures.rows import Row

from .cells import display_width, starts_like_formula
from .responses import csv_chunks
from .styles import xlsx_formats

MIN_WIDTH, MAX_WIDTH, PADDING = 4, 80, 2


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


def _values(row: Row) -> list:
    """Return one spreadsheet row for a ``rows.Row``."""
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


def measure_list_csv(rows: Iterable[Row]) -> Iterator[bytes]:
    """Yield the rows as CSV with a BOM, so that Japanese Excel reads it as UTF-8."""
    return csv_chunks(_header(), (_values(row) for row in rows), bom=True)


def write_measure_list(stream: IO[bytes], rows: Iterable[Row], *, title: str) -> int:
    """Write an XLSX file of the rows (styled header, frozen and filterable, marks coloured) in
    XlsxWriter's constant-memory mode; return the number of rows."""
    wb = xlsxwriter.Workbook(stream, {"constant_memory": True})
    formats = xlsx_formats(wb)
    ws = wb.add_worksheet(title[:31])
    header = _header()
    widths = [display_width(h) for h in header]
    for col, label in enumerate(header):
        ws.write_string(0, col, label, formats.header)
    count = 0
    for count, row in enumerate(rows, 1):
        look = formats.relisting if row.is_relisting else formats.body
        for col, value in enumerate(_values(row)):
            if isinstance(value, int):
                ws.write_number(count, col, value, look.center)
                continue
            if col == 4 and row.status:
                cell_format = formats.marks[row.status]
            elif starts_like_formula(value):
                cell_format = look.quoted_center if col in (3, 4) else look.quoted
            else:
                cell_format = look.center if col in (3, 4) else look.wrap
            ws.write_string(count, col, value, cell_format)
            if 2 * len(value) > widths[col]:
                widths[col] = max(widths[col], display_width(value))
    for col, width in enumerate(widths):
        ws.set_column(col, col, max(MIN_WIDTH, min(MAX_WIDTH, width + PADDING)))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(count, 1), len(header) - 1)
    wb.close()
    return count
