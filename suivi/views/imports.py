"""Import of the facilitators' tracking spreadsheets: upload, preview, confirm or give up; the template."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clauses.accounts.access import get_manageable_or_404, get_visible_or_404, visible
from clauses.exports import XLSX_TYPE, csv_response
from clauses.pagination import paginate
from clauses.templatetags.ui import pluriel
from suivi import imports
from suivi.enums import ImportStatus
from suivi.forms_imports import ImportUploadForm, TemplateMonthForm
from suivi.models import HourEntry, HourImport, WorkContract
from suivi.views.common import staff_only

IMPORT_TONES = {
    ImportStatus.EN_ATTENTE: ("warning", "hourglass-split"),
    ImportStatus.APPLIQUE: ("success", "check-circle"),
    ImportStatus.ABANDONNE: ("secondary", "x-circle"),
}
PREVIEW_PAGE_SIZE = 100
ERRORS_SHOWN = 20


def _tone(hour_import):
    hour_import.tone, hour_import.icon = IMPORT_TONES.get(hour_import.status, ("secondary", ""))
    return hour_import


@staff_only
def import_start(request):
    form = ImportUploadForm(data=request.POST or None, files=request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            hour_import = imports.hour_import_create(
                structure=request.membership.organisation,
                uploaded_file=form.cleaned_data["file"],
                month=form.cleaned_data["month"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            return redirect(hour_import)
    page = paginate(request, visible(request, HourImport).select_related("uploaded_by").order_by("-uploaded_at"))
    for hour_import in page.object_list:
        _tone(hour_import)
    return render(
        request,
        "suivi/import_start.html",
        {
            "form": form,
            "template_form": TemplateMonthForm(),
            "columns": imports.COLUMNS,
            "rules": imports.RULES,
            "page": page,
        },
    )


@staff_only
def import_template(request, fmt):
    """The file to fill in: the header, and with ?mois= one row per running contract and market it serves."""
    if fmt not in (imports.XLSX, imports.CSV):
        raise Http404("Format de modèle inconnu.")
    form = TemplateMonthForm(data=request.GET)
    if not form.is_valid():
        messages.error(request, form.errors["mois"][0])
        return redirect("suivi:import_start")
    month = form.cleaned_data["mois"]
    rows = imports.template_rows(visible(request, WorkContract), month) if month else []
    filename = f"heures-{month:%Y-%m}" if month else "modele-import-heures"
    if fmt == imports.CSV:
        return csv_response(filename, imports.HEADER, rows)
    response = HttpResponse(imports.template_xlsx(rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


@staff_only
def import_detail(request, public_id):
    hour_import = _tone(
        get_visible_or_404(request, HourImport.objects.select_related("uploaded_by"), public_id=public_id)
    )
    context = {"hour_import": hour_import, "month": imports.default_month_of(hour_import)}
    if hour_import.status == ImportStatus.EN_ATTENTE:
        context.update(_preview_context(request, hour_import))
    elif hour_import.status == ImportStatus.APPLIQUE:
        entries = (
            visible(request, HourEntry)
            .filter(hour_import=hour_import)
            .select_related("assignment__contract__participant", "award__lot__market", "subcontractor")
            .order_by("month", "pk")
        )
        context["entries"] = paginate(request, entries)
        context["summary"] = hour_import.summary or {}
    return render(request, "suivi/import_detail.html", context)


def _preview_context(request, hour_import):
    try:
        preview = imports.preview_import(hour_import)
    except ValidationError as error:
        return {"file_errors": error.messages}
    same_file = (
        visible(request, HourImport)
        .filter(sha256=hour_import.sha256, status=ImportStatus.APPLIQUE)
        .exclude(pk=hour_import.pk)
        .select_related("uploaded_by")
        .order_by("-applied_at")
        .first()
    )
    paginator = Paginator(preview.rows, PREVIEW_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.elided_range = paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    page.param = "page"
    messages_list = preview.messages
    return {
        "preview": preview,
        "rows": page,
        "same_file": same_file,
        "error_messages": messages_list[:ERRORS_SHOWN],
        "more_errors": max(len(messages_list) - ERRORS_SHOWN, 0),
    }


def _counts(rows, created, updated, unchanged):
    """'2 lignes importées : 3 saisies d'heures créées, 0 modifiée, 1 inchangée.' (a row may hold worked and
    training hours: two entries)."""
    return (
        f"{rows} ligne{pluriel(rows)} importée{pluriel(rows)} : {created} saisie{pluriel(created)} d'heures "
        f"créée{pluriel(created)}, {updated} modifiée{pluriel(updated)}, {unchanged} inchangée{pluriel(unchanged)}."
    )


@require_POST
@staff_only
def import_confirm(request, public_id):
    hour_import = get_manageable_or_404(request, HourImport, public_id=public_id)
    try:
        outcome = imports.hour_import_apply(
            hour_import=hour_import, by=request.user, fingerprint=request.POST.get("apercu", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(hour_import)
    if outcome.changed:
        messages.warning(
            request,
            "Des heures ont été saisies ou modifiées depuis l'aperçu : rien n'a été importé. Relisez l'aperçu mis "
            "à jour ci-dessous, puis confirmez de nouveau.",
        )
        return redirect(hour_import)
    if not outcome.applied:
        found = outcome.messages
        if not found:
            messages.error(request, "Le fichier ne contient aucune ligne d'heures : rien n'a été importé.")
        else:
            rest = len(found) - 5
            shown = " ".join(found[:5])
            if rest > 0:
                shown += f" … et {rest} autre{pluriel(rest)} erreur{pluriel(rest)}."
            messages.error(
                request,
                f"Rien n'a été importé : {outcome.preview.error_rows} ligne{pluriel(outcome.preview.error_rows)} "
                f"en erreur. {shown}",
            )
        return redirect(hour_import)
    result = outcome.result
    messages.success(request, _counts(len(outcome.preview.rows), result.created, result.updated, result.unchanged))
    return redirect(hour_import)


@require_POST
@staff_only
def import_cancel(request, public_id):
    hour_import = get_manageable_or_404(request, HourImport, public_id=public_id)
    try:
        imports.hour_import_cancel(hour_import=hour_import, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(hour_import)
    messages.success(request, "L'import est abandonné : aucune heure n'a été enregistrée et le fichier est effacé.")
    return redirect("suivi:import_start")
