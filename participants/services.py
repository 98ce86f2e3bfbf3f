"""Writes on participants, consents, proofs, diagnoses and fiches navettes. Atomic; status changes are logged."""

import logging
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from clauses.accounts.enums import Role
from clauses.accounts.models import Membership
from marches.enums import ATTRIBUTED, QpvLocation
from participants import eligibility
from participants.enums import INFORMATION_VERSION, ProofStatus, ReferralStatus, ViewKind
from participants.models import (
    Consent,
    EligibilityCriterion,
    EligibilityDiagnosis,
    Participant,
    ParticipantViewLog,
    Proof,
    Referral,
    ReferralEvent,
    name_key,
)
from participants.uploads import clean_file_name, detect_content_type

logger = logging.getLogger(__name__)

# Fields a fiche navette hands over to the participant it creates.
REFERRAL_TO_PARTICIPANT = [
    "last_name",
    "first_name",
    "birth_date",
    "sex",
    "email",
    "phone",
    "postcode",
    "city",
    "qpv_resident",
    "qualification_level",
    "registration_date",
    "social_benefit",
    "rqth",
    "refugee",
    "under_justice",
    "siae_employee",
    "young_inactive",
    "obstacles",
]


# --- Participants and consent ---------------------------------------------------------------------------------


def possible_duplicates(*, structure, last_name, first_name, birth_date, exclude=None):
    """Participants of the structure with the same name (accents and case aside) and birth date."""
    found = Participant.objects.filter(
        structure=structure, name_key=name_key(last_name, first_name), birth_date=birth_date
    )
    return found.exclude(pk=exclude.pk) if exclude else found


@transaction.atomic
def participant_create(*, participant: Participant, consent: Consent, by) -> Participant:
    """Record a person and the consent given, together: situation facts are never kept without a consent."""
    participant.created_by = by
    participant.full_clean()
    participant.save()
    consent.participant = participant
    consent.collected_by = consent.collected_by or by
    consent.full_clean()
    consent.save()
    return participant


@transaction.atomic
def consent_record(*, participant: Participant, consent: Consent, by) -> Consent:
    lock_participant(participant)  # not on a record being anonymised (its checks read the consents)
    consent.participant = participant
    consent.collected_by = by
    consent.information_version = INFORMATION_VERSION
    consent.full_clean()
    consent.save()
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, withdrawn_on, note, by) -> Consent:
    """The person withdraws: the consent is closed. The facilitator then stops using the record (R-consent).
    Under the person's lock, on the consent as stored: a double click withdraws once, an anonymised person never."""
    lock_participant(consent.participant)
    consent = Consent.objects.select_for_update().select_related("participant").get(pk=consent.pk)
    if consent.withdrawn_on:
        raise ValidationError("Ce consentement est déjà retiré.")
    consent.withdrawn_on = withdrawn_on
    consent.withdrawal_note = note
    consent.full_clean()
    consent.save()
    logger.info("consent withdrawn for participant %s by user %s", consent.participant.public_id, by.public_id)
    return consent


# --- Proofs ---------------------------------------------------------------------------------------------------


@transaction.atomic
def proof_add(
    *, structure, kind, uploaded_file, issue_date=None, valid_until=None, by, participant=None, referral=None
):
    """Store a checked file under a random name in private storage."""
    content_type = detect_content_type(uploaded_file)
    proof = Proof(
        structure=structure,
        participant=participant,
        referral=referral,
        kind=kind,
        original_name=clean_file_name(uploaded_file.name),
        content_type=content_type,
        size=uploaded_file.size,
        issue_date=issue_date,
        valid_until=valid_until,
        uploaded_by=by,
    )
    proof.file.save("justificatif", uploaded_file, save=False)  # the name comes from proof_upload_to
    try:
        proof.full_clean(exclude=["file"])
        proof.save()
    except Exception:
        proof.file.delete(save=False)
        raise
    return proof


@transaction.atomic
def proof_verify(*, proof: Proof, status: str, note: str, by) -> Proof:
    """A facilitator checks a proof against the original situation (R-VERIFY)."""
    if status not in (ProofStatus.VERIFIE, ProofStatus.REFUSE):
        raise ValidationError("Choisissez « vérifié » ou « refusé ».")
    proof.status = status
    proof.verification_note = note
    proof.verified_by = by
    proof.verified_at = timezone.now()
    proof.save()
    return proof


def proof_delete(*, proof: Proof) -> None:
    """Remove the record, then the file once the deletion is committed."""
    storage, name = proof.file.storage, proof.file.name
    with transaction.atomic():
        proof.delete()
        transaction.on_commit(lambda: storage.delete(name))


# --- Eligibility ----------------------------------------------------------------------------------------------


def active_rules():
    return [criterion.rule for criterion in EligibilityCriterion.objects.filter(is_active=True)]


def assessment_date(market, today=None):
    """R-ELIG-1: the market's attribution date; today's, provisionally, while it is not attributed."""
    today = today or timezone.localdate()
    if market.status in ATTRIBUTED and market.attribution_date:
        return market.attribution_date, False
    return today, True


def has_active_consent(participant):
    return participant.consents.filter(withdrawn_on__isnull=True).exists()


@transaction.atomic
def diagnosis_assess(*, participant: Participant, market, by, today=None) -> EligibilityDiagnosis:
    """Judge (again) whether the participant is eligible to the market's clause, from the facts and the verified
    proofs. One diagnosis per participant and market; its history keeps the earlier judgements."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)  # one assessment at a time
    if not has_active_consent(participant):
        raise ValidationError("Sans consentement en cours, la situation de la personne ne peut pas être utilisée.")
    today = today or timezone.localdate()
    on, provisional = assessment_date(market, today)
    proofs = Proof.usable_items(participant.proofs.all())
    results = eligibility.assess_all(active_rules(), participant.facts(), proofs, on, proofs_on=today)
    met = eligibility.eligible_for(results, market.target_publics)
    qpv = next((r for r in results if r.code == "qpv"), None)
    diagnosis = EligibilityDiagnosis.objects.filter(participant=participant, market=market).first()
    diagnosis = diagnosis or EligibilityDiagnosis(participant=participant, market=market)
    diagnosis.assessed_on = on
    diagnosis.provisional = provisional
    diagnosis.eligible = bool(met)
    diagnosis.criteria_met = [r.code for r in met]
    diagnosis.details = [
        {"code": r.code, "label": r.label, "public": r.public, "met": r.met, "reason": r.reason,
         "to_verify": r.to_verify, "proofs": [str(p.public_id) for p in r.proofs if p is not None]}
        for r in results
    ]  # fmt: skip
    diagnosis.qpv_priority = bool(met and qpv and qpv.met and market.qpv != QpvLocation.HORS)
    diagnosis.valid_until = eligibility.diagnosis_valid_until(on)
    diagnosis.assessed_by = by
    diagnosis.full_clean()
    diagnosis.save()
    return diagnosis


# --- Fiches navettes ------------------------------------------------------------------------------------------


def _transition(referral, to_status, by, message=""):
    event = ReferralEvent(referral=referral, from_status=referral.status, to_status=to_status, by=by, message=message)
    referral.status = to_status
    return event


def _save_with_event(referral, event):
    referral.full_clean()
    referral.save()
    event.referral = referral
    event.save()
    return event


SUBMIT_REQUIREMENTS = {
    "consent_confirmed": "Confirmez que le candidat a été informé et qu'il consent à la transmission.",
    "consent_date": "Indiquez la date du consentement.",
    "motivation": "Décrivez le parcours et la motivation du candidat.",
}


def _locked(referral):
    """The fiche re-read under a lock: two clicks, or two facilitators, cannot both change it; nor anyone an
    anonymised one (`suivi.retention`: kept for the figures only)."""
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.anonymised_at:
        raise ValidationError("Cette fiche navette est anonymisée : elle ne peut plus être modifiée.")
    return locked


@transaction.atomic
def referral_submit(*, referral: Referral, by) -> ReferralEvent:
    """The prescriber sends the fiche (first time, or completed after a return: the checks start again)."""
    current = _locked(referral)
    if not current.is_editable:
        raise ValidationError("Cette fiche a déjà été envoyée.")
    missing = {field: message for field, message in SUBMIT_REQUIREMENTS.items() if not getattr(referral, field)}
    if missing:
        raise ValidationError(missing)
    if current.status == ReferralStatus.A_COMPLETER:
        referral.parcours_checked = referral.motivation_checked = False
        referral.eligibility_checked = referral.fit_checked = False
    referral.status = current.status
    referral.submitted_at = timezone.now()
    return _save_with_event(referral, _transition(referral, ReferralStatus.SOUMISE, by))


@transaction.atomic
def referral_save_review(*, referral: Referral, by) -> ReferralEvent | None:
    """The facilitator records the checks (R-VERIFY); the first one puts the fiche « en vérification »."""
    referral.status = _locked(referral).status
    if referral.status not in (ReferralStatus.SOUMISE, ReferralStatus.EN_VERIFICATION):
        raise ValidationError("Cette fiche n'attend pas de vérification.")
    if referral.status == ReferralStatus.SOUMISE:
        return _save_with_event(referral, _transition(referral, ReferralStatus.EN_VERIFICATION, by))
    referral.full_clean()
    referral.save()
    return None


def _check_decidable(referral):
    referral.status = _locked(referral).status
    if referral.status not in (ReferralStatus.SOUMISE, ReferralStatus.EN_VERIFICATION):
        raise ValidationError("Cette fiche n'attend pas de décision.")


@transaction.atomic
def referral_return(*, referral: Referral, message: str, by) -> ReferralEvent:
    """Back to the prescriber, with what to complete."""
    _check_decidable(referral)
    if not message.strip():
        raise ValidationError({"message": "Dites au prescripteur ce qu'il faut compléter."})
    referral.decided_at = timezone.now()
    return _save_with_event(referral, _transition(referral, ReferralStatus.A_COMPLETER, by, message))


@transaction.atomic
def referral_refuse(*, referral: Referral, reason: str, message: str, by) -> ReferralEvent:
    _check_decidable(referral)
    if not reason:
        raise ValidationError({"refusal_reason": "Choisissez le motif du refus."})
    referral.refusal_reason = reason
    referral.decided_at = timezone.now()
    return _save_with_event(referral, _transition(referral, ReferralStatus.REFUSEE, by, message))


@transaction.atomic
def referral_accept(*, referral: Referral, by, existing: Participant | None = None, message: str = "") -> Participant:
    """Accept the candidate: link them to the participant already known, or create one. Their proofs follow, the
    prescriber becomes their référent de parcours, and the consent they confirmed is recorded."""
    _check_decidable(referral)
    if not referral.checklist_complete:
        raise ValidationError(
            "Cochez les quatre vérifications avant d'accepter (parcours, motivation, éligibilité, adéquation)."
        )
    if existing is not None:
        if existing.structure_id != referral.structure_id:
            raise ValidationError("Ce participant appartient à une autre structure.")
        participant = existing
    else:
        participant = Participant(structure=referral.structure, created_by=by)
        for field in REFERRAL_TO_PARTICIPANT:
            setattr(participant, field, getattr(referral, field))
    if participant.referent_organisation_id is None:  # a person already followed keeps their référent
        participant.referent_organisation = referral.prescriber_organisation
        if referral.created_by:
            participant.referent_name = referral.created_by.full_name
            participant.referent_email = referral.created_by.email
    participant.full_clean()
    participant.save()
    if not has_active_consent(participant):
        consent = Consent(
            participant=participant,
            given_on=referral.consent_date,
            method=referral.consent_method,
            collected_by=referral.created_by,
            collected_by_name=referral.created_by.full_name if referral.created_by else "",
            information_version=referral.consent_information_version,
        )
        consent.full_clean()
        consent.save()
    for proof in referral.proofs.all():  # one by one: each move is kept in the proof's history
        proof.participant = participant
        proof.save(update_fields=["participant"])
    referral.participant = participant
    referral.decided_at = timezone.now()
    _save_with_event(referral, _transition(referral, ReferralStatus.ACCEPTEE, by, message))
    return participant


def referral_event_recipients(event: ReferralEvent):
    """Who hears of a step: the facilitators when a fiche arrives; the prescriber for every other step — its
    author while they still work for the organisation, else their active colleagues there."""
    referral = event.referral
    if event.to_status == ReferralStatus.SOUMISE:
        staff = Membership.objects.active().staff().filter(organisation=referral.structure).select_related("user")
        return [m.user.email for m in staff]
    prescribers = (
        Membership.objects.active()
        .filter(organisation=referral.prescriber_organisation, role=Role.PRESCRIPTEUR)
        .select_related("user")
    )
    author = [m.user.email for m in prescribers if m.user_id == referral.created_by_id]
    return author or [m.user.email for m in prescribers]


def referral_event_send(*, event: ReferralEvent) -> int:
    """E-mail a step of a fiche navette to those it concerns. Returns the number of recipients."""
    recipients = referral_event_recipients(event)
    if not recipients:
        return 0
    referral = event.referral
    context = {
        "event": event,
        "referral": referral,
        "url": settings.SITE_URL + referral.get_absolute_url(),
    }
    subject = render_to_string("participants/emails/referral_event_subject.txt", context).strip()
    body = render_to_string("participants/emails/referral_event_body.txt", context)
    send_mail(settings.EMAIL_SUBJECT_PREFIX + subject, body, None, recipients)
    return len(recipients)


# --- RGPD: the log of who viewed a record, and anonymisation ---------------------------------------------------


def view_log(*, participant_id, user, what=ViewKind.FICHE, now=None) -> bool:
    """Record that `user` viewed a participant's record (one row per request at most: two queries, whatever the
    page shows). The same user, record and kind of view within VIEW_LOG_WINDOW_MINUTES make one row: a page
    reloaded ten times is one consultation. Returns whether a row was written."""
    now = now or timezone.now()
    since = now - timedelta(minutes=settings.VIEW_LOG_WINDOW_MINUTES)
    recent = ParticipantViewLog.objects.filter(
        participant_id=participant_id, user=user, what=what, viewed_at__gte=since
    )
    if recent.exists():
        return False
    ParticipantViewLog.objects.create(participant_id=participant_id, user=user, what=what)
    return True


def view_logs_prune(*, now=None) -> int:
    """Delete the consultations older than VIEW_LOG_RETENTION_MONTHS months. Returns how many."""
    limit = (now or timezone.now()) - relativedelta(months=settings.VIEW_LOG_RETENTION_MONTHS)
    deleted, _ = ParticipantViewLog.objects.filter(viewed_at__lt=limit).delete()
    return deleted


ERASED = "(effacé)"
# What anonymisation blanks on the person and on the fiches navettes that brought them: identity, contact, free
# text, and the situation facts no figure reads (minima sociaux, justice, refugee status, freins). Kept, for the
# bilans and the consolidation (R-BILAN, R-CONSO): structure, sex, year of birth, qualification, QPV yes/no, RQTH
# yes/no, the référent's organisation (prescriber kind), the trades looked for (GPEC); the diagnoses' criteria met.
PERSON_BLANKS = {
    "email": "", "phone": "", "postcode": "", "city": "", "registration_date": None, "social_benefit": "",
    "refugee": False, "under_justice": False, "siae_employee": False, "young_inactive": False, "obstacles": [],
}  # fmt: skip
PARTICIPANT_BLANKS = PERSON_BLANKS | {
    "last_name": "anonymisée", "first_name": "Personne", "name_key": "", "qpv_name": "", "notes": "",
    "referent_name": "", "referent_email": "",
}  # fmt: skip
REFERRAL_BLANKS = PERSON_BLANKS | {
    "last_name": "anonymisée", "first_name": "Personne", "target_job": "", "motivation": "", "review_note": "",
}  # fmt: skip


def anonymised_birth_date(birth_date: date) -> date:
    """The month and year of birth only, as the 1st of the month. A person's age on the last day of any month is
    then the same as with the true date (born in March, 26 on 30 June whatever the day in March), so figures by age
    band (26, 50 years) do not move for the periods the bilans, the dashboards and the consolidation use: calendar
    years, quarters, months, a period ending on a month's last day. The 1st rather than the last day: no 29
    February to clamp in a later year.

    Limit: on a day within the birth month other than its last, the person is counted as having had their birthday
    since the 1st (up to 30 days early): a period ending mid-month, in the month of a 26th or 50th birthday, or an
    export's age at a contract's start in that month, may put them one band higher than the true date would."""
    return birth_date.replace(day=1)


HISTORY_REASON_ERASED = "texte effacé (anonymisation)"


def scrub_with_history(model, pks, values) -> int:
    """Set `values` on the rows `pks` of `model` and on every historical row of them (django-simple-history keeps
    a copy of each version: left alone it would keep the names), whose change reasons go too (free text, such as a
    cancellation's reason). Bulk updates: a few queries per model."""
    pks = list(pks)
    if not pks:
        return 0
    rows = model._default_manager.filter(pk__in=pks).update(**values)
    historical = model.history.model.objects.filter(id__in=pks)
    historical.update(**values)
    scrub_history_reasons(historical)
    return rows


def scrub_history_reasons(historical_rows) -> int:
    """A fixed text instead of each non-empty change reason of these historical rows."""
    written = historical_rows.exclude(history_change_reason__isnull=True).exclude(history_change_reason="")
    return written.update(history_change_reason=HISTORY_REASON_ERASED)


def lock_participant(participant):
    """The person re-read under a row lock, refused once anonymised: the writes that must not reach an anonymised
    record (a consent, a contract) take the same lock, so that they and the anonymisation's checks see each other."""
    locked = Participant.objects.select_for_update().get(pk=participant.pk)
    if locked.anonymised_at:
        raise ValidationError("Cette personne est anonymisée : son dossier ne peut plus être modifié.")
    return locked


@transaction.atomic
def participant_anonymise_records(*, participant: Participant, by=None, now=None, check=None) -> list:
    """Anonymise what this app holds of a person: the record and its history, their fiches navettes (and their
    steps' messages), consents' notes, diagnoses' reasons; their proofs and CVs are deleted with their files.
    Returns the files to delete from storage once the transaction is committed (the caller deletes them).

    `check(locked_participant)` runs once the row is locked, before anything is written: it raises ValidationError
    when the decision taken before the lock (due, or allowed at once) no longer holds.

    Called by `suivi.retention.participant_anonymise`, which also blanks what the later steps of the parcours
    hold (contracts' notes, follow-up, sorties…)."""
    try:
        participant = lock_participant(participant)
    except ValidationError:
        raise ValidationError("Cette personne est déjà anonymisée.") from None
    if check is not None:
        check(participant)
    birth_date = anonymised_birth_date(participant.birth_date)
    for field, value in PARTICIPANT_BLANKS.items():
        setattr(participant, field, value)
    participant.birth_date = birth_date
    participant.anonymised_at = now or timezone.now()
    participant._change_reason = "anonymisation (RGPD)"
    participant._history_user = by
    participant.save()
    participant.name_key = ""  # save() computes it from the placeholder names: nothing to find a person by
    Participant.objects.filter(pk=participant.pk).update(name_key="")
    history_values = PARTICIPANT_BLANKS | {"birth_date": birth_date}
    Participant.history.model.objects.filter(id=participant.pk).update(**history_values)

    referrals = list(Referral.objects.filter(participant=participant).values_list("pk", flat=True))
    files = referrals_anonymise_records(referrals, now=participant.anonymised_at)
    scrub_with_history(Consent, participant.consents.values_list("pk", flat=True), {"withdrawal_note": ""})
    _anonymise_diagnoses(participant)
    return files + _delete_proofs(Proof.objects.filter(participant=participant))


def referrals_anonymise_records(referral_pks, *, now=None) -> list:
    """Blank the identity, situation and free text of these fiches navettes, their steps' messages and their
    history; delete their proofs and CVs. What the figures of fiches read stays: structure, prescriber, status,
    refusal reason, dates, sex, qualification, criteria claimed. Returns the files to delete once committed."""
    referral_pks = list(referral_pks)
    now = now or timezone.now()
    for pk, born in Referral.objects.filter(pk__in=referral_pks).values_list("pk", "birth_date"):
        born = anonymised_birth_date(born) if born else None
        scrub_with_history(Referral, [pk], REFERRAL_BLANKS | {"birth_date": born})
    Referral.objects.filter(pk__in=referral_pks, anonymised_at__isnull=True).update(anonymised_at=now)
    events = ReferralEvent.objects.filter(referral__in=referral_pks).values_list("pk", flat=True)
    scrub_with_history(ReferralEvent, events, {"message": ""})
    return _delete_proofs(Proof.objects.filter(referral__in=referral_pks))


def _anonymise_diagnoses(participant):
    """The criteria met stay (the bilans' publics); the reasons ("inscrit depuis le …") and proofs' ids go."""
    kept = ("code", "label", "public", "met")
    historical = EligibilityDiagnosis.history.model
    diagnoses = list(EligibilityDiagnosis.objects.filter(participant=participant).only("pk", "details"))
    rows = list(historical.objects.filter(id__in=[d.pk for d in diagnoses]).only("history_id", "details"))
    for row in [*diagnoses, *rows]:
        row.details = [{key: item.get(key) for key in kept} for item in row.details or ()]
    EligibilityDiagnosis.objects.bulk_update(diagnoses, ["details"])
    historical.objects.bulk_update(rows, ["details"])


def _delete_proofs(proofs):
    """Delete the proofs (their handoffs' links go with them) and blank their historical rows' file names."""
    found = list(proofs.only("pk", "file"))
    names = [proof.file.name for proof in found if proof.file.name]
    pks = [proof.pk for proof in found]
    Proof.objects.filter(pk__in=pks).delete()  # its history gets a row of the deletion, scrubbed below too
    historical = Proof.history.model.objects.filter(id__in=pks)
    historical.update(original_name=ERASED, verification_note="", file="")
    scrub_history_reasons(historical)
    return names


def delete_files_on_commit(names, storage=None):
    """Delete files from private storage once the transaction that stopped pointing at them is committed."""
    storage = storage or Proof._meta.get_field("file").storage

    def delete():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)
