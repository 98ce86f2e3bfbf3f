import datetime

import factory

from comites.enums import DecisionKind, DecisionStatus, MeetingKind
from comites.models import CommitteeDecision, CommitteeMeeting
from tests.accounts.factories import OrganisationFactory


class CommitteeMeetingFactory(factory.django.DjangoModelFactory):
    """A follow-up committee in preparation; pass `attendees=[user…]`, `organisations=[…]`, `companies=[…]`."""

    class Meta:
        model = CommitteeMeeting
        skip_postgeneration_save = True

    structure = factory.SubFactory(OrganisationFactory)
    kind = MeetingKind.SUIVI
    title = factory.Sequence(lambda n: f"Comité de suivi n°{n}")
    date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=14))
    place = "Salle du conseil, hôtel de la métropole"

    @factory.post_generation
    def attendees(self, create, value, **kwargs):
        if create and value:
            self.attendees.set(value)

    @factory.post_generation
    def organisations(self, create, value, **kwargs):
        if create and value:
            self.organisations.set(value)

    @factory.post_generation
    def companies(self, create, value, **kwargs):
        if create and value:
            self.companies.set(value)


class CommitteeDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitteeDecision

    meeting = factory.SubFactory(CommitteeMeetingFactory)
    kind = DecisionKind.ACTION
    text = "Organiser une visite de chantier avec le référent"
    owner_name = "Mission Locale"
    due_date = factory.LazyAttribute(lambda d: d.meeting.date + datetime.timedelta(days=30))
    status = DecisionStatus.A_FAIRE
