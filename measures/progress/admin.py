"""進捗調査 in admin: read-only lists and histories for 情報企画課. The work itself (opening,
writing, reviewing, confirming) happens on the progress pages, whose services check states
and versions; admin never writes these rows."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from morioka_ict.history_admin import HistoryAdmin

from . import permissions
from .models import ProgressReport, ProgressRound


class _ReadOnlyHistoryAdmin(HistoryAdmin):
    """Lists, detail and history to read; nothing to add, change, revert or delete."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProgressRound)
class ProgressRoundAdmin(_ReadOnlyHistoryAdmin):
    list_display = [
        "title",
        "state",
        "reference_date",
        "opens_on",
        "closes_on",
        "reminded_at",
        "confirmed_at",
        "page_link",
    ]
    list_filter = ["state"]
    search_fields = ["title"]
    history_list_display = ["state"]

    def has_module_permission(self, request):
        return permissions.may_manage_progress(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.may_manage_progress(request.user)

    @admin.display(description=_("画面"))
    def page_link(self, obj: ProgressRound) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("measures:progress:round", args=[obj.pk]),
            _("進捗調査の画面で開く"),
        )


@admin.register(ProgressReport)
class ProgressReportAdmin(_ReadOnlyHistoryAdmin):
    list_display = [
        "measure",
        "round",
        "division",
        "state",
        "status",
        "progress_percent",
        "submitted_at",
        "reviewed_at",
    ]
    # Only rounds with reports this user may read: the filter must not name other rounds.
    list_filter = [("round", admin.RelatedOnlyFieldListFilter), "state", "status"]
    list_select_related = ["round", "measure__responsible_division__department"]
    search_fields = ["measure__name"]
    history_list_display = ["state", "status"]

    def get_queryset(self, request):
        """Only what the progress read rule lets this user read (drafts stay private)."""
        scope = permissions.progress_read_scope(request.user)
        return super().get_queryset(request).filter(scope.reports)

    def _refuse_outside_scope(self, request, object_id) -> None:
        key = self.model._meta.pk
        try:
            pk = key.to_python(unquote(object_id))
            key.run_validators(pk)
        except ValidationError as error:
            raise Http404 from error
        if not self.get_queryset(request).filter(pk=pk).exists():
            raise PermissionDenied

    def history_view(self, request, object_id, extra_context=None):
        # simple-history falls back to the history of rows outside get_queryset; refuse them.
        self._refuse_outside_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The version page shows every field of that version (drafts, comments, who wrote it).
        self._refuse_outside_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    @admin.display(description=_("担当課"), ordering="measure__responsible_division")
    def division(self, obj: ProgressReport):
        return obj.measure.responsible_division or _("担当課未設定")
