"""Progress rounds (進捗調査) and their approved results as JSON, within the reader's scope
(``permissions.progress_read_scope``): the public reads confirmed rounds' approved reports;
no person's name or account is ever part of an answer."""

from datetime import date
from typing import Literal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router

from morioka_ict.api.errors import ApiError
from morioka_ict.api.schemas import ERRORS, CategoryRef, Out, StatusOut, category_ref, status_out

from .models import ProgressReport, ProgressRound, ReportState, RoundState
from .permissions import may_manage_progress, progress_read_scope

router = Router(tags=["進捗調査"])


class ProgressEntryOut(Out):
    round_id: int = Field(description="進捗調査の ID")
    round_title: str = Field(description="進捗調査の名称")
    reference_date: date = Field(description="基準日")
    is_baseline: bool = Field(description="計画書掲載時点（最初の調査）")
    status: StatusOut = Field(description="状況（承認された報告）")
    progress_percent: int | None = Field(description="進捗率（%）")
    activities: str = Field(description="取組内容")
    issues: str = Field(description="課題")
    next_steps: str = Field(description="今後の予定")
    links: list[str] = Field(description="参考リンク")


def progress_entry_out(report: ProgressReport) -> dict:
    """Return an approved report as the API shows it (``report.round`` selected)."""
    return {
        "round_id": report.round.pk,
        "round_title": report.round.title,
        "reference_date": report.round.reference_date,
        "is_baseline": report.round.is_baseline,
        "status": status_out(report.status),
        "progress_percent": report.progress_percent,
        "activities": report.activities,
        "issues": report.issues,
        "next_steps": report.next_steps,
        "links": report.link_list,
    }


class RoundOut(Out):
    id: int = Field(description="進捗調査の ID")
    title: str = Field(description="名称")
    reference_date: date = Field(description="基準日")
    opens_on: date = Field(description="受付開始")
    closes_on: date = Field(description="締切")
    state: Literal["preparing", "open", "closed", "confirmed"] = Field(
        description="状態: preparing 準備中, open 受付中, closed 締切, confirmed 確定"
    )
    state_label: str = Field(description="状態の名称")
    is_baseline: bool = Field(description="計画書掲載時点（最初の調査）")


class ResultOut(Out):
    measure_id: int = Field(description="施策の ID")
    measure_name: str = Field(description="施策名")
    category: CategoryRef = Field(description="区分")
    position: int = Field(description="表内の位置")
    status: StatusOut = Field(description="状況（承認された報告）")
    progress_percent: int | None = Field(description="進捗率（%）")
    activities: str = Field(description="取組内容")
    issues: str = Field(description="課題")
    next_steps: str = Field(description="今後の予定")
    links: list[str] = Field(description="参考リンク")


class RoundResultsOut(Out):
    round: RoundOut = Field(description="進捗調査")
    results: list[ResultOut] = Field(description="承認された報告（区分・表内の位置の順）")


def _visible_rounds(user):
    """Confirmed rounds for everyone; every round for 情報企画課 and 管理者."""
    if may_manage_progress(user):
        return ProgressRound.objects.all()
    return ProgressRound.objects.filter(state=RoundState.CONFIRMED)


def _round_out(progress_round: ProgressRound) -> dict:
    return {
        "id": progress_round.pk,
        "title": progress_round.title,
        "reference_date": progress_round.reference_date,
        "opens_on": progress_round.opens_on,
        "closes_on": progress_round.closes_on,
        "state": progress_round.state,
        "state_label": str(progress_round.state_choice.label),
        "is_baseline": progress_round.is_baseline,
    }


@router.get("/rounds", response={200: list[RoundOut], **ERRORS}, summary="進捗調査の一覧")
def round_list(request):
    rounds = _visible_rounds(request.user).order_by("-is_baseline", "reference_date", "pk")
    return [_round_out(r) for r in rounds]


@router.get(
    "/rounds/{round_id}/results",
    response={200: RoundResultsOut, **ERRORS},
    summary="進捗調査の承認された結果",
)
def round_results(request, round_id: int):
    if not 1 <= round_id <= 2**62:
        raise ApiError(404, "not_found", _("指定された進捗調査は見つかりません。"))
    progress_round = get_object_or_404(_visible_rounds(request.user), pk=round_id)
    reports = (
        progress_round.reports.filter(progress_read_scope(request.user).reports)
        .filter(state=ReportState.APPROVED)
        .select_related("measure__category")
        .order_by("measure__category__order", "measure__position")
    )
    return {
        "round": _round_out(progress_round),
        "results": [
            {
                "measure_id": report.measure_id,
                "measure_name": report.measure.name,
                "category": category_ref(report.measure.category),
                "position": report.measure.position,
                "status": status_out(report.status),
                "progress_percent": report.progress_percent,
                "activities": report.activities,
                "issues": report.issues,
                "next_steps": report.next_steps,
                "links": report.link_list,
            }
            for report in reports
        ],
    }
