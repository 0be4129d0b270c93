from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Measure, Status


def status_choices_with_marks() -> list[tuple[str, str]]:
    """Return the status choices labelled as the plan prints them (◎ 実施 …)."""
    return [(status.value, f"{status.mark} {status.label}") for status in Status]


class MeasureAdminForm(forms.ModelForm):
    class Meta:
        model = Measure
        fields = ["category", "position", "name", "status", "periods", "notes"]
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
        self.fields["status"].choices = status_choices_with_marks()
