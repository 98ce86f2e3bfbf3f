"""Follow-up in employment: site visits, phone calls, on-site meetings and incidents on a contract. An incident
opens an alert that stays open until a facilitator closes it with what was done (R-INCIDENT); on contracts the
employer structure follows (R-RESERVED), the facilitator records incidents only."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from clauses.accounts.models import Membership
from suivi.enums import PLANNED_FOLLOW_UP, FollowUpKind, Severity
from suivi.models import FollowUpEvent, WorkContract
from suivi.services.handoffs import referent_addresses

RESERVED_MESSAGE = (
    "Ce contrat est suivi par la structure employeuse (marché réservé, entreprise d'insertion ou entreprise "
    "adaptée) : elle assure les visites et les points avec la personne, avec son référent de parcours. "
    "Vous enregistrez ici les heures et les incidents seulement."
)


@transaction.atomic
def event_record(
    *,
    contract: WorkContract,
    by,
    kind: str,
    date: date,
    note: str,
    incident_type: str = "",
    severity: str = "",
    today: date | None = None,
) -> FollowUpEvent:
    """Record a follow-up event. Suffering at work is always urgent (the model says so); an incident is an open
    alert until `alert_close`."""
    today = today or timezone.localdate()
    errors = {}
    if kind in PLANNED_FOLLOW_UP and contract.is_followed_by_employer:
        errors["kind"] = RESERVED_MESSAGE  # R-RESERVED
    if date and date > today:
        errors["date"] = "Cette date est dans le futur : notez le suivi une fois qu'il a eu lieu."
    elif date and date < contract.start_date:
        errors["date"] = f"Le contrat commence le {contract.start_date:%d/%m/%Y} : le suivi ne peut pas le précéder."
    if not (note or "").strip():
        errors["note"] = "Écrivez le compte rendu : ce qui a été vu, dit ou décidé."
    if errors:
        raise ValidationError(errors)
    event = FollowUpEvent(
        contract=contract,
        kind=kind,
        date=date,
        note=note.strip(),
        incident_type=incident_type or "",
        severity=severity or "",
        created_by=by,
    )
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def alert_close(*, event: FollowUpEvent, by, action_taken: str) -> FollowUpEvent:
    """R-INCIDENT: only a facilitator of the structure closes an alert, saying what was done. Closing twice is
    refused (the first closure stays as it was)."""
    current = (
        FollowUpEvent.objects.select_for_update(of=("self",)).select_related("contract", "closed_by").get(pk=event.pk)
    )
    if current.kind != FollowUpKind.INCIDENT:
        raise ValidationError("Seul un incident ouvre une alerte.")
    if current.closed_at is not None:
        who = current.closed_by.full_name if current.closed_by else "un compte supprimé"
        raise ValidationError(
            f"Cette alerte est déjà close, le {timezone.localtime(current.closed_at):%d/%m/%Y} par {who}."
        )
    if not Membership.objects.active().staff().filter(user=by, organisation_id=current.contract.structure_id).exists():
        raise ValidationError("Seul un facilitateur de la structure peut clore une alerte.")
    if not (action_taken or "").strip():
        raise ValidationError(
            {"action_taken": "Dites ce qui a été fait : une alerte ne se clôt pas sans action (R-INCIDENT)."}
        )
    current.closed_at = timezone.now()
    current.closed_by = by
    current.action_taken = action_taken.strip()
    current._change_reason = "alerte close"
    current.full_clean()
    current.save()
    return current


# --- E-mails --------------------------------------------------------------------------------------------------


def alert_recipients(event: FollowUpEvent) -> list[str]:
    """Who hears of an urgent alert at once: the structure's facilitators and the person's référent."""
    contract = event.contract
    staff = Membership.objects.active().staff().filter(organisation_id=contract.structure_id)
    addresses = set(staff.values_list("user__email", flat=True))
    person = contract.participant
    addresses |= set(referent_addresses(person, person.referent_organisation))
    return sorted(addresses)


def alert_send_email(*, event: FollowUpEvent) -> int:
    """E-mail an urgent alert still open (a closed or non-urgent one sends nothing)."""
    if not event.is_open_alert or event.severity != Severity.URGENTE:
        return 0
    recipients = alert_recipients(event)
    if not recipients:
        return 0
    context = {
        "event": event,
        "contract": event.contract,
        "person": event.contract.participant,
        "url": settings.SITE_URL + event.get_absolute_url(),
    }
    subject = render_to_string("suivi/emails/alert_subject.txt", context).strip()
    body = render_to_string("suivi/emails/alert_body.txt", context)
    send_mail(settings.EMAIL_SUBJECT_PREFIX + subject, body, None, recipients)
    return len(recipients)
