import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from marches.enums import BuyerType, CompanyKind, LegalBasis, MarketNature, MarketStatus, QpvLocation
from marches.models import Buyer, Company, Lot, Market

MAX_WORDS = 8  # beyond, a search is no more precise, only slower


class StableOrderingFilter(django_filters.OrderingFilter):
    """Sorting by a column with ties (buyer, status, year) keeps a fixed order, so pages never overlap."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        return qs.order_by(*qs.query.order_by, "pk") if value else qs


def _search(fields):
    """A filter method: every word must appear in one of `fields`."""

    def method(queryset, name, value):
        for word in value.split()[:MAX_WORDS]:
            condition = Q()
            for field in fields:
                condition |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(condition)
        return queryset

    return method


class MarketFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Recherche",
        method="search",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Référence, objet, acheteur, commune, lot…"}),
    )
    buyer = django_filters.ModelChoiceFilter(
        label="Donneur d'ordre", queryset=Buyer.objects.none(), empty_label="Tous", to_field_name="public_id"
    )
    buyer_type = django_filters.ChoiceFilter(
        label="Type d'acheteur", field_name="buyer__buyer_type", choices=BuyerType.choices, empty_label="Tous"
    )
    status = django_filters.ChoiceFilter(label="Statut", choices=MarketStatus.choices, empty_label="Tous")
    year = django_filters.NumberFilter(
        label="Année d'attribution", method="filter_year", min_value=2000, max_value=2100
    )
    nature = django_filters.ChoiceFilter(label="Nature", choices=MarketNature.choices, empty_label="Toutes")
    legal_basis = django_filters.ChoiceFilter(label="Fondement", choices=LegalBasis.choices, empty_label="Tous")
    city = django_filters.CharFilter(label="Commune", field_name="city", lookup_expr="icontains")
    qpv = django_filters.ChoiceFilter(label="QPV", choices=QpvLocation.choices, empty_label="Tous")
    ordering = StableOrderingFilter(
        label="Trier par",
        fields=[
            ("reference", "reference"),
            ("title", "title"),
            ("buyer__name", "buyer"),
            ("estimated_amount_ht", "amount"),
            ("year", "year"),
            ("attribution_date", "attribution"),
            ("required_total", "hours"),
            ("status", "status"),
        ],
        field_labels={
            "reference": "référence",
            "title": "objet",
            "buyer__name": "donneur d'ordre",
            "estimated_amount_ht": "montant",
            "year": "année",
            "attribution_date": "date d'attribution",
            "required_total": "heures exigées",
            "status": "statut",
        },
        empty_label="Par défaut",
    )

    class Meta:
        model = Market
        fields = ["q", "buyer", "buyer_type", "status", "year", "nature", "legal_basis", "city", "qpv"]

    def __init__(self, *args, buyers, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["buyer"].queryset = buyers.order_by("name")

    def filter_year(self, queryset, name, value):
        return queryset.filter(year=value)

    def search(self, queryset, name, value):
        """Every word must appear in the reference, title, buyer, commune or one of the lots' titles."""
        for word in value.split()[:MAX_WORDS]:
            in_lots = Exists(Lot.objects.filter(market=OuterRef("pk"), title__icontains=word))
            queryset = queryset.filter(
                Q(reference__icontains=word)
                | Q(title__icontains=word)
                | Q(buyer__name__icontains=word)
                | Q(city__icontains=word)
                | in_lots
            )
        return queryset


class BuyerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Recherche", method=_search(["name", "city", "contact_name"]), max_length=200)
    buyer_type = django_filters.ChoiceFilter(label="Type", choices=BuyerType.choices, empty_label="Tous")

    class Meta:
        model = Buyer
        fields = ["q", "buyer_type"]


class CompanyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Recherche", method=_search(["name", "siret", "city", "naf_code"]), max_length=200
    )
    kind = django_filters.ChoiceFilter(label="Type", choices=CompanyKind.choices, empty_label="Tous")

    class Meta:
        model = Company
        fields = ["q", "kind"]


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # the browser's date picker reads ISO


class ProgrammationFilter(forms.Form):
    start = forms.DateField(label="Attribution prévue du", required=False, widget=DATE_INPUT)
    end = forms.DateField(label="au", required=False, widget=DATE_INPUT)
    nature = forms.ChoiceField(label="Nature", choices=[("", "Toutes"), *MarketNature.choices], required=False)
    buyer_type = forms.ChoiceField(label="Type d'acheteur", choices=[("", "Tous"), *BuyerType.choices], required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            self.add_error("end", "La fin de la période précède son début.")
        return cleaned
