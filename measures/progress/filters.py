"""Filters of the round comparison page; every value travels in the query string, and a bad
one is refused here with a Japanese message (the page then shows every row)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from measures.models import Category

from .comparison import ChangeKind

UNASSIGNED = "none"
_INVALID_CHOICE = _("選べない値です。一覧から選んでください。")


class ComparisonFilterForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("区分"),
        queryset=Category.objects.order_by("order"),
        to_field_name="code",
        required=False,
        empty_label=_("すべて"),
        error_messages={"invalid_choice": _INVALID_CHOICE},
    )
    kind = forms.ChoiceField(
        label=_("変化"),
        choices=[("", _("すべて")), *ChangeKind.choices],
        required=False,
        error_messages={"invalid_choice": _INVALID_CHOICE},
    )
    division = forms.ChoiceField(
        label=_("担当課"), required=False, error_messages={"invalid_choice": _INVALID_CHOICE}
    )
    page = forms.IntegerField(
        label=_("ページ"),
        min_value=1,
        max_value=10**6,
        required=False,
        widget=forms.HiddenInput,
        error_messages=dict.fromkeys(
            ["invalid", "min_value", "max_value"], _("ページは 1 以上の整数で指定してください。")
        ),
    )

    def __init__(self, *args, divisions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.divisions = {str(d.pk): d for d in divisions}
        self.fields["division"].choices = [
            ("", _("すべて")),
            (UNASSIGNED, _("担当課未設定")),
            *((key, str(d)) for key, d in self.divisions.items()),
        ]

    def filters(self) -> dict:
        """Return the keyword arguments of ``RoundComparison.filtered`` (valid forms only)."""
        division = self.cleaned_data.get("division") or ""
        return {
            "category": self.cleaned_data.get("category"),
            "kind": self.cleaned_data.get("kind") or "",
            "division": self.divisions.get(division),
            "unassigned": division == UNASSIGNED,
        }

    def error_texts(self) -> list[str]:
        return [
            f"{self.fields[name].label}: {errors[0]}" if name in self.fields else errors[0]
            for name, errors in self.errors.items()
        ]
