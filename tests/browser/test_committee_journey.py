"""A facilitator prepares a follow-up committee from the data, holds it, records an action and downloads the
minutes; then a committee member invited to it finds it (R-COMMITTEE). A non-attendee gets 404: see
tests/comites/access_cases.py."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from comites.models import person_code, person_label
from suivi.enums import FollowUpKind, IncidentType, Severity
from suivi.models import FollowUpEvent
from tests.browser.test_home_pages import log_in
from tests.browser.test_referral_journey import log_out, shoot
from tests.participants.factories import give_distinctive_names
from tests.pdf import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_committee_meeting_prepared_held_and_minutes_downloaded(page, live_server, world, tmp_path):
    today = timezone.localdate()
    person = world.participant
    give_distinctive_names(person)  # a random name could be a facilitator's too
    FollowUpEvent.objects.create(
        contract=world.contract, kind=FollowUpKind.INCIDENT, date=today, incident_type=IncidentType.SOUFFRANCE,
        severity=Severity.URGENTE, note="La personne dit être mise à l'écart par l'équipe.",
    )  # fmt: skip
    facilitator, member = world.facilitateur.user, world.comite.user

    # The facilitator plans the meeting and invites the committee member, the Mission Locale and the employer.
    log_in(page, live_server.url, facilitator.email)
    page.get_by_role("link", name="Comités").click()
    expect(page.get_by_text("Aucune réunion de comité")).to_be_visible()
    page.get_by_role("link", name="Nouvelle réunion").first.click()
    page.get_by_label("Type de comité").select_option(label="comité technique / de suivi")
    page.get_by_label("Intitulé").fill("Comité de suivi de novembre")
    page.get_by_label("Date").fill(today.isoformat())
    page.get_by_label("Heure").fill("14:30")
    page.get_by_label("Lieu").fill("Salle du conseil")
    page.get_by_label("Personnes invitées").select_option(label=[f"{member.full_name} ({member.email})"])
    page.get_by_label("Organisations invitées").select_option(label=[world.prescriber_org.name])
    page.get_by_label("Entreprises invitées").select_option(label=[world.company.name])
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comité de suivi de novembre")
    expect(page.locator("#titre-invites").locator("..")).to_contain_text(member.full_name)

    # The agenda comes from the data: the open alert shows the person by initials and identifier only.
    page.get_by_role("button", name="Préparer l'ordre du jour").click()
    agenda = page.locator("section[aria-labelledby=titre-odj]")
    expect(agenda).to_contain_text("souffrance au travail")
    expect(agenda).to_contain_text(person_code(person))
    expect(agenda).not_to_contain_text(person.last_name)
    shoot(page, "comite-ordre-du-jour")

    # Held, with confirmation.
    page.get_by_role("link", name="Noter comme tenue").click()
    page.get_by_role("button", name="Oui, la réunion a été tenue").click()
    expect(page.locator(".status-badge", has_text="tenue")).to_be_visible()

    # An action with an owner and a due date, about the person discussed.
    due = today + datetime.timedelta(days=15)
    form = page.locator("form[aria-labelledby=titre-ajout]")
    form.get_by_label("Nature").select_option(label="action")
    form.get_by_label("Libellé").fill("Rencontrer la personne avec son référent et le tuteur")
    form.get_by_label("Responsable", exact=True).select_option(label=facilitator.full_name)
    form.get_by_label("Échéance").fill(due.isoformat())
    form.get_by_label("Personne concernée").select_option(label=person_label(person))
    form.get_by_role("button", name="Enregistrer").click()
    actions = page.locator("#decisions")
    expect(actions).to_contain_text("Rencontrer la personne avec son référent et le tuteur")
    expect(actions).to_contain_text(due.strftime("%d/%m/%Y"))
    shoot(page, "comite-tenu-actions")

    # The minutes, downloaded and read back.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Compte rendu (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("compte-rendu")
    target = tmp_path / "compte-rendu.pdf"
    download.save_as(target)
    text = " ".join(pdf_text(target.read_bytes()).split())
    assert "Compte rendu — Comité de suivi de novembre" in text
    assert "Rencontrer la personne" in text  # a table cell: pdftotext wraps the rest with the next columns
    assert "souffrance au travail" in text
    assert person_code(person) in text and person.last_name not in text
    log_out(page, facilitator.first_name)

    # The committee member invited finds the meeting.
    log_in(page, live_server.url, member.email)
    page.get_by_role("link", name="Comités").click()
    page.get_by_role("link", name="Comité de suivi de novembre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comité de suivi de novembre")
    expect(page.locator("#decisions")).to_contain_text(re.compile("Rencontrer la personne"))
    expect(page.locator("main")).not_to_contain_text(person.last_name)
    expect(page.get_by_role("button", name="Préparer l'ordre du jour")).to_have_count(0)
    shoot(page, "comite-vu-par-un-membre")
