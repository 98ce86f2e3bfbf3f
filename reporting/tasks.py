from celery import shared_task

from reporting import services


@shared_task(soft_time_limit=20 * 60, time_limit=25 * 60)
def render_report(job_id):
    """Render a bilan (or a year's batch of bilans) asked for on a page; the job records progress and failure."""
    return services.report_run(job_id)


@shared_task(soft_time_limit=30 * 60, time_limit=35 * 60)
def refresh_kept_figures(structure_ids=None):
    """Compute again the kept figures that no longer hold: of the structures whose data changed, or of every
    structure (each night, for the new day)."""
    from reporting import kept

    return kept.refresh(structure_ids, sweep=structure_ids is None)
