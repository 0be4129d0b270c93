from django import template

from morioka_ict import visibility

register = template.Library()


@register.filter
def shown_to(name, user):
    """Show a staff member's name as ``user`` may see it (see ``morioka_ict.visibility``)."""
    return visibility.person_name(name, user)
