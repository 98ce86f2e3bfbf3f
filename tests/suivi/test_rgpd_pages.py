"""RGPD pages: the subject access export (JSON, PDF read back), the consultations log (who, what, once per window,
administrators only, pruned), consent withdrawal then anonymisation at once, and the anonymised record's page."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants import services as participant_services
from participants.enums import ReferralStatus, ViewKind
from participants.models import Participant, ParticipantViewLog, Proof, Referral
from suivi import retention
from suivi.models import PositioningEvent
from suivi.services import handoffs
from tests.comites.factories import CommitteeDecisionFactory
from tests.html import text
from tests.participants.factories import ParticipantFactory, ProofFactory, ReferralFactory, give_distinctive_names
from tests.pdf import pdf_text
from tests.suivi.factories import PositioningFactory, hours
from tests.suivi.factories_followup import FollowUpEventFactory, HandoffFactory

pytestmark = pytest.mark.django_db


def export(client, person, fmt):
    return client.get(reverse("suivi:participant_export", args=[person.public_id, fmt]))


def grow(world, n, start=0):
    """n more of everything the export lists, for our participant (`start`: how many were grown before)."""
    assignment = world.contract.assignments.get()
    for i in range(start, start + n):
        ProofFactory(participant=world.participant)
        FollowUpEventFactory(contract=world.contract, date=datetime.date(2026, 3, 1 + i))
        HandoffFactory(contract=world.contract, entry=True)
        hours(assignment, datetime.date(2026, 2 + i, 1), "35")
        referral = ReferralFactory(structure=world.structure, prescriber_organisation=world.prescriber_org,
                                   participant=world.participant, status=ReferralStatus.ACCEPTEE)  # fmt: skip
        ProofFactory(participant=None, referral=referral, structure=world.structure, kind="cv")
        positioning = PositioningFactory(offer=world.offer, participant=None, referral=referral, message=f"m {i}")
        PositioningEvent.objects.create(positioning=positioning, to_status="propose", message=f"étape {i}")
        CommitteeDecisionFactory(meeting__structure=world.structure, participant=world.participant)
        world.participant.notes = f"note {i}"
        world.participant.save()
        earlier = timezone.now() - datetime.timedelta(hours=i + 1)
        participant_services.view_log(
            participant_id=world.participant.pk, user=world.prescripteur.user, what=ViewKind.PARCOURS, now=earlier
        )


def fresh_window(world):
    """The viewer's last views moved out of the window: each measured request writes its log row."""
    old = timezone.now() - datetime.timedelta(days=1)
    ParticipantViewLog.objects.exclude(user=world.prescripteur.user).update(viewed_at=old)


def test_the_export_holds_everything_the_structure_has_in_json(client, world):
    give_distinctive_names(world.participant)
    world.participant.notes = "Préfère être appelée le matin."
    world.participant.save()
    FollowUpEventFactory(contract=world.contract)
    hours(world.contract.assignments.get(), datetime.date(2026, 3, 1), "120")
    client.force_login(world.facilitateur.user)
    response = export(client, world.participant, "json")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    sections = data["sections"]
    (identity,) = sections["Identité et situation"]
    assert identity["nom"] == "Quarterolle" and identity["date de naissance"] == "12/04/1985"
    assert identity["notes du facilitateur"] == "Préfère être appelée le matin."
    assert sections["Justificatifs (liste, sans leur contenu)"][0]["fichier"] == "attestation.pdf"
    assert sections["Heures par mois"] == [
        {"contrat": str(world.contract.public_id)[:8], "mois": "03/2026", "nature": "heures travaillées",
         "heures": "120,00"}
    ]  # fmt: skip
    assert sections["Contrats de travail"][0]["poste"] == world.contract.job_title
    assert sections["Suivi dans l'emploi"][0]["compte rendu"].startswith("Visite avec le chef de chantier")
    assert sections["Consentements"][0]["donné le"] == "05/01/2026"
    assert [row["action"] for row in sections["Historique des modifications"]] == [
        "création",
        "modification",
        "modification",
    ]
    assert "nom" in sections["Historique des modifications"][1]["champs modifiés"]
    # The export itself is in the log, which it lists.
    assert ParticipantViewLog.objects.get(participant=world.participant, what=ViewKind.EXPORT_JSON)
    assert sections["Consultations du dossier"][0]["consultation"] == "export des données (JSON)"


def test_the_export_holds_the_fiches_as_sent_their_proofs_positionings_decisions_and_history(client, world):
    person, referral = world.participant, world.referral
    referral.review_note = "Appel du 3 : très motivée, permis B."
    referral.save()
    Referral.objects.filter(pk=referral.pk).update(participant=person, status=ReferralStatus.ACCEPTEE)
    positioning = PositioningFactory(offer=world.offer, participant=None, referral=referral,
                                     message="Expérience du gros œuvre.")  # fmt: skip
    PositioningEvent.objects.create(positioning=positioning, to_status="presente", message="Entretien le 12.")
    CommitteeDecisionFactory(meeting__structure=world.structure, participant=person, text="Lui proposer le CACES.")
    handoff = HandoffFactory(contract=world.contract, to_send=True)
    handoffs.handoff_cancel(handoff=handoff, by=world.facilitateur.user, reason="envoyé par erreur")
    client.force_login(world.facilitateur.user)
    sections = json.loads(export(client, person, "json").content)["sections"]

    (fiche,) = sections["Fiches navettes"]
    assert fiche["nom"] == referral.last_name and fiche["date de naissance"] == f"{referral.birth_date:%d/%m/%Y}"
    assert fiche["notes de vérification"] == "Appel du 3 : très motivée, permis B."
    assert {"motif du refus", "parcours et motivation", "minimum social", "consentement donné le"} <= set(fiche)
    cv = [row for row in sections["Justificatifs (liste, sans leur contenu)"] if row["joint à la fiche navette"]]
    assert [row["type"] for row in cv] == [world.referral_proof.get_kind_display()]
    by_fiche = [row for row in sections["Positionnements"] if row["par la fiche navette"]]
    assert (
        by_fiche[0]["pourquoi ce candidat"] == "Expérience du gros œuvre."
        and "Entretien le 12." in by_fiche[0]["étapes"]
    )
    assert sections["Décisions et actions des comités"][0]["libellé"] == "Lui proposer le CACES."
    related = sections["Historique des éléments liés (fiches, contrats, suivi…)"]
    elements = {row["élément"] for row in related}
    assert {"fiche navette", "positionnement", "contrat de travail", "décision ou action de comité"} <= elements
    assert "annulé : envoyé par erreur" in {row["motif"] for row in related}
    changed = [row for row in related if row["élément"] == "fiche navette" and row["action"] == "modification"]
    assert "notes de vérification" in changed[0]["champs modifiés"]


def test_the_pdf_export_reads_back_in_french(client, world):
    give_distinctive_names(world.participant)
    client.force_login(world.admin.user)
    response = export(client, world.participant, "pdf")
    assert response["Content-Type"] == "application/pdf"
    content = pdf_text(response.content)
    assert "Vos données personnelles" in content and "article 15 du RGPD" in content
    assert "Quarterolle" in content and "Justificatifs (liste, sans leur contenu)" in content
    assert "Consultations du dossier" in content


def test_the_export_does_not_query_per_row(client, world):
    client.force_login(world.facilitateur.user)
    url = reverse("suivi:participant_export", args=[world.participant.public_id, "json"])
    grow(world, 1)
    fresh_window(world)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    grow(world, 4, start=1)
    fresh_window(world)
    with CaptureQueriesContext(connection) as more:
        assert client.get(url).status_code == 200
    assert len(more) == len(few)


def test_a_view_is_logged_once_per_window_and_kind(client, world, settings):
    person = world.participant
    client.force_login(world.facilitateur.user)
    for _ in range(3):
        client.get(person.get_absolute_url())
    client.get(reverse("suivi:participant_timeline", args=[person.public_id]))
    logs = ParticipantViewLog.objects.filter(participant=person, user=world.facilitateur.user)
    assert sorted(logs.values_list("what", flat=True)) == [ViewKind.FICHE, ViewKind.PARCOURS]
    later = timezone.now() + datetime.timedelta(minutes=settings.VIEW_LOG_WINDOW_MINUTES + 1)
    assert participant_services.view_log(participant_id=person.pk, user=world.facilitateur.user, now=later)
    assert logs.count() == 3


def test_only_administrators_see_the_consultations(client, world):
    client.force_login(world.prescripteur.user)
    client.get(world.participant.get_absolute_url())
    client.force_login(world.facilitateur.user)
    page = text(client.get(world.participant.get_absolute_url()))
    assert "Consultations du dossier" not in page and "Exporter ses données (PDF)" in page
    client.force_login(world.admin.user)
    page = text(client.get(world.participant.get_absolute_url()))
    assert "Consultations du dossier" in page and "3 consultations enregistrées" in page
    listing = text(client.get(reverse("participants:participant_views", args=[world.participant.public_id])))
    assert world.prescripteur.user.full_name in listing and "fiche de la personne" in listing
    journal = reverse("participants:view_log_list")
    filtered = text(client.get(journal, {"user": world.prescripteur.user.public_id}))
    assert "1 consultation" in filtered and world.facilitateur.user.full_name not in filtered


def test_the_consultations_pages_do_not_query_per_row(client, world):
    client.force_login(world.admin.user)
    urls = [reverse("participants:participant_views", args=[world.participant.public_id]),
            reverse("participants:view_log_list")]  # fmt: skip
    grow(world, 1)
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    grow(world, 5, start=1)
    for url, few in zip(urls, counts, strict=True):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) == few


def test_the_log_is_pruned_after_its_retention(world, settings):
    settings.VIEW_LOG_RETENTION_MONTHS = 12
    old = ParticipantViewLog.objects.create(participant=world.participant, user=world.admin.user)
    ParticipantViewLog.objects.filter(pk=old.pk).update(viewed_at=timezone.now() - datetime.timedelta(days=370))
    recent = ParticipantViewLog.objects.create(participant=world.participant, user=world.admin.user)
    assert participant_services.view_logs_prune() == 1
    assert list(ParticipantViewLog.objects.values_list("pk", flat=True)) == [recent.pk]


def test_consent_withdrawn_then_anonymised_at_once_when_nothing_requires_the_record(client, world):
    person = ParticipantFactory(structure=world.structure)
    proof = ProofFactory(participant=person, kind="cv")
    consent = person.consents.get()
    client.force_login(world.facilitateur.user)
    client.post(reverse("participants:consent_withdraw", args=[consent.public_id]),
                {"withdrawn_on": timezone.localdate().isoformat(), "note": "Appel du 3."})  # fmt: skip
    page = text(client.get(person.get_absolute_url()))
    assert "Aucun consentement en cours" in page and "demandez-le à l'administrateur" in page
    anonymise = reverse("suivi:participant_anonymise", args=[person.public_id])
    assert client.get(anonymise).status_code == 403  # the administrator's decision

    client.force_login(world.admin.user)
    unconfirmed = client.post(anonymise, {}, follow=True)
    assert "Cochez la case" in text(unconfirmed)
    assert Participant.objects.get(pk=person.pk).anonymised_at is None
    with django_capture_on_commit():
        client.post(anonymise, {"confirm": "oui"})
    person.refresh_from_db()
    assert person.is_anonymised and not Proof.objects.filter(pk=proof.pk).exists()
    page = text(client.get(person.get_absolute_url()))
    assert "Personne anonymisée" in page and person.public_id.hex[:8] in page.replace("-", "")
    assert client.get(reverse("participants:participant_update", args=[person.public_id])).status_code == 404


def test_a_person_who_still_consents_is_not_anonymised_at_once(client, world):
    """Offered after a consent withdrawal only: an administrator cannot erase the proofs of someone who consents."""
    person = ParticipantFactory(structure=world.structure)  # no contract, a consent in course
    proof = ProofFactory(participant=person)
    client.force_login(world.admin.user)
    url = reverse("suivi:participant_anonymise", args=[person.public_id])
    assert "consent encore au suivi" in text(client.get(url))
    client.post(url, {"confirm": "oui"})
    assert Participant.objects.get(pk=person.pk).anonymised_at is None and Proof.objects.filter(pk=proof.pk).exists()


def test_a_person_who_had_a_contract_is_kept_until_the_end_of_retention(client, world):
    world.participant.consents.update(withdrawn_on=timezone.localdate())
    client.force_login(world.admin.user)
    page = text(client.get(reverse("suivi:participant_anonymise", args=[world.participant.public_id])))
    assert "a eu un contrat dans une clause" in page
    client.post(reverse("suivi:participant_anonymise", args=[world.participant.public_id]), {"confirm": "oui"})
    assert Participant.objects.get(pk=world.participant.pk).anonymised_at is None
    assert retention.can_anonymise_now(world.participant)[0] is False


def django_capture_on_commit():
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)
