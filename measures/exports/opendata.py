"""Every measure as open data, following 総務省「統計表における機械判読可能なデータの表記方法の
統一ルール」: one value per cell (no merged or combined cells), numbers as numbers, no formulas,
no spacing for layout, full item names, Western-calendar ISO dates.

Choices made for those rules:
- 状況 is the plain word (実施/一部着手/未着手) and 記号 the plan's mark beside it, so neither
  needs a legend.
- Each plan period is its own column holding 1 (the measure runs in that period) or 0, instead
  of the printed 「一次～三次」, which packs several values into one cell.
- 再掲先 is one column per category (再掲先_e-city …) holding the re-listing's row position in
  that category's table, empty when the measure is not re-listed there; a measure re-listed in
  two tables still has one value per cell.
- 更新日 is the date of the measure's latest change in its history (YYYY-MM-DD, Japan time).
Every text goes through ``safe_row``, so no cell starts a formula. Rows are read in one query
from a server-side cursor and written a chunk at a time, so memory stays flat as the register
grows.
"""

import csv
from collections.abc import Iterator
from datetime import date
from typing import IO

from django.db.models import Max, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from measures.models import Category, Measure, PlanPeriod, Status
from measures.rows import in_period

from .cells import safe_row
from .responses import csv_chunks

BASE_COLUMNS = ["区分コード", "区分", "表内の位置", "施策名", "状況", "記号"]
UPDATED_COLUMN = "更新日"


def opendata_filename(today: date, *, bom: bool = False) -> str:
    suffix = "_Excel用" if bom else ""
    return f"施策一覧_オープンデータ_{today.isoformat()}{suffix}.csv"


def period_column(period: PlanPeriod) -> str:
    return f"{period.name}計画期間"


def relisting_column(category: Category) -> str:
    return f"再掲先_{category.code}"


def opendata_rows(chunk_size: int = 2_000) -> tuple[list[str], Iterator[list[object]]]:
    """Return the header and an iterator of one row per measure in plan order, read in one
    query (periods, re-listings and latest change as columns) from a server-side cursor."""
    periods = list(PlanPeriod.objects.order_by("number"))
    categories = {c.pk: c for c in Category.objects.order_by("order")}
    header = [
        *BASE_COLUMNS,
        *(period_column(p) for p in periods),
        *(relisting_column(c) for c in categories.values()),
        UPDATED_COLUMN,
    ]
    return header, _rows(periods, categories, chunk_size)


def _rows(periods, categories, chunk_size) -> Iterator[list[object]]:
    labels = {s.value: (str(s.label), s.mark) for s in Status}
    tables = {c.pk: (c.code, c.name) for c in categories.values()}
    flags = {f"in_period_{p.pk}": in_period(p) for p in periods}
    positions = {
        f"relisted_{c.pk}": Max("relistings__position", filter=Q(relistings__category_id=c.pk))
        for c in categories.values()
    }
    updated = Subquery(
        Measure.history.filter(id=OuterRef("pk"))
        .order_by()
        .values("id")
        .annotate(day=Max(TruncDate("history_date", tzinfo=timezone.get_current_timezone())))
        .values("day")
    )
    values = (
        Measure.objects.order_by("category__order", "position")
        .annotate(**flags, **positions, updated=updated)
        .values_list("category_id", "position", "name", "status", *flags, *positions, "updated")
        .iterator(chunk_size=chunk_size)
    )
    first = 4 + len(flags)
    last = first + len(positions)
    days: dict[date, str] = {}
    ones: dict[tuple, tuple[int, ...]] = {}  # the period flags as 1 and 0
    for v in values:
        day, runs = v[-1], v[4:first]
        if day is not None and day not in days:
            days[day] = day.isoformat()
        if runs not in ones:
            ones[runs] = tuple(1 if flag else 0 for flag in runs)
        yield [
            *tables[v[0]],
            v[1],
            v[2],
            *labels[v[3]],
            *ones[runs],
            *["" if position is None else position for position in v[first:last]],
            days[day] if day is not None else "",
        ]


def opendata_chunks(*, bom: bool = False) -> Iterator[bytes]:
    """Yield the open-data CSV (UTF-8, with a BOM for Excel if asked), row by row."""
    header, rows = opendata_rows()
    return csv_chunks(header, rows, bom=bom)


def write_opendata(stream: IO[str]) -> int:
    """Write the open-data CSV (text; the caller picks UTF-8 with or without BOM) and return
    the number of measures written. Lines end in CRLF, as RFC 4180 and Excel expect."""
    writer = csv.writer(stream, lineterminator="\r\n")
    header, rows = opendata_rows()
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(safe_row(row))
        count += 1
    return count
