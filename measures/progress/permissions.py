"""Who does what in the progress cycle (進捗調査): the one place views, files, commands and
tests ask.

| who | may |
|---|---|
| a current 情報化推進リーダー of a division (role + appointment), or an account in that
  division's 進捗報告の入力者 (``Division.reporters``) | write and submit the reports of the
  measures whose 担当課 is that division, and nothing else |
| 情報企画課 / 管理者 (``measures.manage_progress``) | run rounds (create, open, close, confirm),
  read every report, return or approve, correct a confirmed round with a reason, and write the
  reports of measures without a 担当課 |
| any other logged-in account (閲覧) | read approved results |
| anyone, with ``DASHBOARD_PUBLIC_READ=1`` | read approved results of confirmed rounds, never a
  person's name or account |
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from governance.roles import MANAGE_PROGRESS_PERMISSION, OWN_REPORT_PERMISSION, led_division_ids

from .models import ReportState, RoundState

_MANAGE = ".".join(MANAGE_PROGRESS_PERMISSION)
_WRITE_OWN = ".".join(OWN_REPORT_PERMISSION)


def may_manage_progress(user) -> bool:
    """Whether ``user`` runs the rounds and reviews reports (情報企画課, 管理者)."""
    return user.is_authenticated and user.has_perm(_MANAGE)


def reporting_division_ids(user) -> set[int]:
    """Return the divisions whose reports ``user`` may write: those they currently lead with
    the leader's role, and those that list them as a reporter."""
    if not user.is_authenticated:
        return set()
    # Asked several times per request (list, form, nav); kept on the user object, which lives
    # for one request, like Django's own permission cache.
    if not hasattr(user, "_reporting_division_ids"):
        led = led_division_ids(user) if user.has_perm(_WRITE_OWN) else set()
        reporter_of = set(user.reporting_divisions.values_list("pk", flat=True))
        user._reporting_division_ids = led | reporter_of
    return user._reporting_division_ids


def may_write_report(user, report) -> bool:
    """Whether ``user`` may write and submit ``report`` (whatever state it is in)."""
    division_id = report.measure.responsible_division_id
    if division_id is None:
        return may_manage_progress(user)
    return division_id in reporting_division_ids(user)


def writable_reports(user) -> Q:
    """Filter on ProgressReport for the reports ``user`` may write (for 「私の報告」)."""
    mine = Q(measure__responsible_division__in=reporting_division_ids(user))
    if may_manage_progress(user):
        mine |= Q(measure__responsible_division__isnull=True)
    return mine


def may_review_reports(user) -> bool:
    """Whether ``user`` may return, approve and correct reports."""
    return may_manage_progress(user)


@dataclass(frozen=True)
class ProgressReadScope:
    """What a reader may see of the progress cycle.

    ``reports``: a filter on ProgressReport for the reports they may read;
    ``shows_people``: whether names and accounts (who wrote, submitted, reviewed) are shown.
    """

    reports: Q
    shows_people: bool


_NOTHING = Q(pk__in=[])


def progress_read_scope(user) -> ProgressReadScope:
    """Return the one rule for reading progress reports; pages, files and the measure page's
    timeline apply it rather than deciding per template."""
    approved = Q(state=ReportState.APPROVED)
    if not user.is_authenticated:
        if settings.DASHBOARD_PUBLIC_READ:
            return ProgressReadScope(approved & Q(round__state=RoundState.CONFIRMED), False)
        return ProgressReadScope(_NOTHING, False)
    if may_manage_progress(user):
        return ProgressReadScope(Q(), True)
    # A round being prepared is 情報企画課's draft: its empty reports are shown from opening on.
    prepared = Q(round__state=RoundState.PREPARING)
    return ProgressReadScope(approved | (writable_reports(user) & ~prepared), True)


def may_read_report(user, report) -> bool:
    """Whether ``report`` is within ``user``'s read scope (one query, the same rule)."""
    return type(report).objects.filter(progress_read_scope(user).reports, pk=report.pk).exists()


def may_read_round_results(user, progress_round) -> bool:
    """Whether ``user`` may read a round's results (comparison, workbook, open data): 情報企画課
    any round; everyone who may read the dashboard only confirmed rounds, whose approved
    answers are public facts (these files and pages name no one)."""
    if may_manage_progress(user):
        return True
    if not progress_round.is_final:
        return False
    return user.is_authenticated or settings.DASHBOARD_PUBLIC_READ
