"""Read-only pages of the dashboard: thin views over ``selectors``."""

from datetime import date
from urllib.parse import urlencode

from django import forms
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from governance.audit import AccessKind, record_access
from governance.selectors import measure_responsibility

from . import selectors
from .exports.measure_list import measure_list_csv, measure_list_rows, write_measure_list
from .exports.responses import CSV_TYPE, XLSX_TYPE, download, file_chunks
from .filters import MeasureFilter
from .history import NoHistoryBefore, first_history_date, measure_history
from .models import Category, Measure
from .progress.selectors import measure_progress
from .progress.trend import plan_trend
from .rows import browser_rows
from .tables import MeasureTable, RowTableData


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        label=gettext_lazy("時点（この日の終わり）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("日付は 2024-03-31 の形で入力してください。")},
    )

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["as_of"].widget.attrs["max"] = self.today.isoformat()

    def clean_as_of(self):
        """Refuse days that have not ended: their figures are not known yet."""
        as_of = self.cleaned_data["as_of"]
        if as_of and as_of > self.today:
            raise forms.ValidationError(
                _("%(day)sは未来の日付です。今日（%(today)s）までの日付を指定してください。")
                % {"day": date_format(as_of), "today": date_format(self.today)},
                code="future",
            )
        return as_of


class _AsOfMixin:
    """Read ``?as_of=YYYY-MM-DD``; a bad date shows a message and the current figures."""

    def as_of(self) -> tuple[AsOfForm, date | None]:
        form = AsOfForm(self.request.GET or None)
        if form.is_valid() and form.cleaned_data["as_of"]:
            return form, form.cleaned_data["as_of"]
        return form, None

    def with_as_of(self, build, **kwargs):
        """Call ``build(as_of=…)``; return (result, context for the as-of field)."""
        form, as_of = self.as_of()
        context = {"as_of_form": form, "as_of": None, "no_history_before": None}
        if as_of is not None:
            try:
                result = build(as_of=as_of, **kwargs)
            except NoHistoryBefore:
                context["no_history_before"] = as_of
                context["first_history_date"] = first_history_date()
            else:
                context["as_of"] = as_of
                return result, context
        return build(as_of=None, **kwargs), context


class HomeView(_AsOfMixin, TemplateView):
    template_name = "measures/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        overview, as_of_context = self.with_as_of(selectors.status_overview)
        context.update(
            as_of_context, overview=overview, today=timezone.localdate(), trend=plan_trend()
        )
        return context


class CategorySummaryView(_AsOfMixin, TemplateView):
    template_name = "measures/category_summary.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        category = get_object_or_404(Category, code=self.kwargs["code"])
        (rows, breakdown), as_of_context = self.with_as_of(
            selectors.category_summary, category=category, page=self.request.GET.get("page")
        )
        context.update(
            as_of_context,
            category=category,
            categories=Category.objects.order_by("order"),
            rows=rows,
            breakdown=breakdown,
            export_query=urlencode({"category": category.code}),
        )
        return context


class MeasureBrowserView(SingleTableMixin, FilterView):
    """Filter, sort and page the measures; every state lives in the query string."""

    template_name = "measures/measure_browser.html"
    filterset_class = MeasureFilter
    table_class = MeasureTable

    def get_queryset(self):
        return Measure.objects.all()

    def get_table_data(self):
        form = self.filterset.form
        valid = form.is_valid()
        return RowTableData(
            browser_rows(
                self.object_list,
                category=form.cleaned_data.get("category") if valid else None,
                with_relistings=bool(form.cleaned_data.get("relistings")) if valid else False,
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["export_query"] = query.urlencode()
        return context


class _MeasureExportView(MeasureBrowserView):
    """The browser's filtered rows, in its sort order, all pages, as a file streamed from the
    database."""

    def get_table_pagination(self, table):
        return False

    def render_to_response(self, context, **response_kwargs):
        rows = context["table"].data.data  # the RowQuery, filtered and ordered
        stamp = timezone.localtime().strftime("%Y%m%d")
        record_access(
            self.request,
            AccessKind.EXPORT,
            detail=_("施策一覧 %(count)d 行") % {"count": rows.count()},
        )
        return self.file_response(rows, f"measures-{stamp}")


class MeasureCsvExportView(_MeasureExportView):
    def file_response(self, rows, stem):
        return download(measure_list_csv(rows), filename=f"{stem}.csv", content_type=CSV_TYPE)


class MeasureXlsxExportView(_MeasureExportView):
    def file_response(self, rows, stem):
        title = _("施策一覧")
        return download(
            file_chunks(
                lambda stream: write_measure_list(stream, measure_list_rows(rows), title=title)
            ),
            filename=f"{stem}.xlsx",
            content_type=XLSX_TYPE,
        )


class PlanPeriodView(TemplateView):
    template_name = "measures/plan_periods.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        columns, measures = selectors.period_matrix(page=self.request.GET.get("page"))
        context.update(columns=columns, measures=measures)
        return context


class MeasureDetailView(DetailView):
    model = Measure
    template_name = "measures/measure_detail.html"
    context_object_name = "measure"

    def get_queryset(self):
        return Measure.objects.with_display_data()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = measure_history(self.object, viewer=self.request.user)
        context["responsibility"] = measure_responsibility(self.object)
        context["progress"] = measure_progress(self.object, self.request.user)
        return context
