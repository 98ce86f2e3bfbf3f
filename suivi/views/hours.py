"""Monthly statements of hours: the grid of a company or a market, a contract's months, what is left to enter,
and the companies falling behind (R-HRS-3, R-HRS-4, R-HRS-5)."""

from decimal import Decimal

from django.contrib import messages
from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.shortcuts import redirect, render
from django.utils import timezone

from clauses.accounts.access import get_visible_or_404, visible
from clauses.pagination import paginate
from marches.enums import ATTRIBUTED
from marches.models import Award, Company, Market
from marches.progress import attach_company_progress, attach_market_progress, with_market_hours
from suivi import grid, services
from suivi import hours as rules
from suivi.enums import PERSON_KINDS
from suivi.forms import HoursGridForm
from suivi.indicators import contract_hours_total, long_contract_share, long_contract_share_by
from suivi.models import LONG_CONTRACT_HOURS, Assignment, HourEntry, WorkContract
from suivi.templatetags.hours_grid import hours_input
from suivi.views.common import staff_only


def _current_month():
    return rules.month_start(timezone.localdate())


def _chosen_month(request):
    """The month asked for (`?mois=2026-10`), else the previous one: statements arrive after the month ends."""
    month = rules.parse_month(request.GET.get("mois", ""))
    current = _current_month()
    if month is None:
        return rules.add_months(current, -1)
    return min(month, current)


def _month_nav(month):
    current = _current_month()
    following = rules.add_months(month, 1)
    return {
        "month": month,
        "month_label": rules.month_label(month),
        "of_month": rules.of_month(month),
        "previous": rules.add_months(month, -1),
        "next": following if following <= current else None,
        "current": current,
    }


def _values(form):
    """The grid's values as typed (valid ones), to total them."""
    if not form.is_bound:
        return {name: f.initial for name, f in form.fields.items()}
    return {name: form.cleaned_data.get(name) for name in form.fields} if hasattr(form, "cleaned_data") else {}


def _saved_message(saved):
    def s(number):
        return "s" if number > 1 else ""

    parts = [
        f"{saved.created} case{s(saved.created)} remplie{s(saved.created)}" if saved.created else "",
        f"{saved.updated} modifiée{s(saved.updated)}" if saved.updated else "",
        f"{saved.deleted} vidée{s(saved.deleted)}" if saved.deleted else "",
    ]
    return "Enregistré : " + ", ".join(part for part in parts if part) + "."


def _show_errors(form, errors):
    for key, problems in errors.items():
        for problem in problems:
            form.add_error(key if key in form.fields else None, problem)


def _bind(rows, form):
    for row in rows:
        for cell in row.cells:
            cell.field = form[cell.name]


def _conflicted(request, rows, form, shown, conflicts):
    """The grid again after a save refused because someone else changed cells this person changed too: those
    cells show the other person's values, with who and what on each; the cells this person changed alone keep
    what they typed; the others show what is recorded now. Saving again goes through (the values shown are the
    recorded ones)."""
    initial = grid.shown_values(rows)
    typed = form.cleaned_data
    data = request.POST.copy()
    for name, value in initial.items():
        if name in conflicts:
            data[name] = hours_input(conflicts[name].current)
        elif typed.get(name) == shown.get(name):  # not changed by this person: what is recorded now
            data[name] = hours_input(value)
    shown = {**initial, **{name: conflict.current for name, conflict in conflicts.items()}}
    again = HoursGridForm(data=data, cells=grid.form_cells(rows))
    again.is_valid()
    _bind(rows, again)
    for name, conflict in conflicts.items():
        again.add_error(name, conflict.message)
    people = sorted({conflict.by for conflict in conflicts.values() if conflict.by})
    who = " et ".join(people) if people else "quelqu'un d'autre"
    count = len(conflicts)
    again.add_error(
        None,
        f"Rien n'a été enregistré : pendant votre saisie, {who} a modifié "
        + ("une case que vous avez changée aussi" if count == 1 else f"{count} cases que vous avez changées aussi")
        + f" ({', '.join(form.fields[name].label for name in conflicts)}). "
        "Ces cases montrent maintenant les heures enregistrées ; vérifiez-les, puis enregistrez de nouveau.",
    )
    return again, grid.shown_state(shown)


def _statement(request, *, rows, to_cells, context, template):
    """GET shows the grid; an htmx POST with `_apercu` checks it and answers totals and messages only (the focus
    stays where it is); a plain POST saves the whole month at once, or nothing.

    Only the cells this person changed are written, each checked against the value they were shown (the hidden
    `_affiche`): two people saving the same month never undo each other's cells, and when both changed the same
    cell the second is told, by whom and to what, and nothing of theirs is saved."""
    form = HoursGridForm(data=request.POST or None, cells=grid.form_cells(rows))
    _bind(rows, form)
    initial = grid.shown_values(rows)
    shown = grid.read_shown_state(request.POST.get("_affiche"), initial) if request.method == "POST" else initial
    shown_state = grid.shown_state(shown)
    preview = request.method == "POST" and request.POST.get("_apercu") == "1"
    saved = None
    status = 200
    if request.method == "POST" and form.is_valid():
        cells = grid.changed_cells(to_cells(form.cleaned_data), shown)
        if preview:
            _show_errors(form, services.validate_cells(cells))
        else:
            saved = services.hours_save(cells=cells, by=request.user)
            _show_errors(form, saved.errors)
            if saved.conflicts:
                form, shown_state = _conflicted(request, rows, form, shown, saved.conflicts)
                status = 409
            elif not saved.errors:
                if saved.changed:
                    messages.success(request, _saved_message(saved))
                else:
                    messages.info(request, "Rien n'a changé : les heures étaient déjà celles-ci.")
                return redirect(request.get_full_path())
    elif request.method == "POST" and not preview:
        form.add_error(None, "Rien n'a été enregistré : corrigez les cases signalées.")
    if saved is not None and saved.errors and not saved.conflicts:
        form.add_error(None, "Rien n'a été enregistré : corrigez les cases signalées.")
    totals = grid.totals(rows, _values(form))
    context = {
        **context,
        "form": form,
        "shown_state": shown_state,
        "rows": rows,
        "person_rows": [row for row in rows if row.assignment is not None],
        "sub_rows": [row for row in rows if row.subcontractor is not None],
        "totals": totals,
    }
    if preview:
        return render(request, "suivi/_grid_feedback.html", context)
    return render(request, template, context, status=status)


@staff_only
def company_grid(request, public_id):
    company = get_visible_or_404(request, Company, public_id=public_id)
    month = _chosen_month(request)
    rows = grid.month_rows(
        month,
        visible(request, Assignment).filter(award__company=company),
        visible(request, Award).filter(company=company),
    )
    attach_company_progress([company])
    return _statement(
        request,
        rows=rows,
        to_cells=lambda data: grid.to_cells(rows, month, data),
        context={"company": company, "progress": company.progress, **_month_nav(month)},
        template="suivi/grid.html",
    )


@staff_only
def market_grid(request, public_id):
    market = get_visible_or_404(
        request, with_market_hours(Market.objects.select_related("buyer")), public_id=public_id
    )
    month = _chosen_month(request)
    rows = grid.month_rows(
        month,
        visible(request, Assignment).filter(award__lot__market=market),
        visible(request, Award).filter(lot__market=market),
    )
    attach_market_progress([market])
    return _statement(
        request,
        rows=rows,
        to_cells=lambda data: grid.to_cells(rows, month, data),
        context={"market": market, "progress": market.progress, **_month_nav(month)},
        template="suivi/grid.html",
    )


@staff_only
def contract_hours(request, public_id):
    contract = get_visible_or_404(
        request, WorkContract.objects.select_related("participant", "company"), public_id=public_id
    )
    assignments = list(
        contract.assignments.select_related("contract__participant", "award__lot__market", "award__company").order_by(
            "award__lot__market__reference", "award__lot__number"
        )
    )
    today = timezone.localdate()
    months = grid.contract_months(contract, assignments, today)
    rows = [grid.GridRow(award=None, cells=[c for _, cells in item.cells for c in cells]) for item in months]
    return _statement(
        request,
        rows=rows,
        to_cells=lambda data: grid.contract_cells(months, data),
        context={
            "contract": contract,
            "assignments": assignments,
            "months": months,
            "colspan": 2 * len(assignments),
        },
        template="suivi/contract_hours.html",
    )


# --- What is left to enter ------------------------------------------------------------------------------------


@staff_only
def hours_index(request):
    """The month's statements company by company: how many contract rows are filled."""
    month = _chosen_month(request)
    active = visible(request, Assignment).filter(contract__in=WorkContract.objects.active_in(month))
    expected = dict(active.order_by().values_list("award__company").annotate(n=Count("pk")))
    entries = visible(request, HourEntry).filter(month=month)
    person = entries.filter(kind__in=PERSON_KINDS)
    filled = dict(person.order_by().values_list("award__company").annotate(n=Count("assignment", distinct=True)))
    summed = dict(entries.order_by().values_list("award__company").annotate(total=Sum("hours")))
    companies = visible(request, Company).filter(pk__in=set(expected) | set(summed)).order_by("name")
    lines = []
    for company in companies:
        rows, done = expected.get(company.pk, 0), filled.get(company.pk, 0)
        state = (
            ("complet", "success")
            if rows and done >= rows
            else ("partiel", "warning")
            if done
            else ("à saisir", "danger")
        )
        if not rows:
            state = ("sous-traitance seule", "secondary")
        lines.append(
            {"company": company, "rows": rows, "filled": done, "hours": summed.get(company.pk, 0), "state": state}
        )
    lines.sort(key=lambda line: (line["filled"] >= line["rows"] and line["rows"] > 0, line["company"].name))
    missing = sum(1 for line in lines if line["rows"] and line["filled"] < line["rows"])
    return render(
        request,
        "suivi/hours_index.html",
        {"lines": lines, "missing": missing, "total": sum((line["hours"] for line in lines), Decimal(0)),
         **_month_nav(month)},
    )  # fmt: skip


@staff_only
def behind(request):
    """Companies behind their pace (R-HRS-4), with the last month entered and their contracts of 300 h (R-HRS-5)."""
    today = timezone.localdate()
    companies = attach_company_progress(
        visible(request, Company).filter(awards__lot__market__status__in=ATTRIBUTED).distinct().order_by("name")
    )
    late = [c for c in companies if c.progress.is_behind]
    late.sort(key=lambda c: -c.progress.remaining)
    last_month = dict(visible(request, HourEntry).order_by().values_list("award__company").annotate(last=Max("month")))
    contracts = visible(request, WorkContract)
    shares = long_contract_share_by(contracts, "company", today)
    for company in late:
        company.last_month = last_month.get(company.pk)
        company.share = shares.get(company.pk)
    page = paginate(request, late)
    return render(
        request,
        "suivi/behind.html",
        {
            "page": page,
            "late_count": len(late),
            "company_count": len(companies),
            "share": long_contract_share(contracts, today),
            "long_contract": LONG_CONTRACT_HOURS,
            "previous_month": rules.add_months(_current_month(), -1),
        },
    )


# --- Panels on the markets' and companies' pages --------------------------------------------------------------


# The hours of one assignment, as a subquery: the page's LIMIT applies before any sum is made.
_recorded = Subquery(
    HourEntry.objects.filter(assignment=OuterRef("pk"))
    .order_by()
    .values("assignment")
    .annotate(t=Sum("hours"))
    .values("t")
)


def _contracts_panel(request, assignments, contracts, context):
    """The first PANEL_ROWS contracts (latest first) with their hours; the totals cover them all, counted by the
    database (a company may have thousands)."""
    today = timezone.localdate()
    shown = list(
        assignments.select_related("contract__participant", "contract__employer", "award__lot__market")
        .annotate(recorded=_recorded)
        .order_by("-contract__start_date", "pk")[:PANEL_ROWS]
    )
    totals = dict(
        contracts.filter(pk__in=[a.contract_id for a in shown])
        .annotate(total=contract_hours_total())
        .values_list("pk", "total")
    )
    for assignment in shown:
        assignment.contract_total = totals.get(assignment.contract_id)
    sums = HourEntry.objects.filter(assignment__in=assignments.values("pk")).aggregate(
        counted=Sum("hours", filter=Q(assignment__counts=True)),
        not_counted=Sum("hours", filter=Q(assignment__counts=False)),
    )
    counted, not_counted = sums["counted"] or Decimal(0), sums["not_counted"] or Decimal(0)
    hidden = max(assignments.count() - len(shown), 0) if len(shown) == PANEL_ROWS else 0
    return render(
        request,
        "suivi/_contracts_panel.html",
        {
            **context,
            "assignments": shown,
            "hidden": hidden,
            "counted": counted,
            "not_counted": not_counted,
            "share": long_contract_share(contracts, today),
            "long_contract": LONG_CONTRACT_HOURS,
            "today": today,
            "previous_month": rules.add_months(_current_month(), -1),
        },
    )


PANEL_ROWS = 100


@staff_only
def market_contracts(request, public_id):
    market = get_visible_or_404(request, Market, public_id=public_id)
    assignments = visible(request, Assignment).filter(award__lot__market=market)
    contracts = visible(request, WorkContract).filter(assignments__award__lot__market=market).distinct()
    return _contracts_panel(request, assignments, contracts, {"market": market})


@staff_only
def company_contracts(request, public_id):
    company = get_visible_or_404(request, Company, public_id=public_id)
    assignments = visible(request, Assignment).filter(award__company=company)
    contracts = visible(request, WorkContract).filter(company=company)
    return _contracts_panel(request, assignments, contracts, {"company": company})
