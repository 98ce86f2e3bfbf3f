"""Fiches navettes: the prescriber sends, the facilitator checks (R-VERIFY) and answers (R-FEEDBACK)."""

import pytest
from django.urls import reverse

from participants.enums import ProofStatus, ReferralStatus
from participants.models import EligibilityCriterion, Participant, Proof, Referral
from tests.accounts.factories import MembershipFactory
from tests.html import text
from tests.participants.factories import ParticipantFactory, ProofFactory, pdf_upload

pytestmark = pytest.mark.django_db


def referral_data(world, **overrides):
    return {
        "structure": world.structure.pk,
        "last_name": "Benaïssa",
        "first_name": "Yanis",
        "birth_date": "2003-05-14",
        "sex": "M",
        "phone": "06 12 34 56 78",
        "postcode": "44400",
        "city": "Rezé",
        "qpv_resident": "on",
        "qualification_level": "sans",
        "registration_date": "2025-01-10",
        "social_benefit": "",
        "claimed_criteria": ["jeune", "deld"],
        "target_trade": "peinture",
        "target_job": "Peintre en bâtiment (débutant)",
        "motivation": "A travaillé deux étés en peinture avec son oncle. Très motivé pour un chantier.",
        "consent_confirmed": "on",
        "consent_method": "ecrit",
        "consent_date": "2026-11-02",
    } | overrides


@pytest.fixture
def prescriber(client, world):
    client.force_login(world.prescripteur.user)
    return client


def create_draft(prescriber, world, **overrides):
    prescriber.post(reverse("participants:referral_create"), referral_data(world, **overrides))
    return Referral.objects.filter(created_by=world.prescripteur.user).latest("created_at")


def test_prescriber_drafts_attaches_a_proof_and_sends(
    prescriber, world, mailoutbox, django_capture_on_commit_callbacks
):
    draft = create_draft(prescriber, world)
    assert draft.status == ReferralStatus.BROUILLON
    assert draft.prescriber_organisation == world.prescriber_org and draft.structure == world.structure
    assert set(draft.claimed_criteria.values_list("code", flat=True)) == {"jeune", "deld"}
    prescriber.post(
        reverse("participants:referral_proof_upload", args=[draft.public_id]),
        {"kind": "france_travail", "issue_date": "2026-10-20", "file": pdf_upload()},
    )
    assert draft.proofs.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        prescriber.post(reverse("participants:referral_submit", args=[draft.public_id]))
    draft.refresh_from_db()
    assert draft.status == ReferralStatus.SOUMISE and draft.submitted_at
    assert [e.to_status for e in draft.events.all()] == [ReferralStatus.SOUMISE]
    assert len(mailoutbox) == 1
    assert set(mailoutbox[0].to) == {world.facilitateur.user.email, world.admin.user.email}
    assert "Nouvelle fiche navette" in mailoutbox[0].subject
    assert draft.get_absolute_url() in mailoutbox[0].body


def test_facilitators_never_see_drafts(client, world):
    client.force_login(world.facilitateur.user)
    listed = [r.pk for r in client.get(reverse("participants:referral_list")).context["page"].object_list]
    assert world.draft.pk not in listed and world.referral.pk in listed


def test_sending_needs_the_consent_and_the_motivation(prescriber, world):
    draft = create_draft(prescriber, world, consent_confirmed="", consent_date="", motivation="")
    response = prescriber.post(reverse("participants:referral_submit", args=[draft.public_id]), follow=True)
    page = text(response)
    assert "Confirmez que le candidat a été informé" in page and "Décrivez le parcours" in page
    draft.refresh_from_db()
    assert draft.status == ReferralStatus.BROUILLON and not draft.events.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("last_name", "", "Ce champ est obligatoire"),
        ("birth_date", "2099-01-01", "La date de naissance est dans le futur"),
        ("birth_date", "14/13/2003", "Saisissez une date valide"),
        ("postcode", "4440", "Un code postal compte 5 chiffres"),
        ("claimed_criteria", ["martien"], "Sélectionnez un choix valide"),
        ("structure", "999999", "Sélectionnez un choix valide"),
    ],
)
def test_bad_referral_input_is_explained_and_nothing_saved(prescriber, world, field, value, message):
    count = Referral.objects.count()
    response = prescriber.post(reverse("participants:referral_create"), referral_data(world, **{field: value}))
    assert response.status_code == 200 and message in text(response)
    assert Referral.objects.count() == count


def test_a_structure_that_is_not_a_partner_cannot_be_chosen(prescriber, world):
    response = prescriber.post(
        reverse("participants:referral_create"), referral_data(world, structure=world.other_structure.pk)
    )
    assert "Sélectionnez un choix valide" in text(response)


@pytest.fixture
def facilitator(client, world):
    client.force_login(world.facilitateur.user)
    return client


def review(facilitator, referral, **data):
    return facilitator.post(reverse("participants:referral_review", args=[referral.public_id]), data)


ALL_CHECKS = {
    "action": "review",
    "parcours_checked": "on",
    "motivation_checked": "on",
    "eligibility_checked": "on",
    "fit_checked": "on",
}


def test_r_verify_checks_put_the_fiche_under_review(facilitator, world):
    review(facilitator, world.referral, action="review", parcours_checked="on", review_note="Appel le 3/11.")
    world.referral.refresh_from_db()
    assert world.referral.status == ReferralStatus.EN_VERIFICATION
    assert world.referral.parcours_checked and not world.referral.motivation_checked
    assert world.referral.review_note == "Appel le 3/11."


def test_r_verify_acceptance_requires_the_four_checks(facilitator, world):
    response = review(facilitator, world.referral, action="decide", decision="accepter")
    assert "Cochez les quatre vérifications" in text(response)
    world.referral.refresh_from_db()
    assert world.referral.status == ReferralStatus.SOUMISE and world.referral.participant is None


def test_r_feedback_return_for_completion_then_resend(
    facilitator, client, world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = review(facilitator, world.referral, action="decide", decision="completer", message="")
    assert "Dites au prescripteur ce qu'il faut compléter" in text(response)
    with django_capture_on_commit_callbacks(execute=True):
        review(facilitator, world.referral, action="decide", decision="completer",
               message="Merci de joindre l'attestation France Travail de moins de trois mois.")  # fmt: skip
    world.referral.refresh_from_db()
    assert world.referral.status == ReferralStatus.A_COMPLETER
    assert mailoutbox[-1].to == [world.prescripteur.user.email]
    assert "l'attestation France Travail de moins de trois mois" in mailoutbox[-1].body
    client.force_login(world.prescripteur.user)
    page = text(client.get(world.referral.get_absolute_url()))
    assert "l'attestation France Travail de moins de trois mois" in page and "Renvoyer la fiche complétée" in page
    client.post(reverse("participants:referral_submit", args=[world.referral.public_id]))
    world.referral.refresh_from_db()
    assert world.referral.status == ReferralStatus.SOUMISE
    assert [e.to_status for e in world.referral.events.all()] == [ReferralStatus.A_COMPLETER, ReferralStatus.SOUMISE]


def test_r_feedback_refusal_needs_a_reason_and_is_told(
    facilitator, world, mailoutbox, django_capture_on_commit_callbacks
):
    response = review(facilitator, world.referral, action="decide", decision="refuser")
    assert "Choisissez le motif du refus" in text(response)
    with django_capture_on_commit_callbacks(execute=True):
        review(facilitator, world.referral, action="decide", decision="refuser", refusal_reason="projet",
               message="Le projet vise la mécanique : pas de poste à venir.")  # fmt: skip
    world.referral.refresh_from_db()
    assert world.referral.status == ReferralStatus.REFUSEE
    assert "projet professionnel éloigné" in mailoutbox[-1].body


def test_acceptance_creates_the_participant_with_consent_proofs_and_referent(
    facilitator, world, mailoutbox, django_capture_on_commit_callbacks
):
    proof = ProofFactory(
        participant=None, referral=world.referral, structure=world.structure, status=ProofStatus.A_VERIFIER
    )
    review(facilitator, world.referral, **ALL_CHECKS)
    with django_capture_on_commit_callbacks(execute=True):
        response = review(facilitator, world.referral, action="decide", decision="accepter", message="Bienvenue.")
    participant = Participant.objects.get(referrals=world.referral)
    assert response.url == participant.get_absolute_url()
    assert (participant.last_name, participant.birth_date) == (world.referral.last_name, world.referral.birth_date)
    assert participant.referent_organisation == world.prescriber_org
    assert participant.referent_name == world.prescripteur.user.full_name
    consent = participant.consents.get()
    assert consent.given_on == world.referral.consent_date and consent.collected_by == world.prescripteur.user
    proof.refresh_from_db()
    assert proof.participant == participant
    assert "Fiche navette acceptée" in mailoutbox[-1].subject


def test_acceptance_links_a_participant_already_known(facilitator, world):
    known = ParticipantFactory(
        structure=world.structure, last_name=world.referral.last_name.upper(), first_name=world.referral.first_name,
        birth_date=world.referral.birth_date,
    )  # fmt: skip
    page = text(facilitator.get(reverse("participants:referral_review", args=[world.referral.public_id])))
    assert "Une personne de même nom et de même date de naissance est déjà suivie" in page
    review(facilitator, world.referral, **ALL_CHECKS)
    review(facilitator, world.referral, action="decide", decision="accepter", existing=known.pk)  # rattacher
    world.referral.refresh_from_db()
    assert world.referral.participant == known
    assert Participant.objects.filter(structure=world.structure, name_key=known.name_key).count() == 1
    known.refresh_from_db()
    assert known.consents.count() == 1  # the consent already on record stands
    assert known.referent_organisation == world.prescriber_org  # they had none: the prescriber becomes it


def test_a_decided_fiche_cannot_be_decided_again(facilitator, world):
    world.referral.status = ReferralStatus.REFUSEE
    world.referral.save()
    response = facilitator.get(reverse("participants:referral_review", args=[world.referral.public_id]), follow=True)
    assert "Cette fiche n'attend pas de décision" in text(response)


def test_a_sent_fiche_is_no_longer_editable_by_the_prescriber(prescriber, world):
    url = reverse("participants:referral_update", args=[world.referral.public_id])
    assert prescriber.post(url, referral_data(world, last_name="Changé")).status_code == 404
    world.referral.refresh_from_db()
    assert world.referral.last_name != "Changé"


def test_deleting_a_draft_removes_its_files(prescriber, world, django_capture_on_commit_callbacks):
    proof_file = world.draft_proof.file.path
    with django_capture_on_commit_callbacks(execute=True):
        prescriber.post(reverse("participants:referral_delete", args=[world.draft.public_id]))
    assert not Referral.objects.filter(pk=world.draft.pk).exists()
    assert not Proof.objects.filter(pk=world.draft_proof.pk).exists()
    import os

    assert not os.path.exists(proof_file)


def test_a_completed_fiche_is_checked_again(facilitator, client, world):
    review(facilitator, world.referral, **ALL_CHECKS)
    review(facilitator, world.referral, action="decide", decision="completer", message="Ajoutez le CV.")
    client.force_login(world.prescripteur.user)
    client.post(reverse("participants:referral_submit", args=[world.referral.public_id]))
    world.referral.refresh_from_db()
    assert world.referral.status == ReferralStatus.SOUMISE and not world.referral.checklist_complete


def test_a_second_click_on_send_says_it_is_already_sent(prescriber, world):
    response = prescriber.post(reverse("participants:referral_submit", args=[world.referral.public_id]), follow=True)
    assert "Cette fiche est déjà envoyée" in text(response)
    assert world.referral.events.count() == 0


def test_the_addressee_cannot_be_changed_once_chosen(prescriber, world):
    page = text(prescriber.get(reverse("participants:referral_update", args=[world.draft.public_id])))
    assert f"Destinataire : <strong>{world.structure.name}</strong>" in page
    prescriber.post(reverse("participants:referral_update", args=[world.draft.public_id]),
                    referral_data(world, structure=world.other_structure.pk))  # fmt: skip
    world.draft.refresh_from_db()
    assert world.draft.structure == world.structure


def test_every_step_after_sending_is_told_to_the_prescriber(
    facilitator, world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review(facilitator, world.referral, action="review", parcours_checked="on")
    assert mailoutbox[-1].to == [world.prescripteur.user.email]
    assert "en cours de vérification" in mailoutbox[-1].subject


def test_when_the_author_has_left_their_colleagues_are_told(
    facilitator, world, mailoutbox, django_capture_on_commit_callbacks
):
    colleague = MembershipFactory(organisation=world.prescriber_org, prescripteur=True)
    world.prescripteur.is_active = False
    world.prescripteur.save()
    with django_capture_on_commit_callbacks(execute=True):
        review(
            facilitator, world.referral, action="decide", decision="refuser", refusal_reason="autre", message="Non."
        )
    assert mailoutbox[-1].to == [colleague.user.email]


def test_a_failing_mail_server_never_fails_the_decision(
    facilitator, world, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with django_capture_on_commit_callbacks(execute=True):
        response = review(facilitator, world.referral, action="decide", decision="refuser", refusal_reason="autre")
    assert response.status_code == 302
    world.referral.refresh_from_db()
    assert world.referral.status == ReferralStatus.REFUSEE


def test_refused_proofs_no_longer_count_in_the_preview(client, world):
    ProofFactory(participant=None, referral=world.referral, structure=world.structure, status=ProofStatus.REFUSE)
    world.referral.claimed_criteria.set(EligibilityCriterion.objects.filter(code="deld"))
    client.force_login(world.prescripteur.user)
    results = client.get(world.referral.get_absolute_url()).context["results"]
    assert [(r.code, r.met) for r in results] == [("deld", False)]


def test_acceptance_with_a_known_duplicate_needs_an_explicit_choice(facilitator, world):
    referral = world.referral
    ParticipantFactory(
        structure=world.structure,
        last_name=referral.last_name,
        first_name=referral.first_name,
        birth_date=referral.birth_date,
    )
    review(facilitator, world.referral, **ALL_CHECKS)
    response = review(facilitator, world.referral, action="decide", decision="accepter")
    assert "Rattachez la fiche au participant déjà connu, ou confirmez" in text(response)
    review(facilitator, world.referral, action="decide", decision="accepter", new_person="on")
    world.referral.refresh_from_db()
    assert world.referral.status == ReferralStatus.ACCEPTEE


def test_large_identifiers_are_never_printed_with_a_thousands_separator(client, world):
    """French number formatting must not reach form values: 12345 stays 12345, not « 12 345 »."""
    from tests.accounts.factories import OrganisationFactory

    big = OrganisationFactory(pk=12345)
    lone = MembershipFactory(prescripteur=True)
    lone.organisation.partner_structures.set([big])
    client.force_login(lone.user)
    page = client.get(reverse("participants:referral_create")).content.decode()
    assert 'name="structure" value="12345"' in page
