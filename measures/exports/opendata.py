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
Every text goes through ``safe_row``, so no cell starts a formula. Rows are read and written a
chunk at a time, so memory stays flat as the register grows.
"""

import csv
from collections.abc import Iterator
from datetime import date
from itertools import islice
from typing import IO

from django.db.models import Max
from django.utils import timezone

from measures.models import Category, Measure, PlanPeriod, Relisting, Status

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
    """Return the header and an iterator of one row per measure in plan order, read from a
    server-side cursor; each chunk of rows adds three queries (periods, re-listings, latest
    change)."""
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
    values = (
        Measure.objects.order_by("category__order", "position")
        .values_list("pk", "category_id", "position", "name", "status")
        .iterator(chunk_size=chunk_size)
    )
    while chunk := list(islice(values, chunk_size)):
        pks = [row[0] for row in chunk]
        in_periods: dict[int, set[int]] = {}
        for measure_pk, period_pk in Measure.periods.through.objects.filter(
            measure_id__in=pks
        ).values_list("measure_id", "planperiod_id"):
            in_periods.setdefault(measure_pk, set()).add(period_pk)
        relisted: dict[int, dict[int, int]] = {}
        for measure_pk, category_pk, position in Relisting.objects.filter(
            measure_id__in=pks
        ).values_list("measure_id", "category_id", "position"):
            relisted.setdefault(measure_pk, {})[category_pk] = position
        updated = dict(
            Measure.history.filter(id__in=pks)
            .values_list("id")
            .annotate(last=Max("history_date"))
            .order_by()
        )
        for pk, category_pk, position, name, status_value in chunk:
            category, last = categories[category_pk], updated.get(pk)
            label, mark = labels[status_value]
            yield [
                category.code,
                category.name,
                position,
                name,
                label,
                mark,
                *(1 if p.pk in in_periods.get(pk, ()) else 0 for p in periods),
                *(relisted.get(pk, {}).get(c, "") for c in categories),
                timezone.localdate(last).isoformat() if last else "",
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
