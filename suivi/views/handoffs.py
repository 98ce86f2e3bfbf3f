"""Passages de relais (R-SEQ, R-RECONTACT): the facilitator prepares and sends them, the référent acknowledges
them. A prescriber sees only the handoffs about their people, once sent."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from clauses.accounts.access import get_manageable_or_404, get_visible_or_404, visible
from clauses.pagination import paginate
from clauses.queueing import queue_after_commit
from participants.models import Participant, Proof
from suivi.enums import HandoffKind, HandoffStatus
from suivi.forms_followup import (
    HandoffAcknowledgeForm,
    HandoffCancelForm,
    HandoffCreateForm,
    HandoffFilter,
    HandoffSendForm,
    proofs_of,
)
from suivi.models import Handoff
from suivi.services import handoffs as services
from suivi.tasks import send_followup_email
from suivi.views.common import form_errors_from, is_staff, staff_only, staff_or_prescriber

STATUS_ORDER = Case(
    When(status=HandoffStatus.A_ENVOYER, then=Value(0)),
    When(status=HandoffStatus.ENVOYE, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
RELATED = ("participant", "from_organisation", "to_organisation", "contract", "structure")


def _sent_message(handoff):
    return (
        f"Le passage de relais est envoyé : {services.referent_side(handoff).name} est prévenu par e-mail et pourra "
        "en accuser réception."
    )


def _queue_email(handoff):
    queue_after_commit(send_followup_email, "handoff", handoff.pk)


@staff_or_prescriber
def handoff_list(request):
    handoffs = visible(request, Handoff).select_related(*RELATED)
    filterset = HandoffFilter(request.GET or None, queryset=handoffs)
    found = filterset.qs if not filterset.is_bound or filterset.is_valid() else handoffs.none()
    page = paginate(request, found.order_by(STATUS_ORDER, "-proposed_on", "-pk"))
    staff = is_staff(request)
    context = {
        "filter": filterset,
        "page": page,
        "is_staff": staff,
        "to_send": handoffs.to_send().count() if staff else 0,
        "awaiting": handoffs.awaiting_acknowledgement().count(),
        "statuses": HandoffStatus,
    }
    if staff:
        # R-SEQ: out of the clause, but nobody to hand them back to yet.
        context["without_referent"] = list(
            services.participants_awaiting_referent(timezone.localdate(), visible(request, Participant)).order_by(
                "last_name", "first_name"
            )[:50]
        )
    return render(request, "suivi/handoffs/handoff_list.html", context)


@staff_or_prescriber
def handoff_detail(request, public_id):
    handoff = get_visible_or_404(
        request,
        Handoff.objects.select_related(*RELATED, "referral", "created_by", "sent_by", "acknowledged_by"),
        public_id=public_id,
    )
    staff = is_staff(request)
    referent = services.referent_side(handoff)
    return render(
        request,
        "suivi/handoffs/handoff_detail.html",
        {
            "handoff": handoff,
            "proofs": visible(request, handoff.proofs.order_by("kind", "-issue_date")),
            "is_staff": staff,
            "referent": referent,
            "can_acknowledge": handoff.status == HandoffStatus.ENVOYE
            and (staff or request.membership.organisation_id == referent.pk),
        },
    )


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@staff_only
def handoff_create(request):
    participants = visible(request, Participant).not_anonymised()
    initial = {}
    key = _uuid(request.GET.get("participant"))
    if key:
        initial["participant"] = participants.filter(public_id=key).first()
    if request.GET.get("type") in HandoffKind.values:
        initial["kind"] = request.GET["type"]
    form = HandoffCreateForm(data=request.POST or None, initial=initial, participants=participants)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            handoff = services.handoff_create(
                structure=request.membership.organisation,
                participant=data["participant"],
                kind=data["kind"],
                by=request.user,
                documents=data["documents"] or None,
                note=data["note"],
                participant_message=data["participant_message"],
                send=data["send_now"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            if handoff.status == HandoffStatus.ENVOYE:
                _queue_email(handoff)
                messages.success(request, _sent_message(handoff))
            else:
                messages.success(request, "Le passage de relais est préparé : envoyez-le quand il est complet.")
            return redirect(handoff)
    return render(request, "suivi/handoffs/handoff_form.html", {"form": form})


@staff_only
def handoff_send(request, public_id):
    handoff = get_manageable_or_404(request, Handoff.objects.select_related(*RELATED), public_id=public_id)
    if handoff.status != HandoffStatus.A_ENVOYER:
        messages.info(request, f"Ce passage de relais est « {handoff.get_status_display()} » : plus rien à envoyer.")
        return redirect(handoff)
    form = HandoffSendForm(
        data=request.POST or None, instance=handoff, proofs=proofs_of(handoff.participant, visible(request, Proof))
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            handoff = services.handoff_send(
                handoff=handoff,
                by=request.user,
                participant_message=data.get("participant_message"),
                note=data["note"],
                documents=data["documents"],
                proofs=data["proofs"],
                to_name=data["to_name"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            _queue_email(handoff)
            messages.success(request, _sent_message(handoff))
            return redirect(handoff)
    return render(
        request,
        "suivi/handoffs/handoff_send.html",
        {"handoff": handoff, "form": form, "referent": services.referent_side(handoff)},
    )


@staff_or_prescriber
def handoff_acknowledge(request, public_id):
    handoff = get_visible_or_404(request, Handoff.objects.select_related(*RELATED), public_id=public_id)
    staff = is_staff(request)
    if handoff.status != HandoffStatus.ENVOYE:
        messages.info(request, f"Ce passage de relais est « {handoff.get_status_display()} ».")
        return redirect(handoff)
    form = HandoffAcknowledgeForm(data=request.POST or None, by_staff=staff)
    if request.method == "POST" and form.is_valid():
        try:
            services.handoff_acknowledge(handoff=handoff, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            if hasattr(error, "error_dict") and "acknowledgement_note" in error.error_dict:
                form.add_error("note", error.message_dict["acknowledgement_note"])
            else:
                form_errors_from(error, form)
        else:
            messages.success(request, "La réception du passage de relais est enregistrée.")
            return redirect(handoff)
    return render(
        request, "suivi/handoffs/handoff_acknowledge.html", {"handoff": handoff, "form": form, "is_staff": staff}
    )


@staff_only
@require_http_methods(["GET", "POST"])
def handoff_cancel(request, public_id):
    handoff = get_manageable_or_404(request, Handoff.objects.select_related(*RELATED), public_id=public_id)
    form = HandoffCancelForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.handoff_cancel(handoff=handoff, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Le passage de relais est annulé.")
        return redirect(handoff)
    return render(request, "suivi/handoffs/handoff_cancel.html", {"handoff": handoff, "form": form})
