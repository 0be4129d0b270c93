"""Reads that build the dashboard pages' data from the register (rows, totals, history)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from .history import measure_history_as_of
from .models import Category, Measure, PlanPeriod, Status
from .rows import SummaryRow, category_summary_rows_as_of, category_table_rows
from .totals import CategoryBreakdown, Overview, StatusBreakdown, category_status_totals


def status_overview(*, as_of: date | None = None) -> Overview:
    """Return the totals of each category and overall, now or at the end of ``as_of``.

    A fixed number of queries: categories with counts (now), or categories plus one
    aggregate over the history (as of a date).
    """
    if as_of is None:
        per_category = category_status_totals()
    else:
        counts = (
            measure_history_as_of(as_of)
            .values("category_id", "status")
            .annotate(n=Count("history_id"))
        )
        by_category: dict[int, dict[str, int]] = {}
        for row in counts:
            by_category.setdefault(row["category_id"], {})[row["status"]] = row["n"]
        per_category = [(c, by_category.get(c.pk, {})) for c in Category.objects.order_by("order")]
    overall = {s.value: sum(t.get(s.value, 0) for _category, t in per_category) for s in Status}
    return Overview(
        categories=[CategoryBreakdown(c, StatusBreakdown.from_totals(t)) for c, t in per_category],
        overall=StatusBreakdown.from_totals(overall),
    )


def category_summary(category: Category, *, as_of: date | None = None):
    """Return (rows, breakdown) of a category's table as the plan prints it, now or as of a
    date; the totals are counted from the same rows (re-listings never count)."""
    if as_of is None:
        rows = [
            SummaryRow(
                position=row.position,
                label=row.label,
                status=None if row.is_relisting else row.measure.status_choice,
                periods="" if row.is_relisting else row.measure.periods_display,
                measure_pk=row.measure.pk,
                is_relisting=row.is_relisting,
                original_category=row.measure.category if row.is_relisting else None,
            )
            for row in category_table_rows(category)
        ]
    else:
        rows = category_summary_rows_as_of(category, as_of)
    totals: dict[str, int] = {}
    for row in rows:
        if row.status is not None:
            totals[row.status.value] = totals.get(row.status.value, 0) + 1
    return rows, StatusBreakdown.from_totals(totals)


@dataclass(frozen=True)
class PeriodColumn:
    period: PlanPeriod
    breakdown: StatusBreakdown


def period_matrix():
    """Return (period columns with status counts, measures) for the plan-period view, in a fixed
    number of queries."""
    periods = PlanPeriod.objects.order_by("number").annotate(
        **{f"total_{s.value}": Count("measures", filter=Q(measures__status=s)) for s in Status}
    )
    columns = [
        PeriodColumn(
            p,
            StatusBreakdown.from_totals({s.value: getattr(p, f"total_{s.value}") for s in Status}),
        )
        for p in periods
    ]
    measures = list(Measure.objects.with_display_data().order_by("category__order", "position"))
    return columns, measures
