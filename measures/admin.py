from contextlib import contextmanager

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import DeletedObject

from governance.roles import led_division_ids, may_change_as_leader, may_change_everything
from morioka_ict.admin_fields import SafeRelationsAdminMixin
from morioka_ict.history_admin import HistoryAdmin, RestoreConflict, nothing

from .forms import BulkStatusForm, MeasureAdminForm
from .imports.admin_views import ExcelImportAdminMixin
from .models import Category, Measure, Plan, PlanPeriod, Relisting, Status
from .periods import format_periods
from .services import EditConflict, measure_edit, measure_set_status
from .text import search_key


def status_text(value: str) -> str:
    """Return a status as the plan prints it: 「◎ 実施」."""
    status = Status(value)
    return f"{status.mark} {status.label}"


def _periods_text(periods) -> str:
    return format_periods(p for p in periods if not isinstance(p, DeletedObject)) or nothing()


# A measure can be re-listed once in each other category: more rows than this in one posted
# form can only be a tampered form, which is refused instead of rendered.
RELISTING_ROWS_CAP = 10


class RelistingInline(SafeRelationsAdminMixin, admin.TabularInline):
    model = Relisting
    fk_name = "measure"
    extra = 0
    fields = ["category", "position", "label"]
    verbose_name = _("再掲先")
    verbose_name_plural = _("再掲先（他の区分の表に再掲される行。集計には数えません）")
    max_num = RELISTING_ROWS_CAP

    def get_formset(self, request, obj=None, **kwargs):
        # Not self.max_num: admin sets it to 0 for those who may not add re-listings (a
        # leader), and their read-only rows are still posted with the form.
        kwargs.setdefault("absolute_max", RELISTING_ROWS_CAP)
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
        return modeladmin.set_status_in_bulk(request, queryset, status)

    action.__name__ = f"set_status_{status.value}"
    # Formatted when shown, in the reader's language (a lazy string formatted here would
    # freeze in the language active at import).
    action.short_description = lazy(
        lambda: (
            _("選択した施策の状況を %(mark)s %(label)s に変更")
            % {"mark": status.mark, "label": status.label}
        ),
        str,
    )()
    action.allowed_permissions = ("change",)
    return action


def _posted_number(value: str) -> int | None:
    """Return a posted whole number within the database's integer range, else None."""
    try:
        number = int(value)
    except ValueError:
        return None
    return number if 0 <= number < 2**31 else None


def _shown_versions(post, measures: list[Measure]) -> dict[int, int]:
    """Return {pk: version shown on the confirmation page} for the measures selected there.

    A measure posted without its version (or with a broken one) counts as unseen (0), so the
    guard refuses it rather than overwrite an edit nobody looked at; a selected measure that
    has since been deleted is named by the guard too.
    """
    pks = {m.pk for m in measures}
    pks.update(
        pk
        for pk in map(_posted_number, post.getlist(helpers.ACTION_CHECKBOX_NAME))
        if pk is not None
    )
    return {pk: _posted_number(post.get(f"version_{pk}", "")) or 0 for pk in pks}


class DivisionListFilter(admin.RelatedOnlyFieldListFilter):
    """The 担当課 filter: divisions that have measures, named with their department, read in
    one query (the built-in filter names each division with a query of its own)."""

    def field_choices(self, field, request, model_admin):
        used = model_admin.get_queryset(request).values(f"{self.field_path}__pk")
        divisions = field.related_model.objects.filter(pk__in=used).select_related("department")
        return [(division.pk, str(division)) for division in divisions]


@admin.register(Measure)
class MeasureAdmin(ExcelImportAdminMixin, SafeRelationsAdminMixin, HistoryAdmin):
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
        ("responsible_division", DivisionListFilter),
        LedByMeFilter,
    ]
    list_select_related = ["category", "responsible_division__department"]
    autocomplete_fields = ["responsible_division", "cooperating_divisions"]
    search_fields = ["name"]
    search_help_text = _(
        "空白で区切った語をすべて含む施策を探します（再掲の表記も対象）。全角・半角、"
        "大文字・小文字の違いは無視します。"
    )
    ordering = ["category__order", "position"]
    show_facets = admin.ShowFacets.ALWAYS
    inlines = [RelistingInline]
    actions = [_status_action(status) for status in Status]
    history_list_display = ["status"]
    history_formatters = {"status": status_text, "periods": _periods_text}
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
        """Save through the edit guard: the form's own check gives the message; this makes the
        save itself refuse a version it has not seen. (Admin runs the whole change form in
        one transaction, so the form's lock is still held here.)"""
        obj._change_reason = form.cleaned_data.get("change_reason", "")
        if not change:
            super().save_model(request, obj, form, change)
            return
        with measure_edit(
            measure_pk=obj.pk, expected_version=form.cleaned_data.get("expected_version") or 0
        ) as current:
            obj.version = current.version
            super().save_model(request, obj, form, change)

    def set_status_in_bulk(self, request, queryset, status: Status):
        """Show the selected measures with their current and new status and ask for a reason;
        on confirmation change them all through the edit guard, or none if any was edited after
        the confirmation page was shown."""
        measures = list(queryset.select_related("category").order_by("category__order", "position"))
        confirmed = request.POST.get("confirm") == "yes"
        form = BulkStatusForm(request.POST if confirmed else None)
        if confirmed and form.is_valid():
            try:
                changed = measure_set_status(
                    measures=measures,
                    status=status,
                    user=request.user,
                    reason=form.cleaned_data["change_reason"],
                    expected_versions=_shown_versions(request.POST, measures),
                )
            except EditConflict as conflict:
                form.add_error(None, str(conflict))
                measures = list(
                    queryset.select_related("category").order_by("category__order", "position")
                )
            else:
                self.message_user(
                    request,
                    _("%(count)d 件の状況を「%(label)s」に変更しました（変更履歴に記録済み）。")
                    % {"count": changed, "label": status.label},
                    messages.SUCCESS,
                )
                return None
        return TemplateResponse(
            request,
            "admin/measures/measure/status_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": _("状況の一括変更の確認"),
                "opts": self.opts,
                "status": status,
                "status_text": status_text(status),
                "rows": [
                    {
                        "measure": m,
                        "current": status_text(m.status),
                        "unchanged": m.status == status,
                    }
                    for m in measures
                ],
                "changing": sum(1 for m in measures if m.status != status),
                "form": form,
                "action": f"set_status_{status.value}",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def has_restore_permission(self, request, obj=None):
        """Restoring rewrites every field, so 情報化推進リーダー (状況 and 備考 only) never
        restore; those who may change every measure do."""
        return obj is not None and may_change_everything(request.user)

    def restore_shown(self, obj: Measure) -> int:
        return obj.version

    @contextmanager
    def locked_for_restore(self, *, pk, shown: int):
        try:
            with measure_edit(measure_pk=pk, expected_version=shown) as current:
                yield current
        except EditConflict as conflict:
            raise RestoreConflict(str(conflict)) from conflict

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
class RelistingAdmin(SafeRelationsAdminMixin, HistoryAdmin):
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
class CategoryAdmin(HistoryAdmin):
    list_display = ["label", "name", "short_name", "code", "order", "measure_count"]
    ordering = ["order"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_measure_count=Count("measures"))

    @admin.display(description=_("施策数"), ordering="_measure_count")
    def measure_count(self, obj: Category) -> int:
        return obj._measure_count


@admin.register(PlanPeriod)
class PlanPeriodAdmin(HistoryAdmin):
    list_display = ["number", "name", "short_name", "plan"]
    ordering = ["number"]


@admin.register(Plan)
class PlanAdmin(HistoryAdmin):
    list_display = ["name"]


# The progress cycle's admin lives with it; importing it here registers it.
from .progress import admin as progress_admin  # noqa: E402, F401
