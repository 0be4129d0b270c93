from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def shown_to(name, user):
    """Names of staff are for staff: when the pages are open to the public
    (DASHBOARD_PUBLIC_READ), anonymous readers see 「非公開」 instead."""
    if not name or (user is not None and user.is_authenticated):
        return name
    return _("（非公開）")
