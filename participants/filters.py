from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from clauses.accounts.models import Organisation, User
from participants.enums import ReferralStatus, ViewKind
from participants.models import (
    EligibilityCriterion,
    EligibilityDiagnosis,
    Participant,
    ParticipantViewLog,
    Proof,
    Referral,
)

MAX_WORDS = 6
EXPIRY_WINDOW = timedelta(days=60)


def _search_names(queryset, name, value):
    for word in value.split()[:MAX_WORDS]:
        queryset = queryset.filter(
            Q(last_name__icontains=word) | Q(first_name__icontains=word) | Q(city__icontains=word)
        )
    return queryset


class ParticipantFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Recherche", method=_search_names, max_length=100,
                                  widget=forms.TextInput(attrs={"placeholder": "Nom, prénom, commune…"}))  # fmt: skip
    criterion = django_filters.ModelChoiceFilter(
        label="Critère (d'après la situation)",
        queryset=EligibilityCriterion.objects.filter(is_active=True),
        method="filter_criterion",
        to_field_name="code",
        empty_label="Tous",
    )
    qpv_resident = django_filters.BooleanFilter(label="Réside en QPV", widget=forms.Select(
        choices=[("", "Indifférent"), ("true", "oui"), ("false", "non")]))  # fmt: skip
    referent_organisation = django_filters.ModelChoiceFilter(
        label="Référent", queryset=Organisation.objects.none(), to_field_name="public_id", empty_label="Tous"
    )
    expiring = django_filters.BooleanFilter(
        label="Éligibilité ou justificatif expirant sous 60 jours",
        method="filter_expiring",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Participant
        fields = ["q", "criterion", "qpv_resident", "referent_organisation", "expiring"]

    def __init__(self, *args, referents, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["referent_organisation"].queryset = referents.order_by("name")

    def filter_criterion(self, queryset, name, criterion):
        return queryset.meeting_facts(criterion.code, timezone.localdate())

    def filter_expiring(self, queryset, name, value):
        if not value:
            return queryset
        today = timezone.localdate()
        window = {"valid_until__gte": today, "valid_until__lte": today + EXPIRY_WINDOW}
        diagnoses = EligibilityDiagnosis.objects.filter(participant=OuterRef("pk"), eligible=True, **window)
        proofs = Proof.objects.filter(participant=OuterRef("pk"), **window)
        return queryset.filter(Exists(diagnoses) | Exists(proofs))


class ReferralFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Recherche", method=_search_names, max_length=100)
    pending = django_filters.BooleanFilter(
        label="À vérifier", method="filter_pending", widget=forms.HiddenInput, help_text="Envoyées ou en vérification"
    )
    status = django_filters.ChoiceFilter(label="Statut", choices=ReferralStatus.choices, empty_label="Tous")
    prescriber_organisation = django_filters.ModelChoiceFilter(
        label="Prescripteur", queryset=Organisation.objects.none(), to_field_name="public_id", empty_label="Tous"
    )
    criterion = django_filters.ModelChoiceFilter(
        label="Critère invoqué",
        field_name="claimed_criteria",
        queryset=EligibilityCriterion.objects.filter(is_active=True),
        to_field_name="code",
        empty_label="Tous",
    )
    qpv_resident = django_filters.BooleanFilter(label="Réside en QPV", widget=forms.Select(
        choices=[("", "Indifférent"), ("true", "oui"), ("false", "non")]))  # fmt: skip

    class Meta:
        model = Referral
        fields = ["q", "pending", "status", "prescriber_organisation", "criterion", "qpv_resident"]

    def __init__(self, *args, prescribers, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["prescriber_organisation"].queryset = prescribers.order_by("name")

    def filter_pending(self, queryset, name, value):
        return queryset.pending() if value else queryset


class ViewLogFilter(django_filters.FilterSet):
    """The consultations log (administrators): by whom, what, and between which days."""

    user = django_filters.ModelChoiceFilter(
        label="Par", queryset=User.objects.none(), to_field_name="public_id", empty_label="Tout le monde"
    )
    what = django_filters.ChoiceFilter(label="Consultation", choices=ViewKind.choices, empty_label="Toutes")
    since = django_filters.DateFilter(
        label="Du", field_name="viewed_at", lookup_expr="date__gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        label="Au", field_name="viewed_at", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )
    participant = django_filters.UUIDFilter(label="Identifiant du dossier", field_name="participant__public_id")

    class Meta:
        model = ParticipantViewLog
        fields = ["user", "what", "since", "until", "participant"]

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["user"].queryset = users
