from celery import shared_task
from django.utils import timezone

from suivi import services
from suivi.models import PositioningEvent
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


@shared_task(soft_time_limit=300, time_limit=360)
def create_due_outcome_checks():
    """Daily (Celery beat): put the checks at 6, 12, 18 and 24 months in the to-do list as they fall due."""
    return outcome_services.outcome_checks_create_due(on=timezone.localdate())
