"""Factories of the follow-up: passages de relais and follow-up events (incidents and their alerts)."""

import datetime

import factory

from suivi.enums import FollowUpKind, HandoffKind, HandoffStatus, IncidentType, Severity
from suivi.models import FollowUpEvent, Handoff
from tests.suivi.factories import WorkContractFactory


class HandoffFactory(factory.django.DjangoModelFactory):
    """A return to the référent, sent (a prescriber sees it). Traits: `to_send`, `acknowledged`, `entry`."""

    class Meta:
        model = Handoff

    contract = factory.SubFactory(WorkContractFactory)
    participant = factory.SelfAttribute("contract.participant")
    structure = factory.SelfAttribute("contract.structure")
    kind = HandoffKind.RETOUR
    status = HandoffStatus.ENVOYE
    from_organisation = factory.SelfAttribute("structure")
    to_organisation = factory.SelfAttribute("participant.referent_organisation")
    participant_message = "Vous retournez vers votre conseillère, qui vous recontacte cette semaine."
    note = "Fin de contrat au terme, 420 heures réalisées."
    proposed_on = datetime.date(2026, 8, 1)
    sent_on = datetime.date(2026, 8, 3)

    class Params:
        to_send = factory.Trait(status=HandoffStatus.A_ENVOYER, sent_on=None)
        acknowledged = factory.Trait(
            status=HandoffStatus.ACCUSE,
            acknowledged_at=factory.LazyFunction(lambda: datetime.datetime(2026, 8, 4, 10, tzinfo=datetime.UTC)),
        )
        entry = factory.Trait(
            kind=HandoffKind.ENTREE,
            from_organisation=factory.SelfAttribute("participant.referent_organisation"),
            to_organisation=factory.SelfAttribute("structure"),
            participant_message="",
        )


def handoff_for(participant, **kwargs):
    """A handoff about `participant` (on a contract of theirs: the one given, else a new one)."""
    if "contract" not in kwargs:
        kwargs["contract"] = participant.contracts.first() or WorkContractFactory(
            participant=participant, award__lot__market__structure=participant.structure
        )
    return HandoffFactory(participant=participant, **kwargs)


class FollowUpEventFactory(factory.django.DjangoModelFactory):
    """A site visit on a contract. Traits: `incident` (a conflict, open alert), `suffering` (urgent), `closed`."""

    class Meta:
        model = FollowUpEvent

    contract = factory.SubFactory(WorkContractFactory)
    kind = FollowUpKind.VISITE
    date = datetime.date(2026, 3, 10)
    note = "Visite avec le chef de chantier : bonne intégration dans l'équipe."

    class Params:
        incident = factory.Trait(
            kind=FollowUpKind.INCIDENT, incident_type=IncidentType.CONFLIT, severity=Severity.MOYENNE,
            note="Tension avec le chef d'équipe sur les horaires.",
        )  # fmt: skip
        suffering = factory.Trait(
            kind=FollowUpKind.INCIDENT, incident_type=IncidentType.SOUFFRANCE, severity=Severity.URGENTE,
            note="La personne dit ne plus supporter les remarques de son encadrant.",
        )  # fmt: skip
        closed = factory.Trait(
            closed_at=factory.LazyFunction(lambda: datetime.datetime(2026, 3, 12, 15, tzinfo=datetime.UTC)),
            action_taken="Rencontre tripartite avec l'employeur, changement d'équipe.",
        )
