import django_filters
from django import forms
from django.db.models import Q

from comites.enums import DECISION_OPEN, DecisionStatus, MeetingKind, MeetingStatus
from comites.models import CommitteeDecision, CommitteeMeeting

MAX_WORDS = 6


class MeetingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Recherche",
        method="search",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "Intitulé, lieu…"}),
    )
    kind = django_filters.ChoiceFilter(label="Type de comité", choices=MeetingKind.choices, empty_label="Tous")
    status = django_filters.ChoiceFilter(label="Statut", choices=MeetingStatus.choices, empty_label="Tous")
    year = django_filters.NumberFilter(
        label="Année", field_name="date", lookup_expr="year", min_value=2000, max_value=2100
    )

    class Meta:
        model = CommitteeMeeting
        fields = ["q", "kind", "status", "year"]

    def search(self, queryset, name, value):
        for word in value.split()[:MAX_WORDS]:
            queryset = queryset.filter(Q(title__icontains=word) | Q(place__icontains=word))
        return queryset


STATE_CHOICES = [("ouvertes", "à faire ou en cours"), ("en_retard", "en retard"), *DecisionStatus.choices]


class ActionFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label="Statut", choices=STATE_CHOICES, empty_label="Toutes", method="by_state")
    mine = django_filters.BooleanFilter(
        label="Dont je suis responsable", method="by_owner", widget=forms.CheckboxInput
    )

    class Meta:
        model = CommitteeDecision
        fields = ["state", "mine"]

    def __init__(self, *args, user, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.today = user, today

    def by_state(self, queryset, name, value):
        if value == "ouvertes":
            return queryset.filter(status__in=DECISION_OPEN)
        if value == "en_retard":
            return queryset.filter(status__in=DECISION_OPEN, due_date__lt=self.today)
        return queryset.filter(status=value)

    def by_owner(self, queryset, name, value):
        return queryset.filter(owner_user=self.user) if value else queryset
