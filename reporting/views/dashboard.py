"""The dashboard of facilitators, committee members and network heads: aggregates only, nobody named."""

from django.shortcuts import render

from clauses.accounts.access import role_required, structures_for_aggregates
from clauses.accounts.enums import Role
from marches.models import Buyer
from marches.progress import today
from reporting import kept
from reporting.dashboard import DashboardFilter, dashboard


@role_required(Role.FACILITATEUR, Role.ADMIN, Role.COMITE, Role.RESEAU)
def dashboard_view(request):
    on = today()
    structures = structures_for_aggregates(request.membership)
    network = request.membership.role == Role.RESEAU
    buyers = Buyer.objects.none() if network else Buyer.objects.filter(structure__in=structures)
    form = DashboardFilter(request.GET or None, buyers=buyers, today=on)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        year, filters = (
            data["year"],
            {"buyer": data["buyer"], "buyer_type": data["buyer_type"], "territory": data["territory"]},
        )
    else:
        year, filters = on.year, {}
    if any(filters.values()):
        board = dashboard(structures, year, on=on, **filters)
    else:
        board = kept.dashboard(structures, year, on=on)
    return render(
        request,
        "reporting/dashboard.html",
        {
            "form": form,
            "board": board,
            "bilan": board.bilan,
            "network": network,
            "structure_count": structures.count(),
            "invalid": form.is_bound and not form.is_valid(),
        },
    )
