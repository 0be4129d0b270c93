"""The register as JSON (/api/v1/): plan, periods, categories, measures and their totals.

Thin endpoints over the same reads as the pages: the browser's FilterSet (``filters.py``), the
totals of ``selectors.status_overview`` (with ``history``'s as-of reconstruction), the measure
page's responsibility and progress selectors. Each endpoint runs a fixed number of queries.
"""

from datetime import date
from typing import Literal

from django.db.models import Case, F, IntegerField, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from governance.selectors import measure_responsibility
from morioka_ict.api.errors import ApiError
from morioka_ict.api.schemas import (
    ERRORS,
    CategoryRef,
    Out,
    StatusCode,
    StatusOut,
    category_ref,
    status_out,
)

from . import selectors
from .filters import MeasureFilter
from .history import NoHistoryBefore, first_history_date
from .models import Category, Measure, Plan, PlanPeriod, Relisting, Status
from .periods import format_periods
from .progress.api import ProgressEntryOut, progress_entry_out
from .progress.selectors import measure_progress

router = Router(tags=["施策"])

MAX_PAGE_SIZE = 100


class PeriodOut(Out):
    number: int = Field(description="番号（第一次 = 1）")
    name: str = Field(description="計画期間の名称（例: 第一次）")
    short_name: str = Field(description="略称（例: 一次）")


class CategoryOut(CategoryRef):
    short_name: str = Field(description="表の「区分」欄の名称（例: e-city）")
    order: int = Field(description="表示順")


class PlanOut(Out):
    name: str = Field(description="計画の名称")
    periods: list[PeriodOut] = Field(description="計画期間")
    categories: list[CategoryOut] = Field(description="区分")


def _period_out(period: PlanPeriod) -> dict:
    return {"number": period.number, "name": period.name, "short_name": period.short_name}


def _category_out(category: Category) -> dict:
    return {**category_ref(category), "short_name": category.short_name, "order": category.order}


@router.get("/plan", response={200: PlanOut, **ERRORS}, summary="計画（計画期間と区分を含む）")
def plan(request):
    plan = get_object_or_404(Plan.objects.order_by("pk")[:1])
    return {
        "name": plan.name,
        "periods": [_period_out(p) for p in PlanPeriod.objects.order_by("number")],
        "categories": [_category_out(c) for c in Category.objects.order_by("order")],
    }


@router.get("/periods", response={200: list[PeriodOut], **ERRORS}, summary="計画期間の一覧")
def periods(request):
    return [_period_out(p) for p in PlanPeriod.objects.order_by("number")]


@router.get("/categories", response={200: list[CategoryOut], **ERRORS}, summary="区分の一覧")
def categories(request):
    return [_category_out(c) for c in Category.objects.order_by("order")]


# --- measures -------------------------------------------------------------------------------

Ordering = Literal["plan", "-plan", "name", "-name", "status", "-status"]

_ORDERINGS = {
    "plan": ("row_order", "row_position"),
    "-plan": ("-row_order", "-row_position"),
    "name": ("row_name", "row_order", "row_position"),
    "-name": ("-row_name", "row_order", "row_position"),
    "status": ("row_status", "row_order", "row_position"),
    "-status": ("-row_status", "row_order", "row_position"),
}
_ROW_COLUMNS = ("row_kind", "row_measure", "row_relisting", "row_order", "row_position")
_STATUS_RANK = Case(
    *[When(status=s.value, then=Value(i)) for i, s in enumerate(Status)],
    default=Value(len(Status)),
    output_field=IntegerField(),
)


class MeasureListQuery(Schema):
    q: str | None = Field(
        None,
        max_length=1000,
        description="施策名: 空白で区切った語をすべて含む行（全角・半角、大文字・小文字の"
        "違いは無視。再掲の表記も対象。10 語まで）",
    )
    category: str | None = Field(
        None, description="区分のコード（例: e-city）。その区分の表に印刷される行"
    )
    status: StatusCode | None = Field(None, description="状況のコード")
    period: int | None = Field(None, ge=1, le=32767, description="計画期間の番号（例: 4 = 第四次）")
    relistings: bool = Field(False, description="再掲行も含める（true）")
    ordering: Ordering = Field(
        "plan",
        description="並べ順: plan（区分・表内の位置）, name（施策名）, status（状況）; "
        "先頭の - で逆順",
    )
    page: int = Field(1, ge=1, le=1_000_000, description="ページ番号（1 から）")
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="1 ページの行数（100 まで）")


class MeasureRowOut(Out):
    kind: Literal["measure", "relisting"] = Field(
        description="行の種類: measure（施策）または relisting（再掲行）"
    )
    measure_id: int = Field(description="施策の ID（/measures/{id} で詳細）")
    category: CategoryRef = Field(description="行が印刷される区分")
    position: int = Field(description="表内の位置")
    name: str = Field(description="施策名（再掲行は再掲時の表記）")
    status: StatusOut | None = Field(description="状況（再掲行は null: 数えない）")
    plan_periods: list[int] = Field(description="計画期間の番号（再掲行は空）")
    plan_periods_display: str = Field(description="計画期間（計画書の表記、例: 一次～三次）")
    relisted_in: list[str] = Field(description="再掲先の区分のコード（施策の行）")
    original_category: CategoryRef | None = Field(description="元の施策の区分（再掲行）")


class MeasurePageOut(Out):
    count: int = Field(description="条件に合う行の数")
    page: int = Field(description="ページ番号")
    page_size: int = Field(description="1 ページの行数")
    pages: int = Field(description="ページ数")
    results: list[MeasureRowOut] = Field(description="行")


def _filter_errors(form) -> list[str]:
    return [
        f"{form.fields[name].label if name in form.fields else name}: {message}"
        for name, messages in form.errors.items()
        for message in messages
    ]


def _row_query(measures, *, category: Category | None, with_relistings: bool):
    """Return (kind, measure pk, relisting pk, ...) rows of the filtered measures, as the
    browser builds them: a re-listing row belongs to the table it is re-listed in."""
    measure_rows = measures.filter(category=category) if category else measures
    rows = (
        measure_rows.order_by()
        .annotate(
            row_kind=Value(0),
            row_measure=F("pk"),
            row_relisting=Value(0),
            row_order=F("category__order"),
            row_position=F("position"),
            row_name=F("search_text"),
            row_status=_STATUS_RANK,
        )
        .values_list(*_ROW_COLUMNS, "row_name", "row_status")
    )
    if not with_relistings:
        return rows
    relistings = Relisting.objects.filter(measure__in=measures.values("pk"))
    if category:
        relistings = relistings.filter(category=category)
    relisting_rows = (
        relistings.order_by()
        .annotate(
            row_kind=Value(1),
            row_measure=F("measure_id"),
            row_relisting=F("pk"),
            row_order=F("category__order"),
            row_position=F("position"),
            row_name=F("search_text"),
            row_status=Value(len(Status)),
        )
        .values_list(*_ROW_COLUMNS, "row_name", "row_status")
    )
    return rows.union(relisting_rows, all=True)


def _page_rows(page: list[tuple]) -> list[dict]:
    """Return the page's rows as the API shows them, from plain values in five queries (model
    instances for a hundred rows cost more than the queries)."""
    measure_ids = {row[1] for row in page}
    all_categories = list(Category.objects.all())
    categories = {c.pk: category_ref(c) for c in all_categories}
    order = {c.pk: c.order for c in all_categories}
    periods = {p.pk: p for p in PlanPeriod.objects.all()}
    measures = {
        m["pk"]: m
        for m in Measure.objects.filter(pk__in=measure_ids).values(
            "pk", "name", "position", "status", "category_id"
        )
    }
    periods_of: dict[int, list[PlanPeriod]] = {pk: [] for pk in measure_ids}
    for measure_id, period_id in Measure.periods.through.objects.filter(
        measure_id__in=measure_ids
    ).values_list("measure_id", "planperiod_id"):
        periods_of[measure_id].append(periods[period_id])
    relisted_in: dict[int, list[tuple[int, int, str]]] = {pk: [] for pk in measure_ids}
    relistings = {}
    for relisting in Relisting.objects.filter(measure_id__in=measure_ids).values(
        "pk", "measure_id", "category_id", "position", "label"
    ):
        relistings[relisting["pk"]] = relisting
        code = categories[relisting["category_id"]]["code"]
        relisted_in[relisting["measure_id"]].append(
            (order[relisting["category_id"]], relisting["position"], code)
        )
    results = []
    for kind, measure_id, relisting_id, *_sort in page:
        measure = measures[measure_id]
        if kind == 1:
            relisting = relistings[relisting_id]
            results.append(
                {
                    "kind": "relisting",
                    "measure_id": measure_id,
                    "category": categories[relisting["category_id"]],
                    "position": relisting["position"],
                    "name": relisting["label"],
                    "status": None,
                    "plan_periods": [],
                    "plan_periods_display": "",
                    "relisted_in": [],
                    "original_category": categories[measure["category_id"]],
                }
            )
            continue
        measure_periods = periods_of[measure_id]
        results.append(
            {
                "kind": "measure",
                "measure_id": measure_id,
                "category": categories[measure["category_id"]],
                "position": measure["position"],
                "name": measure["name"],
                "status": status_out(measure["status"]),
                "plan_periods": sorted(p.number for p in measure_periods),
                "plan_periods_display": format_periods(measure_periods),
                "relisted_in": [code for *_key, code in sorted(relisted_in[measure_id])],
                "original_category": None,
            }
        )
    return results


@router.get(
    "/measures",
    response={200: MeasurePageOut, **ERRORS},
    summary="施策の一覧（施策一覧ページと同じ絞り込み）",
)
def measure_list(request, filters: Query[MeasureListQuery]):
    data = {
        "q": filters.q or "",
        "category": filters.category or "",
        "status": filters.status or "",
        "period": str(filters.period) if filters.period is not None else "",
        "relistings": "1" if filters.relistings else "",
    }
    filterset = MeasureFilter(data, queryset=Measure.objects.all())
    if not filterset.is_valid():
        raise ApiError(
            400,
            "invalid_filter",
            _("絞り込みの条件が正しくありません。"),
            _filter_errors(filterset.form),
        )
    rows = _row_query(
        filterset.qs,
        category=filterset.form.cleaned_data.get("category"),
        with_relistings=filters.relistings,
    )
    count = rows.count()
    pages = max(1, -(-count // filters.page_size))
    if filters.page > pages:
        raise ApiError(
            404,
            "page_not_found",
            _("%(page)d ページはありません（全 %(pages)d ページ）。")
            % {"page": filters.page, "pages": pages},
        )
    start = (filters.page - 1) * filters.page_size
    page = list(rows.order_by(*_ORDERINGS[filters.ordering])[start : start + filters.page_size])
    return {
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
        "pages": pages,
        "results": _page_rows(page),
    }


class RelistingOut(Out):
    category: CategoryRef = Field(description="再掲先の区分")
    position: int = Field(description="再掲先の表内の位置")
    label: str = Field(description="再掲時の表記")


class DivisionRef(Out):
    id: int = Field(description="課等の ID")
    name: str = Field(description="課等の名称")
    department: str = Field(description="部の名称")


class MeasureOut(Out):
    id: int = Field(description="施策の ID")
    name: str = Field(description="施策名")
    category: CategoryRef = Field(description="区分")
    position: int = Field(description="表内の位置")
    status: StatusOut = Field(description="状況")
    plan_periods: list[PeriodOut] = Field(description="計画期間")
    plan_periods_display: str = Field(description="計画期間（計画書の表記）")
    notes: str = Field(description="備考")
    relistings: list[RelistingOut] = Field(description="再掲先")
    responsible_division: DivisionRef | None = Field(description="担当課")
    cooperating_divisions: list[DivisionRef] = Field(description="協力課")
    progress: list[ProgressEntryOut] = Field(
        description="進捗の記録: 確定した進捗調査の承認済みの報告（新しい順）"
    )


def _division_ref(division) -> dict:
    return {"id": division.pk, "name": division.name, "department": division.department.name}


@router.get(
    "/measures/{measure_id}",
    response={200: MeasureOut, **ERRORS},
    summary="施策（再掲先・担当課・進捗の記録を含む）",
)
def measure_detail(request, measure_id: int):
    if not 1 <= measure_id <= 2**62:
        raise ApiError(404, "not_found", _("指定された施策は見つかりません。"))
    measure = get_object_or_404(Measure.objects.with_display_data(), pk=measure_id)
    responsibility = measure_responsibility(measure)
    progress = measure_progress(measure, request.user)
    periods = sorted(measure.periods.all(), key=lambda p: p.number)
    return {
        "id": measure.pk,
        "name": measure.name,
        "category": category_ref(measure.category),
        "position": measure.position,
        "status": status_out(measure.status),
        "plan_periods": [_period_out(p) for p in periods],
        "plan_periods_display": format_periods(periods),
        "notes": measure.notes,
        "relistings": [
            {"category": category_ref(r.category), "position": r.position, "label": r.label}
            for r in measure.relistings.all()
        ],
        "responsible_division": _division_ref(responsibility.division)
        if responsibility.division
        else None,
        "cooperating_divisions": [_division_ref(d) for d in responsibility.cooperating_divisions],
        "progress": [progress_entry_out(entry.report) for entry in progress.entries],
    }


# --- totals ---------------------------------------------------------------------------------


class StatusCountOut(StatusOut):
    count: int = Field(description="件数")
    share: float = Field(description="割合（%）")


class BreakdownOut(Out):
    implemented: int = Field(description="◎ 実施 の件数")
    partial: int = Field(description="○ 一部着手 の件数")
    not_started: int = Field(description="× 未着手 の件数")
    total: int = Field(description="合計（再掲は数えない）")
    statuses: list[StatusCountOut] = Field(description="状況ごとの件数と割合")


class CategoryTotalsOut(Out):
    category: CategoryRef = Field(description="区分")
    totals: BreakdownOut = Field(description="集計")


class TotalsOut(Out):
    as_of: date | None = Field(description="時点（その日の終わり）。null は現在")
    categories: list[CategoryTotalsOut] = Field(description="区分ごとの集計")
    overall: BreakdownOut = Field(description="全体の集計")


def _breakdown_out(breakdown) -> dict:
    counts = {c.status.value: c.count for c in breakdown.counts}
    return {
        **counts,
        "total": breakdown.total,
        "statuses": [
            {**status_out(c.status), "count": c.count, "share": round(c.share, 1)}
            for c in breakdown.counts
        ],
    }


class TotalsQuery(Schema):
    as_of: date | None = Field(
        None, description="時点（YYYY-MM-DD、その日の終わりの記録から集計）。省略で現在"
    )


@router.get("/totals", response={200: TotalsOut, **ERRORS}, summary="状況の集計（区分ごと・全体）")
def totals(request, query: Query[TotalsQuery]):
    as_of = query.as_of
    today = timezone.localdate()
    if as_of is not None and as_of > today:
        raise ApiError(
            400,
            "invalid_parameter",
            _("%(day)sは未来の日付です。今日（%(today)s）までの日付を指定してください。")
            % {"day": date_format(as_of), "today": date_format(today)},
        )
    try:
        overview = selectors.status_overview(as_of=as_of)
    except NoHistoryBefore:
        first = first_history_date()
        raise ApiError(
            404,
            "no_history_before",
            _("%(day)sの記録はありません。記録は %(first)s からです。")
            % {"day": date_format(as_of), "first": date_format(first) if first else "-"},
        ) from None
    return {
        "as_of": as_of,
        "categories": [
            {"category": category_ref(c.category), "totals": _breakdown_out(c.breakdown)}
            for c in overview.categories
        ],
        "overall": _breakdown_out(overview.overall),
    }
