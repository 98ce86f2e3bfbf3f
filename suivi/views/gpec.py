"""R-GPEC: the anticipation view. No person is named on it, so committee members may see it too (aggregates)."""

from django.shortcuts import render
from django.utils import timezone

from clauses.accounts.access import role_required
from clauses.accounts.enums import Role
from suivi import gpec as rules
from suivi.views.common import STAFF, is_staff


@role_required(*STAFF, Role.COMITE)
def gpec(request):
    today = timezone.localdate()
    return render(
        request,
        "suivi/gpec.html",
        {
            "gpec": rules.gpec(request.membership.organisation, today),
            "hours_per_candidate": rules.HOURS_PER_CANDIDATE,
            "fte_hours": rules.FTE_HOURS,
            "horizon_months": rules.HORIZON_MONTHS,
            "is_staff": is_staff(request),
        },
    )
