"""Offers and positionings through their pages: the liaison form, publication to the partner prescribers, the
candidates they position, the facilitator's decisions and what the prescriber hears of them (R-FEEDBACK),
R-RECONTACT on the form."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.enums import ReferralStatus
from suivi.enums import NonRetentionReason, OfferStatus, PositioningStatus
from suivi.models import JobOffer, Positioning, PositioningEvent
from tests.html import text
from tests.marches.factories import AwardFactory, MarketFactory
from tests.participants.factories import ParticipantFactory, ReferralFactory
from tests.suivi.factories import JobOfferFactory, PositioningFactory, WorkContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def facilitator(client, world):
    client.force_login(world.facilitateur.user)
    return client


@pytest.fixture
def prescriber(client, world):
    client.force_login(world.prescripteur.user)
    return client


def offer_data(world, **overrides):
    return {
        "award": str(world.award.pk),
        "contact_name": "Mme Leroy",
        "contact_phone": "02 40 00 00 00",
        "contact_email": "rh@exemple.test",
        "job_title": "Ouvrier VRD",
        "rome_code": "F1702",
        "positions": "2",
        "start_date": "2026-12-07",
        "activities": "Pose de bordures et de pavés, terrassement manuel.",
        "skills": "Travail en équipe.",
        "experience": "debutant",
        "training": "",
        "requirements": ["permis_b", "exterieur"],
        "other_requirements": "",
        "contract_type": "cdd",
        "duration_weeks": "12",
        "weekly_hours": "35,5",
        "gross_salary": "SMIC",
        "workplace": "Nantes, quartier Bellevue",
        "notes": "",
    } | overrides


def create_offer(client, world, **overrides):
    return client.post(reverse("suivi:offer_create"), offer_data(world, **overrides))


# --- The liaison form -----------------------------------------------------------------------------------------


def test_facilitator_creates_an_offer_in_draft(facilitator, world):
    response = create_offer(facilitator, world)
    offer = JobOffer.objects.get(job_title="Ouvrier VRD")
    assert response.status_code == 302 and response.url == offer.get_absolute_url()
    assert offer.status == OfferStatus.BROUILLON and offer.published_at is None
    assert offer.award == world.award and offer.created_by == world.facilitateur.user
    assert str(offer.weekly_hours) == "35.50" and offer.requirements == ["permis_b", "exterieur"]
    page = text(facilitator.get(offer.get_absolute_url()))
    assert "Brouillon : les prescripteurs ne voient pas encore cette offre." in page
    assert "permis B" in page and "travail en extérieur" in page


def test_the_offer_form_is_prefilled_from_the_award(facilitator, world):
    world.company.contact_name = "M. Garnier"
    world.company.save()
    response = facilitator.get(reverse("suivi:offer_create") + f"?attribution={world.award.public_id}")
    form = response.context["form"]
    assert form["contact_name"].value() == "M. Garnier"
    assert form["workplace"].value() == world.market.city
    assert str(form["award"].value()) == str(world.award.pk)
    assert f'value="{world.award.pk}" selected' in response.content.decode()


def test_the_rome_code_is_accepted_in_lower_case(facilitator, world):
    create_offer(facilitator, world, rome_code=" f1702 ")
    assert JobOffer.objects.get(job_title="Ouvrier VRD").rome_code == "F1702"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"activities": ""}, "activities", "Ce champ est obligatoire."),
        ({"contract_type": "cdi", "duration_weeks": "12"}, "duration_weeks", "Un CDI n'a pas de durée"),
        (
            {"contract_type": "cdd", "duration_weeks": ""},
            "duration_weeks",
            "Indiquez la durée du contrat en semaines.",
        ),
        ({"rome_code": "F17"}, "rome_code", "Un code ROME s'écrit avec une lettre et quatre chiffres"),
        ({"weekly_hours": "60"}, "weekly_hours", "inférieure ou égale à 48"),
        ({"weekly_hours": "trente"}, "weekly_hours", "Saisissez un nombre."),
        ({"requirements": ["martien"]}, "requirements", "Sélectionnez un choix valide"),
    ],
)
def test_bad_offer_input_is_explained_next_to_the_field_and_nothing_saved(
    facilitator, world, overrides, field, message
):
    count = JobOffer.objects.count()
    response = create_offer(facilitator, world, **overrides)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors and message in text(response)
    assert JobOffer.objects.count() == count


def test_an_award_of_a_market_not_attributed_is_not_offered(facilitator, world):
    planned = AwardFactory(lot__market=MarketFactory(structure=world.structure, programme=True), company=world.company)
    choices = facilitator.get(reverse("suivi:offer_create")).context["form"].fields["award"].queryset
    assert world.award in choices and planned not in choices
    count = JobOffer.objects.count()
    response = create_offer(facilitator, world, award=str(planned.pk))
    assert "Sélectionnez un choix valide" in " ".join(response.context["form"].errors["award"])
    assert JobOffer.objects.count() == count


def test_an_award_of_another_structure_is_not_offered(facilitator, world):
    response = create_offer(facilitator, world, award=str(world.other_award.pk))
    assert "award" in response.context["form"].errors
    assert not JobOffer.objects.filter(job_title="Ouvrier VRD").exists()


def test_facilitator_updates_an_offer(facilitator, world):
    response = facilitator.post(
        reverse("suivi:offer_update", args=[world.draft_offer.public_id]),
        offer_data(world, job_title="Maçon coffreur", contract_type="cdi", duration_weeks=""),
    )
    assert response.status_code == 302
    world.draft_offer.refresh_from_db()
    assert world.draft_offer.job_title == "Maçon coffreur" and world.draft_offer.duration_weeks is None


# --- Publication ----------------------------------------------------------------------------------------------


def set_status(client, offer, status):
    return client.post(reverse("suivi:offer_status", args=[offer.public_id]), {"status": status}, follow=True)


def test_publish_fill_close_and_reopen_an_offer_each_step_kept_with_who(facilitator, world):
    offer = world.draft_offer
    page = text(set_status(facilitator, offer, OfferStatus.PUBLIEE))
    assert "L'offre est publiée : les prescripteurs partenaires la voient." in page
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PUBLIEE and offer.published_at
    published_at = offer.published_at
    for status, message in (
        (OfferStatus.POURVUE, "L'offre est pourvue"),
        (OfferStatus.CLOTUREE, "L'offre est clôturée."),
        (OfferStatus.PUBLIEE, "L'offre est publiée"),
    ):
        assert message in text(set_status(facilitator, offer, status))
        offer.refresh_from_db()
        assert offer.status == status
    assert offer.published_at == published_at  # the first publication date is kept
    steps = list(offer.history.order_by("history_date").values_list("status", "history_user_id"))
    assert [s for s, _ in steps][-4:] == ["publiee", "pourvue", "cloturee", "publiee"]
    assert {user for _, user in steps[-4:]} == {world.facilitateur.user.pk}


def test_a_transition_that_is_not_offered_is_refused_with_a_message(facilitator, world):
    set_status(facilitator, world.offer, OfferStatus.CLOTUREE)
    response = set_status(facilitator, world.offer, OfferStatus.POURVUE)
    assert "Une offre clôturée ne peut pas devenir « pourvue »." in text(response)
    world.offer.refresh_from_db()
    assert world.offer.status == OfferStatus.CLOTUREE


def test_an_unknown_status_is_refused_with_a_message(facilitator, world):
    response = set_status(facilitator, world.offer, "supprimee")
    assert "Choisissez une action proposée sur la page." in text(response)
    world.offer.refresh_from_db()
    assert world.offer.status == OfferStatus.PUBLIEE


def test_the_offer_page_offers_only_the_transitions_allowed(facilitator, world):
    page = text(facilitator.get(world.draft_offer.get_absolute_url()))
    assert "Publier aux prescripteurs" in page and "Marquer comme pourvue" not in page


# --- What prescribers see -------------------------------------------------------------------------------------


def test_prescriber_sees_published_offers_of_partner_structures_only(prescriber, world):
    closed = JobOfferFactory(award=world.award, status=OfferStatus.CLOTUREE, job_title="Poste clôturé")
    listed = {o.pk for o in prescriber.get(reverse("suivi:offer_list")).context["page"].object_list}
    assert listed == {world.offer.pk}
    assert world.draft_offer.pk not in listed and world.other_offer.pk not in listed and closed.pk not in listed
    assert prescriber.get(world.draft_offer.get_absolute_url()).status_code == 404
    assert prescriber.get(world.other_offer.get_absolute_url()).status_code == 404


def test_a_prescriber_partner_of_two_structures_sees_both_published_offers(client, world):
    client.force_login(world.shared_prescripteur.user)
    listed = {o.pk for o in client.get(reverse("suivi:offer_list")).context["page"].object_list}
    assert listed == {world.offer.pk, world.other_offer.pk}


def test_prescriber_offer_page_hides_the_company_contact_and_internal_notes(prescriber, world):
    world.offer.notes = "Entreprise difficile à joindre le lundi."
    world.offer.contact_email = "direction@exemple.test"
    world.offer.save()
    page = text(prescriber.get(world.offer.get_absolute_url()))
    assert world.offer.job_title in page and "Positionner un candidat" in page
    assert "difficile à joindre" not in page and "direction@exemple.test" not in page


def test_prescriber_offer_page_lists_their_candidates_only(prescriber, world):
    response = prescriber.get(world.offer.get_absolute_url())
    assert list(response.context["positionings"]) == [world.positioning]
    page = text(response)
    assert "Vos candidats sur ce poste" in page and world.participant.last_name.upper() in page
    assert world.sibling_participant.last_name.upper() not in page


def test_prescriber_counts_only_their_candidates_on_the_offer_list(prescriber, world):
    offer = prescriber.get(reverse("suivi:offer_list")).context["page"].object_list[0]
    assert offer.my_count == 1  # world.positioning (their person), not the sibling prescriber's


# --- Positioning a candidate ----------------------------------------------------------------------------------


def test_prescriber_positions_a_followed_participant_and_facilitators_are_told(
    prescriber, world, mailoutbox, django_capture_on_commit_callbacks
):
    person = ParticipantFactory(structure=world.structure, referent_organisation=world.prescriber_org)
    form = prescriber.get(reverse("suivi:positioning_create", args=[world.offer.public_id])).context["form"]
    assert f"p:{person.public_id}" in dict(form.fields["candidate"].choices[1][1])
    with django_capture_on_commit_callbacks(execute=True):
        response = prescriber.post(
            reverse("suivi:positioning_create", args=[world.offer.public_id]),
            {"candidate": f"p:{person.public_id}", "message": "Deux ans en VRD, permis B."},
        )
    positioning = Positioning.objects.get(participant=person)
    assert response.status_code == 302 and response.url == positioning.get_absolute_url()
    assert positioning.status == PositioningStatus.PROPOSE
    assert positioning.proposed_by == world.prescripteur.user
    assert positioning.proposed_by_organisation == world.prescriber_org
    assert len(mailoutbox) == 1
    assert set(mailoutbox[0].to) == {world.facilitateur.user.email, world.admin.user.email}
    assert "Nouveau candidat proposé" in mailoutbox[0].subject
    assert person.last_name not in mailoutbox[0].body  # only an initial


def test_prescriber_positions_a_submitted_fiche_navette(
    prescriber, world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = prescriber.post(
            reverse("suivi:positioning_create", args=[world.offer.public_id]),
            {"candidate": f"f:{world.referral.public_id}"},
        )
    positioning = Positioning.objects.get(referral=world.referral)
    assert response.status_code == 302 and positioning.participant is None
    assert len(mailoutbox) == 1 and world.facilitateur.user.email in mailoutbox[0].to
    page = text(prescriber.get(positioning.get_absolute_url()))
    assert world.referral.last_name.upper() in page and "Voir la fiche navette" in page


def test_prescriber_cannot_position_someone_they_do_not_follow(prescriber, world):
    for candidate in (f"p:{world.sibling_participant.public_id}", f"f:{world.sibling_referral.public_id}",
                      f"f:{world.draft.public_id}", f"p:{world.other_participant.public_id}"):  # fmt: skip
        response = prescriber.post(
            reverse("suivi:positioning_create", args=[world.offer.public_id]), {"candidate": candidate}
        )
        assert response.status_code == 200
        assert "Sélectionnez un choix valide" in " ".join(response.context["form"].errors["candidate"])
    assert Positioning.objects.filter(proposed_by=world.prescripteur.user).count() == 0


def test_prescriber_cannot_position_on_a_draft_offer(prescriber, world):
    url = reverse("suivi:positioning_create", args=[world.draft_offer.public_id])
    assert prescriber.post(url, {"candidate": f"f:{world.referral.public_id}"}).status_code == 404
    assert not Positioning.objects.filter(offer=world.draft_offer).exists()


def test_positioning_on_an_offer_closed_meanwhile_is_refused_with_a_message(prescriber, world):
    url = reverse("suivi:positioning_create", args=[world.offer.public_id])
    JobOffer.objects.filter(pk=world.offer.pk).update(status=OfferStatus.POURVUE)
    response = prescriber.post(url, {"candidate": f"f:{world.referral.public_id}"})
    assert response.status_code == 404 or "n'est plus ouverte aux candidatures" in text(response)
    assert not Positioning.objects.filter(referral=world.referral).exists()


def test_the_same_candidate_twice_on_an_offer_is_refused_with_a_message(prescriber, world):
    url = reverse("suivi:positioning_create", args=[world.offer.public_id])
    response = prescriber.post(url, {"candidate": f"p:{world.participant.public_id}"})
    assert response.status_code == 200 and "Ce candidat est déjà positionné sur cette offre." in text(response)
    assert Positioning.objects.filter(participant=world.participant).count() == 1


def test_a_person_without_consent_is_not_offered_as_a_candidate(prescriber, world):
    person = ParticipantFactory(structure=world.structure, referent_organisation=world.prescriber_org, consent=False)
    form = prescriber.get(reverse("suivi:positioning_create", args=[world.offer.public_id])).context["form"]
    assert str(person.public_id) not in form.participants


# --- R-RECONTACT on the form ----------------------------------------------------------------------------------


def former_beneficiary(world):
    """Someone followed by our prescriber whose clause contract ended on 31/07/2026."""
    person = ParticipantFactory(structure=world.structure, referent_organisation=world.prescriber_org)
    WorkContractFactory(award=world.award, participant=person)
    return person


def test_r_recontact_a_former_beneficiary_needs_their_referent_informed_first(facilitator, world):
    person = former_beneficiary(world)
    url = reverse("suivi:positioning_create", args=[world.offer.public_id])
    response = facilitator.post(url, {"candidate": f"p:{person.public_id}"})
    assert response.status_code == 200
    errors = response.context["form"].errors["referent_informed_on"]
    assert "informez d'abord son référent de parcours" in errors[0]
    assert "informez d'abord son référent de parcours" in text(response)
    assert not Positioning.objects.filter(participant=person).exists()
    assert not PositioningEvent.objects.filter(positioning__participant=person).exists()


def test_r_recontact_a_date_in_the_future_is_refused_on_the_field(facilitator, world):
    person = former_beneficiary(world)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = facilitator.post(
        reverse("suivi:positioning_create", args=[world.offer.public_id]),
        {"candidate": f"p:{person.public_id}", "referent_informed_on": tomorrow.isoformat(),
         "referent_informed_how": "telephone"},
    )  # fmt: skip
    assert "Cette date est dans le futur." in response.context["form"].errors["referent_informed_on"]
    assert not Positioning.objects.filter(participant=person).exists()


def test_r_recontact_once_the_referent_is_informed_the_positioning_says_so(facilitator, world):
    person = former_beneficiary(world)
    informed = timezone.localdate() - timedelta(days=1)
    facilitator.post(
        reverse("suivi:positioning_create", args=[world.offer.public_id]),
        {"candidate": f"p:{person.public_id}", "referent_informed_on": informed.isoformat(),
         "referent_informed_how": "telephone", "referent_informed_note": "Mme Roux est d'accord."},
    )  # fmt: skip
    positioning = Positioning.objects.get(participant=person)
    assert positioning.referent_informed_on == informed
    page = text(facilitator.get(positioning.get_absolute_url()))
    assert "Ancien bénéficiaire : référent de parcours informé le" in page and "Mme Roux est d'accord." in page


def test_r_recontact_the_referent_themselves_positions_without_notice(prescriber, world):
    person = former_beneficiary(world)
    prescriber.post(
        reverse("suivi:positioning_create", args=[world.offer.public_id]), {"candidate": f"p:{person.public_id}"}
    )
    assert Positioning.objects.get(participant=person).referent_informed_on is None


# --- Decisions and feedback (R-FEEDBACK) ----------------------------------------------------------------------


def decide(client, positioning, **data):
    return client.post(reverse("suivi:positioning_decide", args=[positioning.public_id]), data)


@pytest.fixture
def proposed(world):
    """A candidate our prescriber proposed on our published offer."""
    person = ParticipantFactory(structure=world.structure, referent_organisation=world.prescriber_org)
    return PositioningFactory(
        offer=world.offer, participant=person, proposed_by=world.prescripteur.user,
        proposed_by_organisation=world.prescriber_org,
    )  # fmt: skip


def test_facilitator_presents_then_retains_and_the_prescriber_hears_each_step(
    facilitator, world, proposed, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(facilitator, proposed, action="presenter", message="Entretien jeudi 10 h.")
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == PositioningStatus.PRESENTE and proposed.presented_at
    with django_capture_on_commit_callbacks(execute=True):
        decide(facilitator, proposed, action="retenir", message="Très bon entretien, début lundi.")
    proposed.refresh_from_db()
    assert proposed.status == PositioningStatus.RETENU and proposed.feedback == "Très bon entretien, début lundi."
    assert [m.to for m in mailoutbox] == [[world.prescripteur.user.email]] * 2
    assert "Candidat présenté à l'employeur" in mailoutbox[0].subject
    assert "Candidat retenu" in mailoutbox[1].subject and "Très bon entretien" in mailoutbox[1].body
    events = list(proposed.events.values_list("to_status", "by"))
    assert events[-2:] == [("presente", world.facilitateur.user.pk), ("retenu", world.facilitateur.user.pk)]
    page = text(facilitator.get(proposed.get_absolute_url()))
    assert "Enregistrer le contrat" in page


def test_a_rejection_names_its_reason_to_the_prescriber_r_feedback(
    facilitator, client, world, proposed, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            facilitator, proposed, action="ecarter", non_retention_reason=NonRetentionReason.MOBILITE,
            message="Pas de solution pour venir à 6 h sur le chantier.",
        )  # fmt: skip
    proposed.refresh_from_db()
    assert proposed.status == PositioningStatus.NON_RETENU and proposed.decided_at
    assert proposed.non_retention_reason == NonRetentionReason.MOBILITE
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [world.prescripteur.user.email]
    assert "Candidat non retenu" in mailoutbox[0].subject
    assert "Motif : contraintes de mobilité ou d'horaires." in mailoutbox[0].body
    assert "Pas de solution pour venir à 6 h" in mailoutbox[0].body
    # The prescriber's pages show what became of the candidate.
    client.force_login(world.prescripteur.user)
    listing = client.get(reverse("suivi:positioning_list"))
    assert proposed in listing.context["page"].object_list
    page = text(listing)
    assert "non retenu" in page and "Contraintes de mobilité ou d'horaires" in page
    assert "Pas de solution pour venir à 6 h" in page
    detail = text(client.get(proposed.get_absolute_url()))
    assert "Motif : contraintes de mobilité ou d'horaires" in detail
    assert "Pas de solution pour venir à 6 h sur le chantier." in detail
    assert "Enregistrer la décision" not in detail  # the prescriber never decides


def test_a_rejection_without_reason_is_explained_and_nothing_changes(facilitator, world, proposed, mailoutbox):
    response = decide(facilitator, proposed, action="ecarter", non_retention_reason="")
    assert response.status_code == 200
    assert "Choisissez le motif : le prescripteur en a besoin." in text(response)
    proposed.refresh_from_db()
    assert proposed.status == PositioningStatus.PROPOSE and not mailoutbox
    assert proposed.events.count() == 0


def test_a_rejection_for_another_reason_needs_the_reason_written(facilitator, world, proposed):
    response = decide(facilitator, proposed, action="ecarter", non_retention_reason=NonRetentionReason.AUTRE)
    assert response.status_code == 200
    assert "Précisez la raison dans le message au prescripteur." in text(response)
    proposed.refresh_from_db()
    assert proposed.status == PositioningStatus.PROPOSE


def test_retaining_a_candidate_not_yet_presented_is_not_offered(facilitator, world, proposed):
    response = decide(facilitator, proposed, action="retenir")
    assert response.status_code == 200 and "Sélectionnez un choix valide" in text(response)
    proposed.refresh_from_db()
    assert proposed.status == PositioningStatus.PROPOSE


def test_r_verify_a_fiche_navette_not_yet_accepted_cannot_be_presented(facilitator, world):
    positioning = PositioningFactory(
        offer=world.offer, participant=None, referral=world.referral, proposed_by_organisation=world.prescriber_org
    )
    response = decide(facilitator, positioning, action="presenter")
    assert response.status_code == 200 and "Vérifiez et acceptez d'abord la fiche navette" in text(response)
    positioning.refresh_from_db()
    assert positioning.status == PositioningStatus.PROPOSE


def test_a_decision_on_a_closed_positioning_redirects_with_a_message(facilitator, world, proposed):
    Positioning.objects.filter(pk=proposed.pk).update(status=PositioningStatus.RETENU)
    for method in ("get", "post"):
        response = getattr(facilitator, method)(
            reverse("suivi:positioning_decide", args=[proposed.public_id]),
            {"action": "ecarter", "non_retention_reason": "profil"} if method == "post" else None,
            follow=True,
        )
        assert response.redirect_chain[-1][0] == proposed.get_absolute_url()
        assert "Ce candidat est déjà « retenu »." in text(response)
    proposed.refresh_from_db()
    assert proposed.status == PositioningStatus.RETENU and proposed.events.count() == 0


def test_the_decision_form_is_on_the_positioning_page_for_staff_only(facilitator, client, world):
    page = text(facilitator.get(world.positioning.get_absolute_url()))
    assert "Enregistrer la décision" in page and "Présenter la candidature à l'employeur" in page
    client.force_login(world.prescripteur.user)
    assert "Enregistrer la décision" not in text(client.get(world.positioning.get_absolute_url()))


def test_prescriber_positioning_list_shows_their_candidates_only(prescriber, world):
    mine = ReferralFactory(
        structure=world.structure, prescriber_organisation=world.prescriber_org, status=ReferralStatus.SOUMISE
    )
    theirs = PositioningFactory(offer=world.offer, participant=None, referral=mine,
                                proposed_by_organisation=world.prescriber_org)  # fmt: skip
    listed = set(prescriber.get(reverse("suivi:positioning_list")).context["page"].object_list)
    assert listed == {world.positioning, theirs}
    assert world.sibling_positioning not in listed and world.other_positioning not in listed


def test_the_offer_page_lists_its_candidates_with_their_status(facilitator, world, proposed):
    decide(facilitator, proposed, action="ecarter", non_retention_reason=NonRetentionReason.PROFIL)
    page = text(facilitator.get(world.offer.get_absolute_url()))
    assert proposed.participant.last_name.upper() in page
    assert "Motif : profil ne correspondant pas au poste" in page
