from celery import shared_task
from django.utils import timezone

from suivi import services
from suivi.models import FollowUpEvent, Handoff, PositioningEvent
from suivi.services import followup as followup_services
from suivi.services import handoffs as handoff_services
from suivi.services import outcomes as outcome_services


class EmailDeliveryError(OSError):
    """The mail server refused or failed; the message names the step, never an address."""


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, soft_time_limit=50, time_limit=60)
def send_positioning_event_email(event_id):
    """E-mail a step of a positioning (proposed, presented, retained, not retained) to those it concerns."""
    event = PositioningEvent.objects.select_related(
        "positioning__offer__award__lot__market", "positioning__proposed_by_organisation"
    ).get(pk=event_id)
    try:
        return services.positioning_event_send(event=event)
    except OSError as error:
        raise EmailDeliveryError(f"étape {event.pk} non remise ({type(error).__name__})") from None


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, soft_time_limit=50, time_limit=60)
def send_followup_email(what, object_id):
    """E-mail a handoff sent to the référent (`what` = "handoff") or an urgent alert (`what` = "alert")."""
    if what == "handoff":
        handoff = Handoff.objects.select_related(
            "participant", "from_organisation", "to_organisation", "structure"
        ).get(pk=object_id)
        send = lambda: handoff_services.handoff_send_email(handoff=handoff)  # noqa: E731
    else:
        event = FollowUpEvent.objects.select_related("contract__participant", "contract__company").get(pk=object_id)
        send = lambda: followup_services.alert_send_email(event=event)  # noqa: E731
    try:
        return send()
    except OSError as error:
        raise EmailDeliveryError(f"{what} {object_id} non remis ({type(error).__name__})") from None


@shared_task(soft_time_limit=25 * 60, time_limit=30 * 60)
def propose_returns_to_referents():
    """R-SEQ, every morning (beat): propose the return to their référent of everyone whose clause is over."""
    result = handoff_services.handoffs_propose_returns(on=timezone.localdate())
    return {"proposed": len(result.created), "without_referent": len(result.without_referent)}


@shared_task(soft_time_limit=300, time_limit=360)
def create_due_outcome_checks():
    """Daily (Celery beat): put the checks at 6, 12, 18 and 24 months in the to-do list as they fall due."""
    return outcome_services.outcome_checks_create_due(on=timezone.localdate())


@shared_task(soft_time_limit=25 * 60, time_limit=30 * 60)
def anonymise_participants():
    """Nightly (beat): RGPD retention (`suivi.retention.anonymise_due`): the people whose last follow-up ended
    RETENTION_MONTHS ago and the fiches navettes without a person are anonymised, old import spreadsheets erased."""
    from django.core.management import call_command

    call_command("anonymise_participants", "--wet-run")
