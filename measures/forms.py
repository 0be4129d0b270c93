from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Measure, Status
from .services import EditConflict, measure_lock_for_edit


def status_choices_with_marks() -> list[tuple[str, str]]:
    """Return the status choices labelled as the plan prints them (◎ 実施 …)."""
    return [(status.value, f"{status.mark} {status.label}") for status in Status]


class MeasureAdminForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    change_reason = forms.CharField(
        label=_("変更理由（任意）"),
        required=False,
        max_length=100,
        help_text=_("変更履歴に残ります。例: 令和7年度末の実績を反映"),
    )

    class Meta:
        model = Measure
        fields = [
            "category",
            "position",
            "name",
            "status",
            "periods",
            "notes",
            "responsible_division",
            "cooperating_divisions",
        ]
        widgets = {
            "periods": forms.CheckboxSelectMultiple,
            "status": forms.RadioSelect,
        }
        error_messages = {
            "periods": {
                "required": _(
                    "計画期間を少なくとも一つ選んでください（例: 一次～四次なら四つ全て）。"
                )
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read-only views (readers, leaders of other divisions) leave fields out of the form.
        if "status" in self.fields:
            self.fields["status"].choices = status_choices_with_marks()
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        """Refuse to overwrite a change saved after this form was opened (admin saves inside a
        transaction, so the row stays locked until this edit is written)."""
        cleaned = super().clean()
        if self.instance.pk:
            try:
                measure_lock_for_edit(
                    measure_pk=self.instance.pk,
                    # A form posted without its version cannot prove it saw the latest edit.
                    expected_version=cleaned.get("expected_version") or 0,
                )
            except EditConflict as conflict:
                raise ValidationError(str(conflict), code="conflict") from conflict
        return cleaned


class BulkStatusForm(forms.Form):
    """The reason asked for on the confirmation page of a bulk status change."""

    change_reason = forms.CharField(
        label=_("変更理由"),
        max_length=100,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text=_("変更した施策ごとの変更履歴に残ります。例: 令和7年度末の実績を反映"),
        error_messages={"required": _("変更理由を入力してください。")},
    )
