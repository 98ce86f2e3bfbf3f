"""Writes about committees: meetings, their agenda prepared from the data, holding them, decisions and actions."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from comites.agenda import prepare_agenda
from comites.enums import DECISION_OPEN, DecisionStatus, MeetingStatus
from comites.models import CommitteeDecision, CommitteeMeeting


@transaction.atomic
def meeting_save(*, meeting: CommitteeMeeting, by, attendees=(), organisations=(), companies=()) -> CommitteeMeeting:
    """Create or change a meeting and who is invited. The form's querysets have already scoped the choices."""
    if meeting.pk is None:
        meeting.created_by = by
    meeting.full_clean()
    meeting.save()
    meeting.attendees.set(attendees)
    meeting.organisations.set(organisations)
    meeting.companies.set(companies)
    return meeting


@transaction.atomic
def meeting_prepare_agenda(*, meeting: CommitteeMeeting, by, on=None) -> CommitteeMeeting:
    """R-COMMITTEE: the agenda read from the data on `on` (today by default), kept on the meeting. A meeting
    already held keeps the agenda it was held with."""
    if meeting.is_held:
        raise ValidationError("Cette réunion a été tenue : son ordre du jour reste celui dont elle a discuté.")
    on = on or timezone.localdate()
    meeting.agenda = prepare_agenda(meeting.structure, on, cases=meeting.is_follow_up)
    meeting.agenda_prepared_at = timezone.now()
    meeting.full_clean()
    meeting.save(update_fields=["agenda", "agenda_prepared_at", "updated_at"])
    return meeting


@transaction.atomic
def meeting_mark_held(*, meeting: CommitteeMeeting, by) -> CommitteeMeeting:
    """En préparation → tenu. A meeting is held on its day or after, with an agenda."""
    if meeting.is_held:
        raise ValidationError("Cette réunion est déjà notée comme tenue.")
    errors = []
    if meeting.date > timezone.localdate():
        errors.append(f"La réunion est prévue le {meeting.date:%d/%m/%Y} : elle ne peut pas être tenue avant.")
    if not meeting.agenda and not meeting.other_items.strip():
        errors.append("Préparez l'ordre du jour avant de noter la réunion comme tenue.")
    if errors:
        raise ValidationError(errors)
    meeting.status = MeetingStatus.TENU
    meeting.held_at = timezone.now()
    meeting.held_by = by
    meeting.full_clean()
    meeting.save(update_fields=["status", "held_at", "held_by", "updated_at"])
    return meeting


@transaction.atomic
def decision_save(*, decision: CommitteeDecision, by) -> CommitteeDecision:
    """Record or change a decision or an action of a meeting."""
    if decision.pk is None:
        decision.created_by = by
    _stamp_done(decision)
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def decision_set_status(*, decision: CommitteeDecision, status: str, by) -> CommitteeDecision:
    if status not in DecisionStatus.values:
        raise ValidationError({"status": "Statut inconnu."})
    decision.status = status
    _stamp_done(decision)
    decision.full_clean()
    decision.save(update_fields=["status", "done_at", "updated_at"])
    return decision


def _stamp_done(decision):
    if decision.status in DECISION_OPEN:
        decision.done_at = None
    elif decision.done_at is None:
        decision.done_at = timezone.now()
