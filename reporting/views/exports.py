"""Exports: the structure's markets, awards, contracts and hours as CSV or XLSX, every download logged.

Facilitators and admins export their structure's data (through `visible`); the export naming people is for admins
only. Committee members, prescribers and network heads get 403: they see aggregates, never rows.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from clauses.accounts.access import role_required, visible
from clauses.accounts.enums import Role
from clauses.exports import csv_response, xlsx_response
from marches.models import Award, Market
from reporting import exports
from reporting.forms import ExportFilterForm
from reporting.models import ExportLog
from suivi.models import HourEntry, WorkContract

staff_only = role_required(Role.FACILITATEUR, Role.ADMIN)
RECENT_LOGS = 20


def _table(request, name, year):
    """(header, rows) of the export `name`, from the querysets the membership may see."""
    match name:
        case "marches":
            return exports.market_table(exports.prepare_markets(visible(request, Market), year))
        case "attributions":
            return exports.award_table(exports.prepare_awards(visible(request, Award), year))
        case "contrats" | "contrats_nominatifs":
            contracts = exports.prepare_contracts(visible(request, WorkContract), year)
            return exports.contract_table(contracts, named=name == "contrats_nominatifs")
        case "heures":
            return exports.hour_table(exports.prepare_hours(visible(request, HourEntry), year))
    raise Http404("Export inconnu.")


def _filter_form(request):
    return ExportFilterForm(request.GET if "annee" in request.GET else None)


@staff_only
def export_list(request):
    role = request.membership.role
    form = _filter_form(request)
    year = form.cleaned_data["annee"] if form.is_bound and form.is_valid() else None
    context = {
        "form": form,
        "year": year,
        "exports": [export for export in exports.EXPORTS.values() if export.allowed_for(role)],
        "formats": exports.FORMATS,
        "is_admin": role == Role.ADMIN,
    }
    if role == Role.ADMIN:
        logs = list(visible(request, ExportLog).select_related("user")[:RECENT_LOGS])
        for log in logs:
            log.title = exports.EXPORTS[log.kind].title if log.kind in exports.EXPORTS else log.kind
        context["logs"] = logs
    return render(request, "reporting/exports.html", context)


@staff_only
def export_download(request, name, fmt):
    export = exports.EXPORTS.get(name)
    if export is None or fmt not in exports.FORMATS:
        raise Http404("Export inconnu.")
    if not export.allowed_for(request.membership.role):
        raise PermissionDenied("Cet export contient des données personnelles : il est réservé aux administrateurs.")
    form = _filter_form(request)
    if form.is_bound and not form.is_valid():
        messages.error(request, "Corrigez l'année avant d'exporter.")
        return redirect(f"{reverse('reporting:exports')}?{request.GET.urlencode()}")
    year = form.cleaned_data["annee"] if form.is_bound else None
    header, rows = _table(request, name, year)
    ExportLog.objects.create(
        structure=request.membership.organisation,
        user=request.user,
        kind=name,
        file_format=fmt,
        personal_data=export.personal_data,
        row_count=len(rows),
        filters={"annee": year} if year else {},
    )
    filename = f"{name}-{year or 'tout'}-{timezone.localdate():%Y-%m-%d}"
    if fmt == "xlsx":
        return xlsx_response(filename, header, rows, export.title)
    return csv_response(filename, header, rows)
