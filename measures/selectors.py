"""Reads that build the dashboard pages' data from the register (rows, totals, history)."""

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Paginator

from .models import Category, PlanPeriod, Status
from .rows import AsOfRows, RowQuery, table_rows
from .totals import (
    CategoryBreakdown,
    Overview,
    StatusBreakdown,
    category_breakdown,
    category_breakdown_as_of,
    category_status_totals,
    category_status_totals_as_of,
    period_breakdowns,
)


def status_overview(*, as_of: date | None = None) -> Overview:
    """Return the totals of each category and overall, now or at the end of ``as_of``.

    A fixed number of queries: categories with counts (now), or categories plus one
    aggregate over the history (as of a date).
    """
    if as_of is None:
        per_category = category_status_totals()
    else:
        per_category = category_status_totals_as_of(as_of)
    overall = {s.value: sum(t.get(s.value, 0) for _category, t in per_category) for s in Status}
    return Overview(
        categories=[CategoryBreakdown(c, StatusBreakdown.from_totals(t)) for c, t in per_category],
        overall=StatusBreakdown.from_totals(overall),
    )


# A category table is one page while it fits a printed sheet (the plan's tables have under a
# hundred rows), and pages beyond that; its 計 row always counts the whole category.
CATEGORY_PAGE_ROWS = 300
PERIOD_MATRIX_PAGE_ROWS = 200


def category_summary(category: Category, *, as_of: date | None = None, page=1):
    """Return (a page of rows, breakdown) of a category's table as the plan prints it, now or
    as of a date; the totals count the whole category (re-listings never count).

    The database pages the rows and counts the totals, now or from the history as of a date
    (a fixed number of queries either way).
    """
    if as_of is None:
        rows = table_rows(category)
        breakdown = category_breakdown(category)
    else:
        breakdown = category_breakdown_as_of(category, as_of)
        rows = AsOfRows(category, as_of, measure_count=breakdown.total)
    return Paginator(rows, CATEGORY_PAGE_ROWS).get_page(page), breakdown


@dataclass(frozen=True)
class PeriodColumn:
    period: PlanPeriod
    breakdown: StatusBreakdown


def period_matrix(*, page=1):
    """Return (period columns with status counts, a page of measure rows) for the plan-period
    view, in a fixed number of queries."""
    columns = [PeriodColumn(p, breakdown) for p, breakdown in period_breakdowns()]
    measures = RowQuery(with_relistings=False)
    return columns, Paginator(measures, PERIOD_MATRIX_PAGE_ROWS).get_page(page)
