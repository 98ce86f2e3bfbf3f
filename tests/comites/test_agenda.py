"""R-COMMITTEE: the agenda prepared from the data, and how it is kept once the meeting is held."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError

from comites import services
from comites.agenda import prepare_agenda
from comites.enums import MeetingKind, MeetingStatus
from comites.models import person_code
from marches.enums import MarketStatus
from participants.enums import ReferralStatus
from participants.models import EligibilityDiagnosis
from suivi.enums import FollowUpKind, IncidentType, Severity
from suivi.models import FollowUpEvent
from tests.accounts.factories import OrganisationFactory
from tests.comites.factories import CommitteeMeetingFactory
from tests.marches.factories import LotFactory
from tests.participants.factories import ParticipantFactory, ReferralFactory, give_distinctive_names
from tests.suivi.factories import WorkContractFactory

ON = datetime.date(2026, 11, 21)
pytestmark = pytest.mark.django_db


def incident(contract, day, **kwargs):
    return FollowUpEvent.objects.create(
        contract=contract, kind=FollowUpKind.INCIDENT, date=day, incident_type=IncidentType.CONFLIT,
        severity=Severity.GRAVE, note="Tension avec le chef d'équipe.", **kwargs,
    )  # fmt: skip


@pytest.fixture
def data():
    """One structure with: an open alert (A), a person without activity (B), a person outside the active file (C),
    an accepted fiche navette without activity (D), an eligibility expiring (A), markets near and far."""
    structure = OrganisationFactory()
    a = WorkContractFactory(award__lot__market__structure=structure)
    award = a.assignments.get().award
    b = WorkContractFactory(award=award)
    incident(a, datetime.date(2026, 10, 1))
    closed = incident(b, datetime.date(2026, 5, 1), action_taken="Médiation faite.")
    FollowUpEvent.objects.filter(pk=closed.pk).update(closed_at=datetime.datetime(2026, 5, 10, tzinfo=datetime.UTC))
    c = ParticipantFactory(structure=structure)
    d = ParticipantFactory(structure=structure)
    ReferralFactory(
        structure=structure, participant=d, status=ReferralStatus.ACCEPTEE,
        decided_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
    )  # fmt: skip
    EligibilityDiagnosis.objects.create(
        participant=a.participant, market=award.lot.market, assessed_on=datetime.date(2024, 12, 1), eligible=True,
        valid_until=ON + datetime.timedelta(days=30),
    )  # fmt: skip
    soon = LotFactory(market__structure=structure, market__programme=True, required_hours=1200).market
    later = LotFactory(market__structure=structure, market__programme=True).market
    later.expected_attribution_date = datetime.date(2028, 6, 1)
    later.save()
    # Another structure's alert never shows.
    elsewhere = WorkContractFactory()
    incident(elsewhere, datetime.date(2026, 10, 1))
    return {"structure": structure, "a": a.participant, "b": b.participant, "c": c, "d": d, "soon": soon,
            "later": later, "elsewhere": elsewhere.participant, "award": award}  # fmt: skip


def codes(items):
    return {item["code"] for item in items}


def test_r_committee_agenda_lists_open_alerts_only_of_the_structure(data):
    agenda = prepare_agenda(data["structure"], ON)
    assert codes(agenda["alerts"]) == {person_code(data["a"])}
    assert agenda["alerts"][0]["incident"] == "conflit avec l'encadrement ou l'équipe"


def test_r_committee_agenda_lists_people_without_activity_for_three_months(data):
    agenda = prepare_agenda(data["structure"], ON)
    # A had a follow-up event in October; C is not in the active file (no contract, no accepted fiche navette).
    assert codes(agenda["inactive"]) == {person_code(data["b"]), person_code(data["d"])}
    assert agenda["inactivity_since"] == "21/08/2026"


def test_r_committee_recent_hours_count_as_activity(data):
    from suivi.models import HourEntry

    assignment = data["b"].contracts.get().assignments.get()
    HourEntry.objects.create(award=assignment.award, assignment=assignment, month=datetime.date(2026, 9, 1), hours=35)
    agenda = prepare_agenda(data["structure"], ON)
    assert person_code(data["b"]) not in codes(agenda["inactive"])


def test_r_committee_agenda_lists_eligibility_expiring_and_upcoming_markets(data):
    agenda = prepare_agenda(data["structure"], ON)
    assert codes(agenda["eligibility"]) == {person_code(data["a"])}
    references = {m["reference"] for m in agenda["markets"]}
    assert data["soon"].reference in references
    assert data["later"].reference not in references  # planned beyond six months
    soon = next(m for m in agenda["markets"] if m["reference"] == data["soon"].reference)
    assert soon["planned"] and soon["hours"] == 1200


def test_r_committee_key_figures(data):
    figures = prepare_agenda(data["structure"], ON)["figures"]
    assert figures["year"] == 2026
    assert figures["contracts_started"] == 2
    assert figures["in_employment"] == 0  # both contracts ended on 31/07/2026
    assert figures["hours_required"] == float(data["award"].lot.required_hours)


def test_r_committee_agenda_names_people_by_initials_and_identifier_only(data):
    give_distinctive_names(data["a"], data["b"], data["d"])
    agenda = prepare_agenda(data["structure"], ON)
    text = json.dumps(agenda, ensure_ascii=False)
    for person in (data["a"], data["b"], data["d"]):
        assert person.last_name not in text
        assert person.first_name not in text
        assert person.initials in text
    assert person_code(data["a"]).startswith("P-") and len(person_code(data["a"])) == 8


def test_r_committee_governance_agenda_has_no_individual_cases(data):
    meeting = CommitteeMeetingFactory(structure=data["structure"], kind=MeetingKind.PILOTAGE)
    services.meeting_prepare_agenda(meeting=meeting, by=None, on=ON)
    assert meeting.agenda["cases"] is False
    assert "alerts" not in meeting.agenda and "inactive" not in meeting.agenda
    assert meeting.agenda["figures"]["contracts_started"] == 2
    assert data["soon"].reference in {m["reference"] for m in meeting.agenda["markets"]}


def test_r_committee_held_meeting_keeps_the_agenda_it_discussed(data):
    meeting = CommitteeMeetingFactory(structure=data["structure"], date=ON)
    services.meeting_prepare_agenda(meeting=meeting, by=None, on=ON)
    services.meeting_mark_held(meeting=meeting, by=None)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.TENU and meeting.held_at
    before = meeting.agenda
    incident(data["b"].contracts.get(), ON)  # new data after the meeting
    with pytest.raises(ValidationError) as error:
        services.meeting_prepare_agenda(meeting=meeting, by=None)
    assert "ordre du jour reste celui" in error.value.messages[0]
    meeting.refresh_from_db()
    assert meeting.agenda == before


def test_r_committee_market_attributed_and_about_to_start_is_on_the_agenda(data):
    lot = LotFactory(
        market__structure=data["structure"], market__status=MarketStatus.ATTRIBUE,
        market__attribution_date=datetime.date(2025, 1, 10), market__notification_date=datetime.date(2025, 1, 20),
        market__start_date=datetime.date(2027, 1, 4), market__publication_date=datetime.date(2024, 11, 1),
    )  # fmt: skip
    agenda = prepare_agenda(data["structure"], ON)
    assert lot.market.reference in {m["reference"] for m in agenda["markets"]}
