import uuid
from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Count, F, ProtectedError, Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from clauses.accounts.access import get_manageable_or_404, get_visible_or_404, manageable, role_required, visible
from clauses.accounts.enums import Role
from clauses.pagination import paginate
from marches import calibration
from marches.enums import NOT_YET_ATTRIBUTED, Trade
from marches.exports import export_markets
from marches.filters import BuyerFilter, CompanyFilter, MarketFilter, ProgrammationFilter
from marches.forms import AwardForm, BuyerForm, CalibrationForm, CompanyForm, LotForm, MarketForm, trade_presets
from marches.models import Award, Buyer, Company, Lot, Market
from marches.progress import (
    attach_award_progress,
    attach_buyer_progress,
    attach_company_progress,
    attach_lot_progress,
    attach_market_progress,
    today,
    with_award_hours,
    with_lot_hours,
    with_market_hours,
)

staff_only = role_required(Role.FACILITATEUR, Role.ADMIN)


def _structure(request):
    return request.membership.organisation


def _save(form):
    """Save a valid form; if a concurrent request took the same reference first, say so on the form."""
    try:
        with transaction.atomic():
            return form.save()
    except IntegrityError:
        form.add_error(None, "Un enregistrement identique vient d'être fait par ailleurs : rechargez la page.")
        return None


def _confirm_delete(request, obj, *, title, consequences, back, success_url, done_message, protected_message):
    """GET shows what deleting means; POST deletes (or explains why it cannot)."""
    if request.method == "POST":
        try:
            with transaction.atomic():
                obj.delete()
        except ProtectedError:
            messages.error(request, protected_message)
            return redirect(back)
        messages.success(request, done_message)
        return redirect(success_url)
    return render(
        request,
        "components/confirm_delete.html",
        {"object": obj, "title": title, "consequences": consequences, "back": back},
    )


# --- Markets --------------------------------------------------------------------------------------------------


MARKET_ORDER = (F("year").desc(nulls_last=True), F("attribution_date").desc(nulls_last=True), "reference")


def _markets(request):
    markets = visible(request, Market).with_year().select_related("buyer").with_lot_count()
    return with_market_hours(markets).order_by(*MARKET_ORDER)


def _filtered_markets(request):
    """The filter, and the markets it selects: none while a filter value is wrong (it says why)."""
    filterset = MarketFilter(request.GET or None, queryset=_markets(request), buyers=visible(request, Buyer))
    markets = filterset.qs if not filterset.is_bound or filterset.is_valid() else filterset.queryset.none()
    return filterset, markets


@staff_only
def market_list(request):
    filterset, markets = _filtered_markets(request)
    page = paginate(request, markets)
    page.object_list = attach_market_progress(list(page.object_list))
    return render(request, "marches/market_list.html", {"filter": filterset, "page": page})


@staff_only
def market_export(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404("Format d'export inconnu.")
    filterset, markets = _filtered_markets(request)
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, "Corrigez les filtres avant d'exporter : l'export reprend la liste filtrée.")
        return redirect(f"{reverse('marches:market_list')}?{request.GET.urlencode()}")
    markets = attach_market_progress(list(markets))
    return export_markets(markets, fmt, f"marches-{timezone.localdate():%Y-%m-%d}")


@staff_only
def market_detail(request, public_id):
    market = get_visible_or_404(
        request, with_market_hours(Market.objects.select_related("buyer")), public_id=public_id
    )
    attach_market_progress([market])
    lots = attach_lot_progress(list(with_lot_hours(market.lots.select_related("market"))))
    awards = attach_award_progress(
        list(
            with_award_hours(
                Award.objects.filter(lot__market=market).select_related("company", "lot__market").in_role_order()
            )
        )
    )
    by_lot = {}
    for award in awards:
        by_lot.setdefault(award.lot_id, []).append(award)
    for lot in lots:
        lot.award_list = by_lot.get(lot.pk, [])
        lot.committed = sum((a.hours_committed for a in lot.award_list), Decimal(0))
    return render(request, "marches/market_detail.html", {"market": market, "lots": lots})


@staff_only
def market_create(request):
    buyers = manageable(request, Buyer)
    initial = {}
    if buyer_id := request.GET.get("buyer"):
        initial["buyer"] = buyers.filter(public_id=buyer_id).first() if _is_uuid(buyer_id) else None
    form = MarketForm(data=request.POST or None, initial=initial, structure=_structure(request), buyers=buyers)
    if request.method == "POST" and form.is_valid() and (market := _save(form)):
        messages.success(request, f"Le marché « {market.reference} » est enregistré. Ajoutez maintenant ses lots.")
        return redirect(market)
    return render(request, "marches/market_form.html", {"form": form})


@staff_only
def market_update(request, public_id):
    market = get_manageable_or_404(request, Market, public_id=public_id)
    form = MarketForm(
        data=request.POST or None, instance=market, structure=_structure(request), buyers=manageable(request, Buyer)
    )
    if request.method == "POST" and form.is_valid() and _save(form):
        messages.success(request, "Le marché est enregistré.")
        return redirect(market)
    return render(request, "marches/market_form.html", {"form": form, "market": market})


@staff_only
def market_delete(request, public_id):
    market = get_manageable_or_404(request, Market, public_id=public_id)
    return _confirm_delete(
        request,
        market,
        title=f"Supprimer le marché {market.reference} ?",
        consequences="Ses lots et ses attributions seront supprimés avec lui. Un marché qui ne se fera pas peut "
        "plutôt passer au statut « abandonné » : il reste alors dans l'historique.",
        back=market.get_absolute_url(),
        success_url=reverse("marches:market_list"),
        done_message=f"Le marché {market.reference} a été supprimé.",
        protected_message="Ce marché porte déjà des heures ou des diagnostics : passez-le plutôt en abandonné.",
    )


def _is_uuid(value):
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


# --- Lots and awards ------------------------------------------------------------------------------------------


def _lot_form_context(form, market, lot=None):
    return {
        "form": form,
        "market": market,
        "lot": lot,
        "presets": trade_presets(),
        "min_hours": calibration.MIN_RUNNABLE_HOURS,
        "fte_hours": calibration.FTE_HOURS,
    }


@staff_only
def lot_create(request, public_id):
    market = get_manageable_or_404(request, Market, public_id=public_id)
    form = LotForm(data=request.POST or None, market=market)
    if request.method == "POST" and form.is_valid() and (lot := _save(form)):
        messages.success(request, f"Le lot {lot.number} est enregistré : {lot.required_hours:.0f} heures d'insertion.")
        return redirect(lot)
    return render(request, "marches/lot_form.html", _lot_form_context(form, market))


@staff_only
def lot_update(request, public_id):
    lot = get_manageable_or_404(request, Lot.objects.select_related("market"), public_id=public_id)
    form = LotForm(data=request.POST or None, instance=lot, market=lot.market)
    if request.method == "POST" and form.is_valid() and _save(form):
        messages.success(request, "Le lot est enregistré.")
        return redirect(lot)
    return render(request, "marches/lot_form.html", _lot_form_context(form, lot.market, lot))


@staff_only
def lot_detail(request, public_id):
    return _render_lot_detail(request, public_id)


def _render_lot_detail(request, public_id, award_form=None):
    lot = get_visible_or_404(request, with_lot_hours(Lot.objects.select_related("market__buyer")), public_id=public_id)
    attach_lot_progress([lot])
    awards = attach_award_progress(
        list(with_award_hours(lot.awards.select_related("company", "lot__market").in_role_order()))
    )
    committed = sum((a.hours_committed for a in awards), Decimal(0))
    form = award_form or AwardForm(lot=lot, companies=manageable(request, Company))
    return render(
        request,
        "marches/lot_detail.html",
        {"lot": lot, "market": lot.market, "awards": awards, "committed": committed, "award_form": form},
    )


@staff_only
def lot_delete(request, public_id):
    lot = get_manageable_or_404(request, Lot.objects.select_related("market"), public_id=public_id)
    return _confirm_delete(
        request,
        lot,
        title=f"Supprimer le lot {lot.number} du marché {lot.market.reference} ?",
        consequences="Ses attributions seront supprimées avec lui.",
        back=lot.get_absolute_url(),
        success_url=lot.market.get_absolute_url(),
        done_message=f"Le lot {lot.number} a été supprimé.",
        protected_message="Ce lot porte déjà des heures : il ne peut pas être supprimé.",
    )


@staff_only
def award_create(request, public_id):
    lot = get_manageable_or_404(request, Lot.objects.select_related("market"), public_id=public_id)
    form = AwardForm(data=request.POST or None, lot=lot, companies=manageable(request, Company))
    if request.method == "POST":
        if form.is_valid() and (award := _save(form)):
            messages.success(request, f"{award.company} : {award.hours_committed:.0f} heures d'insertion à réaliser.")
            return redirect(lot)
        return _render_lot_detail(request, public_id, award_form=form)
    return render(request, "marches/award_form.html", {"form": form, "lot": lot})


@staff_only
def award_update(request, public_id):
    award = get_manageable_or_404(request, Award.objects.select_related("lot__market", "company"), public_id=public_id)
    form = AwardForm(data=request.POST or None, instance=award, lot=award.lot, companies=manageable(request, Company))
    if request.method == "POST" and form.is_valid() and _save(form):
        messages.success(request, "L'attribution est enregistrée.")
        return redirect(award.lot)
    return render(request, "marches/award_form.html", {"form": form, "lot": award.lot, "award": award})


@staff_only
def award_delete(request, public_id):
    award = get_manageable_or_404(request, Award.objects.select_related("lot__market", "company"), public_id=public_id)
    return _confirm_delete(
        request,
        award,
        title=f"Retirer l'attribution du lot {award.lot.number} à {award.company} ?",
        consequences=f"L'obligation de {award.hours_committed:.0f} heures de cette entreprise sur ce lot disparaîtra.",
        back=award.lot.get_absolute_url(),
        success_url=award.lot.get_absolute_url(),
        done_message=f"L'attribution à {award.company} a été retirée.",
        protected_message="Cette attribution porte déjà des heures : elle ne peut pas être retirée.",
    )


# --- Buyers ---------------------------------------------------------------------------------------------------


@staff_only
def buyer_list(request):
    buyers = visible(request, Buyer).annotate(market_total=Count("markets")).order_by("name")
    filterset = BuyerFilter(request.GET or None, queryset=buyers)
    page = paginate(request, filterset.qs)
    page.object_list = attach_buyer_progress(page.object_list)
    return render(request, "marches/buyer_list.html", {"filter": filterset, "page": page})


@staff_only
def buyer_detail(request, public_id):
    buyer = get_visible_or_404(request, Buyer, public_id=public_id)
    attach_buyer_progress([buyer])
    markets = with_market_hours(buyer.markets.with_year().with_lot_count()).order_by(*MARKET_ORDER)
    page = paginate(request, markets)
    page.object_list = attach_market_progress(list(page.object_list))
    return render(request, "marches/buyer_detail.html", {"buyer": buyer, "page": page})


@staff_only
def buyer_create(request):
    form = BuyerForm(data=request.POST or None, structure=_structure(request))
    if request.method == "POST" and form.is_valid() and (buyer := _save(form)):
        messages.success(request, f"Le donneur d'ordre « {buyer} » est enregistré.")
        return redirect(buyer)
    return render(request, "marches/buyer_form.html", {"form": form})


@staff_only
def buyer_update(request, public_id):
    buyer = get_manageable_or_404(request, Buyer, public_id=public_id)
    form = BuyerForm(data=request.POST or None, instance=buyer, structure=_structure(request))
    if request.method == "POST" and form.is_valid() and _save(form):
        messages.success(request, "Le donneur d'ordre est enregistré.")
        return redirect(buyer)
    return render(request, "marches/buyer_form.html", {"form": form, "buyer": buyer})


@staff_only
def buyer_delete(request, public_id):
    buyer = get_manageable_or_404(request, Buyer, public_id=public_id)
    return _confirm_delete(
        request,
        buyer,
        title=f"Supprimer le donneur d'ordre « {buyer} » ?",
        consequences="Un donneur d'ordre qui a des marchés ne peut pas être supprimé.",
        back=buyer.get_absolute_url(),
        success_url=reverse("marches:buyer_list"),
        done_message=f"Le donneur d'ordre « {buyer} » a été supprimé.",
        protected_message="Ce donneur d'ordre a des marchés : supprimez-les ou rattachez-les à un autre d'abord.",
    )


# --- Companies ------------------------------------------------------------------------------------------------


@staff_only
def company_list(request):
    filterset = CompanyFilter(request.GET or None, queryset=visible(request, Company))
    page = paginate(request, filterset.qs)
    page.object_list = attach_company_progress(page.object_list)
    return render(request, "marches/company_list.html", {"filter": filterset, "page": page})


@staff_only
def company_detail(request, public_id):
    company = get_visible_or_404(request, Company, public_id=public_id)
    attach_company_progress([company])
    awards = with_award_hours(
        company.awards.select_related("lot__market__buyer").order_by("-lot__market__attribution_date", "lot__number")
    )
    page = paginate(request, awards)
    page.object_list = attach_award_progress(list(page.object_list))
    return render(request, "marches/company_detail.html", {"company": company, "page": page})


@staff_only
def company_create(request):
    form = CompanyForm(data=request.POST or None, structure=_structure(request))
    if request.method == "POST" and form.is_valid() and (company := _save(form)):
        messages.success(request, f"L'entreprise « {company} » est enregistrée.")
        return redirect(company)
    return render(request, "marches/company_form.html", {"form": form})


@staff_only
def company_update(request, public_id):
    company = get_manageable_or_404(request, Company, public_id=public_id)
    form = CompanyForm(data=request.POST or None, instance=company, structure=_structure(request))
    if request.method == "POST" and form.is_valid() and _save(form):
        messages.success(request, "L'entreprise est enregistrée.")
        return redirect(company)
    return render(request, "marches/company_form.html", {"form": form, "company": company})


@staff_only
def company_delete(request, public_id):
    company = get_manageable_or_404(request, Company, public_id=public_id)
    return _confirm_delete(
        request,
        company,
        title=f"Supprimer l'entreprise « {company} » ?",
        consequences="Une entreprise qui a des attributions ne peut pas être supprimée.",
        back=company.get_absolute_url(),
        success_url=reverse("marches:company_list"),
        done_message=f"L'entreprise « {company} » a été supprimée.",
        protected_message="Cette entreprise a des attributions : retirez-les d'abord.",
    )


# --- Calibration and programmation ----------------------------------------------------------------------------


@staff_only
def calibration_page(request):
    """R-CAL as a tool for a meeting with a buyer: nothing is saved; the address keeps the figures."""
    form = CalibrationForm(request.GET or None)
    result = form.result() if form.is_valid() else None
    context = {
        "form": form,
        "result": result,
        "presets": trade_presets(),
        "min_hours": calibration.MIN_RUNNABLE_HOURS,
        "fte_hours": calibration.FTE_HOURS,
        "show_apply": "apply" in request.GET,  # asked from the lot form: offer to copy the hours
    }
    if result and result.too_small and result.labour_share > 0 and result.insertion_rate > 0:
        context["amount_for_minimum"] = calibration.amount_for_hours(
            calibration.MIN_RUNNABLE_HOURS, result.labour_share, result.insertion_rate, result.hourly_cost
        )
    if request.htmx:
        return render(request, "marches/_calibration_result.html", context)
    return render(request, "marches/calibration.html", context)


@staff_only
def programmation(request):
    """R-GPEC: markets not yet attributed, by expected attribution date, with their hours by trade.

    Three groups: those expected in the period (by quarter), those whose expected date has passed without an
    attribution (to chase), and those without a date. The hours by trade cover the three.
    """
    on = today()
    form = ProgrammationFilter(request.GET or {"start": on, "end": on + timedelta(days=365)})
    pending = visible(request, Market).filter(status__in=NOT_YET_ATTRIBUTED).select_related("buyer")
    if form.is_valid():
        data = form.cleaned_data
        if data["nature"]:
            pending = pending.filter(nature=data["nature"])
        if data["buyer_type"]:
            pending = pending.filter(buyer__buyer_type=data["buyer_type"])
        dated = pending.filter(expected_attribution_date__gte=max(data["start"] or on, on))
        if data["end"]:
            dated = dated.filter(expected_attribution_date__lte=data["end"])
        groups = {
            "dated": dated,
            "overdue": pending.filter(expected_attribution_date__lt=on),
            "undated": pending.filter(expected_attribution_date__isnull=True),
        }
    else:
        groups = {name: pending.none() for name in ("dated", "overdue", "undated")}
    groups = {
        name: with_market_hours(markets.with_lot_count()).order_by(
            F("expected_attribution_date").asc(nulls_last=True), "reference"
        )
        for name, markets in groups.items()
    }
    in_scope = Q()
    for markets in groups.values():
        in_scope |= Q(market__in=markets.values("pk"))
    by_trade = (
        visible(request, Lot)
        .filter(in_scope)
        .values("trade")
        .annotate(hours=Sum("required_hours"), lots=Count("pk"), market_count=Count("market", distinct=True))
        .order_by("-hours", "trade")
    )
    trades = [{**row, "label": Trade(row["trade"]).label} for row in by_trade]
    quarters = {}
    for market in groups["dated"]:
        key = (market.expected_attribution_date.year, (market.expected_attribution_date.month - 1) // 3 + 1)
        quarters.setdefault(key, []).append(market)
    return render(
        request,
        "marches/programmation.html",
        {
            "form": form,
            "quarters": [
                {
                    "label": f"{quarter}{'er' if quarter == 1 else 'e'} trimestre {year}",
                    "markets": items,
                    "hours": sum((m.required_total for m in items), Decimal(0)),
                }
                for (year, quarter), items in quarters.items()
            ],
            "overdue": list(groups["overdue"]),
            "undated": list(groups["undated"]),
            "trades": trades,
            "total_hours": sum((row["hours"] or 0 for row in trades), Decimal(0)),
            "fte_hours": calibration.FTE_HOURS,
        },
    )
