"""Reads that build page, file and command data from the register."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from morioka_ict import visibility

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
        return format_periods(numbers) or str(_("なし"))
    if field == "responsible_division":
        return str(record.responsible_division or _("なし"))
    if field == "cooperating_divisions":
        rows = record.cooperating_divisions.select_related("division__department")
        return str(_("、")).join(sorted(str(row.division) for row in rows)) or str(_("なし"))
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


# --- Dashboard pages -------------------------------------------------------------------------


# The reverse name of a history record's periods, which (unlike its ``periods`` helper) can be
# prefetched.
_HISTORY_PERIODS = "historicalmeasure_periods_set"


class NoHistoryBefore(Exception):
    """The register has no record as early as the date asked for."""


@dataclass(frozen=True)
class StatusCount:
    status: Status
    count: int
    share: float  # percent of the total, 0 when the total is 0

    @property
    def share_text(self) -> str:
        return f"{self.share:.1f}%"


@dataclass(frozen=True)
class BarSegment:
    """One coloured part of a stacked bar, in percent of its width (SVG user units)."""

    status: Status
    x: float
    width: float

    @property
    def fill(self) -> str:
        return f"#{self.status.colour}"


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
        segments, x = [], 0.0
        for c in self.counts:
            if c.count:
                segments.append(BarSegment(c.status, round(x, 3), round(c.share, 3)))
                x += c.share
        return segments


@dataclass(frozen=True)
class CategoryBreakdown:
    category: Category
    breakdown: StatusBreakdown


@dataclass(frozen=True)
class Overview:
    categories: list[CategoryBreakdown]
    overall: StatusBreakdown


def end_of_day(day: date) -> datetime:
    """Return the last moment of ``day`` in the site's time zone (Asia/Tokyo)."""
    return timezone.make_aware(datetime.combine(day, time.max), timezone.get_default_timezone())


def _latest_records(history, moment: datetime):
    """Return the last history record of each row at ``moment``, deletions dropped.

    Like simple-history's ``as_of``, but ties on history_date (possible when a caller sets
    ``_history_date``) go to the later record, so that no row is ever counted twice.
    """
    records = history.filter(history_date__lte=moment)
    later = records.filter(id=OuterRef("id")).filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id"))
    )
    return records.filter(~Exists(later)).exclude(history_type="-").order_by()


def _measure_history_as_of(day: date):
    """Return the latest history record of each measure that existed at the end of ``day``.

    Raise NoHistoryBefore when the history starts after that day, so that an empty register
    is never passed off as a past state.
    """
    moment = end_of_day(day)
    if not Measure.history.filter(history_date__lte=moment).exists():
        raise NoHistoryBefore(day)
    return _latest_records(Measure.history.all(), moment)


def status_overview(*, as_of: date | None = None) -> Overview:
    """Return the totals of each category and overall, now or at the end of ``as_of``.

    A fixed number of queries: categories with counts (now), or categories plus one
    aggregate over the history (as of a date).
    """
    if as_of is None:
        per_category = category_status_totals()
    else:
        counts = (
            _measure_history_as_of(as_of)
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
        rows = _category_summary_rows_as_of(category, as_of)
    totals: dict[str, int] = {}
    for row in rows:
        if row.status is not None:
            totals[row.status.value] = totals.get(row.status.value, 0) + 1
    return rows, StatusBreakdown.from_totals(totals)


def _category_summary_rows_as_of(category: Category, day: date) -> list[SummaryRow]:
    measures = list(
        _measure_history_as_of(day)
        .filter(category_id=category.pk)
        .prefetch_related(_HISTORY_PERIODS)
    )
    relistings = list(
        _latest_records(Relisting.history.all(), end_of_day(day)).filter(category_id=category.pk)
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
        for m in _measure_history_as_of(day).filter(id__in=[r.measure_id for r in relistings])
    }
    rows = [
        SummaryRow(
            position=m.position,
            label=m.name,
            status=Status(m.status),
            periods=format_periods(
                periods_by_pk[p.planperiod_id] for p in getattr(m, _HISTORY_PERIODS).all()
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


def first_history_date() -> date | None:
    """Return the local date of the register's first recorded change, if any."""
    first = Measure.history.order_by("history_date").values_list("history_date", flat=True)[:1]
    return timezone.localdate(first[0]) if first else None


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


_HISTORY_KINDS = {"+": _("登録"), "~": _("変更"), "-": _("削除")}
# The reverse name of a history record's cooperating divisions (see _HISTORY_PERIODS).
_HISTORY_COOPERATING = "historicalmeasure_cooperating_divisions_set"


def _division_text(divisions_by_pk: dict, pk: int | None) -> str:
    if pk is None:
        return str(_("なし"))
    division = divisions_by_pk.get(pk)
    return str(division) if division else str(_("（削除された課等）"))


def measure_history(measure: Measure, *, viewer) -> list[dict]:
    """Return the measure's history entries, newest first, with the values at each entry and
    which of them changed from the entry before; queries do not grow with the entries.

    Who made each change and why are shown as ``viewer`` may see them
    (``morioka_ict.visibility``); the history rows themselves are not handed out, so a page
    cannot show more than this.
    """
    periods_by_pk = {p.pk: p for p in PlanPeriod.objects.all()}
    categories = {c.pk: c for c in Category.objects.all()}
    records = list(
        measure.history.select_related("history_user")
        .prefetch_related(_HISTORY_PERIODS, _HISTORY_COOPERATING)
        .order_by("history_date", "history_id")
    )
    division_ids = {r.responsible_division_id for r in records} | {
        row.division_id for r in records for row in getattr(r, _HISTORY_COOPERATING).all()
    }
    division_model = Measure._meta.get_field("responsible_division").related_model
    divisions = division_model.objects.select_related("department").in_bulk(division_ids - {None})
    entries, previous = [], None
    for record in records:
        cooperating = sorted(
            _division_text(divisions, row.division_id)
            for row in getattr(record, _HISTORY_COOPERATING).all()
        )
        values = {
            "name": record.name,
            "category": categories.get(record.category_id),
            "status": Status(record.status),
            "periods": format_periods(
                periods_by_pk[p.planperiod_id] for p in getattr(record, _HISTORY_PERIODS).all()
            ),
            "position": record.position,
            "responsible_division": _division_text(divisions, record.responsible_division_id),
            "cooperating_divisions": str(_("、")).join(cooperating) or str(_("なし")),
            "notes": record.notes,
        }
        changed = (
            set(values)
            if previous is None
            else {key for key, value in values.items() if previous[key] != value}
        )
        user = record.history_username or (
            record.history_user.get_username() if record.history_user else ""
        )
        entries.append(
            {
                "date": record.history_date,
                "values": values,
                "changed": changed,
                "user": visibility.person_name(user, viewer),
                "reason": visibility.change_reason(record.history_change_reason or "", viewer),
                "kind": _HISTORY_KINDS.get(record.history_type, record.history_type),
            }
        )
        previous = values
    entries.reverse()
    return entries
