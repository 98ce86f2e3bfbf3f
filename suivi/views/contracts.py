"""Work contracts, the markets they serve and whether their hours count there (R-HRS-1, R-HRS-2, R-ELIG-4)."""

import uuid
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clauses.accounts.access import get_manageable_or_404, get_visible_or_404, visible
from clauses.pagination import paginate
from marches.models import Award, Company
from marches.progress import attach_award_progress, with_award_hours
from participants.models import Participant
from suivi import services
from suivi.enums import OPEN_ENDED_CONTRACTS, PositioningStatus
from suivi.filters import ContractFilter
from suivi.forms import ContractForm, ExceptionForm
from suivi.indicators import contract_hours_total
from suivi.models import LONG_CONTRACT_HOURS, Assignment, Positioning, WorkContract
from suivi.views.common import form_errors_from, is_staff, staff_only, staff_or_prescriber
from suivi.views.followup import followup_context
from suivi.views.skills import skills_context


@staff_or_prescriber
def contract_list(request):
    today = timezone.localdate()
    contracts = (
        visible(request, WorkContract)
        .select_related("participant", "company", "employer")
        .annotate(
            total_hours=contract_hours_total(),
            market_count=Count("assignments", distinct=True),
            not_counted=Count("assignments", filter=Q(assignments__counts=False), distinct=True),
        )
    )
    filterset = ContractFilter(
        request.GET or None, queryset=contracts, companies=visible(request, Company), today=today
    )
    found = filterset.qs if not filterset.is_bound or filterset.is_valid() else contracts.none()
    page = paginate(request, found.order_by("-start_date", "pk"))
    return render(
        request,
        "suivi/contract_list.html",
        {"filter": filterset, "page": page, "is_staff": is_staff(request), "today": today},
    )


def _form(request, *, instance=None, initial=None, data=None):
    return ContractForm(
        data=data,
        instance=instance,
        initial=initial or {},
        structure=request.membership.organisation,
        # No new contract for an anonymised person; an existing one keeps its participant.
        participants=visible(request, Participant) if instance else visible(request, Participant).not_anonymised(),
        companies=visible(request, Company),
        awards=visible(request, Award),
    )


def _initial_from_positioning(positioning):
    offer = positioning.offer
    start = offer.start_date if offer.start_date and offer.start_date >= timezone.localdate() else None
    initial = {
        "participant": positioning.participant,
        "company": offer.award.company,
        "employer": offer.award.company,
        "awards": [offer.award],
        "contract_type": offer.contract_type,
        "weekly_hours": offer.weekly_hours,
        "job_title": offer.job_title,
        "rome_code": offer.rome_code,
        "start_date": start,
    }
    if start and offer.duration_weeks and offer.contract_type not in OPEN_ENDED_CONTRACTS:
        initial["planned_end_date"] = start + timedelta(weeks=offer.duration_weeks, days=-1)
    return initial


def _render_form(request, form, **context):
    template = "suivi/_contract_awards_field.html" if request.htmx and request.GET.get("company") else None
    return render(request, template or "suivi/contract_form.html", {"form": form, **context})


@staff_only
def contract_create(request):
    positioning = None
    initial = {}
    key = request.GET.get("positionnement")
    if key:
        positioning = get_manageable_or_404(
            request,
            Positioning.objects.select_related("offer__award__company", "participant"),
            public_id=_uuid_or_404(key),
        )
        if positioning.status != PositioningStatus.RETENU or positioning.participant is None:
            messages.error(request, "Seul un candidat retenu par l'employeur peut être embauché.")
            return redirect(positioning)
        if WorkContract.objects.filter(positioning=positioning).exists():
            messages.info(request, "Le contrat de ce candidat est déjà enregistré.")
            return redirect(positioning.contract)
        initial = _initial_from_positioning(positioning)
    elif request.GET.get("participant"):
        participant = get_visible_or_404(request, Participant, public_id=_uuid_or_404(request.GET["participant"]))
        initial = {"participant": participant}
    if request.GET.get("company"):  # the awards of another company, asked for by the form (htmx)
        initial["company"] = request.GET["company"]
    form = _form(request, initial=initial, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        contract = form.instance
        contract.positioning = positioning
        try:
            contract = services.contract_save(contract=contract, awards=form.cleaned_data["awards"], by=request.user)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _saved_message(contract))
            return redirect(contract)
    return _render_form(request, form, positioning=positioning)


def _uuid_or_404(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def _saved_message(contract):
    not_counted = [a for a in contract.assignments.all() if not a.counts]
    if not_counted:
        return (
            "Le contrat est enregistré. Ses heures ne comptent pas encore sur "
            f"{len(not_counted)} marché{'s' if len(not_counted) > 1 else ''} : voyez pourquoi ci-dessous."
        )
    return "Le contrat est enregistré : ses heures comptent sur chaque marché servi."


@staff_only
def contract_detail(request, public_id):
    contract = get_visible_or_404(
        request,
        WorkContract.objects.select_related("participant", "company", "employer", "positioning__offer"),
        public_id=public_id,
    )
    assignments = list(
        contract.assignments.select_related("award__lot__market", "award__company", "diagnosis", "exception_by")
        .annotate(recorded=Sum("hour_entries__hours"))
        .order_by("award__lot__market__reference", "award__lot__number")
    )
    awards = {
        award.pk: award
        for award in attach_award_progress(
            list(with_award_hours(Award.objects.filter(pk__in=[a.award_id for a in assignments])).select_related(
                "lot__market"
            ))
        )
    }  # fmt: skip
    for assignment in assignments:
        assignment.award_progress = awards[assignment.award_id].progress
    total = sum((a.recorded or 0 for a in assignments), 0)
    return render(
        request,
        "suivi/contract_detail.html",
        {
            "contract": contract,
            "assignments": assignments,
            "total": total,
            "long_contract": LONG_CONTRACT_HOURS,
            "is_long": total >= LONG_CONTRACT_HOURS,
            "today": timezone.localdate(),
            **skills_context(request, contract),
            **followup_context(request, contract),
        },
    )


@staff_only
def contract_update(request, public_id):
    contract = get_manageable_or_404(
        request, WorkContract.objects.select_related("participant", "company", "employer"), public_id=public_id
    )
    initial = {"awards": list(contract.awards.all())}
    if request.GET.get("company"):
        initial["company"] = request.GET["company"]
    form = _form(request, instance=contract, initial=initial, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_save(contract=form.instance, awards=form.cleaned_data["awards"], by=request.user)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _saved_message(contract))
            return redirect(contract)
    return _render_form(request, form, contract=contract)


@staff_only
def contract_delete(request, public_id):
    contract = get_manageable_or_404(request, WorkContract.objects.select_related("participant"), public_id=public_id)
    if request.method == "POST":
        try:
            services.contract_delete(contract=contract)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(contract)
        messages.success(request, "Le contrat est supprimé.")
        return redirect("suivi:contract_list")
    return render(
        request,
        "components/confirm_delete.html",
        {
            "object": f"Contrat de {contract.participant.full_name}",
            "title": "Supprimer ce contrat ?",
            "consequences": "Le contrat et les marchés qu'il sert disparaissent. Un contrat qui porte des heures ne "
            "peut pas être supprimé : corrigez plutôt ses dates.",
            "back": contract.get_absolute_url(),
        },
    )


@staff_only
@require_POST
def contract_eligibility(request, public_id):
    contract = get_manageable_or_404(request, WorkContract.objects.select_related("participant"), public_id=public_id)
    try:
        diagnoses = services.contract_assess_eligibility(contract=contract, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        eligible = sum(1 for d in diagnoses if d.eligible)
        messages.success(
            request,
            f"Éligibilité appréciée à la date d'attribution de chaque marché : éligible sur {eligible} "
            f"marché{'s' if eligible > 1 else ''} sur {len(diagnoses)}.",
        )
    return redirect(contract)


@staff_only
def assignment_exception(request, public_id):
    """R-ELIG-4: record (or withdraw) the justified exception for a work-study contract signed before attribution."""
    assignment = get_manageable_or_404(
        request,
        Assignment.objects.select_related("contract__participant", "award__lot__market", "award__company"),
        public_id=public_id,
    )
    contract = assignment.contract
    if request.method == "POST" and request.POST.get("action") == "retirer":
        services.assignment_revoke_exception(assignment=assignment, by=request.user)
        messages.success(request, "L'exception est retirée : les heures de cette alternance ne comptent plus.")
        return redirect(contract)
    form = ExceptionForm(data=request.POST or None, initial={"justification": assignment.exception_justification})
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.assignment_grant_exception(
                assignment=assignment, justification=form.cleaned_data["justification"], by=request.user
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            if assignment.counts:
                messages.success(request, "L'exception est enregistrée : les heures comptent sur ce marché.")
            else:
                messages.warning(
                    request, f"L'exception est enregistrée, mais les heures ne comptent pas : {assignment.reason}."
                )
            return redirect(contract)
    return render(
        request,
        "suivi/assignment_exception.html",
        {
            "assignment": assignment,
            "contract": contract,
            "form": form,
            "back": contract.get_absolute_url(),
        },
    )
