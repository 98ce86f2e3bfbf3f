"""Real pages in Debian's Chromium: each role logs in and lands on its home; an admin brings in a colleague."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from clauses.accounts.enums import Role
from tests.accounts.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"

HOME_MARKERS = {
    Role.FACILITATEUR: "Partenaires",
    Role.ADMIN: "Invitations en attente",
    Role.PRESCRIPTEUR: "Vos interlocuteurs clauses sociales",
    Role.COMITE: "Aucune réunion programmée",
    Role.RESEAU: "Réseau national",
}


def log_in(page, base_url, email, password=DEFAULT_PASSWORD):
    page.goto(base_url + "/")
    expect(page).to_have_url(re.compile(r"/compte/connexion/\?next=/$"))
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


@pytest.mark.parametrize("role", list(HOME_MARKERS))
def test_each_role_logs_in_and_finds_its_home(page, live_server, world, role):
    membership = world.membership(role)
    log_in(page, live_server.url, membership.user.email)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bonjour {membership.user.first_name}")
    chip = page.locator(".context-chip")
    expect(chip).to_contain_text(membership.organisation.name)
    expect(chip).to_contain_text(membership.get_role_display())
    expect(page.get_by_text(HOME_MARKERS[role]).first).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"accueil-{role}.png", full_page=True)


def test_keyboard_user_skips_to_the_content(page, live_server, world):
    log_in(page, live_server.url, world.facilitateur.user.email)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#contenu")).to_be_focused()


def test_admin_invites_a_colleague_who_chooses_a_password_and_logs_in(page, live_server, world, mailoutbox):
    log_in(page, live_server.url, world.admin.user.email)
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Organisations").click()
    page.get_by_role("link", name=world.structure.name).click()
    page.get_by_role("link", name="Inviter une personne").click()
    page.get_by_label("Adresse e-mail professionnelle").fill("sophie.legall@exemple.test")
    page.get_by_label("Prénom").fill("Sophie")
    page.get_by_label("Nom", exact=False).last.fill("Le Gall")
    page.get_by_role("radio", name=re.compile(r"^facilitateur —")).check()
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation envoyée à sophie.legall@exemple.test")
    expect(page.get_by_role("row", name=re.compile("Sophie Le Gall"))).to_contain_text("Invitation envoyée")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "equipe-apres-invitation.png", full_page=True)

    page.get_by_role("button", name=f"Mon compte ({world.admin.user.first_name})").click()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile("/compte/connexion/"))

    assert len(mailoutbox) == 1
    path = re.search(r"https?://[^/\s]+(/compte/mot-de-passe/nouveau/\S+/)", mailoutbox[0].body).group(1)
    page.goto(live_server.url + path)
    page.get_by_label("Nouveau mot de passe").first.fill("un-mot-de-passe-solide")
    page.get_by_label("Confirmation du nouveau mot de passe").fill("un-mot-de-passe-solide")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    page.get_by_role("link", name="Se connecter").click()
    page.get_by_label("Adresse e-mail").fill("sophie.legall@exemple.test")
    page.get_by_label("Mot de passe").fill("un-mot-de-passe-solide")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Sophie")
    expect(page.locator(".context-chip")).to_contain_text(world.structure.name)
