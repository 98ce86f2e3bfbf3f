"""Committee pages (R-COMMITTEE): the staff prepare, hold and record meetings; committee members and prescribers see
the meetings they attend. People appear by initials and identifier only, on every page and in the minutes."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clauses.accounts.access import get_manageable_or_404, get_visible_or_404, role_required, visible
from clauses.accounts.enums import Role
from clauses.accounts.models import Membership, Organisation
from clauses.pagination import paginate
from clauses.pdf import pdf_response, render_pdf
from clauses.redirects import safe_path
from comites import services
from comites.agenda import cited_people
from comites.enums import DECISION_OPEN, DecisionKind, DecisionStatus
from comites.filters import ActionFilter, MeetingFilter
from comites.forms import DecisionForm, DecisionStatusForm, MeetingForm, users_of
from comites.models import CommitteeDecision, CommitteeMeeting
from marches.models import Company
from participants.models import Participant
from suivi.views.common import STAFF, form_errors_from, is_staff

staff_only = role_required(*STAFF)
attendee_roles = role_required(*STAFF, Role.COMITE, Role.PRESCRIPTEUR)


def _meetings(request):
    return visible(request, CommitteeMeeting).annotate(
        decision_count=Count("decisions", distinct=True),
        open_count=Count("decisions", filter=Q(decisions__status__in=DECISION_OPEN), distinct=True),
    )


@attendee_roles
def meeting_list(request):
    today = timezone.localdate()
    meetings = _meetings(request)
    filterset = MeetingFilter(request.GET or None, queryset=meetings)
    found = filterset.qs if not filterset.is_bound or filterset.is_valid() else meetings.none()
    upcoming = list(found.upcoming(today).order_by("date", "start_time", "pk")[:20])
    page = paginate(request, found.past(today).order_by("-date", "-start_time", "-pk"))
    return render(
        request,
        "comites/meeting_list.html",
        {"filter": filterset, "upcoming": upcoming, "page": page, "is_staff": is_staff(request), "today": today},
    )


def _meeting_form(request, *, instance=None, data=None):
    return MeetingForm(
        data=data,
        instance=instance,
        users=users_of(visible(request, Membership)),
        organisations=visible(request, Organisation).exclude(pk=request.membership.organisation.pk).active(),
        companies=visible(request, Company),
    )


def _save_meeting(request, form):
    meeting = form.save(commit=False)
    meeting.structure = request.membership.organisation
    try:
        return services.meeting_save(
            meeting=meeting,
            by=request.user,
            attendees=form.cleaned_data["attendees"],
            organisations=form.cleaned_data["organisations"],
            companies=form.cleaned_data["companies"],
        )
    except ValidationError as error:
        form_errors_from(error, form)
        return None


@staff_only
def meeting_create(request):
    form = _meeting_form(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid() and (meeting := _save_meeting(request, form)):
        messages.success(request, "Réunion créée. Préparez son ordre du jour à partir des données.")
        return redirect(meeting)
    return render(request, "comites/meeting_form.html", {"form": form, "meeting": None})


@staff_only
def meeting_update(request, public_id):
    meeting = get_manageable_or_404(request, CommitteeMeeting, public_id=public_id)
    form = _meeting_form(request, instance=meeting, data=request.POST or None)
    if request.method == "POST" and form.is_valid() and _save_meeting(request, form):
        messages.success(request, "Réunion enregistrée.")
        return redirect(meeting)
    return render(request, "comites/meeting_form.html", {"form": form, "meeting": meeting})


def _meeting_with_people(request, public_id):
    return get_visible_or_404(
        request,
        visible(request, CommitteeMeeting)
        .select_related("held_by", "structure")
        .prefetch_related(
            Prefetch("attendees", queryset=get_user_model().objects.order_by("last_name", "first_name")),
            "organisations",
            "companies",
            Prefetch(
                "decisions",
                queryset=CommitteeDecision.objects.select_related("owner_user", "participant").order_by(
                    "kind", "due_date", "pk"
                ),
            ),
        ),
        public_id=public_id,
    )


def _decision_form(request, meeting, *, instance=None, data=None):
    people = visible(request, Participant).filter(public_id__in=cited_people(meeting.shown_agenda()))
    if instance is not None and instance.participant_id:
        people = people | visible(request, Participant).filter(pk=instance.participant_id)
    return DecisionForm(
        data=data,
        instance=instance,
        meeting=meeting,
        owners=users_of(visible(request, Membership)),
        people=people,
        prefix="decision",
    )


def _detail(request, meeting, *, decision_form=None, status=200):
    staff = is_staff(request)
    decisions = list(meeting.decisions.all())
    context = {
        "meeting": meeting,
        "agenda": meeting.shown_agenda(),
        "decisions": [d for d in decisions if d.kind == DecisionKind.DECISION],
        "actions": [d for d in decisions if d.kind == DecisionKind.ACTION],
        "is_staff": staff,
        "today": timezone.localdate(),
        "status_choices": DecisionStatus.choices,
    }
    if staff:
        context["decision_form"] = decision_form or _decision_form(request, meeting)
        context["status_form"] = DecisionStatusForm()
    return render(request, "comites/meeting_detail.html", context, status=status)


@attendee_roles
def meeting_detail(request, public_id):
    return _detail(request, _meeting_with_people(request, public_id))


@staff_only
@require_POST
def meeting_prepare(request, public_id):
    meeting = get_manageable_or_404(request, CommitteeMeeting, public_id=public_id)
    try:
        services.meeting_prepare_agenda(meeting=meeting, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Ordre du jour préparé à partir des données du jour.")
    return redirect(meeting)


@staff_only
def meeting_held(request, public_id):
    meeting = get_manageable_or_404(request, CommitteeMeeting, public_id=public_id)
    errors = []
    if request.method == "POST":
        try:
            services.meeting_mark_held(meeting=meeting, by=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, "Réunion notée comme tenue. Consignez ses décisions et ses actions.")
            return redirect(meeting)
    return render(request, "comites/meeting_held.html", {"meeting": meeting, "errors": errors})


@attendee_roles
def minutes_pdf(request, public_id):
    meeting = _meeting_with_people(request, public_id)
    decisions = list(meeting.decisions.all())
    content = render_pdf(
        "pdf/committee_minutes.html",
        {
            "meeting": meeting,
            "agenda": meeting.shown_agenda(),
            "decisions": [d for d in decisions if d.kind == DecisionKind.DECISION],
            "actions": [d for d in decisions if d.kind == DecisionKind.ACTION],
            "generated_at": timezone.now(),
        },
    )
    stem = "compte-rendu" if meeting.is_held else "ordre-du-jour"
    return pdf_response(content, f"{stem}-{meeting.get_kind_display()}-{meeting.date:%Y-%m-%d}")


@staff_only
def decision_create(request, public_id):
    meeting = get_manageable_or_404(request, CommitteeMeeting, public_id=public_id)
    if request.method != "POST":
        return redirect(f"{meeting.get_absolute_url()}#decisions")
    form = _decision_form(request, meeting, data=request.POST)
    if form.is_valid():
        try:
            services.decision_save(decision=form.save(commit=False), by=request.user)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, f"{form.instance.get_kind_display().capitalize()} enregistrée.")
            return redirect(f"{meeting.get_absolute_url()}#decisions")
    return _detail(request, _meeting_with_people(request, public_id), decision_form=form, status=422)


@staff_only
def decision_update(request, public_id):
    decision = get_manageable_or_404(request, CommitteeDecision.objects.select_related("meeting"), public_id=public_id)
    meeting = decision.meeting
    form = _decision_form(request, meeting, instance=decision, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_save(decision=form.save(commit=False), by=request.user)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, "Modification enregistrée.")
            return redirect(f"{meeting.get_absolute_url()}#decisions")
    return render(request, "comites/decision_form.html", {"form": form, "decision": decision, "meeting": meeting})


@staff_only
@require_POST
def decision_status(request, public_id):
    decision = get_manageable_or_404(request, CommitteeDecision.objects.select_related("meeting"), public_id=public_id)
    form = DecisionStatusForm(data=request.POST)
    if form.is_valid():
        try:
            services.decision_set_status(decision=decision, status=form.cleaned_data["status"], by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Statut changé : {decision.get_status_display()}.")
    else:
        messages.error(request, " ".join(form.errors["status"]))
    if target := safe_path(request, request.POST.get("next")):
        return HttpResponseRedirect(target)
    return redirect(f"{decision.meeting.get_absolute_url()}#decisions")


@attendee_roles
def action_list(request):
    today = timezone.localdate()
    actions = visible(request, CommitteeDecision).actions().select_related("meeting", "owner_user", "participant")
    data = request.GET or {"state": "ouvertes"}
    filterset = ActionFilter(data, queryset=actions, user=request.user, today=today)
    found = filterset.qs if filterset.is_valid() else actions.none()
    page = paginate(request, found.order_by("due_date", "meeting__date", "pk"))
    return render(
        request,
        "comites/action_list.html",
        {
            "filter": filterset,
            "page": page,
            "is_staff": is_staff(request),
            "today": today,
            "status_choices": DecisionStatus.choices,
        },
    )
