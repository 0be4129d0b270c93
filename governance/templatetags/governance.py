from django import template
from django.utils.translation import gettext as _

from governance.selectors import measure_responsibility as _measure_responsibility

register = template.Library()


@register.simple_tag
def measure_responsibility(measure):
    """Return who is responsible for ``measure`` (see selectors.measure_responsibility)."""
    return _measure_responsibility(measure)


@register.filter
def shown_to(name, user):
    """Names of staff are for staff: when the pages are open to the public
    (DASHBOARD_PUBLIC_READ), anonymous readers see 「非公開」 instead."""
    if not name or (user is not None and user.is_authenticated):
        return name
    return _("（非公開）")
