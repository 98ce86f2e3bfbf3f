import datetime
from decimal import Decimal

import factory

from suivi import services
from suivi.enums import ContractModality, ContractType, HourKind, OfferStatus, PositioningStatus
from suivi.models import Assignment, HourEntry, JobOffer, Positioning, WorkContract
from tests.marches.factories import AwardFactory
from tests.participants.factories import ParticipantFactory


class JobOfferFactory(factory.django.DjangoModelFactory):
    """A published offer on an award of an attributed market."""

    class Meta:
        model = JobOffer

    award = factory.SubFactory(AwardFactory)
    status = OfferStatus.PUBLIEE
    job_title = "Maçon VRD"
    rome_code = "F1703"
    positions = 2
    start_date = datetime.date(2026, 3, 2)
    activities = "Pose de bordures, petits ouvrages de maçonnerie, aide au coffrage."
    skills = "Lecture de plan simple, travail en équipe."
    contract_type = ContractType.CDD
    duration_weeks = 12
    weekly_hours = Decimal("35")
    gross_salary = "SMIC"
    workplace = "Nantes, chantier du quartier Bellevue"
    published_at = factory.LazyFunction(lambda: datetime.datetime(2026, 2, 1, 9, tzinfo=datetime.UTC))


class PositioningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Positioning

    offer = factory.SubFactory(JobOfferFactory)
    participant = factory.SubFactory(
        ParticipantFactory, structure=factory.SelfAttribute("..offer.award.lot.market.structure")
    )
    status = PositioningStatus.PROPOSE
    proposed_by_organisation = factory.SelfAttribute("offer.award.lot.market.structure")


class WorkContractFactory(factory.django.DjangoModelFactory):
    """A CDD of six months at the award's company, serving that award (pass `awards=[…]` for several)."""

    class Meta:
        model = WorkContract
        skip_postgeneration_save = True

    award = factory.SubFactory(AwardFactory)  # not a field: the award served, popped in _create
    structure = factory.SelfAttribute("award.lot.market.structure")
    participant = factory.SubFactory(ParticipantFactory, structure=factory.SelfAttribute("..structure"))
    employer = factory.SelfAttribute("award.company")
    company = factory.SelfAttribute("award.company")
    contract_type = ContractType.CDD
    modality = ContractModality.EMBAUCHE_DIRECTE
    start_date = datetime.date(2026, 2, 2)
    planned_end_date = datetime.date(2026, 7, 31)
    weekly_hours = Decimal("35")
    job_title = "Maçon VRD"
    rome_code = "F1703"
    tutor_name = "Chef d'équipe"

    @factory.post_generation
    def awards(self, create, value, **kwargs):
        """The awards served (the factory's award by default); their assignments are then checked."""
        if not create:
            return
        for served in value or [self._award]:
            Assignment.objects.create(contract=self, award=served)
        services.assignments_check(list(self.assignments.all()))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        award = kwargs.pop("award", None)
        contract = super()._create(model_class, *args, **kwargs)
        contract._award = award
        return contract


def hours(assignment, month, value, kind=HourKind.TRAVAIL):
    """One row of hours, written directly (the services' checks are tested on their own)."""
    return HourEntry.objects.create(
        award=assignment.award, assignment=assignment, month=month, kind=kind, hours=Decimal(value)
    )
