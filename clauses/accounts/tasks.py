from celery import shared_task

from clauses.accounts import services
from clauses.accounts.models import Membership


class EmailDeliveryError(OSError):
    """The mail server refused or failed; the message names the membership, never an address."""


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, soft_time_limit=50, time_limit=60)
def send_invitation_email(membership_id):
    """E-mail the invitation of a membership; returns the membership's public id for tracing."""
    membership = Membership.objects.select_related("user", "organisation").get(pk=membership_id)
    try:
        services.invitation_send(membership=membership)
    except OSError as error:
        # SMTP errors quote the recipient's address: keep it out of logs and of the result backend.
        raise EmailDeliveryError(f"invitation {membership.public_id} non remise ({type(error).__name__})") from None
    return str(membership.public_id)
