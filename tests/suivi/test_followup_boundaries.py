"""Where follow-up stops: what a référent no longer sees (a draft cancelled, a consent withdrawn), to whom a handoff
goes when the référent changed, when a return or a recontact applies, what a governance committee is shown."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from comites.enums import MeetingKind
from comites.services import meeting_prepare_agenda
from suivi.enums import HandoffKind, HandoffStatus
from suivi.services import handoffs
from tests.comites.factories import CommitteeMeetingFactory
from tests.suivi.factories import WorkContractFactory
from tests.suivi.factories_followup import FollowUpEventFactory, HandoffFactory
from tests.suivi.factories_skills import OutcomeCheckFactory, OutcomeFactory, SkillsReviewFactory

pytestmark = pytest.mark.django_db


def status_for(client, membership, url):
    client.force_login(membership.user)
    return client.get(url).status_code


def test_a_draft_cancelled_before_it_was_sent_stays_the_facilitators(client, world):
    handoff = HandoffFactory(contract=world.contract, to_send=True)
    handoffs.handoff_cancel(handoff=handoff, by=world.facilitateur.user)
    url = handoff.get_absolute_url()
    assert status_for(client, world.prescripteur, url) == 404
    assert status_for(client, world.facilitateur, url) == 200
    listed = client.get(reverse("suivi:handoff_list"))
    assert handoff in listed.context["page"].object_list
    client.force_login(world.prescripteur.user)
    assert handoff not in client.get(reverse("suivi:handoff_list")).context["page"].object_list


def test_once_consent_is_withdrawn_the_referent_sees_nothing_of_the_follow_up(client, world):
    contract = world.contract
    pages = [
        HandoffFactory(contract=contract).get_absolute_url(),
        FollowUpEventFactory(contract=contract, incident=True).get_absolute_url(),
        SkillsReviewFactory(contract=contract).get_absolute_url(),
        reverse("suivi:skills_synthesis", args=[world.participant.public_id]),
        reverse("suivi:participant_outcomes", args=[world.participant.public_id]),
    ]
    OutcomeFactory(participant=world.participant)
    OutcomeCheckFactory(participant=world.participant)
    assert [status_for(client, world.prescripteur, url) for url in pages] == [200] * len(pages)
    world.participant.consents.update(withdrawn_on=timezone.localdate())
    assert [status_for(client, world.prescripteur, url) for url in pages] == [404] * len(pages)
    assert [status_for(client, world.facilitateur, url) for url in pages] == [200] * len(pages)
    client.force_login(world.prescripteur.user)
    assert not client.get(reverse("suivi:alert_list")).context["page"].object_list


def test_r_seq_a_handoff_goes_to_the_referent_of_the_day_it_is_sent(world):
    handoff = HandoffFactory(contract=world.contract, to_send=True)
    person = world.participant
    person.referent_organisation, person.referent_name = world.sibling_prescriber_org, "M. Thomas"
    person.save()
    sent = handoffs.handoff_send(handoff=handoff, by=world.facilitateur.user, participant_message="Retour.")
    assert sent.to_organisation == world.sibling_prescriber_org
    assert sent.to_name == "M. Thomas"


def test_r_seq_no_return_by_hand_while_a_contract_runs(world):
    today = timezone.localdate()
    WorkContractFactory(
        award=world.award, participant=world.participant, start_date=today - datetime.timedelta(days=10),
        planned_end_date=today + datetime.timedelta(days=60),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="encore un contrat en cours"):
        handoffs.handoff_create(
            structure=world.structure, participant=world.participant, kind=HandoffKind.RETOUR,
            by=world.facilitateur.user,
        )  # fmt: skip


def test_r_seq_a_contract_is_still_running_on_its_last_day(world):
    today = timezone.localdate()
    contract = world.contract
    contract.actual_end_date, contract.end_reason = today, "terme"
    contract.save()
    assert world.participant not in handoffs.participants_out_of_clause(today)
    assert world.participant in handoffs.participants_out_of_clause(today + datetime.timedelta(days=1))


def test_r_seq_a_clause_ended_long_ago_is_not_handed_back_today(world):
    contract = world.contract
    contract.planned_end_date = timezone.localdate() - handoffs.RETURN_WINDOW - datetime.timedelta(days=1)
    contract.save()
    assert world.participant not in handoffs.participants_out_of_clause(timezone.localdate())


def test_r_recontact_tells_the_referent_of_this_return_only(world):
    today = timezone.localdate()
    old = HandoffFactory(
        contract=world.contract, kind=HandoffKind.RECONTACT, status=HandoffStatus.ENVOYE,
        sent_on=today - handoffs.RECONTACT_VALIDITY - datetime.timedelta(days=1),
    )  # fmt: skip
    assert handoffs.recontact_notice(world.participant) is None
    old.sent_on = today - datetime.timedelta(days=3)
    old.save()
    assert handoffs.recontact_notice(world.participant)[0] == old.sent_on


def test_r_committee_a_governance_committee_never_shows_cases(client, world):
    FollowUpEventFactory(contract=world.contract, incident=True)
    meeting = CommitteeMeetingFactory(structure=world.structure, kind=MeetingKind.SUIVI)
    meeting_prepare_agenda(meeting=meeting, by=world.facilitateur.user)
    assert meeting.shown_agenda()["alerts"]
    meeting.kind = MeetingKind.PILOTAGE  # changed after the agenda was prepared
    meeting.save()
    client.force_login(world.facilitateur.user)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert world.participant.initials not in page
    assert "alerts" not in meeting.shown_agenda() and meeting.shown_agenda()["markets"] is not None
