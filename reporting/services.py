"""Bilans asked for, rendered and packed: the writes of `ReportJob`. The rendering runs in a Celery task; asking
answers at once, and asking again for a bilan being made returns the running job instead of starting another."""

import io
import logging
import zipfile
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.text import slugify

from clauses.pdf import render_pdf
from marches.enums import ATTRIBUTED
from marches.models import Buyer, Company, Market
from reporting import bilan as figures
from reporting import charts
from reporting.models import ACTIVE, JobStatus, ReportJob, ReportKind

logger = logging.getLogger(__name__)

TARGETS = {ReportKind.BILAN_ACHETEUR: Buyer, ReportKind.BILAN_MARCHE: Market, ReportKind.BILAN_ENTREPRISE: Company}
STUCK_AFTER = timedelta(minutes=30)  # a job neither finished nor failed by then was lost (worker stopped, say)
INTERRUPTED = "Le bilan ne s'est pas terminé (préparation interrompue) : il a été demandé de nouveau."
MAX_ATTEMPTS = 2  # a job whose run was cut short twice (its worker killed, say) fails instead of looping
INTERRUPTED_TWICE = (
    "La préparation du bilan a été interrompue deux fois (le service qui prépare les bilans s'est arrêté en cours "
    "de route). Relancez-le ; si cela se reproduit, signalez-le à l'équipe Clauses."
)
UNSENT_AFTER = timedelta(minutes=1)  # a job asked for and not handed to the queue by then: its sending failed
FAILURE = "Le bilan n'a pas pu être préparé. Réessayez ; si l'erreur revient, signalez-la à l'équipe Clauses."


def _describe(kind, target):
    match kind:
        case ReportKind.BILAN_ACHETEUR:
            return f"Bilan de {target.name}", target.name
        case ReportKind.BILAN_MARCHE:
            return f"Bilan du marché {target.reference}", target.reference
        case _:
            return f"Bilan de {target.name} (entreprise)", target.name


def _period_label(start, end):
    return f"du {start:%d/%m/%Y} au {end:%d/%m/%Y}"


@transaction.atomic
def report_request(*, structure, kind, target, start: date, end: date, by, parent=None, shared=False):
    """Ask for a bilan of `target` (a buyer, a market or a company of `structure`) over the months from `start` to
    `end`. Returns (job, created): the same bilan already being made is returned as it is."""
    if kind not in TARGETS or not isinstance(target, TARGETS[kind]) or target.structure_id != structure.pk:
        raise ValidationError("Ce bilan ne concerne pas votre structure.")
    if start > end:
        raise ValidationError({"end": "La fin de la période précède son début."})
    if (end.year - start.year) * 12 + end.month - start.month >= 60:
        raise ValidationError({"start": "Une période de bilan ne dépasse pas cinq ans."})
    title, name = _describe(kind, target)
    key = f"{kind}:{target.public_id}:{start:%Y-%m-%d}:{end:%Y-%m-%d}"
    if parent is None:
        running = _running(structure, key)
        if running is not None:
            return running, False
    job = ReportJob(
        structure=structure, kind=kind, key=key, title=f"{title} {_period_label(start, end)}", requested_by=by,
        parameters={"target": str(target.public_id), "start": start.isoformat(), "end": end.isoformat()},
        filename=f"bilan-{slugify(name)[:60]}-{start:%Y%m%d}-{end:%Y%m%d}.pdf", parent=parent,
        shared_with_committee=shared,
    )  # fmt: skip
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:  # asked twice at the same moment: the other request's job answers
        return ReportJob.objects.get(structure=structure, key=key, status__in=ACTIVE, parent=None), False
    return job, True


@transaction.atomic
def report_request_year(*, structure, year: int, by):
    """Every buyer's bilan for `year`, as one job whose children are the bilans, packed in one ZIP at the end."""
    if not 2000 <= year <= timezone.localdate().year:
        raise ValidationError({"year": "Choisissez une année écoulée ou en cours."})
    buyers = list(
        Buyer.objects.filter(structure=structure, markets__status__in=ATTRIBUTED).distinct().order_by("name", "pk")
    )
    if not buyers:
        raise ValidationError("Aucun donneur d'ordre n'a de marché attribué : il n'y a pas de bilan à préparer.")
    key = f"{ReportKind.LOT_ANNUEL}:{year}"
    running = _running(structure, key)
    if running is not None:
        return running, False
    parent = ReportJob(
        structure=structure, kind=ReportKind.LOT_ANNUEL, key=key, requested_by=by,
        title=f"Bilans {year} de tous les donneurs d'ordre ({len(buyers)})", parameters={"year": year},
        filename=f"bilans-{year}-donneurs-d-ordre.zip",
    )  # fmt: skip
    try:
        with transaction.atomic():
            parent.save()
    except IntegrityError:
        return ReportJob.objects.get(structure=structure, key=key, status__in=ACTIVE, parent=None), False
    start, end = date(year, 1, 1), min(date(year, 12, 31), timezone.localdate())
    for buyer in buyers:
        report_request(
            structure=structure, kind=ReportKind.BILAN_ACHETEUR, target=buyer, start=start, end=end, by=by,
            parent=parent,
        )  # fmt: skip
    return parent, True


def _running(structure, key):
    """The job making this bilan (or batch) now, if any. One that gave no sign of life for STUCK_AFTER was lost on
    the way (a worker stopped): it is failed, with its children, so that the request makes it again."""
    running = (
        ReportJob.objects.select_for_update()
        .filter(structure=structure, key=key, status__in=ACTIVE, parent=None)
        .first()
    )
    if running is None:
        return None
    children = running.children.aggregate(started=Max("started_at"), finished=Max("finished_at"))
    alive = max(filter(None, [running.started_at or running.created_at, *children.values()]))
    if alive >= timezone.now() - STUCK_AFTER:  # a batch is alive while its bilans start and finish
        return running
    now = timezone.now()
    running.children.filter(status__in=ACTIVE).update(status=JobStatus.ECHEC, error=INTERRUPTED, finished_at=now)
    running.status, running.error, running.finished_at = JobStatus.ECHEC, INTERRUPTED, now
    running.save(update_fields=["status", "error", "finished_at"])
    return None


def _step(job, progress, step):
    job.progress, job.step = progress, step
    ReportJob.objects.filter(pk=job.pk).update(progress=progress, step=step)


def _target(job):
    model = TARGETS[job.kind]
    return model.objects.select_related("structure").get(public_id=job.parameters["target"], structure=job.structure)


def bilan_document(job) -> bytes:
    """The PDF of a bilan job: figures from the database, charts, methodology; nobody named."""
    target = _target(job)
    start, end = date.fromisoformat(job.parameters["start"]), date.fromisoformat(job.parameters["end"])
    scope = {
        ReportKind.BILAN_ACHETEUR: figures.for_buyer,
        ReportKind.BILAN_MARCHE: figures.for_market,
        ReportKind.BILAN_ENTREPRISE: figures.for_company,
    }[job.kind](target)
    _step(job, max(job.progress, 20), "Calcul des heures et des parcours")
    data = figures.compute(scope & Q(lot__market__structure=job.structure), start, end)
    _step(job, max(job.progress, 60), "Mise en page du document")
    context = {
        "job": job,
        "bilan": data,
        "target": target,
        "kind": job.kind,
        "structure": job.structure,
        "start": start,
        "end": end,
        "generated_on": timezone.localdate(),
        "charts": {
            "months": charts.month_chart("Heures réalisées par mois", data.by_month),
            "sex": charts.bar_chart("Bénéficiaires par sexe", data.sex),
            "age": charts.bar_chart("Bénéficiaires par âge", data.age),
            "types": charts.bar_chart("Contrats par type", data.contract_types),
            "outcomes": charts.bar_chart("Sorties", data.outcomes),
        },
    }
    return render_pdf("pdf/bilan.html", context)


def _finish(job, content, filename):
    job.file.save(filename, ContentFile(content), save=False)
    job.status, job.progress, job.step = JobStatus.TERMINE, 100, "Terminé"
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "status", "progress", "step", "finished_at"])


def _fail(job, error):
    logger.exception("report job %s failed (%s)", job.pk, type(error).__name__)
    job.status, job.error, job.finished_at = JobStatus.ECHEC, FAILURE, timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])


def report_mark_queued(job_id):
    """The task queue has the job's rendering: it is no longer one to send again."""
    ReportJob.objects.filter(pk=job_id).update(queued_at=timezone.now())


def report_jobs_to_send(now=None, unsent_after=UNSENT_AFTER):
    """The jobs to hand to the queue again (ids): those it never took (the broker was down when they were asked
    for), and those that gave no sign of life for STUCK_AFTER (their message lost with a worker, or with Redis).
    Sending one twice is harmless: `report_run` runs a job once at a time."""
    now = now or timezone.now()
    lost = now - STUCK_AFTER
    return list(
        ReportJob.objects.filter(parent=None)
        .filter(
            Q(status=JobStatus.EN_ATTENTE, queued_at__isnull=True, created_at__lte=now - unsent_after)
            | Q(status=JobStatus.EN_ATTENTE, queued_at__lte=lost)
            | Q(status=JobStatus.EN_COURS, started_at__lte=lost)
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def _claim(job_id, *, redelivered, owned):
    """Take a job to run it, or say why not (its status). A job found running is one whose run was cut short
    (a message given back after its worker was lost, or sent again after STUCK_AFTER without a sign of life;
    `owned`: a batch's bilan, run by its batch) or one another worker is running now (left alone). A job
    cut short MAX_ATTEMPTS times fails, with a French message and the retry button, instead of looping."""
    job = ReportJob.objects.select_for_update().select_related("structure").get(pk=job_id)
    now = timezone.now()
    if job.status not in ACTIVE:
        return None, job.status
    if job.status == JobStatus.EN_COURS:
        alive = job.started_at is not None and job.started_at > now - STUCK_AFTER
        if alive and not (redelivered or owned):
            return None, job.status
        logger.warning("report job %s was interrupted (attempt %s)", job.public_id, job.attempts)
        if job.attempts >= MAX_ATTEMPTS:
            job.status, job.error, job.finished_at = JobStatus.ECHEC, INTERRUPTED_TWICE, now
            job.save(update_fields=["status", "error", "finished_at"])
            return None, job.status
    job.status, job.started_at, job.error, job.attempts = JobStatus.EN_COURS, now, "", job.attempts + 1
    job.save(update_fields=["status", "started_at", "error", "attempts"])
    return job, job.status


def report_run(job_id, *, redelivered=False, owned=False):
    """Render a job (called by the task): a bilan, or a year's batch packed as a ZIP. Never raises: a failure is
    recorded on the job, in French, for the person who asked. `redelivered`: the queue gave the message back
    (its worker was lost while it ran it)."""
    job, status = _claim(job_id, redelivered=redelivered, owned=owned)
    if job is None:
        return status
    try:
        if job.kind == ReportKind.LOT_ANNUEL:
            _run_batch(job)
        else:
            _finish(job, bilan_document(job), job.filename)
    except Exception as error:  # noqa: BLE001 (the job says it failed; the log keeps the trace)
        _fail(job, error)
    return job.status


def _run_batch(parent):
    children = list(parent.children.order_by("title", "pk"))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        for index, child in enumerate(children, start=1):
            _step(parent, int(100 * (index - 1) / len(children)), f"Bilan {index} sur {len(children)} : {child.title}")
            report_run(child.pk, owned=True)
            child.refresh_from_db()
            if child.status != JobStatus.TERMINE:
                raise RuntimeError("a bilan of the batch failed")
            with child.file.open("rb") as document:
                packed.writestr(child.filename, document.read())
    _finish(parent, archive.getvalue(), parent.filename)


def report_retry(*, job, by):
    """A failed bilan asked again: the same job starts over (its children too, for a batch)."""
    if job.status != JobStatus.ECHEC:
        raise ValidationError("Seul un bilan en échec peut être relancé.")
    if ReportJob.objects.filter(structure=job.structure, key=job.key, status__in=ACTIVE, parent=None).exists():
        raise ValidationError("Ce bilan est déjà en cours de préparation.")
    jobs = [job, *job.children.all()]
    for each in jobs:
        each.status, each.progress, each.step, each.error = JobStatus.EN_ATTENTE, 0, "", ""
        each.attempts, each.queued_at = 0, None
        each.save(update_fields=["status", "progress", "step", "error", "attempts", "queued_at"])
    return job
