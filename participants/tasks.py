from celery import shared_task

from participants import services
from participants.models import ReferralEvent


class EmailDeliveryError(OSError):
    """The mail server refused or failed; the message names the step, never an address."""


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, soft_time_limit=50, time_limit=60)
def send_referral_event_email(event_id):
    """E-mail a step of a fiche navette (sent, to complete, accepted, refused) to those it concerns."""
    event = ReferralEvent.objects.select_related("referral__created_by", "referral__structure").get(pk=event_id)
    try:
        return services.referral_event_send(event=event)
    except OSError as error:
        raise EmailDeliveryError(f"étape {event.pk} non remise ({type(error).__name__})") from None


@shared_task(soft_time_limit=300, time_limit=360)
def prune_view_logs():
    """Nightly (beat): the log of who viewed a record keeps VIEW_LOG_RETENTION_MONTHS months."""
    return services.view_logs_prune()
