from django import template
from django.utils import timezone

from participants.eligibility import age_on

register = template.Library()


@register.filter
def age(birth_date, on=None):
    """Age in whole years today (or on a given date): '34 ans'."""
    if not birth_date:
        return "—"
    years = age_on(birth_date, on or timezone.localdate())
    return f"{years} an{'s' if years > 1 else ''}"
