"""Rules on hours (R-HRS-2, R-HRS-3): plain functions over plain values, no database.

Hours are recorded per calendar month. A month is written as the date of its first day.
"""

import calendar
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal

from participants.eligibility import apprenticeship_hours_count

# R-HRS-3: the absolute legal maximum is 48 hours in one week (Code du travail, L3121-20).
MAX_WEEKLY_HOURS = Decimal(48)
MAX_HOURS_PER_ENTRY = Decimal("9999.99")
HUNDREDTH = Decimal("0.01")
ZERO = Decimal(0)


def month_start(day):
    return day.replace(day=1)


def month_end(month):
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(month, count):
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first, last):
    """Every month from the one of `first` to the one of `last`, both included."""
    month, last = month_start(first), month_start(last)
    months = []
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def parse_month(text):
    """'2026-10', '10/2026', '10-2026', '01/10/2026', 'octobre 2026', 'oct. 2026' or a date → the first day of the
    month; None when unreadable."""
    if isinstance(text, datetime):  # a spreadsheet's date cell
        text = text.date()
    if isinstance(text, date):
        return month_start(text)
    text = str(text or "").strip()[:40]  # a month is short: longer text is not one
    if text[:1].isdigit() and " " in text:  # '2026-10-17 00:00:00': a date cell read as text
        text = text.split()[0]
    if text[:1].isalpha():
        return _parse_named_month(text)
    for separator in ("-", "/", "."):
        parts = text.split(separator)
        if len(parts) == 2 and all(_digits(part) for part in parts):
            first, second = (int(part) for part in parts)
            year, month = (first, second) if len(parts[0]) == 4 else (second, first)
            if 1 <= month <= 12 and 1900 < year < 2200:
                return date(year, month, 1)
        if len(parts) == 3 and all(_digits(part) for part in parts):
            if len(parts[0]) == 4:  # 2026-10-01
                year, month, day = (int(part) for part in parts)
            else:  # 01/10/2026
                day, month, year = (int(part) for part in parts)
            if 1 <= month <= 12 and 1900 < year < 2200 and 1 <= day <= calendar.monthrange(year, month)[1]:
                return date(year, month, 1)
    return None


def _digits(text):
    """ASCII digits only: str.isdigit() also accepts '²' or '٣', which int() refuses or reads otherwise."""
    return text.isascii() and text.isdigit()


def _plain(text):
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def _parse_named_month(text):
    """'octobre 2026', 'Oct. 2026', 'fevrier 2027' → the month; a name or an unambiguous abbreviation of 3 letters
    or more ('juil.', not 'jui')."""
    parts = text.replace(".", " ").split()
    if len(parts) != 2 or not (_digits(parts[1]) and len(parts[1]) == 4):
        return None
    name, year = _plain(parts[0]), int(parts[1])
    names = [_plain(full) for full in MONTH_NAMES]
    found = [index for index, full in enumerate(names) if full == name]
    if not found and len(name) >= 3:
        found = [index for index, full in enumerate(names) if full.startswith(name)]
    if len(found) != 1 or not 1900 < year < 2200:
        return None
    return date(year, found[0] + 1, 1)


def month_label(month):
    """'octobre 2026'."""
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def of_month(month):
    """'de mai 2026', 'd'octobre 2026': the French elision before avril, août and octobre."""
    label = month_label(month)
    return f"d'{label}" if label[0] in "aeiouéâ" else f"de {label}"


MONTH_NAMES = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip


@dataclass(frozen=True)
class Period:
    """A contract's dates: from `start` to `end` (None while it runs without a known end)."""

    start: date
    end: date | None = None

    def days_in(self, month):
        """Days of `month` the contract covers (0 when it does not cover the month)."""
        first, last = month, month_end(month)
        if self.start > first:
            first = self.start
        if self.end is not None and self.end < last:
            last = self.end
        return max((last - first).days + 1, 0)

    def covers(self, month):
        return self.days_in(month) > 0


def monthly_ceiling(period, month):
    """R-HRS-3: the most hours a person can work in `month` under a contract — 48 h a week over the days the
    contract covers that month (about 213 h for a whole month of 31 days)."""
    days = period.days_in(month)
    return (MAX_WEEKLY_HOURS * days / 7).quantize(HUNDREDTH, rounding=ROUND_DOWN)


def hours_problems(*, period, month, hours_by_kind, today):
    """What is wrong with the hours of one contract in one month, summed over every market it serves:
    a list of French messages, empty when they are plausible (R-HRS-3)."""
    problems = []
    if any(hours < ZERO for hours in hours_by_kind.values()):
        problems.append("Les heures ne peuvent pas être négatives.")
    if month > month_start(today):
        problems.append(f"{month_label(month).capitalize()} n'a pas encore commencé.")
    if not period.covers(month):
        problems.append(f"Le contrat ne couvre pas {month_label(month)} : vérifiez ses dates.")
        return problems
    total = sum(hours_by_kind.values(), ZERO)
    ceiling = monthly_ceiling(period, month)
    if total > ceiling:
        problems.append(
            f"{format_hours(total)} h en {month_label(month)} dépassent la durée maximale du travail "
            f"({format_hours(ceiling)} h pour les {period.days_in(month)} jours couverts par le contrat)."
        )
    return problems


def format_hours(value):
    """1234.5 → '1 234,5' (as the templates' `hours` filter does, for messages built in Python)."""
    value = Decimal(value).quantize(HUNDREDTH).normalize()
    text = f"{value:,f}".replace(",", "\u202f").replace(".", ",")
    return text


def split_total(total, shares):
    """R-HRS-2 helper: split `total` hours between awards by `shares` (weights), in hundredths, so that the
    parts add up exactly to the total — an hour is never counted twice, nor lost."""
    total = Decimal(total).quantize(HUNDREDTH)
    weights = [Decimal(share) for share in shares]
    if not weights or sum(weights) <= 0 or any(weight < 0 for weight in weights):
        raise ValueError("Il faut au moins une part positive, et aucune part négative.")
    if total < 0:
        raise ValueError("Les heures ne peuvent pas être négatives.")
    whole = sum(weights)
    exact = [total * weight / whole for weight in weights]
    parts = [value.quantize(HUNDREDTH, rounding=ROUND_DOWN) for value in exact]
    # The hundredths lost in rounding go, one each, to the largest remainders (largest remainder method), so
    # that every part stays within a hundredth of its share; a zero share has no remainder and gets nothing.
    rest = int((total - sum(parts)) / HUNDREDTH)
    by_remainder = sorted(range(len(parts)), key=lambda index: (parts[index] - exact[index], index))
    for index in by_remainder[:rest]:
        parts[index] += HUNDREDTH
    return parts


# --- Whether a contract's hours count for a market (R-HRS-1, R-ELIG-1, R-ELIG-4) ------------------------------


@dataclass(frozen=True)
class Verdict:
    counts: bool
    reason: str


def assignment_verdict(
    *, attributed, attribution_date, diagnosis, hired_on, work_study, criteria_labels=(), exception=False
):
    """Whether the hours of a contract count for one market.

    `diagnosis` is the person's eligibility diagnosis for that market (an object with `eligible`, `provisional`
    and `valid_until`) or None. Eligibility is judged at the market's attribution date and lasts 24 months
    (R-ELIG-1): the person must be hired while it holds. A work-study contract signed before the attribution
    counts only with a justified exception (R-ELIG-4).
    """
    if not attributed or attribution_date is None:
        return Verdict(False, "marché pas encore attribué")
    if diagnosis is None:
        return Verdict(False, "éligibilité à établir pour ce marché")
    if diagnosis.provisional:
        return Verdict(False, "diagnostic provisoire : à refaire à la date d'attribution du marché")
    assessed_on = getattr(diagnosis, "assessed_on", None)
    if assessed_on is not None and assessed_on != attribution_date:
        return Verdict(
            False,
            f"diagnostic à refaire : apprécié au {assessed_on:%d/%m/%Y}, le marché a été attribué le "
            f"{attribution_date:%d/%m/%Y}",
        )
    if not diagnosis.eligible:
        return Verdict(False, "ne relève pas des publics de ce marché à sa date d'attribution")
    if hired_on > diagnosis.valid_until:
        return Verdict(False, f"embauché après la fin de validité de l'éligibilité ({diagnosis.valid_until:%d/%m/%Y})")
    if work_study and not apprenticeship_hours_count(
        eligible=True, hired_on=hired_on, attribution_date=attribution_date, justified_exception=exception
    ):
        return Verdict(False, "contrat en alternance signé avant l'attribution du marché : exception à justifier")
    if work_study and exception and hired_on < attribution_date:
        return Verdict(True, "compté par exception justifiée (alternance signée avant l'attribution)")
    criteria = ", ".join(criteria_labels)
    return Verdict(True, "éligible à la date d'attribution" + (f" ({criteria})" if criteria else ""))
