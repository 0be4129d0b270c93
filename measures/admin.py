from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .excel.admin_views import ExcelImportAdminMixin
from .forms import MeasureAdminForm
from .models import Category, Measure, Plan, PlanPeriod, Relisting, Status
from .services import measure_set_status
from .text import search_key


class RelistingInline(admin.TabularInline):
    model = Relisting
    fk_name = "measure"
    extra = 0
    fields = ["category", "position", "label"]
    verbose_name = _("再掲先")
    verbose_name_plural = _("再掲先（他の区分の表に再掲される行。集計には数えません）")


def _status_action(status: Status):
    def action(modeladmin, request, queryset):
        changed = measure_set_status(
            measures=queryset, status=status, user=request.user, reason=_("一括変更")
        )
        modeladmin.message_user(
            request,
            _("%(count)d 件の状況を「%(label)s」に変更しました（変更履歴に記録済み）。")
            % {"count": changed, "label": status.label},
            messages.SUCCESS,
        )

    action.__name__ = f"set_status_{status.value}"
    action.short_description = _("選択した施策の状況を %(mark)s %(label)s に変更") % {
        "mark": status.mark,
        "label": status.label,
    }
    action.allowed_permissions = ("change",)
    return action


@admin.register(Measure)
class MeasureAdmin(ExcelImportAdminMixin, SimpleHistoryAdmin):
    form = MeasureAdminForm
    list_display = [
        "category_short",
        "position",
        "name",
        "status_mark",
        "periods_text",
        "relisted_in",
    ]
    list_display_links = ["name"]
    list_filter = ["category", "status", "periods"]
    list_select_related = ["category"]
    search_fields = ["name"]
    search_help_text = _(
        "全角・半角、大文字・小文字、空白の違いは無視して探します。再掲の表記でも探せます。"
    )
    ordering = ["category__order", "position"]
    show_facets = admin.ShowFacets.ALWAYS
    inlines = [RelistingInline]
    actions = [_status_action(status) for status in Status]
    history_list_display = ["status", "history_username"]
    list_per_page = 100

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("periods", "relistings__category")

    def save_model(self, request, obj, form, change):
        obj._change_reason = form.cleaned_data.get("change_reason", "")
        super().save_model(request, obj, form, change)

    def get_search_results(self, request, queryset, search_term):
        """Search on the normalised key instead of the raw name (see measures/text.py)."""
        if not search_term.strip():
            return queryset, False
        return queryset.search(search_term), False

    @admin.display(description=_("区分"), ordering="category__order")
    def category_short(self, obj: Measure) -> str:
        return obj.category.short_name

    @admin.display(description=_("状況"), ordering="status")
    def status_mark(self, obj: Measure) -> str:
        return f"{obj.mark} {obj.get_status_display()}"

    @admin.display(description=_("計画期間"))
    def periods_text(self, obj: Measure) -> str:
        return obj.periods_display

    @admin.display(description=_("再掲先"))
    def relisted_in(self, obj: Measure) -> str:
        return "、".join(f"{r.category.short_name} {r.position}" for r in obj.relistings.all())


@admin.register(Relisting)
class RelistingAdmin(SimpleHistoryAdmin):
    list_display = ["category", "position", "label", "measure"]
    list_filter = ["category"]
    list_select_related = ["category", "measure", "measure__category"]
    autocomplete_fields = ["measure"]
    search_fields = ["label"]
    ordering = ["category__order", "position"]

    def get_search_results(self, request, queryset, search_term):
        key = search_key(search_term)
        if not key:
            return queryset, False
        return queryset.filter(search_text__contains=key), False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["label", "name", "short_name", "code", "order", "measure_count"]
    ordering = ["order"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_measure_count=Count("measures"))

    @admin.display(description=_("施策数"), ordering="_measure_count")
    def measure_count(self, obj: Category) -> int:
        return obj._measure_count


@admin.register(PlanPeriod)
class PlanPeriodAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "short_name", "plan"]
    ordering = ["number"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name"]
