from datetime import date

from django import forms
from django.utils import timezone

from marches.models import Buyer, Company, Market
from reporting.models import ReportKind


def _last_year():
    return timezone.localdate().year - 1


class BilanForm(forms.Form):
    """A bilan of one buyer, market or company over a period of whole months."""

    kind = forms.ChoiceField(
        label="Bilan",
        choices=[(k, ReportKind(k).label) for k in (ReportKind.BILAN_ACHETEUR, ReportKind.BILAN_MARCHE,
                                                     ReportKind.BILAN_ENTREPRISE)],
        widget=forms.RadioSelect,
    )  # fmt: skip
    buyer = forms.ModelChoiceField(
        label="Donneur d'ordre", queryset=Buyer.objects.none(), to_field_name="public_id", required=False
    )
    market = forms.ModelChoiceField(
        label="Marché", queryset=Market.objects.none(), to_field_name="public_id", required=False
    )
    company = forms.ModelChoiceField(
        label="Entreprise", queryset=Company.objects.none(), to_field_name="public_id", required=False
    )
    start = forms.DateField(label="Du", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="Au", widget=forms.DateInput(attrs={"type": "date"}))
    shared = forms.BooleanField(
        label="Partager avec les membres du comité", required=False,
        help_text="Ils pourront le télécharger ; le bilan ne nomme personne.",
    )  # fmt: skip

    TARGET_FIELD = {
        ReportKind.BILAN_ACHETEUR: "buyer",
        ReportKind.BILAN_MARCHE: "market",
        ReportKind.BILAN_ENTREPRISE: "company",
    }

    def __init__(self, *args, buyers, markets, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer"].queryset = buyers.order_by("name")
        self.fields["market"].queryset = markets.order_by("reference")
        self.fields["company"].queryset = companies.order_by("name")
        year = _last_year()
        self.initial.setdefault("kind", ReportKind.BILAN_ACHETEUR)
        self.initial.setdefault("start", date(year, 1, 1))
        self.initial.setdefault("end", date(year, 12, 31))

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        name = self.TARGET_FIELD.get(kind)
        if name and not data.get(name):
            self.add_error(name, f"Choisissez {self.fields[name].label.lower()}.")
        if data.get("start") and data.get("end"):
            if data["start"] > data["end"]:
                self.add_error("end", "La fin de la période précède son début.")
            elif data["end"] > timezone.localdate() + timezone.timedelta(days=366):
                self.add_error("end", "La période ne peut pas finir plus d'un an après aujourd'hui.")
        data["target"] = data.get(name) if name else None
        return data


class YearBatchForm(forms.Form):
    year = forms.IntegerField(label="Année", min_value=2000, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("year", _last_year())


class ExportFilterForm(forms.Form):
    """The optional year of the exports (?annee=2026)."""

    annee = forms.IntegerField(
        label="Année",
        min_value=2000,
        max_value=2100,
        required=False,
        help_text="Laissez vide pour tout exporter.",
        error_messages={
            "invalid": "Indiquez une année en chiffres, par exemple 2026.",
            "min_value": "Indiquez une année entre 2000 et 2100.",
            "max_value": "Indiquez une année entre 2000 et 2100.",
        },
    )
