from django import template

from clauses.templatetags.ui import number
from marches.calibration import full_time_equivalents

register = template.Library()


@register.filter
def etp(hours):
    """Hours as full-time equivalents (1 607 h = 1 ETP): 833 → '0,52'."""
    if hours in (None, ""):
        return "—"
    return number(full_time_equivalents(hours), 2)
