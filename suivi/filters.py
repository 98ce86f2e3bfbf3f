import django_filters
from django import forms
from django.db.models import Q

from marches.models import Company
from suivi.enums import ContractType, OfferStatus, PositioningStatus
from suivi.models import JobOffer, Positioning, WorkContract

MAX_WORDS = 6


def _words(value):
    return value.split()[:MAX_WORDS]


def _search_offers(queryset, name, value):
    for word in _words(value):
        queryset = queryset.filter(
            Q(job_title__icontains=word)
            | Q(rome_code__iexact=word)
            | Q(workplace__icontains=word)
            | Q(award__company__name__icontains=word)
            | Q(award__lot__market__reference__icontains=word)
        )
    return queryset


def _search_people(prefix):
    def search(queryset, name, value):
        for word in _words(value):
            queryset = queryset.filter(
                Q(**{f"{prefix}last_name__icontains": word}) | Q(**{f"{prefix}first_name__icontains": word})
            )
        return queryset

    return search


class OfferFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Recherche",
        method=_search_offers,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "Poste, code ROME, entreprise, lieu…"}),
    )
    status = django_filters.ChoiceFilter(label="Statut", choices=OfferStatus.choices, empty_label="Tous")
    contract_type = django_filters.ChoiceFilter(label="Contrat", choices=ContractType.choices, empty_label="Tous")

    class Meta:
        model = JobOffer
        fields = ["q", "status", "contract_type"]


class PositioningFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Candidat",
        method="search",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "Nom ou prénom…"}),
    )
    status = django_filters.ChoiceFilter(label="Statut", choices=PositioningStatus.choices, empty_label="Tous")

    class Meta:
        model = Positioning
        fields = ["q", "status"]

    def search(self, queryset, name, value):
        for word in _words(value):
            queryset = queryset.filter(
                Q(participant__last_name__icontains=word)
                | Q(participant__first_name__icontains=word)
                | Q(referral__last_name__icontains=word)
                | Q(referral__first_name__icontains=word)
            )
        return queryset


class ContractFilter(django_filters.FilterSet):
    RUNNING, ENDED = "en_cours", "termine"
    q = django_filters.CharFilter(
        label="Personne",
        method=_search_people("participant__"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "Nom ou prénom…"}),
    )
    company = django_filters.ModelChoiceFilter(
        label="Entreprise", queryset=Company.objects.none(), to_field_name="public_id", empty_label="Toutes"
    )
    contract_type = django_filters.ChoiceFilter(label="Type", choices=ContractType.choices, empty_label="Tous")
    state = django_filters.ChoiceFilter(
        label="État",
        choices=[(RUNNING, "en cours"), (ENDED, "terminé")],
        method="filter_state",
        empty_label="Tous",
    )
    not_counted = django_filters.BooleanFilter(
        label="Heures non comptées sur un marché", method="filter_not_counted", widget=forms.CheckboxInput
    )

    skills_due = django_filters.BooleanFilter(
        label="Document de suivi des compétences à remplir", method="filter_skills_due", widget=forms.CheckboxInput
    )

    class Meta:
        model = WorkContract
        fields = ["q", "company", "contract_type", "state", "not_counted", "skills_due"]

    def __init__(self, *args, companies, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.filters["company"].queryset = companies.order_by("name")

    def filter_state(self, queryset, name, value):
        running = WorkContract.objects.running_on(self.today).values("pk")
        if value == self.RUNNING:
            return queryset.filter(pk__in=running)
        if value == self.ENDED:
            return queryset.exclude(pk__in=running).filter(start_date__lte=self.today)
        return queryset

    def filter_skills_due(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=WorkContract.objects.skills_documents_due(self.today).values("pk"))

    def filter_not_counted(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(assignments__counts=False).distinct()
