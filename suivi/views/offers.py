"""Job offers (the liaison form of seed 001) and the candidates positioned on them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clauses.accounts.access import get_manageable_or_404, get_visible_or_404, visible
from clauses.pagination import paginate
from clauses.queueing import queue_after_commit
from marches.models import Award
from participants.models import Consent, Participant, Referral
from suivi import services
from suivi.enums import OFFER_TRANSITIONS, OfferStatus, PositioningStatus
from suivi.filters import OfferFilter, PositioningFilter
from suivi.forms import OfferForm, PositioningDecisionForm, PositioningForm
from suivi.models import JobOffer, Positioning, WorkContract
from suivi.tasks import send_positioning_event_email
from suivi.views.common import form_errors_from, is_staff, staff_only, staff_or_prescriber

OFFER_ACTIONS = {
    OfferStatus.PUBLIEE: "Publier aux prescripteurs",
    OfferStatus.POURVUE: "Marquer comme pourvue",
    OfferStatus.CLOTUREE: "Clôturer",
    OfferStatus.BROUILLON: "Repasser en brouillon",
}


def _notify(event):
    queue_after_commit(send_positioning_event_email, event.pk)


def _offers(request):
    return visible(request, JobOffer).select_related("award__company", "award__lot__market")


@staff_or_prescriber
def offer_list(request):
    offers = _offers(request).annotate(
        candidate_count=Count("positionings", distinct=True),
        retained_count=Count("positionings", filter=Q(positionings__status=PositioningStatus.RETENU), distinct=True),
    )
    if not is_staff(request):
        mine = Positioning.objects.visible_to(request.membership)
        offers = offers.annotate(
            my_count=Count("positionings", filter=Q(positionings__in=mine.values("pk")), distinct=True)
        )
    filterset = OfferFilter(request.GET or None, queryset=offers)
    found = filterset.qs if not filterset.is_bound or filterset.is_valid() else offers.none()
    page = paginate(request, found.order_by("-published_at", "-created_at", "pk"))
    return render(request, "suivi/offer_list.html", {"filter": filterset, "page": page, "is_staff": is_staff(request)})


def _award_choices(request):
    return visible(request, Award)


@staff_only
def offer_create(request):
    initial = {}
    award = None
    if request.GET.get("attribution"):
        try:
            award = (
                _award_choices(request)
                .select_related("company", "lot__market")
                .get(public_id=request.GET["attribution"])
            )
        except (Award.DoesNotExist, ValidationError):
            award = None
    if award is not None:
        company, market = award.company, award.lot.market
        initial = {
            "award": award.pk,
            "contact_name": company.contact_name,
            "contact_phone": company.contact_phone,
            "contact_email": company.contact_email,
            "workplace": market.city,
        }
    form = OfferForm(data=request.POST or None, initial=initial, awards=_award_choices(request))
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.offer_save(offer=form.instance, by=request.user)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, "L'offre est enregistrée en brouillon : publiez-la quand elle est prête.")
            return redirect(offer)
    return render(request, "suivi/offer_form.html", {"form": form, "award": award})


@staff_or_prescriber
def offer_detail(request, public_id):
    offer = get_visible_or_404(request, _offers(request), public_id=public_id)
    positionings = (
        visible(request, Positioning)
        .filter(offer=offer)
        .select_related("participant", "referral__participant", "proposed_by_organisation", "contract")
        .order_by("status", "-proposed_at")
    )
    actions = [(status, OFFER_ACTIONS[status]) for status in OFFER_TRANSITIONS.get(offer.status, ())]
    can_position = offer.is_published or (is_staff(request) and offer.status == OfferStatus.BROUILLON)
    return render(
        request,
        "suivi/offer_detail.html",
        {
            "offer": offer,
            "positionings": positionings,
            "is_staff": is_staff(request),
            "actions": actions,
            "can_position": can_position,
        },
    )


@staff_only
def offer_update(request, public_id):
    offer = get_manageable_or_404(request, JobOffer, public_id=public_id)
    form = OfferForm(data=request.POST or None, instance=offer, awards=_award_choices(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_save(offer=form.instance, by=request.user)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, "L'offre est modifiée.")
            return redirect(offer)
    return render(request, "suivi/offer_form.html", {"form": form, "offer": offer})


@staff_only
@require_POST
def offer_status(request, public_id):
    offer = get_manageable_or_404(request, JobOffer, public_id=public_id)
    status = request.POST.get("status", "")
    if status not in OfferStatus.values:
        messages.error(request, "Choisissez une action proposée sur la page.")
        return redirect(offer)
    try:
        services.offer_set_status(offer=offer, status=status, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = {
            OfferStatus.PUBLIEE: "L'offre est publiée : les prescripteurs partenaires la voient.",
            OfferStatus.POURVUE: "L'offre est pourvue : elle n'est plus proposée aux prescripteurs.",
            OfferStatus.CLOTUREE: "L'offre est clôturée.",
            OfferStatus.BROUILLON: "L'offre est repassée en brouillon : les prescripteurs ne la voient plus.",
        }
        messages.success(request, done[status])
    return redirect(offer)


# --- Positionings ---------------------------------------------------------------------------------------------


def _candidates(request):
    """Whom the membership may put forward: people with a consent in force they see, and fiches being examined."""
    # Exists, not a join: a join on consents would also let through people who never gave one (NULL row).
    consent = Consent.objects.filter(participant=OuterRef("pk"), withdrawn_on__isnull=True)
    participants = (
        visible(request, Participant).not_anonymised().filter(Exists(consent)).order_by("last_name", "first_name")
    )
    referrals = visible(request, Referral).pending().order_by("last_name", "first_name")
    return participants, referrals


@staff_or_prescriber
def positioning_create(request, public_id):
    offer = get_visible_or_404(request, _offers(request), public_id=public_id)
    participants, referrals = _candidates(request)
    form = PositioningForm(data=request.POST or None, participants=participants, referrals=referrals)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.positioning_propose(
                offer=offer,
                by=request.user,
                organisation=request.membership.organisation,
                message=form.cleaned_data["message"],
                recontact=form.recontact,
                **form.candidate_kwargs,
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            _notify(event)
            messages.success(request, "Le candidat est positionné : vous serez informé de la suite.")
            return redirect(event.positioning)
    return render(request, "suivi/positioning_form.html", {"form": form, "offer": offer})


@staff_or_prescriber
def positioning_list(request):
    positionings = visible(request, Positioning).select_related(
        "participant", "referral__participant", "offer__award__company", "proposed_by_organisation", "contract"
    )
    filterset = PositioningFilter(request.GET or None, queryset=positionings)
    found = filterset.qs if not filterset.is_bound or filterset.is_valid() else positionings.none()
    page = paginate(request, found.order_by("-proposed_at", "pk"))
    return render(
        request,
        "suivi/positioning_list.html",
        {"filter": filterset, "page": page, "is_staff": is_staff(request)},
    )


@staff_or_prescriber
def positioning_detail(request, public_id):
    positioning = get_visible_or_404(
        request,
        Positioning.objects.select_related(
            "participant", "referral__participant", "offer__award__company", "offer__award__lot__market",
            "proposed_by", "proposed_by_organisation",
        ),
        public_id=public_id,
    )  # fmt: skip
    contract = WorkContract.objects.filter(positioning=positioning).select_related("employer", "company").first()
    form = PositioningDecisionForm(positioning=positioning) if is_staff(request) and positioning.is_open else None
    return render(
        request,
        "suivi/positioning_detail.html",
        {
            "positioning": positioning,
            "events": positioning.events.select_related("by"),
            "contract": contract,
            "form": form,
            "is_staff": is_staff(request),
        },
    )


@staff_only
def positioning_decide(request, public_id):
    positioning = get_manageable_or_404(
        request, Positioning.objects.select_related("offer__award__company"), public_id=public_id
    )
    if not positioning.is_open:
        messages.info(request, f"Ce candidat est déjà « {positioning.get_status_display()} ».")
        return redirect(positioning)
    form = PositioningDecisionForm(data=request.POST or None, positioning=positioning)
    if request.method == "POST" and form.is_valid():
        action, message = form.cleaned_data["action"], form.cleaned_data["message"]
        try:
            if action == form.PRESENT:
                event = services.positioning_present(positioning=positioning, by=request.user, message=message)
            elif action == form.RETAIN:
                event = services.positioning_retain(positioning=positioning, by=request.user, message=message)
            else:
                event = services.positioning_reject(
                    positioning=positioning,
                    reason=form.cleaned_data["non_retention_reason"],
                    by=request.user,
                    message=message,
                )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            _notify(event)
            messages.success(request, f"Candidat « {event.get_to_status_display()} » : le prescripteur est informé.")
            return redirect(positioning)
    return render(request, "suivi/positioning_decide.html", {"positioning": positioning, "form": form})
