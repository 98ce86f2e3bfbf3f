"""Bilans: asked for on a page, rendered by a Celery task, followed while they are made (htmx), downloaded."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clauses.accounts.access import get_manageable_or_404, get_visible_or_404, role_required, visible
from clauses.accounts.enums import Role
from clauses.pagination import paginate
from marches.enums import ATTRIBUTED
from marches.models import Buyer, Company, Market
from reporting import services
from reporting.forms import BilanForm, YearBatchForm
from reporting.models import ReportJob
from reporting.tasks import send_report

STAFF = (Role.FACILITATEUR, Role.ADMIN)
staff_only = role_required(*STAFF)
staff_or_committee = role_required(*STAFF, Role.COMITE)


def _bilan_form(request, data=None, initial=None):
    markets = visible(request, Market).filter(status__in=ATTRIBUTED)
    return BilanForm(
        data=data,
        initial=initial or {},
        buyers=visible(request, Buyer).filter(markets__in=markets).distinct(),
        markets=markets,
        companies=visible(request, Company).filter(awards__lot__market__in=markets).distinct(),
    )


@staff_or_committee
def bilan_list(request):
    jobs = visible(request, ReportJob).filter(parent=None).select_related("requested_by")
    context = {"page": paginate(request, jobs), "is_staff": request.membership.role in STAFF}
    if context["is_staff"]:
        initial = {key: request.GET[key] for key in ("kind", "buyer", "market", "company") if key in request.GET}
        context |= {"form": _bilan_form(request, initial=initial), "batch_form": YearBatchForm()}
    return render(request, "reporting/bilan_list.html", context)


UNAVAILABLE = (
    "Le service qui prépare les bilans est momentanément indisponible. Votre demande est enregistrée : le bilan "
    "sera préparé dès son retour, sans que vous ayez à le demander de nouveau."
)


def _send_after_commit(request, job, sent_message):
    """Once the job is saved, hand it to the queue and say what happened: with the queue down the request is
    kept (`resend_report_jobs` sends it when the queue is back) and the person is told, never an error page."""

    def send():
        if send_report(job.pk):
            messages.success(request, sent_message)
        else:
            messages.warning(request, UNAVAILABLE)

    transaction.on_commit(send)


def _queued(request, job, created):
    if created:
        _send_after_commit(request, job, "Le bilan est en préparation : vous pouvez suivre son avancement ici.")
    else:
        messages.info(request, "Ce bilan est déjà en préparation : voici où il en est.")
    return redirect(job)


def _refused(request, *, form=None, batch_form=None):
    """The list again, with the refused form's French messages (status 400), nothing saved."""
    jobs = visible(request, ReportJob).filter(parent=None).select_related("requested_by")
    context = {
        "page": paginate(request, jobs),
        "is_staff": True,
        "form": form or _bilan_form(request),
        "batch_form": batch_form or YearBatchForm(),
    }
    return render(request, "reporting/bilan_list.html", context, status=400)


@staff_only
@require_POST
def bilan_request(request):
    form = _bilan_form(request, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            job, created = services.report_request(
                structure=request.membership.organisation, kind=data["kind"], target=data["target"],
                start=data["start"], end=data["end"], by=request.user, shared=data["shared"],
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            return _queued(request, job, created)
    return _refused(request, form=form)


@staff_only
@require_POST
def bilan_request_year(request):
    form = YearBatchForm(data=request.POST)
    if form.is_valid():
        try:
            job, created = services.report_request_year(
                structure=request.membership.organisation, year=form.cleaned_data["year"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            return _queued(request, job, created)
    return _refused(request, batch_form=form)


@staff_or_committee
def job_detail(request, public_id):
    job = get_visible_or_404(request, ReportJob.objects.select_related("requested_by"), public_id=public_id)
    children = list(job.children.order_by("title", "pk")) if job.kind == "lot_annuel" else []
    context = {"job": job, "children": children, "is_staff": request.membership.role in STAFF}
    if request.htmx:
        return render(request, "reporting/_job_status.html", context)
    return render(request, "reporting/job_detail.html", context)


@staff_or_committee
def job_download(request, public_id):
    job = get_visible_or_404(request, ReportJob, public_id=public_id)
    if not job.is_done:
        raise Http404
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)
    response["Cache-Control"] = "private, no-store"
    return response


@staff_only
@require_POST
def job_retry(request, public_id):
    job = get_manageable_or_404(request, ReportJob, public_id=public_id)
    try:
        services.report_retry(job=job, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(job)
    _send_after_commit(request, job, "Le bilan est relancé.")
    return redirect(job)
