"""Admin import of an edited summary workbook: upload → preview → confirm.

Nothing is written before the confirm step. Between the steps the uploaded file is kept in the
session (base64, with its SHA-256) and read again on confirm, against the register as it then
stands: if what would change is no longer what the user saw, nothing is written and the new
preview is shown instead. Measures changed since the workbook was made are written only where
the user ticked 「ブックの内容で上書きする」 for that measure.
"""

import base64
import hashlib

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.audit import AccessKind, record_access
from measures.models import Status

from .apply import apply_plan
from .files import MAX_UPLOAD_BYTES, WorkbookRefused
from .summary import ImportConflict, ImportPlan, plan_rows, read_plan

SESSION_KEY = "measures_excel_import"
IMPORT_PERMISSION = "measures.import_measures"


def _chosen_pks(values: list[str]) -> set[int]:
    """Return the measure numbers ticked for overwriting (anything else is ignored)."""
    return {int(v) for v in values if v.isascii() and v.isdigit() and len(v) <= 10}


class WorkbookUploadForm(forms.Form):
    workbook = forms.FileField(
        label=gettext_lazy("Excel ブック (.xlsx)"),
        help_text=gettext_lazy(
            "ダッシュボードから書き出した集計ブックを編集したもの（上限 5 MB）。"
            "次の画面で変更内容を確認してから反映します。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


class ExcelImportAdminMixin:
    """Adds 「Excelから取り込む」 to the measure admin, for users with import_measures."""

    import_template = "admin/measures/measure/excel_import.html"
    import_preview_template = "admin/measures/measure/excel_import_preview.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.excel_import_view),
                name="{}_{}_import".format(*info),
            ),
            path(
                "import/preview/",
                self.admin_site.admin_view(self.excel_import_preview_view),
                name="{}_{}_import_preview".format(*info),
            ),
            *super().get_urls(),
        ]

    def has_import_permission(self, request) -> bool:
        return request.user.has_perm(IMPORT_PERMISSION)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_import_permission": self.has_import_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def _url(self, name: str) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}")

    def _context(self, request, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Excelから取り込む"),
            "legend": [f"{s.mark} {s.label}" for s in Status],
            **extra,
        }

    def excel_import_view(self, request):
        """Step 1: upload. A file refused as a whole, or with problems, is shown at once."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = WorkbookUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["workbook"]
            try:
                if upload.size > MAX_UPLOAD_BYTES:
                    raise WorkbookRefused(
                        _("ファイルが大きすぎます（上限 %(mb)d MB）。")
                        % {"mb": MAX_UPLOAD_BYTES // 2**20}
                    )
                content = upload.read()
                plan = read_plan(content, filename=upload.name)
            except WorkbookRefused as exc:
                form.add_error("workbook", str(exc))
            else:
                if plan.has_errors:
                    return self._render_preview(request, plan)
                request.session[SESSION_KEY] = {
                    "filename": upload.name,
                    "sha256": plan.sha256,
                    "content": base64.b64encode(content).decode("ascii"),
                }
                return redirect(self._url("import_preview"))
        return TemplateResponse(
            request,
            self.import_template,
            self._context(request, form=form, max_mb=MAX_UPLOAD_BYTES // 2**20),
        )

    def _stored_plan(self, request) -> ImportPlan | None:
        stored = request.session.get(SESSION_KEY)
        if not stored:
            return None
        content = base64.b64decode(stored["content"])
        if hashlib.sha256(content).hexdigest() != stored["sha256"]:
            return None
        return read_plan(content, filename=stored["filename"])

    def _render_preview(self, request, plan: ImportPlan):
        return TemplateResponse(
            request,
            self.import_preview_template,
            self._context(
                request,
                plan=plan,
                digest=plan.digest,
                rows=plan_rows(plan),
                upload_url=self._url("import"),
                changelist_url=self._url("changelist"),
            ),
        )

    def excel_import_preview_view(self, request):
        """Step 2: show every change; on confirm, read the file again and write it."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "cancel" in request.POST:
            request.session.pop(SESSION_KEY, None)
            messages.info(request, _("取り込みを取り消しました。何も変更していません。"))
            return redirect(self._url("changelist"))
        try:
            plan = self._stored_plan(request)
        except WorkbookRefused as exc:
            request.session.pop(SESSION_KEY, None)
            messages.error(request, str(exc))
            return redirect(self._url("import"))
        if plan is None:
            messages.warning(request, _("取り込むファイルがありません。もう一度選んでください。"))
            return redirect(self._url("import"))
        if request.method != "POST":
            return self._render_preview(request, plan)
        if plan.has_errors or request.POST.get("digest") != plan.digest:
            messages.error(
                request,
                _(
                    "確認した後に施策が変更されたため、取り込む内容が変わりました。"
                    "何も変更していません。新しい内容を確かめてください。"
                ),
            )
            return redirect(self._url("import_preview"))
        overwrite = _chosen_pks(request.POST.getlist("overwrite"))
        kept = [c for c in plan.conflicts if c.measure_pk not in overwrite]
        try:
            written = apply_plan(plan, user=request.user, overwrite=overwrite)
        except ImportConflict as exc:
            messages.error(request, str(exc))
            return redirect(self._url("import_preview"))
        request.session.pop(SESSION_KEY, None)
        if kept:
            messages.warning(
                request,
                _(
                    "ブックの作成後に変更されていた %(count)d 件の施策は、上書きを選ばなかったため"
                    "変更していません。"
                )
                % {"count": len(kept)},
            )
        if not written:
            messages.info(request, _("変更はありませんでした。"))
            return redirect(self._url("changelist"))
        record_access(
            request,
            AccessKind.IMPORT,
            detail=f"{plan.filename}: {written} 件",
        )
        messages.success(
            request,
            _("「%(file)s」から %(count)d 件の施策を取り込みました（変更履歴に記録済み）。")
            % {"file": plan.filename, "count": written},
        )
        return redirect(self._url("changelist"))
