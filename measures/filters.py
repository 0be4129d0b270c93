"""The measure browser's filters; every value travels in the query string."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Category, Measure, PlanPeriod, Status
from .text import MAX_SEARCH_WORDS, search_words


def _status_choices():
    return [(s.value, f"{s.mark} {s.label}") for s in Status]


def _few_enough_words(value: str) -> None:
    count = len(search_words(value))
    if count > MAX_SEARCH_WORDS:
        raise ValidationError(
            _("検索語は %(limit)d 語までにしてください（%(count)d 語あります）。"),
            params={"limit": MAX_SEARCH_WORDS, "count": count},
        )


class _FlagFilter(django_filters.Filter):
    field_class = forms.BooleanField


class MeasureFilter(django_filters.FilterSet):
    """Filters on measures. The category and the re-listing switch choose rows rather than
    measures (a re-listing row belongs to the table it is re-listed in), so the view applies
    them when it builds the rows."""

    q = django_filters.CharFilter(
        label=_("施策名"),
        method="filter_text",
        help_text=_(
            "空白で区切った語をすべて含む施策を探します。全角・半角、大文字・小文字の違いは"
            "無視します。"
        ),
        validators=[_few_enough_words],
    )
    category = django_filters.ModelChoiceFilter(
        label=_("区分"),
        queryset=Category.objects.order_by("order"),
        to_field_name="code",
        empty_label=_("すべて"),
        method="choose_rows",
    )
    status = django_filters.ChoiceFilter(
        label=_("状況"), choices=_status_choices, empty_label=_("すべて")
    )
    period = django_filters.ModelChoiceFilter(
        label=_("計画期間"),
        queryset=PlanPeriod.objects.order_by("number"),
        to_field_name="number",
        field_name="periods",
        empty_label=_("すべて"),
    )
    relistings = _FlagFilter(label=_("再掲行も表示する"), method="choose_rows")

    class Meta:
        model = Measure
        fields = ["q", "category", "status", "period", "relistings"]

    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    def choose_rows(self, queryset, name, value):
        return queryset
