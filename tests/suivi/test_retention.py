"""RGPD retention: who is due for anonymisation (the end of the last follow-up, + RETENTION_MONTHS), the nightly
command (dry run by default), and what anonymising leaves: no identity in the row, its history, the fiches, the
parcours' free text or the storage; the figures of dashboards, consolidation and bilans unchanged."""

import dataclasses
import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from clauses.accounts.models import Organisation
from participants.models import Consent, EligibilityDiagnosis, Participant, Proof, Referral
from reporting import bilan as figures
from reporting import kept
from reporting.consolidation import consolidate
from reporting.dashboard import dashboard
from suivi import retention
from suivi.enums import CHECK_MONTHS
from suivi.models import FollowUpEvent, WorkContract
from tests.participants.factories import ParticipantFactory, ProofFactory, give_distinctive_names
from tests.reporting.test_bilans import scenario
from tests.suivi.factories_followup import FollowUpEventFactory, HandoffFactory

pytestmark = pytest.mark.django_db

# The world's contracts start on 2 February 2026 and end on 31 July 2026: the follow-up after the clause lasts until
# the 24-month situation check, 2 February 2028; anonymisation 24 months later.
FIRST_START = datetime.date(2026, 2, 2)
FOLLOW_UP_END = FIRST_START.replace(year=FIRST_START.year + max(CHECK_MONTHS) // 12)
DUE_ON = FOLLOW_UP_END.replace(year=FOLLOW_UP_END.year + 2)


def backdate(participant, day):
    """A person recorded and consenting on `day`, nothing since."""
    moment = datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC)
    Participant.objects.filter(pk=participant.pk).update(created_at=moment)
    Consent.objects.filter(participant=participant).update(given_on=day)


def due_ids(on, structure):
    return {
        d.participant.pk for d in retention.due_for_anonymisation(on, Participant.objects.filter(structure=structure))
    }


def test_the_follow_up_ends_with_the_last_situation_check_and_retention_runs_from_there(world, settings):
    settings.RETENTION_MONTHS = 24
    ends = retention.follow_up_ends(Participant.objects.filter(pk=world.participant.pk))
    assert ends[world.participant.pk].end == FOLLOW_UP_END
    assert world.participant.pk not in due_ids(DUE_ON - datetime.timedelta(days=1), world.structure)
    assert world.participant.pk in due_ids(DUE_ON, world.structure)
    settings.RETENTION_MONTHS = 36  # configurable: a year later
    assert world.participant.pk not in due_ids(DUE_ON, world.structure)


def test_later_events_push_the_end_of_follow_up(world):
    FollowUpEventFactory(contract=world.contract, date=datetime.date(2028, 5, 3))
    HandoffFactory(contract=world.contract, proposed_on=datetime.date(2028, 6, 1), sent_on=datetime.date(2028, 6, 9))
    ends = retention.follow_up_ends(Participant.objects.filter(pk=world.participant.pk))
    assert ends[world.participant.pk].end == datetime.date(2028, 6, 9)
    assert world.participant.pk not in due_ids(DUE_ON, world.structure)


def test_people_still_followed_are_never_due(world):
    """A contract without an end (a CDI running) or an open alert (R-INCIDENT): whatever the dates."""
    WorkContract.objects.filter(pk=world.contract.pk).update(planned_end_date=None, actual_end_date=None)
    FollowUpEventFactory(contract=world.sibling_contract, incident=True)  # open
    far = datetime.date(2040, 1, 1)
    due = due_ids(far, world.structure)
    assert world.participant.pk not in due and world.sibling_participant.pk not in due
    ends = retention.follow_up_ends(Participant.objects.filter(structure=world.structure))
    assert ends[world.participant.pk].blocked == retention.STILL_RUNNING
    assert ends[world.sibling_participant.pk].blocked == retention.OPEN_ALERT


def test_a_person_never_employed_is_due_from_their_last_step(world):
    person = ParticipantFactory(structure=world.structure)
    backdate(person, datetime.date(2020, 3, 1))
    assert person.pk in due_ids(datetime.date(2022, 3, 1), world.structure)
    assert person.pk not in due_ids(datetime.date(2022, 2, 28), world.structure)
    recent = ParticipantFactory(structure=world.structure)  # recorded today
    assert recent.pk not in due_ids(timezone.localdate(), world.structure)


def _old_person(world):
    person = ParticipantFactory(structure=world.structure, notes="Appelle le mardi.", email="x@example.org")
    give_distinctive_names(person)
    proof = ProofFactory(participant=person)
    backdate(person, datetime.date(2020, 3, 1))
    return Participant.objects.get(pk=person.pk), proof


def test_the_command_is_a_dry_run_unless_told_and_names_nobody(world):
    person, proof = _old_person(world)
    out = io.StringIO()
    call_command("anonymise_participants", stdout=out)
    report = out.getvalue()
    assert "SIMULATION" in report and str(person.public_id) in report
    assert f"{world.structure.name} : 1" in report
    assert person.last_name not in report and person.first_name not in report
    person.refresh_from_db()
    assert person.anonymised_at is None and person.last_name == "Quarterolle"
    assert Proof.objects.filter(pk=proof.pk).exists()
    assert proof.file.storage.exists(proof.file.name)

    out = io.StringIO()
    with django_capture_on_commit():
        call_command("anonymise_participants", "--wet-run", stdout=out)
    assert "1 anonymisée(s), 0 plus à anonymiser (suivi repris), 0 échec(s)" in out.getvalue()
    person.refresh_from_db()
    assert person.anonymised_at is not None and person.full_name == "Personne anonymisée"
    assert not proof.file.storage.exists(proof.file.name)
    out = io.StringIO()
    call_command("anonymise_participants", stdout=out)
    assert "Aucune personne à anonymiser." in out.getvalue()


def django_capture_on_commit():
    """Run the on-commit callbacks (the files' deletion) at the end of the block, as a real commit would."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def test_anonymising_scrubs_the_row_its_history_the_fiche_the_parcours_and_the_files(world):
    person = world.participant
    person.notes, person.phone, person.email, person.qpv_name = "Garde ses enfants le mercredi.", "0611", "p@x.fr", "Q"
    person.save()
    give_distinctive_names(person)
    referral = world.referral  # accepted for our participant: the identity it carried goes too
    Referral.objects.filter(pk=referral.pk).update(participant=person, status="acceptee")
    cv = ProofFactory(participant=None, referral=referral, structure=world.structure, kind="cv")
    event = FollowUpEventFactory(contract=world.contract, incident=True, closed=True)
    handoff = HandoffFactory(contract=world.contract)
    files = [world.proof.file.name, cv.file.name]
    with django_capture_on_commit():
        retention.participant_anonymise(participant=person)

    person = Participant.objects.get(pk=person.pk)
    assert person.is_anonymised and person.full_name == "Personne anonymisée"
    assert (person.email, person.phone, person.notes, person.city, person.postcode, person.name_key) == ("",) * 6
    assert person.birth_date == datetime.date(1985, 4, 1)  # the month and year only
    assert person.sex and person.qualification_level  # the figures' facts stay
    for row in person.history.all():
        assert "Quarterolle" not in (row.last_name, row.first_name) and row.notes == "" and row.email == ""
        assert row.birth_date == datetime.date(1985, 4, 1)
    assert person.history.first().history_change_reason == "anonymisation (RGPD)"
    referral.refresh_from_db()
    assert referral.full_name == "Personne anonymisée" and referral.motivation == "" and referral.birth_date.day == 1
    assert all(row.motivation == "" for row in referral.history.all())
    assert not Proof.objects.filter(pk__in=[world.proof.pk, cv.pk]).exists()
    assert all(not world.proof.file.storage.exists(name) for name in files)
    assert set(Proof.history.filter(id=cv.pk).values_list("original_name", flat=True)) == {"(effacé)"}
    event = FollowUpEvent.objects.get(pk=event.pk)
    assert event.note == event.action_taken == "(effacé)"
    assert {row.note for row in event.history.all()} == {"(effacé)"}
    handoff.refresh_from_db()
    assert handoff.participant_message == handoff.note == "(effacé)"
    diagnosis = EligibilityDiagnosis.objects.get(pk=world.diagnosis.pk)
    assert all(set(item) <= {"code", "label", "public", "met"} for item in diagnosis.details)
    # The record can no longer be changed: the edit page answers 404, the page says who it is not.


def test_figures_are_the_same_before_and_after_anonymisation(world):
    scenario(world)
    on = DUE_ON  # 2026 is a closed year by then: its figures end on 31 December
    structures = Organisation.objects.filter(pk__in=[world.structure.pk, world.other_structure.pk])
    scope = figures.for_buyer(world.buyer)

    def all_figures():
        board = dashboard(structures, 2026, on=on)
        return (
            {**dataclasses.asdict(board.bilan), "by_buyer_type": board.by_buyer_type},
            [(t.key, t.rows) for t in consolidate(structures, 2026, on)],
            dataclasses.asdict(figures.compute(scope, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))),
            dataclasses.asdict(figures.compute(scope, datetime.date(2026, 1, 1), datetime.date(2026, 10, 31))),
        )

    before = all_figures()
    assert before[2]["people"] == 2
    kept.refresh(on=on, years=[2026])
    for person in (world.participant, world.sibling_participant):
        retention.participant_anonymise(participant=person)
    assert all_figures() == before
    # The kept figures were marked by the anonymisation's writes, and still add up to the same.
    board = kept.dashboard(structures, 2026, on=on)
    assert {**dataclasses.asdict(board.bilan), "by_buyer_type": board.by_buyer_type} == before[0]


def test_age_bands_do_not_move_for_periods_ending_on_a_month_end(world):
    """The month and year of birth are kept (the 1st of the month): a person at the 26-year boundary stays in their
    band for a calendar year's bilan and for one ending on the last day of a month in the middle of the year — the
    birth month included (the sibling turns 26 on 20 June: counted 26 on 30 June, 25 on 31 May)."""
    scenario(world)
    Participant.objects.filter(pk=world.participant.pk).update(birth_date=datetime.date(2000, 3, 10))
    Participant.objects.filter(pk=world.sibling_participant.pk).update(birth_date=datetime.date(2000, 6, 20))
    scope = figures.for_buyer(world.buyer)
    start = datetime.date(2026, 1, 1)
    ends = (datetime.date(2026, 12, 31), datetime.date(2026, 6, 30), datetime.date(2026, 5, 31))

    def bands():
        return [figures.compute(scope, start, end).age for end in ends]

    before = bands()
    assert before == [[("26 à 49 ans", 2)], [("26 à 49 ans", 2)], [("moins de 26 ans", 1), ("26 à 49 ans", 1)]]
    for person in (world.participant, world.sibling_participant):
        retention.participant_anonymise(participant=person)
    assert bands() == before
    assert Participant.objects.get(pk=world.participant.pk).birth_date == datetime.date(2000, 3, 1)
