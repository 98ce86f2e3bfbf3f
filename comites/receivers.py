"""`comites` listens to `suivi` (never the reverse): when a person is anonymised, the committees forget what they
held about them, in the meetings and decisions and in their history."""

from django.db.models import Q
from django.dispatch import receiver

from comites.models import CommitteeDecision, CommitteeMeeting, person_code
from participants.services import ERASED, scrub_history_reasons
from suivi.signals import participant_anonymised

CASE_SECTIONS = ("alerts", "inactive", "eligibility")
ERASED_INITIALS = "—"
ERASED_DETAIL = "détail effacé"


def _scrub_agenda(agenda, pid, code):
    """The agenda with the person's lines blanked (initials, incident details), and their initials as cited (to
    find them in the minutes). Their code stays: it leads only to the anonymised record."""
    agenda = dict(agenda or {})
    cited = set()
    for section in CASE_SECTIONS:
        items = []
        for item in agenda.get(section) or ():
            if isinstance(item, dict) and item.get("pid") == pid:
                if item.get("initials") and item["initials"] != ERASED_INITIALS:
                    cited.add(item["initials"])
                item = {**item, "initials": ERASED_INITIALS}
                if section == "alerts":
                    item |= {"incident": ERASED_DETAIL, "severity": "", "urgent": False}
            items.append(item)
        if section in agenda:
            agenda[section] = items
    return agenda, cited


def _scrub_minutes(minutes, cited, code):
    for initials in cited:
        minutes = minutes.replace(f"{initials} ({code})", f"{ERASED_INITIALS} ({code})")
        minutes = minutes.replace(f"{initials} {code}", f"{ERASED_INITIALS} {code}")
    return minutes


@receiver(participant_anonymised, dispatch_uid="comites_forget_participant")
def forget_participant(sender, participant, **kwargs):
    """Blank the person's lines in the agendas (and the initials the minutes cite them by), and the texts of the
    decisions about them, in the rows and in every historical row."""
    pid, code = str(participant.public_id), person_code(participant)
    cites = Q()
    for section in CASE_SECTIONS:
        cites |= Q(**{f"agenda__{section}__contains": [{"pid": pid}]})
    historical = CommitteeMeeting.history.model
    for model in (CommitteeMeeting, historical):
        rows = list(model._default_manager.filter(cites).only("pk", "agenda", "minutes"))
        for row in rows:
            row.agenda, cited = _scrub_agenda(row.agenda, pid, code)
            row.minutes = _scrub_minutes(row.minutes, cited, code)
        model._default_manager.bulk_update(rows, ["agenda", "minutes"])
    scrub_history_reasons(historical.objects.filter(cites))  # a reason typed with a change may name the person

    # The decisions about the person now, and every version of a decision that was about them then.
    current = CommitteeDecision.objects.filter(participant=participant)
    ids = list(current.values_list("pk", flat=True))
    current.update(text=ERASED)
    history = CommitteeDecision.history.model.objects.filter(Q(id__in=ids) | Q(participant_id=participant.pk))
    history.update(text=ERASED)
    scrub_history_reasons(history)
