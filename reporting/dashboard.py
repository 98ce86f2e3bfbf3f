"""The dashboard: a year's figures of one or several structures, filtered by buyer, buyer type and territory. The
figures are those of the bilans (`reporting.bilan.compute`), plus the hours by buyer type and by sector; the charts
are the bilans' charts."""

from dataclasses import dataclass
from datetime import date

from django import forms
from django.db.models import Q, Sum
from django.db.models.functions import ExtractYear

from marches.enums import ATTRIBUTED, BuyerType, Sector
from marches.models import Buyer
from reporting import bilan as figures
from reporting import charts
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
    bilan: figures.Bilan
    by_buyer_type: list
    by_sector: list
    by_year: list
    charts: dict


def awards_of(structures, *, buyer=None, buyer_type="", territory="") -> Q:
    """The awards a dashboard counts, as lookups from an Award (`figures.through` turns them into the hours')."""
    scope = Q(lot__market__structure__in=structures, lot__market__status__in=ATTRIBUTED)
    if buyer is not None:
        scope &= Q(lot__market__buyer=buyer)
    if buyer_type:
        scope &= Q(lot__market__buyer__buyer_type=buyer_type)
    if territory:
        scope &= Q(lot__market__postcode__startswith=territory)
    return scope


def _grouped(entries, field, labels):
    rows = entries.order_by().values(field).annotate(total=Sum("hours")).order_by("-total")
    return [(labels.get(row[field], "non renseigné"), row["total"]) for row in rows if row["total"]]


def dashboard(structures, year, *, on, **filters) -> Dashboard:
    start, end = date(year, 1, 1), min(date(year, 12, 31), on)
    scope = awards_of(structures, **filters)
    data = figures.compute(scope, start, end, lines=False)
    entries = HourEntry.objects.filter(figures.through(scope), month__gte=start, month__lte=end).counted()
    by_buyer_type = _grouped(entries, "award__lot__market__buyer__buyer_type", dict(BuyerType.choices))
    by_sector = _grouped(entries, "award__lot__market__sector", dict(Sector.choices))
    yearly = (
        HourEntry.objects.filter(figures.through(scope), month__lte=end)
        .counted()
        .annotate(year=ExtractYear("month"))
        .order_by("year")
        .values("year")
        .annotate(total=Sum("hours"))
    )
    by_year = [(row["year"], row["total"]) for row in yearly if row["year"] > year - 5]
    share = [
        ("femmes", data.women),
        ("résidant en QPV", data.qpv),
        ("RQTH", data.rqth),
    ]
    return Dashboard(
        year=year,
        bilan=data,
        by_buyer_type=by_buyer_type,
        by_sector=by_sector,
        by_year=by_year,
        charts={
            "months": charts.month_chart(f"Heures réalisées par mois en {year}", data.by_month),
            "buyer_types": charts.bar_chart("Heures par type d'acheteur", by_buyer_type, unit=" h"),
            "sectors": charts.bar_chart("Heures par secteur", by_sector, unit=" h"),
            "people": charts.bar_chart("Bénéficiaires", share),
            "outcomes": charts.bar_chart("Sorties", data.outcomes),
        },
    )
