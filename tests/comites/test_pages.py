"""Committee pages: forms (French messages, nothing half-saved), who sees what, minutes PDF, query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comites import services
from comites.enums import DecisionKind, DecisionStatus, MeetingStatus
from comites.models import CommitteeDecision, CommitteeMeeting, person_code
from suivi.enums import FollowUpKind, IncidentType, Severity
from suivi.models import FollowUpEvent
from tests.accounts.factories import MembershipFactory
from tests.comites.factories import CommitteeDecisionFactory, CommitteeMeetingFactory
from tests.participants.factories import give_distinctive_names
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db


def meeting_data(w, **overrides):
    return {
        "kind": "suivi",
        "title": "Comité de suivi du 4e trimestre",
        "date": "2026-12-10",
        "start_time": "14:30",
        "place": "Salle 2",
        "attendees": [w.comite.user.pk],
        "organisations": [w.prescriber_org.pk],
        "companies": [w.company.pk],
        "other_items": "Actualités des partenaires",
        "minutes": "",
        **overrides,
    }


def test_facilitator_creates_a_meeting_with_attendees(client, world):
    client.force_login(world.facilitateur.user)
    response = client.post(reverse("comites:meeting_create"), meeting_data(world))
    meeting = CommitteeMeeting.objects.get()
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    assert meeting.structure == world.structure and meeting.created_by == world.facilitateur.user
    assert list(meeting.attendees.all()) == [world.comite.user]
    assert list(meeting.organisations.all()) == [world.prescriber_org]
    assert list(meeting.companies.all()) == [world.company]
    assert meeting.status == MeetingStatus.PREPARATION


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Donnez un intitulé à la réunion."),
        ({"date": ""}, "Indiquez la date de la réunion."),
        ({"date": "10/13/2026"}, "Saisissez une date valide."),
        ({"start_time": "25h"}, "Saisissez une heure valide"),
    ],
)
def test_meeting_form_errors_are_french_and_nothing_is_saved(client, world, overrides, message):
    client.force_login(world.facilitateur.user)
    response = client.post(reverse("comites:meeting_create"), meeting_data(world, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CommitteeMeeting.objects.exists()


def test_meeting_cannot_invite_people_or_companies_of_another_structure(client, world):
    client.force_login(world.facilitateur.user)
    data = meeting_data(world, attendees=[world.other_admin.user.pk], companies=[world.other_company.pk])
    response = client.post(reverse("comites:meeting_create"), data)
    assert response.status_code == 200
    assert response.content.decode().count("Ce choix n&#x27;est pas possible.") == 2
    assert not CommitteeMeeting.objects.exists()


def test_r_committee_member_sees_only_the_meetings_they_attend(client, world):
    attended = CommitteeMeetingFactory(structure=world.structure, attendees=[world.comite.user], title="Invité")
    CommitteeMeetingFactory(structure=world.structure, title="Pas invité")
    client.force_login(world.comite.user)
    page = client.get(reverse("comites:meeting_list")).content.decode()
    assert "Invité" in page and "Pas invité" not in page
    assert client.get(attended.get_absolute_url()).status_code == 200


def test_r_committee_prescriber_sees_the_meetings_their_organisation_attends(client, world):
    CommitteeMeetingFactory(structure=world.structure, organisations=[world.prescriber_org], title="Avec la ML")
    CommitteeMeetingFactory(structure=world.structure, organisations=[world.sibling_prescriber_org], title="Avec FT")
    client.force_login(world.prescripteur.user)
    page = client.get(reverse("comites:meeting_list")).content.decode()
    assert "Avec la ML" in page and "Avec FT" not in page


def prepared_meeting(world, *, held=True):
    FollowUpEvent.objects.create(
        contract=world.contract, kind=FollowUpKind.INCIDENT, date=timezone.localdate(),
        incident_type=IncidentType.SOUFFRANCE, severity=Severity.URGENTE, note="Souffrance exprimée.",
    )  # fmt: skip
    meeting = CommitteeMeetingFactory(
        structure=world.structure, date=timezone.localdate(), attendees=[world.comite.user],
        organisations=[world.prescriber_org], title="Comité de suivi de novembre",
    )  # fmt: skip
    services.meeting_prepare_agenda(meeting=meeting, by=world.facilitateur.user)
    if held:
        services.meeting_mark_held(meeting=meeting, by=world.facilitateur.user)
    return meeting


@pytest.mark.parametrize("role", ["facilitateur", "comite", "prescripteur"])
def test_r_committee_pages_show_people_by_initials_and_identifier_only(client, world, role):
    give_distinctive_names(world.participant)
    meeting = prepared_meeting(world)
    CommitteeDecisionFactory(meeting=meeting, participant=world.participant, text="Point avec le tuteur")
    client.force_login(getattr(world, role).user)
    page = client.get(meeting.get_absolute_url()).content.decode()
    person = world.participant
    assert person_code(person) in page and person.initials in page
    assert person.last_name not in page and person.first_name not in page
    actions = client.get(reverse("comites:action_list")).content.decode()
    assert person_code(person) in actions and person.last_name not in actions


def test_r_committee_minutes_pdf_has_the_agenda_decisions_and_no_full_name(client, world):
    give_distinctive_names(world.participant)
    meeting = prepared_meeting(world)
    CommitteeDecisionFactory(
        meeting=meeting, participant=world.participant, text="Rencontrer la personne avec son référent",
        owner_user=world.facilitateur.user, owner_name="", due_date=timezone.localdate() + datetime.timedelta(days=15),
    )  # fmt: skip
    meeting.minutes = "Le comité a examiné la situation signalée."
    meeting.save()
    client.force_login(world.comite.user)
    response = client.get(reverse("comites:minutes_pdf", args=[meeting.public_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    text = " ".join(pdf_text(response.content).split())
    assert "Compte rendu — Comité de suivi de novembre" in text
    assert "souffrance au travail" in text
    assert "Rencontrer la personne avec son référent" in text
    assert world.facilitateur.user.full_name in text
    assert "Le comité a examiné la situation signalée." in text
    assert person_code(world.participant) in text and world.participant.initials in text
    assert world.participant.last_name not in text and world.participant.first_name not in text


def test_minutes_pdf_before_the_meeting_is_an_agenda(client, world):
    meeting = prepared_meeting(world, held=False)
    client.force_login(world.facilitateur.user)
    response = client.get(reverse("comites:minutes_pdf", args=[meeting.public_id]))
    assert "ordre-du-jour" in response["Content-Disposition"]
    assert "Ordre du jour — Comité de suivi de novembre" in " ".join(pdf_text(response.content).split())


def test_mark_held_refuses_a_meeting_in_the_future_with_a_french_message(client, world):
    meeting = CommitteeMeetingFactory(structure=world.structure, other_items="Actualités")
    client.force_login(world.facilitateur.user)
    response = client.post(reverse("comites:meeting_held", args=[meeting.public_id]))
    assert response.status_code == 200
    assert "elle ne peut pas être tenue avant" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PREPARATION and meeting.held_at is None


def test_mark_held_asks_for_an_agenda_first(client, world):
    meeting = CommitteeMeetingFactory(structure=world.structure, date=timezone.localdate())
    client.force_login(world.facilitateur.user)
    response = client.post(reverse("comites:meeting_held", args=[meeting.public_id]))
    assert "Préparez l&#x27;ordre du jour" in response.content.decode()
    assert CommitteeMeeting.objects.get().status == MeetingStatus.PREPARATION


def test_prepare_agenda_button_stores_the_snapshot(client, world):
    meeting = CommitteeMeetingFactory(structure=world.structure)
    client.force_login(world.facilitateur.user)
    response = client.post(reverse("comites:meeting_prepare", args=[meeting.public_id]))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.agenda_prepared_at and meeting.agenda["cases"] is True


def decision_post(**overrides):
    data = {
        "decision-kind": "action",
        "decision-text": "Organiser une visite de chantier",
        "decision-owner_user": "",
        "decision-owner_name": "Mission Locale Test",
        "decision-due_date": (timezone.localdate() + datetime.timedelta(days=20)).isoformat(),
        "decision-status": "a_faire",
        "decision-participant": "",
    }
    return data | {f"decision-{k}": v for k, v in overrides.items()}


def test_r_committee_records_an_action_with_owner_due_date_and_person(client, world):
    meeting = prepared_meeting(world)
    client.force_login(world.facilitateur.user)
    data = decision_post(participant=str(world.participant.pk), owner_user=str(world.facilitateur.user.pk))
    response = client.post(reverse("comites:decision_create", args=[meeting.public_id]), data)
    assert response.status_code == 302
    action = CommitteeDecision.objects.get()
    assert action.kind == DecisionKind.ACTION and action.owner_user == world.facilitateur.user
    assert action.participant == world.participant and action.created_by == world.facilitateur.user


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"text": ""}, "Écrivez la décision ou l&#x27;action."),
        ({"owner_name": ""}, "Une action a un responsable"),
        ({"due_date": ""}, "Une action a une échéance."),
        ({"due_date": "2020-01-01"}, "L&#x27;échéance ne peut pas précéder la réunion."),
        ({"due_date": "31/02/2027"}, "Saisissez une date valide."),
        ({"status": "inconnu"}, "Sélectionnez un choix valide"),
    ],
)
def test_decision_form_errors_are_french_and_nothing_is_saved(client, world, overrides, message):
    meeting = prepared_meeting(world)
    client.force_login(world.facilitateur.user)
    response = client.post(reverse("comites:decision_create", args=[meeting.public_id]), decision_post(**overrides))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not CommitteeDecision.objects.exists()


def test_decision_about_a_person_not_on_the_agenda_is_refused(client, world):
    meeting = prepared_meeting(world)
    client.force_login(world.facilitateur.user)
    data = decision_post(participant=str(world.other_participant.pk))
    response = client.post(reverse("comites:decision_create", args=[meeting.public_id]), data)
    assert response.status_code == 422 and "Ce choix n&#x27;est pas possible." in response.content.decode()
    assert not CommitteeDecision.objects.exists()


def test_decision_status_change_stamps_when_it_was_done(client, world):
    action = CommitteeDecisionFactory(meeting__structure=world.structure)
    client.force_login(world.facilitateur.user)
    client.post(reverse("comites:decision_status", args=[action.public_id]), {"status": DecisionStatus.FAIT})
    action.refresh_from_db()
    assert action.status == DecisionStatus.FAIT and action.done_at is not None
    client.post(reverse("comites:decision_status", args=[action.public_id]), {"status": DecisionStatus.EN_COURS})
    action.refresh_from_db()
    assert action.status == DecisionStatus.EN_COURS and action.done_at is None
    response = client.post(reverse("comites:decision_status", args=[action.public_id]), {"status": "n_importe"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == DecisionStatus.EN_COURS


def test_action_list_shows_overdue_actions(client, world):
    meeting = CommitteeMeetingFactory(structure=world.structure, date=datetime.date(2026, 1, 10))
    CommitteeDecisionFactory(meeting=meeting, text="Relancer l'entreprise", due_date=datetime.date(2026, 2, 1))
    CommitteeDecisionFactory(meeting=meeting, text="Action soldée", status=DecisionStatus.FAIT)
    client.force_login(world.facilitateur.user)
    page = client.get(reverse("comites:action_list")).content.decode()
    assert "Relancer l&#x27;entreprise" in page and "en retard" in page
    assert "Action soldée" not in page  # open actions by default
    page = client.get(reverse("comites:action_list") + "?state=fait").content.decode()
    assert "Action soldée" in page


# --- Query counts -----------------------------------------------------------------------------------------------


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def add_rows(world, meeting, n):
    for i in range(n):
        user = MembershipFactory(organisation=world.structure, comite=True).user
        meeting.attendees.add(user)
        CommitteeDecisionFactory(meeting=meeting, participant=world.participant, owner_user=world.facilitateur.user)
        CommitteeDecisionFactory(meeting=meeting, kind=DecisionKind.DECISION)
        CommitteeMeetingFactory(
            structure=world.structure, attendees=[world.comite.user], date=datetime.date(2025, 1, i + 1)
        )
        CommitteeMeetingFactory(structure=world.structure, attendees=[world.comite.user])


@pytest.mark.parametrize("role", ["facilitateur", "comite"])
@pytest.mark.parametrize("page", ["list", "detail", "actions"])
def test_query_count_does_not_grow_with_rows(client, world, role, page):
    meeting = prepared_meeting(world)
    meeting.attendees.add(world.comite.user)
    url = {
        "list": reverse("comites:meeting_list"),
        "detail": meeting.get_absolute_url(),
        "actions": reverse("comites:action_list"),
    }[page]
    client.force_login(getattr(world, role).user)
    add_rows(world, meeting, 2)
    few = count(client, url)
    add_rows(world, meeting, 6)
    assert count(client, url) == few
