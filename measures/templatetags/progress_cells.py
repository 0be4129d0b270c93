"""The cells every progress row repeats (提出状況, 報告の状況, 進捗率), written in Python: the
round dashboard repeats them a hundred times a page, and an include per cell cost more than
the rest of the page. Each is defined here only; every progress page uses these tags."""

from functools import cache

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..progress.models import ReportState
from .measure_tables import status_text

register = template.Library()


@cache
def _state(state: ReportState, language: str | None) -> SafeString:
    return format_html('<span class="state state-{}">{}</span>', state.value, state.label)


@register.simple_tag
def report_state(state) -> SafeString:
    """Return a report's 提出状況 as a labelled badge."""
    return _state(ReportState(state), get_language())


@register.simple_tag
def report_status(status) -> SafeString:
    """Return a reported status as its mark and word (「未選択」 when none is given)."""
    return status_text(status) if status else format_html("{}", _("未選択"))


@register.simple_tag
def percent_bar(percent) -> SafeString:
    """Return 進捗率 as a bar with its number (「—」 when none is given)."""
    if percent is None:
        return mark_safe("—")
    return format_html(
        '<span class="percent"><svg class="percent-bar" viewBox="0 0 100 8" '
        'preserveAspectRatio="none" aria-hidden="true" focusable="false">'
        '<rect class="percent-track" x="0" y="0" width="100" height="8"/>'
        '<rect class="percent-fill" x="0" y="0" width="{}" height="8"/></svg>{}%</span>',
        int(percent),
        int(percent),
    )
