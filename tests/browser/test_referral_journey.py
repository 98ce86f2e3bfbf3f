"""A prescriber sends a candidate with a proof; the facilitator asks for a completion, then accepts; the new
participant turns out eligible for an attributed market — without a phone call."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_home_pages import log_in
from tests.participants.factories import MINIMAL_PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"


def shoot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def log_out(page, first_name):
    page.get_by_role("button", name=re.compile(f"Mon compte \\({first_name}\\)")).click()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile("/compte/connexion/"))


def test_prescriber_sends_facilitator_returns_then_accepts_and_finds_the_person_eligible(
    page, live_server, world, tmp_path
):
    proof_file = tmp_path / "attestation-france-travail.pdf"
    proof_file.write_bytes(MINIMAL_PDF)
    recent = (timezone.localdate() - timedelta(days=10)).isoformat()
    prescriber, facilitator = world.prescripteur.user, world.facilitateur.user

    # The prescriber writes the fiche, attaches the proof and sends it
    log_in(page, live_server.url, prescriber.email)
    page.get_by_role("link", name="Envoyer un candidat").first.click()
    page.locator("#id_last_name").fill("Traoré")
    page.get_by_label("Prénom").fill("Moussa")
    page.get_by_label("Date de naissance").fill("1988-09-12")
    page.get_by_label("Sexe").select_option("M")
    page.get_by_label("Inscrit à France Travail depuis le").fill("2024-06-01")
    page.get_by_label("Demandeur d'emploi de longue durée (12 mois et plus)").check()
    page.get_by_label("Métier visé").select_option("gros_oeuvre")
    page.get_by_label("Parcours et motivation").fill("Maçon en Côte d'Ivoire, cherche à reprendre sur chantier.")
    page.get_by_label(re.compile("candidat a été informé et consent")).check()
    page.get_by_label("Date du consentement").fill(recent)
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fiche navette de Moussa TRAORÉ")
    page.get_by_role("link", name="Ajouter").click()
    page.get_by_label("Type de document").select_option("france_travail")
    page.get_by_label("Date d'émission").fill(recent)
    page.get_by_label("Fichier").set_input_files(proof_file)
    page.get_by_role("button", name="Envoyer le justificatif").click()
    expect(page.get_by_role("status")).to_contain_text("Justificatif ajouté")
    page.get_by_role("button", name="Envoyer la fiche").click()
    expect(page.locator(".status-badge").first).to_have_text("envoyée")
    shoot(page, "fiche-navette-envoyee")
    log_out(page, prescriber.first_name)

    # The facilitator asks for a completion
    log_in(page, live_server.url, facilitator.email)
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Fiches navettes").click()
    page.get_by_role("link", name="TRAORÉ Moussa").click()
    page.get_by_role("link", name="Vérifier et décider").click()
    page.get_by_label("renvoyer au prescripteur pour compléter").check()
    page.get_by_label("Message au prescripteur").fill("Merci d'indiquer un numéro de téléphone pour l'entretien.")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_role("status")).to_contain_text("renvoyée au prescripteur")
    log_out(page, facilitator.first_name)

    # The prescriber reads the message, completes and sends again
    log_in(page, live_server.url, prescriber.email)
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Fiches navettes").click()
    page.get_by_role("link", name="TRAORÉ Moussa").click()
    expect(page.get_by_text("Merci d'indiquer un numéro de téléphone")).to_be_visible()
    page.get_by_role("link", name="Modifier").click()
    page.get_by_label("Téléphone").fill("06 71 22 33 44")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.get_by_role("button", name="Renvoyer la fiche complétée").click()
    expect(page.locator(".status-badge").first).to_have_text("envoyée")
    log_out(page, prescriber.first_name)

    # The facilitator checks the proof and the parcours, then accepts
    log_in(page, live_server.url, facilitator.email)
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Fiches navettes").click()
    page.get_by_role("link", name="TRAORÉ Moussa").click()
    page.get_by_role("link", name="Vérifier et décider").click()
    page.get_by_role("button", name="Conforme : attestation d'inscription France Travail", exact=True).click()
    expect(page.get_by_text("vérifié", exact=True)).to_be_visible()
    for check in ("parcours vérifié", "motivation vérifiée", "éligibilité vérifiée sur pièces", "adéquation avec"):
        page.get_by_label(re.compile(check, re.IGNORECASE)).check()
    page.get_by_role("button", name="Enregistrer les vérifications").click()
    page.get_by_label("accepter le candidat").check()
    shoot(page, "fiche-navette-verification")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moussa TRAORÉ")

    # … and finds the new participant eligible for the attributed market
    page.get_by_role("link", name="Évaluer l'éligibilité").first.click()
    page.get_by_label("Marché").select_option(label=f"{world.market.reference} — {world.market.title} (attribué)")
    page.get_by_role("button", name="Évaluer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Éligibilité de Moussa Traoré")
    expect(page.locator(".status-badge").first).to_have_text(re.compile("^\\s*éligible"))
    expect(page.get_by_role("row", name=re.compile("Demandeur d'emploi de longue durée"))).to_contain_text("rempli")
    shoot(page, "diagnostic-eligibilite")
