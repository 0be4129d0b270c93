"""Status totals (実施 / 一部着手 / 未着手): the product's core fact, computed here and only here
from the data, never stored."""

from dataclasses import dataclass

from django.db.models import Count, Q

from .charts import BarSegment, stacked_bar
from .models import Category, Status


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
    categories = Category.objects.order_by("order").annotate(
        **{
            f"total_{status.value}": Count("measures", filter=Q(measures__status=status))
            for status in Status
        }
    )
    return [
        (c, {status.value: getattr(c, f"total_{status.value}") for status in Status})
        for c in categories
    ]
