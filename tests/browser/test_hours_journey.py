"""A facilitator enters a month of statements in the market's grid with the keyboard alone, is warned live of an
impossible value, saves the month in one go and sees the market's progress bar move (R-HRS-3, R-HRS-4)."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_home_pages import log_in
from tests.browser.test_referral_journey import shoot
from tests.conftest import diagnosis_for
from tests.participants.factories import ParticipantFactory
from tests.suivi.factories import WorkContractFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_facilitator_enters_a_month_in_the_grid_and_sees_the_progress_move(page, live_server, world):
    market = world.market  # 833 h required on its one lot, attributed on 1 December 2025
    people = [world.contract, world.sibling_contract]  # CDDs from 2 February to 31 July 2026
    diagnosis_for(world.sibling_participant, market)  # eligible too: every hour entered counts
    for last_name in ("Bernard", "Diallo", "Morel"):
        participant = ParticipantFactory(structure=world.structure, last_name=last_name, first_name="Alex")
        diagnosis_for(participant, market)
        people.append(WorkContractFactory(award=world.award, participant=participant))
    ended = WorkContractFactory(
        award=world.award, start_date=datetime.date(2026, 2, 2), planned_end_date=datetime.date(2026, 3, 31)
    )

    log_in(page, live_server.url, world.facilitateur.user.email)
    page.goto(live_server.url + market.get_absolute_url())
    expect(page.locator(".progress-block").first).to_contain_text(re.compile(r"\b0\sh sur 833\sh"))

    # From the market's page to its grid, then to May 2026
    page.get_by_role("link", name="Saisir les heures du mois").click()
    page.get_by_label("Mois", exact=True).fill("2026-05")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Heures de mai 2026")
    rows = page.locator("table.hours-grid tbody tr")
    expect(rows).to_have_count(len(people))  # the running contracts; the one ended in March is not there
    expect(page.get_by_text(ended.participant.last_name.upper())).to_have_count(0)

    # Keyboard only: type, Enter goes down the same column
    first = page.get_by_label(re.compile("Heures travaillées de .* en mai 2026")).first
    first.focus()
    page.keyboard.type("151,67")
    page.keyboard.press("Enter")
    page.keyboard.type("400")  # impossible: more than 48 h a week
    expect(page.locator("#grid-status")).to_contain_text("1 case à corriger")
    expect(page.get_by_text(re.compile("dépassent la durée maximale du travail"))).to_be_visible()
    page.keyboard.press("Control+a")
    page.keyboard.type("140")
    page.keyboard.press("Enter")
    page.keyboard.type("120,5")
    page.keyboard.press("Enter")
    page.keyboard.type("98")
    expect(page.locator("#total-travail")).to_have_text(re.compile(r"510,17\sh"))
    expect(page.locator("#grid-status")).to_contain_text("Saisie vérifiée")
    shoot(page, "grille-heures-saisie")
    page.keyboard.press("Control+Enter")

    expect(page.get_by_role("status").first).to_contain_text("Enregistré : 4 cases remplies")
    expect(page.locator(".progress-block").first).to_contain_text(re.compile(r"510,17\sh sur 833\sh"))
    shoot(page, "grille-heures-enregistree")

    # The market's page shows the obligation moving, and the panel the hours per contract
    page.goto(live_server.url + market.get_absolute_url())
    expect(page.locator(".progress-block").first).to_contain_text(re.compile(r"510,17\sh sur 833\sh"))
    expect(page.get_by_role("heading", name="Contrats et heures")).to_be_visible()
    expect(page.locator("#contrats-et-heures")).to_contain_text(re.compile(r"510,17\sh comptées"))
