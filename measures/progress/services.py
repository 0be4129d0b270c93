"""Writes of the progress cycle that span rows: the baseline round, and (later) opening,
reviewing and confirming rounds."""

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from measures.models import Measure

from .models import BASELINE_TITLE, ProgressReport, ProgressRound, ReportState, RoundState

BASELINE_REASON = "計画書（第一次～第四次 施策一覧）の状況を基準として記録"


@transaction.atomic
def progress_record_baseline() -> ProgressRound | None:
    """Record the plan's own marks as a confirmed round 「計画書掲載時点」, once.

    Its reports carry the plan's status and no text, so the trend starts where the plan
    stood; it reads the measures and never changes them, so no total moves. Return None when
    a baseline exists already.
    """
    if ProgressRound.objects.filter(is_baseline=True).exists():
        return None
    today = timezone.localdate()
    baseline = ProgressRound(
        title=BASELINE_TITLE,
        reference_date=today,
        opens_on=today,
        closes_on=today,
        state=RoundState.CONFIRMED,
        is_baseline=True,
        confirmed_at=timezone.now(),
    )
    baseline._change_reason = BASELINE_REASON
    baseline.save()
    reports = [
        ProgressReport(
            round=baseline,
            measure=measure,
            state=ReportState.APPROVED,
            status=measure.status,
        )
        for measure in Measure.objects.order_by("pk")
    ]
    bulk_create_with_history(
        reports, ProgressReport, batch_size=500, default_change_reason=BASELINE_REASON
    )
    return baseline
