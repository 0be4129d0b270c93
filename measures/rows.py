"""What a printed row of the plan's tables is: a measure, or a re-listing (再掲) of one; the
one row shape that pages, files and commands share."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from .history import HISTORY_PERIODS, end_of_day, latest_records, measure_history_as_of
from .models import Category, Measure, PlanPeriod, Relisting, Status
from .periods import format_periods
from .text import search_key


@dataclass(frozen=True)
class TableRow:
    """One printed row of a category's table: a measure, or a re-listing of one."""

    category: Category
    position: int
    measure: Measure
    relisting: Relisting | None = None

    @property
    def is_relisting(self) -> bool:
        return self.relisting is not None

    @property
    def label(self) -> str:
        return self.relisting.label if self.relisting else self.measure.name


def category_table_rows(category: Category | None = None) -> Iterator[TableRow]:
    """Yield the rows of one category's table (or of all, in plan order), in a fixed number of
    queries."""
    measures = Measure.objects.with_display_data().prefetch_related("relistings__category")
    relistings = Relisting.objects.select_related("category", "measure__category")
    categories = Category.objects.order_by("order")
    if category is not None:
        measures = measures.filter(category=category)
        relistings = relistings.filter(category=category)
        categories = categories.filter(pk=category.pk)
    originals = {
        m.pk: m
        for m in Measure.objects.with_display_data().filter(pk__in=relistings.values("measure"))
    }
    rows: dict[int, list[TableRow]] = {c.pk: [] for c in categories}
    by_pk = {c.pk: c for c in categories}
    for measure in measures:
        rows[measure.category_id].append(
            TableRow(by_pk[measure.category_id], measure.position, measure)
        )
    for relisting in relistings:
        rows[relisting.category_id].append(
            TableRow(
                by_pk[relisting.category_id],
                relisting.position,
                originals[relisting.measure_id],
                relisting,
            )
        )
    for c in categories:
        yield from sorted(rows[c.pk], key=lambda row: row.position)


@dataclass(frozen=True)
class SummaryRow:
    """A printed row of a category summary: a measure with its mark, or a 再掲 row without."""

    position: int
    label: str
    status: Status | None
    periods: str
    measure_pk: int | None
    is_relisting: bool = False
    original_category: Category | None = None


def category_summary_rows_as_of(category: Category, day: date) -> list[SummaryRow]:
    measures = list(
        measure_history_as_of(day).filter(category_id=category.pk).prefetch_related(HISTORY_PERIODS)
    )
    relistings = list(
        latest_records(Relisting.history.all(), end_of_day(day)).filter(category_id=category.pk)
    )
    periods_by_pk = {p.pk: p for p in PlanPeriod.objects.all()}
    categories = {c.pk: c for c in Category.objects.all()}
    existing = set(
        Measure.objects.filter(
            pk__in=[m.id for m in measures] + [r.measure_id for r in relistings]
        ).values_list("pk", flat=True)
    )
    originals = {
        m.id: m
        for m in measure_history_as_of(day).filter(id__in=[r.measure_id for r in relistings])
    }
    rows = [
        SummaryRow(
            position=m.position,
            label=m.name,
            status=Status(m.status),
            periods=format_periods(
                periods_by_pk[p.planperiod_id] for p in getattr(m, HISTORY_PERIODS).all()
            ),
            measure_pk=m.id if m.id in existing else None,
        )
        for m in measures
    ]
    for r in relistings:
        original = originals.get(r.measure_id)
        rows.append(
            SummaryRow(
                position=r.position,
                label=r.label,
                status=None,
                periods="",
                measure_pk=r.measure_id if r.measure_id in existing else None,
                is_relisting=True,
                original_category=categories.get(original.category_id) if original else None,
            )
        )
    return sorted(rows, key=lambda row: row.position)


@dataclass(frozen=True)
class BrowserRow(TableRow):
    """A row of the measure browser, with the sort keys of its columns."""

    @classmethod
    def of(cls, measure: Measure, relisting: Relisting | None = None) -> "BrowserRow":
        if relisting is None:
            return cls(measure.category, measure.position, measure)
        return cls(relisting.category, relisting.position, measure, relisting)

    @property
    def category_order(self) -> int:
        return self.category.order

    @property
    def name(self) -> str:
        return self.label

    @property
    def name_key(self) -> str:
        return search_key(self.name)

    @property
    def status(self) -> Status | None:
        return None if self.relisting else self.measure.status_choice

    @property
    def status_order(self) -> int:
        """Return the sort key of the status in Status order; re-listing rows sort last."""
        return list(Status).index(self.status) if self.status else len(Status)

    @property
    def periods(self) -> str:
        return "" if self.relisting else self.measure.periods_display

    @property
    def periods_key(self) -> tuple[int, ...]:
        if self.relisting:
            return (99,)
        return tuple(sorted(p.number for p in self.measure.periods.all()))

    @property
    def relisting_note(self) -> str:
        """Return where this row is re-listed, or which table it comes from."""
        if self.relisting:
            return str(self.measure.category.short_name)
        return "、".join(r.category.short_name for r in self.measure.relistings.all())


def browser_rows(measures, *, category: Category | None, with_relistings: bool) -> list[BrowserRow]:
    """Return the browser's rows for already filtered ``measures`` in plan order.

    ``category`` selects the table a row is printed in: a re-listing row belongs to the table
    it is re-listed in. A fixed number of queries (the measures with their display data).
    """
    rows = []
    for measure in measures.with_display_data():
        if category is None or measure.category_id == category.pk:
            rows.append(BrowserRow.of(measure))
        if with_relistings:
            rows.extend(
                BrowserRow.of(measure, r)
                for r in measure.relistings.all()
                if category is None or r.category_id == category.pk
            )
    rows.sort(key=lambda row: (row.category_order, row.position))
    return rows
