import logging
from datetime import timedelta

from celery import shared_task

from clauses import queueing
from reporting import services

logger = logging.getLogger(__name__)


@shared_task(bind=True, soft_time_limit=20 * 60, time_limit=25 * 60, reject_on_worker_lost=True)
def render_report(self, job_id):
    """Render a bilan (or a year's batch of bilans) asked for on a page; the job records progress and failure.
    A worker lost while it ran this task gives the message back to the queue (acks late): the job counts its
    attempts, so that it is tried again once, then fails with a retry button."""
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    return services.report_run(job_id, redelivered=redelivered)


def send_report(job_id) -> bool:
    """Hand a job's rendering to the queue; False (logged) when the queue cannot take it now: the job waits, and
    `resend_report_jobs` sends it once the queue is back."""
    if not queueing.send(render_report, job_id):
        return False
    services.report_mark_queued(job_id)
    return True


@shared_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def resend_report_jobs(unsent_after=None):
    """Every minute (beat): send again the bilans the queue never took, or lost. Returns how many were sent."""
    kwargs = {} if unsent_after is None else {"unsent_after": timedelta(seconds=unsent_after)}
    sent = sum(send_report(job_id) for job_id in services.report_jobs_to_send(**kwargs))
    if sent:
        logger.info("%s report job(s) sent again", sent)
    return sent


@shared_task(soft_time_limit=30 * 60, time_limit=35 * 60)
def refresh_kept_figures(structure_ids=None):
    """Compute again the kept figures that no longer hold: of the structures whose data changed, or of every
    structure (each night, for the new day)."""
    from reporting import kept

    return kept.refresh(structure_ids, sweep=structure_ids is None)
