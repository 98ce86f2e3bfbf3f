"""A participant's parcours on one page, in date order (issue « frise du parcours »)."""

from django.shortcuts import render
from django.utils import timezone

from clauses.accounts.access import get_visible_or_404, visible
from participants import services as participant_services
from participants.enums import ViewKind
from participants.models import Participant
from suivi import timeline
from suivi.views.common import is_staff, staff_or_prescriber


@staff_or_prescriber
def participant_timeline(request, public_id):
    participant = get_visible_or_404(
        request, Participant.objects.select_related("referent_organisation"), public_id=public_id
    )
    participant_services.view_log(participant_id=participant.pk, user=request.user, what=ViewKind.PARCOURS)
    staff = is_staff(request)
    if not staff and not participant.consents.filter(withdrawn_on__isnull=True).exists():
        # Consent withdrawn: a partner sees who the person is, nothing of their parcours.
        return render(request, "participants/participant_withdrawn.html", {"participant": participant})
    today = timezone.localdate()
    entries = timeline.build(lambda model: visible(request, model), participant, today=today)
    shown = request.GET.getlist("type")
    known = [kind for kind in shown if kind in timeline.KINDS]
    if known:
        entries = [entry for entry in entries if entry.kind in known]
    upcoming = [entry for entry in entries if entry.upcoming]
    past = [entry for entry in entries if not entry.upcoming]
    return render(
        request,
        "suivi/timeline.html",
        {
            "participant": participant,
            "upcoming": sorted(upcoming, key=lambda e: e.day),
            "past": past,
            "kinds": timeline.KINDS,
            "shown": known,
            "is_staff": staff,
            "today": today,
        },
    )
