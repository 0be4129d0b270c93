"""Cells that every row of a long table repeats, written in Python once per row: a template
loop over the columns in each row costs more than the rest of the page."""

from functools import cache

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..models import Status

register = template.Library()


@cache
def _mark_cells(status: Status | None, language: str | None) -> SafeString:
    return mark_safe(
        "".join(
            format_html(
                '<td class="mark-cell"><span class="mark {}">{}</span>'
                '<span class="visually-hidden">{}</span></td>',
                s.css_class,
                s.mark,
                s.label,
            )
            if s == status
            else '<td class="mark-cell"></td>'
            for s in Status
        )
    )


@register.simple_tag
def status_mark_cells(status: Status | None) -> SafeString:
    """Return a category table row's 実施 / 一部着手 / 未着手 cells, in Status order: the mark in
    the row's own status column, the others empty (all empty for a re-listing)."""
    return _mark_cells(status, get_language())


@cache
def _period_cells(language: str | None) -> tuple[SafeString, SafeString]:
    return (
        format_html(
            '<td class="in-period"><span aria-hidden="true">●</span>'
            '<span class="visually-hidden">{}</span></td>',
            _("掲載"),
        ),
        format_html(
            '<td class="mark-cell"><span class="visually-hidden">{}</span></td>', _("なし")
        ),
    )


@register.simple_tag
def period_cells(period_numbers, columns) -> SafeString:
    """Return a period matrix row's cells, one per period column: ● where the measure runs in
    that period."""
    shown, none = _period_cells(get_language())
    return mark_safe("".join(shown if c.period.number in period_numbers else none for c in columns))


# Numbers no row has, swapped for the real ones: the rest of the address never changes.
_SLOTS = (987654321, 987654322, 987654323)


@cache
def _url_pattern(name: str, script_prefix: str, count: int) -> str:
    pattern = reverse(name, args=_SLOTS[:count]).replace("{", "{{").replace("}", "}}")
    for index, slot in enumerate(_SLOTS[:count]):
        pattern = pattern.replace(str(slot), f"{{{index}}}")
    return pattern


@register.simple_tag
def row_url(name: str, *pks: int) -> str:
    """Return the address of ``name`` for a row's pks (``{% url name pk … %}``): reversed once
    per name and script prefix, because a long table links every row and reversing each
    address costs more than writing the row."""
    return _url_pattern(name, get_script_prefix(), len(pks)).format(*(int(pk) for pk in pks))


@register.simple_tag
def measure_url(pk: int) -> str:
    """Return the measure page's address (see ``row_url``)."""
    return row_url("measures:detail", pk)


@cache
def _status_text(status: Status, language: str | None) -> SafeString:
    return format_html(
        '<span class="mark {}" aria-hidden="true">{}</span> {}',
        status.css_class,
        status.mark,
        status.label,
    )


def status_text(status: Status) -> SafeString:
    """Return a status as its mark and word (「◎ 実施」), the mark hidden from screen readers,
    which read the word: the one markup of a status in a table cell or a progress page."""
    return _status_text(Status(status), get_language())


@register.simple_tag
def period_matrix_row(row, columns) -> SafeString:
    """Return a period matrix row (区分, 施策 linked to its page, 状況, a cell per period): the
    page repeats it a few hundred times, so it is written in one go."""
    return format_html(
        '<tr><td>{}</td><th scope="row"><a href="{}">{}</a></th>{}{}</tr>',
        row.category.short_name,
        measure_url(row.measure_pk),
        row.name,
        format_html('<td class="num nowrap">{}</td>', status_text(row.status)),
        period_cells(row.period_numbers, columns),
    )
