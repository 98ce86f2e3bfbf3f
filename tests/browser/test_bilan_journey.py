"""An administrator asks for a buyer's bilan, follows it while it is made and downloads the PDF, ready to send
(R-BILAN)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_home_pages import log_in
from tests.browser.test_referral_journey import shoot
from tests.pdf import pdf_text
from tests.reporting.test_bilans import scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_buyers_bilan_asked_for_followed_and_downloaded(page, live_server, world, tmp_path):
    scenario(world)
    log_in(page, live_server.url, world.admin.user.email)
    page.get_by_role("button", name="Bilans").click()
    page.get_by_role("link", name="Bilans des donneurs d'ordre").click()
    expect(page.get_by_text("Aucun bilan pour l'instant")).to_be_visible()
    page.get_by_label("bilan d'un donneur d'ordre").check()
    page.get_by_label("Donneur d'ordre", exact=True).select_option(label=world.buyer.name)
    page.locator("#id_start").fill("2026-01-01")
    page.locator("#id_end").fill("2026-10-31")
    shoot(page, "bilan-1-demande")
    page.get_by_role("button", name="Préparer le bilan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Bilan de {world.buyer.name} du 01/01/2026 au 31/10/2026"
    )
    # The page follows the job until it is done, then offers the PDF.
    download_link = page.get_by_role("link", name="Télécharger le bilan (PDF)")
    expect(download_link).to_be_visible(timeout=30_000)
    expect(page.locator("#etat-bilan")).to_contain_text("terminé")
    shoot(page, "bilan-2-pret")
    with page.expect_download() as info:
        download_link.click()
    path = tmp_path / "bilan.pdf"
    info.value.save_as(path)
    assert re.match(r"bilan-.*\.pdf", info.value.suggested_filename)
    text = " ".join(pdf_text(path.read_bytes()).split())
    assert "411,67 h" in text and world.buyer.name in text
    assert world.participant.last_name not in text
    # The list keeps it for later.
    page.get_by_role("link", name="Tous les bilans").click()
    expect(page.get_by_role("link", name="Télécharger")).to_be_visible()
