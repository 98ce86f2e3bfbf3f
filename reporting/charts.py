"""Charts as inline SVG, the same for the pages and the PDF bilans (WeasyPrint draws inline SVG): horizontal bars
for categories, columns for months. No JavaScript, no external file; every chart carries a text title for screen
readers and its values written out."""

from decimal import Decimal
from html import escape

from django.utils.safestring import mark_safe

from suivi import hours as rules

COLOURS = ("#1d4f91", "#2f7d6d", "#c47f17", "#8a4fa3", "#b23a48", "#4a5561")
FONT = "font-family: 'DejaVu Sans', sans-serif"


def _number(value, decimals=0):
    value = Decimal(str(value or 0)).quantize(Decimal(1) if decimals == 0 else Decimal("0.1"))
    text = f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    return text


def bar_chart(title, rows, *, unit="", width=480, bar_height=18):
    """Horizontal bars: `rows` is a list of (label, value). Labels on the left, value at the end of each bar."""
    rows = [(str(label), float(value or 0)) for label, value in rows]
    if not rows:
        return ""
    label_width, value_width, gap = 170, 70, 6
    top = 4
    height = top + len(rows) * (bar_height + gap)
    room = width - label_width - value_width
    biggest = max((value for _, value in rows), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(rows):
        y = top + index * (bar_height + gap)
        length = max(room * value / biggest, 1 if value else 0)
        colour = COLOURS[index % len(COLOURS)]
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height * 0.72:.1f}" text-anchor="end" font-size="10" '
            f'style="{FONT}" fill="#212529">{escape(short)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="{colour}" rx="2"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + bar_height * 0.72:.1f}" font-size="10" '
            f'style="{FONT}" fill="#212529">{_number(value)}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


def month_chart(title, rows, *, unit=" h", width=520, height=170):
    """Columns by month: `rows` is a list of (first day of the month, value)."""
    rows = [(month, float(value or 0)) for month, value in rows]
    if not rows:
        return ""
    left, bottom, top = 8, 30, 24
    room_height = height - bottom - top
    slot = (width - left * 2) / len(rows)
    biggest = max(value for _, value in rows) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" y2="{height - bottom}" stroke="#adb5bd"/>',
    ]
    for index, (month, value) in enumerate(rows):
        bar = room_height * value / biggest
        x = left + index * slot + slot * 0.15
        y = height - bottom - bar
        label = rules.MONTH_NAMES[month.month - 1][:3] + "."
        if month.month == 1 or index == 0:
            label += f" {month.year % 100:02d}"
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{bar:.1f}" fill="{COLOURS[0]}" rx="1"/>'
            f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom + 12}" text-anchor="middle" font-size="8" '
            f'style="{FONT}" fill="#495057">{escape(label)}</text>'
        )
        if value and len(rows) <= 14:
            parts.append(
                f'<text x="{x + slot * 0.35:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="7.5" '
                f'style="{FONT}" fill="#212529">{_number(value)}</text>'
            )
    parts.append(f'<text x="{left}" y="10" font-size="8" style="{FONT}" fill="#6c757d">{escape(title)}</text></svg>')
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)
