"""Sorties and the checks at 6, 12, 18 and 24 months after the first clause contract (R-OUTCOME).

Facilitators record them; the person's référent de parcours reads them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, Value, When
from django.shortcuts import redirect, render
from django.utils import timezone

from clauses.accounts.access import get_manageable_or_404, visible
from clauses.pagination import paginate
from participants.models import Participant
from suivi import outcomes as rules
from suivi.enums import CheckStatus
from suivi.forms_outcomes import CheckFilter, CheckForm, OutcomeForm
from suivi.models import Outcome, OutcomeCheck, WorkContract
from suivi.services import outcomes as services
from suivi.views.common import form_errors_from, is_staff, staff_only, staff_or_prescriber
from suivi.views.skills import followed_participant_or_404


def with_states(checks, today):
    """Attach what the list shows of each check (à venir, à faire, en retard, fait, injoignable)."""
    for check in checks:
        check.state = rules.check_state(due_date=check.due_date, status=check.status, on=today)
    return checks


def checks_due(queryset, today):
    """The checks to do now (due, late or not): for the facilitator's to-do list."""
    return queryset.filter(status=CheckStatus.A_FAIRE, due_date__lte=today)


def checks_overdue(queryset, today):
    """The checks still to do OVERDUE_AFTER_DAYS after their due date ("en retard")."""
    return queryset.filter(status=CheckStatus.A_FAIRE, due_date__lte=rules.overdue_due_dates_before(today))


@staff_or_prescriber
def check_list(request):
    today = timezone.localdate()
    checks = visible(request, OutcomeCheck).select_related("participant", "checked_by")
    filterset = CheckFilter(request.GET or None, queryset=checks, today=today)
    found = filterset.qs if not filterset.is_bound or filterset.is_valid() else checks.none()
    # Late first, then due, then upcoming (soonest first), then those done (latest first).
    pending = Q(status=CheckStatus.A_FAIRE)
    rank = Case(
        When(pending & Q(due_date__lte=rules.overdue_due_dates_before(today)), then=Value(0)),
        When(pending & Q(due_date__lte=today), then=Value(1)),
        When(pending, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    page = paginate(request, found.annotate(rank=rank).order_by("rank", "due_date", "pk"))
    with_states(page.object_list, today)
    return render(
        request,
        "suivi/outcomes/check_list.html",
        {
            "filter": filterset,
            "page": page,
            "is_staff": is_staff(request),
            "late_count": checks_overdue(checks, today).count(),
            "due_count": checks_due(checks, today).count(),
            "overdue_after": rules.OVERDUE_AFTER_DAYS,
        },
    )


@staff_only
def check_update(request, public_id):
    check = get_manageable_or_404(request, OutcomeCheck.objects.select_related("participant"), public_id=public_id)
    today = timezone.localdate()
    initial = {"status": CheckStatus.FAIT, "checked_on": today}
    if check.status != CheckStatus.A_FAIRE:
        initial = {
            "status": check.status,
            "checked_on": check.checked_on,
            "situation": check.situation,
            "employer": check.employer,
            "note": check.note,
        }
    form = CheckForm(data=request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_check_record(check=check, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, f"Le point à {check.months} mois est enregistré.")
            return redirect("suivi:participant_outcomes", check.participant.public_id)
    check.state = rules.check_state(due_date=check.due_date, status=check.status, on=today)
    return render(request, "suivi/outcomes/check_form.html", {"check": check, "form": form})


@staff_only
def outcome_create(request, public_id):
    participant = get_manageable_or_404(request, Participant, public_id=public_id)
    contracts = visible(request, WorkContract).filter(participant=participant)
    form = OutcomeForm(data=request.POST or None, initial=services.outcome_initial(participant), contracts=contracts)
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_create(participant=participant, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, "La sortie est enregistrée.")
            return redirect("suivi:participant_outcomes", participant.public_id)
    return render(request, "suivi/outcomes/outcome_form.html", {"participant": participant, "form": form})


@staff_or_prescriber
def participant_outcomes(request, public_id):
    """A person's sorties and checks; the facilitator records them, the référent reads them."""
    participant = followed_participant_or_404(request, public_id)
    today = timezone.localdate()
    outcomes = visible(request, Outcome).filter(participant=participant).select_related("contract__company")
    checks = with_states(
        list(visible(request, OutcomeCheck).filter(participant=participant).select_related("checked_by")), today
    )
    first_start = services.first_contract_starts([participant]).get(participant.pk)
    planned = []
    if first_start:
        created = {check.months for check in checks}
        planned = [(m, due) for m, due in rules.check_due_dates(first_start).items() if m not in created]
    return render(
        request,
        "suivi/outcomes/participant_outcomes.html",
        {
            "participant": participant,
            "outcomes": outcomes,
            "checks": checks,
            "planned": planned,
            "first_start": first_start,
            "is_staff": is_staff(request),
        },
    )
