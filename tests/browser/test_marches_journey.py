"""A facilitator records a real market from its DCE: buyer, market, two lots (one calibrated), two companies."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.test_home_pages import log_in
from tests.marches.factories import CompanyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"


def shoot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def test_facilitator_records_and_calibrates_a_market_and_finds_it_in_the_list(page, live_server, world):
    CompanyFactory(structure=world.structure, name="Loire Peinture")
    CompanyFactory(structure=world.structure, name="Tremplin Bâtiment (EI)", kind="ei")
    log_in(page, live_server.url, world.facilitateur.user.email)
    nav = page.get_by_role("navigation", name="Navigation principale")

    # The buyer
    nav.get_by_role("button", name="Marchés").click()
    nav.get_by_role("link", name="Donneurs d'ordre").click()
    page.get_by_role("link", name="Nouveau donneur d'ordre").click()
    page.get_by_label("Nom").first.fill("Ville de Rezé")
    page.get_by_label("Type d'acheteur").select_option("commune")
    page.get_by_label("Commune").fill("Rezé")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ville de Rezé")

    # The market, from the buyer's page
    page.get_by_role("link", name="Nouveau marché").click()
    expect(page.get_by_label("Donneur d'ordre")).to_have_value(re.compile(r"\d+"))
    page.get_by_label("Référence").fill("2026-TRX-042")
    page.get_by_label("Objet du marché").fill("Réhabilitation de l'école Château")
    page.get_by_label("Nature").select_option("travaux")
    page.get_by_label("Secteur").select_option("batiment")
    page.get_by_label("Fondement juridique de la clause").select_option("L2112-2")
    page.get_by_label("Statut").select_option("execution")
    page.get_by_label("Date d'attribution", exact=True).fill("2026-03-02")
    page.get_by_label("Début d'exécution").fill("2026-04-01")
    page.get_by_label("Fin d'exécution prévue").fill("2027-03-31")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Réhabilitation de l'école Château")

    # Lot 1, calibrated: the trade's preset fills the labour share, the proposal fills the hours
    page.get_by_role("link", name="Ajouter un lot").first.click()
    expect(page).to_have_url(re.compile(r"/lots/nouveau/$"))
    page.wait_for_load_state()  # the page's script fills the presets: let it load before choosing a trade
    page.get_by_label("Intitulé").fill("Peinture et revêtements muraux")
    page.get_by_label("Corps d'état ou prestation").select_option("peinture")
    expect(page.get_by_label("Part de main-d'œuvre (%)")).to_have_value("70")
    page.get_by_label("Montant HT (€)").fill("1000000")
    page.get_by_role("button", name="Calculer la proposition").click()
    result = page.locator("#calibration-result")
    expect(result).to_contain_text("1\u202f167\u00a0h")
    expect(result).to_contain_text("0,73 ETP")
    shoot(page, "marches-calibrage-lot")
    result.get_by_role("button", name="Reprendre ces heures pour le lot").click()
    expect(page.get_by_label("Heures d'insertion exigées")).to_have_value("1167")
    page.get_by_role("button", name="Enregistrer le lot").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lot 1 — Peinture et revêtements muraux")

    # Awarded to two companies on the lot page
    page.get_by_role("combobox", name="Entreprise").select_option(label="Loire Peinture")
    page.get_by_label("Heures d'insertion à réaliser").fill("867")
    page.get_by_role("button", name="Enregistrer l'attribution").click()
    expect(page.get_by_role("status")).to_contain_text("Loire Peinture : 867 heures")
    page.get_by_role("combobox", name="Entreprise").select_option(label="Tremplin Bâtiment (EI)")
    page.get_by_label("Rôle").select_option("cotraitant")
    expect(page.get_by_label("Heures d'insertion à réaliser")).to_have_value("300")  # what is left to split
    page.get_by_role("button", name="Enregistrer l'attribution").click()
    expect(page.get_by_text("Heures réparties : 1\u202f167\u00a0h sur 1\u202f167\u00a0h")).to_be_visible()
    shoot(page, "marches-lot-attribue")

    # Lot 2, hours straight from the DCE
    page.get_by_role("link", name="2026-TRX-042 — Réhabilitation de l'école Château").click()
    page.get_by_role("link", name="Ajouter un lot").first.click()
    page.get_by_label("Intitulé").fill("Menuiseries extérieures")
    page.get_by_label("Corps d'état ou prestation").select_option("menuiserie")
    page.get_by_label("Heures d'insertion exigées").fill("400")
    page.get_by_role("button", name="Enregistrer le lot").click()
    page.get_by_role("link", name="2026-TRX-042", exact=True).click()
    expect(page.get_by_text("Lot 2 — Menuiseries extérieures")).to_be_visible()
    shoot(page, "marches-fiche-marche")

    # Found in the filtered list, with its progress
    nav.get_by_role("button", name="Marchés").click()
    nav.get_by_role("link", name="Marchés", exact=True).click()
    page.get_by_label("Statut").select_option("execution")
    page.get_by_label("Recherche").fill("Château")
    page.get_by_role("button", name="Filtrer").click()
    row = page.get_by_role("row", name=re.compile("2026-TRX-042"))
    expect(row).to_contain_text("0\u00a0h / 1\u202f567\u00a0h")
    expect(row.get_by_role("progressbar")).to_be_visible()
    expect(page.get_by_role("row")).to_have_count(2)  # the header and our market
    shoot(page, "marches-liste-filtree")
