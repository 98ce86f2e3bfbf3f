"""Skills follow-up documents of each contract and the référent's synthesis across contracts (R-REFERENT).

Facilitators fill them; the participant's référent de parcours reads them and downloads the PDFs. The PDF is handed
to the person, the company and the référent, so it carries the person's name (it is not a buyer's bilan)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clauses.accounts.access import get_manageable_or_404, get_visible_or_404, visible
from clauses.pdf import pdf_response, render_pdf
from participants import services as participant_services
from participants.enums import ViewKind
from participants.models import Participant
from suivi.enums import ReviewMoment, SkillLevel
from suivi.forms_skills import SkillsItemFormSet, SkillsReviewForm, items_initial
from suivi.models import SkillsReview, SkillsReviewItem, WorkContract
from suivi.services import skills as services
from suivi.views.common import form_errors_from, is_staff, staff_only, staff_or_prescriber


def _reviews(request):
    return visible(request, SkillsReview).prefetch_related(
        Prefetch("items", queryset=SkillsReviewItem.objects.order_by("position", "pk"))
    )


def skills_context(request, contract) -> dict:
    """What the contract page shows of the skills documents (two queries: the documents, their items)."""
    reviews = list(_reviews(request).filter(contract=contract))
    return {"skills_slots": services.contract_review_slots(contract, reviews, timezone.localdate())}


@staff_only
@require_POST
def skills_review_create(request, public_id):
    contract = get_manageable_or_404(request, WorkContract, public_id=public_id)
    moment = request.POST.get("moment", "")
    # Looked up only for a known moment: a hostile value (a NUL byte) must reach the service's French refusal,
    # never the database.
    existing = (
        SkillsReview.objects.filter(contract=contract, moment=moment).first()
        if moment in ReviewMoment.values
        else None
    )
    if existing is not None:
        return redirect(existing)
    try:
        review = services.skills_review_create(contract=contract, moment=moment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(contract)
    messages.success(request, "Le document est ouvert avec les compétences du poste : remplissez les niveaux.")
    return redirect(review)


def _review_queryset(request):
    return _reviews(request).select_related(
        "contract__participant__referent_organisation", "contract__company", "contract__employer"
    )


def _review(request, public_id):
    return get_visible_or_404(request, _review_queryset(request), public_id=public_id)


@staff_or_prescriber
def skills_review_detail(request, public_id):
    """Staff fill the document; the référent reads it."""
    if not is_staff(request):
        return render(request, "suivi/skills/review_detail.html", _document_context(_review(request, public_id)))
    review = get_manageable_or_404(request, _review_queryset(request), public_id=public_id)
    form = SkillsReviewForm(data=request.POST or None, instance=review, prefix="doc")
    formset = SkillsItemFormSet(data=request.POST or None, initial=items_initial(review), prefix="items")
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            header = {name: form.cleaned_data[name] for name in SkillsReviewForm.Meta.fields}
            try:
                services.skills_review_update(review=review, header=header, items=formset.rows(), by=request.user)
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                messages.success(request, "Le document de suivi des compétences est enregistré.")
                return redirect(review)
        else:
            form.add_error(None, "Le document n'est pas enregistré : corrigez les erreurs signalées.")
    return render(
        request, "suivi/skills/review_form.html", {**_document_context(review), "form": form, "formset": formset}
    )


def _document_context(review):
    contract = review.contract
    return {
        "review": review,
        "contract": contract,
        "participant": contract.participant,
        "items": list(review.items.all()),
        "levels": SkillLevel.choices,
    }


@staff_or_prescriber
def skills_review_pdf(request, public_id):
    review = _review(request, public_id)
    context = {**_document_context(review), "printed_on": timezone.localdate()}
    content = render_pdf("pdf/skills_review.html", context)
    participant = review.contract.participant
    moment = "debut" if review.moment == ReviewMoment.DEBUT else "fin"
    return pdf_response(content, f"suivi-competences-{moment}-{participant.last_name}-{participant.first_name}")


# --- Synthesis across contracts -------------------------------------------------------------------------------


def followed_participant_or_404(request, public_id):
    """A participant the membership follows after employment: staff of the structure, or the référent's
    organisation while the person's consent is in force (a prescriber who only referred the person does not follow
    their parcours; 404). The opening is logged, as the participant's page is."""
    participant = get_visible_or_404(
        request, Participant.objects.select_related("referent_organisation"), public_id=public_id
    )
    if not is_staff(request) and (
        participant.referent_organisation_id != request.membership.organisation_id
        or not participant.consents.filter(withdrawn_on__isnull=True).exists()  # withdrawn: partners see nothing
    ):
        raise Http404
    participant_services.view_log(participant_id=participant.pk, user=request.user, what=ViewKind.COMPETENCES)
    return participant


def _synthesis_context(request, participant):
    contracts = list(
        visible(request, WorkContract).filter(participant=participant).select_related("company", "employer")
    )
    reviews = list(_reviews(request).filter(contract__in=[c.pk for c in contracts]))
    entries = services.skills_synthesis(contracts, reviews)
    return {
        "participant": participant,
        "entries": entries,
        "is_staff": is_staff(request),
        "levels": SkillLevel.choices,
        "printed_on": timezone.localdate(),
    }


@staff_or_prescriber
def skills_synthesis(request, public_id):
    participant = followed_participant_or_404(request, public_id)
    return render(request, "suivi/skills/synthesis.html", _synthesis_context(request, participant))


@staff_or_prescriber
def skills_synthesis_pdf(request, public_id):
    participant = followed_participant_or_404(request, public_id)
    content = render_pdf("pdf/skills_synthesis.html", _synthesis_context(request, participant))
    return pdf_response(content, f"synthese-competences-{participant.last_name}-{participant.first_name}")
