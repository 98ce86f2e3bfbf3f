"""An incident raised and closed (R-INCIDENT): a facilitator signals suffering at work on a contract, sees the
urgent alert on the alerts list; the référent prescriber sees it about their person, read only; the facilitator
closes it with what was done and the alert is no longer open."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.test_home_pages import log_in
from tests.browser.test_referral_journey import log_out, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_incident_is_raised_seen_by_the_referent_and_closed(page, live_server, world):
    facilitator, prescriber = world.facilitateur.user, world.prescripteur.user
    person = world.contract.participant
    alerts_url = live_server.url + reverse("suivi:alert_list")

    # The facilitator signals suffering at work from the contract page
    log_in(page, live_server.url, facilitator.email)
    page.goto(live_server.url + world.contract.get_absolute_url())
    page.get_by_role("link", name="Signaler un incident").click()
    expect(page.get_by_label("Type de suivi")).to_have_value("incident")
    page.get_by_label("Nature de l'incident").select_option(label="souffrance au travail")
    page.get_by_label("Compte rendu").fill("Appel de la personne : remarques humiliantes répétées du chef d'équipe.")
    page.get_by_role("button", name="Signaler l'incident").click()
    expect(page.get_by_role("alert").filter(has_text="Alerte urgente")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Incident : souffrance au travail")

    # … and finds it at the top of the open alerts, marked urgent
    page.goto(alerts_url)
    row = page.locator("table tbody tr").first
    expect(row).to_contain_text(person.last_name.upper())
    expect(row).to_contain_text("urgente")
    expect(row).to_contain_text("ouverte")
    shoot(page, "incident-1-alerte-urgente")
    log_out(page, facilitator.first_name)

    # The référent sees the alert about their person, read only
    log_in(page, live_server.url, prescriber.email)
    page.goto(alerts_url)
    expect(page.locator("table tbody tr")).to_have_count(1)
    page.get_by_role("link", name=re.compile(person.last_name.upper())).click()
    expect(page.get_by_text("en lecture seule")).to_be_visible()
    expect(page.get_by_role("link", name="Clore l'alerte")).to_have_count(0)
    shoot(page, "incident-2-vue-du-referent")
    log_out(page, prescriber.first_name)

    # The facilitator closes it, saying what was done
    log_in(page, live_server.url, facilitator.email)
    page.goto(alerts_url)
    page.locator("table tbody tr").first.get_by_role("link", name="Clore").click()
    page.get_by_role("button", name="Clore l'alerte").click()  # nothing said: refused
    expect(page.get_by_text("une alerte ne se clôt pas sans action")).to_be_visible()
    page.get_by_label("Ce qui a été fait").fill(
        "Rencontre tripartite avec l'employeur le lendemain ; changement d'équipe ; référent informé."
    )
    page.get_by_role("button", name="Clore l'alerte").click()
    expect(page.get_by_text("L'alerte est close")).to_be_visible()
    expect(page.get_by_role("heading", name="Ce qui a été fait")).to_be_visible()
    shoot(page, "incident-3-alerte-close")

    # … and the alert is no longer open
    page.goto(alerts_url)
    expect(page.get_by_text("Aucune alerte ici")).to_be_visible()
    page.get_by_label("Alertes", exact=True).select_option(label="closes")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("table tbody tr").first).to_contain_text("close")
    shoot(page, "incident-4-alertes-closes")
