"""Pages of the progress cycle: 「私の報告」 and the report form for divisions, the round list
and dashboard for 情報企画課. Thin: check who may (``permissions``), read (``selectors``),
write (``services``), render."""

import csv
import io
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from governance.audit import AccessKind, record_access
from measures.exports.cells import safe_text
from measures.exports.responses import CSV_TYPE, attachment
from measures.services import EditConflict

from . import permissions, selectors, services
from .forms import (
    CorrectionForm,
    ReportFieldsForm,
    ReportForm,
    ReturnForm,
    RoundEditForm,
    RoundForm,
    ScopeForm,
    VersionForm,
)
from .models import ProgressReport, ProgressRound, ReportState, RoundState
from .reminders import RemindedMeanwhile, reminded_stamp, send_progress_reminders
from .survey.selectors import survey_dashboard


def _manager_only(view):
    """Login first (even when the public may read), then 情報企画課's permission."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.may_manage_progress(request.user):
            raise PermissionDenied(_("進捗調査の管理は情報企画課の担当者だけができます。"))
        return view(request, *args, **kwargs)

    return wrapped


def _report_queryset():
    return ProgressReport.objects.select_related(
        "round",
        "measure__category",
        "measure__responsible_division__department",
        "written_by",
        "submitted_by",
        "reviewed_by",
    )


def _round_url(progress_round, report=None) -> str:
    url = reverse("measures:progress:round", args=[progress_round.pk])
    return f"{url}#report-{report.pk}" if report is not None else url


# --- Divisions: 私の報告 and the report form ---------------------------------------------------


@login_required
def my_reports(request):
    return render(
        request,
        "measures/progress/my_reports.html",
        {"mine": selectors.my_reports(request.user, page=request.GET.get("page"))},
    )


def _writable(report, user) -> bool:
    return (
        permissions.may_write_report(user, report)
        and report.round.state == RoundState.OPEN
        and report.state in services.WRITABLE_STATES
    )


def _report_form_initial(report, page) -> dict:
    """A report never written starts from the previous confirmed answer."""
    if report.written_at is None and page.previous is not None:
        return ReportFieldsForm.initial_from(page.previous)
    return ReportFieldsForm.initial_from(report)


def _with_version(form, version: int):
    """Keep what the user typed, with the version now current, after a refused save."""
    data = form.data.copy()
    data["version"] = str(version)
    return type(form)(data)


def _render_report(request, report, *, form=None, return_form=None, status=200):
    page = selectors.report_page(report)
    if form is None and _writable(report, request.user):
        form = ReportForm(initial={**_report_form_initial(report, page), "version": report.version})
    may_review = permissions.may_review_reports(request.user)
    can_review = (
        may_review
        and report.state == ReportState.SUBMITTED
        and report.round.state in {RoundState.OPEN, RoundState.CLOSED}
    )
    if can_review and return_form is None:
        return_form = ReturnForm(initial={"version": report.version})
    context = {
        "page": page,
        "report": report,
        "progress_round": report.round,
        "form": form,
        "prefilled": form is not None
        and not form.is_bound
        and report.written_at is None
        and page.previous is not None,
        "may_manage": may_review,
        "can_review": can_review,
        "return_form": return_form if can_review else None,
        "can_correct": may_review and report.round.is_final and not report.round.is_baseline,
        "shows_people": permissions.progress_read_scope(request.user).shows_people,
    }
    return render(request, "measures/progress/report.html", context, status=status)


@login_required
def report_detail(request, pk: int):
    report = get_object_or_404(_report_queryset(), pk=pk)
    if request.method == "POST" and not permissions.may_write_report(request.user, report):
        raise PermissionDenied(_("この施策の進捗報告を書く権限がありません。"))
    if not permissions.may_read_report(request.user, report):
        raise PermissionDenied(_("この進捗報告を見る権限がありません。"))
    if request.method != "POST":
        return _render_report(request, report)
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("入力に誤りがあります。赤字の項目を直してください。"))
        return _render_report(request, report, form=form)
    write = (
        services.progress_report_submit if form.submitting else services.progress_report_save_draft
    )
    try:
        write(
            report_pk=report.pk,
            expected_version=form.cleaned_data["version"],
            content=form.content(),
            user=request.user,
        )
    except services.ProgressConflict as conflict:
        messages.error(request, str(conflict))
        report.refresh_from_db()
        return _render_report(request, report, form=_with_version(form, report.version))
    except services.ProgressError as error:
        messages.error(request, str(error))
        report.refresh_from_db()
        return _render_report(request, report)
    if form.submitting:
        messages.success(
            request,
            _("「%(name)s」の報告を提出しました。情報企画課が確認します。")
            % {"name": report.measure.name},
        )
    else:
        messages.success(
            request,
            _("「%(name)s」の報告を下書き保存しました。提出するまで情報企画課には届きません。")
            % {"name": report.measure.name},
        )
    return redirect("measures:progress:mine")


# --- 情報企画課: reviewing reports ------------------------------------------------------------


@require_POST
@_manager_only
def report_approve(request, pk: int):
    report = get_object_or_404(_report_queryset(), pk=pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["version"][0])
        return redirect("measures:progress:report", pk=report.pk)
    try:
        services.progress_report_approve(
            report_pk=report.pk, expected_version=form.cleaned_data["version"], user=request.user
        )
    except services.ProgressError as error:
        messages.error(request, str(error))
        return redirect("measures:progress:report", pk=report.pk)
    messages.success(
        request, _("「%(name)s」の報告を承認しました。") % {"name": report.measure.name}
    )
    return redirect(_round_url(report.round, report))


@require_POST
@_manager_only
def report_return(request, pk: int):
    report = get_object_or_404(_report_queryset(), pk=pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("入力に誤りがあります。赤字の項目を直してください。"))
        return _render_report(request, report, return_form=form)
    try:
        services.progress_report_return(
            report_pk=report.pk,
            expected_version=form.cleaned_data["version"],
            comment=form.cleaned_data["comment"],
            user=request.user,
        )
    except services.ProgressError as error:
        messages.error(request, str(error))
        report.refresh_from_db()
        return _render_report(request, report)
    messages.success(
        request,
        _("「%(name)s」の報告を差し戻しました。担当課の「私の報告」にコメントが表示されます。")
        % {"name": report.measure.name},
    )
    return redirect(_round_url(report.round, report))


@_manager_only
def report_correct(request, pk: int):
    report = get_object_or_404(_report_queryset(), pk=pk)
    if not report.round.is_final or report.round.is_baseline:
        messages.error(
            request, _("訂正できるのは確定した進捗調査（計画書掲載時点を除く）の報告だけです。")
        )
        return redirect("measures:progress:report", pk=report.pk)
    if request.method == "POST":
        form = CorrectionForm(request.POST)
        if form.is_valid():
            try:
                services.progress_report_correct(
                    report_pk=report.pk,
                    expected_version=form.cleaned_data["version"],
                    content=form.content(),
                    reason=form.cleaned_data["reason"],
                    user=request.user,
                )
            except (services.ProgressError, EditConflict) as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("確定した報告を訂正しました（変更履歴に記録済み）。"))
                return redirect("measures:progress:report", pk=report.pk)
        else:
            messages.error(request, _("入力に誤りがあります。赤字の項目を直してください。"))
    else:
        form = CorrectionForm(
            initial={**ReportFieldsForm.initial_from(report), "version": report.version}
        )
    return render(
        request, "measures/progress/report_correct.html", {"report": report, "form": form}
    )


# --- 情報企画課: rounds -----------------------------------------------------------------------


@_manager_only
def round_list(request):
    return render(
        request,
        "measures/progress/round_list.html",
        {"rounds": selectors.round_list(), "open_round": ProgressRound.objects.open().first()},
    )


@_manager_only
def round_create(request):
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            progress_round = services.progress_round_create(**form.cleaned_data, user=request.user)
        except services.ProgressError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "進捗調査「%(title)s」を作成しました（準備中）。対象の施策を確かめてから"
                    "受付を開始してください。"
                )
                % {"title": progress_round.title},
            )
            return redirect(_round_url(progress_round))
    return render(request, "measures/progress/round_form.html", {"form": form})


@_manager_only
def round_edit(request, pk: int):
    progress_round = get_object_or_404(ProgressRound, pk=pk)
    if request.method == "POST":
        form = RoundEditForm(request.POST)
        if form.is_valid():
            try:
                services.progress_round_update(
                    round_pk=pk,
                    expected_version=form.cleaned_data.pop("version"),
                    user=request.user,
                    **form.cleaned_data,
                )
            except services.ProgressError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("名称と日付を変更しました。"))
                return redirect(_round_url(progress_round))
    else:
        form = RoundEditForm(
            initial={
                "title": progress_round.title,
                "reference_date": progress_round.reference_date,
                "opens_on": progress_round.opens_on,
                "closes_on": progress_round.closes_on,
                "version": progress_round.version,
            }
        )
    return render(
        request,
        "measures/progress/round_form.html",
        {"form": form, "progress_round": progress_round},
    )


@_manager_only
def round_dashboard(request, pk: int):
    progress_round = get_object_or_404(ProgressRound, pk=pk)
    shown_state = request.GET.get("state", "")
    if shown_state not in ReportState.values:
        shown_state = ""
    dashboard = selectors.round_dashboard(
        progress_round, state=shown_state, page=request.GET.get("page") or 1
    )
    rows = dashboard.rows
    return render(
        request,
        "measures/progress/round_dashboard.html",
        {
            "dashboard": dashboard,
            "progress_round": progress_round,
            "rows": rows,
            "shown_state": shown_state,
            "report_states": ReportState,
            "survey": survey_dashboard(progress_round, dashboard.divisions),
        },
    )


_TRANSITIONS = {
    "open": (
        services.progress_round_open,
        gettext_lazy("受付を開始しました。各課等の「私の報告」に表示されます。"),
    ),
    "close": (
        services.progress_round_close,
        gettext_lazy("締め切りました。各課等は報告を変更できません。"),
    ),
    "confirm": (services.progress_round_confirm, None),
}


@_manager_only
def round_transition(request, pk: int, action: str):
    """GET: the confirmation step (what will happen); POST: do it."""
    progress_round = get_object_or_404(ProgressRound, pk=pk)
    service, done = _TRANSITIONS[action]
    if request.method == "POST":
        form = VersionForm(request.POST)
        if form.is_valid():
            try:
                result = service(
                    round_pk=pk, expected_version=form.cleaned_data["version"], user=request.user
                )
            except (services.ProgressError, EditConflict) as error:
                messages.error(request, str(error))
            else:
                if action == "confirm":
                    done = _(
                        "確定しました。承認された状況を施策に反映しました（状況が変わった施策: "
                        "%(count)d 件）。この調査は読み取り専用になりました。"
                    ) % {"count": result}
                messages.success(request, done)
                return redirect(_round_url(progress_round))
        else:
            messages.error(request, form.errors["version"][0])
    return render(
        request,
        "measures/progress/round_transition.html",
        {
            "progress_round": progress_round,
            "action": action,
            # Counts and totals only: one page of rows is plenty.
            "dashboard": selectors.round_dashboard(progress_round, page=1),
            "other_open": ProgressRound.objects.open().exclude(pk=pk).first(),
        },
    )


@require_POST
@_manager_only
def round_approve_unchanged(request, pk: int):
    progress_round = get_object_or_404(ProgressRound, pk=pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["version"][0])
        return redirect(_round_url(progress_round))
    try:
        count = services.progress_reports_approve_unchanged(
            round_pk=pk, expected_version=form.cleaned_data["version"], user=request.user
        )
    except services.ProgressError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("前回と同じ回答の報告 %(count)d 件を承認しました。") % {"count": count}
        )
    return redirect(_round_url(progress_round))


@_manager_only
def round_remind(request, pk: int):
    """GET: whom the reminder would reach (nothing sent); POST: send it and note the time."""
    progress_round = get_object_or_404(ProgressRound, pk=pk)
    if request.method == "POST":
        # The page says when reminders last went out; if that moved since, a second click or
        # a colleague sent them already, and the divisions are not mailed twice.
        try:
            run = send_progress_reminders(
                progress_round=progress_round,
                last_reminded=request.POST.get("last_reminded", ""),
            )
        except RemindedMeanwhile:
            messages.error(
                request,
                _(
                    "この調査の督促メールは、この画面を開いた後に送られています。送り直していません。"
                ),
            )
            return redirect(_round_url(progress_round))
        if run.progress_round is None:
            messages.error(request, _("督促できるのは受付中の調査だけです。"))
        else:
            reached = sum(1 for item in run.sent if item.recipients)
            messages.success(
                request,
                _("督促メールを %(reached)d 課等に送りました（宛先のない課等: %(unreached)d）。")
                % {"reached": reached, "unreached": len(run.sent) - reached},
            )
        return redirect(_round_url(progress_round))
    return render(
        request,
        "measures/progress/round_remind.html",
        {
            "progress_round": progress_round,
            "run": send_progress_reminders(progress_round=progress_round, dry_run=True),
            "last_reminded": reminded_stamp(progress_round),
        },
    )


@_manager_only
def round_scope(request, pk: int):
    progress_round = get_object_or_404(ProgressRound, pk=pk)
    scope = selectors.round_scope(progress_round)
    measure_pks = [measure.pk for measure, _covered in scope]
    if request.method == "POST":
        form = ScopeForm(request.POST, measure_pks=measure_pks)
        if form.is_valid():
            try:
                added, removed = services.progress_round_set_scope(
                    round_pk=pk,
                    expected_version=form.cleaned_data["version"],
                    measure_pks=form.cleaned_data["measures"],
                    user=request.user,
                )
            except services.ProgressError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("対象の施策を変更しました（追加 %(added)d 件、除外 %(removed)d 件）。")
                    % {"added": added, "removed": removed},
                )
                return redirect(_round_url(progress_round))
        else:
            for errors in form.errors.values():
                messages.error(request, errors[0])
    return render(
        request,
        "measures/progress/round_scope.html",
        {"progress_round": progress_round, "scope": scope},
    )


_UNSAFE_IN_FILENAMES = set('/\\:*?"<>|')
_CSV_HEADER = [
    "担当課",
    "情報化推進リーダー",
    "区分",
    "表内の位置",
    "施策名",
    "提出状況",
    "締切",
    "期限超過",
]


@_manager_only
@require_safe
def round_outstanding_csv(request, pk: int):
    """The reports still owed, one row each, for chasing them up (UTF-8 with BOM for Excel)."""
    progress_round = get_object_or_404(ProgressRound, pk=pk)
    reports = selectors.outstanding_reports(progress_round)
    leaders = selectors.current_leader_names(
        {r.measure.responsible_division_id for r in reports if r.measure.responsible_division_id}
    )
    today = timezone.localdate()
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(_CSV_HEADER)
    for report in reports:
        division = report.measure.responsible_division
        writer.writerow(
            safe_text(value)
            for value in [
                str(division) if division else _("担当課未設定"),
                "、".join(leaders.get(division.pk, [])) if division else "",
                report.measure.category.short_name,
                report.measure.position,
                report.measure.name,
                report.state_choice.label,
                progress_round.closes_on.isoformat(),
                _("はい") if selectors.is_overdue(progress_round, report, today) else "",
            ]
        )
    title = "".join("_" if c in _UNSAFE_IN_FILENAMES else c for c in progress_round.title)
    filename = f"未提出_{title}_{today.isoformat()}.csv"
    record_access(request, AccessKind.EXPORT, detail=filename)
    return attachment(
        stream.getvalue().encode("utf-8-sig"), content_type=CSV_TYPE, filename=filename
    )
