"""Reusable pieces of the interface: French number formats, progress bars, status badges, navigation links."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.urls import reverse
from django.utils import formats

register = template.Library()

NBSP = "\u00a0"
HUNDREDTH = Decimal("0.01")
TONES = {"success", "warning", "danger", "info", "secondary", "primary"}


@register.filter
def number(value, decimals=None):
    """1234.5 → '1 234,5', 151.666 → '151,67' (French grouping, rounded to the hundredth); integers lose their
    decimals unless `decimals` is given."""
    if value in (None, ""):
        return "—"
    value = Decimal(str(value))
    if decimals is None:
        rounded = value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP).normalize()
        decimals = max(0, -rounded.as_tuple().exponent)
    value = value.quantize(Decimal(1).scaleb(-int(decimals)), rounding=ROUND_HALF_UP)  # Django would truncate
    return formats.number_format(value, decimal_pos=int(decimals), use_l10n=True, force_grouping=True)


@register.filter
def pluriel(count, suffix="s"):
    """French plural: 0 and 1 take the singular ('0 facilitateur', '2 facilitateurs')."""
    try:
        return suffix if abs(int(count or 0)) > 1 else ""
    except (TypeError, ValueError):
        return ""


@register.filter
def siret(value):
    """'12345678900012' → '123 456 789 00012' (SIREN by threes, then the NIC)."""
    value = value or ""
    if len(value) != 14:
        return value
    return f"{value[:3]}{NBSP}{value[3:6]}{NBSP}{value[6:9]}{NBSP}{value[9:]}"


@register.filter
def hours(value):
    """1234.5 → '1 234,5 h'."""
    if value in (None, ""):
        return "—"
    return f"{number(value)}{NBSP}h"


@register.filter
def percent(value, decimals=0):
    """62.4 → '62 %'."""
    if value in (None, ""):
        return "—"
    return f"{number(value, decimals)}{NBSP}%"


def ratio_percent(done, required):
    """Share of `required` reached by `done`, in percent (None when nothing is required)."""
    if not required:
        return None
    return Decimal(str(done or 0)) * 100 / Decimal(str(required))


@register.inclusion_tag("components/progress_bar.html")
def progress_bar(done, required, label=""):
    """Hours done against hours required: a bar, and the figures in words (colour is never the only signal)."""
    pct = ratio_percent(done, required)
    if pct is None:
        tone = "secondary"
    elif pct >= 100:
        tone = "success"
    else:
        tone = "primary"
    return {
        "done": done or 0,
        "required": required,
        "pct": pct,
        "width": min(pct or 0, 100),
        "tone": tone,
        "label": label,
    }


@register.inclusion_tag("components/status_badge.html")
def status_badge(label, tone="secondary", icon=""):
    """A coloured badge that always carries its meaning in text."""
    return {"label": label, "tone": tone if tone in TONES else "secondary", "icon": icon}


@register.inclusion_tag("components/sort_header.html", takes_context=True)
def sort_header(context, field, label, param="ordering"):
    """A table header that sorts by `field` (then by -field), keeping the other filters of the page."""
    request = context["request"]
    current = request.GET.get(param, "")
    query = request.GET.copy()
    query.pop("page", None)
    query[param] = f"-{field}" if current == field else field
    direction = "ascending" if current == field else "descending" if current == f"-{field}" else None
    return {"label": label, "url": f"?{query.urlencode()}", "direction": direction}


@register.inclusion_tag("components/nav_link.html", takes_context=True)
def nav_link(context, url_name, label, icon="", match=""):
    """A navigation link, marked current when the page's view name starts with `match` (or is `url_name`)."""
    request = context["request"]
    view_name = request.resolver_match.view_name if request.resolver_match else ""
    current = view_name.startswith(match) if match else view_name == url_name
    return {"url": reverse(url_name), "label": label, "icon": icon, "current": current}
