"""Reads that build the progress pages, the 未提出 download and the reminders, each in a fixed
number of queries however many measures and reports there are."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from governance.models import Division, PromotionLeader
from measures.models import Category, Measure, Status
from measures.totals import StatusBreakdown

from . import permissions
from .models import ProgressReport, ProgressRound, ReportState, RoundState
from .services import OUTSTANDING_STATES

_REPORT_RELATED = (
    "measure__category",
    "measure__responsible_division__department",
)


def previous_confirmed_round(progress_round: ProgressRound) -> ProgressRound | None:
    """Return the confirmed round before ``progress_round``: the latest by 基準日 before it,
    else the baseline (the plan itself)."""
    earlier = Q(reference_date__lt=progress_round.reference_date) | Q(
        reference_date=progress_round.reference_date, pk__lt=progress_round.pk
    )
    return (
        ProgressRound.objects.filter(state=RoundState.CONFIRMED)
        .exclude(pk=progress_round.pk)
        .filter(Q(is_baseline=True) | (Q(is_baseline=False) & earlier))
        .order_by("is_baseline", "-reference_date", "-pk")
        .first()
    )


def previous_answers(
    progress_round: ProgressRound, measure_pks=None
) -> tuple[ProgressRound | None, dict[int, ProgressReport]]:
    """Return the previous confirmed round and its approved answers by measure pk."""
    previous = previous_confirmed_round(progress_round)
    if previous is None:
        return None, {}
    reports = previous.reports.filter(state=ReportState.APPROVED)
    if measure_pks is not None:
        reports = reports.filter(measure_id__in=measure_pks)
    return previous, {r.measure_id: r for r in reports}


_COMPARED = ("status", "progress_percent", "activities", "issues", "next_steps", "links")


def repeats_answer(report: ProgressReport, previous: ProgressReport | None) -> bool:
    """Whether ``report`` gives the same answer as ``previous``: same status and 進捗率, and
    no new text (what the form prefilled, submitted unchanged)."""
    if previous is None:
        return False
    return all(
        (getattr(report, name) or "") == (getattr(previous, name) or "") for name in _COMPARED
    )


def repeats_previous_answer(previous_round: ProgressRound | None):
    """Return ``repeats_answer`` against ``previous_round`` as a condition on the reports of
    a query (an ``Exists``; ``Value(False)`` without a previous round), so that a page or a
    count needs no answer texts in Python. 進捗率 0 and none are alike, as in
    ``repeats_answer``; the texts and the status are never null."""
    if previous_round is None:
        return Value(False, output_field=BooleanField())
    same = (
        previous_round.reports.filter(
            measure_id=OuterRef("measure_id"),
            state=ReportState.APPROVED,
            **{name: OuterRef(name) for name in _COMPARED if name != "progress_percent"},
        )
        .alias(percent=Coalesce("progress_percent", 0))
        .filter(percent=Coalesce(OuterRef("progress_percent"), 0))
        .order_by()
    )
    return Exists(same)


def unchanged_submitted_report_pks(progress_round: ProgressRound) -> list[int]:
    """Return the submitted reports of the round that repeat the previous confirmed answer."""
    repeats = repeats_previous_answer(previous_confirmed_round(progress_round))
    return list(
        progress_round.reports.filter(repeats, state=ReportState.SUBMITTED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def is_overdue(progress_round: ProgressRound, report: ProgressReport, today: datetime.date):
    """Whether the division owes ``report`` after the round's 締切."""
    return (
        progress_round.state in {RoundState.OPEN, RoundState.CLOSED}
        and today > progress_round.closes_on
        and report.state in OUTSTANDING_STATES
    )


# --- 私の報告 ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyReportRow:
    report: ProgressReport
    overdue: bool


@dataclass(frozen=True)
class MyReports:
    """The reports a user writes in the open round, with what to say when there are none."""

    open_round: ProgressRound | None
    next_round: ProgressRound | None
    divisions: list[Division]
    rows: list[MyReportRow]  # the shown page
    days_left: int | None
    may_manage: bool
    outstanding: int = 0  # over every page
    page: Page | None = None

    @property
    def overdue(self) -> bool:
        return bool(self.outstanding) and self.days_left is not None and self.days_left < 0


# 情報企画課 may write hundreds of reports (every measure without a 担当課): the list is paged.
MY_REPORTS_PER_PAGE = 100


def my_reports(user, *, today: datetime.date | None = None, page=None) -> MyReports:
    """Return the open round's reports ``user`` writes: their divisions' measures (and, for
    情報企画課, those without a 担当課), outstanding ones first, one page of them."""
    today = today or timezone.localdate()
    division_ids = permissions.reporting_division_ids(user)
    divisions = list(Division.objects.filter(pk__in=division_ids).select_related("department"))
    open_round = ProgressRound.objects.open().first()
    next_round = None
    rows: list[MyReportRow] = []
    shown = None
    outstanding = 0
    if open_round is None:
        next_round = (
            ProgressRound.objects.filter(state=RoundState.PREPARING)
            .order_by("opens_on", "pk")
            .first()
        )
    else:
        reports = open_round.reports.filter(permissions.writable_reports(user))
        outstanding = reports.filter(state__in=OUTSTANDING_STATES).count()
        ordered = (
            reports.select_related(*_REPORT_RELATED)
            .annotate(state_rank=_STATE_RANK)
            .order_by("state_rank", "measure__category__order", "measure__position", "pk")
        )
        shown = Paginator(ordered, MY_REPORTS_PER_PAGE).get_page(page)
        rows = [MyReportRow(r, is_overdue(open_round, r, today)) for r in shown.object_list]
    days_left = (open_round.closes_on - today).days if open_round else None
    return MyReports(
        open_round=open_round,
        next_round=next_round,
        divisions=divisions,
        rows=rows,
        days_left=days_left,
        may_manage=permissions.may_manage_progress(user),
        outstanding=outstanding,
        page=shown,
    )


# Outstanding first (what needs doing), settled last.
_STATE_ORDER = (
    ReportState.RETURNED,
    ReportState.NOT_SUBMITTED,
    ReportState.DRAFT,
    ReportState.SUBMITTED,
    ReportState.APPROVED,
)
_STATE_RANK = Case(
    *(When(state=state, then=Value(rank)) for rank, state in enumerate(_STATE_ORDER)),
    default=Value(len(_STATE_ORDER)),
)


# --- A report's page --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportHistoryEntry:
    when: datetime.datetime
    user: str
    state: ReportState
    status: Status | None
    reason: str


@dataclass(frozen=True)
class ReportPage:
    report: ProgressReport
    previous_round: ProgressRound | None
    previous: ProgressReport | None
    history: list[ReportHistoryEntry]
    repeats_previous: bool
    overdue: bool


def report_page(report: ProgressReport, *, today: datetime.date | None = None) -> ReportPage:
    """Return what a report's page shows: the report, the previous confirmed answer (the
    form's starting point) and the report's history, newest first."""
    today = today or timezone.localdate()
    previous_round, answers = previous_answers(report.round, [report.measure_id])
    previous = answers.get(report.measure_id)
    history = [
        ReportHistoryEntry(
            when=record.history_date,
            user=record.history_username
            or (record.history_user.get_username() if record.history_user else ""),
            state=ReportState(record.state),
            status=Status(record.status) if record.status else None,
            reason=record.history_change_reason or "",
        )
        for record in report.history.select_related("history_user").order_by(
            "-history_date", "-history_id"
        )
    ]
    return ReportPage(
        report=report,
        previous_round=previous_round,
        previous=previous,
        history=history,
        repeats_previous=repeats_answer(report, previous),
        overdue=is_overdue(report.round, report, today),
    )


# --- Round list and dashboard -----------------------------------------------------------------


def round_list() -> list[ProgressRound]:
    """Return every round, newest first, each with its number of reports per state."""
    counts = {
        f"n_{state.value}": Count("reports", filter=Q(reports__state=state))
        for state in ReportState
    }
    rounds = ProgressRound.objects.annotate(n_reports=Count("reports"), **counts).order_by(
        "is_baseline", "-reference_date", "-pk"
    )
    result = list(rounds)
    for progress_round in result:
        progress_round.state_counts = [
            (state, getattr(progress_round, f"n_{state.value}")) for state in ReportState
        ]
    return result


@dataclass
class DivisionProgress:
    """One division's line on the round dashboard (``division`` None: 担当課未設定)."""

    division: Division | None
    leaders: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ReportState.values, 0))
    overdue: bool = False

    @property
    def state_counts(self) -> list[tuple[ReportState, int]]:
        return [(state, self.counts[state.value]) for state in ReportState]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def outstanding(self) -> int:
        return sum(self.counts[state.value] for state in OUTSTANDING_STATES)


@dataclass(frozen=True)
class MeasureProgressRow:
    report: ProgressReport
    overdue: bool
    repeats_previous: bool


@dataclass(frozen=True)
class ConfirmTotals:
    """The totals the round would give if confirmed now: computed, never stored."""

    categories: list[tuple[Category, StatusBreakdown]]
    overall: StatusBreakdown
    current_overall: StatusBreakdown
    changes: int


@dataclass(frozen=True)
class UnassignedReport:
    """A report of a measure without a 担当課, as the dashboard lists it."""

    pk: int
    measure_pk: int
    measure_name: str
    state: ReportState


@dataclass(frozen=True)
class RoundDashboard:
    progress_round: ProgressRound
    divisions: list[DivisionProgress]
    unassigned: DivisionProgress
    rows: list[MeasureProgressRow]  # the reports shown: one state and one page, or all
    counts: dict[str, int]
    totals: ConfirmTotals
    previous_round: ProgressRound | None
    unchanged_count: int
    left_out: int
    today: datetime.date
    unassigned_reports: list[UnassignedReport] = field(default_factory=list)
    page: Page | None = None  # when ``rows`` is one page of the shown state

    @property
    def state_counts(self) -> list[tuple[ReportState, int]]:
        return [(state, self.counts[state.value]) for state in ReportState]

    @property
    def report_count(self) -> int:
        return sum(self.counts.values())

    @property
    def unassigned_not_listed(self) -> int:
        return self.unassigned.total - len(self.unassigned_reports)

    @property
    def overdue_divisions(self) -> list[DivisionProgress]:
        return [d for d in [*self.divisions, self.unassigned] if d.overdue]

    @property
    def waiting_for_review(self) -> int:
        return self.counts[ReportState.SUBMITTED.value]


DASHBOARD_PAGE_SIZE = 100
# The 担当課未設定 list names this many; the rest are counted (a long list helps nobody).
UNASSIGNED_SHOWN = 50


def round_dashboard(
    progress_round: ProgressRound,
    *,
    today: datetime.date | None = None,
    state: str = "",
    page: int | str | None = None,
    per_page: int | None = None,
) -> RoundDashboard:
    """Return the round dashboard: per division counts by state and overdue divisions, the
    reports of ``state`` (every state when empty) — one page of them when ``page`` is given,
    else all — and the totals confirming would give.

    Counts come from one aggregate query and only the shown reports are loaded, so the page
    costs the same few queries and stays quick with 10,000 measures
    (benchmarks/progress.py)."""
    today = today or timezone.localdate()
    late = progress_round.state in {RoundState.OPEN, RoundState.CLOSED} and (
        today > progress_round.closes_on
    )
    division_rows: dict[int | None, DivisionProgress] = {}
    counts = dict.fromkeys(ReportState.values, 0)
    per_division = (
        progress_round.reports.values("measure__responsible_division", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in per_division:
        key = row["measure__responsible_division"]
        line = division_rows.setdefault(key, DivisionProgress(None))
        line.counts[row["state"]] += row["n"]
        counts[row["state"]] += row["n"]
    for line in division_rows.values():
        line.overdue = late and line.outstanding > 0
    known = Division.objects.filter(pk__in=[k for k in division_rows if k is not None])
    for division in known.select_related("department"):
        division_rows[division.pk].division = division
    leaders = current_leader_names([k for k in division_rows if k is not None])
    for key, line in division_rows.items():
        line.leaders = leaders.get(key, [])
    unassigned = division_rows.pop(None, DivisionProgress(None))
    divisions = sorted(
        division_rows.values(),
        key=lambda d: (d.division.department.order, d.division.department.name, d.division.order),
    )

    previous_round = previous_confirmed_round(progress_round)
    of_state = progress_round.reports.filter(state=state) if state else progress_round.reports
    ordered = of_state.order_by("measure__category__order", "measure__position")
    shown = ordered.select_related(*_REPORT_RELATED).annotate(
        repeats_previous=repeats_previous_answer(previous_round)
    )
    page_obj = None
    if page is None:
        reports = list(shown)
    else:
        # The page's reports are found in plan order over narrow rows, then read in full:
        # sorting every report of the round with all its columns costs three times more.
        paginator = Paginator(ordered.values_list("pk", flat=True), per_page or DASHBOARD_PAGE_SIZE)
        page_obj = paginator.get_page(page)
        by_pk = shown.in_bulk(list(page_obj.object_list))
        # (A report whose measure was deleted between the two reads is left out.)
        reports = [by_pk[pk] for pk in page_obj.object_list if pk in by_pk]
    # 「前回と同じ」 matters only for submitted reports: the database compares the answers,
    # and is not asked when the counts above show nothing submitted.
    unchanged_count = 0
    if counts[ReportState.SUBMITTED] and previous_round is not None:
        submitted = progress_round.reports.filter(state=ReportState.SUBMITTED)
        unchanged_count = submitted.filter(repeats_previous_answer(previous_round)).count()
    rows = [
        MeasureProgressRow(
            report,
            is_overdue(progress_round, report, today),
            report.state == ReportState.SUBMITTED and report.repeats_previous,
        )
        for report in reports
    ]
    unassigned_reports = []
    if unassigned.total:
        unassigned_reports = [
            UnassignedReport(pk, measure_pk, name, ReportState(state))
            for pk, measure_pk, name, state in progress_round.reports.filter(
                measure__responsible_division__isnull=True
            )
            .order_by("measure__category__order", "measure__position")
            .values_list("pk", "measure_id", "measure__name", "state")[:UNASSIGNED_SHOWN]
        ]
    measure_count = Measure.objects.count()
    return RoundDashboard(
        progress_round=progress_round,
        divisions=divisions,
        unassigned=unassigned,
        rows=rows,
        counts=counts,
        totals=_confirm_totals(progress_round),
        previous_round=previous_round,
        unchanged_count=unchanged_count,
        left_out=measure_count - sum(counts.values()),
        today=today,
        unassigned_reports=unassigned_reports,
        page=page_obj,
    )


def _confirm_totals(progress_round: ProgressRound) -> ConfirmTotals:
    """Each measure counted with its approved status in the round, else its current one; one
    grouped query (category, current status, status after confirming)."""
    # At most one report per measure and round: a left join, not a look-up per measure.
    approved = FilteredRelation(
        "progress_reports",
        condition=Q(
            progress_reports__round=progress_round,
            progress_reports__state=ReportState.APPROVED,
        ),
    )
    grouped = (
        Measure.objects.annotate(approved=approved)
        .annotate(after=Coalesce(F("approved__status"), F("status")))
        .values_list("category_id", "status", "after")
        .annotate(n=Count("pk"))
        .order_by()
    )
    per_category: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Status.values, 0))
    current: dict[str, int] = dict.fromkeys(Status.values, 0)
    changes = 0
    for category_id, status, after, n in grouped:
        per_category[category_id][after] += n
        current[status] += n
        if after != status:
            changes += n
    categories = [
        (category, StatusBreakdown.from_totals(per_category[category.pk]))
        for category in Category.objects.order_by("order")
    ]
    overall = {s: sum(totals[s] for _c, totals in per_category.items()) for s in Status.values}
    return ConfirmTotals(
        categories=categories,
        overall=StatusBreakdown.from_totals(overall),
        current_overall=StatusBreakdown.from_totals(current),
        changes=changes,
    )


def round_scope(progress_round: ProgressRound) -> list[tuple[Measure, bool]]:
    """Return every counted measure and whether the round covers it (the scope form)."""
    covered = set(progress_round.reports.values_list("measure_id", flat=True))
    measures = Measure.objects.select_related("category", "responsible_division").order_by(
        "category__order", "position"
    )
    return [(measure, measure.pk in covered) for measure in measures]


# --- Outstanding reports: the download and the reminders ---------------------------------------


def outstanding_reports(progress_round: ProgressRound) -> list[ProgressReport]:
    """Return the reports the divisions still owe (未提出, 下書き, 差戻し), by division."""
    return list(
        progress_round.reports.filter(state__in=OUTSTANDING_STATES)
        .select_related(*_REPORT_RELATED)
        .order_by(
            # Divisions in the governance order; measures without a 担当課 last.
            F("measure__responsible_division__department__order").asc(nulls_last=True),
            F("measure__responsible_division__order").asc(nulls_last=True),
            F("measure__responsible_division__pk").asc(nulls_last=True),
            "measure__category__order",
            "measure__position",
        )
    )


def current_leader_names(division_ids) -> dict[int, list[str]]:
    """Return the names of each division's current leaders, in one query."""
    names = defaultdict(list)
    for leader in PromotionLeader.objects.current().filter(division__in=division_ids):
        names[leader.division_id].append(leader.person_name)
    return names


@dataclass(frozen=True)
class DivisionReminder:
    division: Division
    reports: list[ProgressReport]
    recipients: list  # accounts with an e-mail address
    unreachable: list[str]  # current leaders and reporters no e-mail can reach


def reminders(progress_round: ProgressRound) -> tuple[list[DivisionReminder], int]:
    """Return, per division with outstanding reports, whom to remind: its current leaders'
    accounts and its reporters. Also return how many outstanding reports have no 担当課."""
    by_division: dict[int, list[ProgressReport]] = defaultdict(list)
    unassigned = 0
    divisions: dict[int, Division] = {}
    for report in outstanding_reports(progress_round):
        division = report.measure.responsible_division
        if division is None:
            unassigned += 1
            continue
        divisions[division.pk] = division
        by_division[division.pk].append(report)
    people: dict[int, dict[int, object]] = defaultdict(dict)
    unreachable: dict[int, list[str]] = defaultdict(list)
    leaders = (
        PromotionLeader.objects.current()
        .filter(division__in=divisions)
        .select_related("user")
        .order_by("division", "start_date", "pk")
    )
    for leader in leaders:
        if leader.user is not None and leader.user.is_active and leader.user.email:
            people[leader.division_id][leader.user.pk] = leader.user
        else:
            unreachable[leader.division_id].append(leader.person_name)
    reporters = Division.reporters.through.objects.filter(division__in=divisions).select_related(
        "user"
    )
    for row in reporters.order_by("division", "user__username"):
        if row.user.is_active and row.user.email:
            people[row.division_id][row.user.pk] = row.user
        else:
            unreachable[row.division_id].append(row.user.get_username())
    result = [
        DivisionReminder(
            division=divisions[pk],
            reports=by_division[pk],
            recipients=list(people[pk].values()),
            unreachable=unreachable[pk],
        )
        for pk in by_division
    ]
    return result, unassigned


# --- The measure page -------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    report: ProgressReport
    progress_round: ProgressRound
    submitted_by: str


@dataclass(frozen=True)
class MeasureProgress:
    """「進捗の記録」 on a measure's page."""

    entries: list[TimelineEntry]
    last_report_date: datetime.date | None
    last_round: ProgressRound | None  # the latest confirmed round (baseline aside)
    missed_last_round: bool
    shows_people: bool


def measure_progress(measure: Measure, user) -> MeasureProgress:
    """Return the measure's approved reports of confirmed rounds, newest first, the date of
    its last report, and whether it missed the latest confirmed round; two queries."""
    scope = permissions.progress_read_scope(user)
    reports = (
        measure.progress_reports.filter(scope.reports)
        .filter(state=ReportState.APPROVED, round__state=RoundState.CONFIRMED)
        .select_related("round", "submitted_by")
        .order_by("round__is_baseline", "-round__reference_date", "-round__pk")
    )
    entries = [
        TimelineEntry(
            report=report,
            progress_round=report.round,
            submitted_by=(
                report.submitted_by.get_username()
                if scope.shows_people and report.submitted_by
                else ""
            ),
        )
        for report in reports
    ]
    last_round = (
        ProgressRound.objects.filter(state=RoundState.CONFIRMED, is_baseline=False)
        .order_by("-reference_date", "-pk")
        .first()
    )
    dates = [e.report.submitted_at for e in entries if e.report.submitted_at]
    return MeasureProgress(
        entries=entries,
        last_report_date=timezone.localdate(max(dates)) if dates else None,
        last_round=last_round,
        missed_last_round=last_round is not None
        and not any(e.progress_round.pk == last_round.pk for e in entries),
        shows_people=scope.shows_people,
    )
