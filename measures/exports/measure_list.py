"""The measure browser's rows as a spreadsheet: CSV (UTF-8 with BOM) and XLSX, both written
row by row as the rows come from the database.

Both read the rows as plain tuples (``RowQuery.flat``: one query, periods and re-listings
included) instead of building a ``Row`` for each: the cells that rows of one kind share (table,
status, periods, 再掲 note) are made once per kind by ``_values`` from a ``Row``, and each row
adds its own position and name.
"""

from collections.abc import Iterable, Iterator
from typing import IO

import xlsxwriter
from django.utils.translation import gettext as _

from measures.models import Status
from measures.periods import format_periods
from measures.rows import FLAT_COLUMNS, Row, RowQuery

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


_CATEGORY, _POSITION, _NAME, _STATUS, _IS_RELISTING, _HOME = (
    FLAT_COLUMNS.index(c)
    for c in ("r_category", "r_position", "r_name", "r_status", "is_relisting", "r_home")
)


def measure_list_rows(rows: RowQuery) -> Iterator[tuple[list, Row]]:
    """Yield each row's cells with a ``Row`` of its kind (its table, status, periods and
    re-listings; the position and name in the cells are the row's own)."""
    periods, categories = rows.flat_periods(), rows.flat_categories()
    by_pk = {c.pk: c for c in categories}
    first, last = len(FLAT_COLUMNS), len(FLAT_COLUMNS) + len(periods)
    kinds: dict[tuple, tuple[list, Row]] = {}
    for v in rows.flat():
        key = (v[_CATEGORY], v[_STATUS], v[_IS_RELISTING], v[_HOME], v[first:])
        kind = kinds.get(key)
        if kind is None:
            if v[_IS_RELISTING]:
                row = Row(
                    category=by_pk[v[_CATEGORY]],
                    position=0,
                    name="",
                    status=None,
                    period_numbers=(),
                    periods="",
                    measure_pk=0,
                    relisting_pk=0,
                    original_category=by_pk.get(v[_HOME]),
                )
            else:
                own = [p for p, runs in zip(periods, v[first:last], strict=True) if runs]
                row = Row(
                    category=by_pk[v[_CATEGORY]],
                    position=0,
                    name="",
                    status=Status(v[_STATUS]),
                    period_numbers=tuple(p.number for p in own),
                    periods=format_periods(own),
                    measure_pk=0,
                    relisted_in=tuple(
                        c.short_name
                        for c, times in zip(categories, v[last:], strict=True)
                        for _ in range(times)
                    ),
                )
            kind = kinds[key] = (_values(row), row)
        cells = kind[0].copy()
        cells[1], cells[2] = v[_POSITION], v[_NAME]
        yield cells, kind[1]


def measure_list_csv(rows: RowQuery) -> Iterator[bytes]:
    """Yield the rows as CSV with a BOM, so that Japanese Excel reads it as UTF-8."""
    return csv_chunks(_header(), (cells for cells, _row in measure_list_rows(rows)), bom=True)


def write_measure_list(stream: IO[bytes], rows: Iterable[tuple[list, Row]], *, title: str) -> int:
    """Write an XLSX file of the rows (from ``measure_list_rows``; styled header, frozen and
    filterable, marks coloured) in XlsxWriter's constant-memory mode; return the number of
    rows."""
    wb = xlsxwriter.Workbook(stream, {"constant_memory": True})
    formats = xlsx_formats(wb)
    ws = wb.add_worksheet(title[:31])
    header = _header()
    widths = [display_width(h) for h in header]
    for col, label in enumerate(header):
        ws.write_string(0, col, label, formats.header)
    count = 0
    for count, (cells, row) in enumerate(rows, 1):
        look = formats.relisting if row.is_relisting else formats.body
        for col, value in enumerate(cells):
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
