import os

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clauses.accounts.access import (
    effective_role,
    get_manageable_or_404,
    get_visible_or_404,
    role_required,
    visible,
)
from clauses.accounts.enums import OrganisationKind, Role
from clauses.accounts.models import Organisation, User
from clauses.pagination import paginate
from clauses.queueing import queue_after_commit
from clauses.redirects import safe_path
from marches.models import Market
from participants import eligibility, services
from participants.enums import ReferralStatus, ViewKind
from participants.filters import EXPIRY_WINDOW, ParticipantFilter, ReferralFilter, ViewLogFilter
from participants.forms import (
    ConsentForm,
    ConsentWithdrawForm,
    DecisionForm,
    DiagnosisForm,
    ParticipantForm,
    ProofForm,
    ProofVerifyForm,
    ReferralForm,
    ReviewForm,
)
from participants.models import (
    Consent,
    EligibilityDiagnosis,
    Participant,
    ParticipantViewLog,
    Proof,
    Referral,
)
from participants.tasks import send_referral_event_email

STAFF = (Role.FACILITATEUR, Role.ADMIN)
staff_only = role_required(*STAFF)
prescriber_only = role_required(Role.PRESCRIPTEUR)
staff_or_prescriber = role_required(*STAFF, Role.PRESCRIPTEUR)
admin_only = role_required(Role.ADMIN)


def _is_staff(request):
    return effective_role(request.membership) in STAFF


def _notify(event):
    if event is not None:
        queue_after_commit(send_referral_event_email, event.pk)


def _form_errors_from(error, form):
    """A service's ValidationError shown on the form (field errors on their field, others on top)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- Participants ---------------------------------------------------------------------------------------------


def _referent_organisations(request):
    """Prescriber organisations the structure works with (a participant's référent comes from one of them)."""
    return visible(request, Organisation).active().filter(kind=OrganisationKind.PRESCRIPTEUR)


@staff_or_prescriber
def participant_list(request):
    participants = visible(request, Participant).select_related("referent_organisation")
    filterset = ParticipantFilter(
        request.GET or None, queryset=participants, referents=_referent_organisations(request)
    )
    found = filterset.qs if not filterset.is_bound or filterset.is_valid() else participants.none()
    page = paginate(request, found.order_by("last_name", "first_name", "pk"))
    return render(request, "participants/participant_list.html", {"filter": filterset, "page": page})


@staff_only
def participant_create(request):
    structure = request.membership.organisation
    form = ParticipantForm(
        data=request.POST or None, structure=structure, referent_organisations=_referent_organisations(request)
    )
    consent_form = ConsentForm(data=request.POST or None, prefix="consent")
    duplicates = Participant.objects.none()
    if request.method == "POST" and form.is_valid() and consent_form.is_valid():
        data = form.cleaned_data
        duplicates = services.possible_duplicates(
            structure=structure,
            last_name=data["last_name"],
            first_name=data["first_name"],
            birth_date=data["birth_date"],
        )
        if duplicates and not request.POST.get("confirm_duplicate"):
            form.add_error(None, "Une personne de même nom et de même date de naissance est déjà suivie.")
        else:
            try:
                participant = services.participant_create(
                    participant=form.instance, consent=consent_form.instance, by=request.user
                )
            except ValidationError as error:
                _form_errors_from(error, form)
            else:
                messages.success(request, f"{participant.full_name} est enregistré(e).")
                return redirect(participant)
    return render(
        request,
        "participants/participant_form.html",
        {"form": form, "consent_form": consent_form, "duplicates": duplicates},
    )


@staff_or_prescriber
def participant_detail(request, public_id):
    participant = get_visible_or_404(
        request, Participant.objects.select_related("referent_organisation", "structure"), public_id=public_id
    )
    services.view_log(participant_id=participant.pk, user=request.user, what=ViewKind.FICHE)
    is_staff = _is_staff(request)
    is_admin = effective_role(request.membership) == Role.ADMIN
    if participant.is_anonymised:
        # Kept for the figures only: nothing to read or change, nobody to name.
        return render(
            request, "participants/participant_anonymised.html",
            {"participant": participant, "is_staff": is_staff, "is_admin": is_admin},
        )  # fmt: skip
    has_consent = participant.consents.filter(withdrawn_on__isnull=True).exists()
    if not is_staff and not has_consent:
        # Consent withdrawn: a partner sees who the person is, nothing of their situation.
        return render(request, "participants/participant_withdrawn.html", {"participant": participant})
    proofs = visible(request, Proof).filter(participant=participant).select_related("verified_by")
    diagnoses = visible(request, EligibilityDiagnosis).filter(participant=participant).select_related("market__buyer")
    referrals = visible(request, Referral).filter(participant=participant).select_related("prescriber_organisation")
    consents = participant.consents.select_related("collected_by")
    context = {
        "participant": participant,
        "is_staff": is_staff,
        "consents": consents,
        "consent": next((c for c in consents if c.is_active), None),
        "proofs": proofs,
        "diagnoses": diagnoses,
        "referrals": referrals,
        "today": timezone.localdate(),
    }
    context["is_admin"] = is_admin
    if is_admin:  # the log of who viewed the record is the administrators' (audit)
        logs = visible(request, ParticipantViewLog).filter(participant=participant)
        context["views"] = logs.select_related("user")[:5]
        context["view_count"] = logs.count()
    return render(request, "participants/participant_detail.html", context)


@admin_only
def participant_views(request, public_id):
    """Who viewed a person's record, and what, newest first (administrators: audit)."""
    participant = get_visible_or_404(request, Participant, public_id=public_id)
    logs = visible(request, ParticipantViewLog).filter(participant=participant).select_related("user")
    return render(
        request,
        "participants/participant_views.html",
        {"participant": participant, "page": paginate(request, logs), "months": settings.VIEW_LOG_RETENTION_MONTHS},
    )


@admin_only
def view_log_list(request):
    """Every consultation of the structure's records, filtered by who, what and when (administrators: audit)."""
    logs = visible(request, ParticipantViewLog).select_related("user", "participant")
    filterset = ViewLogFilter(request.GET or None, queryset=logs, users=_structure_users(request))
    found = filterset.qs if not filterset.is_bound or filterset.is_valid() else logs.none()
    return render(
        request,
        "participants/view_log_list.html",
        {"filter": filterset, "page": paginate(request, found), "months": settings.VIEW_LOG_RETENTION_MONTHS},
    )


def _structure_users(request):
    """The people whose consultations an administrator may look for: those who can see the structure's records."""
    seen_by = visible(request, ParticipantViewLog).values("user")
    return User.objects.filter(pk__in=seen_by).order_by("last_name", "first_name")


@staff_only
def participant_update(request, public_id):
    participant = get_manageable_or_404(request, Participant, public_id=public_id)
    form = ParticipantForm(
        data=request.POST or None,
        instance=participant,
        structure=participant.structure,
        referent_organisations=_referent_organisations(request),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Les informations sont enregistrées.")
        return redirect(participant)
    return render(request, "participants/participant_form.html", {"form": form, "participant": participant})


@staff_only
def consent_record(request, public_id):
    participant = get_manageable_or_404(request, Participant, public_id=public_id)
    form = ConsentForm(data=request.POST or None, initial={"given_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        services.consent_record(participant=participant, consent=form.instance, by=request.user)
        messages.success(request, "Le consentement est enregistré.")
        return redirect(participant)
    return render(request, "participants/consent_form.html", {"form": form, "participant": participant})


@staff_only
def consent_withdraw(request, public_id):
    consent = get_manageable_or_404(request, Consent.objects.select_related("participant"), public_id=public_id)
    participant = consent.participant
    form = ConsentWithdrawForm(data=request.POST or None, consent=consent)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(
                consent=consent, withdrawn_on=form.cleaned_data["withdrawn_on"], note=form.cleaned_data["note"],
                by=request.user,
            )  # fmt: skip
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.warning(
                request,
                "Le consentement est retiré : la situation de la personne n'est plus utilisée ni partagée avec les "
                "partenaires. Si rien n'oblige à garder son dossier, un administrateur peut l'anonymiser dès "
                "maintenant.",
            )
        return redirect(participant)
    return render(request, "participants/consent_withdraw.html", {"form": form, "participant": participant})


# --- Proofs ---------------------------------------------------------------------------------------------------


def _proof_upload(request, *, template, back, participant=None, referral=None, structure):
    form = ProofForm(data=request.POST or None, files=request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proof = services.proof_add(
                structure=structure,
                participant=participant,
                referral=referral,
                kind=data["kind"],
                uploaded_file=data["file"],
                issue_date=data["issue_date"],
                valid_until=data["valid_until"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            messages.success(request, f"Justificatif ajouté : {proof.get_kind_display()} ({proof.original_name}).")
            return redirect(back)
    return render(request, template, {"form": form, "participant": participant, "referral": referral, "back": back})


@staff_only
def proof_upload(request, public_id):
    participant = get_manageable_or_404(request, Participant, public_id=public_id)
    return _proof_upload(
        request,
        template="participants/proof_form.html",
        back=participant.get_absolute_url(),
        participant=participant,
        structure=participant.structure,
    )


EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def _download_name(proof):
    """The name the person gave, with the extension of what the file really is: a PDF sent as "facture.exe"
    downloads as "facture.pdf", never as a program."""
    stem, extension = os.path.splitext(proof.original_name)
    expected = EXTENSIONS.get(proof.content_type, "")
    if extension.lower() in (expected, ".jpeg" if expected == ".jpg" else expected):
        return proof.original_name
    return (stem or "justificatif") + expected


@staff_or_prescriber
def proof_download(request, public_id):
    """The file, as an attachment, to those who may see it; never from a public URL."""
    proof = get_visible_or_404(request, Proof, public_id=public_id)
    if proof.participant_id:
        services.view_log(participant_id=proof.participant_id, user=request.user, what=ViewKind.JUSTIFICATIF)
    try:
        handle = proof.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("Le fichier de ce justificatif est introuvable.") from error
    response = FileResponse(
        handle, as_attachment=True, filename=_download_name(proof), content_type=proof.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@staff_only
def proof_verify(request, public_id):
    proof = get_manageable_or_404(
        request, Proof.objects.select_related("participant", "referral"), public_id=public_id
    )
    form = ProofVerifyForm(data=request.POST)
    if form.is_valid():
        services.proof_verify(proof=proof, by=request.user, **form.cleaned_data)
        messages.success(request, f"{proof.get_kind_display()} : {proof.get_status_display()}.")
    else:
        messages.error(request, "Choisissez si le justificatif est conforme ou non.")
    return redirect(safe_path(request, request.POST.get("back")) or _proof_owner_url(proof))


def _proof_owner_url(proof):
    if proof.participant_id:
        return proof.participant.get_absolute_url()
    return proof.referral.get_absolute_url()


@staff_or_prescriber
def proof_delete(request, public_id):
    proofs = Proof.objects.select_related("participant", "referral")
    if _is_staff(request):
        proofs = proofs.filter(participant__isnull=False)  # a fiche's proofs are the prescriber's until accepted
    proof = get_manageable_or_404(request, proofs, public_id=public_id)
    back = _proof_owner_url(proof)
    if request.method == "POST":
        services.proof_delete(proof=proof)
        messages.success(request, "Le justificatif est supprimé, avec son fichier.")
        return redirect(back)
    return render(
        request,
        "components/confirm_delete.html",
        {
            "object": proof.get_kind_display(),
            "title": f"Supprimer le justificatif « {proof.original_name} » ?",
            "consequences": "Le fichier est effacé définitivement.",
            "back": back,
        },
    )


# --- Eligibility ----------------------------------------------------------------------------------------------


@staff_only
def diagnosis_create(request, public_id):
    participant = get_manageable_or_404(request, Participant, public_id=public_id)
    form = DiagnosisForm(data=request.POST or None, markets=visible(request, Market))
    if request.method == "POST" and form.is_valid():
        try:
            diagnosis = services.diagnosis_assess(
                participant=participant, market=form.cleaned_data["market"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            verdict = "éligible" if diagnosis.eligible else "pas éligible en l'état"
            messages.success(request, f"Diagnostic établi : {verdict}.")
            return redirect(diagnosis)
    return render(request, "participants/diagnosis_form.html", {"form": form, "participant": participant})


@staff_or_prescriber
def diagnosis_detail(request, public_id):
    diagnosis = get_visible_or_404(
        request, EligibilityDiagnosis.objects.select_related("participant", "market__buyer"), public_id=public_id
    )
    services.view_log(participant_id=diagnosis.participant_id, user=request.user, what=ViewKind.DIAGNOSTIC)
    today = timezone.localdate()
    return render(
        request,
        "participants/diagnosis_detail.html",
        {
            "diagnosis": diagnosis,
            "today": today,
            "valid": diagnosis.is_valid_on(today),
            "is_staff": _is_staff(request),
        },
    )


@staff_only
def expiring(request):
    """Diagnoses and proofs that expire within 60 days: to renew before the person loses their eligibility."""
    today = timezone.localdate()
    days = EXPIRY_WINDOW.days
    diagnoses = (
        visible(request, EligibilityDiagnosis).expiring(today, days).filter(eligible=True)
        .select_related("participant", "market").order_by("valid_until")
    )  # fmt: skip
    proofs = (
        visible(request, Proof).expiring(today, days).filter(participant__isnull=False)
        .select_related("participant").order_by("valid_until")
    )  # fmt: skip
    return render(
        request,
        "participants/expiring.html",
        {
            "diagnoses": paginate(request, diagnoses),
            "proofs": paginate(request, proofs, param="page_pieces"),
            "days": days,
        },
    )


# --- Fiches navettes ------------------------------------------------------------------------------------------


@staff_or_prescriber
def referral_list(request):
    referrals = (
        visible(request, Referral)
        .select_related("prescriber_organisation", "created_by", "structure")
        .annotate(proof_count=Count("proofs"))
    )
    prescribers = visible(request, Organisation).filter(kind=OrganisationKind.PRESCRIPTEUR)
    filterset = ReferralFilter(request.GET or None, queryset=referrals, prescribers=prescribers)
    found = filterset.qs if not filterset.is_bound or filterset.is_valid() else referrals.none()
    page = paginate(request, found.order_by("-updated_at", "-pk"))
    pending = visible(request, Referral).pending().count() if _is_staff(request) else None
    return render(
        request,
        "participants/referral_list.html",
        {"filter": filterset, "page": page, "is_staff": _is_staff(request), "pending": pending},
    )


def _partner_structures(request):
    return visible(request, Organisation).active().structures()


@prescriber_only
def referral_create(request):
    structures = _partner_structures(request)
    if not structures.exists():
        messages.error(request, "Aucune structure porteuse ne vous a encore rattaché comme partenaire.")
        return redirect("home")
    form = ReferralForm(data=request.POST or None, structures=structures)
    if request.method == "POST" and form.is_valid():
        referral = form.save(commit=False)
        referral.prescriber_organisation = request.membership.organisation
        referral.created_by = request.user
        referral.save()
        form.save_m2m()
        messages.success(request, "Brouillon enregistré. Ajoutez les justificatifs, puis envoyez la fiche.")
        return redirect(referral)
    return render(request, "participants/referral_form.html", {"form": form})


def _editable_referral_or_404(request, public_id):
    referral = get_manageable_or_404(request, Referral, public_id=public_id)
    if not referral.is_editable:
        raise Http404("Cette fiche a été envoyée : elle ne se modifie plus.")
    return referral


@prescriber_only
def referral_update(request, public_id):
    referral = _editable_referral_or_404(request, public_id)
    form = ReferralForm(data=request.POST or None, instance=referral, structures=None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "La fiche est enregistrée.")
        return redirect(referral)
    return render(request, "participants/referral_form.html", {"form": form, "referral": referral})


@prescriber_only
def referral_proof_upload(request, public_id):
    referral = _editable_referral_or_404(request, public_id)
    return _proof_upload(
        request,
        template="participants/proof_form.html",
        back=referral.get_absolute_url(),
        referral=referral,
        structure=referral.structure,
    )


@require_POST
@prescriber_only
def referral_submit(request, public_id):
    referral = get_manageable_or_404(request, Referral, public_id=public_id)
    if not referral.is_editable:  # a second click on « Envoyer »
        messages.info(request, "Cette fiche est déjà envoyée.")
        return redirect(referral)
    try:
        event = services.referral_submit(referral=referral, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        _notify(event)
        messages.success(
            request, f"La fiche est envoyée à {referral.structure.name}. Vous serez prévenu de sa réponse."
        )
    return redirect(referral)


@prescriber_only
def referral_delete(request, public_id):
    referral = get_manageable_or_404(request, Referral, public_id=public_id, status=ReferralStatus.BROUILLON)
    if request.method == "POST":
        for proof in list(referral.proofs.all()):
            services.proof_delete(proof=proof)
        referral.delete()
        messages.success(request, "Le brouillon est supprimé.")
        return redirect("participants:referral_list")
    return render(
        request,
        "components/confirm_delete.html",
        {
            "object": "Brouillon",
            "title": f"Supprimer le brouillon de fiche de {referral.full_name} ?",
            "consequences": "La fiche et ses justificatifs seront effacés.",
            "back": referral.get_absolute_url(),
        },
    )


def _referral_context(request, referral):
    proofs = visible(request, Proof).filter(referral=referral).select_related("verified_by")
    events = referral.events.select_related("by")
    criteria = list(referral.claimed_criteria.all())
    results = eligibility.assess_all(
        [c.rule for c in criteria], referral.facts(), Proof.usable_items(proofs), timezone.localdate(),
        verified_only=False,
    )  # fmt: skip
    return {
        "referral": referral,
        "proofs": proofs,
        "events": events,
        "results": results,
        "is_staff": _is_staff(request),
        "can_edit": not _is_staff(request) and referral.is_editable,
        "today": timezone.localdate(),
    }


@staff_or_prescriber
def referral_detail(request, public_id):
    referral = get_visible_or_404(
        request,
        Referral.objects.select_related("prescriber_organisation", "structure", "created_by", "participant"),
        public_id=public_id,
    )
    return render(request, "participants/referral_detail.html", _referral_context(request, referral))


@staff_only
def referral_review(request, public_id):
    """The facilitator's screen: the candidate, their proofs, the checks (R-VERIFY) and the decision."""
    referral = get_manageable_or_404(
        request,
        Referral.objects.select_related("prescriber_organisation", "structure", "created_by"),
        public_id=public_id,
    )
    if not referral.is_pending:
        messages.info(request, "Cette fiche n'attend pas de décision.")
        return redirect(referral)
    duplicates = services.possible_duplicates(
        structure=referral.structure, last_name=referral.last_name, first_name=referral.first_name,
        birth_date=referral.birth_date,
    )  # fmt: skip
    action = request.POST.get("action")
    review_form = ReviewForm(data=request.POST if action == "review" else None, instance=referral)
    decision_form = DecisionForm(data=request.POST if action == "decide" else None, duplicates=duplicates)
    if action == "review" and review_form.is_valid():
        try:
            _notify(services.referral_save_review(referral=review_form.save(commit=False), by=request.user))
        except ValidationError as error:
            _form_errors_from(error, review_form)
        else:
            messages.success(request, "Vérifications enregistrées.")
            return redirect("participants:referral_review", public_id=referral.public_id)
    if action == "decide" and decision_form.is_valid():
        response = _decide(request, referral, decision_form)
        if response:
            return response
    unknown = request.method == "POST" and action not in ("review", "decide")
    if unknown:  # a forged or outdated form: say so rather than show the page again as if nothing was sent
        messages.error(request, "Demande incomprise : rechargez la page, puis enregistrez de nouveau.")
    context = _referral_context(request, referral)
    context.update({"review_form": review_form, "decision_form": decision_form, "duplicates": duplicates})
    return render(request, "participants/referral_review.html", context, status=400 if unknown else 200)


def _decide(request, referral, form):
    data = form.cleaned_data
    try:
        if data["decision"] == DecisionForm.ACCEPT:
            participant = services.referral_accept(
                referral=referral, by=request.user, existing=data.get("existing"), message=data["message"]
            )
            messages.success(request, f"Fiche acceptée : {participant.full_name} est suivi(e) par la structure.")
            target = participant.get_absolute_url()
        elif data["decision"] == DecisionForm.RETURN:
            services.referral_return(referral=referral, message=data["message"], by=request.user)
            messages.success(request, "La fiche est renvoyée au prescripteur pour être complétée.")
            target = reverse("participants:referral_list")
        else:
            services.referral_refuse(
                referral=referral, reason=data["refusal_reason"], message=data["message"], by=request.user
            )
            messages.success(request, "La fiche n'est pas retenue ; le prescripteur en est informé.")
            target = reverse("participants:referral_list")
    except ValidationError as error:
        _form_errors_from(error, form)
        return None
    _notify(referral.events.order_by("-pk").first())
    return redirect(target)
