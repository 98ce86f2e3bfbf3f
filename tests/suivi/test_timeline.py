"""The participant timeline: everything of a parcours on one page, in date order, within the viewer's scope."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.enums import ReferralStatus
from participants.models import ReferralEvent
from suivi.enums import (
    CheckStatus,
    FollowUpKind,
    HandoffKind,
    HandoffStatus,
    IncidentType,
    PositioningStatus,
    ReviewMoment,
    Severity,
    Situation,
)
from suivi.models import (
    FollowUpEvent,
    Handoff,
    Outcome,
    OutcomeCheck,
    PositioningEvent,
    SkillsReview,
)
from tests.suivi.factories import WorkContractFactory, hours

pytestmark = pytest.mark.django_db


def page_of(client, membership, participant, query=""):
    client.force_login(membership.user)
    return client.get(reverse("suivi:participant_timeline", args=[participant.public_id]) + query)


def at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def fill_parcours(world, participant, contract):
    """A whole parcours: fiche navette, positioning, contract, two months of hours, a visit, an incident closed,
    the return to the référent, the skills document, the sortie and the check at 6 months."""
    referral = world.referral
    referral.participant = participant
    referral.status = ReferralStatus.ACCEPTEE
    referral.save()
    ReferralEvent.objects.create(referral=referral, to_status=ReferralStatus.ACCEPTEE)
    ReferralEvent.objects.filter(referral=referral).update(at=at(datetime.date(2026, 1, 10)))
    event = PositioningEvent.objects.create(positioning=world.positioning, to_status=PositioningStatus.RETENU)
    PositioningEvent.objects.filter(pk=event.pk).update(at=at(datetime.date(2026, 1, 25)))
    assignment = contract.assignments.get()
    hours(assignment, datetime.date(2026, 2, 1), "140")
    hours(assignment, datetime.date(2026, 3, 1), "151.67")
    FollowUpEvent.objects.create(
        contract=contract, kind=FollowUpKind.VISITE, date=datetime.date(2026, 3, 12), note="Bonne intégration."
    )
    FollowUpEvent.objects.create(
        contract=contract,
        kind=FollowUpKind.INCIDENT,
        incident_type=IncidentType.SOUFFRANCE,
        severity=Severity.URGENTE,
        date=datetime.date(2026, 4, 3),
        note="Propos humiliants du chef de chantier.",
        closed_at=at(datetime.date(2026, 4, 6)),
        action_taken="Rencontre avec la direction, changement d'équipe.",
    )
    SkillsReview.objects.create(contract=contract, moment=ReviewMoment.DEBUT, review_date=datetime.date(2026, 2, 20))
    Handoff.objects.create(
        structure=world.structure,
        participant=participant,
        kind=HandoffKind.RETOUR,
        status=HandoffStatus.ACCUSE,
        contract=contract,
        from_organisation=world.structure,
        to_organisation=world.prescriber_org,
        participant_message="Vous retournez vers votre conseillère de la Mission locale.",
        proposed_on=datetime.date(2026, 7, 31),
        sent_on=datetime.date(2026, 8, 3),
        acknowledged_at=at(datetime.date(2026, 8, 5)),
    )
    Outcome.objects.create(participant=participant, contract=contract, date=datetime.date(2026, 7, 31),
                           situation=Situation.CDI, employer="Bâtiments de l'Ouest")  # fmt: skip
    OutcomeCheck.objects.create(
        participant=participant, months=6, first_contract_start=contract.start_date,
        due_date=datetime.date(2026, 8, 2), status=CheckStatus.FAIT, checked_on=datetime.date(2026, 8, 10),
        situation=Situation.CDI,
    )  # fmt: skip
    OutcomeCheck.objects.create(participant=participant, months=12, first_contract_start=contract.start_date,
                                due_date=datetime.date(2027, 2, 2))  # fmt: skip


def test_the_timeline_tells_the_whole_parcours_newest_first(client, world):
    fill_parcours(world, world.participant, world.contract)
    response = page_of(client, world.facilitateur, world.participant)
    assert response.status_code == 200
    past = response.context["past"]
    assert [entry.day for entry in past] == sorted((entry.day for entry in past), reverse=True)
    titles = [entry.title for entry in past]
    for expected in (
        "Fiche navette acceptée",
        "Positionnement : retenu",
        "Début du contrat",
        "Fin du contrat",
        "140 h relevées en février 2026",
        "151,67 h relevées en mars 2026",
        "Visite de chantier",
        "Incident : souffrance au travail (gravité urgente)",
        "Alerte close",
        "Suivi des compétences (début de contrat)",
        "Retour au référent en fin de clause envoyé",
        "Retour au référent en fin de clause : reçu",
        "Sortie : emploi durable",
        "Point de situation à 6 mois",
    ):
        assert expected in titles, expected
    # The check at 12 months lies ahead: it is announced apart, not mixed with what happened.
    assert [entry.title for entry in response.context["upcoming"]] == ["Point de situation à 12 mois à faire"]
    content = response.content.decode()
    assert content.index("Point de situation à 6 mois") < content.index("Début du contrat")


def test_the_timeline_filters_by_kind(client, world):
    fill_parcours(world, world.participant, world.contract)
    response = page_of(client, world.facilitateur, world.participant, "?type=incident&type=inconnu")
    assert {entry.kind for entry in response.context["past"]} == {"incident"}
    assert response.context["shown"] == ["incident"]


def test_an_empty_parcours_says_so(client, world):
    response = page_of(client, world.facilitateur, world.sibling_participant.__class__.objects.create(
        structure=world.structure, last_name="Nouveau", first_name="Arrivé", birth_date=datetime.date(1999, 1, 1),
        sex="F",
    ))  # fmt: skip
    assert "Le parcours commence ici" in response.content.decode()


def test_the_referent_sees_their_persons_timeline_within_their_scope(client, world):
    fill_parcours(world, world.participant, world.contract)
    response = page_of(client, world.prescripteur, world.participant)
    assert response.status_code == 200
    titles = [entry.title for entry in response.context["past"]]
    assert "Incident : souffrance au travail (gravité urgente)" in titles
    assert "Retour au référent en fin de clause : reçu" in titles


def test_a_prescriber_sees_nothing_of_a_person_after_consent_is_withdrawn(client, world):
    world.participant.consents.update(withdrawn_on=datetime.date(2026, 5, 1))
    response = page_of(client, world.prescripteur, world.participant)
    assert response.status_code == 200
    assert "past" not in response.context


def test_opening_the_timeline_is_logged(client, world):
    page_of(client, world.facilitateur, world.participant)
    assert world.participant.view_logs.filter(user=world.facilitateur.user).count() == 1


def test_the_timeline_issues_the_same_queries_however_long_the_parcours(client, world):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert page_of(client, world.facilitateur, world.participant).status_code == 200
        return len(queries)

    fill_parcours(world, world.participant, world.contract)
    count()  # the first opening fills the caches (session, content types)
    before = count()
    for start in (datetime.date(2025, 1, 6), datetime.date(2025, 6, 2), datetime.date(2025, 9, 1)):
        contract = WorkContractFactory(
            award=world.award, participant=world.participant, start_date=start,
            planned_end_date=start + datetime.timedelta(days=80),
        )  # fmt: skip
        hours(contract.assignments.get(), start.replace(day=1), "120")
        FollowUpEvent.objects.create(contract=contract, kind=FollowUpKind.TELEPHONE, date=start, note="Point.")
        SkillsReview.objects.create(contract=contract, moment=ReviewMoment.FIN, review_date=start)
    assert count() == before
