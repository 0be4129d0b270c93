"""The measure browser's table; rows are ``rows.Row``, sorted and paged by the database.

The columns make the headers, the sort links and the pages; the cells of a row are written by
the table's template (``measures/_table.html``) in one go, which costs a fraction of rendering
them cell by cell through the columns.
"""

import django_tables2 as tables
from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableQuerysetData

from .rows import PLAN_ORDER

MAX_PER_PAGE = 200


def _aria_sort(bound_column) -> str | None:
    """Tell screen readers which column sorts the table, and which way."""
    if not bound_column.is_ordered:
        return None
    return "descending" if bound_column.order_by_alias.is_descending else "ascending"


class RowTableData(TableQuerysetData):
    """Table data for a ``rows.RowQuery``: ordered and sliced by the database."""

    @property
    def ordering(self):
        # The rows' plan order is not a column's sort: no header claims it.
        return None


class MeasureTable(tables.Table):
    category = tables.Column(
        verbose_name=_("区分"),
        accessor="category__short_name",
        order_by=("category_order", "r_position"),
    )
    position = tables.Column(
        verbose_name=_("番号"),
        order_by=("category_order", "r_position"),
        attrs={"td": {"class": "num"}},
    )
    name = tables.Column(
        verbose_name=_("施策名"),
        order_by=("name_key", "category_order", "r_position"),
        # A column's own "th" attrs replace the table's, so aria-sort is repeated here.
        attrs={"th": {"class": "name-col", "aria-sort": _aria_sort}, "td": {"class": "name-col"}},
    )
    status = tables.Column(
        verbose_name=_("状況"),
        order_by=("status_order", "category_order", "r_position"),
        empty_values=(),
        attrs={"td": {"class": "nowrap"}},
    )
    periods = tables.Column(
        verbose_name=_("計画期間"),
        order_by=("periods_key", "category_order", "r_position"),
        empty_values=(),
        attrs={"td": {"class": "nowrap"}},
    )
    relisting_note = tables.Column(
        verbose_name=_("再掲"),
        order_by=("is_relisting", "category_order", "r_position"),
        empty_values=(),
    )

    class Meta:
        template_name = "measures/_table.html"
        attrs = {"class": "data-table measure-table", "th": {"aria-sort": _aria_sort}}
        per_page = 50
        empty_text = _("条件に合う施策はありません。")
        orderable = True

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        """Take ``?per_page=`` only from 1 to MAX_PER_PAGE; any other number falls back to the
        default instead of reaching the paginator (a negative count is a server error)."""
        if per_page is None or not 1 <= per_page <= MAX_PER_PAGE:
            per_page = self._meta.per_page
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)

    def order_name(self, rows, is_descending):
        """Sort by name; equal names keep plan order in both directions."""
        return rows.order_by(("-" if is_descending else "") + "name_key", *PLAN_ORDER), True
