"""Store a checked 調査票 plan as submitted reports (never approved), in one transaction.

The writes go through the progress cycle's own steps (``measures.progress.services``): the
round is locked first, then the reports, each report is checked at the version the preview
showed, filled in with the same ``_apply`` as the form, and saved in bulk with one history entry
per report that names the file. If anything changed after the preview, nothing is written.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from ..models import ProgressReport, ReportState, RoundState, SurveyReturn
from ..services import ProgressConflict, ProgressError, _apply, _lock_round, _require_manager
from .reader import AnswerKind, SurveyPlan

_STORED_FIELDS = [
    "status",
    "progress_percent",
    "activities",
    "issues",
    "next_steps",
    "links",
    "written_by",
    "written_at",
    "state",
    "submitted_by",
    "submitted_at",
    "version",
]
_STORED_ATTNAMES = [ProgressReport._meta.get_field(name).attname for name in _STORED_FIELDS]


@dataclass(frozen=True)
class SurveyImportResult:
    stored: int
    kept: int  # conflicts not chosen for overwriting
    files: int


def survey_history_reason(filename: str) -> str:
    return _("Excel調査票: %(file)s") % {"file": filename}


def survey_import_apply(*, plan: SurveyPlan, user, overwrite: set[int]) -> SurveyImportResult:
    """Store every answer of ``plan`` as a submitted report; conflicts only for the measures
    in ``overwrite``. Record which division answered by workbook (SurveyReturn)."""
    _require_manager(user)
    if plan.has_errors:
        raise ProgressError(_("問題のある調査票は取り込めません。何も変更していません。"))
    chosen = {
        answer.report_pk: answer
        for survey_file in plan.files
        for answer in survey_file.answers
        if answer.kind == AnswerKind.STORE
        or (answer.kind == AnswerKind.CONFLICT and answer.measure_pk in overwrite)
    }
    now = timezone.now()
    stored = kept = 0
    with transaction.atomic():
        progress_round = _lock_round(plan.round_pk, None)
        if progress_round.state != RoundState.OPEN:
            raise ProgressError(
                _("進捗調査「%(title)s」は受付中ではないため、調査票を取り込めません。")
                % {"title": progress_round.title}
            )
        reports = {
            report.pk: report
            for report in ProgressReport.objects.select_for_update(of=("self",))
            .filter(round=progress_round, pk__in=list(chosen))
            .select_related("measure")
            .order_by("pk")
        }
        for pk, answer in chosen.items():
            report = reports.get(pk)
            if (
                report is None
                or report.version != answer.version
                or report.state == ReportState.APPROVED
            ):
                raise ProgressConflict(
                    _(
                        "施策「%(name)s」の報告が確認の後に変更されました。何も変更していません。"
                        "もう一度確かめてください。"
                    )
                    % {"name": answer.name}
                )
        for survey_file in plan.files:
            changed = []
            for answer in survey_file.answers:
                if answer.report_pk not in chosen:
                    continue
                report = reports[answer.report_pk]
                _apply(report, answer.content, user=user, now=now)
                report.state = ReportState.SUBMITTED
                report.submitted_by = user
                report.submitted_at = now
                report.version += 1  # as ProgressReport.save counts every save
                changed.append(report)
            # One UPDATE per report (bulk_update's CASE expressions cost quadratic time on
            # thousands of rows), then the history in bulk: one entry per report, as a save
            # records it, so a 10,000-row return is stored within a web worker's timeout.
            for report in changed:
                ProgressReport.objects.filter(pk=report.pk).update(
                    **{name: getattr(report, name) for name in _STORED_ATTNAMES}
                )
            bulk_update_with_history(
                changed,
                ProgressReport,
                [],
                batch_size=500,
                default_user=user,
                default_change_reason=survey_history_reason(survey_file.filename)[:100],
                default_date=now,
                custom_historical_attrs={"history_username": user.get_username()},
            )
            file_stored = len(changed)
            file_kept = sum(1 for a in survey_file.conflicts if a.measure_pk not in overwrite)
            SurveyReturn.objects.create(
                round=progress_round,
                division=survey_file.division,
                filename=survey_file.filename[:255],
                workbook_created_at=survey_file.created_at,
                imported_at=now,
                imported_by=user,
                stored=file_stored,
                unchanged=len(survey_file.unchanged),
                kept=file_kept,
            )
            stored += file_stored
            kept += file_kept
    return SurveyImportResult(stored=stored, kept=kept, files=len(plan.files))
