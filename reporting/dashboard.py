"""The dashboard: a year's figures of one or several structures, filtered by buyer, buyer type and territory. The
figures are those of the bilans (`reporting.bilan.compute`), plus the hours by buyer type and by sector; the charts
are the bilans' charts."""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from django import forms
from django.db.models import Q, Sum
from django.db.models.functions import ExtractYear

from marches.enums import ATTRIBUTED, BuyerType, Sector
from marches.models import Buyer
from participants.enums import QualificationLevel, Sex
from reporting import bilan, charts
from reporting.bilan import AGE_BANDS, DURATION_BANDS, ZERO
from suivi import hours as rules
from suivi.enums import CHECK_MONTHS, HourKind, OutcomeCategory
from suivi.models import HourEntry


class DashboardFilter(forms.Form):
    year = forms.TypedChoiceField(label="Année", coerce=int)
    buyer = forms.ModelChoiceField(
        label="Donneur d'ordre", queryset=Buyer.objects.none(), to_field_name="public_id", required=False,
        empty_label="Tous",
    )  # fmt: skip
    buyer_type = forms.ChoiceField(label="Type d'acheteur", required=False)
    territory = forms.RegexField(
        label="Département", regex=r"^(\d{2}|2A|2B|97\d)$", required=False, max_length=3,
        error_messages={"invalid": "Un département s'écrit avec deux chiffres (44), 2A, 2B ou 97x."},
        widget=forms.TextInput(attrs={"placeholder": "44", "inputmode": "text"}),
    )  # fmt: skip

    def __init__(self, *args, buyers, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in range(today.year, today.year - 6, -1)]
        self.fields["buyer"].queryset = buyers.order_by("name")
        self.fields["buyer_type"].choices = [("", "Tous"), *BuyerType.choices]
        self.initial.setdefault("year", today.year)


@dataclass
class Dashboard:
    year: int
    bilan: bilan.Bilan
    by_buyer_type: list
    by_sector: list
    by_year: list

    @cached_property
    def charts(self):
        """Drawn when shown (a few tenths of a second each)."""
        data = self.bilan
        share = [("femmes", data.women), ("résidant en QPV", data.qpv), ("RQTH", data.rqth)]
        return {
            "months": charts.month_chart(f"Heures réalisées par mois en {self.year}", data.by_month),
            "buyer_types": charts.bar_chart("Heures par type d'acheteur", self.by_buyer_type, unit=" h"),
            "sectors": charts.bar_chart("Heures par secteur", self.by_sector, unit=" h"),
            "people": charts.bar_chart("Bénéficiaires", share),
            "outcomes": charts.bar_chart("Sorties", data.outcomes),
        }


def awards_of(structures, *, buyer=None, buyer_type="", territory="") -> Q:
    """The awards a dashboard counts, as lookups from an Award (`bilan.through` turns them into the hours')."""
    scope = Q(lot__market__structure__in=structures, lot__market__status__in=ATTRIBUTED)
    if buyer is not None:
        scope &= Q(lot__market__buyer=buyer)
    if buyer_type:
        scope &= Q(lot__market__buyer__buyer_type=buyer_type)
    if territory:
        scope &= Q(lot__market__postcode__startswith=territory)
    return scope


def period(year, on):
    """The days a year's dashboard counts: the whole year, or up to `on` for the current one."""
    return date(year, 1, 1), min(date(year, 12, 31), on)


def _grouped(entries, field, labels):
    rows = entries.order_by().values(field).annotate(total=Sum("hours"))
    grouped = Counter()
    for row in rows:
        grouped[labels.get(row[field], "non renseigné")] += row["total"] or ZERO
    return {label: str(total) for label, total in grouped.items() if total}


def figures(structures, year, *, on, **filters) -> dict:
    """A year's dashboard figures of `structures`, as a part that adds up: plain JSON (hours as text, counts as
    integers, every list as a mapping of label to figure) whose sum over several structures is their figures
    together, since a person, a contract and an hour belong to one structure. `board` lays a part out."""
    start, end = period(year, on)
    scope = awards_of(structures, **filters)
    data = bilan.compute(scope, start, end, lines=False)
    entries = HourEntry.objects.filter(bilan.through(scope), month__gte=start, month__lte=end).counted()
    yearly = (
        HourEntry.objects.filter(bilan.through(scope), month__lte=end, month__gte=date(year - 4, 1, 1))
        .counted()
        .annotate(year=ExtractYear("month"))
        .order_by("year")
        .values("year")
        .annotate(total=Sum("hours"))
    )
    return {
        "required": str(data.total.required),
        "done_period": str(data.total.done_period),
        "done_total": str(data.total.done_total),
        "by_kind": {label: str(hours) for label, hours in data.by_kind.items() if hours},
        "by_month": {month.isoformat(): str(hours) for month, hours in data.by_month if hours},
        "by_buyer_type": _grouped(entries, "award__lot__market__buyer__buyer_type", dict(BuyerType.choices)),
        "by_sector": _grouped(entries, "award__lot__market__sector", dict(Sector.choices)),
        "by_year": {str(row["year"]): str(row["total"]) for row in yearly if row["total"]},
        **{name: getattr(data, name) for name in COUNTS},
        **{name: dict(getattr(data, name)) for name in COUNTED_LISTS},
        "trades": dict(data.trade_counts),
        "checks": {str(months): dict(found) for months, _, found in data.checks},
    }


COUNTS = ("people", "qpv", "rqth", "contracts", "long_contracts", "long_considered")
COUNTED_LISTS = ("sex", "age", "qualification", "publics", "prescribers", "contract_types", "durations", "outcomes")
# The lists shown in a fixed order; the others go from the largest figure down.
ORDERS = {
    "sex": [Sex.FEMME.label, Sex.HOMME.label],
    "age": [label for label, _, _ in AGE_BANDS],
    "qualification": [*QualificationLevel.labels, "non renseigné"],
    "durations": [*(label for label, _, _ in DURATION_BANDS), "CDI"],
    "outcomes": OutcomeCategory.labels,
}


def add(parts) -> dict:
    """The sum of parts given by `figures` (of disjoint structures)."""
    total = {}
    for part in parts:
        total = _add(total, part)
    return total


def _add(a, b):
    if a is None or b is None:
        return b if a is None else a
    if isinstance(a, dict):
        return {key: _add(a.get(key), b.get(key)) for key in {**a, **b}}
    if isinstance(a, str):
        return str(Decimal(a) + Decimal(b))
    return a + b


def _largest_first(figures, top=None):
    return sorted(figures.items(), key=lambda item: (-Decimal(item[1]), item[0]))[:top]


def _in_order(figures, labels):
    known = [(label, figures[label]) for label in labels if figures.get(label)]
    return known + [item for item in _largest_first(figures) if item[0] not in labels and item[1]]


def _hours(figures):
    return [(label, Decimal(hours)) for label, hours in _largest_first(figures)]


def board(part, year, *, on) -> Dashboard:
    """The dashboard laid out from a part of `figures` (or the sum of several)."""
    start, end = period(year, on)
    month, by_month = date(year, 1, 1), []
    while month <= end:
        by_month.append((month, Decimal(part.get("by_month", {}).get(month.isoformat(), ZERO))))
        month = rules.add_months(month, 1)
    lists = {
        name: _in_order(part.get(name, {}), ORDERS[name]) if name in ORDERS else _largest_first(part.get(name, {}))
        for name in COUNTED_LISTS
    }
    checks = [
        (months, sum(found.values()), _largest_first(found))
        for months in CHECK_MONTHS
        if (found := part.get("checks", {}).get(str(months)))
    ]
    data = bilan.Bilan(
        start=start,
        end=end,
        total=bilan.Line(
            "Total",
            required=Decimal(part.get("required", ZERO)),
            done_period=Decimal(part.get("done_period", ZERO)),
            done_total=Decimal(part.get("done_total", ZERO)),
        ),
        by_kind={
            label: Decimal(part["by_kind"][label]) for label in HourKind.labels if label in part.get("by_kind", {})
        },
        by_month=by_month,
        trade_counts=Counter(part.get("trades", {})),
        trades=_largest_first(part.get("trades", {}), bilan.TOP_TRADES),
        checks=checks,
        **{name: part.get(name, 0) for name in COUNTS},
        **lists,
    )
    by_buyer_type = _hours(part.get("by_buyer_type", {}))
    by_sector = _hours(part.get("by_sector", {}))
    by_year = [(int(y), Decimal(hours)) for y, hours in sorted(part.get("by_year", {}).items()) if Decimal(hours)]
    return Dashboard(year=year, bilan=data, by_buyer_type=by_buyer_type, by_sector=by_sector, by_year=by_year)


def dashboard(structures, year, *, on, **filters) -> Dashboard:
    """Computed now, for any filter (`reporting.kept.dashboard` reads the unfiltered figures kept ahead)."""
    return board(figures(structures, year, on=on, **filters), year, on=on)
