"""The measure browser's table; rows are ``selectors.BrowserRow``."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _


def _aria_sort(bound_column) -> str | None:
    """Tell screen readers which column sorts the table, and which way."""
    if not bound_column.is_ordered:
        return None
    return "descending" if bound_column.order_by_alias.is_descending else "ascending"


class MeasureTable(tables.Table):
    category = tables.Column(
        verbose_name=_("区分"),
        accessor="category__short_name",
        order_by=("category_order", "position"),
    )
    position = tables.Column(
        verbose_name=_("番号"),
        order_by=("category_order", "position"),
        attrs={"td": {"class": "num"}},
    )
    name = tables.Column(verbose_name=_("施策名"), order_by=("name_key",))
    status = tables.Column(
        verbose_name=_("状況"),
        order_by=("status_order", "category_order", "position"),
        empty_values=(),
        attrs={"td": {"class": "nowrap"}},
    )
    periods = tables.Column(
        verbose_name=_("計画期間"),
        order_by=("periods_key", "category_order", "position"),
        empty_values=(),
        attrs={"td": {"class": "nowrap"}},
    )
    relisting_note = tables.Column(
        verbose_name=_("再掲"),
        order_by=("is_relisting", "category_order", "position"),
        empty_values=(),
    )

    class Meta:
        template_name = "measures/_table.html"
        attrs = {"class": "data-table measure-table", "th": {"aria-sort": _aria_sort}}
        row_attrs = {"class": lambda record: "relisting" if record.is_relisting else ""}
        per_page = 50
        empty_text = _("条件に合う施策はありません。")
        orderable = True

    def render_name(self, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("measures:detail", args=[record.measure.pk]), record.name
        )

    def render_status(self, record):
        if record.status is None:
            return ""
        return format_html(
            '<span class="mark {}">{}</span> {}',
            record.status.css_class,
            record.status.mark,
            record.status.label,
        )

    def render_periods(self, record):
        return record.periods

    def render_relisting_note(self, record):
        if record.is_relisting:
            return format_html(
                '<span class="tag-relisting">{}</span> {}',
                _("再掲"),
                _("元: %(category)s") % {"category": record.relisting_note},
            )
        if record.relisting_note:
            return _("再掲先: %(categories)s") % {"categories": record.relisting_note}
        return ""
