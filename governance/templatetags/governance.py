from django import template

from governance.selectors import measure_responsibility as _measure_responsibility

register = template.Library()


@register.simple_tag
def measure_responsibility(measure):
    """Return who is responsible for ``measure`` (see selectors.measure_responsibility)."""
    return _measure_responsibility(measure)
