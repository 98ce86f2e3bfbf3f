from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def hours_input(value):
    """The value of an hours input: Decimal('151.670') → '151,67'; what the user typed stays as typed."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        return value
    try:
        number = Decimal(value).normalize()
    except (InvalidOperation, TypeError):
        return value
    text = f"{number:f}"
    return text.replace(".", ",")
