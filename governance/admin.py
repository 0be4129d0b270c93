"""Admin for the promotion structure: 情報企画課 records new leaders, teams and changes here;
every edit enters the history (「履歴」 on each record's page)."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Prefetch
from django.utils.translation import gettext_lazy as _

from morioka_ict.admin_fields import SafeRelationsAdminMixin
from morioka_ict.history_admin import HistoryAdmin

from .audit import AccessRecord
from .models import (
    BodyRelation,
    BodyRole,
    Department,
    Division,
    GovernanceBody,
    LeaderDuty,
    ProjectTeam,
    ProjectTeamMember,
    PromotionLeader,
)
from .tokens import ApiToken, api_tokens_revoke, may_revoke_any_token


class ChangeReasonForm(forms.ModelForm):
    """Admin form with an optional reason that is written into the history entry."""

    change_reason = forms.CharField(
        label=_("変更理由（任意）"),
        required=False,
        max_length=100,
        help_text=_("変更履歴に残ります。例: 令和8年4月の人事異動"),
    )


class GovernanceAdmin(SafeRelationsAdminMixin, HistoryAdmin):
    form = ChangeReasonForm

    def save_model(self, request, obj, form, change):
        obj._change_reason = form.cleaned_data.get("change_reason", "")
        super().save_model(request, obj, form, change)


class DivisionInline(SafeRelationsAdminMixin, admin.TabularInline):
    model = Division
    extra = 0
    fields = ["name", "head_title", "head_name", "order"]
    show_change_link = True


@admin.register(Department)
class DepartmentAdmin(GovernanceAdmin):
    list_display = ["name", "order", "division_count"]
    list_editable = ["order"]
    search_fields = ["name"]
    inlines = [DivisionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_division_count=Count("divisions"))

    @admin.display(description=_("課等の数"), ordering="_division_count")
    def division_count(self, obj: Department) -> int:
        return obj._division_count


class PromotionLeaderInline(SafeRelationsAdminMixin, admin.TabularInline):
    model = PromotionLeader
    extra = 0
    fields = ["person_name", "appointed_by", "start_date", "end_date", "user"]
    autocomplete_fields = ["user"]
    verbose_name_plural = _(
        "情報化推進リーダー（過去の任命も残します。交代時は終了日を入れて新しい行を追加）"
    )


@admin.register(Division)
class DivisionAdmin(GovernanceAdmin):
    list_display = ["name", "department", "head_display", "current_leaders", "measure_count"]
    list_filter = ["department"]
    search_fields = ["name", "department__name", "head_name"]
    autocomplete_fields = ["department"]
    inlines = [PromotionLeaderInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("department")
            .annotate(_measure_count=Count("responsible_measures"))
            .prefetch_related(
                Prefetch(
                    "leaders",
                    queryset=PromotionLeader.objects.current(),
                    to_attr="current_leader_list",
                )
            )
        )

    @admin.display(description=_("長"))
    def head_display(self, obj: Division) -> str:
        return obj.head_display

    @admin.display(description=_("現在の情報化推進リーダー"))
    def current_leaders(self, obj: Division) -> str:
        return "、".join(leader.person_name for leader in obj.current_leader_list)

    @admin.display(description=_("担当施策数"), ordering="_measure_count")
    def measure_count(self, obj: Division) -> int:
        return obj._measure_count


class BodyRoleInline(SafeRelationsAdminMixin, admin.TabularInline):
    model = BodyRole
    extra = 0
    fields = ["order", "text"]


class BodyRelationInline(SafeRelationsAdminMixin, admin.TabularInline):
    model = BodyRelation
    fk_name = "source"
    extra = 0
    fields = ["label", "target", "order"]
    verbose_name_plural = _("この機関から出る矢印（推進体制図）")


@admin.register(GovernanceBody)
class GovernanceBodyAdmin(GovernanceAdmin):
    list_display = ["order", "name", "section", "division", "note"]
    list_display_links = ["name"]
    list_select_related = ["division__department"]
    search_fields = ["name"]
    autocomplete_fields = ["division"]
    inlines = [BodyRoleInline, BodyRelationInline]


@admin.register(BodyRelation)
class BodyRelationAdmin(GovernanceAdmin):
    list_display = ["source", "label", "target", "order"]
    list_select_related = ["source", "target"]
    list_filter = ["label"]


@admin.register(BodyRole)
class BodyRoleAdmin(GovernanceAdmin):
    list_display = ["body", "order", "text"]
    list_select_related = ["body"]
    list_filter = ["body"]


@admin.register(LeaderDuty)
class LeaderDutyAdmin(GovernanceAdmin):
    list_display = ["order", "text"]
    list_display_links = ["text"]


class CurrentFilter(admin.SimpleListFilter):
    title = _("在任")
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("yes", _("在任中")), ("no", _("退任済み・任期前"))]

    def queryset(self, request, queryset):
        current = PromotionLeader.objects.current().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=current)
        if self.value() == "no":
            return queryset.exclude(pk__in=current)
        return queryset


@admin.register(PromotionLeader)
class PromotionLeaderAdmin(GovernanceAdmin):
    list_display = [
        "person_name",
        "division",
        "appointed_by",
        "start_date",
        "end_date",
        "is_current_display",
    ]
    list_filter = [CurrentFilter, "division__department"]
    list_select_related = ["division__department"]
    search_fields = ["person_name", "division__name", "appointed_by"]
    autocomplete_fields = ["division", "user"]
    date_hierarchy = "start_date"
    history_list_display = ["start_date", "end_date"]

    @admin.display(description=_("在任中"), boolean=True)
    def is_current_display(self, obj: PromotionLeader) -> bool:
        return obj.is_current


class ProjectTeamMemberInline(SafeRelationsAdminMixin, admin.TabularInline):
    model = ProjectTeamMember
    extra = 0
    fields = ["person_name", "division", "role", "order"]
    autocomplete_fields = ["division"]


@admin.register(ProjectTeam)
class ProjectTeamAdmin(GovernanceAdmin):
    list_display = ["name", "formed_on", "dissolved_on", "is_active_display"]
    search_fields = ["name", "purpose"]
    autocomplete_fields = ["divisions", "measures"]
    inlines = [ProjectTeamMemberInline]
    history_list_display = ["formed_on", "dissolved_on"]

    @admin.display(description=_("活動中"), boolean=True)
    def is_active_display(self, obj: ProjectTeam) -> bool:
        return obj.is_active


@admin.register(AccessRecord)
class AccessRecordAdmin(admin.ModelAdmin):
    """Read-only for everyone: entries are written by the system and never edited."""

    list_display = [
        "at",
        "kind",
        "username",
        "address",
        "method",
        "path",
        "status_code",
        "repeat_count",
        "last_at",
        "detail",
    ]
    list_filter = ["kind", "at"]
    search_fields = ["username", "address", "path", "detail"]
    date_hierarchy = "at"
    show_facets = admin.ShowFacets.ALWAYS
    list_per_page = 100

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every user's API tokens, for those who manage accounts: to see which are in use and to
    revoke one that leaked. Tokens are created by their owners (「API トークン」), who alone ever
    see the secret; nothing here shows or changes it."""

    list_display = ["user", "label", "key_start", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "created_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "label", "key_start"]
    readonly_fields = list_display
    fields = list_display
    actions = ["revoke"]

    def has_module_permission(self, request):
        return may_revoke_any_token(request.user)

    def has_view_permission(self, request, obj=None):
        return may_revoke_any_token(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Revoking keeps the row; deleting stays possible so that deleting a user (which
        # takes their tokens with them) is not refused.
        return may_revoke_any_token(request.user)

    def has_revoke_permission(self, request):
        return may_revoke_any_token(request.user)

    @admin.action(description=_("選択したトークンを失効させる"), permissions=["revoke"])
    def revoke(self, request, queryset):
        revoked = api_tokens_revoke(queryset)
        self.message_user(
            request,
            _("%(count)d 件のトークンを失効させました（失効済みのものはそのままです）。")
            % {"count": revoked},
            messages.SUCCESS,
        )
