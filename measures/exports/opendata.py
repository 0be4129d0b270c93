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
Every text goes through ``safe_row``, so no cell starts a formula.
"""

import csv
from datetime import date
from typing import IO

from django.db.models import Max
from django.utils import timezone

from measures.models import Category, Measure, PlanPeriod, Status

from .cells import safe_row

BASE_COLUMNS = ["区分コード", "区分", "表内の位置", "施策名", "状況", "記号"]
UPDATED_COLUMN = "更新日"


def opendata_filename(today: date, *, bom: bool = False) -> str:
    suffix = "_Excel用" if bom else ""
    return f"施策一覧_オープンデータ_{today.isoformat()}{suffix}.csv"


def period_column(period: PlanPeriod) -> str:
    return f"{period.name}計画期間"


def relisting_column(category: Category) -> str:
    return f"再掲先_{category.code}"


def opendata_rows() -> tuple[list[str], list[list[object]]]:
    """Return the header and one row per measure, in plan order, in a fixed number of
    queries."""
    periods = list(PlanPeriod.objects.order_by("number"))
    categories = list(Category.objects.order_by("order"))
    updated = dict(Measure.history.values_list("id").annotate(last=Max("history_date")).order_by())
    header = [
        *BASE_COLUMNS,
        *(period_column(p) for p in periods),
        *(relisting_column(c) for c in categories),
        UPDATED_COLUMN,
    ]
    rows = []
    for measure in Measure.objects.with_display_data().order_by("category__order", "position"):
        status = Status(measure.status)
        in_periods = {p.pk for p in measure.periods.all()}
        relisted = {r.category_id: r.position for r in measure.relistings.all()}
        last = updated.get(measure.pk)
        rows.append(
            safe_row(
                [
                    measure.category.code,
                    measure.category.name,
                    measure.position,
                    measure.name,
                    str(status.label),
                    status.mark,
                    *(1 if p.pk in in_periods else 0 for p in periods),
                    *(relisted.get(c.pk, "") for c in categories),
                    timezone.localdate(last).isoformat() if last else "",
                ]
            )
        )
    return header, rows


def write_opendata(stream: IO[str]) -> int:
    """Write the open-data CSV (text; the caller picks UTF-8 with or without BOM) and return
    the number of measures written. Lines end in CRLF, as RFC 4180 and Excel expect."""
    header, rows = opendata_rows()
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return len(rows)
