"""Queue a Celery task once the request's transaction commits, without ever failing the request for it."""

import logging
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)


def _send(task, args):
    try:
        task.delay(*args)
    except Exception:  # a dead broker, or a failing mail server in the in-process (eager) mode
        logger.exception("task %s could not run for %s", task.name, args)


def queue_after_commit(task, *args):
    """The change is saved whatever happens next: an e-mail that cannot be sent is logged, not shown as an
    error page. Pass identifiers only (they end up in logs)."""
    transaction.on_commit(partial(_send, task, args))
