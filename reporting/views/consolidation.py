"""National consolidation tables (R-CONSO) on screen and as a workbook: every structure for the national network
head, the region's for a regional one, their own structure for the others."""

from django.shortcuts import render

from clauses.accounts.access import role_required, structures_for_aggregates
from clauses.accounts.enums import Role
from clauses.exports import xlsx_sheets_response
from marches.models import Buyer
from marches.progress import today
from reporting import kept
from reporting.dashboard import DashboardFilter


@role_required(Role.FACILITATEUR, Role.ADMIN, Role.COMITE, Role.RESEAU)
def consolidation(request):
    on = today()
    structures = structures_for_aggregates(request.membership)
    form = DashboardFilter(request.GET or None, buyers=Buyer.objects.none(), today=on)
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else on.year
    tables = kept.consolidate(structures, year, on)
    if request.GET.get("format") == "xlsx":
        return xlsx_sheets_response(
            f"consolidation-{year}", [(table.title, table.header, table.rows) for table in tables]
        )
    return render(
        request,
        "reporting/consolidation.html",
        {
            "form": form,
            "year": year,
            "tables": tables,
            "structure_count": structures.count(),
            "network": request.membership.role == Role.RESEAU,
        },
    )
