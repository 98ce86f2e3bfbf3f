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
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from participants import services as participant_services
from participants.models import Consent, EligibilityDiagnosis, Participant, Referral
from suivi.enums import CHECK_MONTHS, ImportStatus
from suivi.models import (
    Assignment,
    FollowUpEvent,
    Handoff,
    HourEntry,
    HourImport,
    Outcome,
    OutcomeCheck,
    Positioning,
    PositioningEvent,
    SkillsReview,
    WorkContract,
)
from suivi.signals import participant_anonymised

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


# What the later steps of the parcours hold in free text about the person (blanked with their history, change
# reasons included: a cancellation's reason is free text). The figures read none of it: hours, contract types and
# dates, sorties' categories and checks' situations stay. Each entry: model, path to the participant, fields.
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
# What a fiche navette never linked to a person reaches in this app: the positionings proposed from it.
REFERRAL_TEXTS = (
    (Positioning, "referral", ("message", "feedback", "referent_informed_note")),
    (PositioningEvent, "positioning__referral", ("message",)),
)


def _blank_texts(texts, target):
    """Blank `texts` (see TEXTS) of the rows whose path leads to `target`, and of their history."""
    for model, path, fields in texts:
        pks = list(model.objects.filter(**{path: target}).values_list("pk", flat=True))
        if not pks:
            continue
        historical = model.history.model.objects.filter(id__in=pks)
        rows = model._default_manager.filter(pk__in=pks)
        for name in fields:
            # "(effacé)" where there was text: some texts are required once set (an alert's action taken).
            rows.exclude(**{name: ""}).update(**{name: ERASED})
            historical.exclude(**{name: ""}).update(**{name: ERASED})
        participant_services.scrub_history_reasons(historical)


def _still_due(on):
    def check(participant):
        end = follow_up_ends(Participant.objects.filter(pk=participant.pk)).get(participant.pk)
        if end is None or end.end is None or end.end > retention_limit(on):
            raise ValidationError("Le suivi de cette personne a repris : elle n'est plus à anonymiser.")

    return check


def _allowed_now(participant):
    allowed, reason = can_anonymise_now(participant)
    if not allowed:
        raise ValidationError(reason)


@transaction.atomic
def participant_anonymise(*, participant: Participant, by=None, now=None, due_on=None, at_request=False):
    """Anonymise one person: identity, contact, free text and files go, here, in `participants` and in the apps
    after this one (`signals.participant_anonymised`), with their history; what the figures count stays (see
    `participants.services.PERSON_BLANKS`). The proofs' files are deleted from storage once the transaction is
    committed.

    What decided it is checked again once the person's row is locked (a consent, a contract or a follow-up step
    recorded meanwhile): `due_on`, the retention is over on that day; `at_request`, `can_anonymise_now` (an
    administrator's decision). Without either, unconditional (tests, a decision taken by the DPO)."""
    checks = [c for c in (_still_due(due_on) if due_on else None, _allowed_now if at_request else None) if c]

    def check(locked):
        for c in checks:
            c(locked)

    files = participant_services.participant_anonymise_records(participant=participant, by=by, now=now, check=check)
    _blank_texts(TEXTS, participant)
    participant.refresh_from_db()
    participant_anonymised.send(sender=Participant, participant=participant)
    participant_services.delete_files_on_commit(files)
    logger.info("participant %s anonymised (%d files deleted)", participant.public_id, len(files))
    return participant


# --- Fiches navettes that never led to a person -----------------------------------------------------------------


def referral_retention_limit(on: date) -> date:
    return on - relativedelta(months=settings.REFERRAL_RETENTION_MONTHS)


def referrals_due(on: date, referrals=None):
    """Fiches navettes not linked to a person (refused, returned, pending, drafts), not yet anonymised, whose last
    event (a step, a change, a positioning proposed from it) is REFERRAL_RETENTION_MONTHS months before `on` or
    earlier: `(referral, last day)` pairs, in two grouped queries."""
    limit = referral_retention_limit(on)
    referrals = (
        (referrals if referrals is not None else Referral.objects.all())
        .filter(participant__isnull=True, anonymised_at__isnull=True, updated_at__date__lte=limit)
        .annotate(
            last_step=Max("events__at"),
            last_positioning=Max(Greatest("positionings__proposed_at", "positionings__decided_at")),
        )
        .select_related("structure")
        .order_by("structure__name", "pk")
    )
    due = []
    for referral in referrals:
        moments = (referral.updated_at, referral.submitted_at, referral.decided_at, referral.last_step,
                   referral.last_positioning)  # fmt: skip
        last = max(_day(m) for m in moments if m is not None)
        if last <= limit:
            due.append((referral, last))
    return due


@transaction.atomic
def referral_anonymise(*, referral: Referral, on: date | None = None) -> Referral:
    """Anonymise a fiche navette that never led to a person (see `referrals_due`), checked again under its lock."""
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.anonymised_at or locked.participant_id:
        raise ValidationError("Cette fiche n'est pas à anonymiser.")
    if on is not None and not referrals_due(on, Referral.objects.filter(pk=locked.pk)):
        raise ValidationError("Cette fiche a changé depuis : elle n'est plus à anonymiser.")
    files = participant_services.referrals_anonymise_records([locked.pk])
    _blank_texts(REFERRAL_TEXTS, locked)
    participant_services.delete_files_on_commit(files)
    logger.info("referral %s anonymised (%d files deleted)", locked.public_id, len(files))
    locked.refresh_from_db()
    return locked


# --- Hour-import spreadsheets ------------------------------------------------------------------------------------


def import_files_limit(now: datetime) -> datetime:
    return now - timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS)


def import_files_due(now: datetime):
    """Hour imports whose stored spreadsheet (names, hours) has outlived its use: applied IMPORT_FILE_RETENTION_DAYS
    days ago or more, or waiting that long without being confirmed; abandoned ones at once (their cancellation
    already erases the file). The row and its figures (summary, hours linked to it) stay."""
    return list(_import_files_due(now).select_related("structure").order_by("structure__name", "uploaded_at", "pk"))


def _import_files_due(now):
    limit = import_files_limit(now)
    return HourImport.objects.exclude(file="").filter(
        Q(status=ImportStatus.APPLIQUE, applied_at__lte=limit)
        | Q(status=ImportStatus.EN_ATTENTE, uploaded_at__lte=limit)
        | Q(status=ImportStatus.ABANDONNE)
    )


@transaction.atomic
def import_file_delete(*, hour_import: HourImport, now: datetime) -> bool:
    """Erase one import's stored file once committed (checked again under the row's lock). An import still waiting
    is abandoned: there is nothing left to confirm. Returns whether a file was erased."""
    locked = HourImport.objects.select_for_update().get(pk=hour_import.pk)
    if not _import_files_due(now).filter(pk=locked.pk).exists():
        return False
    storage, name = locked.file.storage, locked.file.name
    locked.file = ""
    if locked.status == ImportStatus.EN_ATTENTE:
        locked.status = ImportStatus.ABANDONNE
        locked._change_reason = "abandonné : fichier effacé (durée de conservation)"
    else:
        locked._change_reason = "fichier effacé (durée de conservation)"
    locked.save()
    transaction.on_commit(lambda: storage.delete(name))
    logger.info("hour import %s: file erased (retention)", locked.public_id)
    return True


@dataclass
class Report:
    on: date
    limit: date
    due: list
    anonymised: int = 0
    skipped: int = 0  # no longer due once locked
    failed: int = 0
    dry_run: bool = True
    referral_limit: date | None = None
    referrals: list = field(default_factory=list)  # (referral, last day)
    referrals_anonymised: int = 0
    referrals_failed: int = 0
    import_limit: datetime | None = None
    imports: list = field(default_factory=list)
    import_files_deleted: int = 0
    import_files_failed: int = 0

    def per_structure(self):
        return sorted(Counter(d.participant.structure.name for d in self.due).items())

    def referrals_per_structure(self):
        return sorted(Counter(r.structure.name for r, _ in self.referrals).items())

    def imports_per_structure(self):
        return sorted(Counter(i.structure.name for i in self.imports).items())


def _each(items, act, what):
    """Run `act` on each item in a transaction of its own: (done, skipped, failed)."""
    done = skipped = failed = 0
    for item, public_id in items:
        try:
            acted = act(item)
        except ValidationError as error:
            logger.info("%s %s skipped: %s", what, public_id, error.messages[0])
            skipped += 1
        except Exception:
            logger.exception("%s %s failed", what, public_id)
            failed += 1
        else:
            done += 1 if acted is not False else 0
    return done, skipped, failed


def anonymise_due(*, on: date | None = None, dry_run: bool = True, by=None, now=None) -> Report:
    """The nightly retention (each item in a transaction of its own: one failure stops nobody else):
    - the people due on `on` (RETENTION_MONTHS after the end of their last follow-up), anonymised;
    - the fiches navettes that ended without a person, REFERRAL_RETENTION_MONTHS after their last event;
    - the hour-import spreadsheets, IMPORT_FILE_RETENTION_DAYS days after they were applied (files erased).
    Every decision is taken again under the row's lock."""
    now = now or timezone.now()
    on = on or timezone.localdate(now)
    report = Report(
        on=on,
        limit=retention_limit(on),
        due=due_for_anonymisation(on),
        dry_run=dry_run,
        referral_limit=referral_retention_limit(on),
        referrals=referrals_due(on),
        import_limit=import_files_limit(now),
        imports=import_files_due(now),
    )
    if dry_run:
        return report
    report.anonymised, report.skipped, report.failed = _each(
        ((d.participant, d.participant.public_id) for d in report.due),
        lambda p: participant_anonymise(participant=p, by=by, due_on=on),
        "anonymisation of participant",
    )
    report.referrals_anonymised, _, report.referrals_failed = _each(
        ((r, r.public_id) for r, _ in report.referrals),
        lambda r: referral_anonymise(referral=r, on=on),
        "anonymisation of referral",
    )
    report.import_files_deleted, _, report.import_files_failed = _each(
        ((i, i.public_id) for i in report.imports),
        lambda i: import_file_delete(hour_import=i, now=now),
        "erasing the file of hour import",
    )
    return report


def can_anonymise_now(participant) -> tuple[bool, str]:
    """Whether the record may be anonymised at once, before its retention ends (offered after a consent
    withdrawal). Only when the person no longer consents, and nothing requires keeping the record: a person who
    never had a clause contract has no hours whose eligibility a buyer may check, and no follow-up still to come.
    Otherwise the record stays until the end of its retention, its situation no longer used (R-consent), and is
    anonymised then. Checked again under the row's lock by `participant_anonymise(at_request=True)`."""
    if participant.anonymised_at:
        return False, "La personne est déjà anonymisée."
    if participant_services.has_active_consent(participant):
        return False, (
            "La personne consent encore au suivi : enregistrez d'abord le retrait de son consentement. "
            "L'anonymisation immédiate n'est proposée qu'après un retrait."
        )
    if WorkContract.objects.filter(participant=participant).exists():
        return False, (
            "La personne a eu un contrat dans une clause : ses heures et leur éligibilité doivent rester "
            "justifiables auprès du donneur d'ordre. Son dossier sera anonymisé à la fin de la durée de conservation."
        )
    return True, ""
