"""Follow-up in employment: events on a contract, incidents and their alerts (R-INCIDENT), contracts followed by
the employer structure (R-RESERVED); services, pages, e-mails and query counts."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.timezone import localdate as today  # read at each use: a run may cross midnight

from marches.enums import CompanyKind, LegalBasis
from suivi.enums import FollowUpKind, IncidentType, Severity
from suivi.models import FollowUpEvent, WorkContract
from suivi.services import followup
from tests.html import text
from tests.marches.factories import AwardFactory, CompanyFactory
from tests.participants.factories import ParticipantFactory, give_distinctive_names
from tests.suivi.factories import WorkContractFactory
from tests.suivi.factories_followup import FollowUpEventFactory

pytestmark = pytest.mark.django_db


def record(world, contract=None, **kwargs):
    values = {"kind": FollowUpKind.VISITE, "date": date(2026, 3, 10), "note": "Visite du chantier."} | kwargs
    return followup.event_record(contract=contract or world.contract, by=world.facilitateur.user, **values)


def incident(world, contract=None, **kwargs):
    values = {
        "kind": FollowUpKind.INCIDENT,
        "incident_type": IncidentType.CONFLIT,
        "severity": Severity.MOYENNE,
        "note": "Conflit sur les horaires.",
    } | kwargs
    return record(world, contract, **values)


def reserved_contract(world):
    """A contract on a market reserved to SIAE (L2113-13)."""
    award = AwardFactory(lot__market__structure=world.structure, lot__market__legal_basis=LegalBasis.L2113_13)
    return WorkContractFactory(award=award, participant=world.participant)


def ei_contract(world):
    company = CompanyFactory(structure=world.structure, kind=CompanyKind.EI)
    return WorkContractFactory(award=AwardFactory(lot__market__structure=world.structure, company=company))


# --- Events and R-INCIDENT ------------------------------------------------------------------------------------


def test_a_follow_up_is_recorded_with_who_and_when(world):
    event = record(world, note="  Bonne intégration.  ")
    assert (event.kind, event.note, event.created_by) == (
        FollowUpKind.VISITE,
        "Bonne intégration.",
        world.facilitateur.user,
    )
    assert not event.is_open_alert and event.incident_type == event.severity == ""


def test_r_incident_suffering_at_work_is_always_urgent(world):
    event = incident(world, incident_type=IncidentType.SOUFFRANCE, severity=Severity.FAIBLE)
    assert event.severity == Severity.URGENTE and event.is_open_alert
    assert FollowUpEvent.objects.open_alerts().get() == event


def test_r_incident_an_incident_needs_its_nature_and_severity(world):
    with pytest.raises(ValidationError) as error:
        incident(world, incident_type="", severity="")
    assert error.value.message_dict["incident_type"] == ["Indiquez la nature de l'incident."]
    assert error.value.message_dict["severity"] == ["Indiquez la gravité de l'incident."]
    assert not FollowUpEvent.objects.exists()


def test_a_follow_up_is_dated_within_the_contract_and_not_in_the_future(world):
    with pytest.raises(ValidationError) as error:
        record(world, date=today() + timedelta(days=1), note="")
    assert "dans le futur" in error.value.message_dict["date"][0]
    assert "compte rendu" in error.value.message_dict["note"][0]
    with pytest.raises(ValidationError, match="02/02/2026"):
        record(world, date=date(2026, 1, 30))
    assert not FollowUpEvent.objects.exists()


def test_r_incident_the_alert_stays_open_until_a_facilitator_says_what_was_done(world):
    alert = incident(world)
    with pytest.raises(ValidationError) as error:
        followup.alert_close(event=alert, by=world.facilitateur.user, action_taken="   ")
    assert "ce qui a été fait" in error.value.message_dict["action_taken"][0]
    for outsider in (world.prescripteur, world.comite, world.other_admin):
        with pytest.raises(ValidationError, match="Seul un facilitateur de la structure"):
            followup.alert_close(event=alert, by=outsider.user, action_taken="Rien.")
    assert FollowUpEvent.objects.open_alerts().get() == alert
    closed = followup.alert_close(event=alert, by=world.facilitateur.user, action_taken="Médiation avec le chef.")
    assert (closed.closed_by, closed.action_taken) == (world.facilitateur.user, "Médiation avec le chef.")
    assert not FollowUpEvent.objects.open_alerts().exists()


def test_r_incident_closing_twice_is_refused_and_keeps_the_first_closure(world):
    alert = incident(world)
    followup.alert_close(event=alert, by=world.facilitateur.user, action_taken="Médiation.")
    with pytest.raises(ValidationError) as error:
        followup.alert_close(event=alert, by=world.admin.user, action_taken="Autre chose.")
    assert error.value.messages[0].startswith("Cette alerte est déjà close, le ")
    alert.refresh_from_db()
    assert (alert.action_taken, alert.closed_by) == ("Médiation.", world.facilitateur.user)


def test_r_incident_only_an_incident_has_an_alert(world):
    with pytest.raises(ValidationError, match="Seul un incident"):
        followup.alert_close(event=record(world), by=world.facilitateur.user, action_taken="Rien.")


# --- R-RESERVED -----------------------------------------------------------------------------------------------


def test_r_reserved_a_reserved_market_or_an_ei_ea_employer_means_the_employer_follows(
    world, django_assert_num_queries
):
    reserved, ei = reserved_contract(world), ei_contract(world)
    with django_assert_num_queries(1):  # one query, however many contracts: the annotation, no per-row queries
        flags = {c.pk: c.is_followed_by_employer for c in WorkContract.objects.with_employer_follow_up()}
    assert flags[reserved.pk] and flags[ei.pk]
    assert not flags[world.contract.pk] and not flags[world.sibling_contract.pk]
    assert reserved.is_followed_by_employer and not world.contract.is_followed_by_employer  # without the annotation


def test_r_reserved_planned_follow_up_is_refused_but_incidents_are_recorded(world):
    contract = reserved_contract(world)
    for kind in (FollowUpKind.VISITE, FollowUpKind.TELEPHONE, FollowUpKind.REUNION):
        with pytest.raises(ValidationError) as error:
            record(world, contract, kind=kind)
        assert error.value.message_dict["kind"] == [followup.RESERVED_MESSAGE]
    assert incident(world, contract).is_open_alert
    assert FollowUpEvent.objects.filter(contract=contract).count() == 1


# --- E-mails --------------------------------------------------------------------------------------------------


def test_r_incident_an_urgent_alert_emails_the_facilitators_and_the_referent_at_once(
    client, world, django_capture_on_commit_callbacks
):
    give_distinctive_names(world.contract.participant)
    client.force_login(world.facilitateur.user)
    url = reverse("suivi:event_create", args=[world.contract.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "kind": "incident",
                "date": "2026-03-10",
                "incident_type": "souffrance",
                "note": "Pleurs sur le chantier.",
            },
        )
    event = FollowUpEvent.objects.get()
    assert response.status_code == 302 and response.url == event.get_absolute_url()
    (message,) = mail.outbox
    expected = {world.facilitateur.user.email, world.admin.user.email, world.prescripteur.user.email}
    assert set(message.to) == expected
    assert world.sibling_prescripteur.user.email not in message.to
    assert "Alerte urgente" in message.subject
    person = world.contract.participant
    for private in ("souffrance", "Pleurs", person.first_name, person.last_name):  # nature, note and name stay
        assert private not in message.subject + message.body  # in the application
    assert person.initials in message.body
    assert event.get_absolute_url() in message.body


def test_a_non_urgent_incident_or_a_visit_sends_no_email(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.facilitateur.user)
    url = reverse("suivi:event_create", args=[world.contract.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"kind": "visite", "date": "2026-03-10", "note": "RAS."})
        client.post(
            url,
            {"kind": "incident", "date": "2026-03-11", "incident_type": "absences", "severity": "grave", "note": "x"},
        )
    assert FollowUpEvent.objects.count() == 2 and mail.outbox == []


# --- Pages ----------------------------------------------------------------------------------------------------


@pytest.fixture
def facilitator(client, world):
    client.force_login(world.facilitateur.user)
    return client


@pytest.fixture
def prescriber(client, world):
    client.force_login(world.prescripteur.user)
    return client


def test_the_contract_page_lists_the_follow_up_with_its_buttons(facilitator, world):
    FollowUpEventFactory(contract=world.contract, note="Visite du 10 mars.")
    FollowUpEventFactory(contract=world.contract, suffering=True, date=date(2026, 3, 12))
    page = text(facilitator.get(world.contract.get_absolute_url()))
    assert "Suivi dans l'emploi" in page and "Visite du 10 mars." in page
    assert "Ajouter un suivi" in page and "Signaler un incident" in page
    assert "1 alerte ouverte" in page and "Clore l'alerte" in page
    assert "Suivi assuré par la structure employeuse" not in page


def test_r_reserved_the_contract_page_says_the_employer_follows_and_offers_incidents_only(facilitator, world):
    contract = reserved_contract(world)
    page = text(facilitator.get(contract.get_absolute_url()))
    assert "Suivi assuré par la structure employeuse (marché réservé / EI / EA)" in page
    assert "Signaler un incident" in page and "Ajouter un suivi" not in page


def test_r_reserved_the_form_refuses_a_visit_in_french(facilitator, world):
    contract = ei_contract(world)
    response = facilitator.post(
        reverse("suivi:event_create", args=[contract.public_id]), {"kind": "visite", "date": "2026-03-10", "note": "x"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["kind"] == [followup.RESERVED_MESSAGE]
    assert not FollowUpEvent.objects.exists()


def test_the_event_form_explains_each_refusal_in_french(facilitator, world):
    url = reverse("suivi:event_create", args=[world.contract.public_id])
    response = facilitator.post(url, {"kind": "incident", "date": "pas une date"})
    errors = response.context["form"].errors
    assert errors["date"] == ["Saisissez une date valide."]
    assert errors["note"] == ["Écrivez le compte rendu : ce qui a été vu, dit ou décidé."]
    response = facilitator.post(url, {"kind": "incident", "date": "2026-03-10", "note": "Retards."})
    assert response.context["form"].errors["incident_type"] == ["Indiquez la nature de l'incident."]
    assert "incident" in text(facilitator.get(url + "?type=incident")).lower()
    assert not FollowUpEvent.objects.exists()


def test_r_incident_the_alert_list_puts_open_urgent_alerts_on_top(facilitator, world):
    closed = FollowUpEventFactory(contract=world.contract, suffering=True, closed=True, date=date(2026, 3, 20))
    minor = FollowUpEventFactory(contract=world.contract, incident=True, date=date(2026, 3, 18))
    urgent = FollowUpEventFactory(contract=world.sibling_contract, suffering=True, date=date(2026, 3, 5))
    FollowUpEventFactory(contract=world.contract)  # a visit is not an alert
    FollowUpEventFactory(contract=world.other_contract, suffering=True)  # elsewhere
    response = facilitator.get(reverse("suivi:alert_list"))
    assert list(response.context["page"].object_list) == [urgent, minor]
    assert response.context["open_count"] == 2
    everything = facilitator.get(reverse("suivi:alert_list") + "?state=toutes")
    assert list(everything.context["page"].object_list) == [urgent, minor, closed]
    only_closed = facilitator.get(reverse("suivi:alert_list") + "?state=closes")
    assert list(only_closed.context["page"].object_list) == [closed]


def test_r_incident_the_referent_sees_the_alerts_of_their_people_read_only(prescriber, world):
    ours = FollowUpEventFactory(contract=world.contract, suffering=True)
    FollowUpEventFactory(contract=world.sibling_contract, suffering=True)
    response = prescriber.get(reverse("suivi:alert_list"))
    assert list(response.context["page"].object_list) == [ours]
    assert "Clore" not in text(response)
    detail = text(prescriber.get(ours.get_absolute_url()))
    assert "Alerte urgente" in detail and "lecture seule" in detail and "Clore l'alerte" not in detail


def test_r_incident_closing_from_the_page_shows_what_was_done_to_the_referent(facilitator, world, client):
    alert = FollowUpEventFactory(contract=world.contract, suffering=True)
    url = reverse("suivi:alert_close", args=[alert.public_id])
    response = facilitator.post(url, {"action_taken": ""})
    assert response.context["form"].errors["action_taken"] == [
        "Dites ce qui a été fait : une alerte ne se clôt pas sans action."
    ]
    response = facilitator.post(url, {"action_taken": "Rencontre avec l'employeur, changement d'équipe."})
    assert response.status_code == 302
    again = facilitator.post(url, {"action_taken": "Encore."})
    assert "Cette alerte est déjà close" in text(again)
    client.force_login(world.prescripteur.user)
    assert "changement d'équipe" in text(client.get(alert.get_absolute_url()))


# --- Query counts ---------------------------------------------------------------------------------------------


def grow(world, n):
    for _ in range(n):
        person = ParticipantFactory(structure=world.structure, referent_organisation=world.prescriber_org)
        contract = WorkContractFactory(award=world.award, participant=person)
        FollowUpEventFactory(contract=contract, suffering=True, created_by=world.facilitateur.user)
        FollowUpEventFactory(contract=contract, incident=True, closed=True, closed_by=world.admin.user)
        FollowUpEventFactory(contract=world.contract, created_by=world.facilitateur.user)
        FollowUpEventFactory(contract=world.contract, incident=True, closed=True, closed_by=world.admin.user)


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("role", "target"),
    [
        ("facilitateur", lambda w: reverse("suivi:alert_list")),
        ("facilitateur", lambda w: reverse("suivi:alert_list") + "?state=toutes"),
        ("prescripteur", lambda w: reverse("suivi:alert_list") + "?state=toutes"),
        ("facilitateur", lambda w: w.contract.get_absolute_url()),
    ],
    ids=["alertes", "toutes les alertes", "alertes du référent", "page du contrat"],
)
def test_follow_up_pages_do_not_grow_with_rows(client, world, role, target):
    client.force_login(getattr(world, role).user)
    grow(world, 2)
    before = count(client, target(world))
    grow(world, 6)
    assert count(client, target(world)) == before


def test_r_reserved_the_participant_page_shows_the_marker_handoffs_and_alerts(facilitator, world):
    award = AwardFactory(lot__market__structure=world.structure, lot__market__legal_basis=LegalBasis.L2113_12)
    contract = WorkContractFactory(
        award=award, participant=world.participant, start_date=today() - timedelta(days=10),
        planned_end_date=today() + timedelta(days=90),
    )  # fmt: skip
    FollowUpEventFactory(contract=contract, suffering=True, date=today())
    page = text(facilitator.get(world.participant.get_absolute_url()))
    assert "Passages de relais / alertes" in page
    assert "Suivi assuré par la structure employeuse (marché réservé / EI / EA)" in page
    assert "1 alerte ouverte" in page
    other = text(facilitator.get(world.sibling_participant.get_absolute_url()))
    assert "Suivi assuré par la structure employeuse" not in other and "Aucun passage de relais." in other
