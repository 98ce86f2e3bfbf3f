"""RGPD: when a person is anonymised (`suivi.retention`), the committees forget them too (`comites.receivers`, on
`suivi.signals.participant_anonymised`): their lines in the agendas lose their initials and incident details, the
minutes their initials, the decisions about them their text, in the rows and in every historical row."""

import datetime

import pytest

from comites import services
from comites.models import CommitteeDecision, CommitteeMeeting, person_code, person_label
from participants.services import ERASED, HISTORY_REASON_ERASED
from suivi import retention
from tests.comites.factories import CommitteeDecisionFactory, CommitteeMeetingFactory
from tests.comites.test_agenda import incident
from tests.participants.factories import give_distinctive_names

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 11, 21)


def test_anonymising_a_person_blanks_them_in_agendas_minutes_and_decisions_with_their_history(world):
    person, other = world.participant, world.sibling_participant
    give_distinctive_names(person, other)
    incident(world.contract, datetime.date(2026, 10, 1))
    incident(world.sibling_contract, datetime.date(2026, 10, 2))
    meeting = CommitteeMeetingFactory(structure=world.structure, date=ON)
    services.meeting_prepare_agenda(meeting=meeting, by=world.facilitateur.user, on=ON)
    label, code, pid = person_label(person), person_code(person), str(person.public_id)
    assert [a["pid"] for a in meeting.agenda["alerts"]] == [pid, str(other.public_id)]
    meeting.minutes = f"{label} : reprise du travail prévue lundi. {person_label(other)} : à revoir."
    meeting._change_reason = f"compte rendu : {label} cité"
    meeting.save()
    about = CommitteeDecisionFactory(meeting=meeting, participant=person, text="Lui trouver une garde d'enfant.")
    about.text = "Lui trouver une garde d'enfant le mercredi."
    about._change_reason = "précisé : garde d'enfant"
    about.save()
    general = CommitteeDecisionFactory(meeting=meeting, text="Relancer les entreprises du lot 2.")

    retention.participant_anonymise(participant=person)

    meetings = [CommitteeMeeting.objects.get(pk=meeting.pk), *CommitteeMeeting.history.filter(id=meeting.pk)]
    assert len(meetings) == 4  # the row, its creation, the agenda, the minutes
    for row in meetings:
        for alert in row.agenda.get("alerts", ()):
            if alert["pid"] == pid:
                assert alert["initials"] == "—" and alert["incident"] == "détail effacé" and not alert["severity"]
                assert alert["code"] == code  # a pseudonym leading to the anonymised record only
            else:
                assert alert["initials"] == other.initials and alert["incident"] != "détail effacé"
        assert label not in row.minutes and f"— ({code})" in row.minutes or not row.minutes
        assert person_label(other) in row.minutes or not row.minutes
        assert label not in str(row.agenda)
        assert label not in (getattr(row, "history_change_reason", None) or "")
    decisions = [CommitteeDecision.objects.get(pk=about.pk), *CommitteeDecision.history.filter(id=about.pk)]
    assert {row.text for row in decisions} == {ERASED}
    assert {row.history_change_reason for row in decisions[1:]} <= {None, HISTORY_REASON_ERASED}
    assert CommitteeDecision.objects.get(pk=general.pk).text == "Relancer les entreprises du lot 2."
