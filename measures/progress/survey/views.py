"""The 調査票 steps of the round dashboard (情報企画課 only): download one division's workbook
or a zip of all; upload returned workbooks → preview → confirm.

Nothing is written before confirm. Between the steps the uploaded files are kept in the
session with their SHA-256 (as the summary import does) and read again on confirm, against the
reports as they then stand: if what would be stored is no longer what the user saw, nothing
is written and the new preview is shown.
"""

import base64
import hashlib
import io

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from governance.audit import AccessKind, record_access
from measures.exports.responses import XLSX_TYPE, attachment

from .. import services as progress_services
from ..models import ProgressRound, RoundState
from ..views import _manager_only
from . import reader, services, writer
from .selectors import division_survey, survey_divisions

SESSION_KEY = "progress_survey_import"
# The web upload as a whole (the command line takes what the reader allows).
MAX_WEB_UPLOAD_BYTES = 20 * 1024 * 1024


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class _MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", _MultipleFileInput(attrs={"accept": ".xlsx,.zip"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class SurveyUploadForm(forms.Form):
    files = _MultipleFileField(
        label=gettext_lazy("返送された調査票（.xlsx、複数可、または zip）"),
        help_text=gettext_lazy(
            "各課等から返送された調査票を選びます（複数選べます。zip にまとめたものも可）。"
            "次の画面で取り込む内容を確認してから反映します。"
        ),
    )


def _dashboard_url(progress_round) -> str:
    return reverse("measures:progress:round", args=[progress_round.pk]) + "#survey-heading"


def _refuse_unless_open(request, progress_round) -> bool:
    if progress_round.state == RoundState.OPEN:
        return False
    messages.error(
        request,
        _(
            "調査票は受付中の進捗調査でだけ使えます（「%(title)s」は%(state)s）。"
            "受付を開始（または再開）してください。"
        )
        % {"title": progress_round.title, "state": progress_round.state_choice.label},
    )
    return True


@_manager_only
@require_safe
def survey_download(request, pk: int, division_pk: int):
    """One division's 調査票."""
    progress_round = get_object_or_404(ProgressRound, pk=pk)
    if _refuse_unless_open(request, progress_round):
        return redirect(_dashboard_url(progress_round))
    survey = division_survey(progress_round, division_pk)
    if survey is None:
        raise Http404(_("この課等には、この調査で回答する施策がありません。"))
    filename = writer.survey_filename(progress_round, survey.division)
    content = writer.survey_bytes(progress_round, survey)
    record_access(request, AccessKind.EXPORT, detail=filename)
    return attachment(content, content_type=XLSX_TYPE, filename=filename)


@_manager_only
@require_safe
def survey_zip(request, pk: int):
    """Every division's 調査票 in one zip."""
    progress_round = get_object_or_404(ProgressRound, pk=pk)
    if _refuse_unless_open(request, progress_round):
        return redirect(_dashboard_url(progress_round))
    surveys = survey_divisions(progress_round)
    if not surveys:
        messages.info(request, _("調査票を作る課等がありません（回答待ちの報告がありません）。"))
        return redirect(_dashboard_url(progress_round))
    stream = io.BytesIO()
    count = writer.write_survey_zip(stream, progress_round, surveys)
    filename = writer.survey_zip_filename(progress_round)
    record_access(request, AccessKind.EXPORT, detail=f"{filename}: {count} 課等")
    return attachment(stream.getvalue(), content_type="application/zip", filename=filename)


def _render(request, template: str, progress_round, **context):
    return render(
        request,
        f"measures/progress/survey/{template}",
        {"progress_round": progress_round, **context},
    )


@_manager_only
def survey_import(request, pk: int):
    """Step 1: upload. Problems are listed at once, by file, sheet and cell."""
    progress_round = get_object_or_404(ProgressRound, pk=pk)
    form = SurveyUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads = form.cleaned_data["files"]
        if sum(upload.size for upload in uploads) > MAX_WEB_UPLOAD_BYTES:
            form.add_error(
                "files",
                _("ファイルが大きすぎます（合計の上限 %(mb)d MB）。分けて取り込んでください。")
                % {"mb": MAX_WEB_UPLOAD_BYTES // 2**20},
            )
        else:
            files = [(upload.name, upload.read()) for upload in uploads]
            plan = reader.read_survey_upload(files, progress_round=progress_round)
            if plan.has_errors:
                return _render(request, "preview.html", progress_round, plan=plan)
            request.session[SESSION_KEY] = {
                "round": progress_round.pk,
                "files": [
                    {
                        "name": name,
                        "sha256": hashlib.sha256(content).hexdigest(),
                        "content": base64.b64encode(content).decode("ascii"),
                    }
                    for name, content in files
                ],
            }
            return redirect("measures:progress:survey_preview", pk=progress_round.pk)
    return _render(
        request,
        "import.html",
        progress_round,
        form=form,
        max_mb=MAX_WEB_UPLOAD_BYTES // 2**20,
    )


def _stored_files(request, progress_round) -> list[tuple[str, bytes]] | None:
    stored = request.session.get(SESSION_KEY)
    if not stored or stored.get("round") != progress_round.pk:
        return None
    files = []
    for item in stored["files"]:
        content = base64.b64decode(item["content"])
        if hashlib.sha256(content).hexdigest() != item["sha256"]:
            return None
        files.append((item["name"], content))
    return files


def _chosen(values: list[str]) -> set[int]:
    """Return the measure numbers ticked for overwriting (anything else is ignored)."""
    return {int(v) for v in values if v.isascii() and v.isdigit() and len(v) <= 10}


@_manager_only
def survey_preview(request, pk: int):
    """Step 2: show what will be stored; on confirm, read the files again and store them."""
    progress_round = get_object_or_404(ProgressRound, pk=pk)
    if request.method == "POST" and "cancel" in request.POST:
        request.session.pop(SESSION_KEY, None)
        messages.info(request, _("調査票の取り込みを取り消しました。何も変更していません。"))
        return redirect(_dashboard_url(progress_round))
    files = _stored_files(request, progress_round)
    if files is None:
        messages.warning(request, _("取り込む調査票がありません。もう一度選んでください。"))
        return redirect("measures:progress:survey_import", pk=progress_round.pk)
    plan = reader.read_survey_upload(files, progress_round=progress_round)
    if request.method != "POST":
        return _render(request, "preview.html", progress_round, plan=plan)
    if plan.has_errors or request.POST.get("digest") != plan.digest:
        messages.error(
            request,
            _(
                "確認した後に報告が変更されたため、取り込む内容が変わりました。"
                "何も変更していません。新しい内容を確かめてください。"
            ),
        )
        return redirect("measures:progress:survey_preview", pk=progress_round.pk)
    try:
        result = services.survey_import_apply(
            plan=plan, user=request.user, overwrite=_chosen(request.POST.getlist("overwrite"))
        )
    except progress_services.ProgressError as error:
        messages.error(request, str(error))
        return redirect("measures:progress:survey_preview", pk=progress_round.pk)
    request.session.pop(SESSION_KEY, None)
    names = "、".join(f.filename for f in plan.files)
    record_access(request, AccessKind.IMPORT, detail=f"調査票 {names}: {result.stored} 件"[:500])
    messages.success(
        request,
        _(
            "調査票 %(files)d ファイルから %(count)d 件の報告を「提出」として取り込みました"
            "（変更履歴にファイル名を記録済み）。内容を確かめて承認または差戻ししてください。"
        )
        % {"files": result.files, "count": result.stored},
    )
    if result.kept:
        messages.warning(
            request,
            _(
                "ダッシュボードで先に変更されていた %(count)d 件の報告は、上書きを選ばなかったため"
                "変更していません。"
            )
            % {"count": result.kept},
        )
    return redirect(_dashboard_url(progress_round))
