"""Reminders about outstanding reports of the open round, by e-mail through Django's e-mail
framework (console in development, SMTP from EMAIL_* settings in production)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors
from .models import ProgressRound
from .services import progress_round_record_reminders


class RemindedMeanwhile(Exception):
    """Reminders went out after the sender's page showed when they last did."""


def reminded_stamp(progress_round: ProgressRound) -> str:
    """When reminders last went out, as the reminder page carries it in its form."""
    return progress_round.reminded_at.isoformat() if progress_round.reminded_at else ""


@dataclass(frozen=True)
class SentReminder:
    division: str
    recipients: list[str]  # "username <address>"
    report_count: int
    unreachable: list[str]


@dataclass(frozen=True)
class ReminderRun:
    progress_round: ProgressRound | None
    sent: list[SentReminder]
    unassigned: int
    dry_run: bool


def _body(progress_round: ProgressRound, reminder, today: datetime.date) -> str:
    days = (progress_round.closes_on - today).days
    if days < 0:
        when = _("締切（%(date)s）を過ぎています。至急、提出してください。")
    elif days == 0:
        when = _("締切は本日（%(date)s）です。")
    else:
        when = _("締切は %(date)s です（あと %(days)d 日）。")
    lines = [
        _("%(division)s 情報化推進リーダー・進捗報告の入力者 各位")
        % {"division": reminder.division},
        "",
        _(
            "進捗調査「%(title)s」（基準日 %(reference)s）で、"
            "次の施策の報告がまだ提出されていません。"
        )
        % {"title": progress_round.title, "reference": progress_round.reference_date.isoformat()},
        when % {"date": progress_round.closes_on.isoformat(), "days": days},
        "",
    ]
    for report in reminder.reports:
        lines.append(f"・{report.measure.name}（{report.state_choice.label}）")
    site = settings.DASHBOARD_SITE_URL.rstrip("/")
    lines += [
        "",
        _("「私の報告」から入力・提出できます: %(url)s")
        % {"url": site + reverse("measures:progress:mine")},
        "",
        _("盛岡市 総務部 情報企画課"),
    ]
    return "\n".join(lines)


def send_progress_reminders(
    *,
    dry_run: bool = False,
    today: datetime.date | None = None,
    progress_round: ProgressRound | None = None,
    last_reminded: str | None = None,
) -> ReminderRun:
    """E-mail each division with outstanding reports in the open round (one message to its
    current leaders' accounts and its reporters) and record the time on the round.

    ``progress_round`` (the round page's button) is reminded only while it is open; without
    it, the open round is. With ``dry_run`` nothing is sent or recorded; the result says whom
    it would remind. ``last_reminded`` is the ``reminded_stamp`` the sender's page showed: if
    reminders went out since, RemindedMeanwhile is raised and nothing is sent. The round's row
    stays locked from that check until the time is recorded, so that two clicks at the same
    moment cannot both pass it and mail the divisions twice.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        opened = ProgressRound.objects.open()
        if progress_round is not None:
            opened = opened.filter(pk=progress_round.pk)
        if not dry_run:
            opened = opened.select_for_update()
        progress_round = opened.order_by("pk").first()
        if progress_round is None:
            return ReminderRun(None, [], 0, dry_run)
        if last_reminded is not None and last_reminded != reminded_stamp(progress_round):
            raise RemindedMeanwhile
        reminders, unassigned = selectors.reminders(progress_round)
        subject = _("【進捗調査】%(title)s の報告のお願い（締切 %(date)s）") % {
            "title": progress_round.title,
            "date": progress_round.closes_on.isoformat(),
        }
        sent, messages = [], []
        for reminder in reminders:
            addresses = [user.email for user in reminder.recipients]
            if addresses:
                messages.append(
                    EmailMessage(
                        subject=subject,
                        body=_body(progress_round, reminder, today),
                        to=addresses,
                    )
                )
            sent.append(
                SentReminder(
                    division=str(reminder.division),
                    recipients=[f"{u.get_username()} <{u.email}>" for u in reminder.recipients],
                    report_count=len(reminder.reports),
                    unreachable=reminder.unreachable,
                )
            )
        if not dry_run:
            if messages:
                get_connection().send_messages(messages)
            progress_round_record_reminders(round_pk=progress_round.pk)
    return ReminderRun(progress_round, sent, unassigned, dry_run)
