"""Passages de relais: entry into the clause, return to the référent when the clause ends (R-SEQ), recontact of a
former beneficiary (R-RECONTACT); services, pages, e-mails, the daily proposal (beat) and query counts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.timezone import localdate as today  # read at each use: a run may cross midnight

from participants.enums import ProofKind, ProofStatus, ReferralStatus
from suivi import services, tasks
from suivi.enums import ContractType, EndReason, HandoffDocument, HandoffKind, HandoffStatus, RecontactMethod
from suivi.models import Handoff, WorkContract
from suivi.services import handoffs
from tests.html import text
from tests.participants.factories import ParticipantFactory, ProofFactory, ReferralFactory, give_distinctive_names
from tests.suivi.factories import WorkContractFactory
from tests.suivi.factories_followup import HandoffFactory, handoff_for

pytestmark = pytest.mark.django_db


def person(world, referent=True, **kwargs):
    return ParticipantFactory(
        structure=world.structure, referent_organisation=world.prescriber_org if referent else None, **kwargs
    )


def new_contract(world, participant, start=None, end=None, by=None):
    """A contract recorded through the service, as the contract form does."""
    start = start or today() - timedelta(days=30)
    contract = WorkContract(
        structure=world.structure,
        participant=participant,
        employer=world.company,
        company=world.company,
        contract_type=ContractType.CDD,
        start_date=start,
        planned_end_date=end or start + timedelta(days=120),
        weekly_hours=Decimal("35"),
        job_title="Maçon VRD",
    )
    return services.contract_save(contract=contract, awards=[world.award], by=by or world.facilitateur.user)


def ended_contract(world, participant, **kwargs):
    """A contract over long ago (the factory's: 02/02/2026 → 31/07/2026)."""
    return WorkContractFactory(award=world.award, participant=participant, **kwargs)


# --- Entry into the clause (R-SEQ) ----------------------------------------------------------------------------


def test_r_seq_a_first_contract_opens_the_entry_with_what_the_prescriber_shared(world):
    participant = person(world)
    referral = ReferralFactory(
        structure=world.structure, prescriber_organisation=world.prescriber_org, status=ReferralStatus.ACCEPTEE,
        participant=participant,
    )  # fmt: skip
    cv = ProofFactory(participant=None, referral=referral, structure=world.structure, kind=ProofKind.CV)
    attestation = ProofFactory(participant=participant)
    refused = ProofFactory(participant=participant, status=ProofStatus.REFUSE)
    contract = new_contract(world, participant)
    entry = Handoff.objects.get(participant=participant)
    assert (entry.kind, entry.status) == (HandoffKind.ENTREE, HandoffStatus.A_ENVOYER)
    assert (entry.from_organisation, entry.to_organisation) == (world.prescriber_org, world.structure)
    assert (entry.contract, entry.referral) == (contract, referral)
    assert set(entry.documents) == {
        HandoffDocument.FICHE_NAVETTE, HandoffDocument.CV, HandoffDocument.JUSTIFICATIFS, HandoffDocument.CONTRAT
    }  # fmt: skip
    assert set(entry.proofs.all()) == {cv, attestation}
    assert refused not in entry.proofs.all()


def test_r_seq_a_second_contract_opens_no_second_entry(world):
    participant = person(world)
    new_contract(world, participant)
    new_contract(world, participant, start=today() + timedelta(days=200))
    assert Handoff.objects.filter(participant=participant, kind=HandoffKind.ENTREE).count() == 1
    someone_hired_before = person(world)
    ended_contract(world, someone_hired_before)
    new_contract(world, someone_hired_before)
    assert not Handoff.objects.filter(participant=someone_hired_before, kind=HandoffKind.ENTREE).exists()


def test_r_seq_without_referent_the_contract_is_saved_and_no_entry_is_made(world):
    participant = person(world, referent=False)
    contract = new_contract(world, participant)
    assert contract.pk and not Handoff.objects.filter(participant=participant).exists()


# --- Return to the référent (R-SEQ) ---------------------------------------------------------------------------


def test_r_seq_the_return_is_proposed_when_the_last_contract_has_ended_and_only_once(world):
    participant = person(world)
    first = ended_contract(world, participant, start_date=date(2025, 9, 1), planned_end_date=date(2025, 12, 31))
    last = ended_contract(world, participant)
    result = handoffs.handoffs_propose_returns(on=date(2026, 8, 1), participant=participant)
    (proposal,) = result.created
    assert (proposal.kind, proposal.status, proposal.contract) == (HandoffKind.RETOUR, HandoffStatus.A_ENVOYER, last)
    assert (proposal.from_organisation, proposal.to_organisation) == (world.structure, world.prescriber_org)
    assert proposal.contract != first
    again = handoffs.handoffs_propose_returns(on=date(2026, 8, 2), participant=participant)
    assert again.created == [] and Handoff.objects.filter(participant=participant).count() == 1


def test_r_seq_no_return_while_a_contract_runs_or_is_to_come(world):
    running, upcoming, ending_today = person(world), person(world), person(world)
    ended_contract(world, running)
    ended_contract(world, running, start_date=date(2026, 11, 1), planned_end_date=date(2027, 2, 28))
    ended_contract(world, upcoming, start_date=date(2026, 12, 1), planned_end_date=date(2027, 2, 28))
    ended_contract(world, ending_today, start_date=date(2026, 9, 1), planned_end_date=date(2026, 11, 22))
    for participant in (running, upcoming, ending_today):
        assert handoffs.handoffs_propose_returns(on=date(2026, 11, 22), participant=participant).created == []
    assert handoffs.handoffs_propose_returns(on=date(2026, 11, 23), participant=ending_today).created


def test_r_seq_an_actual_end_reached_ends_the_clause_before_the_planned_end(world):
    participant = person(world)
    ended_contract(
        world, participant, start_date=date(2026, 9, 1), planned_end_date=date(2027, 2, 28),
        actual_end_date=date(2026, 11, 20), end_reason=EndReason.DEMISSION,
    )  # fmt: skip
    assert handoffs.handoffs_propose_returns(on=date(2026, 11, 22), participant=participant).created


def test_r_seq_a_cancelled_return_is_not_proposed_again(world):
    participant = person(world)
    ended_contract(world, participant)
    (proposal,) = handoffs.handoffs_propose_returns(on=today(), participant=participant).created
    handoffs.handoff_cancel(handoff=proposal, by=world.facilitateur.user, reason="Personne réembauchée ailleurs")
    assert handoffs.handoffs_propose_returns(on=today(), participant=participant).created == []


def test_r_seq_people_without_referent_are_listed_not_handed_back(world):
    orphan = person(world, referent=False)
    ended_contract(world, orphan)
    result = handoffs.handoffs_propose_returns(on=today())
    assert orphan in result.without_referent
    assert not Handoff.objects.filter(participant=orphan).exists()
    assert {h.participant for h in result.created} >= {world.participant, world.sibling_participant}
    assert orphan in handoffs.participants_awaiting_referent(today())


def test_r_seq_recording_the_actual_end_of_a_contract_proposes_the_return(world):
    participant = person(world)
    contract = new_contract(world, participant, start=today() - timedelta(days=60), end=today() + timedelta(days=60))
    assert not Handoff.objects.filter(participant=participant, kind=HandoffKind.RETOUR).exists()
    contract.actual_end_date, contract.end_reason = today() - timedelta(days=1), EndReason.RUPTURE_CONVENTIONNELLE
    services.contract_save(contract=contract, awards=[world.award], by=world.facilitateur.user)
    proposal = Handoff.objects.get(participant=participant, kind=HandoffKind.RETOUR)
    assert (proposal.contract, proposal.status) == (contract, HandoffStatus.A_ENVOYER)


def test_r_seq_a_return_is_sent_only_with_what_was_said_to_the_person(world):
    proposal = HandoffFactory(contract=world.contract, to_send=True, participant_message="")
    with pytest.raises(ValidationError) as error:
        handoffs.handoff_send(handoff=proposal, by=world.facilitateur.user)
    assert "file active de son référent" in error.value.message_dict["participant_message"][0]
    proposal.refresh_from_db()
    assert proposal.status == HandoffStatus.A_ENVOYER and proposal.sent_on is None
    sent = handoffs.handoff_send(
        handoff=proposal, by=world.facilitateur.user, participant_message="Retour vers Mme Roux, rendez-vous le 2."
    )
    assert (sent.status, sent.sent_on, sent.sent_by) == (HandoffStatus.ENVOYE, today(), world.facilitateur.user)
    with pytest.raises(ValidationError, match="plus à envoyer"):
        handoffs.handoff_send(handoff=sent, by=world.facilitateur.user)


def test_r_seq_the_beat_task_runs_every_morning_and_proposes_the_returns(world):
    entry = settings.CELERY_BEAT_SCHEDULE["propose-returns-to-referents"]
    assert entry["task"] == "suivi.tasks.propose_returns_to_referents"
    assert entry["schedule"] == crontab(hour=6, minute=0)
    assert tasks.propose_returns_to_referents.name == entry["task"]
    orphan = person(world, referent=False)
    ended_contract(world, orphan)
    assert tasks.propose_returns_to_referents() == {
        "proposed": 2,
        "without_referent": 2,
    }  # the orphan, the other structure's
    assert Handoff.objects.filter(kind=HandoffKind.RETOUR, participant=world.participant).count() == 1
    assert tasks.propose_returns_to_referents() == {"proposed": 0, "without_referent": 2}


# --- Acknowledgement and cancellation -------------------------------------------------------------------------


def test_the_referent_acknowledges_and_only_once(world):
    handoff = handoff_for(world.participant, contract=world.contract)
    with pytest.raises(ValidationError, match="Seul le référent"):
        handoffs.handoff_acknowledge(handoff=handoff, by=world.sibling_prescripteur.user, note="")
    done = handoffs.handoff_acknowledge(handoff=handoff, by=world.prescripteur.user, note="Bien reçu.")
    assert (done.status, done.acknowledged_by, done.acknowledgement_note) == (
        HandoffStatus.ACCUSE, world.prescripteur.user, "Bien reçu."
    )  # fmt: skip
    with pytest.raises(ValidationError, match="déjà été reçu"):
        handoffs.handoff_acknowledge(handoff=handoff, by=world.prescripteur.user, note="")


def test_a_facilitator_records_an_acknowledgement_by_phone_with_a_note(world):
    handoff = handoff_for(world.participant, contract=world.contract)
    with pytest.raises(ValidationError) as error:
        handoffs.handoff_acknowledge(handoff=handoff, by=world.facilitateur.user, note="  ")
    assert "acknowledgement_note" in error.value.message_dict
    done = handoffs.handoff_acknowledge(handoff=handoff, by=world.facilitateur.user, note="Mme Roux, au téléphone.")
    assert done.status == HandoffStatus.ACCUSE


def test_a_draft_cannot_be_acknowledged_and_a_received_one_cannot_be_cancelled(world):
    draft = handoff_for(world.participant, contract=world.contract, to_send=True)
    with pytest.raises(ValidationError, match="Seul un passage de relais envoyé"):
        handoffs.handoff_acknowledge(handoff=draft, by=world.prescripteur.user)
    received = handoff_for(world.sibling_participant, contract=world.sibling_contract, acknowledged=True)
    with pytest.raises(ValidationError, match="ne peut plus être annulé"):
        handoffs.handoff_cancel(handoff=received, by=world.facilitateur.user)
    assert handoffs.handoff_cancel(handoff=draft, by=world.facilitateur.user).status == HandoffStatus.ANNULE
    with pytest.raises(ValidationError, match="déjà annulé"):
        handoffs.handoff_cancel(handoff=draft, by=world.facilitateur.user)


# --- Creation by hand, recontact (R-RECONTACT) ----------------------------------------------------------------


def create(world, participant, kind, **kwargs):
    return handoffs.handoff_create(
        structure=world.structure, participant=participant, kind=kind, by=world.facilitateur.user, **kwargs
    )


def test_a_handoff_needs_a_referent_and_someone_of_the_structure(world):
    with pytest.raises(ValidationError) as error:
        create(world, person(world, referent=False), HandoffKind.RECONTACT)
    assert error.value.message_dict["participant"] == [handoffs.NO_REFERENT_MESSAGE]
    with pytest.raises(ValidationError, match="autre structure"):
        create(world, world.other_participant, HandoffKind.RECONTACT)
    assert not Handoff.objects.exists()


def test_r_recontact_only_a_former_beneficiary_is_recontacted(world):
    never_hired = person(world)
    with pytest.raises(ValidationError, match="pas un ancien bénéficiaire"):
        create(world, never_hired, HandoffKind.RECONTACT)
    handoff = create(world, world.participant, HandoffKind.RECONTACT, note="M. a appelé pour un nouveau poste.")
    assert (handoff.from_organisation, handoff.to_organisation) == (world.structure, world.prescriber_org)


def test_r_recontact_a_recontact_handoff_sent_informs_the_referent_before_positioning(world):
    former = world.participant  # their contract ended on 31/07/2026
    propose = lambda: services.positioning_propose(  # noqa: E731
        offer=world.draft_offer, by=world.facilitateur.user, organisation=world.structure, participant=former
    )
    draft = create(world, former, HandoffKind.RECONTACT)
    with pytest.raises(ValidationError) as error:
        propose()  # prepared, not sent: the référent does not know yet
    assert error.value.message_dict["referent_informed_on"] == [services.RECONTACT_MESSAGE]
    handoffs.handoff_send(handoff=draft, by=world.facilitateur.user)
    positioning = propose().positioning
    assert (positioning.referent_informed_on, positioning.referent_informed_how) == (today(), RecontactMethod.EMAIL)
    assert "recontact" in positioning.referent_informed_note


def test_r_recontact_a_recontact_sent_before_the_last_contract_ended_does_not_count(world):
    former = world.participant
    HandoffFactory(
        contract=world.contract, kind=HandoffKind.RECONTACT, sent_on=date(2026, 1, 15), participant_message=""
    )
    assert handoffs.recontact_notice(former) is None


def test_a_return_by_hand_concerns_the_last_contract_and_stays_unique(world):
    handoff = create(world, world.participant, HandoffKind.RETOUR, participant_message="Retour vers Mme Roux.")
    assert handoff.contract == world.contract
    with pytest.raises(ValidationError, match="déjà prévu pour ce contrat"):
        create(world, world.participant, HandoffKind.RETOUR)
    with pytest.raises(ValidationError, match="pas eu de contrat"):
        create(world, person(world), HandoffKind.RETOUR)


# --- E-mails --------------------------------------------------------------------------------------------------


def test_sending_emails_the_referents_prescribers_after_commit(client, world, django_capture_on_commit_callbacks):
    proposal = HandoffFactory(contract=world.contract, to_send=True)
    give_distinctive_names(proposal.participant)
    client.force_login(world.facilitateur.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("suivi:handoff_send", args=[proposal.public_id]),
            {"participant_message": "Retour vers votre conseillère.", "note": "", "to_name": "Mme Roux"},
        )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [world.prescripteur.user.email]
    assert message.subject.endswith("Passage de relais : retour dans votre file active")
    person = proposal.participant
    assert person.last_name not in message.subject + message.body  # initials only
    assert person.first_name not in message.subject + message.body
    assert person.initials in message.body
    assert "Retour vers votre conseillère." not in message.body  # the messages stay in the application
    assert proposal.get_absolute_url() in message.body


def test_a_draft_sends_no_email(world):
    assert handoffs.handoff_send_email(handoff=HandoffFactory(contract=world.contract, to_send=True)) == 0
    assert mail.outbox == []


# --- Pages ----------------------------------------------------------------------------------------------------


@pytest.fixture
def facilitator(client, world):
    client.force_login(world.facilitateur.user)
    return client


@pytest.fixture
def prescriber(client, world):
    client.force_login(world.prescripteur.user)
    return client


def test_the_staff_list_puts_drafts_first_and_names_people_without_referent(facilitator, world):
    sent = handoff_for(world.sibling_participant, contract=world.sibling_contract)
    draft = handoff_for(world.participant, contract=world.contract, to_send=True)
    orphan = person(world, referent=False, last_name="Sansréférent")
    ended_contract(world, orphan)
    response = facilitator.get(reverse("suivi:handoff_list"))
    assert list(response.context["page"].object_list) == [draft, sent]
    assert (response.context["to_send"], response.context["awaiting"]) == (1, 1)
    assert "sans référent de parcours" in text(response) and "SANSRÉFÉRENT" in text(response)
    filtered = facilitator.get(reverse("suivi:handoff_list") + "?status=envoye&kind=retour")
    assert list(filtered.context["page"].object_list) == [sent]


def test_a_prescriber_sees_only_the_sent_handoffs_about_their_people(prescriber, world):
    ours = handoff_for(world.participant, contract=world.contract)
    handoff_for(world.participant, contract=world.contract, kind=HandoffKind.RECONTACT, to_send=True)
    handoff_for(world.sibling_participant, contract=world.sibling_contract)
    response = prescriber.get(reverse("suivi:handoff_list"))
    assert list(response.context["page"].object_list) == [ours]
    assert "Nouveau passage de relais" not in text(response)


def test_the_detail_links_the_documents_to_the_protected_download(facilitator, world):
    handoff = handoff_for(world.participant, contract=world.contract, entry=True, documents=["cv", "justificatifs"])
    handoff.proofs.set([world.proof])
    page = facilitator.get(handoff.get_absolute_url()).content.decode()
    assert reverse("participants:proof_download", args=[world.proof.public_id]) in page
    assert "CV, justificatifs d&#x27;éligibilité" in page or "CV, justificatifs d'éligibilité" in page


def test_the_referent_acknowledges_from_the_page(prescriber, world):
    handoff = handoff_for(world.participant, contract=world.contract)
    page = text(prescriber.get(handoff.get_absolute_url()))
    assert "Accuser réception" in page and "Vérifier et envoyer" not in page
    response = prescriber.post(reverse("suivi:handoff_acknowledge", args=[handoff.public_id]), {"note": "Merci."})
    assert response.status_code == 302
    handoff.refresh_from_db()
    assert (handoff.status, handoff.acknowledgement_note) == (HandoffStatus.ACCUSE, "Merci.")


def test_a_facilitator_acknowledging_without_a_note_is_told_on_the_field(facilitator, world):
    handoff = handoff_for(world.participant, contract=world.contract)
    response = facilitator.post(reverse("suivi:handoff_acknowledge", args=[handoff.public_id]), {"note": ""})
    assert response.status_code == 200
    assert "Notez comment le référent a confirmé" in response.context["form"].errors["note"][0]
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.ENVOYE


def test_the_send_form_refuses_a_return_without_the_message_to_the_person(facilitator, world):
    proposal = HandoffFactory(contract=world.contract, to_send=True, participant_message="")
    response = facilitator.post(reverse("suivi:handoff_send", args=[proposal.public_id]), {"note": "Fin."})
    assert response.status_code == 200
    assert "file active de son référent" in response.context["form"].errors["participant_message"][0]
    proposal.refresh_from_db()
    assert (proposal.status, proposal.note) == (
        HandoffStatus.A_ENVOYER,
        "Fin de contrat au terme, 420 heures réalisées.",
    )
    assert mail.outbox == []


def test_the_create_form_records_and_sends_a_recontact(facilitator, world, django_capture_on_commit_callbacks):
    url = reverse("suivi:handoff_create")
    with django_capture_on_commit_callbacks(execute=True):
        response = facilitator.post(
            url,
            {"participant": world.participant.public_id, "kind": "recontact", "note": "A rappelé.", "send_now": "on"},
        )
    handoff = Handoff.objects.get(kind=HandoffKind.RECONTACT)
    assert response.status_code == 302 and response.url == handoff.get_absolute_url()
    assert handoff.status == HandoffStatus.ENVOYE and len(mail.outbox) == 1


def test_the_create_form_explains_each_refusal_in_french_and_saves_nothing(facilitator, world):
    url = reverse("suivi:handoff_create")
    empty = facilitator.post(url, {"kind": "recontact"})
    assert empty.context["form"].errors["participant"] == ["Choisissez la personne."]
    never_hired = person(world)
    refused = facilitator.post(url, {"participant": never_hired.public_id, "kind": "recontact", "send_now": "on"})
    assert "pas un ancien bénéficiaire" in refused.context["form"].errors["participant"][0]
    unsaid = facilitator.post(url, {"participant": world.participant.public_id, "kind": "retour", "send_now": "on"})
    assert "file active de son référent" in text(unsaid)
    other = facilitator.post(url, {"participant": world.other_participant.public_id, "kind": "recontact"})
    assert "participant" in other.context["form"].errors
    assert not Handoff.objects.exists() and mail.outbox == []


def test_cancelling_asks_for_confirmation_first(facilitator, world):
    handoff = handoff_for(world.participant, contract=world.contract, to_send=True)
    url = reverse("suivi:handoff_cancel", args=[handoff.public_id])
    assert "Annuler ce passage de relais ?" in text(facilitator.get(url))
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.A_ENVOYER
    facilitator.post(url, {"reason": "Doublon"})
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.ANNULE


# --- Query counts ---------------------------------------------------------------------------------------------


def grow(world, n):
    for _ in range(n):
        participant = person(world)
        contract = ended_contract(world, participant)
        handoff = handoff_for(participant, contract=contract, entry=True, documents=["cv"])
        handoff.proofs.set([ProofFactory(participant=participant), ProofFactory(participant=participant)])
        handoff_for(participant, contract=contract, to_send=True)


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["facilitateur", "prescripteur"])
def test_the_handoff_list_does_not_grow_with_rows(client, world, role):
    client.force_login(getattr(world, role).user)
    grow(world, 2)
    before = count(client, reverse("suivi:handoff_list"))
    grow(world, 6)
    assert count(client, reverse("suivi:handoff_list")) == before


def test_the_handoff_detail_does_not_grow_with_documents(facilitator, world):
    handoff = handoff_for(world.participant, contract=world.contract, entry=True)
    handoff.proofs.set([ProofFactory(participant=world.participant) for _ in range(2)])
    before = count(facilitator, handoff.get_absolute_url())
    handoff.proofs.add(*[ProofFactory(participant=world.participant) for _ in range(6)])
    assert count(facilitator, handoff.get_absolute_url()) == before
