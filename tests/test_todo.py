"""The home page as a to-do list: a facilitator starts the day there and knows what to do, the most pressing first;
a référent finds the passages de relais to acknowledge and the alerts about their people."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from marches.models import Market
from suivi.enums import (
    CheckStatus,
    FollowUpKind,
    HandoffKind,
    HandoffStatus,
    IncidentType,
    ReviewMoment,
    Severity,
)
from suivi.models import FollowUpEvent, Handoff, OutcomeCheck, SkillsReview
from tests.participants.factories import ParticipantFactory
from tests.suivi.factories import WorkContractFactory

pytestmark = pytest.mark.django_db


def incident(contract, incident_type=IncidentType.CONFLIT, severity=Severity.MOYENNE, days_ago=3):
    return FollowUpEvent.objects.create(
        contract=contract, kind=FollowUpKind.INCIDENT, incident_type=incident_type, severity=severity,
        date=timezone.localdate() - datetime.timedelta(days=days_ago), note="Signalé par le tuteur.",
    )  # fmt: skip


def handoff(world, participant, status=HandoffStatus.A_ENVOYER, sent_days_ago=None, contract=None):
    today = timezone.localdate()
    return Handoff.objects.create(
        structure=world.structure, participant=participant, kind=HandoffKind.RETOUR, status=status,
        contract=contract, from_organisation=world.structure, to_organisation=participant.referent_organisation,
        participant_message="Vous retournez vers votre référent." if status != HandoffStatus.A_ENVOYER else "",
        proposed_on=today - datetime.timedelta(days=20),
        sent_on=today - datetime.timedelta(days=sent_days_ago) if sent_days_ago is not None else None,
    )  # fmt: skip


def check(participant, months, due_days_ago):
    due = timezone.localdate() - datetime.timedelta(days=due_days_ago)
    return OutcomeCheck.objects.create(
        participant=participant, months=months, first_contract_start=due - datetime.timedelta(days=months * 30),
        due_date=due,
    )  # fmt: skip


def tasks_of(client, membership):
    client.force_login(membership.user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return {task.key: task for task in response.context["tasks"]}, response


def quiet_world(world):
    """Nothing to do in the world: the market is on pace, the contract has its skills documents."""
    Market.objects.filter(pk=world.market.pk).update(status="programme")
    for contract in (world.contract, world.sibling_contract):
        for moment in ReviewMoment:
            SkillsReview.objects.create(contract=contract, moment=moment, review_date=contract.start_date)
    world.referral.status = world.sibling_referral.status = "acceptee"
    world.referral.save(), world.sibling_referral.save()


def test_a_quiet_day_says_there_is_nothing_urgent(client, world):
    quiet_world(world)
    tasks, response = tasks_of(client, world.facilitateur)
    assert tasks == {}
    assert "Rien d'urgent aujourd'hui" in response.content.decode()


def test_r_incident_an_open_alert_heads_the_facilitators_list_urgent_first(client, world):
    quiet_world(world)
    incident(world.contract, days_ago=10)
    urgent = incident(world.sibling_contract, IncidentType.SOUFFRANCE, Severity.URGENTE, days_ago=1)
    closed = incident(world.contract)
    closed.closed_at, closed.action_taken = timezone.now(), "Médiation avec le chef d'équipe."
    closed.save()
    incident(world.other_contract)  # another structure's
    tasks, response = tasks_of(client, world.facilitateur)
    first = response.context["tasks"][0]
    assert first.key == "alertes" and first.count == 2 and first.tone == "danger"
    assert first.lines[0].url == urgent.get_absolute_url()
    assert first.lines[0].tone == "danger"
    assert '<span class="todo-count">2</span> alertes ouvertes' in response.content.decode()


def test_r_seq_returns_to_send_and_unanswered_handoffs_are_listed(client, world):
    quiet_world(world)
    to_send = handoff(world, world.participant, contract=world.contract)
    handoff(world, world.sibling_participant, HandoffStatus.ENVOYE, sent_days_ago=10, contract=world.sibling_contract)
    tasks, _ = tasks_of(client, world.facilitateur)
    assert tasks["relais"].count == 1
    assert tasks["relais"].lines[0].url == to_send.get_absolute_url()
    assert tasks["relais_sans_reponse"].count == 1


def test_r_outcome_checks_due_are_listed_and_overdue_ones_stand_out(client, world):
    quiet_world(world)
    check(world.participant, 6, due_days_ago=40)  # overdue: not done 30 days after its due date
    check(world.sibling_participant, 6, due_days_ago=2)
    check(world.sibling_participant, 12, due_days_ago=-10)  # not yet due
    done = check(world.participant, 12, due_days_ago=5)
    done.status, done.checked_on, done.situation = CheckStatus.FAIT, timezone.localdate(), "cdi"
    done.save()
    tasks, _ = tasks_of(client, world.facilitateur)
    task = tasks["points"]
    assert task.count == 2
    assert task.tone == "danger" and task.note == "Dont 1 en retard."
    assert [line.tone for line in task.lines] == ["danger", ""]


def test_r_referent_contracts_missing_their_skills_documents_are_listed(client, world):
    quiet_world(world)
    today = timezone.localdate()
    started = WorkContractFactory(
        award=world.award, participant=world.participant, start_date=today - datetime.timedelta(days=20),
        planned_end_date=today + datetime.timedelta(days=120),
    )  # fmt: skip
    ending = WorkContractFactory(
        award=world.award, participant=world.sibling_participant, start_date=today - datetime.timedelta(days=100),
        planned_end_date=today + datetime.timedelta(days=10),
    )  # fmt: skip
    SkillsReview.objects.create(contract=ending, moment=ReviewMoment.DEBUT, review_date=ending.start_date)
    tasks, _ = tasks_of(client, world.facilitateur)
    lines = {line.url: line.detail for line in tasks["competences"].lines}
    assert lines == {
        started.get_absolute_url(): "document de début à remplir",
        ending.get_absolute_url(): "document de fin à remplir",
    }
    client.force_login(world.facilitateur.user)
    listed = client.get(reverse("suivi:contract_list") + "?skills_due=on").context["page"].object_list
    assert {c.pk for c in listed} == {started.pk, ending.pk}


def test_referrals_to_check_and_companies_behind_are_in_the_list(client, world):
    tasks, _ = tasks_of(client, world.facilitateur)
    assert tasks["fiches"].count == 2  # our prescriber's and the sibling's
    assert tasks["retards"].lines[0].label == world.company.name


def test_the_referent_acknowledges_handoffs_and_sees_alerts_about_their_people(client, world):
    handoff(world, world.participant, HandoffStatus.ENVOYE, sent_days_ago=1, contract=world.contract)
    handoff(world, world.sibling_participant, HandoffStatus.ENVOYE, sent_days_ago=1, contract=world.sibling_contract)
    handoff(world, world.participant)  # still the facilitator's draft
    incident(world.contract, IncidentType.SOUFFRANCE, Severity.URGENTE)
    incident(world.sibling_contract)
    tasks, _ = tasks_of(client, world.prescripteur)
    assert tasks["relais"].count == 1
    assert tasks["alertes"].count == 1 and tasks["alertes"].lines[0].tone == "danger"


def test_the_facilitators_home_issues_the_same_queries_however_much_there_is_to_do(client, world):
    def count():
        with CaptureQueriesContext(connection) as queries:
            tasks_of(client, world.facilitateur)
        return len(queries)

    def grow(n):
        for _ in range(n):
            person = ParticipantFactory(structure=world.structure, referent_organisation=world.prescriber_org)
            start = timezone.localdate() - datetime.timedelta(days=15)
            contract = WorkContractFactory(award=world.award, participant=person, start_date=start,
                                           planned_end_date=start + datetime.timedelta(days=180))  # fmt: skip
            incident(contract)
            handoff(world, person, contract=contract)
            check(person, 6, due_days_ago=45)

    grow(2)
    count()
    few = count()
    grow(6)
    assert count() == few


def test_r_committee_overdue_actions_and_the_next_agenda_to_prepare_are_listed(client, world):
    from comites.enums import DecisionKind
    from tests.comites.factories import CommitteeDecisionFactory, CommitteeMeetingFactory

    quiet_world(world)
    today = timezone.localdate()
    held = CommitteeMeetingFactory(structure=world.structure, date=today - datetime.timedelta(days=60))
    late = CommitteeDecisionFactory(
        meeting=held, kind=DecisionKind.ACTION, text="Relancer l'entreprise Bâtir", owner_user=world.facilitateur.user,
        due_date=today - datetime.timedelta(days=5),
    )  # fmt: skip
    CommitteeDecisionFactory(meeting=held, kind=DecisionKind.ACTION, owner_user=world.facilitateur.user,
                             due_date=today + datetime.timedelta(days=5))  # fmt: skip
    upcoming = CommitteeMeetingFactory(structure=world.structure, date=today + datetime.timedelta(days=10))
    CommitteeMeetingFactory(structure=world.other_structure, date=today + datetime.timedelta(days=3))
    tasks, _ = tasks_of(client, world.facilitateur)
    assert tasks["actions"].count == 1 and tasks["actions"].lines[0].label == late.text
    assert tasks["comite"].url == upcoming.get_absolute_url()
