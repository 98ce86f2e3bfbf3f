"""Services of suivi: contracts and the markets they serve (R-HRS-2, R-HRS-3), positionings (R-VERIFY,
R-RECONTACT) and what the prescriber hears of them (R-FEEDBACK)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from marches.enums import CompanyKind
from participants import services as participant_services
from participants.enums import ReferralStatus
from suivi import services
from suivi.enums import (
    ContractModality,
    ContractType,
    EndReason,
    HourKind,
    NonRetentionReason,
    OfferStatus,
    PositioningStatus,
    RecontactMethod,
)
from suivi.models import Assignment, Positioning, PositioningEvent, WorkContract
from tests.accounts.factories import MembershipFactory
from tests.conftest import diagnosis_for
from tests.marches.factories import AwardFactory, CompanyFactory, MarketFactory
from tests.participants.factories import ParticipantFactory, ProofFactory, ReferralFactory
from tests.suivi.factories import JobOfferFactory, PositioningFactory, WorkContractFactory, hours

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)


def message_of(error, field=None):
    """The French messages of a ValidationError, for one field or for the whole."""
    if field is None:
        return error.value.messages
    return error.value.message_dict[field]


# --- Contracts ------------------------------------------------------------------------------------------------


def new_contract(world, **fields):
    """An unsaved CDD of an eligible person at our company."""
    participant = fields.pop("participant", None)
    if participant is None:
        participant = ParticipantFactory(structure=world.structure, referent_organisation=world.prescriber_org)
        diagnosis_for(participant, world.market)
    values = {
        "structure": world.structure,
        "participant": participant,
        "employer": world.company,
        "company": world.company,
        "contract_type": ContractType.CDD,
        "modality": ContractModality.EMBAUCHE_DIRECTE,
        "start_date": date(2026, 3, 2),
        "planned_end_date": date(2026, 8, 28),
        "weekly_hours": Decimal(35),
        "job_title": "Maçon VRD",
        "rome_code": "f1703",
    } | fields
    return WorkContract(**values)


def other_award(world, **market):
    """Another award of our company, on another market of our structure."""
    return AwardFactory(lot__market=MarketFactory(structure=world.structure, **market), company=world.company)


def test_contract_save_creates_the_contract_and_decides_where_its_hours_count(world):
    by = world.facilitateur.user
    contract = services.contract_save(contract=new_contract(world), awards=[world.award], by=by)
    assert contract.pk and contract.created_by == by and contract.rome_code == "F1703"
    assignment = contract.assignments.get()
    assert assignment.award == world.award and assignment.counts and assignment.checked_at
    assert contract.history.count() == 1


def test_r_hrs_2_a_contract_serves_several_awards_of_its_company_once_each(world):
    second = other_award(world)
    contract = services.contract_save(
        contract=new_contract(world), awards=[world.award, second, world.award], by=world.facilitateur.user
    )
    assert sorted(contract.assignments.values_list("award", flat=True)) == sorted([world.award.pk, second.pk])
    # Not assessed for the second market: its hours will not count there until the person is.
    counts = dict(contract.assignments.values_list("award", "counts"))
    assert counts == {world.award.pk: True, second.pk: False}


def test_r_hrs_2_a_contract_only_serves_awards_of_its_own_company(world):
    elsewhere = AwardFactory(lot__market__structure=world.structure)  # another company
    with pytest.raises(ValidationError) as error:
        services.contract_save(
            contract=new_contract(world), awards=[world.award, elsewhere], by=world.facilitateur.user
        )
    assert message_of(error, "awards") == [
        "Un contrat ne sert que des marchés de l'entreprise utilisatrice (mutualisation, R-HRS-2)."
    ]
    assert not WorkContract.objects.filter(job_title="Maçon VRD", start_date=date(2026, 3, 2)).exists()


def test_a_contract_serves_at_least_one_market_and_only_attributed_ones(world):
    with pytest.raises(ValidationError) as error:
        services.contract_save(contract=new_contract(world), awards=[], by=world.facilitateur.user)
    assert message_of(error, "awards") == ["Choisissez au moins un marché servi par ce contrat."]
    planned = other_award(world, programme=True)
    with pytest.raises(ValidationError) as error:
        services.contract_save(contract=new_contract(world), awards=[planned], by=world.facilitateur.user)
    assert message_of(error, "awards") == [f"Le marché {planned.lot.market.reference} n'est pas encore attribué."]
    assert not Assignment.objects.filter(award=planned).exists()


def test_removing_a_market_that_has_hours_is_refused(world):
    by = world.facilitateur.user
    second = other_award(world)
    contract = services.contract_save(contract=new_contract(world), awards=[world.award, second], by=by)
    hours(contract.assignments.get(award=second), MARCH, 100)
    with pytest.raises(ValidationError) as error:
        services.contract_save(contract=contract, awards=[world.award], by=by)
    assert message_of(error, "awards") == ["Des heures sont saisies sur un marché retiré : supprimez-les d'abord."]
    assert contract.assignments.count() == 2
    # A market without hours can be removed.
    third = other_award(world)
    services.contract_save(contract=contract, awards=[world.award, second, third], by=by)
    services.contract_save(contract=contract, awards=[world.award, second], by=by)
    assert set(contract.assignments.values_list("award", flat=True)) == {world.award.pk, second.pk}


def test_r_hrs_3_changing_dates_so_that_hours_fall_outside_is_refused(world):
    by = world.facilitateur.user
    hours(world.assignment, date(2026, 7, 1), 140)  # world.contract: 02/02 → 31/07/2026
    contract = WorkContract.objects.get(pk=world.contract.pk)
    contract.planned_end_date = date(2026, 6, 30)
    with pytest.raises(ValidationError) as error:
        services.contract_save(contract=contract, awards=[world.award], by=by)
    assert message_of(error, "start_date") == [
        "Des heures sont saisies en dehors de ces dates (juillet 2026) : corrigez-les d'abord."
    ]
    contract = WorkContract.objects.get(pk=world.contract.pk)
    contract.actual_end_date, contract.end_reason = date(2026, 6, 12), EndReason.DEMISSION
    with pytest.raises(ValidationError):
        services.contract_save(contract=contract, awards=[world.award], by=by)
    assert WorkContract.objects.get(pk=world.contract.pk).end_date == date(2026, 7, 31)


def test_r_hrs_3_shortening_a_month_below_its_recorded_hours_is_refused(world):
    by = world.facilitateur.user
    hours(world.assignment, date(2026, 2, 1), 150)  # under the 185,14 h of 27 days of February
    contract = WorkContract.objects.get(pk=world.contract.pk)
    contract.start_date = date(2026, 2, 20)  # 9 days left in February: 61,71 h at most
    with pytest.raises(ValidationError) as error:
        services.contract_save(contract=contract, awards=[world.award], by=by)
    assert message_of(error, "start_date") == [
        "Avec ces dates, les heures saisies en février 2026 dépassent la durée maximale du travail : "
        "corrigez-les d'abord."
    ]
    contract.start_date = date(2026, 2, 5)  # 24 days: 164,57 h at most
    services.contract_save(contract=contract, awards=[world.award], by=by)
    assert WorkContract.objects.get(pk=world.contract.pk).start_date == date(2026, 2, 5)


def test_r_elig_1_assessing_a_contract_establishes_the_eligibility_to_each_market_it_serves(world):
    second = other_award(world)
    participant = ParticipantFactory(structure=world.structure, registration_date=date(2024, 1, 15))
    ProofFactory(participant=participant)  # a verified France Travail attestation: long-term jobseeker
    contract = services.contract_save(
        contract=new_contract(world, participant=participant), awards=[world.award, second], by=None
    )
    assert not any(contract.assignments.values_list("counts", flat=True))  # nobody assessed them yet
    diagnoses = services.contract_assess_eligibility(contract=contract, by=world.facilitateur.user)
    assert {d.market_id for d in diagnoses} == {world.market.pk, second.lot.market_id}
    assert all(d.eligible and d.assessed_on == date(2025, 12, 1) and not d.provisional for d in diagnoses)
    assert all(contract.assignments.values_list("counts", flat=True))
    assert {a.diagnosis_id for a in contract.assignments.all()} == {d.pk for d in diagnoses}


def test_changing_a_contract_decides_again_where_its_hours_count(world):
    """Turned into an apprenticeship signed before the attribution, it no longer counts (R-ELIG-4)."""
    contract = WorkContract.objects.get(pk=world.contract.pk)
    contract.contract_type = ContractType.APPRENTISSAGE
    contract.start_date = date(2025, 11, 3)
    services.contract_save(contract=contract, awards=[world.award], by=world.facilitateur.user)
    world.assignment.refresh_from_db()
    assert not world.assignment.counts and "exception à justifier" in world.assignment.reason


def test_a_cdi_has_no_planned_end_and_other_contracts_have_one(world):
    cdi = new_contract(world, contract_type=ContractType.CDI)
    with pytest.raises(ValidationError) as error:
        services.contract_save(contract=cdi, awards=[world.award], by=world.facilitateur.user)
    assert message_of(error, "planned_end_date") == ["Un CDI n'a pas de fin prévue : laissez ce champ vide."]
    cdd = new_contract(world, planned_end_date=None)
    with pytest.raises(ValidationError) as error:
        services.contract_save(contract=cdd, awards=[world.award], by=world.facilitateur.user)
    assert message_of(error, "planned_end_date") == ["Indiquez la fin prévue du contrat."]
    cdi.planned_end_date = None
    assert services.contract_save(contract=cdi, awards=[world.award], by=world.facilitateur.user).pk


def test_an_ended_contract_says_why_and_ends_after_it_starts(world):
    ended = new_contract(world, actual_end_date=date(2026, 5, 15))
    with pytest.raises(ValidationError) as error:
        services.contract_save(contract=ended, awards=[world.award], by=world.facilitateur.user)
    assert message_of(error, "end_reason") == ["Indiquez pourquoi le contrat a pris fin."]
    backwards = new_contract(world, planned_end_date=date(2026, 3, 1))
    with pytest.raises(ValidationError) as error:
        services.contract_save(contract=backwards, awards=[world.award], by=world.facilitateur.user)
    assert "La fin prévue ne peut pas précéder le début du contrat." in message_of(error)


def test_a_contract_of_a_person_of_another_structure_is_refused(world):
    contract = new_contract(world, participant=world.other_participant)
    with pytest.raises(ValidationError) as error:
        services.contract_save(contract=contract, awards=[world.award], by=world.facilitateur.user)
    assert message_of(error, "participant") == ["Cette fiche appartient à une autre structure."]


@pytest.mark.parametrize(
    ("modality", "kind"),
    [
        (ContractModality.MISSION_INTERIM, CompanyKind.ETTI),
        (ContractModality.MISSION_INTERIM, CompanyKind.ETT),
        (ContractModality.MISE_A_DISPOSITION, CompanyKind.AI),
        (ContractModality.MISE_A_DISPOSITION, CompanyKind.GEIQ),
        (ContractModality.MISE_A_DISPOSITION, CompanyKind.GE),
    ],
)
def test_a_placed_person_is_employed_by_a_temping_agency_an_ai_or_a_geiq(world, modality, kind):
    employer = CompanyFactory(structure=world.structure, kind=kind)
    contract = new_contract(world, employer=employer, modality=modality)
    services.contract_save(contract=contract, awards=[world.award], by=world.facilitateur.user)
    assert contract.assignments.get().counts  # the hours count for the company where the person works


@pytest.mark.parametrize(
    ("modality", "kind", "message"),
    [
        (ContractModality.MISSION_INTERIM, CompanyKind.CLASSIQUE, "Une mission d'intérim est confiée par une agence"),
        (ContractModality.MISSION_INTERIM, CompanyKind.GEIQ, "Une mission d'intérim est confiée par une agence"),
        (ContractModality.MISE_A_DISPOSITION, CompanyKind.CLASSIQUE, "Seules une AI, un GEIQ"),
        (ContractModality.MISE_A_DISPOSITION, CompanyKind.ETTI, "Seules une AI, un GEIQ"),
    ],
)
def test_placement_needs_an_employer_that_places_people(world, modality, kind, message):
    employer = CompanyFactory(structure=world.structure, kind=kind)
    contract = new_contract(world, employer=employer, modality=modality)
    with pytest.raises(ValidationError) as error:
        services.contract_save(contract=contract, awards=[world.award], by=world.facilitateur.user)
    assert message_of(error, "employer")[0].startswith(message)


def test_a_direct_hire_is_employed_by_the_company_itself(world):
    etti = CompanyFactory(structure=world.structure, kind=CompanyKind.ETTI)
    with pytest.raises(ValidationError) as error:
        services.contract_save(contract=new_contract(world, employer=etti), awards=[world.award], by=None)
    assert message_of(error, "employer")[0].startswith("En embauche directe, l'employeur est l'entreprise")


# --- Contracts from positionings ------------------------------------------------------------------------------


def retained(world, participant=None):
    """A candidate proposed, presented and retained on our offer."""
    participant = participant or ParticipantFactory(
        structure=world.structure, referent_organisation=world.prescriber_org
    )
    by = world.facilitateur.user
    positioning = PositioningFactory(offer=world.offer, participant=participant, proposed_by=by)
    services.positioning_present(positioning=positioning, by=by)
    services.positioning_retain(positioning=positioning, by=by)
    positioning.refresh_from_db()
    return positioning


def test_a_contract_is_created_from_a_retained_positioning_once(world):
    positioning = retained(world)
    contract = new_contract(world, participant=positioning.participant, positioning=positioning)
    services.contract_save(contract=contract, awards=[world.award], by=world.facilitateur.user)
    assert positioning.contract == contract
    again = new_contract(world, participant=positioning.participant, positioning=positioning)
    with pytest.raises(ValidationError) as error:
        services.contract_save(contract=again, awards=[world.award], by=world.facilitateur.user)
    assert message_of(error) == ["Le contrat de ce candidat est déjà enregistré."]
    assert WorkContract.objects.filter(positioning=positioning).count() == 1


@pytest.mark.parametrize(
    "status", [PositioningStatus.PROPOSE, PositioningStatus.PRESENTE, PositioningStatus.NON_RETENU]
)
def test_only_a_retained_candidate_gets_a_contract(world, status):
    positioning = PositioningFactory(offer=world.offer, status=status)
    contract = new_contract(world, participant=positioning.participant, positioning=positioning)
    with pytest.raises(ValidationError) as error:
        services.contract_save(contract=contract, awards=[world.award], by=world.facilitateur.user)
    assert message_of(error) == ["Seul un candidat retenu par l'employeur peut être embauché."]


def test_the_contract_of_a_retained_positioning_is_the_candidates(world):
    positioning = retained(world)
    contract = new_contract(world, positioning=positioning)  # someone else
    with pytest.raises(ValidationError) as error:
        services.contract_save(contract=contract, awards=[world.award], by=world.facilitateur.user)
    assert message_of(error, "participant") == ["Ce contrat doit être celui du candidat retenu."]
    assert not WorkContract.objects.filter(positioning=positioning).exists()


def test_deleting_a_contract_with_hours_is_refused(world):
    hours(world.assignment, MARCH, 10)
    with pytest.raises(ValidationError):
        services.contract_delete(contract=world.contract)
    assert WorkContract.objects.filter(pk=world.contract.pk).exists()
    services.contract_delete(contract=world.sibling_contract)
    assert not WorkContract.objects.filter(pk=world.sibling_contract.pk).exists()


# --- Positionings ---------------------------------------------------------------------------------------------


def person(world, **fields):
    return ParticipantFactory(structure=world.structure, referent_organisation=world.prescriber_org, **fields)


def propose_as_facilitator(world, participant, offer=None, **kwargs):
    return services.positioning_propose(
        offer=offer or world.offer,
        by=world.facilitateur.user,
        organisation=world.structure,
        participant=participant,
        **kwargs,
    )


def propose_as_prescriber(world, offer=None, **kwargs):
    return services.positioning_propose(
        offer=offer or world.offer, by=world.prescripteur.user, organisation=world.prescriber_org, **kwargs
    )


def steps(positioning):
    return [(e.from_status, e.to_status, e.by) for e in positioning.events.order_by("at", "pk")]


def test_positioning_flow_proposed_presented_retained_with_who(world):
    fac, admin = world.facilitateur.user, world.admin.user
    event = propose_as_prescriber(world, participant=person(world), message="Très motivé, permis B.")
    positioning = event.positioning
    assert positioning.status == PositioningStatus.PROPOSE
    assert (positioning.proposed_by, positioning.proposed_by_organisation) == (
        world.prescripteur.user,
        world.prescriber_org,
    )
    services.positioning_present(positioning=positioning, by=fac, message="Entretien le 4 mars.")
    assert positioning.status == PositioningStatus.PRESENTE and positioning.presented_at
    services.positioning_retain(positioning=positioning, by=admin, message="Démarrage le 9 mars.")
    assert positioning.status == PositioningStatus.RETENU and positioning.decided_at
    assert positioning.feedback == "Démarrage le 9 mars."
    assert steps(positioning) == [
        ("", PositioningStatus.PROPOSE, world.prescripteur.user),
        (PositioningStatus.PROPOSE, PositioningStatus.PRESENTE, fac),
        (PositioningStatus.PRESENTE, PositioningStatus.RETENU, admin),
    ]
    assert [e.message for e in positioning.events.all()] == [
        "Très motivé, permis B.",
        "Entretien le 4 mars.",
        "Démarrage le 9 mars.",
    ]


def test_positioning_not_retained_needs_a_reason(world):
    by = world.facilitateur.user
    positioning = propose_as_facilitator(world, person(world)).positioning
    services.positioning_present(positioning=positioning, by=by)
    with pytest.raises(ValidationError) as error:
        services.positioning_reject(positioning=positioning, reason="", by=by)
    assert message_of(error, "non_retention_reason") == ["Choisissez le motif : le prescripteur en a besoin."]
    positioning.refresh_from_db()
    assert positioning.status == PositioningStatus.PRESENTE
    services.positioning_reject(
        positioning=positioning, reason=NonRetentionReason.EXPERIENCE, by=by, message="Revenir après une formation."
    )
    positioning.refresh_from_db()
    assert positioning.status == PositioningStatus.NON_RETENU and positioning.decided_at
    assert (positioning.non_retention_reason, positioning.feedback) == ("experience", "Revenir après une formation.")
    assert steps(positioning)[-1] == (PositioningStatus.PRESENTE, PositioningStatus.NON_RETENU, by)


def test_positioning_not_retained_for_another_reason_says_which(world):
    by = world.facilitateur.user
    positioning = propose_as_facilitator(world, person(world)).positioning
    with pytest.raises(ValidationError) as error:
        services.positioning_reject(positioning=positioning, reason=NonRetentionReason.AUTRE, by=by, message=" ")
    assert message_of(error, "message") == ["Précisez la raison dans le message au prescripteur."]
    services.positioning_reject(
        positioning=positioning, reason=NonRetentionReason.AUTRE, by=by, message="Chantier reporté à l'automne."
    )
    positioning.refresh_from_db()
    assert positioning.status == PositioningStatus.NON_RETENU  # straight from « proposé »


def test_positioning_steps_follow_their_order(world):
    by = world.facilitateur.user
    positioning = propose_as_facilitator(world, person(world)).positioning
    with pytest.raises(ValidationError) as error:
        services.positioning_retain(positioning=positioning, by=by)
    assert message_of(error) == ["Ce candidat est « proposé » : il ne peut pas passer à « retenu »."]
    services.positioning_reject(positioning=positioning, reason=NonRetentionReason.DESISTEMENT, by=by)
    with pytest.raises(ValidationError):
        services.positioning_present(positioning=positioning, by=by)
    with pytest.raises(ValidationError):
        services.positioning_reject(positioning=positioning, reason=NonRetentionReason.PROFIL, by=by)
    positioning.refresh_from_db()
    assert positioning.non_retention_reason == NonRetentionReason.DESISTEMENT
    assert len(steps(positioning)) == 2


def test_a_prescriber_cannot_propose_on_a_draft_offer_a_facilitator_can(world):
    with pytest.raises(ValidationError) as error:
        propose_as_prescriber(world, offer=world.draft_offer, participant=person(world))
    assert message_of(error) == ["Cette offre n'est plus ouverte aux candidatures."]
    assert not world.draft_offer.positionings.exists()
    event = propose_as_facilitator(world, person(world), offer=world.draft_offer)
    assert event.positioning.offer == world.draft_offer


@pytest.mark.parametrize("status", [OfferStatus.POURVUE, OfferStatus.CLOTUREE])
def test_nobody_proposes_on_a_filled_or_closed_offer(world, status):
    offer = JobOfferFactory(award=world.award, status=status)
    with pytest.raises(ValidationError):
        propose_as_facilitator(world, person(world), offer=offer)
    with pytest.raises(ValidationError):
        propose_as_prescriber(world, offer=offer, participant=person(world))


def test_r_verify_a_fiche_navette_not_yet_accepted_cannot_be_presented(world):
    by = world.facilitateur.user
    positioning = propose_as_prescriber(world, referral=world.referral).positioning
    assert positioning.participant is None and positioning.person == world.referral
    with pytest.raises(ValidationError) as error:
        services.positioning_present(positioning=positioning, by=by)
    assert message_of(error)[0].startswith("Vérifiez et acceptez d'abord la fiche navette de ce candidat")
    positioning.refresh_from_db()
    assert positioning.status == PositioningStatus.PROPOSE
    # Checked and accepted: the candidate can be presented and the positioning names the participant.
    referral = world.referral
    referral.parcours_checked = referral.motivation_checked = referral.eligibility_checked = True
    referral.fit_checked = True
    referral.save()
    participant = participant_services.referral_accept(referral=referral, by=by)
    services.positioning_present(positioning=positioning, by=by)
    positioning.refresh_from_db()
    assert positioning.status == PositioningStatus.PRESENTE and positioning.participant == participant


@pytest.mark.parametrize("status", [ReferralStatus.BROUILLON, ReferralStatus.A_COMPLETER, ReferralStatus.REFUSEE])
def test_a_fiche_navette_not_sent_or_refused_is_not_positioned(world, status):
    referral = ReferralFactory(structure=world.structure, prescriber_organisation=world.prescriber_org, status=status)
    with pytest.raises(ValidationError) as error:
        propose_as_prescriber(world, referral=referral)
    assert message_of(error) == ["Seule une fiche navette envoyée et non refusée peut être positionnée."]


def test_an_accepted_fiche_navette_positions_its_participant(world):
    referral = ReferralFactory(
        structure=world.structure,
        prescriber_organisation=world.prescriber_org,
        status=ReferralStatus.ACCEPTEE,
        participant=person(world),
    )
    positioning = propose_as_prescriber(world, referral=referral).positioning
    assert positioning.participant == referral.participant and positioning.referral is None


def test_a_candidate_is_positioned_once_per_offer(world):
    candidate = person(world)
    propose_as_prescriber(world, participant=candidate)
    with pytest.raises(ValidationError) as error:
        propose_as_facilitator(world, candidate)
    assert message_of(error) == ["Ce candidat est déjà positionné sur cette offre."]
    propose_as_prescriber(world, referral=world.referral)
    with pytest.raises(ValidationError) as error:
        propose_as_prescriber(world, referral=world.referral)
    assert message_of(error) == ["Ce candidat est déjà positionné sur cette offre."]
    assert world.offer.positionings.filter(participant=candidate).count() == 1
    # On another offer, the same person can be proposed.
    assert propose_as_facilitator(world, candidate, offer=JobOfferFactory(award=world.award)).pk


def test_a_candidate_positioned_by_their_fiche_is_not_positioned_again_once_accepted(world):
    by = world.facilitateur.user
    propose_as_prescriber(world, referral=world.referral)
    referral = world.referral
    referral.parcours_checked = referral.motivation_checked = referral.eligibility_checked = True
    referral.fit_checked = True
    referral.save()
    participant = participant_services.referral_accept(referral=referral, by=by)
    for propose in (
        lambda: propose_as_facilitator(world, participant),
        lambda: propose_as_prescriber(world, referral=referral),
    ):
        with pytest.raises(ValidationError) as error:
            propose()
        assert message_of(error) == ["Ce candidat est déjà positionné sur cette offre."]
    assert world.offer.positionings.filter(referral=referral).count() == 1


def test_a_person_without_consent_is_not_positioned(world):
    with pytest.raises(ValidationError) as error:
        propose_as_facilitator(world, person(world, consent=False))
    assert message_of(error) == ["Sans consentement en cours, cette personne ne peut pas être positionnée."]


def test_a_candidate_is_named_by_a_participant_or_a_fiche(world):
    with pytest.raises(ValidationError):
        propose_as_facilitator(world, None)
    with pytest.raises(ValidationError):
        propose_as_facilitator(world, person(world), referral=world.referral)


# --- R-RECONTACT ----------------------------------------------------------------------------------------------


def former(world, referent=True, **contract):
    """Someone whose clause contract has ended (the fixture's contracts end on 31/07/2026)."""
    participant = person(world) if referent else ParticipantFactory(structure=world.structure)
    WorkContractFactory(award=world.award, participant=participant, **contract)
    return participant


def test_r_recontact_a_former_beneficiary_waits_for_their_referent_to_be_informed(world):
    candidate = former(world)
    with pytest.raises(ValidationError) as error:
        propose_as_facilitator(world, candidate)
    assert message_of(error, "referent_informed_on") == [services.RECONTACT_MESSAGE]
    for incomplete in ((None, RecontactMethod.TELEPHONE, ""), (date(2026, 11, 2), "", "")):
        with pytest.raises(ValidationError):
            propose_as_facilitator(world, candidate, recontact=incomplete)
    assert not Positioning.objects.filter(participant=candidate).exists()


def test_r_recontact_once_informed_the_former_beneficiary_is_positioned_and_it_is_kept(world):
    candidate = former(world)
    informed = timezone.localdate() - timedelta(days=2)
    event = propose_as_facilitator(
        world, candidate, recontact=(informed, RecontactMethod.TELEPHONE, "Mme Roux d'accord, suivi maintenu.")
    )
    positioning = event.positioning
    assert (positioning.referent_informed_on, positioning.referent_informed_how) == (informed, "telephone")
    assert positioning.referent_informed_note == "Mme Roux d'accord, suivi maintenu."


def test_r_recontact_the_referent_cannot_be_informed_in_the_future(world):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        propose_as_facilitator(world, former(world), recontact=(tomorrow, RecontactMethod.EMAIL, ""))
    assert message_of(error, "referent_informed_on") == ["Cette date est dans le futur."]


def test_r_recontact_the_referents_own_organisation_needs_no_notice(world):
    event = propose_as_prescriber(world, participant=former(world))
    assert event.positioning.referent_informed_on is None


def test_r_recontact_another_prescriber_must_inform_the_referent_too(world):
    with pytest.raises(ValidationError) as error:
        services.positioning_propose(
            offer=world.offer,
            by=world.sibling_prescripteur.user,
            organisation=world.sibling_prescriber_org,
            participant=former(world),
        )
    assert "referent_informed_on" in error.value.message_dict


def test_r_recontact_a_former_beneficiary_without_referent_is_refused(world):
    with pytest.raises(ValidationError) as error:
        propose_as_facilitator(
            world, former(world, referent=False), recontact=(date(2026, 11, 2), RecontactMethod.TELEPHONE, "")
        )
    assert message_of(error)[0].startswith("Cette personne a déjà travaillé dans le cadre d'une clause et n'a pas")


def test_r_recontact_someone_still_under_contract_or_about_to_start_is_not_former(world):
    running = former(world)
    WorkContractFactory(
        award=world.award, participant=running, start_date=date(2026, 10, 1), planned_end_date=date(2027, 3, 31)
    )
    starting = former(world)
    WorkContractFactory(
        award=world.award,
        participant=starting,
        start_date=timezone.localdate() + timedelta(days=7),
        planned_end_date=date(2027, 6, 30),
    )
    never = person(world)
    for candidate in (running, starting, never):
        assert not services.is_former_beneficiary(candidate)
        assert propose_as_facilitator(world, candidate).positioning.referent_informed_on is None
    assert services.is_former_beneficiary(former(world))


def test_r_recontact_a_contract_ending_today_still_runs(world):
    candidate = former(world, start_date=date(2026, 6, 1), planned_end_date=timezone.localdate())
    assert not services.is_former_beneficiary(candidate)
    assert services.is_former_beneficiary(candidate, today=timezone.localdate() + timedelta(days=1))


# --- R-FEEDBACK -----------------------------------------------------------------------------------------------


def emails(*memberships):
    return sorted(m.user.email for m in memberships)


def test_r_feedback_a_prescribers_candidate_is_announced_to_the_structures_facilitators(world):
    event = propose_as_prescriber(world, participant=person(world))
    assert sorted(services.positioning_event_recipients(event)) == emails(world.facilitateur, world.admin)
    # Proposed by a facilitator: nobody needs telling yet.
    assert services.positioning_event_recipients(propose_as_facilitator(world, person(world))) == []


def test_r_feedback_each_step_goes_to_the_prescriber_who_proposed(world):
    by = world.facilitateur.user
    colleague = MembershipFactory(organisation=world.prescriber_org, prescripteur=True)
    positioning = propose_as_prescriber(world, participant=person(world)).positioning
    presented = services.positioning_present(positioning=positioning, by=by)
    retained = services.positioning_retain(positioning=positioning, by=by)
    for event in (presented, retained):
        assert services.positioning_event_recipients(event) == [world.prescripteur.user.email]
    assert colleague.user.email not in services.positioning_event_recipients(retained)
    rejected = services.positioning_reject(
        positioning=propose_as_prescriber(world, participant=person(world)).positioning,
        reason=NonRetentionReason.PROFIL,
        by=by,
    )
    assert services.positioning_event_recipients(rejected) == [world.prescripteur.user.email]


def test_r_feedback_goes_to_the_organisations_prescribers_once_the_author_left(world):
    colleague = MembershipFactory(organisation=world.prescriber_org, prescripteur=True)
    positioning = propose_as_prescriber(world, participant=person(world)).positioning
    world.prescripteur.is_active = False
    world.prescripteur.save()
    event = services.positioning_present(positioning=positioning, by=world.facilitateur.user)
    assert services.positioning_event_recipients(event) == [colleague.user.email]


def test_r_feedback_a_facilitators_candidate_is_reported_to_their_referents_organisation(world):
    colleague = MembershipFactory(organisation=world.prescriber_org, prescripteur=True)
    MembershipFactory(organisation=world.sibling_prescriber_org, prescripteur=True)
    positioning = propose_as_facilitator(world, person(world)).positioning
    event = services.positioning_present(positioning=positioning, by=world.facilitateur.user)
    assert sorted(services.positioning_event_recipients(event)) == emails(world.prescripteur, colleague)


def test_r_feedback_a_fiche_navette_not_retained_before_acceptance_is_reported_to_its_prescriber(world):
    positioning = propose_as_facilitator(world, None, referral=world.sibling_referral).positioning
    event = services.positioning_reject(
        positioning=positioning, reason=NonRetentionReason.POSTE_POURVU, by=world.facilitateur.user
    )
    assert services.positioning_event_recipients(event) == [world.sibling_prescripteur.user.email]


def test_r_feedback_nobody_to_tell_when_the_person_has_no_referent(world):
    positioning = propose_as_facilitator(world, ParticipantFactory(structure=world.structure)).positioning
    event = services.positioning_present(positioning=positioning, by=world.facilitateur.user)
    assert services.positioning_event_recipients(event) == []
    assert services.positioning_event_send(event=event) == 0


def test_r_feedback_the_email_names_the_offer_gives_the_reason_and_only_an_initial(world, mailoutbox):
    candidate = person(world, first_name="Yanis", last_name="Benaïssa")
    positioning = propose_as_prescriber(world, participant=candidate).positioning
    event = services.positioning_reject(
        positioning=positioning,
        reason=NonRetentionReason.EXPERIENCE,
        by=world.facilitateur.user,
        message="Une formation CACES l'aiderait.",
    )
    assert services.positioning_event_send(event=PositioningEvent.objects.get(pk=event.pk)) == 1
    (mail,) = mailoutbox
    assert mail.to == [world.prescripteur.user.email]
    assert mail.subject == "[Clauses] Candidat non retenu : Maçon VRD"
    assert "Yanis B." in mail.body and "Benaïssa" not in mail.body
    assert "« Maçon VRD »" in mail.body
    assert "Motif : expérience ou qualification insuffisante." in mail.body
    assert "Une formation CACES l'aiderait." in mail.body
    assert positioning.get_absolute_url() in mail.body


def test_r_feedback_the_email_of_each_step(world, mailoutbox):
    by = world.facilitateur.user
    candidate = person(world, first_name="Inès", last_name="Moreau")
    proposed = propose_as_prescriber(world, participant=candidate)
    presented = services.positioning_present(positioning=proposed.positioning, by=by)
    retained = services.positioning_retain(positioning=proposed.positioning, by=by)
    for event in (proposed, presented, retained):
        services.positioning_event_send(event=event)
    subjects = [mail.subject for mail in mailoutbox]
    assert subjects == [
        "[Clauses] Nouveau candidat proposé : Maçon VRD",
        "[Clauses] Candidat présenté à l'employeur : Maçon VRD",
        "[Clauses] Candidat retenu : Maçon VRD",
    ]
    assert all("Inès M." in mail.body and "Moreau" not in mail.body for mail in mailoutbox)
    assert world.company.name in mailoutbox[2].body


# --- Offers ---------------------------------------------------------------------------------------------------


def test_an_offer_is_recorded_only_on_an_attributed_market(world):
    planned = other_award(world, programme=True)
    offer = JobOfferFactory.build(award=planned)
    with pytest.raises(ValidationError) as error:
        services.offer_save(offer=offer, by=world.facilitateur.user)
    assert message_of(error, "award") == ["Le marché de cette entreprise n'est pas encore attribué."]


def test_an_offer_moves_through_its_statuses_and_keeps_who_published_it(world):
    by = world.facilitateur.user
    offer = services.offer_set_status(offer=world.draft_offer, status=OfferStatus.PUBLIEE, by=by)
    assert offer.status == OfferStatus.PUBLIEE and offer.published_at
    with pytest.raises(ValidationError):
        services.offer_set_status(offer=offer, status=OfferStatus.PUBLIEE, by=by)
    services.offer_set_status(offer=offer, status=OfferStatus.CLOTUREE, by=by)
    assert offer.history.first().history_change_reason == "statut : clôturée"


def test_kinds_of_hours_on_a_contract(world):
    """A contract's row carries worked or training hours; subcontracted hours have no contract."""
    result = services.hours_save(
        cells=[services.Cell(MARCH, HourKind.SOUS_TRAITANCE, Decimal(5), world.assignment, key="x")],
        by=world.facilitateur.user,
        today=date(2026, 11, 22),
    )
    assert result.errors == {"x": ["Un contrat porte des heures travaillées ou de formation."]}
