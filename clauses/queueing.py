"""Queue a Celery task once the request's transaction commits, without ever failing the request for it."""

import logging
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)


def send(task, *args) -> bool:
    """Publish `task` now; False (logged) when it could not be: a dead broker, or a failing mail server in the
    in-process (eager) mode. Nobody in a web process reads task results, so none is kept: waiting on the result
    store of a dead Redis held a request for 19 s, where the publish alone gives up within a second or two
    (CELERY_TASK_PUBLISH_RETRY_POLICY, CELERY_BROKER_CONNECTION_TIMEOUT)."""
    try:
        task.apply_async(args, ignore_result=True)
    except Exception:
        logger.exception("task %s could not run for %s", task.name, args)
        return False
    return True


def _send(task, args, then):
    sent = send(task, *args)
    if then is not None:
        then(sent)


def queue_after_commit(task, *args, then=None):
    """The change is saved whatever happens next: an e-mail that cannot be sent is logged, not shown as an
    error page. Pass identifiers only (they end up in logs). `then(sent)` is called after the attempt, with
    whether the queue took the task."""
    transaction.on_commit(partial(_send, task, args, then))
