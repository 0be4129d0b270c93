from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from governance.roles import led_division_ids, may_change_as_leader, may_change_everything
from morioka_ict.admin_fields import SafeRelationsAdminMixin

from .excel.admin_views import ExcelImportAdminMixin
from .forms import MeasureAdminForm
from .models import Category, Measure, Plan, PlanPeriod, Relisting, Status
from .services import measure_set_status
from .text import search_key


class RelistingInline(SafeRelationsAdminMixin, admin.TabularInline):
    model = Relisting
    fk_name = "measure"
    extra = 0
    fields = ["category", "position", "label"]
    verbose_name = _("再掲先")
    verbose_name_plural = _("再掲先（他の区分の表に再掲される行。集計には数えません）")
    # A measure can be re-listed once in each other category; a tampered form asking for
    # thousands of rows is refused instead of rendered.
    max_num = 10

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", self.max_num)
        return super().get_formset(request, obj, **kwargs)


class LedByMeFilter(admin.SimpleListFilter):
    """A 情報化推進リーダー's shortcut to the measures they may change."""

    title = _("自分の担当")
    parameter_name = "led_by_me"

    def lookups(self, request, model_admin):
        if not led_division_ids(request.user):
            return []
        return [("1", _("自分がリーダーを務める課の施策"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(responsible_division__in=led_division_ids(request.user))
        return queryset


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
class MeasureAdmin(ExcelImportAdminMixin, SafeRelationsAdminMixin, SimpleHistoryAdmin):
    form = MeasureAdminForm
    list_display = [
        "category_short",
        "position",
        "name",
        "status_mark",
        "periods_text",
        "relisted_in",
        "responsible_division",
    ]
    list_display_links = ["name"]
    list_filter = [
        "category",
        "status",
        "periods",
        ("responsible_division", admin.RelatedOnlyFieldListFilter),
        LedByMeFilter,
    ]
    list_select_related = ["category", "responsible_division"]
    autocomplete_fields = ["responsible_division", "cooperating_divisions"]
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

    # What a 情報化推進リーダー may change on their own division's measures.
    leader_fields = ("status", "notes")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("periods", "relistings__category")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or may_change_as_leader(
            request.user, obj
        )

    def get_readonly_fields(self, request, obj=None):
        if may_change_everything(request.user):
            return super().get_readonly_fields(request, obj)
        return [f for f in self.form._meta.fields if f not in self.leader_fields]

    def get_actions(self, request):
        """Bulk status changes cross divisions, so only those who may change every measure
        get them."""
        actions = super().get_actions(request)
        if not may_change_everything(request.user):
            for status in Status:
                actions.pop(f"set_status_{status.value}", None)
        return actions

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
class RelistingAdmin(SafeRelationsAdminMixin, SimpleHistoryAdmin):
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


# The progress cycle's admin lives with it; importing it here registers it.
from .progress import admin as progress_admin  # noqa: E402, F401
