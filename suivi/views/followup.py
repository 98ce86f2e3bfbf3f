"""Follow-up in employment and incident alerts (R-INCIDENT, R-RESERVED). Facilitators record and close; the
référent sees the follow-up of the people they follow, read only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import redirect, render

from clauses.accounts.access import get_manageable_or_404, get_visible_or_404, visible
from clauses.pagination import paginate
from clauses.queueing import queue_after_commit
from suivi.enums import FollowUpKind, Severity
from suivi.forms_followup import AlertCloseForm, AlertFilter, EventForm
from suivi.models import FollowUpEvent, WorkContract
from suivi.services import followup as services
from suivi.tasks import send_followup_email
from suivi.views.common import form_errors_from, is_staff, staff_only, staff_or_prescriber

ALERT_ORDER = (
    Case(When(closed_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()),
    Case(
        When(severity=Severity.URGENTE, then=Value(0)),
        When(severity=Severity.GRAVE, then=Value(1)),
        When(severity=Severity.MOYENNE, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    ),
    "-date",
    "-pk",
)


def followup_context(request, contract):
    """What the contract page shows of the follow-up (suivi/followup/_contract_events.html): two queries."""
    events = list(visible(request, FollowUpEvent).filter(contract=contract).select_related("created_by", "closed_by"))
    follow_up = (
        WorkContract.objects.with_employer_follow_up()
        .filter(pk=contract.pk)
        .values_list("employer_follow_up", flat=True)
    )
    contract.employer_follow_up = bool(follow_up.first())
    return {
        "follow_up_events": events,
        "open_alerts": [e for e in events if e.is_open_alert],
        "employer_follow_up": contract.employer_follow_up,
    }


@staff_only
def event_create(request, public_id):
    contract = get_manageable_or_404(
        request,
        WorkContract.objects.with_employer_follow_up().select_related("participant", "company"),
        public_id=public_id,
    )
    incident = request.GET.get("type") == FollowUpKind.INCIDENT
    initial = {"kind": FollowUpKind.INCIDENT} if incident else {}
    form = EventForm(data=request.POST or None, initial=initial, employer_follow_up=contract.is_followed_by_employer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.event_record(
                contract=contract,
                by=request.user,
                kind=data["kind"],
                date=data["date"],
                note=data["note"],
                incident_type=data["incident_type"],
                severity=data["severity"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            if event.is_open_alert and event.is_urgent:
                queue_after_commit(send_followup_email, "alert", event.pk)
                messages.warning(
                    request,
                    "Alerte urgente ouverte : les facilitateurs de la structure et le référent de parcours sont "
                    "prévenus par e-mail. Elle reste ouverte jusqu'à ce que vous la clôturiez en disant ce qui a été "
                    "fait.",
                )
            elif event.is_open_alert:
                messages.success(request, "L'incident est enregistré : l'alerte reste ouverte jusqu'à sa clôture.")
            else:
                messages.success(request, "Le suivi est enregistré.")
            return redirect(event if event.is_incident else f"{contract.get_absolute_url()}#titre-suivi")
    return render(
        request, "suivi/followup/event_form.html", {"contract": contract, "form": form, "incident": incident}
    )


@staff_or_prescriber
def event_detail(request, public_id):
    event = get_visible_or_404(
        request,
        FollowUpEvent.objects.select_related(
            "contract__participant__referent_organisation", "contract__company", "created_by", "closed_by"
        ),
        public_id=public_id,
    )
    return render(request, "suivi/followup/event_detail.html", {"event": event, "is_staff": is_staff(request)})


@staff_only
def alert_close(request, public_id):
    event = get_manageable_or_404(
        request,
        FollowUpEvent.objects.incidents().select_related("contract__participant", "contract__company", "closed_by"),
        public_id=public_id,
    )
    form = AlertCloseForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_close(event=event, by=request.user, action_taken=form.cleaned_data["action_taken"])
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, "L'alerte est close : ce qui a été fait est visible du référent.")
            return redirect(event)
    return render(request, "suivi/followup/alert_close.html", {"event": event, "form": form})


@staff_or_prescriber
def alert_list(request):
    alerts = (
        visible(request, FollowUpEvent)
        .incidents()
        .select_related("contract__participant__referent_organisation", "contract__company", "closed_by")
    )
    data = request.GET.copy()
    data.setdefault("state", "ouvertes")
    filterset = AlertFilter(data, queryset=alerts)
    found = filterset.qs if filterset.is_valid() else alerts.none()
    page = paginate(request, found.order_by(*ALERT_ORDER))
    return render(
        request,
        "suivi/followup/alert_list.html",
        {
            "filter": filterset,
            "page": page,
            "is_staff": is_staff(request),
            "open_count": alerts.filter(closed_at__isnull=True).count(),
        },
    )
