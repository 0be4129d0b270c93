"""Reads that build page, file and command data from the register."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Q

from .models import Category, Measure, PlanPeriod, Relisting, Status
from .periods import format_periods


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


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


def _history_value(record, field: str, periods_by_pk: dict[int, str]) -> str:
    if field == "status":
        return str(Status(record.status).label)
    if field == "category":
        return str(record.category)
    if field == "periods":
        numbers = sorted(
            (periods_by_pk[row.planperiod_id] for row in record.periods.all()),
            key=lambda p: p.number,
        )
        return format_periods(numbers) or "なし"
    if field == "responsible_division":
        return str(record.responsible_division or "なし")
    if field == "cooperating_divisions":
        rows = record.cooperating_divisions.select_related("division__department")
        return "、".join(sorted(str(row.division) for row in rows)) or "なし"
    return str(getattr(record, field) or "")


def measure_changes_since(measure: Measure, version: int) -> tuple[object, list[FieldChange]]:
    """Return the latest history entry and what changed in the measure after ``version``.

    Used to tell an editor whose form is out of date what someone else saved meanwhile.
    """
    latest = measure.history.select_related("history_user").first()
    seen = measure.history.filter(version=version).first()
    if latest is None or seen is None:
        return latest, []
    periods_by_pk = {p.pk: p for p in PlanPeriod.objects.all()}
    delta = latest.diff_against(seen, excluded_fields=["version"])
    changes = [
        FieldChange(
            label=str(Measure._meta.get_field(change.field).verbose_name),
            old=_history_value(seen, change.field, periods_by_pk),
            new=_history_value(latest, change.field, periods_by_pk),
        )
        for change in delta.changes
    ]
    return latest, changes
