"""Status totals (実施 / 一部着手 / 未着手): the product's core fact, computed here and only here
from the data, never stored."""

from dataclasses import dataclass

from django.db.models import Count, Q

from .charts import BarSegment, stacked_bar
from .history import measure_history_as_of
from .models import Category, Measure, PlanPeriod, Status


@dataclass(frozen=True)
class StatusCount:
    status: Status
    count: int
    share: float  # percent of the total, 0 when the total is 0

    @property
    def share_text(self) -> str:
        return f"{self.share:.1f}%"


@dataclass(frozen=True)
class StatusBreakdown:
    """Counts and shares of each status, with the segments of a stacked bar."""

    counts: tuple[StatusCount, ...]
    total: int

    @classmethod
    def from_totals(cls, totals: dict[str, int]) -> "StatusBreakdown":
        total = sum(totals.get(s.value, 0) for s in Status)
        counts = tuple(
            StatusCount(
                s, totals.get(s.value, 0), 100 * totals.get(s.value, 0) / total if total else 0
            )
            for s in Status
        )
        return cls(counts, total)

    def count_of(self, status: Status) -> int:
        return next(c.count for c in self.counts if c.status == status)

    @property
    def segments(self) -> list[BarSegment]:
        return stacked_bar((c.status, c.count, c.share) for c in self.counts)


@dataclass(frozen=True)
class CategoryBreakdown:
    category: Category
    breakdown: StatusBreakdown


@dataclass(frozen=True)
class Overview:
    categories: list[CategoryBreakdown]
    overall: StatusBreakdown


def category_status_totals() -> list[tuple[Category, dict[str, int]]]:
    """Return each category with its computed totals {status value: count}, in one query.

    Re-listings are separate rows in another table and so are never counted.
    """
    categories = Category.objects.order_by("order").annotate(**_counts("measures__"))
    return [(c, _totals_of(c)) for c in categories]


def _counts(prefix: str = "") -> dict:
    """Return one COUNT per status over ``prefix``measures, for ``annotate``/``aggregate``."""
    return {
        f"total_{s.value}": Count(f"{prefix}pk", filter=Q(**{f"{prefix}status": s})) for s in Status
    }


def _totals_of(values) -> dict[str, int]:
    """Read the counts of ``_counts`` from an aggregate (dict) or an annotated object."""
    values = values if isinstance(values, dict) else vars(values)
    return {s.value: values[f"total_{s.value}"] for s in Status}


def status_totals(measures) -> dict[str, int]:
    """Return {status value: count} of a measure queryset, zeros included, in one query."""
    return _totals_of(measures.aggregate(**_counts()))


def breakdown_of(measures) -> StatusBreakdown:
    """Return the breakdown of a measure queryset, in one aggregate query."""
    return StatusBreakdown.from_totals(status_totals(measures))


def category_breakdown(category: Category) -> StatusBreakdown:
    """Return the breakdown of one category's whole table (re-listings never count)."""
    return breakdown_of(Measure.objects.filter(category=category))


def category_breakdown_as_of(category: Category, day) -> StatusBreakdown:
    """Return the breakdown of one category's table at the end of ``day``, in one aggregate
    over the history."""
    return StatusBreakdown.from_totals(
        _totals_of(
            measure_history_as_of(day).filter(category_id=category.pk).aggregate(**_counts())
        )
    )


def period_breakdowns() -> list[tuple[PlanPeriod, StatusBreakdown]]:
    """Return each plan period with the breakdown of its measures' current status, in two
    queries (the periods, and one count per period and status over the measures' periods)."""
    counts = (
        Measure.periods.through.objects.order_by()
        .values("planperiod_id", "measure__status")
        .annotate(n=Count("*"))
    )
    by_period: dict[int, dict[str, int]] = {}
    for row in counts:
        by_period.setdefault(row["planperiod_id"], {})[row["measure__status"]] = row["n"]
    return [
        (p, StatusBreakdown.from_totals(by_period.get(p.pk, {})))
        for p in PlanPeriod.objects.order_by("number")
    ]


def category_status_totals_as_of(day) -> list[tuple[Category, dict[str, int]]]:
    """Return each category with its totals at the end of ``day``, from one aggregate over the
    history (plus the categories)."""
    counts = (
        measure_history_as_of(day).values("category_id", "status").annotate(n=Count("history_id"))
    )
    by_category: dict[int, dict[str, int]] = {}
    for row in counts:
        by_category.setdefault(row["category_id"], {})[row["status"]] = row["n"]
    return [(c, by_category.get(c.pk, {})) for c in Category.objects.order_by("order")]
