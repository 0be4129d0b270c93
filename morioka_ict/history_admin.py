"""History pages and restoring an old version in admin, for every model that keeps a history.

django-simple-history's version page (「履歴」 → a date) checks only the view permission and
saves whatever form is posted to it, so a view-only account could change records through it.
``HistoryAdmin`` replaces that page: it shows the old version beside the record as it is now,
read-only, and offers 「この版に戻す」 only to those who may change the record as it is now. A
restore asks for a 変更理由, runs in one transaction under a row lock, and is refused if the
record changed after the page was opened. The history list is in Japanese with readable values
(marks, labels, 「なし」) instead of codes.
"""

import dataclasses
import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject, ModelChange
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_m2m_reverse_field_name

HISTORY_KINDS = {"+": gettext_lazy("登録"), "~": gettext_lazy("変更"), "-": gettext_lazy("削除")}

# A formatter turns one field's value (a related object, a list of them for many-to-many
# fields, or a plain value) into the text a person reads.
Formatter = Callable[[Any], str]


class RestoreConflict(Exception):
    """The record changed (or was deleted) after the version page was opened."""


class RestoreForm(forms.Form):
    change_reason = forms.CharField(
        label=gettext_lazy("変更理由"),
        max_length=100,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text=gettext_lazy("変更履歴に残ります。"),
        error_messages={"required": gettext_lazy("変更理由を入力してください。")},
    )
    # What the page showed as the record's current state: the measure's version, or the id of
    # the record's latest history entry. A restore from an outdated page is refused.
    shown = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


def nothing() -> str:
    return str(_("なし"))


def when_text(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def author_text(record) -> str:
    """Return who made a history entry: the user name kept as text, else the account."""
    if getattr(record, "history_username", ""):
        return record.history_username
    if record.history_user_id and record.history_user:
        return record.history_user.get_username()
    return "—"


def _object_text(value) -> str:
    if isinstance(value, DeletedObject):
        return _("（削除された%(model)s、番号 %(pk)s）") % {
            "model": value.model._meta.verbose_name,
            "pk": value.pk,
        }
    return str(value)


def value_text(field: models.Field, value, formatters: dict[str, Formatter]) -> str:
    """Return ``value`` of ``field`` as a person reads it: labels, not codes; 「なし」 for
    nothing."""
    if isinstance(value, DeletedObject) and value.pk is None:
        value = None  # simple-history's diff reports an empty foreign key this way
    if field.name in formatters:
        return formatters[field.name](value)
    if value is None or value == "" or value == []:
        return nothing()
    if isinstance(value, list):
        return _("、").join(sorted(_object_text(item) for item in value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("はい") if value else _("いいえ"))
    if isinstance(value, datetime.datetime):
        return when_text(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _object_text(value)


class _ChangesHelper(HistoricalRecordContextHelper):
    """Formats a history entry's changes as 「ラベル: 前 → 後」 with readable values."""

    def __init__(self, model, record, *, formatters: dict[str, Formatter]):
        super().__init__(model, record)
        self.formatters = formatters

    def context_for_delta_changes(self, delta) -> list[dict[str, Any]]:
        shown = [
            change
            for change in delta.changes
            if self.model._meta.get_field(change.field).editable
            and not self.model._meta.get_field(change.field).primary_key
        ]
        return super().context_for_delta_changes(dataclasses.replace(delta, changes=shown))

    def format_delta_change(self, change: ModelChange) -> ModelChange:
        field = self.model._meta.get_field(change.field)
        old = self.prepare_delta_change_value(change, change.old)
        new = self.prepare_delta_change_value(change, change.new)
        return ModelChange(
            field=str(field.verbose_name),
            old=conditional_escape(value_text(field, old, self.formatters)),
            new=conditional_escape(value_text(field, new, self.formatters)),
        )


def _history_fields(record) -> list[models.Field]:
    """Return the fields a version consists of, in the model's order: the editable columns
    and many-to-many fields that the history keeps."""
    kept = {f.name for f in record.tracked_fields} | {f.name for f in record._history_m2m_fields}
    meta = record.instance_type._meta
    return [
        field
        for field in [*meta.concrete_fields, *meta.many_to_many]
        if field.name in kept and field.editable and not field.primary_key
    ]


def _record_value(record, field: models.Field):
    """Return ``field``'s value in a history entry: related objects, not ids."""
    if field.many_to_many:
        target = get_m2m_reverse_field_name(field)
        rows = getattr(record, field.name).all()
        ids = [getattr(row, f"{target}_id") for row in rows]
        found = field.related_model._default_manager.in_bulk(ids)
        return [found.get(pk) or DeletedObject(field.related_model, pk) for pk in ids]
    value = getattr(record, field.attname)
    if field.is_relation and value is not None:
        related = field.related_model._default_manager.filter(pk=value).first()
        return related or DeletedObject(field.related_model, value)
    return value


def _current_value(obj, field: models.Field):
    if field.many_to_many:
        return list(getattr(obj, field.name).all())
    if field.is_relation:
        return getattr(obj, field.name)
    return getattr(obj, field.attname)


def apply_version(current: models.Model, record) -> None:
    """Give ``current`` (locked, in a transaction) the values of the history entry ``record``
    and save it, writing one history entry.

    Many-to-many rows are set first without history, so that the one entry written by the save
    holds the restored rows too. Rows that no longer exist are left out.
    """
    related = {}
    for field in _history_fields(record):
        if field.many_to_many:
            values = _record_value(record, field)
            related[field.name] = [v for v in values if not isinstance(v, DeletedObject)]
            if not related[field.name] and not field.blank:
                raise ValidationError(
                    _("この版には%(field)sがありません。") % {"field": field.verbose_name}
                )
        else:
            setattr(current, field.attname, getattr(record, field.attname))
    current.full_clean()
    current.skip_history_when_saving = True
    try:
        for name, values in related.items():
            getattr(current, name).set(values)
    finally:
        del current.skip_history_when_saving
    current.save()


class HistoryAdmin(SimpleHistoryAdmin):
    """The base of every admin with a history: Japanese history pages and a guarded restore."""

    object_history_template = "admin/history/object_history.html"
    object_history_list_template = "admin/history/object_history_list.html"
    version_template = "admin/history/version.html"
    # {field name: formatter} for values that need more than a label (marks, plan periods).
    history_formatters: dict[str, Formatter] = {}

    # --- who may restore -------------------------------------------------------------------

    def has_restore_permission(self, request, obj=None) -> bool:
        """Whether the user may restore an old version of ``obj`` as it is now: those who may
        change it. Subclasses narrow this where the change permission is partial."""
        return obj is not None and self.has_change_permission(request, obj)

    def revert_disabled(self, request, obj=None) -> bool:
        return not self.has_restore_permission(request, obj)

    # --- the history list ------------------------------------------------------------------

    def history_view_title(self, request, obj):
        return _("変更履歴: %(object)s") % {"object": obj}

    def get_historical_record_context_helper(self, request, historical_record):
        return _ChangesHelper(self.model, historical_record, formatters=self.history_formatters)

    def render_history_view(self, request, template, context, **kwargs):
        if "page_obj" in context:
            self._label_history_rows(request, context)
        return super().render_history_view(request, template, context, **kwargs)

    def _label_history_rows(self, request, context) -> None:
        """Give each listed entry its author, kind and extra columns as text, and the page its
        column headers (django-simple-history would print field names and codes)."""
        columns = []
        for name in context["history_list_display"]:
            method = getattr(self, name, None)
            if callable(method):
                header = getattr(method, "short_description", name)
            else:
                header = self.model._meta.get_field(name).verbose_name
            columns.append((name, header, method if callable(method) else None))
        for record in context["page_obj"].object_list:
            record.author_text = author_text(record)
            record.kind_text = HISTORY_KINDS.get(record.history_type, record.history_type)
            record.when_text = when_text(record.history_date)
            record.column_texts = [
                method(record)
                if method
                else value_text(
                    self.model._meta.get_field(name),
                    _record_value(record, self.model._meta.get_field(name)),
                    self.history_formatters,
                )
                for name, _header, method in columns
            ]
        context["history_columns"] = [header for _name, header, _method in columns]

    # --- the version page and restoring ----------------------------------------------------

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Show one version read-only beside the current record; restore it on POST for those
        who may (everyone else gets 403 and nothing changes)."""
        request.current_app = self.admin_site.name
        object_id = unquote(object_id)
        history_model = self.model.history.model
        try:
            record = history_model.objects.select_related("history_user").get(
                id=object_id, history_id=version_id
            )
        except (history_model.DoesNotExist, ValueError, ValidationError) as missing:
            raise Http404 from missing
        current = self.get_queryset(request).filter(pk=record.id).first()
        if not self.has_view_history_or_change_history_permission(
            request, current or record.instance
        ):
            raise PermissionDenied
        may_restore = self.has_restore_permission(request, current)
        if request.method == "POST" and not may_restore:
            raise PermissionDenied

        form = RestoreForm(
            request.POST if request.method == "POST" else None,
            initial={
                "change_reason": _("%(when)s の版に戻す")
                % {"when": when_text(record.history_date)},
                "shown": self.restore_shown(current) if current is not None else 0,
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                restored = self._restore(request, record, form.cleaned_data)
            except RestoreConflict as conflict:
                form.add_error(None, str(conflict))
            except ValidationError as invalid:
                form.add_error(
                    None,
                    _("この版には戻せません（%(reasons)s）。何も変更していません。")
                    % {"reasons": " ".join(invalid.messages)},
                )
            else:
                self.message_user(
                    request,
                    _("%(when)s の版（%(who)s）に戻しました。")
                    % {"when": when_text(record.history_date), "who": author_text(record)},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse(
                        f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change",
                        args=[restored.pk],
                    )
                )
        return TemplateResponse(
            request,
            self.version_template,
            {
                **self.admin_site.each_context(request),
                "title": _("%(when)s の版: %(object)s")
                % {"when": when_text(record.history_date), "object": record.instance},
                "opts": self.opts,
                "object_id": record.id,
                "record": record,
                "record_when": when_text(record.history_date),
                "record_author": author_text(record),
                "record_kind": HISTORY_KINDS.get(record.history_type, record.history_type),
                "current": current,
                "rows": self._version_rows(record, current),
                "may_restore": may_restore,
                "form": form,
                **(extra_context or {}),
            },
        )

    def _version_rows(self, record, current) -> list[dict]:
        rows = []
        for field in _history_fields(record):
            then = value_text(field, _record_value(record, field), self.history_formatters)
            now = (
                value_text(field, _current_value(current, field), self.history_formatters)
                if current is not None
                else ""
            )
            rows.append(
                {
                    "label": field.verbose_name,
                    "then": then,
                    "now": now,
                    "differs": current is not None and then != now,
                }
            )
        return rows

    def _restore(self, request, record, cleaned) -> models.Model:
        with self.locked_for_restore(pk=record.id, shown=cleaned["shown"]) as current:
            current._history_user = request.user
            current._change_reason = cleaned["change_reason"]
            apply_version(current, record)
            self.log_change(
                request,
                current,
                _("%(when)s の版に戻しました。") % {"when": when_text(record.history_date)},
            )
        return current

    def restore_shown(self, obj) -> int:
        """Return what identifies ``obj``'s current state: its latest history entry."""
        latest = obj.history.order_by("-history_date", "-history_id").first()
        return latest.history_id if latest else 0

    @contextmanager
    def locked_for_restore(self, *, pk, shown: int) -> Iterator[models.Model]:
        """Open a transaction with the record locked; refuse if it changed since ``shown``."""
        with transaction.atomic():
            current = self.model._default_manager.select_for_update().filter(pk=pk).first()
            if current is None:
                raise RestoreConflict(_("この記録は削除されました。何も変更していません。"))
            if self.restore_shown(current) != shown:
                latest = current.history.order_by("-history_date", "-history_id").first()
                raise RestoreConflict(
                    _(
                        "「%(object)s」は、あなたが開いた後に %(who)s さんが %(when)s に"
                        "変更しました。あなたの変更は保存していません。"
                        "ページを開き直して最新の内容を確かめてから、もう一度変更してください。"
                    )
                    % {
                        "object": current,
                        "who": author_text(latest) if latest else _("他の人"),
                        "when": when_text(latest.history_date) if latest else "",
                    }
                )
            yield current
