"""Helpers for the progress tests: an answer, report look-ups, state changes, snapshots."""

import datetime

from django.utils import timezone

from measures.models import Measure, Status
from measures.progress import services
from measures.progress.models import ProgressReport, ProgressRound
from measures.progress.services import ReportContent


def days(n: int) -> datetime.date:
    """Today plus ``n`` days (negative: in the past)."""
    return timezone.localdate() + datetime.timedelta(days=n)


ANSWER = ReportContent(
    status=Status.IMPLEMENTED,
    progress_percent=100,
    activities="窓口で電子申請を始めた。",
    issues="周知が足りない。",
    next_steps="広報に載せる。",
    links="https://www.city.morioka.iwate.jp/",
)


def report_of(progress_round: ProgressRound, measure: Measure) -> ProgressReport:
    return ProgressReport.objects.get(round=progress_round, measure=measure)


def submit(report: ProgressReport, user, content: ReportContent = ANSWER) -> ProgressReport:
    report.refresh_from_db()
    return services.progress_report_submit(
        report_pk=report.pk, expected_version=report.version, content=content, user=user
    )


def approve(report: ProgressReport, user) -> ProgressReport:
    report.refresh_from_db()
    return services.progress_report_approve(
        report_pk=report.pk, expected_version=report.version, user=user
    )


def advance(progress_round: ProgressRound, step, user):
    progress_round.refresh_from_db()
    result = step(round_pk=progress_round.pk, expected_version=progress_round.version, user=user)
    progress_round.refresh_from_db()
    return result


def snapshot():
    """Everything a refused write must leave as it was: rows, versions and history."""
    return (
        list(ProgressRound.objects.order_by("pk").values_list("pk", "state", "version")),
        list(
            ProgressReport.objects.order_by("pk").values_list(
                "pk", "state", "status", "progress_percent", "activities", "version"
            )
        ),
        ProgressRound.history.count(),
        ProgressReport.history.count(),
        list(Measure.objects.order_by("pk").values_list("pk", "status", "version")),
        Measure.history.count(),
    )
