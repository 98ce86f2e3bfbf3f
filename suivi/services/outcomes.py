"""Writes on sorties and on the checks at 6, 12, 18 and 24 months after the first clause contract (R-OUTCOME)."""

import logging
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, Min, OuterRef
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from participants.models import Consent, Participant
from suivi import outcomes as rules
from suivi.enums import CheckStatus, ContractType, Situation
from suivi.models import Outcome, OutcomeCheck, WorkContract

logger = logging.getLogger(__name__)

# One run of outcome_checks_create_due at a time (the daily task, a manual run): a PostgreSQL advisory lock key.
CHECKS_LOCK = 6_12_18_24


def first_contract_starts(participants=None) -> dict[int, date]:
    """participant id → start of their earliest work contract, the "first clause contract" of R-OUTCOME."""
    contracts = WorkContract.objects.all()
    if participants is not None:
        contracts = contracts.filter(participant__in=participants)
    return dict(
        contracts.values("participant_id").annotate(first=Min("start_date")).values_list("participant_id", "first")
    )


@transaction.atomic
def outcome_checks_create_due(*, on: date) -> int:
    """Create, in one go, the checks that are in the to-do list on `on` (due within CHECK_LEAD_DAYS, or past) and do
    not exist yet: a person whose first contract started 13 months ago gets the 6- and 12-month checks at once.
    Idempotent. People who withdrew their consent are not followed any more: no check is created for them (the
    situation of a person without a consent in force is not recorded)."""
    if connection.vendor == "postgresql":  # SQLite (the embedded default) writes one transaction at a time anyway
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHECKS_LOCK])
    consent = Consent.objects.filter(participant=OuterRef("pk"), withdrawn_on__isnull=True)
    people = (
        Participant.objects.filter(Exists(consent))
        .annotate(first_start=Min("contracts__start_date"))
        .filter(first_start__lte=rules.earliest_start_with_a_check_by(on))
        .values_list("pk", "first_start")
    )
    people = dict(people)
    existing = set(
        OutcomeCheck.objects.filter(participant_id__in=people).values_list("participant_id", "months").iterator()
    )
    new = [
        OutcomeCheck(participant_id=pk, months=months, first_contract_start=start, due_date=due)
        for pk, start in people.items()
        for months, due in rules.checks_to_create(start, on).items()
        if (pk, months) not in existing and due >= on - timedelta(days=rules.BACKFILL_DAYS)
    ]
    if new:
        bulk_create_with_history(new, OutcomeCheck)
    logger.info("outcome checks created: %s (on %s)", len(new), on.isoformat())
    return len(new)


@transaction.atomic
def outcome_check_record(
    *, check: OutcomeCheck, by, status: str, checked_on: date, situation: str = "", employer: str = "", note: str = ""
) -> OutcomeCheck:
    """Record what a check found: the person's situation ("fait"), or that they could not be reached."""
    errors = {}
    if status not in (CheckStatus.FAIT, CheckStatus.INJOIGNABLE):
        errors["status"] = "Indiquez si le point a été fait ou si la personne est restée injoignable."
    if checked_on is None:
        errors["checked_on"] = "Indiquez la date du point de situation."
    elif checked_on > timezone.localdate():
        errors["checked_on"] = "La date du point de situation est dans le futur."
    elif checked_on < check.first_contract_start:
        errors["checked_on"] = "La date du point précède le début du premier contrat de la clause."
    if status == CheckStatus.FAIT and not situation:
        errors["situation"] = "Indiquez la situation de la personne."
    if situation and situation not in Situation.values:
        errors["situation"] = "Situation inconnue."
    if errors:
        raise ValidationError(errors)
    check = OutcomeCheck.objects.select_for_update().get(pk=check.pk)
    check.status = status
    check.checked_on = checked_on
    check.situation = situation or ""
    check.employer = employer.strip()
    check.note = note.strip()
    check.checked_by = by
    check.full_clean()
    check.save()
    return check


def last_contract(participant) -> WorkContract | None:
    return (
        WorkContract.objects.filter(participant=participant)
        .select_related("employer", "company")
        .order_by("-start_date", "-pk")
        .first()
    )


# The situation a contract most likely leads to, to pre-fill a sortie (the facilitator confirms or corrects it).
SITUATION_OF_CONTRACT = {ContractType.CDI: Situation.CDI}


def outcome_initial(participant, today: date | None = None) -> dict:
    """What the sortie form proposes: the last contract, its end (when past) and its employer."""
    today = today or timezone.localdate()
    contract = last_contract(participant)
    if contract is None:
        return {"date": today}
    end = contract.end_date
    return {
        "contract": contract,
        "date": end if end and end <= today else today,
        "employer": contract.employer.name,
        "situation": SITUATION_OF_CONTRACT.get(contract.contract_type, ""),
    }


@transaction.atomic
def outcome_create(
    *, participant, by, date: date, situation: str, employer: str = "", note: str = "", contract=None
) -> Outcome:
    """Record a participant's sortie; its category (emploi durable, de transition, sortie positive, autre) follows
    from the situation."""
    errors = {}
    if date is None:
        errors["date"] = "Indiquez la date de sortie."
    elif date > timezone.localdate():
        errors["date"] = "La date de sortie est dans le futur."
    if contract is not None:
        if contract.participant_id != participant.pk:
            errors["contract"] = "Ce contrat n'est pas celui de la personne."
        elif date and date < contract.start_date:
            errors["date"] = "La sortie ne peut pas précéder le début du dernier contrat."
    if errors:
        raise ValidationError(errors)
    outcome = Outcome(
        participant=participant,
        contract=contract,
        date=date,
        situation=situation,
        employer=employer.strip(),
        note=note.strip(),
        recorded_by=by,
    )
    outcome.full_clean()
    outcome.save()
    return outcome
