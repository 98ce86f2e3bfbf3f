import django_filters
from django.db.models import Q

from clauses.accounts.enums import OrganisationKind, PrescriberType
from clauses.accounts.models import Organisation


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Recherche", method="search")
    kind = django_filters.ChoiceFilter(label="Type", choices=OrganisationKind.choices, empty_label="Tous les types")
    prescriber_type = django_filters.ChoiceFilter(
        label="Type de prescripteur", choices=PrescriberType.choices, empty_label="Tous"
    )

    class Meta:
        model = Organisation
        fields = ["q", "kind", "prescriber_type"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(city__icontains=value) | Q(siret__startswith=value.replace(" ", ""))
        )
