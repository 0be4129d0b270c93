"""Writes of the progress cycle (進捗調査): the baseline round, running rounds, writing and
reviewing reports, confirming a round into the measures' statuses.

Every write is one transaction. Rows are locked in one order — the round, then its reports,
then measures (through ``measures.services.measures_lock_for_edit``) — so two writers never
deadlock, and each write names the version it was shown: a stale page is refused with a
message saying what changed meanwhile (ProgressConflict), never saved over someone's work.
Who may do what is decided in ``permissions``; a refusal raises PermissionDenied.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from simple_history.utils import bulk_create_with_history

from measures.models import Measure, Status

from . import permissions
from .models import BASELINE_TITLE, ProgressReport, ProgressRound, ReportState, RoundState

BASELINE_REASON = "計画書（第一次～第四次 施策一覧）の状況を基準として記録"
# simple-history keeps a reason of at most this many characters.
_REASON_LENGTH = 100

# States in which the division may still write the report (an approved one is settled).
WRITABLE_STATES = frozenset(
    {
        ReportState.NOT_SUBMITTED,
        ReportState.DRAFT,
        ReportState.SUBMITTED,
        ReportState.RETURNED,
    }
)
# Reports the division still owes: not yet (re)submitted.
OUTSTANDING_STATES = frozenset({ReportState.NOT_SUBMITTED, ReportState.DRAFT, ReportState.RETURNED})


class ProgressError(Exception):
    """A write refused for a reason the user can act on; the message is for them."""


class ProgressConflict(ProgressError):
    """Someone changed the round or report after the page was shown."""


@dataclass(frozen=True)
class ReportContent:
    """What a division answers for one measure."""

    status: str = ""
    progress_percent: int | None = None
    activities: str = ""
    issues: str = ""
    next_steps: str = ""
    links: str = ""

    @classmethod
    def of(cls, report: ProgressReport) -> "ReportContent":
        return cls(
            status=report.status,
            progress_percent=report.progress_percent,
            activities=report.activities,
            issues=report.issues,
            next_steps=report.next_steps,
            links=report.links,
        )

    def invalid_links(self) -> list[tuple[int, str]]:
        """Return (line number, text) of each line of ``links`` that is not an http(s) URL;
        the pages turn links into anchors, so nothing else may be stored."""
        validate = URLValidator(schemes=["http", "https"])
        invalid = []
        for number, line in enumerate(self.links.splitlines(), 1):
            if not line.strip():
                continue
            try:
                validate(line.strip())
            except ValidationError:
                invalid.append((number, line.strip()))
        return invalid

    def missing_for_submission(self) -> list[str]:
        """Return the labels of what a submission needs and lacks."""
        missing = []
        if not self.status:
            missing.append(_("状況"))
        if not self.activities.strip():
            missing.append(_("取組内容"))
        return missing


# --- Baseline ---------------------------------------------------------------------------------


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


# --- Locks and messages -----------------------------------------------------------------------

_RETRY = _(
    "あなたの変更は保存していません。"
    "ページを開き直して最新の内容を確かめてから、もう一度操作してください。"
)


def _who_and_when(record) -> tuple[str, str]:
    who = (
        record.history_username
        or (record.history_user.get_username() if record.history_user else "")
        or _("他の人")
    )
    return who, timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M")


def _lock_round(round_pk: int, expected_version: int | None) -> ProgressRound:
    """Lock the round's row until the transaction ends; refuse if it changed since shown."""
    current = ProgressRound.objects.select_for_update().filter(pk=round_pk).first()
    if current is None:
        raise ProgressError(_("この進捗調査は削除されました。"))
    if expected_version is not None and expected_version != current.version:
        latest = current.history.select_related("history_user").first()
        seen = current.history.filter(version=expected_version).first()
        who, when = _who_and_when(latest)
        change = ""
        if seen is not None and seen.state != latest.state:
            change = _("（状態: %(old)s → %(new)s）") % {
                "old": RoundState(seen.state).label,
                "new": RoundState(latest.state).label,
            }
        raise ProgressConflict(
            _("進捗調査「%(title)s」は、あなたが開いた後に %(who)s さんが %(when)s に変更しました")
            % {"title": current.title, "who": who, "when": when}
            + change
            + _("。")
            + _RETRY
        )
    return current


# Fields of a report whose change a refused writer is told about; short ones with their values.
_VALUE_FIELDS = ("state", "status", "progress_percent")
_TEXT_FIELDS = ("activities", "issues", "next_steps", "links", "return_comment")


def _report_value(record, field: str) -> str:
    if field == "state":
        return str(ReportState(record.state).label)
    if field == "status":
        return str(Status(record.status).label) if record.status else _("未選択")
    value = record.progress_percent
    return _("未入力") if value is None else f"{value}%"


def _report_conflict_message(report: ProgressReport, expected_version: int) -> str:
    latest = report.history.select_related("history_user").first()
    seen = report.history.filter(version=expected_version).first()
    who, when = _who_and_when(latest)
    details = []
    if seen is not None:
        for field in _VALUE_FIELDS:
            if getattr(seen, field) != getattr(latest, field):
                label = ProgressReport._meta.get_field(field).verbose_name
                old, new = _report_value(seen, field), _report_value(latest, field)
                details.append(f"{label}: {old} → {new}")
        for field in _TEXT_FIELDS:
            if getattr(seen, field) != getattr(latest, field):
                details.append(str(ProgressReport._meta.get_field(field).verbose_name))
    facts = {"name": report.measure.name, "who": who, "when": when}
    message = (
        _("施策「%(name)s」の進捗報告は、あなたが開いた後に %(who)s さんが %(when)s に変更しました")
        % facts
    )
    if details:
        message += _("（%(details)s）") % {"details": _("、").join(details)}
    return message + _("。") + _RETRY


def _lock_report(report_pk: int, expected_version: int | None) -> ProgressReport:
    """Lock the report's round, then the report; refuse if the report changed since shown."""
    round_pk = ProgressReport.objects.filter(pk=report_pk).values_list("round_id", flat=True)
    round_pk = round_pk.first()
    if round_pk is None:
        raise ProgressError(_("この進捗報告は削除されました。"))
    progress_round = _lock_round(round_pk, None)
    report = (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("measure__category")
        .get(pk=report_pk)
    )
    report.round = progress_round
    if expected_version is not None and expected_version != report.version:
        raise ProgressConflict(_report_conflict_message(report, expected_version))
    return report


def _save(obj, *, user, reason: str = "", fields: Iterable[str] | None = None) -> None:
    if user is not None:
        obj._history_user = user
    if reason:
        obj._change_reason = reason[:_REASON_LENGTH]
    obj.save(update_fields=None if fields is None else list(fields))


def _require_manager(user) -> None:
    if not permissions.may_manage_progress(user):
        raise PermissionDenied(_("進捗調査を管理する権限がありません。"))


# --- Rounds -----------------------------------------------------------------------------------


def _validate_dates(
    opens_on: datetime.date, closes_on: datetime.date, reference_date: datetime.date
) -> None:
    if closes_on < opens_on:
        raise ProgressError(
            _(
                "締切（%(closes)s）が受付開始（%(opens)s）より前です。"
                "受付開始以降の日付にしてください。"
            )
            % {"closes": closes_on.isoformat(), "opens": opens_on.isoformat()}
        )
    if reference_date > closes_on:
        raise ProgressError(reference_after_deadline(reference_date, closes_on))


def reference_after_deadline(reference_date: datetime.date, closes_on: datetime.date) -> str:
    """Answers given by the 締切 cannot describe a later day."""
    return _(
        "基準日（%(reference)s）が締切（%(closes)s）より後です。"
        "報告が表す時点は締切までの日付にしてください。"
    ) % {"reference": reference_date.isoformat(), "closes": closes_on.isoformat()}


def progress_round_create(
    *,
    title: str,
    reference_date: datetime.date,
    opens_on: datetime.date,
    closes_on: datetime.date,
    user,
) -> ProgressRound:
    """Create a round in 準備中 with one 未提出 report for every counted measure.

    Re-listings are rows of another table, never measures, so they get no report.
    """
    _require_manager(user)
    _validate_dates(opens_on, closes_on, reference_date)
    title = title.strip()
    with transaction.atomic():
        if ProgressRound.objects.filter(title=title).exists():
            raise ProgressError(
                _("「%(title)s」という進捗調査は既にあります。別の名称にしてください。")
                % {"title": title}
            )
        progress_round = ProgressRound(
            title=title, reference_date=reference_date, opens_on=opens_on, closes_on=closes_on
        )
        _save(progress_round, user=user, reason=_("作成"))
        _add_reports(progress_round, Measure.objects.values_list("pk", flat=True), user=user)
    return progress_round


def _add_reports(progress_round: ProgressRound, measure_pks: Iterable[int], *, user) -> int:
    reports = [
        ProgressReport(round=progress_round, measure_id=pk) for pk in sorted(set(measure_pks))
    ]
    bulk_create_with_history(
        reports,
        ProgressReport,
        batch_size=500,
        default_user=user,
        default_change_reason=_("調査の対象に追加"),
        # Bulk history skips the signal that fills in the editor's name (measures/signals.py).
        custom_historical_attrs={"history_username": user.get_username() if user else ""},
    )
    return len(reports)


def progress_round_update(
    *,
    round_pk: int,
    expected_version: int,
    user,
    title: str,
    reference_date: datetime.date,
    opens_on: datetime.date,
    closes_on: datetime.date,
) -> ProgressRound:
    """Change a round's title and dates (e.g. extend the deadline) until it is confirmed."""
    _require_manager(user)
    _validate_dates(opens_on, closes_on, reference_date)
    title = title.strip()
    with transaction.atomic():
        progress_round = _lock_round(round_pk, expected_version)
        if progress_round.is_final or progress_round.is_baseline:
            raise ProgressError(_("確定した進捗調査は変更できません。"))
        if ProgressRound.objects.filter(title=title).exclude(pk=round_pk).exists():
            raise ProgressError(
                _("「%(title)s」という進捗調査は既にあります。別の名称にしてください。")
                % {"title": title}
            )
        progress_round.title = title
        progress_round.reference_date = reference_date
        progress_round.opens_on = opens_on
        progress_round.closes_on = closes_on
        _save(progress_round, user=user, reason=_("名称・日付の変更"))
    return progress_round


def progress_round_set_scope(
    *, round_pk: int, expected_version: int, measure_pks: Iterable[int], user
) -> tuple[int, int]:
    """Make the round cover exactly ``measure_pks`` (while 準備中); return (added, removed).

    情報企画課 leaves out measures that need no report this time; left-out reports are deleted
    with a history entry, and can be added back until the round opens.
    """
    _require_manager(user)
    wanted = set(measure_pks)
    with transaction.atomic():
        progress_round = _lock_round(round_pk, expected_version)
        if progress_round.state != RoundState.PREPARING:
            raise ProgressError(_("対象の施策は受付開始の前（準備中）にだけ変更できます。"))
        if not wanted:
            raise ProgressError(_("対象の施策を一つ以上選んでください。"))
        known = set(Measure.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        if known != wanted:
            raise ProgressError(_("選んだ施策の一部が見つかりません。ページを開き直してください。"))
        existing = dict(progress_round.reports.values_list("measure_id", "pk"))
        removed = [existing[pk] for pk in set(existing) - wanted]
        for report in ProgressReport.objects.filter(pk__in=removed).order_by("pk"):
            report._history_user = user
            report._change_reason = _("調査の対象から除外")
            report.delete()
        added = _add_reports(progress_round, wanted - set(existing), user=user)
        _save(progress_round, user=user, reason=_("対象の施策を変更"))
    return added, len(removed)


def progress_round_open(*, round_pk: int, expected_version: int, user) -> ProgressRound:
    """Open the round for reports (準備中 or 締切 → 受付中); at most one round is open."""
    _require_manager(user)
    with transaction.atomic():
        progress_round = _lock_round(round_pk, expected_version)
        if progress_round.state not in {RoundState.PREPARING, RoundState.CLOSED}:
            raise ProgressError(
                _("「%(state)s」の進捗調査は受付を開始できません。")
                % {"state": progress_round.state_choice.label}
            )
        other = ProgressRound.objects.open().exclude(pk=round_pk).first()
        if other is not None:
            raise ProgressError(
                _(
                    "進捗調査「%(title)s」が受付中です。受付中にできる調査は一つだけです。"
                    "先に「%(title)s」を締め切ってください。"
                )
                % {"title": other.title}
            )
        progress_round.state = RoundState.OPEN
        try:
            # The database's own rule catches an open racing past the check above.
            with transaction.atomic():
                _save(progress_round, user=user, reason=pgettext("進捗調査の変更理由", "受付開始"))
        except IntegrityError as error:
            raise ProgressError(
                _("受付中の進捗調査は一つだけです。先に受付中の調査を締め切ってください。")
            ) from error
    return progress_round


def progress_round_close(*, round_pk: int, expected_version: int, user) -> ProgressRound:
    """Close the round (受付中 → 締切): divisions can no longer write; review goes on."""
    _require_manager(user)
    with transaction.atomic():
        progress_round = _lock_round(round_pk, expected_version)
        if progress_round.state != RoundState.OPEN:
            raise ProgressError(
                _("受付中ではない進捗調査は締め切れません（現在: %(state)s）。")
                % {"state": progress_round.state_choice.label}
            )
        progress_round.state = RoundState.CLOSED
        _save(progress_round, user=user, reason=pgettext("進捗調査の状態", "締切"))
    return progress_round


def progress_round_confirm(*, round_pk: int, expected_version: int, user) -> int:
    """Confirm a closed round: each approved status becomes its measure's status.

    One transaction: the measures are locked through the register's edit guard, each changed
    measure is saved once with the round's title as the history reason, and the round becomes
    read-only. Refused while any report waits for review, so no answer is dropped unseen.
    Return the number of measures whose status changed.
    """
    from measures.services import measures_lock_for_edit

    _require_manager(user)
    with transaction.atomic():
        progress_round = _lock_round(round_pk, expected_version)
        if progress_round.state != RoundState.CLOSED:
            raise ProgressError(
                _("確定できるのは締め切った進捗調査だけです（現在: %(state)s）。")
                % {"state": progress_round.state_choice.label}
            )
        waiting = progress_round.reports.filter(state=ReportState.SUBMITTED).count()
        if waiting:
            raise ProgressError(
                _(
                    "確認待ち（提出）の報告が %(count)d 件あります。"
                    "承認または差戻ししてから確定してください。"
                )
                % {"count": waiting}
            )
        approved = dict(
            progress_round.reports.filter(state=ReportState.APPROVED).values_list(
                "measure_id", "status"
            )
        )
        locked = measures_lock_for_edit(expected_versions=dict.fromkeys(approved))
        changed = 0
        for pk, measure in locked.items():
            if measure.status != approved[pk]:
                measure.status = approved[pk]
                _save(measure, user=user, reason=progress_round.title, fields=["status"])
                changed += 1
        progress_round.state = RoundState.CONFIRMED
        progress_round.confirmed_at = timezone.now()
        progress_round.confirmed_by = user
        _save(progress_round, user=user, reason=_("確定"))
    return changed


def progress_round_record_reminders(
    *, round_pk: int, at: datetime.datetime | None = None
) -> ProgressRound:
    """Note when reminders about outstanding reports last went out (the round dashboard
    shows it)."""
    with transaction.atomic():
        progress_round = _lock_round(round_pk, None)
        progress_round.reminded_at = at or timezone.now()
        _save(progress_round, user=None, reason=_("督促を送信"), fields=["reminded_at"])
    return progress_round


# --- Reports: the division's side ------------------------------------------------------------


def _check_writable(report: ProgressReport, user) -> None:
    if not permissions.may_write_report(user, report):
        raise PermissionDenied(_("この施策の進捗報告を書く権限がありません。"))
    progress_round = report.round
    if progress_round.state != RoundState.OPEN:
        if progress_round.state in {RoundState.CLOSED, RoundState.CONFIRMED}:
            raise ProgressError(
                _(
                    "進捗調査「%(title)s」は%(state)sのため、報告は変更できません。"
                    "変更が必要なら情報企画課に連絡してください。"
                )
                % {"title": progress_round.title, "state": progress_round.state_choice.label}
            )
        raise ProgressError(
            _("進捗調査「%(title)s」はまだ受付を始めていません。") % {"title": progress_round.title}
        )
    if report.state not in WRITABLE_STATES:
        raise ProgressError(
            _(
                "この報告は承認済みのため変更できません。変更が必要なら情報企画課に連絡してください。"
            )
        )


def _apply(report: ProgressReport, content: ReportContent, *, user, now) -> None:
    if invalid := content.invalid_links():
        number, line = invalid[0]
        raise ProgressError(
            _("参考リンクの %(number)d 行目「%(line)s」は URL ではありません。")
            % {"number": number, "line": line[:50]}
        )
    report.status = content.status
    report.progress_percent = content.progress_percent
    report.activities = content.activities
    report.issues = content.issues
    report.next_steps = content.next_steps
    report.links = content.links
    report.written_by = user
    report.written_at = now


def progress_report_save_draft(
    *, report_pk: int, expected_version: int, content: ReportContent, user
) -> ProgressReport:
    """Keep the division's answer as a draft; a returned report stays 差戻し until it is
    submitted again, so its comment stays in sight."""
    with transaction.atomic():
        report = _lock_report(report_pk, expected_version)
        _check_writable(report, user)
        _apply(report, content, user=user, now=timezone.now())
        if report.state == ReportState.SUBMITTED:
            # Editing a submitted answer takes it back from 情報企画課 until submitted again.
            report.submitted_by = report.submitted_at = None
        if report.state != ReportState.RETURNED:
            report.state = ReportState.DRAFT
        _save(report, user=user, reason=pgettext("進捗調査の変更理由", "下書き保存"))
    return report


def progress_report_submit(
    *, report_pk: int, expected_version: int, content: ReportContent, user
) -> ProgressReport:
    """Submit the division's answer to 情報企画課 (needs a status and 取組内容)."""
    missing = content.missing_for_submission()
    if missing:
        raise ProgressError(
            _("提出するには %(fields)s を入力してください。") % {"fields": _("と").join(missing)}
        )
    with transaction.atomic():
        report = _lock_report(report_pk, expected_version)
        _check_writable(report, user)
        now = timezone.now()
        _apply(report, content, user=user, now=now)
        report.state = ReportState.SUBMITTED
        report.submitted_by = user
        report.submitted_at = now
        _save(report, user=user, reason=_("提出"))
    return report


# --- Reports: 情報企画課's side ----------------------------------------------------------------


def _check_reviewable(report: ProgressReport, user, action: str) -> None:
    if not permissions.may_review_reports(user):
        raise PermissionDenied(_("進捗報告を確認する権限がありません。"))
    if report.round.state not in {RoundState.OPEN, RoundState.CLOSED}:
        raise ProgressError(
            _("進捗調査「%(title)s」は%(state)sのため、報告を%(action)sできません。")
            % {
                "title": report.round.title,
                "state": report.round.state_choice.label,
                "action": action,
            }
        )
    if report.state != ReportState.SUBMITTED:
        raise ProgressError(
            _("%(action)sできるのは提出された報告だけです（この報告は「%(state)s」）。")
            % {"action": action, "state": report.state_choice.label}
        )


def progress_report_return(
    *, report_pk: int, expected_version: int, comment: str, user
) -> ProgressReport:
    """Send a submitted report back to the division with 情報企画課's comment."""
    comment = comment.strip()
    if not comment:
        raise ProgressError(_("差し戻すには、直してほしい点をコメントに書いてください。"))
    with transaction.atomic():
        report = _lock_report(report_pk, expected_version)
        _check_reviewable(report, user, _("差戻し"))
        report.state = ReportState.RETURNED
        report.return_comment = comment
        report.reviewed_by = user
        report.reviewed_at = timezone.now()
        _save(report, user=user, reason=_("差戻し"))
    return report


def progress_report_approve(*, report_pk: int, expected_version: int, user) -> ProgressReport:
    """Approve a submitted report: its status is what confirming the round will set."""
    with transaction.atomic():
        report = _lock_report(report_pk, expected_version)
        _check_reviewable(report, user, _("承認"))
        report.state = ReportState.APPROVED
        report.reviewed_by = user
        report.reviewed_at = timezone.now()
        _save(report, user=user, reason=_("承認"))
    return report


def progress_reports_approve_unchanged(*, round_pk: int, expected_version: int, user) -> int:
    """Approve, in one go, the submitted reports that repeat the previous confirmed round's
    answer (same status and 進捗率, no new text); return how many."""
    from .selectors import unchanged_submitted_report_pks

    _require_manager(user)
    with transaction.atomic():
        progress_round = _lock_round(round_pk, expected_version)
        if progress_round.state not in {RoundState.OPEN, RoundState.CLOSED}:
            raise ProgressError(
                _("進捗調査「%(title)s」は%(state)sのため、報告を承認できません。")
                % {"title": progress_round.title, "state": progress_round.state_choice.label}
            )
        pks = unchanged_submitted_report_pks(progress_round)
        now = timezone.now()
        reports = ProgressReport.objects.select_for_update(of=("self",)).filter(
            pk__in=pks, state=ReportState.SUBMITTED
        )
        count = 0
        for report in reports.order_by("pk"):
            report.state = ReportState.APPROVED
            report.reviewed_by = user
            report.reviewed_at = now
            _save(report, user=user, reason=_("一括承認（前回と同じ回答）"))
            count += 1
        if count:
            _save(progress_round, user=user, reason=_("前回と同じ回答を一括承認"))
    return count


def progress_report_correct(
    *, report_pk: int, expected_version: int, content: ReportContent, reason: str, user
) -> ProgressReport:
    """Correct a report of a confirmed round (情報企画課 only), with a reason kept in the
    history; the report counts as approved.

    If the round is the latest confirmed one and the status changes, the measure follows in
    the same transaction, through the register's edit guard.
    """
    from measures.services import measure_lock_for_edit

    if not permissions.may_review_reports(user):
        raise PermissionDenied(_("確定した報告を訂正する権限がありません。"))
    reason = reason.strip()
    if not reason:
        raise ProgressError(_("確定した報告を訂正するには、訂正の理由を書いてください。"))
    if not content.status:
        raise ProgressError(_("訂正後の状況を選んでください。"))
    with transaction.atomic():
        report = _lock_report(report_pk, expected_version)
        progress_round = report.round
        if not progress_round.is_final or progress_round.is_baseline:
            raise ProgressError(
                _("訂正できるのは確定した進捗調査（計画書掲載時点を除く）の報告だけです。")
            )
        history_reason = _("訂正: %(reason)s") % {"reason": reason}
        _apply(report, content, user=report.written_by, now=report.written_at)
        report.state = ReportState.APPROVED
        report.reviewed_by = user
        report.reviewed_at = timezone.now()
        _save(report, user=user, reason=history_reason)
        latest = ProgressRound.objects.confirmed().filter(is_baseline=False).last()
        if latest is not None and latest.pk == progress_round.pk:
            measure = measure_lock_for_edit(measure_pk=report.measure_id, expected_version=None)
            if measure.status != content.status:
                measure.status = content.status
                _save(
                    measure,
                    user=user,
                    reason=f"{progress_round.title}（{history_reason}）",
                    fields=["status"],
                )
    return report
