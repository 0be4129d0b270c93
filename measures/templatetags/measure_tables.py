"""Cells that every row of a long table repeats, written in Python once per row: a template
loop over the columns in each row costs more than the rest of the page."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ..models import Status

register = template.Library()

_EMPTY_MARK_CELL = mark_safe('<td class="mark-cell"></td>')


@register.simple_tag
def status_mark_cells(status: Status | None):
    """Return a category table row's 実施 / 一部着手 / 未着手 cells, in Status order: the mark in
    the row's own status column, the others empty (all empty for a re-listing)."""
    return format_html_join(
        "",
        "{}",
        (
            (
                format_html(
                    '<td class="mark-cell"><span class="mark {}">{}</span>'
                    '<span class="visually-hidden">{}</span></td>',
                    s.css_class,
                    s.mark,
                    s.label,
                )
                if s == status
                else _EMPTY_MARK_CELL,
            )
            for s in Status
        ),
    )


@register.simple_tag
def period_cells(period_numbers, columns):
    """Return a period matrix row's cells, one per period column: ● where the measure runs in
    that period."""
    shown, none = _("掲載"), _("なし")
    return format_html_join(
        "",
        "{}",
        (
            (
                format_html(
                    '<td class="in-period"><span aria-hidden="true">●</span>'
                    '<span class="visually-hidden">{}</span></td>',
                    shown,
                )
                if column.period.number in period_numbers
                else format_html(
                    '<td class="mark-cell"><span class="visually-hidden">{}</span></td>', none
                ),
            )
            for column in columns
        ),
    )
