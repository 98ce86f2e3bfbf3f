"""RGPD retention: a participant's personal data are anonymised RETENTION_MONTHS months (default 24) after the end
of their last follow-up; the record stays, without identity, for the figures of the bilans and the consolidation.

The end of the last follow-up is the latest day anything happened, or is planned, in the person's parcours at the
structure (seed 000's three phases, R-SEQ, R-OUTCOME):
- the record's creation, a consent given or withdrawn, a fiche navette sent or decided, a diagnosis established;
- a positioning proposed, presented or decided;
- each contract's actual end, else its planned end; a contract with neither (a CDI still running) means the
  person is still followed: never due;
- the months of hours entered, the follow-up events in employment, the skills documents, the passages de relais
  (proposed, sent, acknowledged), the sortie;
- the situation checks after the clause: the follow-up lasts until the last of them (R-OUTCOME: 24 months after the
  first clause contract's start) is due, whether or not its row exists yet, or until a check done later than that;
- an incident alert still open (R-INCIDENT) means the person is still followed: never due.

`participant_anonymise` blanks identity, contact and free text, here and in `participants`, with their history;
the proofs and CVs are deleted with their files (`participants.services.participant_anonymise_records`).
"""

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from participants import services as participant_services
from participants.models import Consent, EligibilityDiagnosis, Participant, Referral
from suivi.enums import CHECK_MONTHS
from suivi.models import (
    Assignment,
    FollowUpEvent,
    Handoff,
    HourEntry,
    Outcome,
    OutcomeCheck,
    Positioning,
    PositioningEvent,
    SkillsReview,
    WorkContract,
)

logger = logging.getLogger(__name__)

ERASED = participant_services.ERASED
STILL_RUNNING = "contrat sans date de fin"
OPEN_ALERT = "alerte ouverte"


@dataclass(frozen=True)
class FollowUpEnd:
    participant_id: int
    end: date | None  # None while `blocked`
    blocked: str = ""  # why the person is still followed whatever the dates


def _day(value):
    return timezone.localdate(value) if isinstance(value, datetime) else value


def _latest(rows, ends):
    """Fold (participant id, date or datetime…) rows into `ends` (participant id → latest day)."""
    for participant_id, *values in rows:
        for value in values:
            if value is not None and participant_id is not None:
                day = _day(value)
                if participant_id not in ends or day > ends[participant_id]:
                    ends[participant_id] = day


def follow_up_ends(participants) -> dict[int, FollowUpEnd]:
    """The end of the last follow-up of each of `participants` (a queryset), in a dozen grouped queries."""
    ids = participants.values("pk")
    ends: dict[int, date] = {}

    def by(qs, field, *dates):
        names = [f"d{i}" for i in range(len(dates))]
        grouped = qs.order_by().values(field).annotate(**dict(zip(names, map(Max, dates), strict=True)))
        return grouped.values_list(field, *names)

    _latest(participants.values_list("pk", "created_at"), ends)
    _latest(by(Consent.objects.filter(participant__in=ids), "participant", "given_on", "withdrawn_on"), ends)
    _latest(by(Referral.objects.filter(participant__in=ids), "participant", "submitted_at", "decided_at"), ends)
    _latest(by(EligibilityDiagnosis.objects.filter(participant__in=ids), "participant", "assessed_at"), ends)
    _latest(
        by(
            Positioning.objects.filter(participant__in=ids), "participant", "proposed_at", "presented_at", "decided_at"
        ),
        ends,
    )
    contracts = WorkContract.objects.filter(participant__in=ids)
    _latest(by(contracts, "participant", "actual_end_date", "planned_end_date", "start_date"), ends)
    last_check = max(CHECK_MONTHS)
    firsts = contracts.order_by().values("participant").annotate(first=Min("start_date"))
    _latest(((row["participant"], row["first"] + relativedelta(months=last_check)) for row in firsts), ends)
    _latest(by(HourEntry.objects.filter(assignment__contract__participant__in=ids),
               "assignment__contract__participant", "month"), ends)  # fmt: skip
    _latest(by(FollowUpEvent.objects.filter(contract__participant__in=ids), "contract__participant", "date"), ends)
    _latest(by(SkillsReview.objects.filter(contract__participant__in=ids), "contract__participant", "review_date"),
            ends)  # fmt: skip
    _latest(by(Handoff.objects.filter(participant__in=ids), "participant", "proposed_on", "sent_on",
               "acknowledged_at"), ends)  # fmt: skip
    _latest(by(Outcome.objects.filter(participant__in=ids), "participant", "date"), ends)
    _latest(by(OutcomeCheck.objects.filter(participant__in=ids), "participant", "checked_on"), ends)

    blocked = {}
    running = contracts.filter(actual_end_date__isnull=True, planned_end_date__isnull=True)
    for pk in running.values_list("participant", flat=True):
        blocked[pk] = STILL_RUNNING
    alerts = FollowUpEvent.objects.filter(contract__participant__in=ids).open_alerts()
    for pk in alerts.values_list("contract__participant", flat=True):
        blocked.setdefault(pk, OPEN_ALERT)
    return {pk: FollowUpEnd(pk, None if pk in blocked else end, blocked.get(pk, "")) for pk, end in ends.items()}


def retention_limit(on: date) -> date:
    """People whose follow-up ended on or before this day are due for anonymisation on `on`."""
    return on - relativedelta(months=settings.RETENTION_MONTHS)


@dataclass(frozen=True)
class Due:
    participant: Participant
    end: date


def due_for_anonymisation(on: date, participants=None) -> list[Due]:
    """The people not yet anonymised whose last follow-up ended RETENTION_MONTHS months before `on` or earlier."""
    participants = (participants if participants is not None else Participant.objects.all()).not_anonymised()
    limit = retention_limit(on)
    ends = follow_up_ends(participants)
    due_ids = {pk: e.end for pk, e in ends.items() if e.end is not None and e.end <= limit}
    found = participants.filter(pk__in=list(due_ids)).select_related("structure").order_by("structure__name", "pk")
    return [Due(p, due_ids[p.pk]) for p in found]


# What the later steps of the parcours hold in free text about the person (blanked with their history). The
# figures read none of it: hours, contract types and dates, sorties' categories and checks' situations stay.
TEXTS = (
    (WorkContract, "participant", ("notes",)),
    (Assignment, "contract__participant", ("exception_justification",)),
    (HourEntry, "assignment__contract__participant", ("note",)),
    (Positioning, "participant", ("message", "feedback", "referent_informed_note")),
    (Positioning, "referral__participant", ("message", "feedback", "referent_informed_note")),
    (PositioningEvent, "positioning__participant", ("message",)),
    (PositioningEvent, "positioning__referral__participant", ("message",)),
    (FollowUpEvent, "contract__participant", ("note", "action_taken")),
    (SkillsReview, "contract__participant", ("participant_comment", "company_comment", "referent_comment",
                                             "next_steps")),
    (Handoff, "participant", ("participant_message", "note", "acknowledgement_note")),
    (Outcome, "participant", ("employer", "note")),
    (OutcomeCheck, "participant", ("employer", "note")),
)  # fmt: skip


def _blank_texts(participant):
    for model, path, fields in TEXTS:
        pks = list(model.objects.filter(**{path: participant}).values_list("pk", flat=True))
        if not pks:
            continue
        historical = model.history.model.objects.filter(id__in=pks)
        rows = model._default_manager.filter(pk__in=pks)
        for field in fields:
            # "(effacé)" where there was text: some texts are required once set (an alert's action taken).
            rows.exclude(**{field: ""}).update(**{field: ERASED})
            historical.exclude(**{field: ""}).update(**{field: ERASED})


@transaction.atomic
def participant_anonymise(*, participant: Participant, by=None, now=None) -> Participant:
    """Anonymise one person: identity, contact, free text and files go, here and in their history; what the
    figures count stays (see `participants.services.PERSON_BLANKS`). The proofs' files are deleted from storage
    once the transaction is committed."""
    files = participant_services.participant_anonymise_records(participant=participant, by=by, now=now)
    _blank_texts(participant)
    participant_services.delete_files_on_commit(files)
    logger.info("participant %s anonymised (%d files deleted)", participant.public_id, len(files))
    participant.refresh_from_db()
    return participant


@dataclass
class Report:
    on: date
    limit: date
    due: list
    anonymised: int = 0
    failed: int = 0
    dry_run: bool = True

    def per_structure(self):
        return sorted(Counter(d.participant.structure.name for d in self.due).items())


def anonymise_due(*, on: date | None = None, dry_run: bool = True, by=None) -> Report:
    """Anonymise everyone due on `on` (each in a transaction of their own: one failure stops nobody else)."""
    on = on or timezone.localdate()
    report = Report(on=on, limit=retention_limit(on), due=due_for_anonymisation(on), dry_run=dry_run)
    if dry_run:
        return report
    for due in report.due:
        try:
            participant_anonymise(participant=due.participant, by=by)
        except Exception:
            logger.exception("anonymisation of participant %s failed", due.participant.public_id)
            report.failed += 1
        else:
            report.anonymised += 1
    return report


def can_anonymise_now(participant) -> tuple[bool, str]:
    """Whether the record may be anonymised at once, before its retention ends (offered after a consent
    withdrawal). Only when nothing requires keeping it: a person who never had a clause contract has no hours
    whose eligibility a buyer may check, and no follow-up still to come. Otherwise the record stays until the end
    of its retention, its situation no longer used (R-consent), and is anonymised then."""
    if participant.anonymised_at:
        return False, "La personne est déjà anonymisée."
    if WorkContract.objects.filter(participant=participant).exists():
        return False, (
            "La personne a eu un contrat dans une clause : ses heures et leur éligibilité doivent rester "
            "justifiables auprès du donneur d'ordre. Son dossier sera anonymisé à la fin de la durée de conservation."
        )
    return True, ""
