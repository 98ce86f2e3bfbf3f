"""Forms of the sorties and of the checks at 6, 12, 18 and 24 months (R-OUTCOME), and the filter of the checks."""

import django_filters
from django import forms
from django.db.models import Q

from suivi import outcomes as rules
from suivi.enums import CHECK_MONTHS, CheckStatus, Situation
from suivi.filters import _search_people
from suivi.forms import DATE_INPUT
from suivi.models import OutcomeCheck, WorkContract

SITUATION_CHOICES = [("", "—"), *Situation.choices]


class ContractChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.job_title} chez {obj.company.name}, à partir du {obj.start_date:%d/%m/%Y}"


class OutcomeForm(forms.Form):
    date = forms.DateField(
        label="Date de sortie", widget=DATE_INPUT, error_messages={"required": "Indiquez la date de sortie."}
    )
    situation = forms.ChoiceField(
        label="Situation à la sortie",
        choices=SITUATION_CHOICES,
        error_messages={"required": "Indiquez la situation de la personne à sa sortie."},
        help_text="Le type de sortie (emploi durable, de transition, sortie positive) en découle.",
    )
    employer = forms.CharField(label="Employeur ou organisme", max_length=200, required=False)
    contract = ContractChoiceField(
        label="Dernier contrat de la clause", queryset=WorkContract.objects.none(), required=False, empty_label="—"
    )
    note = forms.CharField(label="Précisions", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, contracts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts.select_related("company").order_by("-start_date")


class CheckForm(forms.Form):
    status = forms.ChoiceField(
        label="Résultat",
        choices=[(CheckStatus.FAIT, "point fait"), (CheckStatus.INJOIGNABLE, "personne injoignable")],
        widget=forms.RadioSelect,
        initial=CheckStatus.FAIT,
        error_messages={"required": "Indiquez si le point a été fait."},
    )
    checked_on = forms.DateField(
        label="Date du point",
        widget=DATE_INPUT,
        error_messages={"required": "Indiquez la date du point de situation."},
    )
    situation = forms.ChoiceField(
        label="Situation de la personne",
        choices=SITUATION_CHOICES,
        required=False,
        help_text="Obligatoire quand le point est fait.",
    )
    employer = forms.CharField(label="Employeur ou organisme", max_length=200, required=False)
    note = forms.CharField(label="Précisions", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean(self):
        data = super().clean()
        if data.get("status") == CheckStatus.FAIT and not data.get("situation"):
            self.add_error("situation", "Indiquez la situation de la personne.")
        return data


class CheckFilter(django_filters.FilterSet):
    DUE, LATE, UPCOMING = "a_faire", "en_retard", "a_venir"
    q = django_filters.CharFilter(
        label="Personne",
        method=_search_people("participant__"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "Nom ou prénom…"}),
    )
    state = django_filters.ChoiceFilter(
        label="Statut",
        choices=[
            (DUE, "à faire (échus)"),
            (LATE, "en retard"),
            (UPCOMING, "à venir"),
            (CheckStatus.FAIT, "fait"),
            (CheckStatus.INJOIGNABLE, "personne injoignable"),
        ],
        method="filter_state",
        empty_label="Tous",
    )
    months = django_filters.ChoiceFilter(
        label="Échéance", choices=[(str(m), f"{m} mois") for m in CHECK_MONTHS], empty_label="Toutes"
    )

    class Meta:
        model = OutcomeCheck
        fields = ["q", "state", "months"]

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def filter_state(self, queryset, name, value):
        pending = Q(status=CheckStatus.A_FAIRE)
        match value:
            case self.DUE:
                return queryset.filter(pending, due_date__lte=self.today)
            case self.LATE:
                return queryset.filter(pending, due_date__lte=rules.overdue_due_dates_before(self.today))
            case self.UPCOMING:
                return queryset.filter(pending, due_date__gt=self.today)
        return queryset.filter(status=value)
