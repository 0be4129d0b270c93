"""What a printed row of the plan's tables is: a measure, or a re-listing (再掲) of one; the
one row shape that pages, files and commands share."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Collate, Concat
from django.db.models.query import EmptyQuerySet

from .history import HISTORY_PERIODS, end_of_day, latest_records, measure_history_as_of
from .models import Category, Measure, PlanPeriod, Relisting, Status
from .periods import format_periods
from .text import search_key


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


class AsOfRows:
    """The rows of a category's table as it stood at the end of ``day``, rebuilt from the
    history by the database, which orders them by position and pages them; a page fetches
    only its own rows' periods and links (a fixed number of queries).

    Quacks like a QuerySet for the Paginator (``count``, slicing). ``measure_count`` is the
    number of measures in the table then, when the caller has already counted them (the
    table's breakdown does), which saves counting the history twice.
    """

    def __init__(self, category: Category, day: date, *, measure_count: int | None = None):
        self.category = category
        self.moment = end_of_day(day)
        self.measures = measure_history_as_of(day).filter(category_id=category.pk)
        self.relistings = latest_records(Relisting.history.all(), self.moment).filter(
            category_id=category.pk
        )
        self.measure_count = measure_count

    def count(self) -> int:
        measures = self.measures.count() if self.measure_count is None else self.measure_count
        return measures + self.relistings.count()

    def __len__(self) -> int:
        return self.count()

    def _values(self, first: int | None = None):
        """Return the rows' values in table order; with ``first``, where the database allows
        it, each kind of row is walked in position order (the history's index on category,
        position) and cut there before the two are merged, so a page reads only its rows."""
        columns = ("r_measure", "position", "r_label", "r_status", "is_relisting", "history_id")
        measures = self.measures.annotate(
            r_measure=F("id"),
            r_label=F("name"),
            r_status=F("status"),
            is_relisting=Value(False, output_field=BooleanField()),
        ).values(*columns)
        relistings = self.relistings.annotate(
            r_measure=F("measure_id"),
            r_label=F("label"),
            r_status=Value("", output_field=CharField()),
            is_relisting=Value(True, output_field=BooleanField()),
        ).values(*columns)
        if first and connection.features.supports_slicing_ordering_in_compound:
            measures = measures.order_by("position", "history_id")[:first]
            relistings = relistings.order_by("position", "history_id")[:first]
        return measures.union(relistings, all=True).order_by(
            "position", "is_relisting", "history_id"
        )

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        return self._build(list(self._values(key.stop)[key]))

    def _build(self, values) -> list[SummaryRow]:
        measure_records = [v["history_id"] for v in values if not v["is_relisting"]]
        periods_by_pk = {p.pk: p for p in PlanPeriod.objects.all()}
        categories = {c.pk: c for c in Category.objects.all()}
        in_periods: dict[int, list[PlanPeriod]] = {}
        history_periods = getattr(Measure.history.model, HISTORY_PERIODS).rel.related_model
        for history_id, period_pk in history_periods.objects.filter(
            history_id__in=measure_records
        ).values_list("history_id", "planperiod_id"):
            in_periods.setdefault(history_id, []).append(periods_by_pk[period_pk])
        existing = set(
            Measure.objects.filter(pk__in={v["r_measure"] for v in values})
            .order_by()
            .values_list("pk", flat=True)
        )
        # Each re-listed measure's own table then: its latest record up to the moment (a few
        # records per measure, read newest first), none if that record is its deletion.
        original_category: dict[int, int | None] = {}
        for measure_pk, category_pk, kind in (
            Measure.history.filter(
                id__in=[v["r_measure"] for v in values if v["is_relisting"]],
                history_date__lte=self.moment,
            )
            .order_by("id", "-history_date", "-history_id")
            .values_list("id", "category_id", "history_type")
        ):
            original_category.setdefault(measure_pk, None if kind == "-" else category_pk)
        rows = []
        for v in values:
            measure_pk = v["r_measure"] if v["r_measure"] in existing else None
            if v["is_relisting"]:
                rows.append(
                    SummaryRow(
                        position=v["position"],
                        label=v["r_label"],
                        status=None,
                        periods="",
                        measure_pk=measure_pk,
                        is_relisting=True,
                        original_category=categories.get(original_category.get(v["r_measure"])),
                    )
                )
            else:
                rows.append(
                    SummaryRow(
                        position=v["position"],
                        label=v["r_label"],
                        status=Status(v["r_status"]),
                        periods=format_periods(in_periods.get(v["history_id"], [])),
                        measure_pk=measure_pk,
                    )
                )
        return rows


# --- the one row model, built by the database ------------------------------------------------


@dataclass(frozen=True)
class Row:
    """What every table, page and file shows of one printed row: a measure, or a re-listing
    (再掲) of one in another category's table (no status, no periods, never counted)."""

    category: Category  # the table the row is printed in
    position: int
    name: str  # as printed: the measure's name, or the re-listing's label
    status: Status | None
    period_numbers: tuple[int, ...]
    periods: str
    measure_pk: int
    relisting_pk: int | None = None
    version: int = 0
    # A measure: the short names of the tables it is re-listed in. A re-listing: empty.
    relisted_in: tuple[str, ...] = ()
    # A re-listing: the measure's own table and position there.
    original_category: Category | None = None
    original_position: int | None = None

    @property
    def is_relisting(self) -> bool:
        return self.relisting_pk is not None

    @property
    def label(self) -> str:
        return self.name

    @property
    def category_order(self) -> int:
        return self.category.order

    @property
    def name_key(self) -> str:
        return search_key(self.name)

    @property
    def status_order(self) -> int:
        """Return the sort key of the status in Status order; re-listing rows sort last."""
        return list(Status).index(self.status) if self.status else len(Status)

    @property
    def periods_key(self) -> tuple[int, ...]:
        return (RELISTING_PERIODS_KEY,) if self.is_relisting else self.period_numbers

    @property
    def relisting_note(self) -> str:
        """Return where this row is re-listed, or which table it comes from."""
        if self.is_relisting:
            return str(self.original_category.short_name) if self.original_category else ""
        return "、".join(self.relisted_in)


# A re-listing row sorts after every measure by plan period, as if in period 99.
RELISTING_PERIODS_KEY = 99
# The columns of the rows query; the names that order it are the sort keys below.
_COLUMNS = (
    "r_measure",
    "r_relisting",
    "r_category",
    "category_order",
    "r_position",
    "r_name",
    "name_key",
    "r_status",
    "status_order",
    "is_relisting",
    "r_version",
    "r_home",
    "r_home_position",
    "periods_key",
)
SORT_KEYS = frozenset(
    {"category_order", "r_position", "name_key", "status_order", "periods_key", "is_relisting"}
)
PLAN_ORDER = ("category_order", "r_position", "is_relisting")


def _name_key(field_name: str):
    """Order names by code point, as Python compares the search keys (PostgreSQL's default
    collation would ignore width and punctuation differently)."""
    if connection.vendor == "postgresql":
        return Collate(F(field_name), "C")
    return F(field_name)


def _periods_key(periods: list[PlanPeriod]):
    """Return the periods a measure runs in as sortable text, two digits each ("0104"
    sorts as (1, 4) does: after "010203", before "02")."""
    through = Measure.periods.through
    parts = [
        Case(
            When(
                Exists(through.objects.filter(measure_id=OuterRef("pk"), planperiod_id=p.pk)),
                then=Value(f"{p.number:02d}"),
            ),
            default=Value(""),
            output_field=CharField(),
        )
        for p in sorted(periods, key=lambda p: p.number)
    ]
    return Concat(Value(""), Value(""), *parts, output_field=CharField())


def in_period(period: PlanPeriod, measure: str = "pk") -> Exists:
    """Whether the measure (``measure`` names its pk in the outer query) runs in ``period``."""
    return Exists(
        Measure.periods.through.objects.filter(
            measure_id=OuterRef(measure), planperiod_id=period.pk
        )
    )


def times_relisted(category: Category) -> Count:
    """How many times the measure is re-listed in ``category``'s table: an aggregate over one
    join to the re-listings (distinct, so that other joins cannot inflate it), which the
    database answers in one pass rather than a look-up per measure."""
    return Count("relistings", filter=Q(relistings__category_id=category.pk), distinct=True)


# The columns of ``RowQuery.flat``: those of the rows query (a union is ordered by the columns
# it selects), then one flag per plan period (in period order) and one count per category (in
# table order): how often the measure is re-listed there.
FLAT_COLUMNS = _COLUMNS


@dataclass
class RowQuery:
    """The rows of the plan's tables as one database query: measures UNION ALL re-listings,
    projected to the same columns, so that the database filters, sorts and pages them and a
    page fetches only its own rows.

    Quacks like a QuerySet for django-tables2 and the Paginator (``count``, ``order_by``,
    slicing); iterating streams the rows in chunks (``iterator``), a few queries per chunk.
    """

    measures: QuerySet | None = None  # filtered measures; None for every measure
    category: Category | None = None  # only the rows printed in this table
    with_relistings: bool = True
    ordering: tuple[str, ...] = PLAN_ORDER
    model = Measure  # django-tables2 reads verbose names from it
    _lookups: dict = field(default_factory=dict, repr=False, compare=False)

    def order_by(self, *keys: str) -> "RowQuery":
        """Return the rows ordered by ``keys`` (sort keys, "-" for descending), plan order
        breaking ties."""
        keys = tuple(k for k in keys if k.lstrip("-") in SORT_KEYS)
        bare = {k.lstrip("-") for k in keys}
        keys += tuple(k for k in PLAN_ORDER if k not in bare)
        return RowQuery(self.measures, self.category, self.with_relistings, keys, self._lookups)

    def _categories(self) -> dict[int, Category]:
        if "categories" not in self._lookups:
            self._lookups["categories"] = {c.pk: c for c in Category.objects.all()}
        return self._lookups["categories"]

    def _periods(self) -> dict[int, PlanPeriod]:
        if "periods" not in self._lookups:
            self._lookups["periods"] = {p.pk: p for p in PlanPeriod.objects.all()}
        return self._lookups["periods"]

    def _measure_rows(self) -> QuerySet:
        measures = (
            self.measures if self.measures is not None else Measure.objects.all()
        ).order_by()
        if self.category is not None:
            measures = measures.filter(category=self.category)
        return measures

    def _relisting_rows(self) -> QuerySet:
        relistings = Relisting.objects.order_by()
        if self.measures is not None:
            relistings = relistings.filter(measure__in=self.measures.order_by().values("pk"))
        if self.category is not None:
            relistings = relistings.filter(category=self.category)
        return relistings

    def _category_order(self, field_name: str) -> Case:
        """Return the order of the category in ``field_name`` as a value of the row itself, so
        that sorting needs no join with the categories (there are a handful)."""
        return Case(
            *(
                When(**{field_name: pk}, then=Value(c.order))
                for pk, c in self._categories().items()
            ),
            default=Value(0),
            output_field=IntegerField(),
        )

    def queryset(self, *, flat: bool = False, first: int | None = None) -> QuerySet:
        """Return the ordered query of row values (dicts keyed by ``_COLUMNS``; with ``flat``,
        tuples as ``flat`` yields them).

        ``first``: only the first rows up to this one will be read (a page). In plan order,
        where the database allows it, each table's measures and re-listings are then read
        in position order and cut at ``first`` before they are merged, so that a page walks
        the (category, position) indexes for its rows instead of sorting the whole register.
        """
        extra, relisting_extra = self._flat_extra() if flat else ({}, {})
        columns = (*_COLUMNS, *extra)
        sorts_by_periods = any(k.lstrip("-") == "periods_key" for k in self.ordering)
        periods_key = (
            _periods_key(list(self._periods().values())) if sorts_by_periods else Value("")
        )
        status_order = Case(
            *(When(status=s.value, then=Value(i)) for i, s in enumerate(Status)),
            default=Value(len(Status)),
            output_field=IntegerField(),
        )
        query = self._measure_rows().annotate(
            r_measure=F("pk"),
            # Typed, so that a union of measure rows alone keeps the column an integer.
            r_relisting=Cast(Value(None), IntegerField()),
            r_category=F("category_id"),
            category_order=self._category_order("category_id"),
            r_position=F("position"),
            r_name=F("name"),
            name_key=_name_key("search_text"),
            r_status=F("status"),
            status_order=status_order,
            is_relisting=Value(False, output_field=BooleanField()),
            r_version=F("version"),
            r_home=F("category_id"),
            r_home_position=F("position"),
            periods_key=periods_key,
            **extra,
        )
        query = query.values_list(*columns) if flat else query.values(*columns)
        if self.with_relistings:
            relisting_rows = self._relisting_rows().annotate(
                r_measure=F("measure_id"),
                r_relisting=F("pk"),
                r_category=F("category_id"),
                category_order=self._category_order("category_id"),
                r_position=F("position"),
                r_name=F("label"),
                name_key=_name_key("search_text"),
                r_status=Value("", output_field=CharField()),
                status_order=Value(len(Status), output_field=IntegerField()),
                is_relisting=Value(True, output_field=BooleanField()),
                r_version=Value(0, output_field=IntegerField()),
                r_home=F("measure__category_id"),
                r_home_position=F("measure__position"),
                periods_key=Value(f"{RELISTING_PERIODS_KEY:02d}", output_field=CharField()),
                **relisting_extra,
            )
            relisting_rows = (
                relisting_rows.values_list(*columns) if flat else relisting_rows.values(*columns)
            )
        else:
            relisting_rows = None
        if first and self._cut_per_table():  # (a slice [0:0] needs no cut)
            return self._first_per_table(query, relisting_rows, first)
        if relisting_rows is not None:
            query = query.union(relisting_rows, all=True)
        return query.order_by(*self.ordering)

    def _cut_per_table(self) -> bool:
        return (
            self.ordering == PLAN_ORDER
            and connection.features.supports_slicing_ordering_in_compound
        )

    def _first_per_table(self, measures, relistings, first: int) -> QuerySet:
        """Return the union of each table's first ``first`` measures and re-listings by
        position: in plan order no later row of a table can come before them."""
        tables = [self.category.pk] if self.category else sorted(self._categories())
        parts = [measures.filter(category_id=pk).order_by("position") for pk in tables]
        if relistings is not None:
            parts += [relistings.filter(category_id=pk).order_by("position", "pk") for pk in tables]
        parts = [part for part in parts if not isinstance(part, EmptyQuerySet)]
        if len(parts) <= 1:  # rows of one table at most: position order is plan order
            return parts[0] if parts else measures
        cut = parts[0][:first].union(*(part[:first] for part in parts[1:]), all=True)
        return cut.order_by(*self.ordering)

    def _flat_extra(self) -> tuple[dict, dict]:
        """Return the extra columns of a measure and of a re-listing row for ``flat``."""
        periods, categories = self.flat_periods(), self.flat_categories()
        measure = {f"in_period_{p.pk}": in_period(p) for p in periods}
        measure |= {f"relisted_{c.pk}": times_relisted(c) for c in categories}
        relisting = {f"in_period_{p.pk}": Value(False) for p in periods}
        relisting |= {f"relisted_{c.pk}": Value(0) for c in categories}
        return measure, relisting

    def flat(self, chunk_size: int = 2_000) -> Iterator[tuple]:
        """Yield every row as a plain tuple from a server-side cursor, in one query and without
        building ``Row``s (for files of every row): the ``FLAT_COLUMNS``, then whether the
        measure runs in each plan period and how often it is re-listed in each table
        (``flat_periods`` and ``flat_categories`` give their order)."""
        return self.queryset(flat=True).iterator(chunk_size=chunk_size)

    def flat_periods(self) -> list[PlanPeriod]:
        return sorted(self._periods().values(), key=lambda p: p.number)

    def flat_categories(self) -> list[Category]:
        return sorted(self._categories().values(), key=lambda c: c.order)

    def count(self) -> int:
        """Return the number of rows, counted without building them (one query)."""
        if not self.with_relistings:
            return self._measure_rows().count()
        return (
            self._measure_rows()
            .values("pk")
            .union(self._relisting_rows().values("pk"), all=True)
            .count()
        )

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if isinstance(key, slice):
            return self.build(list(self.queryset(first=key.stop)[key]))
        return self.build([self.queryset(first=key + 1)[key]])[0]

    def __iter__(self) -> Iterator[Row]:
        return self.iterator()

    def iterator(self, chunk_size: int = 2_000) -> Iterator[Row]:
        """Yield every row from a server-side cursor, completing them a chunk at a time."""
        values = self.queryset().iterator(chunk_size=chunk_size)
        while chunk := list(islice(values, chunk_size)):
            yield from self.build(chunk)

    def build(self, values) -> list[Row]:
        """Return ``Row``s for row values: two queries add the measures' periods and the
        tables they are re-listed in."""
        categories, periods = self._categories(), self._periods()
        pks = [v["r_measure"] for v in values if not v["is_relisting"]]
        in_periods: dict[int, list[PlanPeriod]] = {}
        relisted_in: dict[int, list[str]] = {}
        if pks:
            for measure_pk, period_pk in Measure.periods.through.objects.filter(
                measure_id__in=pks
            ).values_list("measure_id", "planperiod_id"):
                in_periods.setdefault(measure_pk, []).append(periods[period_pk])
            for measure_pk, category_pk in (
                Relisting.objects.filter(measure_id__in=pks)
                .order_by("category__order", "position")
                .values_list("measure_id", "category_id")
            ):
                relisted_in.setdefault(measure_pk, []).append(categories[category_pk].short_name)
        rows = []
        for v in values:
            if v["is_relisting"]:
                rows.append(
                    Row(
                        category=categories[v["r_category"]],
                        position=v["r_position"],
                        name=v["r_name"],
                        status=None,
                        period_numbers=(),
                        periods="",
                        measure_pk=v["r_measure"],
                        relisting_pk=v["r_relisting"],
                        original_category=categories.get(v["r_home"]),
                        original_position=v["r_home_position"],
                    )
                )
                continue
            own = in_periods.get(v["r_measure"], [])
            rows.append(
                Row(
                    category=categories[v["r_category"]],
                    position=v["r_position"],
                    name=v["r_name"],
                    status=Status(v["r_status"]),
                    period_numbers=tuple(sorted(p.number for p in own)),
                    periods=format_periods(own),
                    measure_pk=v["r_measure"],
                    version=v["r_version"],
                    relisted_in=tuple(relisted_in.get(v["r_measure"], ())),
                )
            )
        return rows


def table_rows(category: Category | None = None) -> RowQuery:
    """Return the rows of one category's table (or of every table), in plan order."""
    return RowQuery(category=category)


def browser_rows(measures, *, category: Category | None, with_relistings: bool) -> RowQuery:
    """Return the browser's rows for already filtered ``measures``, in plan order.

    ``category`` selects the table a row is printed in: a re-listing row belongs to the table
    it is re-listed in.
    """
    return RowQuery(measures, category, with_relistings)


# Kept for callers of the former names: the rows are ``Row``s now (``measure_pk``,
# ``relisting_pk`` and ``original_category`` instead of ``measure`` and ``relisting`` objects).
TableRow = Row


def category_table_rows(category: Category | None = None) -> Iterator[Row]:
    """Yield the rows of one category's table (or of all, in plan order)."""
    return table_rows(category).iterator()
