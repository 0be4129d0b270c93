from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Measure


class MeasureAdminForm(forms.ModelForm):
    class Meta:
        model = Measure
        fields = ["category", "position", "name", "status", "periods", "notes"]
        widgets = {"periods": forms.CheckboxSelectMultiple}
        error_messages = {
            "periods": {
                "required": _(
                    "計画期間を少なくとも一つ選んでください（例: 一次～四次なら四つ全て）。"
                )
            },
        }
