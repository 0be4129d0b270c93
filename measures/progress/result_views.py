"""Pages and files of a round's results: the comparison with the previous round, the
workbook for 庁議 and the open-data CSV. 情報企画課 reads any round; everyone who may read the
dashboard (the public too, with ``DASHBOARD_PUBLIC_READ``) reads confirmed rounds."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from governance.audit import AccessKind, record_access
from governance.models import Division
from measures.exports.responses import csv_chunks, download, file_chunks

from . import exports, permissions
from .comparison import round_comparison
from .filters import ComparisonFilterForm
from .models import ProgressRound

PAGE_SIZE = 50


def _readable_round(view):
    """Hand the view the round of ``pk``; answer for it to someone who may not read the round's
    results (a login for the anonymous, a refusal naming the rule for the others)."""

    @wraps(view)
    def with_round(request, pk: int, **kwargs):
        progress_round = get_object_or_404(ProgressRound, pk=pk)
        if permissions.may_read_round_results(request.user, progress_round):
            return view(request, progress_round, **kwargs)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied(
            _(
                "確定前の進捗調査の結果は情報企画課だけが見られます。"
                "確定後にもう一度開いてください。"
            )
        )

    return with_round


def _filtered_rows(request, comparison):
    """Return (form, rows, page number, error texts): a bad value leaves every row shown."""
    divisions = Division.objects.select_related("department")
    form = ComparisonFilterForm(request.GET or None, divisions=divisions)
    if not form.is_bound:
        return form, comparison.rows, None, []
    if form.is_valid():
        return form, comparison.filtered(**form.filters()), form.cleaned_data.get("page"), []
    errors = form.error_texts()
    return ComparisonFilterForm(divisions=divisions), comparison.rows, None, errors


@require_GET
@_readable_round
def round_compare(request, progress_round: ProgressRound):
    comparison = round_comparison(progress_round)
    form, rows, page_number, errors = _filtered_rows(request, comparison)
    for text in errors:
        messages.error(request, _("%(error)s（すべての施策を表示しています）") % {"error": text})
    page = Paginator(rows, PAGE_SIZE).get_page(page_number)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "measures/progress/round_compare.html",
        {
            "progress_round": progress_round,
            "comparison": comparison,
            "form": form,
            "page": page,
            "shown": len(rows),
            "filter_query": query.urlencode(),
            "may_manage": permissions.may_manage_progress(request.user),
        },
    )


@require_GET
@_readable_round
def round_compare_csv(request, progress_round: ProgressRound):
    comparison = round_comparison(progress_round)
    _form, rows, _page, errors = _filtered_rows(request, comparison)
    if errors:
        return render(request, "400.html", {"reason": " ".join(errors)}, status=400)
    filename = exports.round_filename(progress_round, "前回との比較", "csv")
    record_access(request, AccessKind.EXPORT, detail=filename)
    return exports.attachment(
        exports.comparison_csv(rows), content_type=exports.CSV_TYPE, filename=filename
    )


@require_GET
@_readable_round
def round_results_workbook(request, progress_round: ProgressRound):
    """The round's results for 庁議: 集計 and one sheet per category, totals as formulas."""
    filename = exports.results_filename(progress_round)
    record_access(request, AccessKind.EXPORT, detail=filename)
    return download(
        file_chunks(lambda stream: exports.write_round_results(stream, progress_round)),
        content_type=exports.XLSX_TYPE,
        filename=filename,
    )


@require_GET
@_readable_round
def round_opendata(request, progress_round: ProgressRound, bom: bool = False):
    """The round's approved answers as open data: UTF-8 CSV, or with a BOM for Excel."""
    filename = exports.round_opendata_filename(progress_round, bom=bom)
    record_access(request, AccessKind.EXPORT, detail=filename)
    return download(
        csv_chunks(exports.OPENDATA_HEADER, exports.round_opendata_rows(progress_round), bom=bom),
        content_type=exports.CSV_TYPE,
        filename=filename,
    )
